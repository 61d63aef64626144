"""Direction's published reads: the golden thread, my objectives, a unit's objectives, one
objective (and the branch below it), the API's objectives list and detail, the coverage
figures, the coverage dashboard and its lists, the objectives export and the vision, what
waits for someone (objectives to agree, check-ins due: the home page's to-do list); and
the two rows everything that judges or shows objectives reads, the organisation's quality
rules and its approved vision.

Each function looks up what it is asked for, checks the actor's scope
(colead.direction.access) and validates its parameters here, once, for every caller: the
pages (direction/views), the API (api/objectives.py), the CLI (``colead objectives``) and
the export. It raises the colead.lib.errors kinds (NotFound, Refused, Invalid with
``source="query"``), which the page helper and the API handler answer alike. The shaping of
what a page shows is ``presenters`` and ``dashboard``; nothing here writes, except the
export's audit event.

The system (``actor.is_system``: a command, a task) sees everything; an anonymous visitor
sees nothing.
"""

from dataclasses import dataclass, replace
from datetime import date

from django.db.models import DateField, OuterRef, Q, Subquery
from django.db.models.fields.json import KeyTransform
from django.urls import reverse
from django.utils import timezone

from colead.accounts.names import actor_name
from colead.accounts.permissions import has_permission, own_person_ids, permitted_scopes
from colead.accounts.roles import Permission
from colead.audit.services import record
from colead.core.actor import Actor
from colead.core.todo import ToDo
from colead.direction import access, dashboard, exports, facts, presenters
from colead.direction.coverage import CoverageReport
from colead.direction.models import (
    Act,
    AgreementAct,
    Alignment,
    CheckIn,
    CoverageSnapshot,
    Objective,
    ObjectiveStatus,
    QualityPolicy,
    Vision,
    VisionStatus,
)
from colead.direction.quality import (
    DEFAULT_SETTINGS,
    ObjectiveFacts,
    QualitySettings,
    stale_for,
)
from colead.direction.reference import LIVE_STATUSES
from colead.lib.errors import Invalid, NotFound, Refused
from colead.lib.formatting import uk_date
from colead.lib.spreadsheet import FORMATS, Export
from colead.org.models import Person, Unit

VIEW = Permission.OBJECTIVES_VIEW
CODE_MAX = Objective._meta.get_field("code").max_length
WHOLE_ORGANISATION = (
    "The coverage figures and the objectives export are for those who may see every "
    "objective of the organisation: board members, OD leads and organisation admins."
)


# -- scope --------------------------------------------------------------------------------


def visible_q(actor: Actor, organisation) -> Q:
    """A filter of the organisation's objectives the actor may see."""
    if actor.is_system:
        return Q()
    if actor.user is None:
        return Q(pk__in=[])
    return access.visible_q(actor.user, organisation)


def sees_everything(actor: Actor, organisation) -> bool:
    return actor.is_system or (
        actor.user is not None and access.sees_everything(actor.user, organisation)
    )


def visible_ids(actor: Actor, organisation) -> set[int] | None:
    """The ids of the objectives the actor may see, or None when that is every one."""
    if sees_everything(actor, organisation):
        return None
    return set(
        Objective.objects.for_org(organisation)
        .filter(visible_q(actor, organisation))
        .values_list("id", flat=True)
    )


def sees_whole_organisation(actor: Actor, organisation) -> bool:
    """OBJECTIVES_VIEW over the whole organisation (board, OD leads, admins), or the
    system: who may see the coverage figures and export the objectives."""
    return actor.is_system or (
        actor.user is not None and has_permission(actor.user, VIEW, organisation=organisation)
    )


def _require_whole_organisation(actor: Actor, organisation) -> None:
    if not sees_whole_organisation(actor, organisation):
        raise Refused(WHOLE_ORGANISATION)


def _storable(code: str) -> bool:
    return bool(code) and len(code) <= CODE_MAX and "\x00" not in code


# -- the organisation's rules and its vision, read by everything that judges or shows -----


