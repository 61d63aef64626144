"""The demo trusts' direction (pure, no database): the vision, objectives at every level,
their histories and check-ins, and the designed gaps, checked with the product's own pure
quality and coverage checks and the objectives import's validator.

The stored direction is checked the same way in tests/integration/test_demo_direction.py.
"""

from collections import Counter
from datetime import date, timedelta

import pytest

from colead.demo import objectives as O
from colead.demo.generator import generate
from colead.direction import imports
from colead.direction.coverage import PersonFacts, UnitFacts, coverage
from colead.direction.quality import CheckInPoint, ObjectiveFacts, assess
from colead.direction.reference import ELEMENTS, STATUSES, ObjectiveLimits
from colead.lib.table import read_table

# The model's limits (models.objective_limits()), as the import is handed them.
LIMITS = ObjectiveLimits(code=40, title=200, measure=200, unit_of_measure=50)

SEED, STAFF = 2026, 6000  # the demo's own size
TODAY = date(2026, 11, 26)


@pytest.fixture(scope="module")
def trusts():
    return generate(seed=SEED, staff=STAFF)


@pytest.fixture(scope="module")
def directions(trusts):
    return O.generate_directions(trusts, seed=SEED, today=TODAY)


@pytest.fixture(scope="module")
def acute(trusts, directions):
    return trusts[0], directions[0]


def unit_ancestors(trust) -> dict[str, list[str]]:
    """Each unit code -> itself and the codes above it."""
    parent = {u["unit_code"]: u["parent_code"] for u in trust.units}
    chains = {}
    for code in parent:
        chain, node = [], code
        while node:
            chain.append(node)
            node = parent[node]
        chains[code] = chain
    return chains


def facts_on(trust, plan, day):
    """The plan as it stands on ``day``, as the quality and coverage checks take it."""
    unit_ids = {u["unit_code"]: i for i, u in enumerate(trust.units)}
    units = {
        i: UnitFacts(i, u["unit_code"], u["name"], u["level"], unit_ids.get(u["parent_code"]))
        for i, u in enumerate(trust.units)
    }
    person_ids = {p["employee_number"]: i for i, p in enumerate(trust.workforce)}
    people = [PersonFacts(i, unit_ids[p["unit_code"]]) for i, p in enumerate(trust.workforce)]
    root = next(u["unit_code"] for u in trust.units if u["level"] == "organisation")
    ids = {o.code: i for i, o in enumerate(plan.objectives)}
    objectives = {}
    for i, o in enumerate(plan.objectives):
        status = o.status_on(day)
        if status is None:
            continue
        agreed = o.agreed_at(day)
        objectives[i] = ObjectiveFacts(
            id=i,
            code=o.code,
            title=o.title,
            unit_id=unit_ids[o.unit_code],
            status=status,
            is_org_level=o.unit_code == root and not o.owner,
            owner_id=person_ids[o.owner] if o.owner else None,
            parent_ids=tuple(ids[p] for p in o.parent_codes),
            measure=o.measure,
            baseline=o.baseline,
            target=o.target,
            direction=o.direction,
            due_date=o.due_date,
            agreed=agreed is not None,
            started_on=agreed.date() if agreed else o.created_on,
            check_ins=tuple(CheckInPoint(c.on, c.value) for c in o.check_ins if c.on <= day),
        )
    return units, people, objectives


def checked(trust, plan, day=TODAY):
    units, people, objectives = facts_on(trust, plan, day)
    return (
        objectives,
        assess(objectives, day),
        coverage(units=units, people=people, objectives=objectives, today=day),
    )


# The demo direction's fingerprint on TODAY, pinned so that a change to the generated
# objectives cannot go unnoticed. When the demo is changed on purpose, update it to the
# value this test reports (O.direction_digest(O.generate_directions(generate(seed=SEED,
# staff=STAFF), seed=SEED, today=TODAY))).
DIRECTION_DIGEST = "a23b959326d99b578d4f4dfe29b5bce8549d665f9a64ad8ad4027dd2d4e41343"


def test_the_same_seed_and_day_give_the_same_direction(trusts, directions):
    assert O.direction_digest(directions) == DIRECTION_DIGEST
    again = O.generate_directions(generate(seed=SEED, staff=STAFF), seed=SEED, today=TODAY)
    assert O.direction_digest(again) == O.direction_digest(directions)
    other = O.generate_directions(trusts, seed=SEED + 1, today=TODAY)
    assert O.direction_digest(other) != O.direction_digest(directions)


