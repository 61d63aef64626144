"""The organisation structure browser: the tree, a unit's page and a person's page.

The reads are ``org.queries`` (the API's too): a code from another organisation is simply
not found (404), a unit or person outside the user's roles is refused (403), and reading a
person is audited there. Data is shaped in ``presenters``."""

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from colead.accounts.permissions import require_permission
from colead.accounts.roles import Permission
from colead.core import pages
from colead.core.actor import Actor
from colead.core.pagination import pagination_params
from colead.org import presenters, queries


@login_required
@require_GET
@require_permission(Permission.ORG_VIEW)
@pages.answers_not_found_and_refused
def tree(request):
    """The units the user may see, as a tree; ``?q=`` finds units by name or code."""
    query = request.GET.get("q", "").strip()[:100]
    listing = queries.units(Actor.from_request(request), request.organisation)
    context = presenters.structure_tree(listing, query)
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
@pages.answers_not_found_and_refused
def unit_detail(request, code):
    """A unit: where it sits, its headcount by staff group and band, its subunits and
    leaders, and (with PERSON_VIEW on it) the people whose primary unit it is."""
    page = queries.unit_page(
        Actor.from_request(request),
        request.organisation,
        code,
        people_page=request.GET.get("page"),
    )
    context = presenters.unit_page(page)
    if page.people is not None:
        context["people"] = presenters.person_rows(page.people.object_list)
        context["people_pagination"] = pagination_params(
            request, page.people, fragment="people", label="Pages of people"
        )
    context.update({"can_view_people": page.people is not None, "people_page": page.people})
    return TemplateResponse(request, "org/unit.jinja", context)


@login_required
@require_GET
@require_permission(Permission.ORG_VIEW)
@pages.answers_not_found_and_refused
def person_detail(request, employee_number):
    """A person's work record: open to those with PERSON_VIEW on their primary unit and to
    the person themselves. Protected characteristics only for them and organisation admins.
    Both the page and the protected characteristics are audited."""
    page = queries.person_page(Actor.from_request(request), request.organisation, employee_number)
    return TemplateResponse(request, "org/person.jinja", presenters.person_page(page))
