"""colead.direction.imports: validating an objectives file (pure), every kind of problem,
and a property test that no file that would make a loop of parents is ever accepted."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from colead.direction.imports import (
    KnownPerson,
    KnownUnit,
    ObjectiveValues,
    parse_number,
    split_list,
    strongly_connected,
    validate_objectives,
)
from colead.direction.reference import ObjectiveLimits
from colead.lib.problems import ImportRejected
from colead.lib.table import Row, Table, read_table

# Inputs, as models.objective_limits() gives them in the application.
LIMITS = ObjectiveLimits(code=40, title=200, measure=200, unit_of_measure=50)

HEADER = (
    "objective_code,title,level_unit_code,owner_employee_number,parent_codes,measure,"
    "baseline,target,direction,due_date,status,elements"
)
UNITS = {
    u.code: u
    for u in [
        KnownUnit("ROOT", "/00000001/"),
        KnownUnit("MED", "/00000001/00000002/"),
        KnownUnit("CARD", "/00000001/00000002/00000003/"),
        KnownUnit("W1", "/00000001/00000002/00000003/00000004/"),
        KnownUnit("W2", "/00000001/00000002/00000003/00000005/"),
        KnownUnit("SURG", "/00000001/00000006/"),
        KnownUnit("OLD", "/00000001/00000007/", is_active=False),
    ]
}
PEOPLE = {
    p.employee_number: p
    for p in [
        KnownPerson("S1", "Sam Nurse", ("W1",)),
        KnownPerson("S2", "Pat Floater", ("W2", "SURG")),
        KnownPerson("L1", "Lee Leaver", ("W1",), is_current=False),
    ]
}
EXISTING = {
    "ORG1": ObjectiveValues("ORG1", "Outstanding care", "ROOT", status="active"),
    "MED1": ObjectiveValues("MED1", "Medicine", "MED", parent_codes=("ORG1",), status="active"),
}


def validate(text: str, existing=None):
    table = read_table(text.encode(), "objectives.csv")
    return validate_objectives(
        table,
        units=UNITS,
        people=PEOPLE,
        limits=LIMITS,
        existing=EXISTING if existing is None else existing,
    )


def problems(text: str, existing=None) -> list[str]:
    with pytest.raises(ImportRejected) as rejected:
        validate(text, existing)
    return [str(problem) for problem in rejected.value.problems]


GOOD = f"""{HEADER}
CARD1,Cut waits in cardiology from 12 to 6 weeks,CARD,,MED1,Median wait (weeks),12,6,down,2027-03-31,agreed,goals_performance;Teamwork
W1-A,Zero falls with harm,W1,,CARD1,Falls with harm,3,0,down,2026-12-31,active,
S1-A,Finish the preceptorship,W1,S1,W1-A,Modules done,0,6,up,2026-09-30,draft,learning_innovation
S1-B,Lead one improvement project,MED,S1,CARD1; W1-A ;,,,,,,,
"""


def test_a_good_file_plans_adds_with_every_field():
    plan = validate(GOOD)
    assert plan.adds == ["CARD1", "W1-A", "S1-A", "S1-B"]
    card = plan.records["CARD1"]
    assert card == ObjectiveValues(
        code="CARD1",
        title="Cut waits in cardiology from 12 to 6 weeks",
        unit_code="CARD",
        owner="",
        parent_codes=("MED1",),
        measure="Median wait (weeks)",
        baseline=12.0,
        target=6.0,
        direction="down",
        due_date=date(2027, 3, 31),
        status="agreed",
        elements=("goals_performance", "teamwork"),
        row=2,
    )
    blank = plan.records["S1-B"]
    assert (blank.parent_codes, blank.direction, blank.status, blank.baseline) == (
        ("CARD1", "W1-A"),
        "up",
        "draft",
        None,
    )


def test_updates_list_the_changes_and_unchanged_rows_are_counted():
    existing = dict(EXISTING)
    existing["CARD1"] = ObjectiveValues(
        "CARD1",
        "Cut waits in cardiology from 12 to 6 weeks",
        "CARD",
        parent_codes=("MED1",),
        measure="Median wait (weeks)",
        baseline=12.0,
        target=8.0,
        direction="down",
        due_date=date(2027, 3, 31),
        status="agreed",
        elements=("teamwork", "goals_performance"),
    )
    text = "\n".join(GOOD.splitlines()[:2]) + "\nMED1,Medicine,MED,,ORG1,,,,,,active,\n"
    plan = validate(text, existing)
    assert plan.adds == []
    assert [(u.code, u.changes) for u in plan.updates] == [
        (
            "CARD1",
            {
                "target": (8.0, 6.0),
                "elements": (("teamwork", "goals_performance"), ("goals_performance", "teamwork")),
            },
        )
    ]
    assert plan.unchanged == 1


def test_columns_left_out_keep_the_stored_values():
    existing = dict(EXISTING)
    existing["W1-A"] = ObjectiveValues(
        "W1-A", "Falls", "W1", owner="", parent_codes=("MED1",), target=2.0, status="active"
    )
    plan = validate("objective_code,title,level_unit_code\nW1-A,Falls,W1\nNEW,New,W2\n", existing)
    assert plan.records["W1-A"].parent_codes == ("MED1",)
    assert plan.records["W1-A"].target == 2.0
    assert plan.unchanged == 1
    assert plan.records["NEW"].status == "draft"


def test_unknown_units_parents_and_owners():
    found = problems(
        f"""{HEADER}
