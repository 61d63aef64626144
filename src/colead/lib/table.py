"""Reading an uploaded CSV or Excel file into a table of stripped strings. No Django imports.

Rows are numbered as a spreadsheet shows them: the header is row 1 and the first data row
is row 2 (blank rows are skipped but still counted, so the numbers match what the person
fixing the file sees).
"""

import contextlib
import contextvars
import csv
import io
import re
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from colead.lib.problems import ImportProblem, ImportRejected, quote
from colead.lib.spreadsheet import unguard
from colead.lib.text import describe_character, find_control_character, visible

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format

# The largest file any import reads (docs/data-formats.md). The largest legitimate one is a
# workforce file of a 100,000-person organisation (100,001 rows, about 25 columns); a
# responses file has a column per item, and an instrument has at most 500 items. Reading
# stops at the first row or column beyond these, so a hostile file costs no more than this.
MAX_ROWS = 200_000  # data rows, below the heading row
MAX_COLUMNS = 600
PROGRESS_EVERY = 5_000  # rows between two reports to a background check's progress

# Set by a background check (report_progress_to): called with (rows read, rows expected).
_progress: contextvars.ContextVar[Callable[[int, int | None], None] | None] = (
    contextvars.ContextVar("table_progress", default=None)
)


@contextlib.contextmanager
def report_progress_to(callback: Callable[[int, int | None], None]):
    """Within the block, read_table calls ``callback(rows_read, rows_expected)`` every
    PROGRESS_EVERY rows (rows_expected is None when the file does not say)."""
    token = _progress.set(callback)
    try:
        yield
    finally:
        _progress.reset(token)


def work_size(content: bytes, filename: str) -> int:
    """About how many bytes of text reading the file means: its own size for CSV, the
    unpacked size of the sheets for XLSX (a small workbook can hold a million rows)."""
    if not content.startswith(XLSX_MAGIC):
        return len(content)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return sum(
                info.file_size
                for info in archive.infolist()
                if info.filename.startswith("xl/worksheets/")
                or info.filename == "xl/sharedStrings.xml"
            )
    except (zipfile.BadZipFile, ValueError, OSError):
        return len(content)  # read_table will say what is wrong with it


@dataclass(slots=True)
class Row:
    number: int  # the spreadsheet row number
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass(slots=True)
class Table:
    filename: str
    columns: list[str]  # normalised headings, in file order
    rows: list[Row]
    header_row: int = 1
    # Problems with the file's shape (blank or repeated headings, stray cells).
    problems: list[ImportProblem] = field(default_factory=list)


def normalise_heading(text: str) -> str:
    """ "Employee Number " -> "employee_number"; headings are matched this way."""
    cleaned = text.replace("\ufeff", "").strip().lower().replace("-", " ").replace("_", " ")
    return "_".join(cleaned.split())


