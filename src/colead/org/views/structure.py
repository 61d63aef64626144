"""The organisation structure browser: the tree, a unit's page and a person's page.

Every lookup goes through the current organisation's querysets, so a code from another
organisation is simply not found (404). Data is shaped in ``presenters``."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from colead.accounts.models import RoleAssignment
from colead.accounts.permissions import (
    has_permission,
    permitted_scopes,
    require_permission,
    roles_in,
)
from colead.accounts.roles import Permission, Role
from colead.audit.services import record
from colead.core.pagination import paginate, pagination_params
from colead.org import presenters
from colead.org.models import Person, ProtectedCharacteristics, Unit


def _unit_or_404(request, code: str) -> Unit:
    unit = Unit.objects.for_org(request.organisation).filter(code=code).first()
    if unit is None:
        raise Http404("No such unit.")
    return unit


@login_required
@require_GET
@require_permission(Permission.ORG_VIEW)
def tree(request):
    """The units the user may see, as a tree; ``?q=`` finds units by name or code."""
    query = request.GET.get("q", "").strip()[:100]
    scopes = permitted_scopes(request.user, Permission.ORG_VIEW, request.organisation)
    context = presenters.structure_tree(request.organisation, scopes, query)
    context.update(
        {
            "query": query,
            "breadcrumbs": [{"text": "Home", "href": reverse("home:home")}],
        }
    )
    return TemplateResponse(request, "org/tree.jinja", context)


@login_required
@require_GET
@require_permission(Permission.ORG_VIEW)
def unit_detail(request, code):
    """A unit: where it sits, its headcount by staff group and band, its subunits and
    leaders, and (with PERSON_VIEW on it) the people whose primary unit it is."""
    unit = _unit_or_404(request, code)
    if not has_permission(request.user, Permission.ORG_VIEW, unit):
        raise PermissionDenied
    ancestors = list(
        Unit.objects.for_org(request.organisation)
        .filter(pk__in=unit.ancestor_ids())
        .exclude(pk=unit.pk)
        .order_by("depth")
    )
    children = list(
        Unit.objects.for_org(request.organisation).filter(parent=unit).order_by("name", "code")
    )
    context = presenters.unit_page(request.user, unit, ancestors, children)
    can_view_people = has_permission(request.user, Permission.PERSON_VIEW, unit)
    people_page = None
    if can_view_people:
        people_page = paginate(request, presenters.unit_people(unit), presenters.PEOPLE_PER_PAGE)
        context["people"] = presenters.person_rows(people_page.object_list)
        context["people_pagination"] = pagination_params(
            request, people_page, fragment="people", label="Pages of people"
        )
    context.update({"can_view_people": can_view_people, "people_page": people_page})
    return TemplateResponse(request, "org/unit.jinja", context)


@login_required
@require_GET
@require_permission(Permission.ORG_VIEW)
def person_detail(request, employee_number):
    """A person's work record: open to those with PERSON_VIEW on their primary unit and to
    the person themselves. Protected characteristics only for them and organisation admins.
    Both the page and the protected characteristics are audited."""
    organisation = request.organisation
    person = (
        Person.objects.for_org(organisation)
        .select_related("primary_unit", "line_manager__primary_unit")
        .filter(employee_number=employee_number)
        .first()
    )
    if person is None:
        raise Http404("No such person.")
    is_self = RoleAssignment.objects.filter(
        user=request.user, organisation=organisation, person=person
    ).exists()
    if not (is_self or has_permission(request.user, Permission.PERSON_VIEW, person.primary_unit)):
        raise PermissionDenied
    record(
        action="person.view",
        actor=request.user,
        organisation=organisation,
        obj=person,
        request=request,
    )
    context = presenters.person_page(request.user, person)
    shows_protected = is_self or Role.ORG_ADMIN in roles_in(request.user, organisation)
    if shows_protected:
        characteristics = ProtectedCharacteristics.objects.filter(person=person).first()
        context["protected_rows"] = presenters.protected_rows(characteristics)
        record(
            action="person.view_protected",
            actor=request.user,
            organisation=organisation,
            obj=person,
            request=request,
            detail={"own_record": is_self, "recorded": characteristics is not None},
        )
    context.update({"is_self": is_self, "shows_protected": shows_protected})
    return TemplateResponse(request, "org/person.jinja", context)
