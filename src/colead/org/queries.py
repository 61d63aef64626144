"""The organisation's published reads: its structure and its people, one function per read.

The pages (org/views, the home page) and the API (api/organisations, units, people) call
the same function for the same read, so they cannot drift apart. Each function:

* looks up through the organisation's querysets: a code from another organisation, or one
  that could not be stored (too long, a NUL), is simply not found (``NotFound``);
* decides what the actor may see from their roles (``Refused`` when they may see none of
  it); the system (``actor.is_system``: a command) sees everything;
* audits a read of people once, under one action whoever asks (``person.view``,
  ``person.view_protected``, ``people.list``).

Each read runs a fixed number of queries whatever the size of the trust. Shaping for the
templates is left to ``presenters``, for the API to its schemas.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q

from colead.accounts.models import RoleAssignment
from colead.accounts.permissions import own_person_ids, permitted_scopes, roles_in
from colead.accounts.roles import Permission, Role
from colead.audit.services import record
from colead.core.actor import Actor
from colead.lib.errors import Invalid, NotFound, Refused
from colead.lib.tree import outermost, within_any
from colead.org.models import (
    LeadershipPost,
    Organisation,
    Person,
    PersonChange,
    ProtectedCharacteristics,
    Unit,
)
from colead.org.summary import home_summary, organisation_summary

UNIT_CODE_LENGTH = 40
EMPLOYEE_NUMBER_LENGTH = 30
HISTORY_SHOWN = 100  # a person's latest changes
PEOPLE_PER_PAGE = 50  # on a unit's page


# --- What the actor may see ----------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Where the actor holds one permission in an organisation: everywhere, or in the
    subtrees at ``paths`` (outermost only)."""

    everywhere: bool
    paths: tuple[str, ...] = ()

    @classmethod
    def of(cls, actor: Actor, permission: Permission, organisation: Organisation) -> "Scope":
        if actor.is_system:
            return cls(everywhere=True)
        scopes = permitted_scopes(actor.user, permission, organisation)
        if scopes == [None]:
            return cls(everywhere=True)
        return cls(everywhere=False, paths=tuple(outermost(unit.path for unit in scopes)))

    @property
    def empty(self) -> bool:
        return not self.everywhere and not self.paths

    def covers(self, unit: Unit) -> bool:
        return self.everywhere or within_any(unit.path, self.paths)

    def q(self, prefix: str = "") -> Q:
        """Units (``prefix=""``) or rows with a unit (``"primary_unit__"``) in the scope."""
        if self.everywhere:
            return Q()
        query = Q(pk__in=[])
        for path in self.paths:
            query |= Q(**{f"{prefix}path__startswith": path})
        return query


@dataclass(frozen=True)
class Sight:
    """What the actor may open: units (ORG_VIEW), people (PERSON_VIEW), and their own
    staff records. Presenters ask it which links to draw."""

    units: Scope
    people: Scope
    own_people: frozenset[int] = frozenset()

    def sees_unit(self, unit: Unit) -> bool:
        return self.units.covers(unit)

    def sees_person(self, person: Person | None) -> bool:
        if person is None:
            return False
        return person.pk in self.own_people or self.people.covers(person.primary_unit)


def sight(actor: Actor, organisation: Organisation) -> Sight:
    return Sight(
        units=Scope.of(actor, Permission.ORG_VIEW, organisation),
        people=Scope.of(actor, Permission.PERSON_VIEW, organisation),
        own_people=frozenset(own_person_ids(actor.user, organisation)),
    )


def _scope_or_refuse(actor, permission, organisation, what: str) -> Scope:
    scope = Scope.of(actor, permission, organisation)
    if scope.empty:
        raise Refused(f"You may not see {what} in {organisation.code}: your roles do not cover it.")
    return scope


def _storable(code: str, max_length: int) -> bool:
    """Whether a code from a URL could be stored at all: one that could not (too long, a
    NUL, which PostgreSQL refuses) is simply not found, without asking the database."""
    return bool(code) and len(code) <= max_length and "\x00" not in code


# --- Units ---------------------------------------------------------------------------------


@dataclass
class UnitListing:
    """Units in path order (parents before children), with current staff by primary unit
    (``direct``) and in each unit and below it, within the listing (``totals``)."""

    units: list[Unit]
    direct: Counter
    totals: Counter = field(default_factory=Counter)

    def __post_init__(self):
        by_id = {unit.pk: unit for unit in self.units}
        for unit_id, count in self.direct.items():
            unit = by_id.get(unit_id)
            if unit is None:
                continue
            for ancestor_id in unit.ancestor_ids():
                if ancestor_id in by_id:
                    self.totals[ancestor_id] += count


