"""Reading CSV and XLSX files into tables (colead.lib.table): pure, no database."""

import csv
import io
import zipfile
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from colead.lib import table as table_module
from colead.lib.table import cell_text, column_letter, normalise_heading
from colead.org.imports import ImportProblem, ImportRejected, read_table


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

    def test_a_repeated_heading_names_the_column_it_first_appeared_in(self):
        table = read_table(b"a,b,c,Team-B,B\n1,2,3,4,5\n", "x.csv")
        assert table.columns == ["a", "b", "c", "team_b"]
        assert [p.message for p in table.problems] == [
            'The heading "B" appears more than once (columns B and E).'
        ]

    def test_a_value_without_a_heading_is_reported_once_per_column(self):
        table = read_table(b"a,,b\n1,x,2\n3,y,4\n", "x.csv")
        assert [(p.row, p.column, p.value) for p in table.problems] == [(2, "B", "x")]
        assert "Give the column a heading" in table.problems[0].fix

    def test_a_row_the_csv_reader_cannot_read_names_the_row(self):
        huge_cell = b"x" * (csv.field_size_limit() + 1)
        problems = rejected(b"a\n1\n" + huge_cell + b"\n", "staff.csv")
        assert problems[0].row == 3
        assert problems[0].message.startswith("This row cannot be read as CSV (field larger")
        assert "export the file again" in problems[0].fix

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

    def test_a_workbook_of_chart_sheets_only_is_empty(self):
        workbook = Workbook()
        data = workbook.active
        data.append([1])
        chart = BarChart()
        chart.add_data(Reference(data, min_col=1, min_row=1, max_row=1))
        workbook.create_chartsheet().add_chart(chart)
        workbook.remove(data)
        buffer = io.BytesIO()
        workbook.save(buffer)
        problems = rejected(buffer.getvalue(), "units.xlsx")
        assert [p.message for p in problems] == ["The file is empty."]

    def test_a_zip_that_is_not_a_workbook_is_a_problem(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("notes.txt", "not a workbook")
        problems = rejected(buffer.getvalue(), "staff.xlsx")
        assert "cannot be opened as an Excel workbook" in problems[0].message
        assert "save it again as an Excel Workbook" in problems[0].fix

    def test_an_empty_workbook_is_a_problem(self):
        problems = rejected(xlsx_bytes([]), "units.xlsx")
        assert problems[0].message == "The file is empty."


def test_cell_text_of_times_keeps_the_time():
    assert cell_text(datetime(2021, 3, 14, 9, 30)) == "2021-03-14 09:30:00"


def test_cell_text_of_each_kind_of_cell():
    assert cell_text(None) == ""
    assert cell_text(date(2021, 3, 14)) == "2021-03-14"
    assert cell_text(time(9, 30)) == "09:30:00"
    assert cell_text(Decimal(" 2.50 ")) == "2.50"  # any other value as its own text
    assert cell_text(timedelta(hours=1)) == "1:00:00"


def test_a_row_without_the_column_gives_a_blank():
    row = read_table(b"a,b\n1,2\n", "x.csv").rows[0]
    assert (row.get("b"), row.get("missing")) == ("2", "")


def test_work_size_of_a_csv_is_its_length():
    assert table_module.work_size(b"a,b\n1,2\n", "x.csv") == 8


def test_work_size_of_a_workbook_is_its_unpacked_sheets_and_shared_strings():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * 10_000)
        archive.writestr("xl/worksheets/sheet2.xml", b"x" * 500)
        archive.writestr("xl/sharedStrings.xml", b"s" * 300)
        archive.writestr("xl/styles.xml", b"y" * 7_000)  # not data: not counted
    content = buffer.getvalue()
    assert len(content) < 2_000
    assert table_module.work_size(content, "big.xlsx") == 60_000 + 500 + 300


def test_work_size_of_a_damaged_workbook_is_its_length():
    content = b"PK\x03\x04 not really a zip"
    assert table_module.work_size(content, "staff.xlsx") == len(content)


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


