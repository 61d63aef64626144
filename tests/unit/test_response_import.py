"""The responses-file validator: every kind of problem, several at once, and the mapping
file. Pure Python: the wave's instruments and units are passed in as data."""

import csv
import io

import pytest

from colead.org.imports import ImportRejected, read_table
from colead.surveys import definitions
from colead.surveys.response_import import validate_responses

EXTRAS_YAML = """
code: paper-extras
version: 1
title: Paper extras
items:
  - {code: tenure, type: number, min: 0, max: 60, text: "Years here?"}
  - {code: hours, type: number, text: "Hours last week?"}
  - code: shifts
    type: multiple_choice
    text: "Which shifts do you work?"
    options: [{code: day, label: Days}, {code: night, label: Nights}, {code: weekend, label: Weekends}]
  - code: site
    type: single_choice
    dont_know: true
    text: "Where do you mostly work?"
    options: [{code: main, label: Main Hospital}, {code: north, label: North Clinic}]
  - {code: note, type: free_text, max_length: 20, text: "Anything else?"}
"""
BUILTIN = {instrument.code: instrument for instrument in definitions.builtin_instruments()}
EXTRAS = definitions.parse_instrument(EXTRAS_YAML, filename="paper-extras.yaml")
# A wave of team working (yes/no, show_if), staff engagement (no don't know), the extras.
INSTRUMENTS = [BUILTIN["team-working"], BUILTIN["staff-engagement"], EXTRAS]
WITH_ABOUT_YOU = [BUILTIN["culture-pulse"], BUILTIN["demographics"]]
UNITS = {"W1": 11, "W2": 12, "T1": 13}
OTHERS = {"SURG": "outside", "OLD": "inactive", "w2x": "outside"}


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def validate(rows, *, instruments=INSTRUMENTS, mapping=None, units=UNITS, others=OTHERS):
    table = read_table(csv_bytes(rows), "responses.csv")
    mapping_table = read_table(csv_bytes(mapping), "map.csv") if mapping is not None else None
    return validate_responses(
        table,
        instruments=instruments,
        units=units,
        other_units=others,
        wave_units=["MED"],
        organisation="Test Trust (TST1)",
        mapping=mapping_table,
    )


def problems_of(rows, **kwargs) -> list:
    with pytest.raises(ImportRejected) as caught:
        validate(rows, **kwargs)
    return caught.value.problems


def places(problems) -> list[tuple]:
    return [(p.file, p.row, p.column) for p in problems]


# -- what a valid file becomes ------------------------------------------------------------


def test_every_kind_of_answer_is_stored_as_online_answers_are():
    plan = validate(
        [
            [
                "unit_code",
                "in_team",
                "tc1",
                "mo1",
                "in1",
                "tenure",
                "hours",
                "shifts",
                "site",
                "note",
            ],
            ["W1", "1", "4", "5", "DK", "12", "37.5", "1;3", "2", "Good team"],
            ["w2", "no", "", "1", "dk", "0", "", "weekend;Days;1", "North Clinic", ""],
            ["T1", "Y", "", "3", "", "60", "1,234", "", "DK", ""],
        ]
    )
    assert plan.count == 3
    first, second, third = plan.responses
    assert (first.row, first.unit) == (2, 11)
    assert first.answers == {
        "in_team": "yes",
        "tc1": "4",
        "mo1": "5",
        "in1": "dk",
        "tenure": 12,
        "hours": 37.5,
        "shifts": ["day", "weekend"],
        "site": "north",
    }
    assert first.comments == {"note": "Good team"}
    assert first.demographics == {}
    # Unit codes ignore case; repeats in a multiple choice count once, in option order.
    assert second.unit == 12
    assert second.answers == {
        "in_team": "no",
        "mo1": "1",
        "in1": "dk",
        "tenure": 0,
        "shifts": ["day", "weekend"],
        "site": "north",
    }
    assert third.answers == {
        "in_team": "yes",
        "mo1": "3",
        "tenure": 60,
        "hours": 1234,
        "site": "dk",
    }
    assert plan.dont_know == 3
    assert plan.comments == 1
    assert plan.hidden_dropped == 0


