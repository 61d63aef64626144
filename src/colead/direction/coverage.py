"""How far the golden thread reaches: the board's and OD leads' coverage figures.

Pure Python (no Django): units, current staff and objectives in, figures out.

* **Team coverage**: the share of active teams (units at the level ``team``) with at least
  one agreed or active objective of their own that is aligned to an organisation-level
  objective.
* **Staff coverage**: the share of current staff who own at least one agreed or active
  individual objective that is aligned.
* **Orphans**: open objectives (draft, proposed, agreed, active) below the organisation
  level with no path up to an organisation objective.
* **Thickets**: units with more active objectives of their own than the limit (default 5).
* **Stale**: agreed or active objectives with no check-in for 60 days.

Each figure is given for the whole organisation and for every division and directorate
(the units and people in its subtree), so a page can drill down from one to the other.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from colead.direction.quality import (
    DEFAULT_SETTINGS,
    ObjectiveFacts,
    QualitySettings,
    alignment_paths,
    stale_for,
    thickets,
)
from colead.direction.reference import LIVE_STATUSES, OPEN_STATUSES

GROUP_LEVELS = ("division", "directorate")


@dataclass(frozen=True, slots=True)
class UnitFacts:
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None = None
    is_active: bool = True


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """A current member of staff and their primary unit."""

    id: int
    unit_id: int


def share(part: int, whole: int) -> float:
    """part / whole, or 0.0 when there is nothing to share (so the figure stays 0 to 1)."""
    return part / whole if whole else 0.0


@dataclass
class GroupCoverage:
    """The figures for one division or directorate and everything below it."""

    unit_id: int
    code: str
    name: str
    level: str
    parent_code: str | None = None  # a directorate's division, for drilling down
    teams: int = 0
    teams_covered: int = 0
    staff: int = 0
    staff_covered: int = 0
    objectives: int = 0  # open objectives, individual ones included
    orphans: int = 0
    thickets: int = 0
    stale: int = 0

    @property
    def team_coverage(self) -> float:
        return share(self.teams_covered, self.teams)

    @property
    def staff_coverage(self) -> float:
        return share(self.staff_covered, self.staff)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "parent_code": self.parent_code,
            "team_coverage": round(self.team_coverage, 4),
            "teams": self.teams,
            "teams_covered": self.teams_covered,
            "staff_coverage": round(self.staff_coverage, 4),
            "staff": self.staff,
            "staff_covered": self.staff_covered,
            "objectives": self.objectives,
            "orphans": self.orphans,
            "thickets": self.thickets,
            "stale": self.stale,
        }


@dataclass
class CoverageReport:
    as_of: date
    settings: QualitySettings
    teams: int = 0
    teams_covered: int = 0
    staff: int = 0
    staff_covered: int = 0
    objectives: int = 0
    covered_team_ids: set[int] = field(default_factory=set)
    orphan_ids: list[int] = field(default_factory=list)
    thicket_counts: dict[int, int] = field(default_factory=dict)  # unit id -> active count
    stale_days: dict[int, int] = field(default_factory=dict)  # objective id -> days
    by_division: list[GroupCoverage] = field(default_factory=list)
    by_directorate: list[GroupCoverage] = field(default_factory=list)
    units: Mapping[int, UnitFacts] = field(default_factory=dict, repr=False)
    objectives_by_id: Mapping[int, ObjectiveFacts] = field(default_factory=dict, repr=False)

    @property
    def team_coverage(self) -> float:
        return share(self.teams_covered, self.teams)

    @property
    def staff_coverage(self) -> float:
        return share(self.staff_covered, self.staff)

    def uncovered_teams(self) -> list[UnitFacts]:
        return [
            unit
            for unit in self.units.values()
            if unit.is_active and unit.level == "team" and unit.id not in self.covered_team_ids
        ]

    def as_dict(self) -> dict:
        units, objectives = self.units, self.objectives_by_id

        def objective_row(objective_id: int) -> dict:
            objective = objectives[objective_id]
            unit = units.get(objective.unit_id)
            return {
                "code": objective.code,
                "title": objective.title,
                "unit_code": unit.code if unit else None,
                "status": objective.status,
                "individual": objective.is_individual,
            }

        return {
            "as_of": self.as_of.isoformat(),
            "settings": self.settings.as_dict(),
            "team_coverage": round(self.team_coverage, 4),
            "teams": self.teams,
            "teams_covered": self.teams_covered,
            "staff_coverage": round(self.staff_coverage, 4),
            "staff": self.staff,
            "staff_covered": self.staff_covered,
            "objectives": self.objectives,
            "orphans": len(self.orphan_ids),
            "thickets": len(self.thicket_counts),
            "stale": len(self.stale_days),
            "orphan_objectives": [objective_row(pk) for pk in self.orphan_ids],
            "thicket_units": [
                {
                    "code": units[unit_id].code,
                    "name": units[unit_id].name,
                    "active_objectives": n,
                }
                for unit_id, n in self.thicket_counts.items()
                if unit_id in units
            ],
            "stale_objectives": [
                {**objective_row(pk), "days_since_check_in": days}
                for pk, days in self.stale_days.items()
            ],
            "uncovered_teams": [unit.code for unit in self.uncovered_teams()],
            "by_division": [group.as_dict() for group in self.by_division],
            "by_directorate": [group.as_dict() for group in self.by_directorate],
        }


def _groups_of(units: Mapping[int, UnitFacts]) -> dict[int, dict[str, int]]:
    """For every unit, the division and directorate it sits in (itself included)."""
    groups: dict[int, dict[str, int]] = {}

    def resolve(unit_id: int) -> dict[str, int]:
        chain = []
        node = unit_id
        while node is not None and node not in groups and node in units:
            chain.append(node)
            node = units[node].parent_id
            if len(chain) > len(units):  # a loop in the data: stop rather than spin
                break
        inherited = groups.get(node, {}) if node is not None else {}
        for member in reversed(chain):
            level = units[member].level
            own = dict(inherited)
            if level in GROUP_LEVELS:
                own[level] = member
            groups[member] = own
            inherited = own
        return groups.get(unit_id, {})

    for unit_id in units:
        resolve(unit_id)
    return groups


def _group_rows(
    units: Mapping[int, UnitFacts], groups_of: dict[int, dict[str, int]]
) -> dict[int, GroupCoverage]:
    """An empty row for every active division and directorate, in tree order."""
    rows: dict[int, GroupCoverage] = {}
    for unit in units.values():
        if unit.level in GROUP_LEVELS and unit.is_active:
            parent = None
            if unit.level == "directorate":
                division = groups_of[unit.id].get("division")
                parent = units[division].code if division is not None else None
            rows[unit.id] = GroupCoverage(unit.id, unit.code, unit.name, unit.level, parent)
    return rows


# Unit id -> the division and directorate rows that unit counts towards.
RowsOf = Mapping[int, tuple[GroupCoverage, ...]]


def _count_objectives(
    report: CoverageReport,
    objectives: Mapping[int, ObjectiveFacts],
    paths: Mapping[int, tuple[int, ...]],
    rows_of: RowsOf,
    today: date,
    settings: QualitySettings,
) -> set[int]:
    """Count open, orphan and stale objectives; return the people an aligned one covers."""
    covered_people: set[int] = set()
    for objective in objectives.values():
        if objective.status in OPEN_STATUSES:
            report.objectives += 1
            for row in rows_of.get(objective.unit_id, ()):
                row.objectives += 1
            if not objective.is_org_level and objective.id not in paths:
                report.orphan_ids.append(objective.id)
                for row in rows_of.get(objective.unit_id, ()):
                    row.orphans += 1
        if objective.status in LIVE_STATUSES:
            if objective.id in paths:
                if objective.is_individual:
                    covered_people.add(objective.owner_id)
                else:
                    report.covered_team_ids.add(objective.unit_id)
            days = stale_for(objective, today, settings)
            if days is not None:
                report.stale_days[objective.id] = days
                for row in rows_of.get(objective.unit_id, ()):
                    row.stale += 1
    return covered_people


def _count_teams(report: CoverageReport, units: Mapping[int, UnitFacts], rows_of: RowsOf) -> None:
    for unit in units.values():
        if unit.level == "team" and unit.is_active:
            covered = unit.id in report.covered_team_ids
            report.teams += 1
            report.teams_covered += covered
            for row in rows_of.get(unit.id, ()):
                row.teams += 1
                row.teams_covered += covered
    report.covered_team_ids &= {u.id for u in units.values() if u.is_active and u.level == "team"}


def _count_staff(
    report: CoverageReport,
    people: Iterable[PersonFacts],
    covered_people: set[int],
    rows_of: RowsOf,
) -> None:
    for person in people:
        covered = person.id in covered_people
        report.staff += 1
        report.staff_covered += covered
        for row in rows_of.get(person.unit_id, ()):
            row.staff += 1
            row.staff_covered += covered


def _count_thickets(
    report: CoverageReport,
    objectives: Mapping[int, ObjectiveFacts],
    settings: QualitySettings,
    rows_of: RowsOf,
) -> None:
    report.thicket_counts = thickets(objectives.values(), settings)
    for unit_id in report.thicket_counts:
        for row in rows_of.get(unit_id, ()):
            row.thickets += 1


def coverage(
    *,
    units: Mapping[int, UnitFacts],
    people: Iterable[PersonFacts],
    objectives: Mapping[int, ObjectiveFacts],
    today: date,
    settings: QualitySettings = DEFAULT_SETTINGS,
    paths: Mapping[int, tuple[int, ...]] | None = None,
) -> CoverageReport:
    """The coverage figures for an organisation (``units`` in tree order)."""
    if paths is None:
        paths = alignment_paths(objectives)
    report = CoverageReport(
        as_of=today, settings=settings, units=units, objectives_by_id=objectives
    )
    groups_of = _groups_of(units)
    rows = _group_rows(units, groups_of)
    # Worked out once per unit, then looked up for each objective, team and person.
    rows_of: RowsOf = {
        unit_id: tuple(rows[g] for g in groups.values() if g in rows)
        for unit_id, groups in groups_of.items()
    }
    covered_people = _count_objectives(report, objectives, paths, rows_of, today, settings)
    _count_teams(report, units, rows_of)
    _count_staff(report, people, covered_people, rows_of)
    _count_thickets(report, objectives, settings, rows_of)
    report.orphan_ids.sort(key=lambda pk: objectives[pk].code)
    report.by_division = [row for row in rows.values() if row.level == "division"]
    report.by_directorate = [row for row in rows.values() if row.level == "directorate"]
    return report