def test_the_structure_comes_from_the_seed_and_the_dates_from_the_day(trusts, directions):
    later = O.generate_directions(trusts, seed=SEED, today=TODAY + timedelta(days=7))
    for plan, moved in zip(directions, later, strict=True):
        assert [o.code for o in moved.objectives] == [o.code for o in plan.objectives]
        assert [o.status for o in moved.objectives] == [o.status for o in plan.objectives]
        assert moved.vision.approved_on == plan.vision.approved_on + timedelta(days=7)
        assert moved.gaps.stale == plan.gaps.stale and moved.gaps.orphans == plan.gaps.orphans


def test_both_trusts_have_a_vision_mission_and_values(directions):
    assert [plan.code for plan in directions] == ["DEMO1", "DEMO2"]
    for plan in directions:
        vision = plan.vision
        assert vision.vision and vision.mission
        assert len(vision.values) == 5 and all(name and text for name, text in vision.values)
        assert vision.drafted_on < vision.approved_on < TODAY
        # Approved before any objective was written: the objectives follow from it.
        assert vision.approved_on < min(o.created_on for o in plan.objectives)
    names = [name for name, _ in directions[0].vision.values]
    assert names == ["Compassion", "Respect", "Openness", "Learning", "Inclusion"]


def test_five_to_seven_organisation_objectives_with_measures_and_elements(trusts, directions):
    for trust, plan in zip(trusts, directions, strict=True):
        root = next(u["unit_code"] for u in trust.units if u["level"] == "organisation")
        top = [o for o in plan.objectives if o.unit_code == root and not o.owner]
        assert 5 <= len(top) <= 7
        for objective in top:
            assert objective.measure and objective.elements and objective.due_date
            assert objective.baseline is not None and objective.target is not None
            assert objective.status in ("active", "achieved")
        # The board is not itself a priority thicket: five active at most.
        assert sum(o.status == "active" for o in top) <= O.THICKET_LIMIT
    acute_top = [o for o in directions[0].objectives if o.unit_code == "DEMO1" and not o.owner]
    assert {e for o in acute_top for e in o.elements} == set(ELEMENTS)  # all six elements
    assert "Reduce the staff vacancy rate from 11% to 8% by March 2027" in [
        o.title for o in acute_top
    ]


def test_every_level_has_objectives_aligned_to_the_one_above(acute):
    trust, plan = acute
    levels = {u["unit_code"]: u["level"] for u in trust.units}
    planned = plan.by_code()
    order = ["organisation", "division", "directorate", "department", "team"]
    by_level = Counter("individual" if o.owner else levels[o.unit_code] for o in plan.objectives)
    assert by_level["division"] == 2 * Counter(levels.values())["division"]
    assert by_level["directorate"] >= 2 * Counter(levels.values())["directorate"]
    assert by_level["team"] > 300 and by_level["individual"] > 2500
    for objective in plan.objectives:
        for parent in objective.parent_codes:
            above = planned[parent]
            assert not above.owner  # nobody serves an individual objective
            if not objective.owner:  # a unit objective serves one of a unit above it
                assert order.index(levels[above.unit_code]) < order.index(
                    levels[objective.unit_code]
                ), objective.code


def themes_by_wording() -> dict[str, str]:
    """Each measure in the demo's data, and each vague aim's title (it has no measure), ->
    the theme the data puts it in; read from the data, not from the generator's choices."""
    themes: dict[str, str] = {}

    def add(wording: str, theme: str):
        assert themes.setdefault(wording, theme) == theme, f"{wording!r} is in two themes"

    for templates in (
        O.DIVISION_TEMPLATES,
        O.DIRECTORATE_TEMPLATES,
        O.TEAM_TEMPLATES,
        O.INDIVIDUAL_TEMPLATES,
    ):
        for theme, group in templates.items():
            for template in group:
                add(template.measure, theme)
    for design in O.DESIGNS.values():
        for spec in design.org_objectives:
            if spec.theme:  # the one achieved early has none: nothing serves it
                add(spec.measure, spec.theme)
    add(O.MET_AT_BASELINE.measure, O.MET_AT_BASELINE_THEME)
    add(O.DROPPED_DIRECTORATE.measure, O.DROPPED_DIRECTORATE_THEME)
    for theme, title in (
        *(aim for aims in O.VAGUE_TITLES.values() for aim in aims),
        O.PERSONA_VAGUE,
    ):
        add(title, theme)
    return themes


def test_every_objective_serves_one_of_its_own_theme(directions):
    """Read up from any objective to the board, the thread tells one story: no quality
    improvement course under an inclusion training objective."""
    themes = themes_by_wording()
    for plan in directions:
        planned = plan.by_code()
        aligned = [o for o in plan.objectives if o.parent_codes]
        assert len(aligned) > 500, plan.code
        incoherent = []
        for objective in aligned:
            theme = themes[objective.measure or objective.title]
            for parent in map(planned.get, objective.parent_codes):
                if themes[parent.measure or parent.title] != theme:
                    incoherent.append(f"{objective.title} -> {parent.title}")
        assert incoherent == [], plan.code