def quality_settings(organisation) -> QualitySettings:
    """The rules the organisation judges its objectives by (one query): its saved policy,
    or the defaults of colead.direction.quality when it has none."""
    row = (
        QualityPolicy.objects.filter(organisation_id=organisation.pk)
        .values_list("challenge_margin", "thicket_limit", "stale_days")
        .first()
    )
    if row is None:
        return DEFAULT_SETTINGS
    margin, thicket_limit, stale_days = row
    return QualitySettings(
        challenge_margin=margin, thicket_limit=thicket_limit, stale_days=stale_days
    )


def current_vision(organisation) -> Vision | None:
    """The approved version with the highest number (None before the first approval):
    what everyone in the organisation sees, the home page included."""
    return (
        Vision.objects.for_org(organisation)
        .filter(status=VisionStatus.APPROVED)
        .order_by("-version")
        .first()
    )


# -- what the pages read while shaping ------------------------------------------------------


class PageSource:
    """The rows a page's presenter reads while it shapes (which ones depends on what it
    shows): the organisation's facts (kept in memory, see facts.load) and quality rules,
    the current vision, owners' names, and check-ins and acts. Scope is checked before a
    presenter is handed one."""

    def __init__(self, organisation):
        self.organisation = organisation

    def facts(self) -> facts.DirectionFacts:
        return facts.load(self.organisation, with_people=False)

    def settings(self):
        return quality_settings(self.organisation)

    def vision(self) -> Vision | None:
        return current_vision(self.organisation)

    def owner_names(self, owner_ids: set[int]) -> dict[int, str]:
        people = Person.objects.for_org(self.organisation)
        if len(owner_ids) <= 500:  # beyond, reading everyone beats a long IN list
            people = people.filter(pk__in=owner_ids)
        return {
            pk: f"{first} {last}"
            for pk, first, last in people.values_list("id", "first_name", "last_name")
        }

    def objectives_with_check_ins(self, ids) -> dict[int, tuple[Objective, list]]:
        """These objectives, each with its check-ins in date order (two queries)."""
        found = Objective.objects.for_org(self.organisation).filter(pk__in=ids)
        return {
            objective.pk: (
                objective,
                sorted(objective.check_ins.all(), key=lambda c: (c.date, c.pk)),
            )
            for objective in found.prefetch_related("check_ins")
        }

    def check_ins_and_acts(self, objective: Objective) -> tuple[list, list]:
        return (
            list(objective.check_ins.select_related("by").order_by("date", "id")),
            list(objective.agreement_acts.select_related("by").order_by("at", "id")),
        )


# -- objectives ---------------------------------------------------------------------------


def find_objective(*, actor: Actor, organisation, code: str) -> Objective:
    """One objective by its code, if the actor may see it: NotFound when the organisation
    has none by that code (one that could not be stored included), Refused when it is not
    theirs to see."""
    objective = None
    if _storable(code):
        objective = (
            Objective.objects.for_org(organisation)
            .select_related("unit", "owner", "organisation")
            .filter(code=code)
            .first()
        )
    if objective is None:
        raise NotFound(f"There is no objective {code[:CODE_MAX]!r} in {organisation.name}.")
    if not (
        Objective.objects.for_org(organisation)
        .filter(visible_q(actor, organisation), pk=objective.pk)
        .exists()
    ):
        raise Refused(
            f"You may not see objective {objective.code}: it is outside your units, your "
            "teams' thread and your own objectives."
        )
    return objective


def golden_thread(*, actor: Actor, organisation, query: str = "") -> dict:
    """The golden thread as far as the actor may see (presenters.golden_thread); with
    ``query`` (up to 100 characters), the objectives matching it."""
    query = query.strip()[:100]
    visible = visible_ids(actor, organisation)
    return presenters.golden_thread(PageSource(organisation), visible, query=query)