def test_staff_group_and_band_are_workforce_codes_without_an_about_you_instrument():
    plan = validate(
        [
            ["unit_code", "staff_group", "band", "mo1"],
            ["W1", "Nursing and Midwifery Registered", "6", "4"],
            ["W1", "medical_dental", "Consultant", "4"],
            ["W1", "", "", "4"],
        ]
    )
    assert [r.demographics for r in plan.responses] == [
        {"staff_group": "nursing_midwifery_registered", "band": "band_6"},
        {"staff_group": "medical_dental", "band": "consultant"},
        {},
    ]


def test_about_you_answers_go_into_the_demographics_in_the_instruments_options():
    plan = validate(
        [
            ["unit_code", "staff_group", "band", "sex", "age_band", "vv1"],
            ["W1", "Nursing and Midwifery Registered", "6", "2", "age_31_50", "4"],
            ["W1", "prefer_not", "Band 8b", "female", "51 to 65", "4"],
            ["W1", "7", "resident doctor", "", "", "DK"],
            ["W1", "", "band_1_4", "", "", "3"],
        ],
        instruments=WITH_ABOUT_YOU,
    )
    assert [r.demographics for r in plan.responses] == [
        {
            "staff_group": "nursing_midwifery_registered",
            "band": "band_5_7",
            "sex": "male",
            "age_band": "age_31_50",
        },
        {"staff_group": "prefer_not", "band": "band_8_9", "sex": "female", "age_band": "age_51_65"},
        {"staff_group": "medical_dental", "band": "medical"},
        {"band": "band_1_4"},
    ]
    assert [r.answers for r in plan.responses] == [
        {"vv1": "4"},
        {"vv1": "4"},
        {"vv1": "dk"},
        {"vv1": "3"},
    ]


def test_in_the_band_column_a_number_is_a_band_not_an_option_number():
    problems = problems_of(
        [["unit_code", "band", "vv1"], ["W1", "10", "4"]], instruments=WITH_ABOUT_YOU
    )
    assert [str(p) for p in problems] == [
        'responses.csv, row 2, column band: "10" is not a pay band or one of the options of '
        "band. Use a pay band as in the workforce file, or an option code (band_1_4, band_5_7, "
        "band_8_9, medical, prefer_not); or leave the cell blank."
    ]


def test_answers_to_questions_the_form_would_not_have_asked_are_dropped_and_counted():
    plan = validate(
        [
            ["unit_code", "in_team", "rt_objectives", "tc1", "tc2", "mo1"],
            ["W1", "2", "1", "5", "4", "3"],  # not in a team: three answers dropped
            ["W1", "1", "1", "5", "4", "3"],
            ["W1", "", "", "5", "", "3"],  # in_team unanswered: tc1 dropped
        ]
    )
    assert plan.hidden_dropped == 4
    assert plan.rows_with_hidden == 2
    assert [r.answers for r in plan.responses] == [
        {"in_team": "no", "mo1": "3"},
        {"in_team": "yes", "rt_objectives": "yes", "tc1": "5", "tc2": "4", "mo1": "3"},
        {"mo1": "3"},
    ]


def test_a_row_whose_every_answer_would_be_dropped_is_a_problem():
    problems = problems_of([["unit_code", "in_team", "tc1", "tc2"], ["W1", "", "5", "4"]])
    assert [str(p) for p in problems] == [
        "responses.csv, row 2: Every answer in the row is to a question the form would not "
        "have asked (tc1, tc2: asked only if in_team is yes). Check the row against the paper "
        "form: the answer the questions depend on is probably missing."
    ]


def test_columns_may_be_in_any_order_and_headings_ignore_case():
    plan = validate([["MO1", "Unit Code", "In Team"], ["4", "W1", "yes"]])
    assert plan.responses[0].answers == {"mo1": "4", "in_team": "yes"}
    assert plan.columns == {"mo1": "mo1", "unit_code": "unit_code", "in_team": "in_team"}