def write_only_xlsx(rows, width: int = 2) -> bytes:
    """A workbook written as a stream (as a large export is): its stated size is only A1."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for index in range(rows):
        sheet.append([f"r{index}"] + ["x"] * (width - 1))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_dimension(content: bytes, dimension: str) -> bytes:
    """The workbook with the sheet's stated size replaced (a file can say anything)."""
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(
                    rb'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"'.encode(), data
                )
            target.writestr(info, data)
    return buffer.getvalue()


class TestLimits:
    """Files past the row and column limits are refused as soon as that is known, so a
    297 KB workbook of a million rows cannot hold a web request for a minute."""

    @pytest.fixture(autouse=True)
    def small_limits(self, monkeypatch):
        monkeypatch.setattr(table_module, "MAX_ROWS", 10)
        monkeypatch.setattr(table_module, "MAX_COLUMNS", 5)

    def test_a_streamed_workbook_with_too_many_rows_is_refused_before_parsing_them(
        self, monkeypatch
    ):
        # Written as a stream, the workbook states no size; its row elements are counted.
        parsed = []
        monkeypatch.setattr(table_module, "cell_text", lambda value: parsed.append(value) or "")
        problems = rejected(write_only_xlsx(1000), "staff.xlsx")
        assert len(problems) == 1 and parsed == []
        assert problems[0].row is None
        assert "more than 10 rows below the headings (it has 1,000)" in problems[0].message
        assert "Delete the rows below the records" in problems[0].fix

    def test_a_stated_size_past_the_limit_is_refused_before_reading(self):
        content = xlsx_bytes([["a", "b"]] + [["1", "2"]] * 30)
        assert "(it has 31)" in rejected(content, "staff.xlsx")[0].message

    @pytest.mark.parametrize(
        ("limit", "after", "before"),
        [
            (5, ["F", "Z", "AA", "XFD"], ["A", "E"]),
            (600, ["WC", "XA", "AAA"], ["WB", "VZ", "Z"]),
            (26, ["AA", "ZZ", "AAA"], ["A", "Z"]),  # a Z has no letter after it
            (52, ["BA", "ZZ", "AAA"], ["AZ", "AA", "Z"]),
        ],
    )
    def test_letters_after_a_column(self, monkeypatch, limit, after, before):
        import re

        pattern = re.compile(table_module._letters_after(column_letter(limit - 1)))
        assert all(pattern.fullmatch(letters) for letters in after)
        assert not any(pattern.fullmatch(letters) for letters in before)

    @pytest.mark.parametrize("chunk", [7, 64, 1000])
    def test_row_elements_are_counted_across_chunk_boundaries(self, monkeypatch, chunk):
        from openpyxl import load_workbook

        monkeypatch.setattr(table_module, "_CHUNK_BYTES", chunk)
        workbook = load_workbook(io.BytesIO(write_only_xlsx(37)), read_only=True)
        with workbook.worksheets[0]._get_source() as source:
            assert table_module._scan_sheet(source) == (37, None)

    def test_rows_past_the_limit_met_while_reading_are_refused_at_that_row(self, monkeypatch):
        monkeypatch.setattr(table_module, "_first_sheet_extent", lambda content: (None, None))
        problems = rejected(write_only_xlsx(1000), "staff.xlsx")
        assert problems[0].row == 12  # heading + 10 records; nothing after it was read

    def test_too_many_columns_names_the_last_column(self):
        problems = rejected(write_only_xlsx(3, width=8), "staff.xlsx")
        assert problems[0].column == "F"  # the first cell past the limit, found before loading
        assert problems[0].message == (
            "The file goes on to column F (column 6) at least; an import can read at most 5 "
            "columns (up to column E)."
        )
        assert "Delete the columns to the right" in problems[0].fix

    def test_a_wide_stated_size_is_refused_before_reading(self):
        content = with_dimension(xlsx_bytes([["a", "b"], ["1", "2"]]), "A1:XFD60")
        problems = rejected(content, "staff.xlsx")
        assert problems[0].row is None and problems[0].column == "XFD"

    def test_a_stated_size_smaller_than_the_data_does_not_hide_rows(self):
        content = with_dimension(xlsx_bytes([["a"]] + [[str(i)] for i in range(8)]), "A1:A2")
        assert [row.values["a"] for row in read_table(content, "units.xlsx").rows] == [
            str(i) for i in range(8)
        ]

    def test_csv_rows_and_columns_are_limited_too(self):
        many_rows = b"a\n" + b"1\n" * 20
        assert rejected(many_rows, "staff.csv")[0].row == 12
        wide = b"a,b,c,d,e,f\n1,2,3,4,5,6\n"
        assert rejected(wide, "staff.csv")[0].column == "F"

    def test_a_run_of_blank_rows_past_the_limit_is_refused_too(self):
        # Blank rows are skipped, but reading them still costs time: a file of a million
        # empty formatted rows stops once MAX_ROWS more than the limit have been read.
        problems = rejected(b"a\n1\n" + b"\n" * 40, "staff.csv")
        assert problems[0].row == 22  # heading + 10 records + 10 more rows, all blank
        assert "it goes on to row 22 at least" in problems[0].message
        assert read_table(b"a\n1\n" + b"\n" * 19, "staff.csv").rows[0].values == {"a": "1"}

    def test_a_stated_size_past_the_limit_is_refused_even_when_the_rows_are_fewer(self):
        content = with_dimension(xlsx_bytes([["a", "b"], ["1", "2"]]), "A1:B60")
        [problem] = rejected(content, "staff.xlsx")
        assert problem.row is None
        assert "more than 10 rows below the headings (it has 60)" in problem.message

    def test_files_at_the_limits_are_read(self):
        table = read_table(b"a,b,c,d,e\n" + b"1,2,3,4,5\n" * 10 + b",,,,,,,\n", "x.csv")
        assert len(table.rows) == 10 and not table.problems

    def test_progress_is_reported_while_reading(self, monkeypatch):
        monkeypatch.setattr(table_module, "MAX_ROWS", 100)
        monkeypatch.setattr(table_module, "PROGRESS_EVERY", 4)
        seen = []
        with table_module.report_progress_to(lambda done, total: seen.append((done, total))):
            read_table(b"a\n" + b"1\n" * 9, "x.csv")
        assert seen == [(4, 10), (8, 10), (10, 10)]