UNIT_FIELDS = ("id", "code", "name", "level", "site", "parent_id", "path", "depth", "is_active")


def _headcounts(organisation, people_filter: Q) -> Counter:
    rows = (
        Person.objects.for_org(organisation)
        .current()
        .filter(people_filter)
        .order_by()
        .values("primary_unit_id")
        .annotate(n=Count("id"))
        .values_list("primary_unit_id", "n")
    )
    return Counter(dict(rows))


def units(actor: Actor, organisation: Organisation) -> UnitListing:
    """Every unit the actor may see (ORG_VIEW), with headcounts: the structure page's tree
    and the API's unit list and tree. Two queries."""
    scope = _scope_or_refuse(actor, Permission.ORG_VIEW, organisation, "the structure")
    listing = list(
        Unit.objects.for_org(organisation).filter(scope.q()).only(*UNIT_FIELDS).order_by("path")
    )
    return UnitListing(listing, _headcounts(organisation, scope.q("primary_unit__")))


def unit(actor: Actor, organisation: Organisation, code: str) -> Unit:
    """One unit by its code, if the actor may see it (ORG_VIEW on it), with its parent."""
    found = None
    if _storable(code, UNIT_CODE_LENGTH):
        found = (
            Unit.objects.for_org(organisation).filter(code=code).select_related("parent").first()
        )
    if found is None:
        raise NotFound(f"No unit {code!r} in {organisation.code}.")
    if not Scope.of(actor, Permission.ORG_VIEW, organisation).covers(found):
        raise Refused(f"You may not see unit {code!r}: your roles cover other units.")
    return found


def subtree(actor: Actor, organisation: Organisation, code: str) -> UnitListing:
    """A unit and every unit below it, with headcounts (the first is the unit, with its
    parent)."""
    top = unit(actor, organisation, code)
    below = Unit.objects.subtree(top).exclude(pk=top.pk).only(*UNIT_FIELDS).order_by("path")
    return UnitListing([top, *below], _headcounts(organisation, _under(top)))


def _under(unit_: Unit) -> Q:
    return Q(primary_unit__path__startswith=unit_.path)


def visible_parent(actor: Actor, organisation: Organisation, unit_: Unit) -> Unit | None:
    """The unit's parent (loaded with it by ``unit``), if the actor may see it too."""
    parent = unit_.parent if unit_.parent_id else None
    if parent is not None and Scope.of(actor, Permission.ORG_VIEW, organisation).covers(parent):
        return parent
    return None


def unit_headcount(unit_: Unit) -> dict[str, int]:
    """Current staff in the unit and below it (``total``) and whose primary unit it is."""
    return (
        Person.objects.in_subtree(unit_)
        .current()
        .aggregate(total=Count("id"), direct=Count("id", filter=Q(primary_unit=unit_)))
    )


@dataclass
class UnitPage:
    """Everything on a unit's page. ``staff_by_group_and_band`` counts the subtree's current
    staff; ``staff_by_path`` by primary unit path (for the subunits' headcounts);
    ``people`` (a page of the unit's own staff) is None when the actor may not see them."""

    unit: Unit
    sight: Sight
    ancestors: list[Unit]
    children: list[Unit]
    staff_by_group_and_band: list[tuple[str, str, int]]
    staff_by_path: list[tuple[str, int]]
    leaders: list[Person]
    posts: list[LeadershipPost]
    people: Page | None