# -- problems in cells ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (
            "mo1",
            "6",
            '"6" is not an answer to mo1, which has options 1 to 5. Use the option number '
            "(1 = Never to 5 = Always), or leave the cell blank.",
        ),
        (
            "mo1",
            "DK",
            '"DK" (don\'t know) is not an answer to mo1, which has no "don\'t know" option. '
            "Use an option number from 1 to 5 (1 = Never to 5 = Always), or leave the cell blank.",
        ),
        (
            "in1",
            "0",
            '"0" is not an answer to in1, which has options 1 to 5. Use the option number '
            "(1 = Strongly disagree to 5 = Strongly agree), DK for don't know, or leave the cell "
            "blank.",
        ),
        (
            "in1",
            "4.5",
            '"4.5" is not an answer to in1, which has options 1 to 5. Use the option number '
            "(1 = Strongly disagree to 5 = Strongly agree), DK for don't know, or leave the cell "
            "blank.",
        ),
        (
            "in_team",
            "3",
            '"3" is not an answer to in_team (a yes/no question). Use 1 for yes and 2 for no '
            "(or yes/no), or leave the cell blank.",
        ),
        (
            "in_team",
            "DK",
            '"DK" (don\'t know) is not an answer to in_team, which has no "don\'t know" option. '
            "Use 1 for yes and 2 for no (or yes/no), or leave the cell blank.",
        ),
        (
            "site",
            "3",
            '"3" is not one of the 2 options of site. Use the option number or code '
            "(1 = main, 2 = north), DK for don't know, or leave the cell blank.",
        ),
        (
            "shifts",
            "1;4;x",
            '"4", "x" are not options of shifts (in "1;4;x"). List option numbers or codes '
            "separated by semicolons, like 1;3 (1 = day, 2 = night, 3 = weekend), or leave the "
            "cell blank.",
        ),
        (
            "shifts",
            "DK",
            '"DK" (don\'t know) is not an answer to shifts, which has no "don\'t know" option. '
            "Use an option number or code (1 = day, 2 = night, 3 = weekend), or leave the cell "
            "blank.",
        ),
        (
            "tenure",
            "75",
            '"75" is out of range for tenure: answers are from 0 to 60. Correct the number (it '
            "must be from 0 to 60), or leave the cell blank.",
        ),
        (
            "tenure",
            "-1",
            '"-1" is out of range for tenure: answers are from 0 to 60. Correct the number (it '
            "must be from 0 to 60), or leave the cell blank.",
        ),
        (
            "hours",
            "lots",
            '"lots" is not a number (for hours). Write a number, like 12 or 2.5, or leave the '
            "cell blank.",
        ),
        (
            "hours",
            "nan",
            '"nan" is not a number (for hours). Write a number, like 12 or 2.5, or leave the '
            "cell blank.",
        ),
        (
            "note",
            "x" * 21,
            "The answer to note is 21 characters long; it can be at most 20. Shorten it (the "
            "form would not have taken more).",
        ),
        (
            "staff_group",
            "Nurses",
            '"Nurses" is not a staff group. Use one of: Additional professional, scientific and '
            "technical; Additional clinical services; Administrative and clerical; Allied "
            "health professionals; Estates and ancillary; Healthcare scientists; Medical and "
            "dental; Registered nursing and midwifery; Students (or ESR's name for the group), "
            "or leave the cell blank.",
        ),
        (
            "band",
            "Band 10",
            '"Band 10" is not a pay band. Use Band 1 to Band 9, Band 8a to 8d (or just 5, 8a), '
            "or Consultant, Specialty Doctor, Resident Doctor, Other Medical; or leave the cell "
            "blank.",
        ),
    ],
)
def test_a_bad_cell_is_named_with_its_row_column_and_value(column, value, message):
    problems = problems_of([["unit_code", "mo2", column], ["W1", "3", ""], ["W1", "3", value]])
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "responses.csv",
        3,
        column,
        value,
    )
    assert f"{problem.message} {problem.fix}" == message


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "NOPE",
            'There is no unit "NOPE" in Test Trust (TST1). Use the unit_code of a unit in the '
            "wave: MED, or a unit below one.",
        ),
        (
            "SURG",
            'The unit "SURG" is not one of this wave\'s units. Use the unit_code of a unit in '
            "the wave: MED, or a unit below one.",
        ),
        (
            "old",
            'The unit "OLD" is no longer active, and was not surveyed in this wave. Use the unit '
            "that took over its staff, or add the unit back with a units import first.",
        ),
        (
            "W2X",
            'The unit "w2x" is not one of this wave\'s units. Use the unit_code of a unit in '
            "the wave: MED, or a unit below one.",
        ),
        ("", "The unit_code is blank. Enter the code of the unit the response is reported in."),
    ],
)
def test_unit_codes_must_be_units_of_the_wave(code, message):
    problems = problems_of([["unit_code", "mo1"], [code, "3"]])
    assert [(p.row, p.column, f"{p.message} {p.fix}") for p in problems] == [
        (2, "unit_code", message)
    ]