def test_no_objective_is_its_own_ancestor_and_parents_come_first(directions):
    for plan in directions:
        graph = {o.code: list(o.parent_codes) for o in plan.objectives}
        assert all(len(c) == 1 for c in imports.strongly_connected(graph))
        seen = set()
        for objective in plan.objectives:  # every parent listed (and written) before its child
            assert set(objective.parent_codes) <= seen, objective.code
            for parent in objective.parent_codes:
                assert plan.by_code()[parent].created_on <= objective.created_on
            seen.add(objective.code)
        assert len(seen) == len(plan.objectives)  # codes are unique


def test_individual_objectives_sit_in_their_owners_unit_tree(trusts, directions):
    for trust, plan in zip(trusts, directions, strict=True):
        chains = unit_ancestors(trust)
        people = {p["employee_number"]: p for p in trust.workforce}
        individual = [o for o in plan.objectives if o.owner]
        assert individual
        for objective in individual:
            person = people[objective.owner]
            teams = [person["unit_code"], *filter(None, person["team_codes"].split(";"))]
            assert any(objective.unit_code in chains[team] for team in teams), objective.code


def test_every_element_status_and_code_is_valid(directions):
    for plan in directions:
        for objective in plan.objectives:
            assert set(objective.elements) <= set(ELEMENTS)
            assert list(objective.elements) == [e for e in ELEMENTS if e in objective.elements]
            assert objective.status in STATUSES
            assert imports.OBJECTIVE_CODE_RE.match(objective.code)
            assert len(objective.title) <= 200 and len(objective.measure) <= 200
            for step in objective.steps:
                assert step.act in O.STATUS_AFTER


def test_every_date_is_in_the_past_and_in_order(directions):
    for plan in directions:
        for objective in plan.objectives:
            moments = [step.at for step in objective.steps]
            assert moments == sorted(moments), objective.code
            assert all(objective.created_on <= step.on < TODAY for step in objective.steps)
            agreed = objective.last_step("agreed")
            for check_in in objective.check_ins:
                assert agreed is not None and agreed.on < check_in.on < TODAY
                assert check_in.value is not None or check_in.comment  # as check_in insists
                assert check_in.confidence in ("high", "medium", "low")
            if objective.status in O.LIVE:  # still to be done: due after today
                assert objective.due_date is None or objective.due_date > TODAY, objective.code


def test_each_imported_objective_is_written_in_one_phase(directions):
    """So the build imports each once: the import's updates are its slow part. Only the
    directorate objective dropped later (which orphans its teams') changes after."""
    for plan in directions:
        changing = []
        for objective in plan.objectives:
            if objective.through_services:
                continue
            statuses = {objective.status_on(day) for day in plan.phases} - {None}
            if len(statuses) > 1:
                changing.append(objective.code)
        dropped = [o.code for o in plan.objectives if o.last_step("dropped") and not o.owner]
        assert set(changing) <= set(dropped)
        assert len(changing) == (1 if plan.code == "DEMO1" else 0)


def test_the_rows_pass_the_objectives_import(trusts, directions):
    """Every phase's file is accepted by the real validator (units, owners' trees, loops)."""
    for trust, plan in zip(trusts, directions, strict=True):
        chains = unit_ancestors(trust)
        units = {
            code: imports.KnownUnit(code, "/" + "/".join(reversed(chain)) + "/")
            for code, chain in chains.items()
        }
        people = {
            p["employee_number"]: imports.KnownPerson(
                p["employee_number"],
                f"{p['first_name']} {p['last_name']}",
                (p["unit_code"], *filter(None, p["team_codes"].split(";"))),
            )
            for p in trust.workforce
        }
        existing: dict[str, imports.ObjectiveValues] = {}
        previous = date.min
        for day in plan.phases:
            rows = [
                o
                for o in plan.objectives
                if previous < o.created_on <= day
                or (o.created_on <= previous and o.status_on(day) != o.status_on(previous))
            ]
            table = read_table(plan.csv(rows, day), f"{plan.code}-{day}.csv")
            result = imports.validate_objectives(
                table, units=units, people=people, existing=existing, limits=LIMITS
            )
            existing.update(result.records)
            previous = day
        assert len(existing) == len(plan.objectives)


