"""Loading an organisation's units, staff and objectives into the plain dataclasses of
``quality`` and ``coverage``, in a fixed number of queries whatever the organisation's size.

The objectives, their alignments and check-ins are the bulk (20,000 objectives and tens of
thousands of check-ins in a large trust) and change far less often than they are read, so
they are kept in process memory, with their alignment paths and quality assessments, for
as long as the organisation's direction revision (:func:`fingerprint`), which every write
in ``direction.services`` raises in its own transaction, stands still. Units and staff are
read fresh each time (a few hundred units, a few thousand people). The memory is declared
in ``colead.lib.memory``, so ``memory.clear_all()`` empties it (the tests call it).
"""

import gc
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date
from zoneinfo import ZoneInfo

from django.conf import settings as django_settings
from django.utils import timezone

from colead.direction.coverage import CoverageReport, PersonFacts, UnitFacts, coverage
from colead.direction.models import Alignment, CheckIn, DirectionRevision, Objective
from colead.direction.quality import (
    DEFAULT_SETTINGS,
    CheckInPoint,
    ObjectiveFacts,
    ObjectiveQuality,
    QualitySettings,
    alignment_paths,
    assess,
)
from colead.lib import memory
from colead.org.models import Person, Unit

OBJECTIVE_FIELDS = (
    "id",
    "code",
    "title",
    "unit_id",
    "owner_id",
    "status",
    "measure",
    "baseline",
    "target",
    "direction",
    "due_date",
    "agreed_at",
    "created_at",
    "elements",
)
CACHED_ORGANISATIONS = 8
# From this many objectives, what is kept in memory is moved out of the garbage collector's
# sight once built (see _settle).
SETTLE_FROM = 2000


def _settle(size: int) -> None:
    """Stop the cyclic garbage collector walking what was just built to be kept.

    A large organisation's kept objects (a quarter of a million at 20,000 objectives) made
    every full collection take 150–200 ms, and one fell in about every fourth request of the
    golden thread (bench/golden_thread.py: p95 more than twice the median). ``gc.freeze``
    moves every object now tracked to a permanent generation that collections skip; they
    are still freed by reference counting when dropped (the kept state holds no reference
    cycles), so a replaced state is freed as before. Cyclic garbage present at this moment
    would never be collected, so collect it first; that costs a full collection once per
    change, on the request that already pays for reading everything."""
    if size >= SETTLE_FROM:
        gc.collect()
        gc.freeze()


@dataclass
class ObjectiveState:
    """An organisation's objectives as the quality checks see them, with what is derived
    from them once: alignment paths and assessments (per day and settings). Shared between
    requests, so never changed after it is built (the assessments only grow)."""

    key: tuple
    objectives: dict[int, ObjectiveFacts]
    elements: dict[int, tuple[str, ...]]
    _paths: dict[int, tuple[int, ...]] | None = None
    _assessed: dict = field(default_factory=dict)
    _memo: dict = field(default_factory=dict)

    def memo(self, key, build):
        """``build()``, kept with these objectives under ``key`` (a few at a time: keys
        usually carry the day)."""
        value = self._memo.get(key)
        if value is None:
            value = build()
            if len(self._memo) >= 8:
                self._memo.clear()
            self._memo[key] = value
            _settle(len(self.objectives))
        return value

    @property
    def paths(self) -> dict[int, tuple[int, ...]]:
        if self._paths is None:
            self._paths = alignment_paths(self.objectives)
        return self._paths

    def assess(self, today: date, settings: QualitySettings) -> dict[int, ObjectiveQuality]:
        memo_key = (today, settings)
        qualities = self._assessed.get(memo_key)
        if qualities is None:
            qualities = assess(self.objectives, today, settings, paths=self.paths)
            if len(self._assessed) >= 4:
                self._assessed.clear()
            self._assessed[memo_key] = qualities
            _settle(len(self.objectives))
        return qualities


@dataclass
class DirectionFacts:
    organisation_id: int
    root_unit_id: int | None
    units: dict[int, UnitFacts]  # in tree order
    unit_paths: dict[int, str]
    state: ObjectiveState
    people: list[PersonFacts] = field(default_factory=list)

    @property
    def objectives(self) -> dict[int, ObjectiveFacts]:
        return self.state.objectives

    @property
    def elements(self) -> dict[int, tuple[str, ...]]:
        """Each objective's cultural element codes."""
        return self.state.elements

    @property
    def paths(self) -> dict[int, tuple[int, ...]]:
        """Each aligned objective's path up to an organisation objective."""
        return self.state.paths

    def assess(
        self, today: date | None = None, settings: QualitySettings = DEFAULT_SETTINGS
    ) -> dict[int, ObjectiveQuality]:
        return self.state.assess(today or timezone.localdate(), settings)

    def coverage(
        self, today: date | None = None, settings: QualitySettings = DEFAULT_SETTINGS
    ) -> CoverageReport:
        return coverage(
            units=self.units,
            people=self.people,
            objectives=self.objectives,
            today=today or timezone.localdate(),
            settings=settings,
            paths=self.paths,
        )


