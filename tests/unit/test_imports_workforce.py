"""The workforce validator (colead.org.imports.workforce): every rule, with no database."""

import csv
import io

import pytest

from colead.org.imports import ImportRejected, read_table
from colead.org.imports.workforce import (
    REQUIRED_COLUMNS,
    PersonRecord,
    display_value,
    validate_workforce,
)

UNITS = {"ROOT": True, "W1": True, "W2": True, "OLD": False}
HEADER = list(REQUIRED_COLUMNS)


def person(number, **overrides):
    row = {
        "employee_number": number,
        "first_name": "Sam",
        "last_name": "Nurse",
        "email": f"{number.lower()}@example.nhs.uk",
        "unit_code": "W1",
        "staff_group": "Nursing and Midwifery Registered",
        "band": "Band 5",
        "job_title": "Staff Nurse",
        "line_manager": "",
        "start_date": "2021-03-14",
        "is_leader": "N",
    }
    row.update(overrides)
    return row


def csv_bytes(rows, header=None):
    header = header or list(rows[0]) if rows else header or HEADER
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def table(rows, header=None):
    return read_table(csv_bytes(rows, header), "workforce.csv")


def validate(rows, people=None, header=None):
    return validate_workforce(table(rows, header), units=UNITS, people=people or {})


def problems_of(rows, people=None, header=None):
    with pytest.raises(ImportRejected) as caught:
        validate(rows, people, header)
    return caught.value.problems


def record(number, **overrides):
    values = {
        "employee_number": number,
        "first_name": "Sam",
        "last_name": "Nurse",
        "email": f"{number.lower()}@example.nhs.uk",
        "unit_code": "W1",
        "staff_group": "nursing_midwifery_registered",
        "band": "band_5",
        "job_title": "Staff Nurse",
        "line_manager": "",
        "start_date": "2021-03-14",
        "is_leader": False,
    }
    values.update(overrides)
    return PersonRecord(**values)


class TestVocabularies:
    def test_canonical_codes_from_names_codes_and_aliases(self):
        plan = validate(
            [
                person("E1", staff_group="medical and dental", band="consultant", is_leader="Y"),
                person("E2", staff_group="NURSING AND MIDWIFERY REGISTERED", band="8a"),
                person("E3", band="5", is_leader="true"),
                person("E4", band="Band 8D", is_leader=""),
            ]
        )
        records = plan.records
        assert (records["E1"].staff_group, records["E1"].band) == ("medical_dental", "consultant")
        assert records["E2"].band == "band_8a"
        assert records["E3"].band == "band_5"
        assert records["E4"].band == "band_8d"
        assert [records[n].is_leader for n in ("E1", "E2", "E3", "E4")] == [
            True,
            False,
            True,
            False,
        ]

    def test_the_band_problem_reads_as_documented(self):
        problems = problems_of([person("E0"), person("E1", band="Band 10")])
        assert str(problems[0]) == (
            'workforce.csv, row 3, column band: "Band 10" is not a pay band. Use Band 1 to '
            "Band 9, Band 8a to 8d, or Consultant, Specialty Doctor, Resident Doctor, Other "
            "Medical."
        )

    def test_unknown_staff_group_lists_the_groups(self):
        problems = problems_of([person("E1", staff_group="Nursing")])
        assert problems[0].column == "staff_group"
        assert problems[0].message == '"Nursing" is not a staff group.'
        assert "; Registered nursing and midwifery; " in problems[0].fix
        assert "Nursing and Midwifery Registered" not in problems[0].fix


class TestEveryProblemIsReported:
    def test_one_problem_per_bad_cell_with_row_and_column(self):
        rows = [
            person("E1"),
            person("E2", email="not-an-email", band="Band 10"),  # row 3
            person("E3", unit_code="W9", start_date="14/03/2021"),  # row 4
            person("E1", first_name=""),  # row 5: duplicate and blank
            person("E5", start_date="2021-02-30", is_leader="maybe"),  # row 6
            person("E6", unit_code="OLD", staff_group="Doctors"),  # row 7
        ]
        places = [(p.row, p.column, p.value) for p in problems_of(rows)]
        assert places == [
            (3, "email", "not-an-email"),
            (3, "band", "Band 10"),
            (4, "unit_code", "W9"),
            (4, "start_date", "14/03/2021"),
            (5, "first_name", ""),
            (5, "employee_number", "E1"),
            (6, "start_date", "2021-02-30"),
            (6, "is_leader", "maybe"),
            (7, "unit_code", "OLD"),
            (7, "staff_group", "Doctors"),
        ]

    def test_duplicate_names_the_first_row(self):
        problems = problems_of([person("E1"), person("E2"), person("E1")])
        assert problems[0].row == 4
        assert "also on row 2" in problems[0].message

    def test_over_long_values(self):
        problems = problems_of(
            [person("E" * 31, job_title="j" * 201)], header=HEADER + ["age_band"]
        )
        assert [(p.row, p.column) for p in problems] == [(2, "employee_number"), (2, "job_title")]
        assert "at most 30" in problems[0].message

    def test_protected_characteristic_too_long(self):
        rows = [dict(person("E1"), age_band="x" * 21)]
        problems = problems_of(rows, header=HEADER + ["age_band"])
        assert [(p.column, p.row) for p in problems] == [("age_band", 2)]

    @pytest.mark.parametrize(
        "email",
        ["a@b", "@nhs.net", "sam@", "sam smith@nhs.net", "sam@@nhs.net", "sam@nhs..net", ".x@a.uk"],
    )
    def test_malformed_emails(self, email):
        problems = problems_of([person("E1", email=email)])
        assert [(p.column, p.value) for p in problems] == [("email", email)]

    @pytest.mark.parametrize("email", ["", "sam.nurse@nhs.net", "o'brien+x@trust.nhs.uk"])
    def test_good_or_blank_emails(self, email):
        assert validate([person("E1", email=email)]).records["E1"].email == email

    @pytest.mark.parametrize("text", ["2021-3-14", "20210314", "2021-03-14T00:00", "next week"])
    def test_dates_must_be_iso(self, text):
        problems = problems_of([person("E1", start_date=text)])
        assert "YYYY-MM-DD" in problems[0].message

    def test_missing_required_and_unknown_columns(self):
        header = [c for c in HEADER if c not in ("band", "email")] + ["bnad", "notes"]
        problems = problems_of([person("E1")], header=header)
        assert [(p.row, p.column) for p in problems] == [(1, "email"), (1, "band"), (1, "bnad")]
        assert '"bnad", "notes"' in problems[2].message

    def test_optional_columns_are_not_required(self):
        plan = validate([person("E1")])
        assert not plan.team_codes_given and plan.protected_given == ()

    def test_headings_only(self):
        problems = problems_of([], header=HEADER)
        assert "no people" in problems[0].message


