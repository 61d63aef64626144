"""The direction pages: the golden thread, "my objectives", a unit's objectives and one
objective. Everything is limited to what the user may see (direction/access.py); every
lookup goes through the current organisation, so another organisation's code is simply not
found (404). Data is shaped in ``presenters``."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from colead.accounts.permissions import has_permission, own_person_ids, require_permission
from colead.accounts.roles import Permission
from colead.direction import access, presenters, services
from colead.direction.models import Act, Confidence, ObjectiveStatus
from colead.direction.services import DirectionError, NotAllowed
from colead.direction.views.common import crumbs, thread_crumb, visible_objective
from colead.org.models import Unit


@login_required
@require_GET
@require_permission(Permission.ORG_VIEW)
def thread(request):
    """The golden thread: the vision, then the organisation's objectives with everything
    that serves them, as far as the user may see; ``?q=`` finds objectives."""
    query = request.GET.get("q", "").strip()[:100]
    context = presenters.golden_thread(request.user, request.organisation, query=query)
    context.update({"query": query, "breadcrumbs": crumbs()})
    # The coverage dashboard is for those who see every objective (coverage_views).
    context["can_see_coverage"] = has_permission(
        request.user, Permission.OBJECTIVES_VIEW, organisation=request.organisation
    )
    return TemplateResponse(request, "direction/thread.jinja", context)


@login_required
@require_GET
@require_permission(Permission.ORG_VIEW)
def mine(request):
    """My objectives and how they connect to the vision."""
    context = presenters.my_objectives(request.user, request.organisation)
    context["breadcrumbs"] = crumbs(thread_crumb())
    return TemplateResponse(request, "direction/mine.jinja", context)


@login_required
@require_GET
@require_permission(Permission.ORG_VIEW)
def unit_objectives(request, code):
    """A unit's objectives and their progress: for those who may see the unit's objectives,
    and for its own staff and the staff of the units below it."""
    organisation = request.organisation
    unit = Unit.objects.for_org(organisation).filter(code=code).first()
    if unit is None:
        raise Http404("No such unit.")
    own_paths = access.own_unit_paths(own_person_ids(request.user, organisation))
    in_thread = any(path.startswith(unit.path) for path in own_paths)
    if not (in_thread or has_permission(request.user, Permission.OBJECTIVES_VIEW, unit)):
        raise PermissionDenied
    context = presenters.unit_page(request.user, unit)
    context["breadcrumbs"] = crumbs(thread_crumb())
    context["can_add_objective"] = access.can_manage_unit(request.user, unit)  # edit_views
    return TemplateResponse(request, "direction/unit.jinja", context)


# Where each form's fields are, for the error summary's links.
FIELD_IDS = {
    "act": "act",
    "comment": "act-comment",
    "date": "check-in-date-day",
    "value": "check-in-value",
    "confidence": "check-in-confidence",
    "check_in_comment": "check-in-comment",
}


def _render_objective(request, objective, *, errors=None, posted=None, status=200):
    errors = errors or {}
    today = timezone.localdate()
    context = presenters.objective_page(request.user, objective)
    user = request.user
    context.update(
        {
            "breadcrumbs": crumbs(thread_crumb()),
            "can_propose": objective.status == ObjectiveStatus.DRAFT
            and access.can_edit(user, objective),
            "can_agree": objective.status == ObjectiveStatus.PROPOSED
            and access.can_agree(user, objective),
            "can_check_in": objective.status != ObjectiveStatus.DROPPED
            and access.can_edit(user, objective),
            "can_edit": access.can_edit(user, objective),  # the edit form (edit_views)
            "errors": errors,
            "error_list": [
                {"text": message, "href": f"#{FIELD_IDS.get(name, name)}"}
                for name, message in errors.items()
            ],
            "page_has_errors": bool(errors),
            "posted": posted or {},
            "today": {"day": today.day, "month": today.month, "year": today.year},
            "confidence_choices": Confidence.choices,
        }
    )
    return TemplateResponse(request, "direction/objective.jinja", context, status=status)


@login_required
@require_GET
@require_permission(Permission.ORG_VIEW)
def objective_detail(request, code):
    """One objective: its measure, quality checks, thread, parents and children, progress,
    check-ins and the acts of agreement, with the forms to propose, agree, ask for changes
    and check in for those who may."""
    return _render_objective(request, visible_objective(request, code))


@login_required
@require_GET
@require_permission(Permission.ORG_VIEW)
def objective_branch(request, code):
    """Everything below one objective. The golden thread loads the individual objectives it
    folds away from here (``?folded=1``, as a fragment for htmx); without script the link
    opens the whole branch as a page."""
    objective = visible_objective(request, code)
    folded = request.GET.get("folded") == "1"
    context = presenters.branch(request.user, objective, folded_only=folded)
    if request.headers.get("HX-Request") == "true":
        return TemplateResponse(request, "direction/_branch.jinja", context)
    context["breadcrumbs"] = crumbs(thread_crumb())
    return TemplateResponse(request, "direction/branch.jinja", context)


@login_required
@require_POST
@require_permission(Permission.ORG_VIEW)
def objective_act(request, code):
    """Propose, agree or ask for changes (colead.direction.services.record_act)."""
    objective = visible_objective(request, code)
    act = request.POST.get("act", "")
    comment = request.POST.get("comment", "")
    errors = {}
    if act not in Act.values:
        errors["act"] = "Choose whether to propose, agree or ask for changes."
    else:
        try:
            services.record_act(
                objective=objective, act=act, comment=comment, actor=request.user, request=request
            )
        except NotAllowed:
            raise PermissionDenied from None
        except DirectionError as error:
            errors = error.errors or {"act": str(error)}
    if errors:
        posted = {"act": act, "comment": comment}
        return _render_objective(request, objective, errors=errors, posted=posted)
    done = {
        "proposed": "Proposed for agreement.",
        "agreed": "Agreed.",
        "changes_requested": "Changes asked for: it is back in draft.",
    }
    messages.success(request, done[act])
    return redirect("direction:objective", objective.code)


def _posted_date(post) -> date | None:
    try:
        return date(int(post.get("year", "")), int(post.get("month", "")), int(post.get("day", "")))
    except (TypeError, ValueError):
        return None


@login_required
@require_POST
@require_permission(Permission.ORG_VIEW)
def objective_check_in(request, code):
    """Record progress (colead.direction.services.check_in)."""
    objective = visible_objective(request, code)
    post = request.POST
    posted = {
        "day": post.get("day", ""),
        "month": post.get("month", ""),
        "year": post.get("year", ""),
        "value": post.get("value", "").strip(),
        "confidence": post.get("confidence", ""),
        "check_in_comment": post.get("comment", ""),
    }
    errors = {}
    on = _posted_date(post)
    if on is None:
        errors["date"] = "Enter the date of the check-in, for example 14 3 2026."
    value = None
    if posted["value"]:
        try:
            value = float(posted["value"].replace(",", ""))
        except ValueError:
            errors["value"] = "Enter the value as a number, like 85 or 12.5."
    if not errors:
        try:
            services.check_in(
                objective=objective,
                on=on,
                value=value,
                confidence=posted["confidence"],
                comment=posted["check_in_comment"],
                actor=request.user,
                request=request,
            )
        except NotAllowed:
            raise PermissionDenied from None
        except DirectionError as error:
            errors = {
                ("check_in_comment" if name == "comment" else name): message
                for name, message in (error.errors or {"value": str(error)}).items()
            }
    if errors:
        return _render_objective(request, objective, errors=errors, posted=posted)
    messages.success(request, "Check-in recorded.")
    return redirect("direction:objective", objective.code)