def unit_page(
    actor: Actor, organisation: Organisation, code: str, *, people_page: str | None = None
) -> UnitPage:
    """A unit's page. With PERSON_VIEW on the unit, also a page of the people whose primary
    unit it is (``people_page``: a missing or wrong number gives the nearest page), audited
    as ``people.list`` as the API's listing is."""
    found = unit(actor, organisation, code)
    seen = sight(actor, organisation)
    units_ = Unit.objects.for_org(organisation)
    current = Person.objects.in_subtree(found).current().order_by()
    near = Q(primary_unit=found) | Q(primary_unit__parent=found)
    people = None
    if seen.people.covers(found):
        people = _people_of_unit(actor, organisation, found, people_page)
    return UnitPage(
        unit=found,
        sight=seen,
        ancestors=list(
            units_.filter(pk__in=found.ancestor_ids()).exclude(pk=found.pk).order_by("depth")
        ),
        children=list(units_.filter(parent=found).order_by("name", "code")),
        staff_by_group_and_band=list(
            current.values_list("staff_group", "band")
            .annotate(n=Count("id"))
            .values_list("staff_group", "band", "n")
        ),
        staff_by_path=list(
            current.values_list("primary_unit__path")
            .annotate(n=Count("id"))
            .values_list("primary_unit__path", "n")
        ),
        leaders=list(
            Person.objects.for_org(organisation)
            .current()
            .filter(near, is_leader=True)
            .select_related("primary_unit")
            .order_by("last_name", "first_name", "pk")
        ),
        posts=list(
            LeadershipPost.objects.for_org(organisation)
            .filter(Q(unit=found) | Q(unit__parent=found))
            .select_related("unit", "holder__primary_unit")
            .order_by("unit__path", "title", "pk")
        ),
        people=people,
    )


def _people_of_unit(actor: Actor, organisation, found: Unit, number: str | None) -> Page:
    staff = (
        Person.objects.for_org(organisation)
        .current()
        .filter(primary_unit=found)
        .order_by("last_name", "first_name", "pk")
    )
    page = Paginator(staff, PEOPLE_PER_PAGE).get_page(number)
    record(
        action="people.list",
        actor=actor,
        organisation=organisation,
        object_type="org.person",
        detail={
            "filters": {"primary_unit": found.code},
            "page": page.number,
            "count": page.paginator.count,
            "returned": [person.employee_number for person in page.object_list],
            "source": actor.source,
        },
    )
    return page


# --- People --------------------------------------------------------------------------------


def person(
    actor: Actor, organisation: Organisation, employee_number: str, *, via: str = ""
) -> Person:
    """One person's work record (leavers too), for those who may see people in their
    primary unit and for the person themselves. Audited once as ``person.view``, whether
    the page or the API asks (``via`` says how an API caller signed in)."""
    found = None
    if _storable(employee_number, EMPLOYEE_NUMBER_LENGTH):
        found = (
            Person.objects.for_org(organisation)
            .select_related("primary_unit", "line_manager__primary_unit")
            .filter(employee_number=employee_number)
            .first()
        )
    if found is None:
        raise NotFound(
            f"No person with employee number {employee_number!r} in {organisation.code}."
        )
    seen = sight(actor, organisation)
    own_record = found.pk in seen.own_people
    if not (own_record or seen.people.covers(found.primary_unit)):
        raise Refused("You may not see this person: your roles cover other units.")
    detail = {"own_record": own_record, "source": actor.source}
    if via:
        detail["via"] = via
    record(action="person.view", actor=actor, organisation=organisation, obj=found, detail=detail)
    return found


@dataclass
class PersonPage:
    """A person's page: their record, reports, teams, posts and history; their protected
    characteristics only for themselves and organisation admins (``shows_protected``)."""

    person: Person
    sight: Sight
    is_self: bool
    reports: list[Person]
    memberships: list
    posts: list[LeadershipPost]
    history: list[PersonChange]
    shows_protected: bool = False
    protected: ProtectedCharacteristics | None = None


def person_page(actor: Actor, organisation: Organisation, employee_number: str) -> PersonPage:
    """``person`` and what the page shows beside it. Showing the protected characteristics
    is audited as ``person.view_protected``."""
    found = person(actor, organisation, employee_number)
    seen = sight(actor, organisation)
    is_self = found.pk in seen.own_people
    page = PersonPage(
        person=found,
        sight=seen,
        is_self=is_self,
        reports=list(
            found.reports.current()
            .select_related("primary_unit")
            .order_by("last_name", "first_name", "pk")
        ),
        memberships=list(
            found.memberships.select_related("unit").order_by("unit__name", "unit__code")
        ),
        posts=list(found.posts.select_related("unit").order_by("unit__path", "title")),
        history=list(
            PersonChange.objects.filter(person=found).select_related("import_run")[:HISTORY_SHOWN]
        ),
    )
    if is_self or Role.ORG_ADMIN in roles_in(actor.user, organisation):
        page.shows_protected = True
        page.protected = ProtectedCharacteristics.objects.filter(person=found).first()
        record(
            action="person.view_protected",
            actor=actor,
            organisation=organisation,
            obj=found,
            detail={"own_record": is_self, "recorded": page.protected is not None},
        )
    return page