def my_objectives(*, actor: Actor, organisation) -> dict:
    """The actor's own individual objectives and their teams' (none for the system)."""
    own = own_person_ids(actor.user, organisation) if actor.user is not None else set()
    return presenters.my_objectives(
        PageSource(organisation),
        visible_ids(actor, organisation),
        own=own,
        people=list(Person.objects.filter(pk__in=own).select_related("primary_unit")),
        unit_paths=access.own_unit_paths(own),
    )


def _may_see_unit(actor: Actor, unit: Unit) -> bool:
    """Those who may see the unit's objectives, and its own staff and the staff of the
    units below it (the unit is on their thread)."""
    if actor.is_system:
        return True
    if actor.user is None:
        return False
    own_paths = access.own_unit_paths(own_person_ids(actor.user, unit.organisation))
    return any(path.startswith(unit.path) for path in own_paths) or has_permission(
        actor.user, VIEW, unit
    )


def unit_objectives(*, actor: Actor, organisation, unit_code: str) -> dict:
    """A unit's objectives and their progress (presenters.unit_page)."""
    unit = None
    if _storable(unit_code):
        unit = Unit.objects.for_org(organisation).filter(code=unit_code).first()
    if unit is None:
        raise NotFound(f"There is no unit {unit_code[:CODE_MAX]!r} in {organisation.name}.")
    if not _may_see_unit(actor, unit):
        raise Refused(f"You may not see the objectives of {unit.name}.")
    return presenters.unit_page(PageSource(organisation), unit, visible_ids(actor, organisation))


def objective_page(*, actor: Actor, objective: Objective) -> dict:
    """What the objective's page shows of one objective found by find_objective."""
    organisation = objective.organisation
    visible = visible_ids(actor, organisation)
    return presenters.objective_page(PageSource(organisation), objective, visible)


def branch(*, actor: Actor, objective: Objective, folded_only: bool = False) -> dict:
    """Everything the actor may see below an objective found by find_objective."""
    organisation = objective.organisation
    visible = visible_ids(actor, organisation)
    return presenters.branch(PageSource(organisation), objective, visible, folded_only=folded_only)


def objective_rows(organisation, objectives: list[Objective]) -> list[dict]:
    """Objectives as the API shows them (ObjectiveOut), with quality, in a fixed number of
    queries. The objectives must have been read with their unit and owner."""
    ids = [o.pk for o in objectives]
    parent_codes: dict[int, list[str]] = {pk: [] for pk in ids}
    for child_id, code in (
        Alignment.objects.filter(child_id__in=ids)
        .order_by("parent__code")
        .values_list("child_id", "parent__code")
    ):
        parent_codes[child_id].append(code)
    settings = quality_settings(organisation)
    loaded = facts.load(organisation, with_people=False)
    qualities = {pk: q for pk, q in loaded.assess(settings=settings).items() if pk in parent_codes}
    code_of = {pk: o.code for pk, o in loaded.objectives.items()}
    return [
        _row(objective, parent_codes[objective.pk], qualities[objective.pk], code_of)
        for objective in objectives
    ]


def _row(objective: Objective, parent_codes: list[str], quality, code_of) -> dict:
    owner = objective.owner if objective.owner_id else None
    return {
        "code": objective.code,
        "title": objective.title,
        "description": objective.description,
        "level": "individual" if owner else objective.unit.level,
        "unit_code": objective.unit.code,
        "unit_name": objective.unit.name,
        "owner": owner.employee_number if owner else None,
        "owner_name": owner.full_name if owner else None,
        "parent_codes": parent_codes,
        "elements": objective.elements,
        "measure": objective.measure,
        "unit_of_measure": objective.unit_of_measure,
        "baseline": objective.baseline,
        "target": objective.target,
        "direction": objective.direction,
        "due_date": objective.due_date,
        "status": objective.status,
        "agreed_at": objective.agreed_at,
        "quality": [
            {"name": c.name, "passed": c.passed, "reasons": list(c.reasons)}
            for c in quality.checks()
        ],
        "markers": list(quality.markers),
        "aligned_path": [code_of[pk] for pk in quality.path or ()],
    }


