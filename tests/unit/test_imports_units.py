"""The units validator (colead.org.imports.units): every rule, with no database."""

import pytest

from colead.org.imports import ImportRejected, read_table
from colead.org.imports.units import ExistingUnit, validate_units

HEADER = "unit_code,name,parent_code,level,site"
GOOD = [
    "ROOT,Test Trust,,organisation,",
    "MED,Medicine,ROOT,division,",
    "CARD,Cardiology,MED,directorate,Main site",
    "W1,Ward 1,CARD,team,Main site",
]


def table(*rows, header=HEADER):
    return read_table("\n".join([header, *rows]).encode(), "units.csv")


def problems_of(tbl, existing=None):
    with pytest.raises(ImportRejected) as caught:
        validate_units(tbl, existing or {})
    return caught.value.problems


def existing(code, parent="", level="team", *, name=None, people=0, active=True, site=""):
    return ExistingUnit(code, name or code, parent, level, site, active, people)


def test_a_good_file_for_a_new_organisation_adds_every_unit():
    plan = validate_units(table(*GOOD), {})
    assert [r.code for r in plan.adds] == ["ROOT", "MED", "CARD", "W1"]
    assert plan.records["W1"].parent_code == "CARD"
    assert plan.updates == [] and plan.deactivations == [] and plan.unchanged == 0


def test_levels_are_case_insensitive():
    plan = validate_units(table("ROOT,T,,Organisation,", "A,A,ROOT,DIVISION,"), {})
    assert [r.level for r in plan.adds] == ["organisation", "division"]


def test_plan_against_existing_units():
    current = {
        "ROOT": existing("ROOT", level="organisation", name="Test Trust"),
        "MED": existing("MED", "ROOT", "division", name="Medicine (old name)"),
        "CARD": existing("CARD", "MED", "directorate", name="Cardiology", site="Main site"),
        "W1": existing("W1", "CARD", name="Ward 1", site="Main site", active=False),
        "OLD": existing("OLD", "MED", name="Old ward"),
        "GONE": existing("GONE", "MED", active=False),
    }
    plan = validate_units(table(*GOOD), current)
    assert plan.adds == []
    changes = {u.code: u.changes for u in plan.updates}
    assert changes == {
        "MED": {"name": ("Medicine (old name)", "Medicine")},
        "W1": {"is_active": (False, True)},
    }
    assert [u.code for u in plan.deactivations] == ["OLD"]  # GONE was already inactive
    assert plan.unchanged == 2


def test_a_missing_unit_with_people_is_a_problem():
    current = {
        "ROOT": existing("ROOT", level="organisation"),
        "W2": existing("W2", "ROOT", name="Ward 2", people=3),
    }
    problems = problems_of(table("ROOT,T,,organisation,"), current)
    assert len(problems) == 1
    assert problems[0].value == "W2"
    assert "3 current people work in it" in problems[0].message


def test_without_a_site_column_sites_are_left_alone():
    current = {"ROOT": existing("ROOT", level="organisation", name="T", site="HQ")}
    plan = validate_units(
        table("ROOT,T,,organisation", header="unit_code,name,parent_code,level"), current
    )
    assert plan.no_changes and not plan.site_given


def test_every_problem_is_reported_with_its_place():
    tbl = table(
        "ROOT,Trust,,organisation,",
        "MED,,ROOT,division,",  # blank name (row 3)
        "CARD,Cardiology,MED,ward,",  # unknown level (row 4)
        "bad code,X,MED,team,",  # invalid code (row 5)
        "MED,Again,ROOT,division,",  # duplicate (row 6)
        "W9,Ward 9,NOPE,team,",  # unknown parent (row 7)
        "X" * 41 + ",Long,ROOT,team,",  # code too long (row 8)
        "LONG," + "n" * 201 + ",ROOT,team,",  # name too long (row 9)
    )
    places = [(p.row, p.column) for p in problems_of(tbl)]
    assert places == [
        (3, "name"),
        (4, "level"),
        (5, "unit_code"),
        (6, "unit_code"),
        (7, "parent_code"),
        (8, "unit_code"),
        (9, "name"),
    ]


def test_problem_messages_say_what_and_how():
    problems = problems_of(table("ROOT,T,,organisation,", "A,A,ROOT,ward,"))
    assert str(problems[0]) == (
        'units.csv, row 3, column level: "ward" is not a unit level. Use one of: '
        "organisation, division, directorate, department, team."
    )


def test_a_cycle_is_reported_once_with_the_whole_chain():
    tbl = table(
        "ROOT,T,,organisation,",
        "A,A,C,division,",
        "B,B,A,division,",
        "C,C,B,division,",
        "D,D,ROOT,division,",
    )
    problems = problems_of(tbl)
    assert len(problems) == 1
    assert problems[0].row == 3
    assert problems[0].column == "parent_code"
    assert "A → C → B → A" in problems[0].message


def test_a_unit_that_is_its_own_parent():
    problems = problems_of(table("ROOT,T,,organisation,", "A,A,A,team,"))
    assert [(p.row, p.column) for p in problems] == [(3, "parent_code")]
    assert "its own parent" in problems[0].message


def test_exactly_one_top_unit():
    no_root = problems_of(table("A,A,B,division,", "B,B,A,division,"))
    assert any("No unit is the top" in p.message for p in no_root)
    two_roots = problems_of(table("ROOT,T,,organisation,", "R2,T2,,organisation,"))
    assert [(p.row, p.column) for p in two_roots] == [(3, "parent_code")]
    assert "second top unit" in two_roots[0].message


def test_blank_parent_needs_the_organisation_level_and_vice_versa():
    problems = problems_of(table("ROOT,T,,organisation,", "A,A,,team,", "B,B,ROOT,organisation,"))
    assert [(p.row, p.column) for p in problems] == [(3, "parent_code"), (4, "level")]


def test_the_top_unit_code_cannot_change():
    current = {"TST1-ROOT": existing("TST1-ROOT", level="organisation")}
    problems = problems_of(table("NEWROOT,T,,organisation,"), current)
    messages = " ".join(p.message for p in problems)
    assert 'top unit is "TST1-ROOT"' in messages


def test_missing_and_unknown_columns():
    problems = problems_of(table("ROOT,T,organisation,x", header="unit_code,name,level,sight"))
    assert [(p.row, p.column) for p in problems] == [(1, "parent_code"), (1, "sight")]
    assert "required column parent_code is missing" in problems[0].message
    assert '"sight"' in problems[1].message


def test_a_file_without_headings_is_one_clear_problem():
    problems = problems_of(table("MED,Medicine,ROOT,division,", header="ROOT,Trust,,organisation,"))
    assert len(problems) == 1
    assert "should hold the column headings" in problems[0].message


def test_headings_only_is_a_problem():
    problems = problems_of(table())
    assert any("no units" in p.message for p in problems)


def test_parent_suggestion_for_a_case_mismatch():
    problems = problems_of(table("ROOT,T,,organisation,", "MED,M,ROOT,division,", "A,A,med,team,"))
    assert "Did you mean MED?" in problems[0].message


def test_unit_code_rule_matches_the_model():
    from colead.org.imports.common import UNIT_CODE_RE
    from colead.org.models import UNIT_CODE_RE as MODEL_RE

    assert UNIT_CODE_RE.pattern == MODEL_RE.pattern
