"""People: work details only, limited to where the caller holds ``PERSON_VIEW``.

Reading people is sensitive: every successful read is written to the audit log by
``org.queries`` (``people.list``, ``person.view``: the person page's action too) with the
caller and their IP address.
Protected characteristics are never read here, let alone returned.
"""

from ninja import Query, Router

from colead.accounts.roles import Permission
from colead.api.access import access, requires
from colead.api.schemas import (
    ERRORS,
    ERRORS_AND_VALIDATION,
    EmployeeNumber,
    OrgCode,
    PeoplePageOut,
    PeopleQuery,
    PersonOut,
)
from colead.core.actor import Actor
from colead.org import queries
from colead.org.models import Person

router = Router(tags=["People"])


def _person_row(person: Person) -> dict:
    return {
        "employee_number": person.employee_number,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "unit_code": person.primary_unit.code,
        "staff_group": person.staff_group_name,
        "band": person.band_name,
        "job_title": person.job_title,
        "line_manager": person.line_manager.employee_number if person.line_manager_id else None,
        "start_date": person.start_date,
        "leaving_date": person.leaving_date,
        "is_leader": person.is_leader,
    }


@router.get(
    "/organisations/{org_code}/people",
    response={200: PeoplePageOut, **ERRORS_AND_VALIDATION},
    summary="List people",
    operation_id="list_people",
)
@requires(Permission.PERSON_VIEW)
def list_people(request, org_code: OrgCode, filters: Query[PeopleQuery]):
    """Current staff the caller may see, sorted by last then first name, a page at a time.

    A caller who may see people only in some units (a manager) gets those units' staff.
    Filtering on a `unit` outside what the caller may see is refused (403); an unknown
    unit, staff group or band is a 422 naming the field. Audited as `people.list`."""
    wanted = queries.PeopleFilters(
        **filters.model_dump(
            include={"unit", "staff_group", "band", "leaders_only", "include_leavers"}
        )
    )
    page = queries.people(
        Actor.from_request(request, source="api"),
        access(request).organisation,
        wanted,
        offset=filters.offset,
        limit=filters.limit,
        via=_via(request),
    )
    return {
        "count": page.count,
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [_person_row(person) for person in page.people],
    }


@router.get(
    "/organisations/{org_code}/people/{employee_number}",
    response={200: PersonOut, **ERRORS},
    summary="Get a person",
    operation_id="get_person",
)
@requires(Permission.PERSON_VIEW, check_in_view=True)
def get_person(request, org_code: OrgCode, employee_number: EmployeeNumber):
    """One person's work details (leavers too): for callers who may see people in the
    person's unit, and for the person themselves. Audited as `person.view`, as the
    person's page is."""
    person = queries.person(
        Actor.from_request(request, source="api"),
        access(request).organisation,
        employee_number,
        via=_via(request),
    )
    return _person_row(person)


def _via(request) -> str:
    token = getattr(request, "api_token", None)
    return f"token:{token.pk}" if token is not None else "session"