@dataclass(frozen=True)
class ObjectiveFilters:
    unit: str | None = None  # a unit's code: its subtree
    status: str | None = None
    owner: str | None = None  # an employee number
    individual: bool | None = None
    offset: int = 0
    limit: int = 50


def objectives_list(*, actor: Actor, organisation, filters: ObjectiveFilters) -> dict:
    """The objectives the actor may see, by code, a page at a time (the API's list). An
    unknown ``unit`` is Invalid."""
    objectives = Objective.objects.for_org(organisation).filter(visible_q(actor, organisation))
    if filters.unit is not None:
        unit = None
        if _storable(filters.unit):
            unit = Unit.objects.for_org(organisation).filter(code=filters.unit).first()
        if unit is None:
            raise Invalid({"unit": f"Unknown unit {filters.unit!r}."}, source="query")
        objectives = objectives.filter(unit__path__startswith=unit.path)
    if filters.status is not None:
        objectives = objectives.filter(status=filters.status)
    if filters.owner is not None:
        objectives = objectives.filter(owner__employee_number=filters.owner)
    if filters.individual is not None:
        objectives = objectives.filter(owner__isnull=not filters.individual)
    objectives = objectives.select_related("unit", "owner").order_by("code")
    page = list(objectives[filters.offset : filters.offset + filters.limit])
    return {
        "count": objectives.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": objective_rows(organisation, page) if page else [],
    }


def objective_detail(*, actor: Actor, objective: Objective) -> dict:
    """One objective found by find_objective as the API shows it: its row, the visible
    objectives that serve it, its check-ins and its acts of agreement."""
    organisation = objective.organisation
    objective = Objective.objects.select_related("unit", "owner", "organisation").get(
        pk=objective.pk
    )
    (row,) = objective_rows(organisation, [objective])
    row["child_codes"] = list(
        Objective.objects.for_org(organisation)
        .filter(visible_q(actor, organisation))
        .filter(pk__in=Alignment.objects.filter(parent=objective).values("child_id"))
        .order_by("code")
        .values_list("code", flat=True)
    )
    row["check_ins"] = [
        {
            "date": c.date,
            "value": c.value,
            "confidence": c.confidence or None,
            "comment": c.comment,
            "by": c.by_label,
        }
        for c in objective.check_ins.order_by("date", "id")
    ]
    row["acts"] = [
        {"act": a.act, "comment": a.comment, "by": a.by_label, "at": a.at}
        for a in objective.agreement_acts.order_by("at", "id")
    ]
    return row


# -- coverage -----------------------------------------------------------------------------


def coverage(
    *,
    actor: Actor,
    organisation,
    as_of: date | None = None,
    thicket_limit: int | None = None,
    stale_days: int | None = None,
) -> CoverageReport:
    """The organisation's coverage figures as on ``as_of`` (default today), judged by its
    own quality rules or by the thicket limit and stale days given in their place."""
    _require_whole_organisation(actor, organisation)
    errors = {}
    if thicket_limit is not None and thicket_limit < 1:
        errors["thicket_limit"] = "Give a thicket limit of at least 1 active objective."
    if stale_days is not None and stale_days < 1:
        errors["stale_days"] = "Give the days without a check-in as at least 1."
    if errors:
        raise Invalid(errors, source="query")
    settings = quality_settings(organisation)
    settings = replace(
        settings,
        thicket_limit=settings.thicket_limit if thicket_limit is None else thicket_limit,
        stale_days=settings.stale_days if stale_days is None else stale_days,
    )
    return facts.load(organisation).coverage(as_of, settings)