@pytest.mark.parametrize("staff", [STAFF, 300])
def test_the_designed_gaps_are_what_the_products_checks_find(staff):
    trusts = generate(seed=SEED, staff=staff)
    plans = O.generate_directions(trusts, seed=SEED, today=TODAY)
    for trust, plan in zip(trusts, plans, strict=True):
        objectives, quality, report = checked(trust, plan)
        gaps = plan.gaps
        code = {i: o.code for i, o in objectives.items()}
        units = {i: u["unit_code"] for i, u in enumerate(trust.units)}
        assert sorted(code[i] for i in report.orphan_ids) == gaps.orphans
        assert sorted(units[i] for i in report.thicket_counts) == gaps.thickets
        assert sorted(code[i] for i in report.stale_days) == gaps.stale
        unclear = [code[i] for i, q in quality.items() if q.clear.passed is False]
        assert sorted(unclear) == gaps.vague
        met = [
            code[i]
            for i, q in quality.items()
            if any("already met at the baseline" in reason for reason in q.challenging.reasons)
        ]
        assert sorted(met) == gaps.met_at_baseline
        # No target short of the challenge margin, apart from the one already met.
        assert not any(
            "beyond the baseline" in r and "only" in r
            for q in quality.values()
            for r in q.challenging.reasons
        )
        unagreed = [o.code for o in plan.objectives if o.status in ("draft", "proposed")]
        assert sorted(unagreed) == gaps.unagreed
        for name in ("orphans", "thickets", "stale", "unagreed", "changes_requested", "vague"):
            assert getattr(gaps, name), (plan.code, name)  # every gap is there
        assert gaps.met_at_baseline
        assert set(gaps.changes_requested) <= set(gaps.unagreed)
        for objective in map(plan.by_code().get, gaps.changes_requested):
            assert [s.act for s in objective.steps][:2] == ["proposed", "changes_requested"]
        if plan.code == "DEMO1":
            assert len(gaps.dropped_parent) == 2 and set(gaps.dropped_parent) <= set(gaps.orphans)
            assert len(gaps.thickets) == 3


def test_staff_coverage_is_realistic_and_divisions_differ_as_designed(trusts, directions):
    for trust, plan in zip(trusts, directions, strict=True):
        _, _, report = checked(trust, plan)
        assert 0.40 <= report.staff_coverage <= 0.65, plan.code
        assert 0.40 <= report.team_coverage <= 0.75, plan.code
        divisions = {group.code: group for group in report.by_division}
        best, weakest = divisions[plan.gaps.best_division], divisions[plan.gaps.weakest_division]
        assert best.team_coverage >= weakest.team_coverage + 0.3, plan.code
        assert best.staff_coverage >= weakest.staff_coverage + 0.2, plan.code
    acute = {g.code: g.staff_coverage for g in checked(*[trusts[0], directions[0]])[2].by_division}
    assert max(acute, key=acute.get) == "WAC" and min(acute, key=acute.get) == "MED"


def test_coverage_grows_over_the_phases(trusts, directions):
    for trust, plan in zip(trusts, directions, strict=True):
        reports = [checked(trust, plan, day)[2] for day in plan.phases]
        teams = [r.team_coverage for r in reports]
        staff = [r.staff_coverage for r in reports]
        assert teams == sorted(teams) and staff == sorted(staff)
        assert teams[0] < 0.15 and teams[-1] - teams[0] > 0.3


def test_the_demo_staff_member_and_manager_have_objectives(acute):
    trust, plan = acute
    staff, manager = trust.personas["staff"], trust.personas["manager"]
    ward = next(p["unit_code"] for p in trust.workforce if p["employee_number"] == manager)
    planned = plan.by_code()
    own = [o for o in plan.objectives if o.owner == staff]
    assert [o.status for o in own] == ["active", "proposed"]
    agreed, waiting = own
    assert [(s.act, s.by) for s in agreed.steps] == [
        ("proposed", "staff"),
        ("agreed", "manager"),
        ("active", "manager"),
    ]
    assert agreed.check_ins and {c.by for c in agreed.check_ins} == {"staff"}
    assert [(s.act, s.by) for s in waiting.steps] == [("proposed", "staff")]
    assert all(o.through_services and o.by == "staff" for o in own)
    for objective in own:  # each serves one of the ward's live objectives
        (parent,) = objective.parent_codes
        assert planned[parent].unit_code == ward and planned[parent].status in O.LIVE
    team = [o for o in plan.objectives if o.unit_code == ward and not o.owner]
    assert len(team) == 3 and all(o.status == "active" for o in team)
    assert [o.status for o in plan.objectives if o.owner == manager] == ["active"]
    asked = [
        o
        for o in plan.objectives
        if o.unit_code == ward and any(s.by == "manager" and s.comment for s in o.steps)
    ]
    assert len(asked) == 1 and asked[0].code in plan.gaps.vague