class TestLineManagers:
    def test_manager_must_be_in_the_file(self):
        problems = problems_of([person("E1", line_manager="E9")])
        assert [(p.row, p.column, p.value) for p in problems] == [(2, "line_manager", "E9")]

    def test_manager_in_the_records_but_not_the_file_explains_leavers(self):
        problems = problems_of([person("E1", line_manager="M1")], people={"M1": record("M1")})
        assert "would be marked as a leaver" in problems[0].message

    def test_case_mismatch_is_suggested(self):
        problems = problems_of([person("E1", line_manager="m1"), person("M1")])
        assert "Did you mean M1?" in problems[0].message

    def test_self_management(self):
        problems = problems_of([person("E1", line_manager="E1")])
        assert [(p.row, p.column) for p in problems] == [(2, "line_manager")]
        assert "their own line manager" in problems[0].message

    def test_a_loop_is_reported_once_with_the_whole_chain(self):
        rows = [
            person("B0"),
            person("E1", line_manager="E2"),
            person("E2", line_manager="E3"),
            person("E3", line_manager="E1"),
            person("E4", line_manager="E1"),  # reports into the loop but is not in it
        ]
        problems = problems_of(rows)
        assert len(problems) == 1
        assert (problems[0].row, problems[0].column) == (3, "line_manager")
        assert "E1 → E2 → E3 → E1" in problems[0].message

    def test_a_manager_whose_own_row_has_problems_is_still_found(self):
        problems = problems_of([person("E1", line_manager="M1"), person("M1", band="x")])
        assert [(p.row, p.column) for p in problems] == [(3, "band")]


class TestPlan:
    def test_adds_updates_unchanged_leavers_and_returners(self):
        people = {
            "E1": record("E1"),
            "E2": record("E2", band="band_4", job_title="Nurse"),
            "E3": record("E3", leaving_date="2024-01-01"),
            "E4": record("E4"),  # not in the file: a leaver
            "E5": record("E5", leaving_date="2023-01-01"),  # left before; stays left
        }
        plan = validate([person("E1"), person("E2"), person("E3"), person("E6")], people)
        assert plan.adds == ["E6"]
        assert plan.leavers == ["E4"]
        assert plan.unchanged == 1
        updates = {u.employee_number: u for u in plan.updates}
        assert updates["E2"].changes == {
            "band": ("band_4", "band_5"),
            "job_title": ("Nurse", "Staff Nurse"),
        }
        assert not updates["E2"].returning
        assert updates["E3"].returning and updates["E3"].changes == {}
        assert [u.employee_number for u in plan.returners] == ["E3"]

    def test_same_file_twice_means_no_changes(self):
        people = {"E1": record("E1"), "M1": record("M1", line_manager="", is_leader=True)}
        people["E1"].line_manager = "M1"
        plan = validate([person("E1", line_manager="M1"), person("M1", is_leader="Y")], people)
        assert plan.no_changes and plan.unchanged == 2

    def test_team_codes_are_sorted_deduplicated_and_compared(self):
        header = HEADER + ["team_codes"]
        people = {"E1": record("E1", team_codes=("W1", "W2"))}
        same = validate([dict(person("E1"), team_codes=" W2; W1;W2;")], people, header)
        assert same.no_changes
        changed = validate([dict(person("E1"), team_codes="W2")], people, header)
        assert changed.updates[0].changes == {"team_codes": ("W1;W2", "W2")}

    def test_team_codes_must_be_active_units(self):
        header = HEADER + ["team_codes"]
        problems = problems_of([dict(person("E1"), team_codes="W2;NOPE;OLD")], header=header)
        assert [(p.column, p.value) for p in problems] == [("team_codes", "W2;NOPE;OLD")] * 2
        assert '"NOPE"' in problems[0].message and '"OLD"' in problems[1].message

    def test_protected_changes_are_flagged_without_values(self):
        header = HEADER + ["ethnicity", "sex"]
        people = {"E1": record("E1", protected={"ethnicity": "White - British", "sex": "Male"})}
        plan = validate(
            [dict(person("E1"), ethnicity="White - British", sex="Female")], people, header
        )
        update = plan.updates[0]
        assert update.protected_changed and update.changes == {}
        assert plan.protected_given == ("ethnicity", "sex")

    def test_protected_columns_absent_means_no_change(self):
        people = {"E1": record("E1", protected={"ethnicity": "White - British"})}
        assert validate([person("E1")], people).no_changes


def test_display_values():
    assert display_value("band", "band_8a") == "Band 8a"
    assert display_value("staff_group", "add_prof_scientific_technic") == (
        "Additional professional, scientific and technical"
    )
    assert display_value("is_leader", True) == "Y"
    assert display_value("job_title", None) == ""