class CoverageSource:
    """The rows the coverage dashboard (dashboard.py) reads while it shapes: the trend's
    snapshots, and for the comparison with the survey the latest wave with stored scores
    where the actor may see results, its results and the snapshot taken before it closed.
    Scope is checked before the dashboard is handed one."""

    def __init__(self, organisation):
        self.organisation = organisation

    def _snapshots(self):
        return CoverageSnapshot.objects.for_org(self.organisation)

    def snapshots(self, scope: dashboard.Scope, since: date) -> list[tuple[date, dict]]:
        """(day, the scope's figures) of each snapshot since ``since``, oldest first (one
        query; for a division or directorate, only its own entry of each is read)."""
        snapshots = self._snapshots().filter(taken_on__gte=since).order_by("taken_on")
        if scope.group is None:
            rows = snapshots.values("taken_on", *dashboard.SNAPSHOT_FIELDS)
            return [(row["taken_on"], row) for row in rows]
        key = CoverageSnapshot.group_key(scope.group.unit_id)
        rows = snapshots.annotate(figures=KeyTransform(key, "groups")).values_list(
            "taken_on", "figures"
        )
        return [(taken_on, figures) for taken_on, figures in rows if figures]

    def latest_snapshot(self, *, since: date, until: date) -> dict | None:
        """The day and the divisions' and directorates' figures (``groups``) of the latest
        snapshot taken between the two days, if there is one."""
        return (
            self._snapshots()
            .filter(taken_on__lte=until, taken_on__gte=since)
            .order_by("-taken_on")
            .values("taken_on", "groups")
            .first()
        )

    def latest_scored_wave(self, scopes):
        """The latest closed wave with stored scores (reading results never scores a wave)
        that reached into ``scopes`` ([None]: the whole organisation), or None."""
        from colead.insights import results as rs  # brings in polars: not at start-up

        waves = (
            rs.closed_wave_queryset(self.organisation)
            .filter(scores__isnull=False)
            .order_by("-closed_at", "-pk")
        )
        if None in scopes:
            return waves.first()
        for wave in waves.prefetch_related("target_units"):
            if rs.overlaps([unit.path for unit in wave.target_units.all()], scopes):
                return wave
        return None

    def results(self, wave):
        """The wave's results tables, disclosure-controlled (colead.insights.results)."""
        from colead.insights import results as rs

        return rs.load_results(wave)


def _coverage_loaded(organisation, today: date) -> dashboard.Loaded:
    """The organisation's facts and coverage as on ``today``, judged by its own rules."""
    loaded = facts.load(organisation)
    return dashboard.Loaded.of(loaded, loaded.coverage(today, quality_settings(organisation)))


def _results_scopes(actor: Actor, organisation) -> list:
    if actor.is_system:
        return [None]
    if actor.user is None:
        return []
    return permitted_scopes(actor.user, Permission.RESULTS_VIEW, organisation)


def coverage_dashboard(*, actor: Actor, organisation, unit_code: str = "", level: str = ""):
    """The coverage dashboard (dashboard.coverage_page) for the organisation or ``unit_code``
    a division or directorate; a bad ``unit_code`` or ``level`` is in its ``errors``. The
    survey comparison only within where the actor may see results."""
    _require_whole_organisation(actor, organisation)
    today = timezone.localdate()
    return dashboard.coverage_page(
        CoverageSource(organisation),
        _coverage_loaded(organisation, today),
        results_scopes=_results_scopes(actor, organisation),
        today=today,
        unit_code=unit_code,
        level=level,
    )


def coverage_list(*, actor: Actor, organisation, kind: str, unit_code: str = "") -> dict:
    """The objectives or units behind one figure of the dashboard (dashboard.LIST_KINDS).
    An unknown kind is NotFound; an unknown ``unit_code`` Invalid."""
    _require_whole_organisation(actor, organisation)
    if kind not in dashboard.LIST_KINDS:
        raise NotFound(f"There is no list of {kind[:20]!r} on the coverage dashboard.")
    today = timezone.localdate()
    return dashboard.coverage_list(
        _coverage_loaded(organisation, today),
        organisation=organisation,
        kind=kind,
        today=today,
        unit_code=unit_code,
    )


def owner_names(organisation, owner_ids: set[int]) -> dict[int, str]:
    """The names of these owners of objectives in a list already read (one query, none for
    no owners)."""
    return PageSource(organisation).owner_names(owner_ids) if owner_ids else {}


# -- what waits for someone (the home page's to-do list) ----------------------------------


