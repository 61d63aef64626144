"""Property tests: hypothesis builds valid files, corrupts them at random, and checks that
the validators either accept the file or reject it with problems that each name a real
place in it, and never let a loop or a bad value through."""

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from colead.org import reference
from colead.org.imports import ImportRejected, read_table
from colead.org.imports.units import validate_units
from colead.org.imports.workforce import REQUIRED_COLUMNS, validate_workforce

UNIT_CODES = ["ROOT", "MED", "SURG", "W1", "W2", "T1"]
UNITS = dict.fromkeys(UNIT_CODES, True)
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Values that are certainly wrong in each column, and arbitrary text.
BAD_VALUES = {
    "employee_number": ["", "E" * 31],
    "first_name": ["", "n" * 101],
    "last_name": [""],
    "email": ["nobody@", "a b@c.uk", "@nhs.net"],
    "unit_code": ["NOPE", "", "w9"],
    "staff_group": ["Nurses", ""],
    "band": ["Band 10", "8e", ""],
    "job_title": ["t" * 201],
    "start_date": ["31/12/2020", "2021-02-30", "yesterday"],
    "is_leader": ["maybe", "2"],
}
junk = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)


@st.composite
def valid_people(draw):
    count = draw(st.integers(min_value=1, max_value=12))
    people = []
    for index in range(count):
        manager = draw(st.none() | st.integers(min_value=0, max_value=index - 1)) if index else None
        people.append(
            {
                "employee_number": f"E{index:03d}",
                "first_name": draw(st.sampled_from(["Sam", "Ali", "Jo"])),
                "last_name": draw(st.sampled_from(["Nurse", "Khan", "O'Neil, Jr"])),
                "email": draw(st.sampled_from(["", f"e{index}@example.nhs.uk"])),
                "unit_code": draw(st.sampled_from(UNIT_CODES)),
                "staff_group": draw(st.sampled_from([g.name for g in reference.staff_groups()])),
                "band": draw(st.sampled_from([b.name for b in reference.bands()] + ["5", "8a"])),
                "job_title": draw(st.sampled_from(["", "Staff Nurse", "Porter"])),
                "line_manager": f"E{manager:03d}" if manager is not None else "",
                "start_date": draw(st.sampled_from(["", "2019-04-01", "2024-02-29"])),
                "is_leader": draw(st.sampled_from(["Y", "N", "", "true", "no"])),
            }
        )
    return people


def to_csv(rows, header) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def check_places(problems, rows, header):
    """Every problem names the file and a real row (or the whole file) and column."""
    real_rows = {1} | set(range(2, len(rows) + 2))
    for problem in problems:
        assert problem.file == "workforce.csv"
        assert problem.row is None or problem.row in real_rows, problem
        assert (
            problem.column is None
            or problem.column in header
            or problem.column in (REQUIRED_COLUMNS)
        ), problem
        assert problem.message and problem.fix
        assert "\n" not in str(problem)


@SETTINGS
@given(valid_people())
def test_valid_files_are_accepted(people):
    header = list(REQUIRED_COLUMNS)
    plan = validate_workforce(
        read_table(to_csv(people, header), "workforce.csv"), units=UNITS, people={}
    )
    assert sorted(plan.adds) == sorted(p["employee_number"] for p in people)


@SETTINGS
@given(valid_people(), st.data())
def test_corrupted_cells_are_reported_where_they_are(people, data):
    header = list(REQUIRED_COLUMNS)
    planted = set()
    for _ in range(data.draw(st.integers(min_value=1, max_value=5))):
        index = data.draw(st.integers(min_value=0, max_value=len(people) - 1))
        column = data.draw(st.sampled_from(list(BAD_VALUES)))
        if data.draw(st.booleans()):
            people[index][column] = data.draw(st.sampled_from(BAD_VALUES[column]))
            if column != "employee_number" or people[index][column]:
                planted.add((index + 2, column))
        else:
            people[index][column] = data.draw(junk)
    content = to_csv(people, header)
    try:
        plan = validate_workforce(read_table(content, "workforce.csv"), units=UNITS, people={})
    except ImportRejected as rejected:
        check_places(rejected.problems, people, header)
        found = {(p.row, p.column) for p in rejected.problems}
        for row, column in planted:
            # A value planted as certainly wrong is reported at its cell, unless a later
            # corruption overwrote it with something acceptable.
            value = people[row - 2][column]
            if value in BAD_VALUES[column] and value:
                assert (row, column) in found, (row, column, value, rejected.problems)
        return
    # Accepted: then everything in it really is valid.
    assert not any(people[r - 2][c] in BAD_VALUES[c] and people[r - 2][c] for r, c in planted)
    for record in plan.records.values():
        assert reference.find_band(record.band) and reference.find_staff_group(record.staff_group)
        assert record.unit_code in UNITS


