"""A synthetic organisation with a large golden thread, for the direction benchmark
(bench/golden_thread.py). Needs Django set up first (the script does it).

``build(staff=6000, objectives=20000)`` writes, straight into the database (no services: a
benchmark fixture, not data anyone owns): a trust of 5 divisions, 25 directorates and 350
teams; ``staff`` people spread over the teams with line managers; and ``objectives``
objectives: 6 at organisation level, 4 per directorate, 5 per team (a few teams with 8, a
priority thicket), the rest individual objectives of staff. Most objectives align to the
level above; about 3% are orphans; most are agreed or active, with two or three check-ins
each, some of them long ago (stale).
"""

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone

from colead.accounts.models import RoleAssignment, User
from colead.direction.models import Alignment, CheckIn, Objective
from colead.direction.reference import ELEMENTS
from colead.org.models import Organisation, Person, Unit

DIVISIONS = 5
DIRECTORATES_PER_DIVISION = 5
TEAMS_PER_DIRECTORATE = 14
ORG_OBJECTIVES = 6
DIRECTORATE_OBJECTIVES = 4
TEAM_OBJECTIVES = 5
BOARD_EMAIL = "board@direction-bench.test"


@dataclass
class Built:
    organisation: Organisation
    board_user: User
    staff: int
    objectives: int
    check_ins: int
    units: int


def _unit(organisation, code, name, level, parent):
    return Unit.objects.create(
        organisation=organisation, code=code, name=name, level=level, parent=parent
    )


@transaction.atomic
def build(*, staff: int = 6000, objectives: int = 20000, seed: int = 11, code="DIRBENCH") -> Built:
    rng = np.random.default_rng(seed)
    today, now = timezone.localdate(), timezone.now()
    organisation = Organisation.objects.create(code=code, name="Direction Bench Trust")
    root, directorates, teams = _build_units(organisation, code)
    people = _build_people(organisation, teams, staff, rng)
    drafts = _ObjectiveDrafts(organisation, rng, today, now)
    _draft_objectives(drafts, root, directorates, teams, people, objectives)
    rows = _save_objectives(organisation, drafts)
    check_ins = _build_check_ins(organisation, rows, rng, today)
    user = User.objects.create_user(BOARD_EMAIL, "bench-password-123456")
    RoleAssignment.objects.create(user=user, organisation=organisation, role="board")
    return Built(
        organisation=organisation,
        board_user=user,
        staff=staff,
        objectives=len(rows),
        check_ins=len(check_ins),
        units=1 + DIVISIONS * DIRECTORATES_PER_DIVISION * (1 + TEAMS_PER_DIRECTORATE) + DIVISIONS,
    )


def _build_units(organisation, code) -> tuple[Unit, list[Unit], list[Unit]]:
    """The root, its divisions, their directorates and teams; returns the root, the
    directorates and the teams."""
    root = _unit(organisation, f"{code}-ROOT", "Direction Bench Trust", "organisation", None)
    directorates, teams = [], []
    for d in range(DIVISIONS):
        division = _unit(organisation, f"D{d}", f"Division {d + 1}", "division", root)
        for r in range(DIRECTORATES_PER_DIVISION):
            directorate = _unit(
                organisation, f"D{d}R{r}", f"Directorate {d + 1}.{r + 1}", "directorate", division
            )
            directorates.append(directorate)
            for t in range(TEAMS_PER_DIRECTORATE):
                teams.append(
                    _unit(
                        organisation,
                        f"D{d}R{r}T{t}",
                        f"Team {d + 1}.{r + 1}.{t + 1}",
                        "team",
                        directorate,
                    )
                )
    return root, directorates, teams


def _build_people(organisation, teams, staff, rng) -> list[Person]:
    """``staff`` people in random teams, the first in each team managing the rest of it."""
    team_of = rng.integers(0, len(teams), staff)
    people = Person.objects.bulk_create(
        [
            Person(
                organisation=organisation,
                employee_number=f"E{i:06d}",
                first_name=f"Given{i}",
                last_name=f"Family{i % 997}",
                primary_unit=teams[team_of[i]],
                staff_group="administrative_clerical",
                band="Band 5",
            )
            for i in range(staff)
        ],
        batch_size=2000,
    )
    if connection_returns_ids(people):
        people = list(people)
    else:  # SQLite before 3.35 does not return ids from bulk inserts
        people = list(Person.objects.for_org(organisation).order_by("employee_number"))
    first_in_team: dict[int, Person] = {}
    for person in people:
        manager = first_in_team.setdefault(person.primary_unit_id, person)
        if manager is not person:
            person.line_manager_id = manager.pk
    Person.objects.bulk_update(people, ["line_manager"], batch_size=2000)
    return people