def _waiting_for_agreement(actor: Actor, organisation):
    """The proposed objectives waiting for the actor's agreement (a queryset), or None
    when nothing can: shared by the to-do list and the header's count, so they agree."""
    if actor.user is None:
        return None
    own = own_person_ids(actor.user, organisation)
    scopes = permitted_scopes(actor.user, access.AGREE, organisation)
    units = {unit.pk for unit in scopes if unit is not None}
    if not (units or own or None in scopes):
        return None
    waiting = Q(unit_id__in=units, owner__line_manager__isnull=True)
    if None in scopes:
        waiting |= Q(owner__isnull=True, unit__parent__isnull=True)
    if own:
        waiting |= Q(owner__line_manager_id__in=own)
    return (
        Objective.objects.for_org(organisation)
        .filter(waiting, status=ObjectiveStatus.PROPOSED)
        .exclude(owner_id__in=own)
    )


def objectives_to_agree(*, actor: Actor, organisation) -> list[ToDo]:
    """Proposed objectives waiting for the actor's agreement, oldest proposal first: the
    individual objectives of the people they line-manage, and the objectives of the units
    they agree for (the unit of their role; the organisation's own objectives for those who
    agree over the whole organisation), individual ones there only when the owner has no
    line manager. Others above may agree too (access.can_agree); this is whom it waits for.
    Never the actor's own objectives."""
    waiting = _waiting_for_agreement(actor, organisation)
    if waiting is None:
        return []
    objectives = list(waiting.select_related("unit", "owner"))
    if not objectives:
        return []
    proposals = {}  # the latest proposal of each (acts in time order: the last one wins)
    for act in (
        AgreementAct.objects.filter(objective__in=objectives, act=Act.PROPOSED)
        .select_related("by")
        .order_by("at", "id")
    ):
        proposals[act.objective_id] = act
    objectives.sort(key=lambda o: (_proposed_at(proposals.get(o.pk), o), o.code))
    return [_to_agree(objective, proposals.get(objective.pk)) for objective in objectives]


def count_objectives_to_agree(*, actor: Actor, organisation) -> int:
    """How many objectives_to_agree lists, in one query (the header's count)."""
    waiting = _waiting_for_agreement(actor, organisation)
    return 0 if waiting is None else waiting.count()


def _proposed_at(act, objective):
    return act.at if act is not None else objective.updated_at


def _to_agree(objective: Objective, proposal) -> ToDo:
    owner = objective.owner.full_name if objective.owner_id else None
    detail = (
        f"Individual objective of {owner} ({objective.unit.name})"
        if owner
        else f"Objective of {objective.unit.name}"
    )
    if proposal is not None:
        by = actor_name(proposal.by, proposal.by_label)
        detail += ", proposed" if by == owner else f", proposed by {by}"
        detail += f" on {uk_date(timezone.localtime(proposal.at).date())}"
    return ToDo(
        title=f"{objective.code}: {objective.title}",
        href=reverse("direction:objective", args=[objective.code]),
        detail=detail,
    )


