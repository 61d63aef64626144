"""Property tests for the responses file: hypothesis builds valid files, corrupts them at
random, and checks that the validator either accepts the file (and then every stored answer
is one the online form could have given) or rejects it with problems that each name a real
row and column, with every value planted as certainly wrong reported at its cell."""

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from colead.org import reference
from colead.org.imports import ImportRejected, read_table
from colead.surveys import definitions
from colead.surveys.answers import DONT_KNOW, clean_answer
from colead.surveys.response_import import validate_responses
from tests.unit.test_response_import import EXTRAS

BUILTIN = {instrument.code: instrument for instrument in definitions.builtin_instruments()}
INSTRUMENTS = [BUILTIN["team-working"], BUILTIN["staff-engagement"], EXTRAS]
ITEMS = {item.code: item for instrument in INSTRUMENTS for item in instrument.items}
UNITS = {"W1": 1, "W2": 2, "T1": 3}
OTHERS = {"SURG": "outside"}
HEADER = ["unit_code", "staff_group", "band", *ITEMS]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Values that are certainly wrong in each column.
BAD_VALUES = {
    "unit_code": ["NOPE", "SURG"],
    "staff_group": ["Nurses"],
    "band": ["Band 10", "8e"],
    "in_team": ["3", "maybe", "DK"],
    "mo1": ["0", "6", "DK", "4.5"],
    "in1": ["9", "x"],
    "tenure": ["61", "-1", "ten"],
    "hours": ["lots"],
    "shifts": ["4", "1;x"],
    "site": ["3", "elsewhere"],
    "note": ["n" * 21],
}
junk = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)


def valid_cell(draw, item) -> str:
    if item.type == "scale":
        choices = [str(i) for i in range(1, item.scale.points + 1)] + (
            ["DK", "dk"] if item.dont_know else []
        )
    elif item.type == "yes_no":
        choices = ["1", "2", "yes", "No", "y"]
    elif item.type == "single_choice":
        choices = ["1", "2", "main", "North Clinic", "DK"]
    elif item.type == "multiple_choice":
        choices = ["1", "1;3", "night;day", "weekend"]
    elif item.type == "number":
        choices = ["0", "12", "2.5", "60"]
    else:
        choices = ["Fine", "Sam Nurse was kind", "x" * 20]
    return draw(st.sampled_from(["", "", *choices]))


@st.composite
def valid_rows(draw):
    count = draw(st.integers(min_value=1, max_value=10))
    rows = []
    for _ in range(count):
        row = {
            "unit_code": draw(st.sampled_from(["W1", "W2", "T1", "w1"])),
            "staff_group": draw(st.sampled_from(["", *[g.name for g in reference.staff_groups()]])),
            "band": draw(st.sampled_from(["", "5", "8a", "Band 6", "Consultant"])),
        }
        for code, item in ITEMS.items():
            row[code] = valid_cell(draw, item)
        row["mo1"] = draw(st.sampled_from(["1", "3", "5"]))  # never an empty form
        rows.append(row)
    return rows


def to_csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def validate(content: bytes):
    return validate_responses(
        read_table(content, "responses.csv"),
        instruments=INSTRUMENTS,
        units=UNITS,
        other_units=OTHERS,
        wave_units=["MED", "SURG"],
    )


def check_places(problems, rows):
    real_rows = {1} | set(range(2, len(rows) + 2))
    for problem in problems:
        assert problem.file == "responses.csv"
        assert problem.row is None or problem.row in real_rows, problem
        assert problem.column is None or problem.column in HEADER, problem
        assert problem.message and problem.fix, problem
        assert "\n" not in str(problem)


def check_stored(plan):
    for response in plan.responses:
        assert response.unit in UNITS.values()
        for code, value in {**response.answers, **response.comments}.items():
            item = ITEMS[code]
            if value == DONT_KNOW:
                assert item.dont_know
                continue
            raw = value if isinstance(value, list) else str(value)
            cleaned, error = clean_answer(item, raw)
            assert error is None and cleaned == value, (code, value, error)
        assert set(response.demographics) <= {"staff_group", "band"}


@SETTINGS
@given(valid_rows())
def test_valid_files_are_accepted(rows):
    plan = validate(to_csv(rows))
    assert plan.count == len(rows)
    check_stored(plan)


@SETTINGS
@given(valid_rows(), st.data())
def test_corrupted_cells_are_reported_where_they_are(rows, data):
    planted = set()
    for _ in range(data.draw(st.integers(min_value=1, max_value=5))):
        index = data.draw(st.integers(min_value=0, max_value=len(rows) - 1))
        if data.draw(st.booleans()):
            column = data.draw(st.sampled_from(list(BAD_VALUES)))
            rows[index][column] = data.draw(st.sampled_from(BAD_VALUES[column]))
            planted.add((index + 2, column))
        else:
            column = data.draw(st.sampled_from(HEADER))
            rows[index][column] = data.draw(junk)
    try:
        plan = validate(to_csv(rows))
    except ImportRejected as rejected:
        check_places(rejected.problems, rows)
        found = {(p.row, p.column) for p in rejected.problems}
        for row, column in planted:
            value = rows[row - 2][column]
            if value in BAD_VALUES[column]:
                assert (row, column) in found, (row, column, value, rejected.problems)
        return
    # Accepted: then nothing planted survived, and everything stored is valid.
    for row, column in planted:
        assert rows[row - 2][column] not in BAD_VALUES[column]
    assert plan.count == len(rows)
    check_stored(plan)


@SETTINGS
@given(valid_rows(), st.data())
def test_blanking_every_answer_of_a_row_is_reported_at_that_row(rows, data):
    index = data.draw(st.integers(min_value=0, max_value=len(rows) - 1))
    for code in ITEMS:
        rows[index][code] = ""
    try:
        validate(to_csv(rows))
    except ImportRejected as rejected:
        check_places(rejected.problems, rows)
        assert (index + 2, None) in {(p.row, p.column) for p in rejected.problems}
    else:
        raise AssertionError("an empty form was accepted")
