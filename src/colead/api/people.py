"""People: work details only, limited to where the caller holds ``PERSON_VIEW``.

Reading people is sensitive: every successful read is written to the audit log
(``api.people.list``, ``api.person.view``) with the caller and their IP address.
Protected characteristics are never read here, let alone returned.
"""

from ninja import Query, Router

from colead.accounts.models import RoleAssignment
from colead.accounts.roles import Permission
from colead.api.access import access, clean_code, requires
from colead.api.schemas import (
    ERRORS,
    ERRORS_AND_VALIDATION,
    EmployeeNumber,
    OrgCode,
    PeoplePageOut,
    PeopleQuery,
    PersonOut,
)
from colead.audit.services import record
from colead.core.actor import Actor
from colead.core.errors import Invalid, NotFound, Refused
from colead.org.models import Person, Unit

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


PERSON_FIELDS = (
    "employee_number",
    "first_name",
    "last_name",
    "email",
    "staff_group",
    "band",
    "job_title",
    "start_date",
    "leaving_date",
    "is_leader",
    "organisation_id",
    "primary_unit__code",
    "primary_unit__path",
    "primary_unit__organisation_id",
    "line_manager__employee_number",
)


def _people(organisation):
    return (
        Person.objects.for_org(organisation)
        .select_related("primary_unit", "line_manager")
        .only(*PERSON_FIELDS)
    )


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
    unit, staff group or band is a 422 naming the field. Audited as `api.people.list`."""
    granted = access(request)
    organisation = granted.organisation
    people = _people(organisation).filter(granted.unit_q("primary_unit__"))
    if filters.unit is not None:
        unit = None
        if "\x00" not in filters.unit:
            unit = Unit.objects.for_org(organisation).filter(code=filters.unit).first()
        if unit is None:
            raise Invalid({"unit": f"Unknown unit {filters.unit!r}."}, source="query")
        if not granted.allows(unit):
            raise Refused("You may not see the people in that unit.")
        people = people.filter(primary_unit__path__startswith=unit.path)
    if filters.staff_group is not None:
        people = people.filter(staff_group=filters.staff_group)
    if filters.band is not None:
        people = people.filter(band=filters.band)
    if filters.leaders_only:
        people = people.filter(is_leader=True)
    if not filters.include_leavers:
        people = people.current()
    people = people.order_by("last_name", "first_name", "employee_number")
    count = people.count()
    page = [_person_row(p) for p in people[filters.offset : filters.offset + filters.limit]]
    record(
        action="api.people.list",
        actor=Actor.from_request(request, source="api"),
        organisation=organisation,
        object_type="org.person",
        detail={
            "filters": filters.model_dump(exclude={"limit", "offset"}, exclude_defaults=True),
            "limit": filters.limit,
            "offset": filters.offset,
            "count": count,
            "returned": [row["employee_number"] for row in page],
            "via": _via(request),
        },
    )
    return {"count": count, "limit": filters.limit, "offset": filters.offset, "items": page}


@router.get(
    "/organisations/{org_code}/people/{employee_number}",
    response={200: PersonOut, **ERRORS},
    summary="Get a person",
    operation_id="get_person",
)
@requires(Permission.PERSON_VIEW, check_in_view=True)
def get_person(request, org_code: OrgCode, employee_number: EmployeeNumber):
    """One person's work details (leavers too): for callers who may see people in the
    person's unit, and for the person themselves. Audited as `api.person.view`."""
    granted = access(request)
    organisation = granted.organisation
    person = _people(organisation).filter(employee_number=clean_code(employee_number, 30)).first()
    if person is None:
        raise NotFound(
            f"No person with employee number {employee_number!r} in {organisation.code}."
        )
    own_record = False
    if not granted.allows(person.primary_unit):
        own_record = RoleAssignment.objects.filter(
            user=granted.user, organisation=organisation, person=person
        ).exists()
        if not own_record:
            raise Refused("You may not see this person: your roles cover other units.")
    record(
        action="api.person.view",
        actor=Actor.from_request(request, source="api"),
        organisation=organisation,
        obj=person,
        detail={"own_record": own_record, "via": _via(request)},
    )
    return _person_row(person)


def _via(request) -> str:
    token = getattr(request, "api_token", None)
    return f"token:{token.pk}" if token is not None else "session"