class TestControlCharacters:
    """NUL and other control characters are refused with the row and column named (a unit
    called "Ward\\x00Nul" was stored on SQLite; PostgreSQL fails at the write)."""

    def test_nul_in_a_csv_cell_is_a_problem_naming_row_and_column(self):
        table = read_table(b"code,name\nW1,Ward\x00Nul\nW2,Ward 2\n", "units.csv")
        [problem] = table.problems
        assert (problem.row, problem.column, problem.value) == (2, "name", "Ward\\x00Nul")
        assert "NUL (U+0000)" in problem.message
        assert "column B" in problem.fix
        assert "\x00" not in table.rows[0].values["name"]  # later messages quote it visibly

    @pytest.mark.parametrize("character", ["\x01", "\x1b", "\x7f"])
    def test_other_control_characters_in_a_csv_are_problems(self, character):
        table = read_table(f"code,name\nW1,a{character}b\n".encode(), "u.csv")
        assert [(p.row, p.column) for p in table.problems] == [(2, "name")]

    @pytest.mark.parametrize("character", ["\x7f", "\x85"])  # a workbook cannot hold C0
    def test_control_characters_in_a_workbook_are_problems(self, character):
        table = read_table(xlsx_bytes([["code", "name"], ["W1", f"a{character}b"]]), "u.xlsx")
        assert [(p.row, p.column) for p in table.problems] == [(2, "name")]

    def test_a_control_character_in_a_heading_is_a_problem(self):
        table = read_table(b"code,na\x07me\nW1,x\n", "units.csv")
        assert [(p.row, p.column) for p in table.problems] == [(1, "na\x07me")]

    def test_tabs_and_line_breaks_in_text_are_kept(self):
        table = read_table(b'comment\n"line one\nline\ttwo"\n', "r.csv")
        assert not table.problems
        assert table.rows[0].values["comment"] == "line one\nline\ttwo"