@SETTINGS
@given(valid_people(), st.data())
def test_any_manager_loop_is_caught(people, data):
    """Point line managers anywhere: the file is accepted only if no chain loops."""
    numbers = [p["employee_number"] for p in people]
    for person in people:
        person["line_manager"] = data.draw(st.sampled_from(["", *numbers]))
    content = to_csv(people, list(REQUIRED_COLUMNS))
    manager = {p["employee_number"]: p["line_manager"] for p in people}
    try:
        validate_workforce(read_table(content, "workforce.csv"), units=UNITS, people={})
    except ImportRejected as rejected:
        assert all(p.column == "line_manager" for p in rejected.problems)
        return
    for start in numbers:  # accepted: every chain ends
        seen, node = set(), start
        while node:
            assert node not in seen
            seen.add(node)
            node = manager[node]


@SETTINGS
@given(valid_people(), st.lists(st.sampled_from(list(REQUIRED_COLUMNS)), max_size=3, unique=True))
def test_missing_columns_are_each_named(people, dropped):
    header = [c for c in REQUIRED_COLUMNS if c not in dropped]
    content = to_csv(people, header)
    if not dropped:
        validate_workforce(read_table(content, "workforce.csv"), units=UNITS, people={})
        return
    try:
        validate_workforce(read_table(content, "workforce.csv"), units=UNITS, people={})
    except ImportRejected as rejected:
        missing = {p.column for p in rejected.problems if p.row == 1}
        assert set(dropped) <= missing
    else:
        raise AssertionError("a file missing required columns was accepted")


@SETTINGS
@given(st.binary(max_size=300), st.sampled_from(["x.csv", "x.xlsx"]))
def test_arbitrary_bytes_never_crash_the_reader(content, filename):
    try:
        table = read_table(content, filename)
    except ImportRejected as rejected:
        assert rejected.problems and all(str(p).startswith(filename) for p in rejected.problems)
        return
    assert all(row.number > table.header_row for row in table.rows)


@st.composite
def unit_files(draw):
    """A tree of units, then parent codes pointed anywhere at random."""
    count = draw(st.integers(min_value=1, max_value=10))
    codes = [f"U{i}" for i in range(count)]
    parents = [""] + [codes[draw(st.integers(0, i - 1))] for i in range(1, count)]
    for _ in range(draw(st.integers(0, 3))):
        index = draw(st.integers(0, count - 1))
        parents[index] = draw(st.sampled_from(["", "ZZ", *codes]))
    rows = [
        {
            "unit_code": code,
            "name": f"Unit {code}",
            "parent_code": parent,
            "level": "organisation" if not parent else "team",
            "site": "",
        }
        for code, parent in zip(codes, parents, strict=True)
    ]
    return rows


@SETTINGS
@given(unit_files())
def test_an_accepted_unit_file_is_a_tree(rows):
    content = to_csv(rows, ["unit_code", "name", "parent_code", "level", "site"])
    try:
        plan = validate_units(read_table(content, "units.csv"), {})
    except ImportRejected as rejected:
        real_rows = set(range(1, len(rows) + 2))
        assert all(p.row is None or p.row in real_rows for p in rejected.problems)
        return
    roots = [r for r in plan.records.values() if not r.parent_code]
    assert len(roots) == 1
    for record in plan.records.values():  # every chain of parents reaches the root
        seen, node = set(), record
        while node.parent_code:
            assert node.code not in seen
            seen.add(node.code)
            node = plan.records[node.parent_code]
        assert node is roots[0]