A,Objective,w1,,,,,,,,,
B,Objective,NOWHERE,,,,,,,,,
C,Objective,OLD,,,,,,,,,
D,Objective,W1,S9,,,,,,,,
E,Objective,W1,s1,,,,,,,,
F,Objective,W1,L1,,,,,,,,
G,Objective,W1,,ORG1;NOPE;med1,,,,,,,
"""
    )
    assert found == [
        'objectives.csv, row 2, column level_unit_code: The unit "w1" is not one of the '
        "organisation's units. Did you mean W1? Use the unit_code of the unit the objective "
        "belongs to: the organisation's top unit for an organisation objective, or a division, "
        "directorate or team (see the units file).",
        'objectives.csv, row 3, column level_unit_code: The unit "NOWHERE" is not one of the '
        "organisation's units. Use the unit_code of the unit the objective belongs to: the "
        "organisation's top unit for an organisation objective, or a division, directorate or "
        "team (see the units file).",
        'objectives.csv, row 4, column level_unit_code: The unit "OLD" is no longer active. '
        "Give the objective an active unit, or bring the unit back with a units import.",
        'objectives.csv, row 5, column owner_employee_number: The owner "S9" is not an '
        "employee_number in the organisation's workforce. Use the owner's employee number "
        "from the workforce file, or leave it blank for an objective of the unit itself.",
        'objectives.csv, row 6, column owner_employee_number: The owner "s1" is not an '
        "employee_number in the organisation's workforce. Did you mean S1? Use the owner's "
        "employee number from the workforce file, or leave it blank for an objective of the "
        "unit itself.",
        'objectives.csv, row 7, column owner_employee_number: The owner "L1" (Lee Leaver) has '
        "left the organisation. Give the objective a current owner, or leave it blank for an "
        "objective of the unit itself.",
        'objectives.csv, row 8, column parent_codes: The parent "NOPE" is not an '
        "objective_code in this file or in the organisation. Correct the code, or add the "
        "parent objective (in this file or first).",
        'objectives.csv, row 8, column parent_codes: The parent "med1" is not an '
        "objective_code in this file or in the organisation. Did you mean MED1? Correct the "
        "code, or add the parent objective (in this file or first).",
    ]


def test_an_individual_objective_must_sit_in_its_owners_unit_tree():
    found = problems(
        f"""{HEADER}
A,Mine,W1,S1,,,,,,,,
B,Mine,CARD,S1,,,,,,,,
C,Mine,ROOT,S1,,,,,,,,
D,Not mine,W2,S1,,,,,,,,
E,Not mine,SURG,S1,,,,,,,,
F,A further team,SURG,S2,,,,,,,,
"""
    )
    assert len(found) == 2
    assert found[0] == (
        "objectives.csv, row 5, column level_unit_code: An individual objective must sit in its "
        "owner's unit tree, but \"W2\" is neither one of Sam Nurse's teams (W1) nor above them. "
        "Use the owner's team, or a unit above it (their directorate or division)."
    )
    assert found[1].startswith("objectives.csv, row 6, column level_unit_code:")


def test_moving_a_stored_individual_objective_out_of_its_owners_tree_is_a_problem():
    existing = dict(EXISTING)
    existing["S1-A"] = ObjectiveValues("S1-A", "Mine", "W1", owner="S1")
    found = problems("objective_code,title,level_unit_code\nS1-A,Mine,W2\n", existing)
    assert "Sam Nurse's teams" in found[0]


def test_bad_values_name_their_row_column_and_fix():
    found = problems(
        f"""{HEADER}