def column_letter(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA" (as a spreadsheet labels columns)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def cell_text(value) -> str:
    """A spreadsheet cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


def read_table(content: bytes, filename: str) -> Table:
    """Read CSV (UTF-8, with or without a byte-order mark) or XLSX (first worksheet).

    Raises ImportRejected when the file cannot be read at all; smaller problems with its
    shape are returned in ``Table.problems`` for the validator to report with the rest.
    """
    lowered = filename.lower()
    if content.startswith(OLE_MAGIC) or lowered.endswith(".xls"):
        raise ImportRejected(
            [
                ImportProblem(
                    filename,
                    None,
                    None,
                    None,
                    "This is an old-style Excel file (.xls), which cannot be read.",
                    'Save it as "Excel Workbook (.xlsx)" or "CSV UTF-8 (Comma delimited)" '
                    "and upload that.",
                )
            ]
        )
    if content.startswith(XLSX_MAGIC) or lowered.endswith((".xlsx", ".xlsm")):
        declared: dict[str, int | None] = {"rows": None}  # filled in once the sheet is open
        records = _limited(_xlsx_records(content, filename, declared), filename, declared)
    elif lowered.endswith((".csv", ".txt")):
        expected = content.count(b"\n") + (0 if content.endswith(b"\n") else 1)
        records = _limited(_csv_records(content, filename), filename, {"rows": expected})
    else:
        raise ImportRejected(
            [
                ImportProblem(
                    filename,
                    None,
                    None,
                    None,
                    "The file's name should end in .csv or .xlsx.",
                    "Export the data as CSV (UTF-8) or as an Excel workbook (.xlsx).",
                )
            ]
        )
    return _build_table(records, filename)


def _too_many_rows(filename: str, number: int, *, reached: bool = True) -> ImportRejected:
    """``number`` is the row reading reached, or (``reached=False``) the rows the file
    states or holds, known before reading them."""
    extent = f"it goes on to row {number:,} at least" if reached else f"it has {number:,}"
    return ImportRejected(
        [
            ImportProblem(
                filename,
                number if reached else None,
                None,
                None,
                f"The file has more than {MAX_ROWS:,} rows below the headings ({extent}); "
                f"an import can read at most {MAX_ROWS:,}.",
                "Delete the rows below the records, including empty rows that only carry "
                "formatting, and save the file again. If the records themselves are more "
                "than this, ask your colead administrator (docs/data-formats.md, Limits).",
            )
        ]
    )


def _too_many_columns(filename: str, number: int | None, width: int) -> ImportRejected:
    return ImportRejected(
        [
            ImportProblem(
                filename,
                number,
                column_letter(width - 1),
                None,
                f"The file goes on to column {column_letter(width - 1)} (column {width:,}) at "
                f"least; an import can read at most {MAX_COLUMNS:,} columns (up to column "
                f"{column_letter(MAX_COLUMNS - 1)}).",
                "Delete the columns to the right of the data, including empty columns that "
                "only carry formatting, and save the file again.",
            )
        ]
    )


def _limited(records, filename: str, declared: dict[str, int | None]):
    """The records, stopping with ImportRejected at the first row or column past the
    limits (before anything more is read), and reporting progress if a check asked.
    ``declared["rows"]`` is how many rows the file says it has, if it says."""
    progress = _progress.get()
    last_row = MAX_ROWS + 1  # the heading row is row 1
    number = 0
    for number, cells in records:
        if number > last_row and any(cells):
            raise _too_many_rows(filename, number)
        if number > last_row + MAX_ROWS:  # blank rows cost time too
            raise _too_many_rows(filename, number)
        if len(cells) > MAX_COLUMNS:
            width = max((i + 1 for i, cell in enumerate(cells) if cell), default=0)
            if width > MAX_COLUMNS:
                raise _too_many_columns(filename, number, width)
            cells = cells[:MAX_COLUMNS]
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number, declared["rows"])
        yield number, cells
    if progress is not None:
        progress(number, number)


def _empty_file(filename: str) -> ImportRejected:
    return ImportRejected(
        [
            ImportProblem(
                filename,
                None,
                None,
                None,
                "The file is empty.",
                "Export it again: the first row should be the column headings, then one row "
                "per record (see docs/data-formats.md).",
            )
        ]
    )


def _csv_records(content: bytes, filename: str):
    if not content.replace(b"\xef\xbb\xbf", b"", 1).strip():
        raise _empty_file(filename)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        byte = content[error.start : error.start + 1].hex().upper()
        raise ImportRejected(
            [
                ImportProblem(
                    filename,
                    line,
                    None,
                    None,
                    f"The file is not UTF-8 text: byte 0x{byte} on this row cannot be read.",
                    'In Excel, use "Save As" and choose "CSV UTF-8 (Comma delimited) (*.csv)", '
                    "or upload the .xlsx workbook instead.",
                )
            ]
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    number = 0
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ImportRejected(
                [
                    ImportProblem(
                        filename,
                        number,
                        None,
                        None,
                        f"This row cannot be read as CSV ({error}).",
                        "Check the row for stray quote marks or control characters, and "
                        "export the file again from the spreadsheet.",
                    )
                ]
            ) from None
        # A leading ' before a formula character is the guard our CSV exports add.
        yield number, [unguard(cell.strip()).strip() for cell in cells]


def _xlsx_records(content: bytes, filename: str, declared: dict[str, int | None]):
    from openpyxl import load_workbook  # only needed for Excel files

    # Files written as a stream often state no size: count the first sheet's row elements
    # before openpyxl loads anything (its shared strings alone can take seconds).
    counted, wide = _first_sheet_extent(content)
    if wide is not None:
        raise _too_many_columns(filename, None, wide)
    if counted is not None and counted > MAX_ROWS + 1:
        raise _too_many_rows(filename, counted, reached=False)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise ImportRejected(
            [
                ImportProblem(
                    filename,
                    None,
                    None,
                    None,
                    "The file cannot be opened as an Excel workbook (.xlsx).",
                    "Open it in Excel and save it again as an Excel Workbook (.xlsx), or "
                    'save it as "CSV UTF-8 (Comma delimited)".',
                )
            ]
        ) from None
    try:
        if not workbook.worksheets:
            raise _empty_file(filename)
        sheet = workbook.worksheets[0]
        # The sheet's stated size lets a hostile file be refused before reading it; it can
        # be wrong either way, so reading then ignores it and _limited counts for itself.
        rows, columns = sheet.max_row, sheet.max_column
        if columns and columns > MAX_COLUMNS:
            raise _too_many_columns(filename, None, columns)
        if rows and rows > MAX_ROWS + 1:
            raise _too_many_rows(filename, rows, reached=False)
        declared["rows"] = counted or rows
        sheet.reset_dimensions()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, [cell_text(cell) for cell in cells]
    finally:
        workbook.close()


_CHUNK_BYTES = 1 << 20
_ROW_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")


def _first_sheet_extent(content: bytes) -> tuple[int | None, int | None]:
    """(how many rows the workbook's first worksheet, the one read, holds; the width up to
    a cell past MAX_COLUMNS, or None), found without loading the workbook. (None, None) if
    they cannot be found this way: openpyxl then says what is wrong with the file, or
    _limited stops at a limit while reading."""
    from openpyxl.reader.excel import ExcelReader

    try:
        reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # not a workbook at all
        return None, None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader.read_manifest()
            reader.read_workbook()  # names the sheets in order; shared strings not read
        for _sheet, rel in reader.parser.find_sheets():
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type:
                with reader.archive.open(rel.target) as source:
                    return _scan_sheet(source)
        return None, None
    except Exception:  # a damaged workbook: load_workbook reports it
        return None, None
    finally:
        reader.archive.close()


def _letters_after(letters: str) -> str:
    """A pattern for the column letters that come after ``letters`` ("WB" -> WC..WZ, XA..ZZ,
    AAA.. and longer)."""
    choices = [f"[A-Z]{{{len(letters) + 1},}}"]
    for index, letter in enumerate(letters):
        if letter != "Z":
            rest = len(letters) - index - 1
            choices.append(f"{letters[:index]}[{chr(ord(letter) + 1)}-Z][A-Z]{{{rest}}}")
    return "|".join(choices)


def _scan_sheet(source) -> tuple[int, int | None]:
    """(How many <row> elements a sheet's XML holds, the width up to the first cell found
    past MAX_COLUMNS or None), read in chunks without parsing (text cannot hold a "<")."""
    past_limit = re.compile(
        rb'\sr="(' + _letters_after(column_letter(MAX_COLUMNS - 1)).encode() + rb")\d+\""
    )
    count = 0
    tail = b""
    while chunk := source.read(_CHUNK_BYTES):
        data = tail + chunk
        if found := past_limit.search(data):
            return count, _column_number(found.group(1).decode())
        # A match may straddle two chunks: count those starting before the last 64 bytes
        # now, and carry the last 64 bytes over to the next chunk.
        limit = len(data) - min(len(data), 64)
        count += sum(
            1 for match in _ROW_ELEMENT.finditer(data, 0, limit + 64) if match.start() < limit
        )
        tail = data[limit:]
    return count + len(_ROW_ELEMENT.findall(tail)), None


def _column_number(letters: str) -> int:
    """ "A" -> 1, "XFD" -> 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _build_table(records, filename: str) -> Table:
    header_cells = None
    header_row = 1
    for number, cells in records:
        if any(cells):
            header_cells, header_row = cells, number
            break
    if header_cells is None:
        raise _empty_file(filename)

    problems: list[ImportProblem] = []
    _check_control_characters(problems, filename, header_row, header_cells, header_cells)
    columns: list[str] = []
    positions: list[tuple[int, str]] = []  # (cell index, column name) kept
    first_index: dict[str, int] = {}  # column name -> the cell index it was first seen at
    blank_heading_positions: list[int] = []
    for index, raw in enumerate(header_cells):
        name = normalise_heading(raw)
        if not name:
            blank_heading_positions.append(index)
            continue
        if name in first_index:
            problems.append(
                ImportProblem(
                    filename,
                    header_row,
                    name,
                    raw,
                    f"The heading {quote(raw)} appears more than once "
                    f"(columns {column_letter(first_index[name])} and "
                    f"{column_letter(index)}).",
                    "Keep one column with this heading and delete the other.",
                )
            )
            continue
        first_index[name] = index
        columns.append(name)
        positions.append((index, name))

    width = len(header_cells)
    reported_blank: set[int] = set()
    rows: list[Row] = []
    for number, cells in records:
        if not any(cells):
            continue
        if find_control_character("\n".join(cells)):  # one search per row in the usual case
            _check_control_characters(problems, filename, number, cells, header_cells)
            # The file is refused; the validators' own messages quote the visible form.
            cells = [visible(cell) for cell in cells]
        values = {name: (cells[index] if index < len(cells) else "") for index, name in positions}
        rows.append(Row(number, values))
        stray = [i for i in blank_heading_positions if i < len(cells) and cells[i]]
        stray += [i for i in range(width, len(cells)) if cells[i]]
        for index in stray:
            if index in reported_blank:
                continue
            reported_blank.add(index)
            problems.append(
                ImportProblem(
                    filename,
                    number,
                    column_letter(index),
                    cells[index],
                    f"Column {column_letter(index)} has a value ({quote(cells[index])}) but no "
                    "heading in row 1.",
                    "Give the column a heading from docs/data-formats.md, or delete it.",
                )
            )
    return Table(filename, columns, rows, header_row, problems)


def _check_control_characters(problems, filename, number, cells, header_cells) -> None:
    """A problem for each cell holding a control character (the one check every import
    shares; PostgreSQL would refuse NUL with a server error, the others are invisible)."""
    for index, cell in enumerate(cells):
        character = find_control_character(cell)
        if character is None:
            continue
        heading = normalise_heading(header_cells[index]) if index < len(header_cells) else ""
        problems.append(
            ImportProblem(
                filename,
                number,
                heading or column_letter(index),
                visible(cell),
                f"{quote(visible(cell))} contains the invisible character "
                f"{describe_character(character)} (shown as \\x{ord(character):02x}), "
                "which cannot be stored.",
                f"Retype the cell in column {column_letter(index)} without it, or delete the "
                "character, and save the file again.",
            )
        )