PERSON_LIST_FIELDS = (
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


@dataclass
class PeopleFilters:
    unit: str | None = None
    staff_group: str | None = None
    band: str | None = None
    leaders_only: bool = False
    include_leavers: bool = False

    def used(self) -> dict:
        """The filters given, for the audit."""
        return {name: value for name, value in vars(self).items() if value not in (None, False)}


@dataclass
class PeoplePage:
    count: int
    people: list[Person]


def people(
    actor: Actor,
    organisation: Organisation,
    filters: PeopleFilters,
    *,
    offset: int,
    limit: int,
    via: str = "",
) -> PeoplePage:
    """Staff the actor may see (PERSON_VIEW), sorted by last then first name, a page at a
    time; audited once as ``people.list`` with the employee numbers returned. A ``unit``
    filter that is unknown is Invalid (query field "unit"); one outside the actor's view
    is refused."""
    scope = _scope_or_refuse(actor, Permission.PERSON_VIEW, organisation, "people")
    found = (
        Person.objects.for_org(organisation)
        .select_related("primary_unit", "line_manager")
        .only(*PERSON_LIST_FIELDS)
        .filter(scope.q("primary_unit__"))
    )
    if filters.unit is not None:
        within = None
        if _storable(filters.unit, UNIT_CODE_LENGTH):
            within = Unit.objects.for_org(organisation).filter(code=filters.unit).first()
        if within is None:
            raise Invalid({"unit": f"Unknown unit {filters.unit!r}."}, source="query")
        if not scope.covers(within):
            raise Refused("You may not see the people in that unit.")
        found = found.filter(_under(within))
    if filters.staff_group is not None:
        found = found.filter(staff_group=filters.staff_group)
    if filters.band is not None:
        found = found.filter(band=filters.band)
    if filters.leaders_only:
        found = found.filter(is_leader=True)
    if not filters.include_leavers:
        found = found.current()
    found = found.order_by("last_name", "first_name", "employee_number")
    count = found.count()
    page = list(found[offset : offset + limit])
    detail = {
        "filters": filters.used(),
        "limit": limit,
        "offset": offset,
        "count": count,
        "returned": [p.employee_number for p in page],
        "source": actor.source,
    }
    if via:
        detail["via"] = via
    record(
        action="people.list",
        actor=actor,
        organisation=organisation,
        object_type="org.person",
        detail=detail,
    )
    return PeoplePage(count, page)


# --- The organisation ----------------------------------------------------------------------


def top_unit(organisation: Organisation) -> Unit | None:
    """The organisation's top unit (the whole organisation), which everyone in it sees:
    the unit whose results and response rate the board's home page shows."""
    return Unit.objects.for_org(organisation).filter(parent__isnull=True).order_by("pk").first()


def summary(actor: Actor, organisation: Organisation) -> dict | None:
    """The organisation's headline counts, for those who may see its whole structure (else
    None); leadership post counts only for those who may also see posts organisation-wide."""
    if not Scope.of(actor, Permission.ORG_VIEW, organisation).everywhere:
        return None
    counts = organisation_summary(organisation)
    if not Scope.of(actor, Permission.LEADERSHIP_POST_VIEW, organisation).everywhere:
        counts["leadership_posts"] = None
    return counts


@dataclass
class Home:
    """The home page's view of the organisation: the actor's own staff record, the units
    whose people they may see and, for those who see everyone, the headline counts."""

    roles: set
    own_person: Person | None
    sees_whole_org: bool
    managed_units: list[Unit]
    summary: dict | None


def home(actor: Actor, organisation: Organisation) -> Home:
    roles = roles_in(actor.user, organisation)
    own_person = None
    if actor.user is not None:
        own = (
            RoleAssignment.objects.filter(
                user=actor.user, organisation=organisation, person__isnull=False
            )
            .select_related("person__primary_unit")
            .first()
        )
        own_person = own.person if own is not None else None
    scopes = permitted_scopes(actor.user, Permission.PERSON_VIEW, organisation)
    whole = scopes == [None]
    return Home(
        roles=roles,
        own_person=own_person,
        sees_whole_org=whole,
        managed_units=[scope for scope in scopes if scope is not None],
        summary=home_summary(organisation) if whole else None,
    )