A,Objective,W1,,,,85%,n/a,sideways,31/03/2027,finished,happiness;teamwork
B,Objective,W1,,,,1e999,,UP,2027-02-30,AGREED,Vision and values
"""
    )
    assert found == [
        'objectives.csv, row 2, column baseline: "85%" is not a number. Write a plain number '
        "such as 85 or 12.5, with no % sign or units (put those in the measure), or leave it "
        "blank.",
        'objectives.csv, row 2, column target: "n/a" is not a number. Write a plain number such '
        "as 85 or 12.5, with no % sign or units (put those in the measure), or leave it blank.",
        'objectives.csv, row 2, column direction: "sideways" is not a direction. Use one of: '
        "up, down (or leave it blank for up).",
        'objectives.csv, row 2, column due_date: "31/03/2027" is not a date in the form '
        "YYYY-MM-DD. Write dates as year-month-day, like 2027-03-31 (in Excel, format the "
        "column as yyyy-mm-dd), or leave it blank.",
        'objectives.csv, row 2, column status: "finished" is not a status. Use one of: draft, '
        "proposed, agreed, active, achieved, dropped (or leave it blank for draft).",
        'objectives.csv, row 2, column elements: "happiness" is not a cultural element. Use '
        "the codes vision_values, goals_performance, support_compassion, learning_innovation, "
        "teamwork, equity_inclusion, separated by semicolons.",
        'objectives.csv, row 3, column baseline: "1e999" is not a number. Write a plain number '
        "such as 85 or 12.5, with no % sign or units (put those in the measure), or leave it "
        "blank.",
        'objectives.csv, row 3, column due_date: "2027-02-30" is not a real date. Write dates '
        "as year-month-day, like 2027-03-31 (in Excel, format the column as yyyy-mm-dd), or "
        "leave it blank.",
    ]


def test_codes_titles_and_lengths():
    found = problems(
        f"""{HEADER}
,No code,W1,,,,,,,,,
bad code,Spaces,W1,,,,,,,,,
A,,W1,,,,,,,,,
A,Again,W1,,,,,,,,,
B,{"x" * 201},,,,,,,,,,
"""
    )
    assert [problem.split(":")[0] for problem in found] == [
        "objectives.csv, row 2, column objective_code",
        "objectives.csv, row 3, column objective_code",
        "objectives.csv, row 4, column title",
        "objectives.csv, row 5, column objective_code",
        "objectives.csv, row 6, column title",
        "objectives.csv, row 6, column level_unit_code",
    ]
    assert "also on row 4" in found[3]


def test_the_code_of_the_new_objective_page_is_refused():
    found = problems(f"{HEADER}\nnew,A title,W1,,,,,,,,,\n")
    assert found[0].startswith("objectives.csv, row 2, column objective_code")
    assert "kept for the address of a page" in found[0]


def test_loops_of_parents_are_reported_once_with_the_chain():
    found = problems(
        f"""{HEADER}