def _due_for_check_in(actor: Actor, organisation) -> list[tuple[int, Objective, int]]:
    """(days without a check-in, objective, the rule's days) for each agreed or active
    objective the actor checks in on that is stale by ``quality.stale_for``, longest first:
    their own individual objectives, and the unit objectives of the units their role names
    (managers' teams; not every unit below, nor the whole organisation's). One query, of
    those objectives only (a few), with their latest check-in and the organisation's rule
    read alongside: the header counts it on every page."""
    if actor.user is None:
        return []
    own = own_person_ids(actor.user, organisation)
    units = {
        unit.pk
        for unit in permitted_scopes(actor.user, access.MANAGE, organisation)
        if unit is not None
    }
    if not (own or units):
        return []
    latest = CheckIn.objects.filter(objective_id=OuterRef("pk")).order_by("-date").values("date")
    rule = QualityPolicy.objects.filter(organisation_id=organisation.pk).values("stale_days")
    ours = (
        Objective.objects.for_org(organisation)
        .filter(
            Q(owner_id__in=own) | Q(owner__isnull=True, unit_id__in=units),
            status__in=LIVE_STATUSES,
        )
        .annotate(
            latest=Subquery(latest[:1], output_field=DateField()),
            stale_days=Subquery(rule[:1]),
        )
    )
    today, due = timezone.localdate(), []
    for objective in ours:
        settings = QualitySettings(
            stale_days=objective.stale_days
            if objective.stale_days is not None
            else DEFAULT_SETTINGS.stale_days
        )
        started = objective.agreed_at or objective.created_at  # as facts.load counts
        days = stale_for(
            ObjectiveFacts(
                id=objective.pk,
                code=objective.code,
                title=objective.title,
                unit_id=objective.unit_id,
                status=objective.status,
                started_on=timezone.localdate(started) if started is not None else None,
                last_check_in=objective.latest,
            ),
            today,
            settings,
        )
        if days is not None:
            due.append((days, objective, settings.stale_days))
    due.sort(key=lambda found: (-found[0], found[1].code))
    return due


def check_ins_due(*, actor: Actor, organisation) -> list[ToDo]:
    """Agreed or active objectives the actor checks in on that have had no check-in for
    longer than the organisation's rule allows (so they show as stale), longest first
    (``_due_for_check_in``)."""
    return [
        ToDo(
            title=f"{objective.code}: {objective.title}",
            href=reverse("direction:objective", args=[objective.code]),
            detail=f"No check-in for {days} days (the rule is {rule})",
        )
        for days, objective, rule in _due_for_check_in(actor, organisation)
    ]


def count_check_ins_due(*, actor: Actor, organisation) -> int:
    """How many check_ins_due lists, in one query (the header's count)."""
    return len(_due_for_check_in(actor, organisation))


# -- the export ---------------------------------------------------------------------------


def objectives_export(*, actor: Actor, organisation, fmt: str) -> Export:
    """Every objective of the organisation as CSV or XLSX (colead.direction.exports), with
    an audit event. For those who may see the whole organisation: a part of the thread,
    its parents outside it left out, would not re-import as it stands."""
    _require_whole_organisation(actor, organisation)
    if fmt not in FORMATS:
        raise Invalid(
            {"format": f"There is no format {fmt[:20]!r}. Use csv or xlsx."}, source="query"
        )
    objectives = exports.in_thread_order(exports.load(organisation))
    content = exports.file_content(objectives, fmt)
    record(
        action="objectives.export",
        actor=actor,
        organisation=organisation,
        object_type="direction.objective",
        object_repr=f"objectives export of {organisation.code}",
        detail={"format": fmt, "rows": len(objectives), "source": actor.source},
    )
    return Export(content, FORMATS[fmt], exports.filename(organisation, fmt), len(objectives))


# -- the vision ---------------------------------------------------------------------------


def latest_draft(organisation) -> Vision | None:
    """The newest version if it is still a draft (the one a new draft revises)."""
    latest = Vision.objects.for_org(organisation).order_by("-version").first()
    return latest if latest is not None and latest.status == VisionStatus.DRAFT else None


@dataclass(frozen=True)
class VisionState:
    current: Vision | None  # the approved version everyone sees
    draft: Vision | None  # a newer draft, for those who draft or approve it (else None)
    can_manage: bool
    can_approve: bool


def vision(*, actor: Actor, organisation) -> VisionState:
    """The organisation's vision as the board last approved it, for everyone in it; and,
    for those who draft or approve it, a newer draft."""
    user = actor.user

    def may(permission) -> bool:
        return actor.is_system or (
            user is not None and has_permission(user, permission, organisation=organisation)
        )

    can_manage, can_approve = may(Permission.VISION_MANAGE), may(Permission.VISION_APPROVE)
    return VisionState(
        current=current_vision(organisation),
        draft=latest_draft(organisation) if (can_manage or can_approve) else None,
        can_manage=can_manage,
        can_approve=can_approve,
    )
