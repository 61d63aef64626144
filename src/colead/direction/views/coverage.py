"""The coverage dashboard (``/direction/coverage/``) and the lists behind its figures
(``/direction/coverage/<kind>/``), for those who may see every objective: OBJECTIVES_VIEW
over the whole organisation (board members, OD leads, organisation admins). A manager, who
sees only a subtree, gets 403: the figures are the organisation's. Read through
``colead.direction.queries`` (which checks that scope), shaped in
``colead.direction.dashboard``."""

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from colead.accounts.permissions import require_permission
from colead.accounts.roles import Permission
from colead.core import pages
from colead.core.pagination import paginate, pagination_params
from colead.direction import dashboard, queries, services
from colead.direction.views.common import actor_of
from colead.lib.errors import Invalid

VIEW = Permission.OBJECTIVES_VIEW


def _crumbs(*extra) -> list[dict]:
    return [
        {"text": "Home", "href": reverse("home:home")},
        {"text": "Objectives", "href": reverse("direction:thread")},
        *extra,
    ]


def _coverage_crumb() -> dict:
    return {"text": "Coverage", "href": reverse("direction:coverage")}


@login_required
@require_GET
@require_permission(VIEW)
@pages.answers_not_found_and_refused
def coverage(request):
    """Team and staff coverage, orphans, thickets and stale objectives for the
    organisation (or ``?unit=`` a division or directorate), by division and directorate
    with drill-down, the trend, and coverage against the latest wave's goals and
    performance score (``?level=division|directorate``)."""
    context = queries.coverage_dashboard(
        actor=actor_of(request),
        organisation=request.organisation,
        unit_code=request.GET.get("unit", ""),
        level=request.GET.get("level", ""),
    )
    crumbs = _crumbs()
    if context["scope"].group is not None:
        crumbs = _crumbs(_coverage_crumb(), *context["trail"])
    context.update(
        {
            "breadcrumbs": crumbs,
            "error_list": context["errors"],
            "page_has_errors": bool(context["errors"]),
            # The quality rules page (settings_views): OD leads and organisation admins.
            "can_change_settings": services.may_change_quality_settings(
                request.user, request.organisation
            ),
        }
    )
    status = 400 if context["errors"] else 200
    return TemplateResponse(request, "direction/coverage.jinja", context, status=status)


@login_required
@require_GET
@require_permission(VIEW)
@pages.answers_not_found_and_refused
def coverage_list(request, kind):
    """The orphan or stale objectives, thicket units or uncovered teams behind a figure,
    for the organisation or ``?unit=`` a division or directorate, 100 a page."""
    try:
        context = queries.coverage_list(
            actor=actor_of(request),
            organisation=request.organisation,
            kind=kind,
            unit_code=request.GET.get("unit", ""),
        )
    except Invalid as error:
        context = {
            "kind": kind,
            "title": dashboard.LIST_KINDS[kind],
            "scope": None,
            "items": [],
            "error_list": [
                {"text": text, "href": "#coverage-link"} for text in error.errors.values()
            ],
            "page_has_errors": True,
            "breadcrumbs": _crumbs(_coverage_crumb()),
        }
        return TemplateResponse(request, "direction/coverage_list.jinja", context, status=400)
    page = paginate(request, context["items"], dashboard.PER_PAGE)
    scope = context["scope"]
    crumbs = [_coverage_crumb(), *context["trail"]]
    if scope.group is not None:
        crumbs.append({"text": scope.name, "href": dashboard.coverage_href(scope.code)})
    items = list(page.object_list)
    names = queries.owner_names(request.organisation, dashboard.owner_ids(items))
    context.update(
        {
            "count": len(context["items"]),
            "items": dashboard.name_owners(items, names),
            "page": page,
            "pagination": pagination_params(request, page, label=f"Pages of {kind}"),
            "breadcrumbs": _crumbs(*crumbs),
            "back_href": dashboard.coverage_href(scope.code),
        }
    )
    return TemplateResponse(request, "direction/coverage_list.jinja", context)