class _ObjectiveDrafts:
    """Objectives not yet saved, in order, each with the position of its parent (None for
    the top and for orphans)."""

    def __init__(self, organisation, rng, today, now):
        self.organisation = organisation
        self.rng = rng
        self.today = today
        self.now = now
        self.element_codes = list(ELEMENTS)
        self.rows: list[Objective] = []
        self.parent_index: list[int | None] = []

    def add(self, unit_id, title, parent, owner=None) -> int:
        rng = self.rng
        roll = rng.random()
        status = (
            "active"
            if roll < 0.55
            else "agreed"
            if roll < 0.75
            else "proposed"
            if roll < 0.85
            else "draft"
            if roll < 0.93
            else "achieved"
        )
        baseline = float(rng.integers(10, 60))
        vague = rng.random() < 0.08
        self.rows.append(
            Objective(
                organisation=self.organisation,
                code=f"OBJ{len(self.rows):06d}",
                title=title,
                unit_id=unit_id,
                owner=owner,
                elements=[self.element_codes[int(rng.integers(0, len(self.element_codes)))]],
                measure="" if vague else "Share of the measure met",
                unit_of_measure="%",
                baseline=None if vague else baseline,
                target=None if vague else baseline + float(rng.integers(-2, 25)),
                direction="up",
                due_date=self.today + timedelta(days=int(rng.integers(30, 400))),
                status=status,
                agreed_at=self.now if status in ("agreed", "active", "achieved") else None,
            )
        )
        orphan = parent is not None and rng.random() < 0.03
        self.parent_index.append(None if orphan else parent)
        return len(self.rows) - 1


def _draft_objectives(drafts, root, directorates, teams, people, objectives) -> None:
    """Organisation, directorate and team objectives, each aligned to one of the level above,
    then individual objectives of staff up to ``objectives`` in all."""
    rng = drafts.rng
    org_level = [
        drafts.add(root.pk, f"Organisation objective {i + 1}: improve outcome {i + 1} by 20%", None)
        for i in range(ORG_OBJECTIVES)
    ]
    directorate_objectives: dict[int, list[int]] = {}
    for directorate in directorates:
        directorate_objectives[directorate.pk] = [
            drafts.add(
                directorate.pk,
                f"{directorate.name} objective {i + 1}",
                org_level[int(rng.integers(0, ORG_OBJECTIVES))],
            )
            for i in range(DIRECTORATE_OBJECTIVES)
        ]
    team_objectives: dict[int, list[int]] = {}
    for team in teams:
        count = TEAM_OBJECTIVES + (3 if rng.random() < 0.04 else 0)  # a priority thicket
        above = directorate_objectives[team.parent_id]
        team_objectives[team.pk] = [
            drafts.add(
                team.pk, f"{team.name} objective {i + 1}", above[int(rng.integers(0, len(above)))]
            )
            for i in range(count)
        ]
    staff = len(people)
    for i in range(max(0, objectives - len(drafts.rows))):
        person = people[i % staff]
        above = team_objectives[person.primary_unit_id]
        drafts.add(
            person.primary_unit_id,
            f"Personal objective {i // staff + 1} of {person.first_name}",
            above[int(rng.integers(0, len(above)))],
            owner=person,
        )


def _save_objectives(organisation, drafts) -> list[Objective]:
    """Writes the objectives and their alignments; returns the objectives, with ids."""
    rows = drafts.rows
    Objective.objects.bulk_create(rows, batch_size=2000)
    if rows and rows[0].pk is None:
        by_code = dict(Objective.objects.for_org(organisation).values_list("code", "id"))
        for row in rows:
            row.pk = row.id = by_code[row.code]
    Alignment.objects.bulk_create(
        [
            Alignment(child_id=row.pk, parent_id=rows[parent].pk)
            for row, parent in zip(rows, drafts.parent_index, strict=True)
            if parent is not None
        ],
        batch_size=5000,
    )
    return rows


def _build_check_ins(organisation, rows, rng, today) -> list[CheckIn]:
    """One to three check-ins a month apart on each agreed, active or achieved objective."""
    check_ins = []
    for row in rows:
        if row.status not in ("active", "agreed", "achieved"):
            continue
        # Most were checked in on lately; about one in six last heard of long ago (stale).
        last = int(rng.integers(90, 200)) if rng.random() < 0.17 else int(rng.integers(0, 50))
        for k in range(int(rng.integers(1, 4))):
            check_ins.append(
                CheckIn(
                    organisation=organisation,
                    objective_id=row.pk,
                    date=today - timedelta(days=last + 30 * k),
                    value=(row.baseline or 0) + float(rng.integers(0, 10)),
                    confidence="high",
                    by_label="bench",
                )
            )
    CheckIn.objects.bulk_create(check_ins, batch_size=5000)
    return check_ins


def connection_returns_ids(objects) -> bool:
    return bool(objects) and objects[0].pk is not None