def test_unit_codes_that_differ_only_in_capitals_must_be_written_exactly():
    units = {"Ab": 1, "aB": 2}
    plan = validate([["unit_code", "mo1"], ["aB", "3"], ["Ab", "3"]], units=units)
    assert [r.unit for r in plan.responses] == [2, 1]
    problems = problems_of([["unit_code", "mo1"], ["ab", "3"]], units=units)
    assert [str(p) for p in problems] == [
        'responses.csv, row 2, column unit_code: "ab" matches more than one unit (Ab, aB) '
        "when capitals are ignored. Write the unit_code exactly as in the units file."
    ]


def test_an_empty_form_is_a_problem_and_so_is_one_with_only_demographics():
    problems = problems_of(
        [
            ["unit_code", "staff_group", "mo1", "note"],
            ["W1", "Students", "", ""],
            ["W1", "", "4", ""],
            ["W2", "", "", ""],
        ]
    )
    assert places(problems) == [("responses.csv", 2, None), ("responses.csv", 4, None)]
    assert problems[0].message == (
        "The row answers none of the questions: every answer cell is blank."
    )


def test_several_problems_are_reported_together_in_row_order():
    problems = problems_of(
        [
            ["unit_code", "mo1", "mo2", "in_team", "q9"],
            ["W1", "9", "", "maybe", "x"],
            ["NOPE", "1", "2", "1", ""],
            ["W1", "", "", "", ""],
            ["W2", "DK", "7", "yes", ""],
        ]
    )
    assert [(p.row, p.column) for p in problems] == [
        (1, "q9"),
        (2, "mo1"),
        (2, "in_team"),
        (3, "unit_code"),
        (4, None),
        (5, "mo1"),
        (5, "mo2"),
    ]
    for problem in problems:
        assert problem.file == "responses.csv" and problem.message and problem.fix


# -- problems with the columns ------------------------------------------------------------


def test_an_unknown_column_is_named_with_the_item_codes_as_the_fix():
    problems = problems_of([["unit_code", "mo1", "q2a", "m01"], ["W1", "3", "4", "4"]])
    assert places(problems) == [("responses.csv", 1, "q2a"), ("responses.csv", 1, "m01")]
    assert problems[0].message == 'Unknown column "q2a": it is not an item of this wave.'
    assert problems[0].fix.startswith(
        "Either rename it to an item code, map it with a mapping file (--map), or delete the "
        "column. The wave's item codes are: in_team, rt_objectives, rt_interdependent,"
    )
    assert problems[0].fix.endswith("ad3, tenure, hours, shifts, site, note.")
    assert problems[1].message.endswith("Did you mean mo1?")


def test_the_unit_code_column_and_an_answer_column_are_required():
    problems = problems_of([["unit_code", "staff_group"], ["W1", "Students"]])
    assert problems[0].message.startswith("The file has no answers to the wave's questions")
    problems = problems_of([["mo1", "mo2"], ["3", "4"]])
    assert [str(p) for p in problems] == [
        "responses.csv, row 1, column unit_code: The required column unit_code is missing. "
        "Add a column headed unit_code, with the code of the unit each response is reported "
        "in (see docs/data-formats.md)."
    ]


def test_a_header_row_with_nothing_recognised_is_one_problem():
    problems = problems_of([["respondent", "q1", "q2"], ["1", "3", "4"], ["2", "x", "y"]])
    assert len(problems) == 1
    assert problems[0].row == 1
    assert problems[0].message.startswith(
        "Row 1 should hold the column headings, but none of them is a unit_code or an item "
        'of this wave (found "respondent", "q1", "q2").'
    )


def test_headings_only_is_a_problem():
    problems = problems_of([["unit_code", "mo1"]])
    assert [(p.row, p.message) for p in problems] == [
        (None, "The file has no responses in it, only headings.")
    ]