# organisation id -> ObjectiveState
_STATES = memory.recent(CACHED_ORGANISATIONS, f"{__name__}._STATES")


def fingerprint(organisation) -> tuple:
    """What identifies the organisation's objectives, alignments and check-ins as they are
    now: its direction revision, which every write raises in its own transaction
    (``services.note_change``). One primary-key lookup."""
    revision = (
        DirectionRevision.objects.filter(organisation_id=organisation.pk)
        .values_list("revision", flat=True)
        .first()
    )
    return (revision or 0,)


def _local_day(zone):
    def day(moment) -> date | None:
        if moment is None:
            return None
        if timezone.is_naive(moment):  # SQLite without time zone support in the driver
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(zone).date()

    return day


def _objective_state(organisation, root_id: int | None) -> ObjectiveState:
    key = (root_id, *fingerprint(organisation))
    state = _STATES.get(organisation.pk)
    if state is not None and state.key == key:
        return state
    state = _read_objectives(organisation, root_id, key)
    _settle(len(state.objectives))
    return _STATES.put(organisation.pk, state)


def _read_objectives(organisation, root_id: int | None, key: tuple) -> ObjectiveState:
    parents: dict[int, list[int]] = defaultdict(list)
    for child_id, parent_id in Alignment.objects.filter(
        child__organisation=organisation
    ).values_list("child_id", "parent_id"):
        parents[child_id].append(parent_id)

    points: dict[int, list[CheckInPoint]] = defaultdict(list)
    for objective_id, day, value in (
        CheckIn.objects.for_org(organisation)
        .order_by("objective_id", "date", "id")
        .values_list("objective_id", "date", "value")
    ):
        points[objective_id].append(CheckInPoint(day, value))

    local_day = _local_day(ZoneInfo(django_settings.TIME_ZONE))
    objectives: dict[int, ObjectiveFacts] = {}
    elements: dict[int, tuple[str, ...]] = {}
    no_points: tuple = ()
    for row in (
        Objective.objects.for_org(organisation).order_by("code").values_list(*OBJECTIVE_FIELDS)
    ):
        (pk, code, title, unit_id, owner_id, status, measure, baseline, target) = row[:9]
        direction, due_date, agreed_at, created_at, element_codes = row[9:]
        agreed_on = local_day(agreed_at)
        objectives[pk] = ObjectiveFacts(
            id=pk,
            code=code,
            title=title,
            unit_id=unit_id,
            status=status,
            is_org_level=unit_id == root_id and owner_id is None,
            owner_id=owner_id,
            parent_ids=tuple(sorted(parents[pk])) if pk in parents else (),
            measure=measure,
            baseline=baseline,
            target=target,
            direction=direction,
            due_date=due_date,
            agreed=agreed_at is not None,
            started_on=agreed_on or local_day(created_at),
            check_ins=tuple(points[pk]) if pk in points else no_points,
            # Read in date order, so the last is the latest.
            last_check_in=points[pk][-1].date if pk in points else None,
        )
        elements[pk] = tuple(element_codes or ())
    return ObjectiveState(key=key, objectives=objectives, elements=elements)


def load(organisation, *, with_people: bool = True) -> DirectionFacts:
    """Everything the quality checks and coverage need about an organisation: units and
    (``with_people``) current staff read now, objectives from memory while unchanged."""
    units: dict[int, UnitFacts] = {}
    unit_paths: dict[int, str] = {}
    root_id = None
    for pk, code, name, level, parent_id, is_active, path in (
        Unit.objects.for_org(organisation)
        .order_by("path")
        .values_list("id", "code", "name", "level", "parent_id", "is_active", "path")
    ):
        units[pk] = UnitFacts(pk, code, name, level, parent_id, is_active)
        unit_paths[pk] = path
        if parent_id is None and root_id is None:
            root_id = pk

    state = _objective_state(organisation, root_id)
    people = []
    if with_people:
        people = [
            PersonFacts(pk, unit_id)
            for pk, unit_id in Person.objects.for_org(organisation)
            .current()
            .values_list("id", "primary_unit_id")
        ]
    return DirectionFacts(organisation.pk, root_id, units, unit_paths, state, people)
