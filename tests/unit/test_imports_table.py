"""Reading CSV and XLSX files into tables (colead.org.imports.table): pure, no database."""

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from colead.org.imports import ImportProblem, ImportRejected, read_table
from colead.org.imports.table import cell_text, column_letter, normalise_heading


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rejected(content: bytes, filename: str) -> list[ImportProblem]:
    with pytest.raises(ImportRejected) as caught:
        read_table(content, filename)
    return caught.value.problems


class TestCsv:
    def test_rows_are_numbered_like_a_spreadsheet(self):
        table = read_table(b"a,b\n1,2\n\n3,4\n", "x.csv")
        assert table.columns == ["a", "b"]
        assert [(row.number, row.values) for row in table.rows] == [
            (2, {"a": "1", "b": "2"}),
            (4, {"a": "3", "b": "4"}),  # the blank row 3 is skipped but still counted
        ]

    def test_values_and_headings_are_stripped_and_headings_normalised(self):
        table = read_table(b" Employee Number , First-Name \n  E1 ,  Sam  \n", "x.csv")
        assert table.columns == ["employee_number", "first_name"]
        assert table.rows[0].values == {"employee_number": "E1", "first_name": "Sam"}

    def test_the_formula_guard_of_csv_exports_is_taken_off(self):
        table = read_table(b"a\n'-5\n'=SUM(A1)\n''@x\n't Hooft\n'0123\n' '+1\n", "x.csv")
        assert [row.values["a"] for row in table.rows] == [
            "-5",
            "=SUM(A1)",
            "'@x",
            "'t Hooft",
            "'0123",
            "' '+1",
        ]

    def test_byte_order_mark_is_tolerated(self):
        table = read_table("\ufeffunit_code,name\nW1,Ward 1\n".encode(), "x.csv")
        assert table.columns == ["unit_code", "name"]

    def test_short_rows_are_padded_with_blanks(self):
        table = read_table(b"a,b,c\n1\n", "x.csv")
        assert table.rows[0].values == {"a": "1", "b": "", "c": ""}

    def test_quoted_cells_with_commas_and_line_breaks(self):
        table = read_table(b'a,b\n"x, y","line\nbreak"\n2,3\n', "x.csv")
        assert table.rows[0].values == {"a": "x, y", "b": "line\nbreak"}
        assert table.rows[1].number == 3  # records, not physical lines

    def test_undecodable_bytes_name_the_row_and_how_to_fix_it(self):
        problems = rejected(b"a,b\n1,2\n3,\xa3 4\n", "staff.csv")
        assert len(problems) == 1
        assert problems[0].row == 3
        assert "not UTF-8" in problems[0].message
        assert "CSV UTF-8" in problems[0].fix

    @pytest.mark.parametrize("content", [b"", b"   \n\n", b"\xef\xbb\xbf", b",,,\n,,\n"])
    def test_an_empty_file_is_a_problem(self, content):
        problems = rejected(content, "units.csv")
        assert [p.message for p in problems] == ["The file is empty."]
        assert str(problems[0]).startswith("units.csv: The file is empty.")

    def test_a_repeated_heading_is_a_problem(self):
        table = read_table(b"a,b,A\n1,2,3\n", "x.csv")
        assert table.columns == ["a", "b"]
        assert len(table.problems) == 1
        assert table.problems[0].row == 1
        assert "more than once" in table.problems[0].message
        assert "columns A and C" in table.problems[0].message

    def test_values_without_a_heading_are_a_problem(self):
        table = read_table(b"a,,b\n1,,2\n3,x,4,y\n", "x.csv")
        places = [(p.row, p.column, p.value) for p in table.problems]
        assert places == [(3, "B", "x"), (3, "D", "y")]

    def test_blank_trailing_headings_are_ignored(self):
        table = read_table(b"a,b,,\n1,2,,\n", "x.csv")
        assert table.columns == ["a", "b"]
        assert table.problems == []

    def test_the_header_is_the_first_non_blank_row(self):
        table = read_table(b"\n\na,b\n1,2\n", "x.csv")
        assert table.header_row == 3
        assert table.rows[0].number == 4

    def test_unknown_file_types_are_refused(self):
        problems = rejected(b"a,b\n", "staff.pdf")
        assert ".csv or .xlsx" in problems[0].message

    def test_old_excel_files_are_refused_with_advice(self):
        problems = rejected(b"\xd0\xcf\x11\xe0rest", "staff.xls")
        assert ".xls" in problems[0].message
        assert ".xlsx" in problems[0].fix


class TestXlsx:
    def test_reads_the_first_sheet_with_spreadsheet_row_numbers(self):
        content = xlsx_bytes([["unit_code", "name"], ["W1", "Ward 1"], [None, None], ["W2", "x"]])
        table = read_table(content, "units.xlsx")
        assert table.columns == ["unit_code", "name"]
        assert [(r.number, r.values["unit_code"]) for r in table.rows] == [(2, "W1"), (4, "W2")]

    def test_dates_numbers_and_booleans_become_text(self):
        content = xlsx_bytes(
            [
                ["start_date", "band", "employee_number", "is_leader", "ratio"],
                [datetime(2021, 3, 14), 5.0, 12345, True, 0.5],
                [date(2020, 1, 2), "8a", "E1", False, None],
            ]
        )
        rows = read_table(content, "staff.xlsx").rows
        assert rows[0].values == {
            "start_date": "2021-03-14",
            "band": "5",
            "employee_number": "12345",
            "is_leader": "true",
            "ratio": "0.5",
        }
        assert rows[1].values["start_date"] == "2020-01-02"
        assert rows[1].values["ratio"] == ""

    def test_a_damaged_workbook_is_a_problem(self):
        problems = rejected(b"PK\x03\x04 not really a zip", "staff.xlsx")
        assert "cannot be opened as an Excel workbook" in problems[0].message

    def test_a_zip_named_csv_is_read_as_a_workbook(self):
        content = xlsx_bytes([["a"], ["1"]])
        assert read_table(content, "export.csv").rows[0].values == {"a": "1"}

    def test_an_empty_workbook_is_a_problem(self):
        problems = rejected(xlsx_bytes([]), "units.xlsx")
        assert problems[0].message == "The file is empty."


def test_cell_text_of_times_keeps_the_time():
    assert cell_text(datetime(2021, 3, 14, 9, 30)) == "2021-03-14 09:30:00"


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


def test_normalise_heading():
    assert normalise_heading("\ufeff Line  Manager ") == "line_manager"
    assert normalise_heading("team-codes") == "team_codes"


def test_problem_is_one_line_naming_the_place():
    problem = ImportProblem(
        "workforce.csv",
        14,
        "band",
        "Band 10",
        '"Band 10" is not a pay band.',
        "Use Band 1 to Band 9.",
    )
    assert str(problem) == (
        'workforce.csv, row 14, column band: "Band 10" is not a pay band. Use Band 1 to Band 9.'
    )
    multi_line = ImportProblem("f.csv", 2, "name", "a\nb", 'Bad "a\nb".', "Fix.")
    assert "\n" not in str(multi_line)


def test_rejection_message_counts_the_problems():
    one = ImportProblem("f.csv", 2, "a", "", "m", "f")
    assert str(ImportRejected([one])) == "1 problem found; nothing was imported."
    assert str(ImportRejected([one, one])) == "2 problems found; nothing was imported."
