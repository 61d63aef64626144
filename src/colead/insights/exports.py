"""The heatmap's rows as export lines, CSV and XLSX: the formats of
``queries.heatmap_export``, which the command line, the page's download link and the API
all call (and which audits every export).

Columns (docs/data-formats.md, "Results exports"):
``unit_code,unit_name,level,breakdown,measure,n,score,score_band,ci_low,ci_high,pct_positive,
pct_positive_band,comparison,suppressed,suppressed_reason``: the names, then exactly the
figures ``results.published_figures`` gives the unit page and the API. A hidden row keeps
only the fields that name it and has ``suppressed`` set to ``primary``, ``complementary`` or
``refused``; below twice the threshold ``pct_positive_band`` holds a band such as ``≥90%``
in place of ``pct_positive``, and ``score_band`` a band such as ``7–8`` in place of
``score`` (or neither, with no interval: docs/privacy.md, R6).
"""

from __future__ import annotations

import io

from colead.insights import results as rs
from colead.lib.spreadsheet import FORMATS as FORMATS  # the file formats, for callers
from colead.lib.spreadsheet import csv_text

NAME_COLUMNS = ("unit_code", "unit_name", "level", "breakdown", "measure")
COLUMNS = NAME_COLUMNS + rs.FIGURE_FIELDS
TEXT_COLUMNS = {"unit_code", "unit_name", "breakdown", "measure"}


def export_rows(table: rs.ResultsTable, rows: list[rs.Row]) -> list[dict]:
    """One dict per row × measure, with exactly ``COLUMNS`` as keys (None for empty): the
    export's, the API's and (through ``published_figures``) the unit page's figures."""
    out = []
    for row in rows:
        for measure in table.measures:
            line = {
                "unit_code": row.unit_code,
                "unit_name": row.unit_name,
                "level": row.level,
                "breakdown": row.category or "",
                "measure": measure.code,
            }
            line.update(rs.published_figures(row.cells.get(measure.code), table.threshold))
            out.append(line)
    return out


def to_csv(rows: list[dict]) -> str:
    return csv_text(rows, COLUMNS, TEXT_COLUMNS)


def to_xlsx(rows: list[dict], title: str = "Heatmap") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append(list(COLUMNS))
    for row in rows:
        cells = []
        for column in COLUMNS:
            value = row[column]
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text stays text: a leading = is never a formula
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
