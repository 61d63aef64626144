"""Loading an organisation's units, staff and objectives into the plain dataclasses of
``quality`` and ``coverage``, in a fixed number of queries whatever the organisation's size
(five, or five with the check-in values for the trend)."""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Max
from django.utils import timezone

from colead.direction.coverage import CoverageReport, PersonFacts, UnitFacts, coverage
from colead.direction.models import Alignment, CheckIn, Objective
from colead.direction.quality import (
    DEFAULT_SETTINGS,
    CheckInPoint,
    ObjectiveFacts,
    ObjectiveQuality,
    QualitySettings,
    alignment_paths,
    assess,
)
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
)


@dataclass
class DirectionFacts:
    organisation_id: int
    root_unit_id: int | None
    units: dict[int, UnitFacts]  # in tree order
    unit_paths: dict[int, str]
    objectives: dict[int, ObjectiveFacts]
    people: list[PersonFacts] = field(default_factory=list)
    _paths: dict[int, tuple[int, ...]] | None = None

    @property
    def paths(self) -> dict[int, tuple[int, ...]]:
        """Each aligned objective's path up to an organisation objective."""
        if self._paths is None:
            self._paths = alignment_paths(self.objectives)
        return self._paths

    def assess(
        self, today: date | None = None, settings: QualitySettings = DEFAULT_SETTINGS
    ) -> dict[int, ObjectiveQuality]:
        return assess(self.objectives, today or timezone.localdate(), settings, paths=self.paths)

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


def _day(moment) -> date | None:
    return timezone.localtime(moment).date() if moment is not None else None


def load(
    organisation,
    *,
    with_check_ins: bool | Collection[int] = False,
    with_people: bool = True,
) -> DirectionFacts:
    """Everything the quality checks and coverage need about an organisation.

    ``with_check_ins=True`` loads every check-in's value (for the challenge's trend);
    otherwise only each objective's latest check-in date is read, plus, given a collection
    of objective ids, the values of those objectives' check-ins (for a page of them)."""
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

    parents: dict[int, list[int]] = defaultdict(list)
    for child_id, parent_id in Alignment.objects.filter(
        child__organisation=organisation
    ).values_list("child_id", "parent_id"):
        parents[child_id].append(parent_id)

    check_ins = CheckIn.objects.for_org(organisation)
    points: dict[int, list[CheckInPoint]] = defaultdict(list)
    latest: dict[int, date] = {}
    if with_check_ins is True:
        for objective_id, day, value in check_ins.order_by(
            "objective_id", "date", "id"
        ).values_list("objective_id", "date", "value"):
            points[objective_id].append(CheckInPoint(day, value))
    else:
        if with_check_ins:
            for objective_id, day, value in (
                check_ins.filter(objective_id__in=list(with_check_ins))
                .order_by("objective_id", "date", "id")
                .values_list("objective_id", "date", "value")
            ):
                points[objective_id].append(CheckInPoint(day, value))
        latest = dict(
            check_ins.values("objective_id")
            .annotate(last=Max("date"))
            .values_list("objective_id", "last")
        )

    objectives: dict[int, ObjectiveFacts] = {}
    for row in Objective.objects.for_org(organisation).order_by("code").values(*OBJECTIVE_FIELDS):
        pk = row["id"]
        agreed_on = _day(row["agreed_at"])
        objectives[pk] = ObjectiveFacts(
            id=pk,
            code=row["code"],
            title=row["title"],
            unit_id=row["unit_id"],
            status=row["status"],
            is_org_level=row["unit_id"] == root_id and row["owner_id"] is None,
            owner_id=row["owner_id"],
            parent_ids=tuple(sorted(parents.get(pk, ()))),
            measure=row["measure"],
            baseline=row["baseline"],
            target=row["target"],
            direction=row["direction"],
            due_date=row["due_date"],
            agreed=row["agreed_at"] is not None,
            started_on=agreed_on or _day(row["created_at"]),
            check_ins=tuple(points.get(pk, ())),
            last_check_in=latest.get(pk),
        )

    people = []
    if with_people:
        people = [
            PersonFacts(pk, unit_id)
            for pk, unit_id in Person.objects.for_org(organisation)
            .current()
            .values_list("id", "primary_unit_id")
        ]
    return DirectionFacts(organisation.pk, root_id, units, unit_paths, objectives, people)