def test_stray_cells_and_repeated_headings_are_reported_with_the_rest():
    problems = problems_of([["unit_code", "mo1", "mo1"], ["W1", "3", "4", "oops"]])
    assert [(p.row, p.column) for p in problems] == [(1, "mo1"), (2, "D")]


# -- the mapping file ---------------------------------------------------------------------


def test_a_mapping_renames_the_files_own_question_codes():
    plan = validate(
        [["Team", "Q2a", "q2b", "q3c", "mo3", "SG"], ["W1", "4", "5", "DK", "2", "Students"]],
        mapping=[
            ["external_code", "item_code"],
            ["q2a", "mo1"],
            ["Q2B", "MO2"],
            ["q3c", "in1"],
            ["team", "unit_code"],
            ["sg", "staff_group"],
            ["q99", "ad1"],  # not in this file: fine
        ],
    )
    response = plan.responses[0]
    assert response.unit == 11
    assert response.answers == {"mo1": "4", "mo2": "5", "in1": "dk", "mo3": "2"}
    assert response.demographics == {"staff_group": "students"}
    assert plan.columns["q2a"] == "mo1"


def test_mapping_problems_name_the_mapping_files_rows_and_come_first():
    problems = problems_of(
        [["unit_code", "q2a", "q2b", "q2c", "q3c"], ["W1", "4", "x", "y", "9"]],
        mapping=[
            ["external_code", "item_code"],
            ["q2a", "mo1"],
            ["q2b", "mo1"],
            ["q2c", "zz9"],
            ["q2a", "mo2"],
            ["", "mo3"],
            ["q3c", ""],
            ["q3d", "in2"],
        ],
    )
    assert [(p.file, p.row, p.column) for p in problems] == [
        ("map.csv", 3, "item_code"),
        ("map.csv", 4, "item_code"),
        ("map.csv", 5, "external_code"),
        ("map.csv", 6, "external_code"),
        ("map.csv", 7, "item_code"),
    ]
    # q2a, q2b, q2c and q3c, whose mapping rows have problems, are not checked meanwhile.
    assert problems[0].message == '"q2b" and "q2a" (row 2) are both mapped to mo1.'
    assert problems[1].message == 'There is no item "zz9" in this wave.'
    assert problems[2].message == 'The external code "q2a" is also on row 2.'


def test_two_columns_for_one_item_are_a_problem():
    problems = problems_of(
        [["unit_code", "q2a", "mo1"], ["W1", "4", "4"]],
        mapping=[["external_code", "item_code"], ["q2a", "mo1"]],
    )
    assert [str(p) for p in problems] == [
        "responses.csv, row 1, column mo1: The columns q2a and mo1 both hold the answers to "
        "mo1 (q2a is mapped to mo1). Keep one of the columns, or correct the mapping file."
    ]


def test_a_mapping_file_needs_its_two_columns():
    problems = problems_of(
        [["unit_code", "mo1"], ["W1", "4"]],
        mapping=[["external", "item_code"], ["q2a", "mo1"]],
    )
    assert [(p.file, p.row, p.column) for p in problems] == [
        ("map.csv", 1, "external_code"),
        ("map.csv", 1, "external"),
    ]


def test_an_unknown_column_with_a_mapping_says_to_add_it_to_the_mapping():
    problems = problems_of(
        [["unit_code", "q2a", "q9"], ["W1", "4", "4"]],
        mapping=[["external_code", "item_code"], ["q2a", "mo1"]],
    )
    assert problems[0].fix.startswith("Either add it to the mapping file, rename it")


def test_a_control_character_in_a_free_text_answer_is_refused_with_its_place():
    problems = problems_of([["unit_code", "mo1", "note"], ["W1", "4", "Good\x00team"]])
    assert [(p.row, p.column) for p in problems] == [(2, "note")]
    assert "NUL (U+0000)" in problems[0].message


@pytest.mark.parametrize("value", ["²", "³", "¹"])
def test_a_superscript_digit_is_a_bad_answer_not_a_crash(value):
    # str.isdigit() is true for superscripts, which int() cannot read: the cell must be
    # reported like any other bad answer (found by the property test).
    problems = problems_of([["unit_code", "mo2"], ["W1", "3"], ["W1", value]])
    assert [(problem.row, problem.column, problem.value) for problem in problems] == [
        (3, "mo2", value)
    ]
