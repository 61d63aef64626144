"""Text cells in CSV files made for spreadsheets (no Django imports).

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
a spreadsheet. Exports put a ``'`` in front (``csv_safe``): the spreadsheet shows the text and
never runs it. Imports take that ``'`` off again (``unguard``), so a CSV export read back
gives the text it started from. Text that itself starts with apostrophes before a formula
character gets one more on the way out, so that the pair is exact for any text."""

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# The download formats every export offers, with their content types.
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class Export:
    """A file made by an export, ready to send or write."""

    content: bytes
    content_type: str
    filename: str
    rows: int


def _looks_like_formula(text: str) -> bool:
    return text.lstrip("'").startswith(FORMULA_PREFIXES)


def csv_safe(value) -> str:
    """A cell value a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if _looks_like_formula(text) else text


def unguard(text: str) -> str:
    """The text ``csv_safe`` was given, from the cell it made; other text unchanged."""
    return text[1:] if text.startswith("'") and _looks_like_formula(text) else text


def csv_text(rows: Iterable[Mapping], columns: Sequence[str], text_columns) -> str:
    """A CSV file of ``rows`` (mappings with every column as a key), a header row of
    ``columns`` first: text columns through ``csv_safe``, other values as they are, None as
    an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            [
                csv_safe(row[c]) if c in text_columns else ("" if row[c] is None else row[c])
                for c in columns
            ]
        )
    return buffer.getvalue()