A,Objective,W1,,C,,,,,,,
B,Objective,W1,,A,,,,,,,
C,Objective,W1,,B;ORG1,,,,,,,
D,Objective,W1,,D,,,,,,,
ORG1,Outstanding care,ROOT,,MED1,,,,,,,
"""
    )
    assert found == [
        "objectives.csv, row 2, column parent_codes: The objectives' parents form a loop: "
        "A → C → B → A (each arrow leads to a parent), so 3 objectives would be their own "
        "ancestors. Remove one of these parent links, so that following parents always ends "
        "at an organisation objective.",
        'objectives.csv, row 5, column parent_codes: The objective "D" is listed as its own '
        "parent. An objective serves the objectives above it: remove its own code.",
        "objectives.csv, row 6, column parent_codes: The objectives' parents form a loop: "
        "ORG1 → MED1 → ORG1 (each arrow leads to a parent), so 2 objectives would be their own "
        "ancestors. Remove one of these parent links, so that following parents always ends "
        "at an organisation objective.",
    ]


def test_missing_and_unknown_columns():
    found = problems("objective_code,title,unit\nA,Objective,W1\n")
    assert found[0].startswith("objectives.csv, row 1, column level_unit_code: The required")
    assert 'Unknown column: "unit"' in found[1]
    found = problems("code,name\nA,B\n")
    assert "none of them is recognised" in found[0]


def test_an_empty_file():
    assert "only headings" in problems(HEADER + "\n")[0]


def test_parse_number_and_split_list():
    assert parse_number("1,200.5") == 1200.5
    assert parse_number(" -3 ") == -3.0
    assert parse_number(".5") == 0.5
    for bad in ("", "85%", "1,20", "nan", "inf", "1e16", "twelve"):
        assert parse_number(bad) is None
    assert split_list(" A;B;; A ;") == ["A", "B"]


# --- The property: an accepted file never leaves a loop ---------------------------------------

CODES = [f"O{i}" for i in range(8)]


def has_loop(parents_of: dict[str, tuple[str, ...]]) -> bool:
    """Independent check (Kahn's algorithm): a graph has a loop iff not every node can be
    removed in topological order."""
    nodes = set(parents_of)
    indegree = {node: 0 for node in nodes}
    for node, parents in parents_of.items():
        for parent in parents:
            if parent in nodes:
                indegree[node] += 1
    children = {node: [] for node in nodes}
    for node, parents in parents_of.items():
        for parent in parents:
            if parent in nodes:
                children[parent].append(node)
    ready = [node for node, n in indegree.items() if n == 0]
    removed = 0
    while ready:
        node = ready.pop()
        removed += 1
        for child in children[node]:
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    return removed < len(nodes)


@st.composite
def stored_and_file(draw):
    stored_codes = draw(st.lists(st.sampled_from(CODES), unique=True, max_size=6))
    # The stored graph has no loops: parents only among earlier stored codes.
    stored = {}
    for index, code in enumerate(stored_codes):
        earlier = stored_codes[:index]
        parents = draw(st.lists(st.sampled_from(earlier), unique=True)) if earlier else []
        stored[code] = ObjectiveValues(code, "Stored", "W1", parent_codes=tuple(parents))
    file_codes = draw(st.lists(st.sampled_from(CODES), unique=True, min_size=1, max_size=8))
    known = sorted(set(stored_codes) | set(file_codes))
    rows = {
        code: draw(st.lists(st.sampled_from(known), unique=True, max_size=3)) for code in file_codes
    }
    return stored, rows


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stored_and_file())
def test_an_import_never_accepts_a_loop(case):
    stored, rows = case
    table = Table(
        "objectives.csv",
        ["objective_code", "title", "level_unit_code", "parent_codes"],
        [
            Row(
                n,
                {
                    "objective_code": code,
                    "title": "T",
                    "level_unit_code": "W1",
                    "parent_codes": ";".join(parents),
                },
            )
            for n, (code, parents) in enumerate(rows.items(), start=2)
        ],
    )
    merged = {code: o.parent_codes for code, o in stored.items()}
    merged.update({code: tuple(p for p in parents) for code, parents in rows.items()})
    self_parent = any(code in parents for code, parents in rows.items())
    loop = has_loop({code: tuple(p for p in ps if p != code) for code, ps in merged.items()})
    try:
        plan = validate_objectives(
            table, units=UNITS, people=PEOPLE, limits=LIMITS, existing=stored
        )
    except ImportRejected as rejected:
        assert loop or self_parent, [str(p) for p in rejected.problems]
        messages = " ".join(p.message for p in rejected.problems)
        if loop:
            assert "form a loop" in messages
        if self_parent:
            assert "its own parent" in messages
        return
    assert not loop and not self_parent
    after = {code: o.parent_codes for code, o in stored.items()}
    after.update({code: r.parent_codes for code, r in plan.records.items()})
    assert not has_loop(after)


def test_strongly_connected_handles_long_chains_without_recursion():
    chain = {f"N{i}": [f"N{i + 1}"] for i in range(20_000)}
    chain["N20000"] = ["N0"]
    components = strongly_connected(chain)
    assert len(components) == 1 and len(components[0]) == 20_001
    assert all(
        len(c) == 1 for c in strongly_connected({f"N{i}": [f"N{i + 1}"] for i in range(5000)})
    )


def test_a_control_character_in_an_objective_is_refused_with_its_place():
    text = GOOD.replace("Zero falls with harm", "Zero falls\x1b with harm")
    assert problems(text) == [
        'objectives.csv, row 3, column title: "Zero falls\\x1b with harm" contains the '
        "invisible character ESC (U+001B) (shown as \\x1b), which cannot be stored. Retype "
        "the cell in column B without it, or delete the character, and save the file again."
    ]
