"""accounts' published reads: the audit log (its list page and CSV export), a user's own
profile and their roles by organisation.

The log is organisation-wide, so reading it needs AUDIT_VIEW over the whole organisation
(the system may read it); anything less is ``Refused``. Each read is itself audited, once
(``audit.view``, ``audit.export``), with the filters it used.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from colead.accounts.models import RoleAssignment
from colead.accounts.permissions import has_permission
from colead.accounts.roles import Permission, Role
from colead.audit.models import AuditEvent
from colead.audit.services import record
from colead.core.actor import Actor
from colead.lib.errors import Refused


def _may_read(actor: Actor, organisation) -> None:
    if actor.is_system:
        return
    if not has_permission(actor.user, Permission.AUDIT_VIEW, organisation=organisation):
        raise Refused(
            f"You may not read {organisation.code}'s audit log: it needs the audit role over "
            "the whole organisation."
        )


def actions_in(organisation) -> list[str]:
    """Every action the organisation's log holds, for the filter."""
    return list(
        AuditEvent.objects.for_org(organisation)
        .order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _filtered(organisation, filters: dict) -> QuerySet:
    """The organisation's events, newest first, narrowed by the filters given: ``action``,
    ``actor`` (part of the label or of the user's name), ``date_from`` and ``date_to`` (dates, inclusive)."""
    events = (
        AuditEvent.objects.for_org(organisation)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
    if filters.get("action"):
        events = events.filter(action=filters["action"])
    if filters.get("actor"):
        wanted = filters["actor"].strip()
        events = events.filter(
            Q(actor_label__icontains=wanted) | Q(actor__full_name__icontains=wanted)
        )
    if filters.get("date_from"):
        events = events.filter(created_at__gte=_start_of(filters["date_from"]))
    if filters.get("date_to"):
        events = events.filter(created_at__lt=_start_of(filters["date_to"] + timedelta(days=1)))
    return events


def used_filters(filters: dict) -> dict[str, str]:
    """The filters in use, as text (dates as ISO), for the audit event of a read."""
    return {
        name: value.isoformat() if hasattr(value, "isoformat") else str(value)
        for name, value in filters.items()
        if value
    }


def audit_log(actor: Actor, organisation, filters: dict, *, page: str = "1") -> QuerySet:
    """The log for the list page, audited as ``audit.view`` with the filters and page."""
    _may_read(actor, organisation)
    record(
        action="audit.view",
        actor=actor,
        organisation=organisation,
        detail={"filters": used_filters(filters), "page": page},
    )
    return _filtered(organisation, filters)


def audit_export(actor: Actor, organisation, filters: dict) -> QuerySet:
    """The log for the CSV export, audited as ``audit.export`` with the filters."""
    _may_read(actor, organisation)
    record(
        action="audit.export",
        actor=actor,
        organisation=organisation,
        detail={"filters": used_filters(filters)},
    )
    return _filtered(organisation, filters)


@dataclass
class Profile:
    """A signed-in user's own roles and staff records, with the protected characteristics
    recorded for each record (by person id)."""

    assignments: list
    people: list
    protected: dict[int, dict[str, str]]


def own_profile(actor: Actor) -> Profile:
    """The actor's roles in every organisation and their own staff records. Showing a
    record's protected characteristics is audited as ``person.view_protected``, as on the
    person's page."""
    if actor.user is None:
        raise Refused("Sign in to see your profile.")
    assignments = list(
        actor.user.role_assignments.select_related(
            "organisation", "unit", "person__primary_unit", "person__line_manager"
        ).order_by("organisation__name", "role")
    )
    people = []
    for assignment in assignments:
        if assignment.person_id and assignment.person not in people:
            people.append(assignment.person)
    protected = {}
    for person in people:
        characteristics = getattr(person, "protected", None)
        if characteristics is not None:
            protected[person.pk] = characteristics.as_dict()
            record(
                action="person.view_protected",
                actor=actor,
                organisation=person.organisation,
                obj=person,
                detail={"own_record": True},
            )
    return Profile(assignments, people, protected)


def roles_by_organisation(user, organisation=None) -> list[dict]:
    """The user's organisations (or just ``organisation``) with their roles there, in one
    query: the API's "who am I" and its list of organisations."""
    assignments = RoleAssignment.objects.filter(user=user).select_related(
        "organisation", "unit", "person"
    )
    if organisation is not None:
        assignments = assignments.filter(organisation=organisation)
    by_org: dict[int, dict] = {}
    for assignment in assignments.order_by("organisation__name", "role", "unit__path"):
        org = assignment.organisation
        entry = by_org.setdefault(
            org.pk,
            {
                "code": org.code,
                "name": org.name,
                "sector": org.sector,
                "roles": [],
                "employee_number": None,
            },
        )
        entry["roles"].append(
            {
                "role": assignment.role,
                "name": Role(assignment.role).label,
                "unit_code": assignment.unit.code if assignment.unit_id else None,
            }
        )
        if assignment.person_id and entry["employee_number"] is None:
            entry["employee_number"] = assignment.person.employee_number
    return list(by_org.values())
