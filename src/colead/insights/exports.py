"""Exports of the heatmap: CSV and XLSX, the same rows from the command line, the page's
download link and the API. Every export is audited.

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

import csv
import io

from django.utils import timezone

from colead.audit.services import record
from colead.insights import results as rs
from colead.lib.spreadsheet import FORMATS, Export, csv_safe

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
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            [
                csv_safe(row[c]) if c in TEXT_COLUMNS else ("" if row[c] is None else row[c])
                for c in COLUMNS
            ]
        )
    return buffer.getvalue()


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


def heatmap_export(
    *,
    wave,
    level: int,
    breakdown: str | None,
    fmt: str,
    scopes,
    actor,
    source: str,
    request=None,
    group: str | None = None,
    measures: str = "dimensions",
    results: rs.WaveResults | None = None,
) -> Export:
    """The heatmap rows the viewer may see (``scopes``: their units, or ``[None]`` for the
    organisation) as CSV or XLSX, with an audit event. Raises ResultsError for a bad level,
    breakdown, format or measure set."""
    if fmt not in FORMATS:
        raise rs.ResultsError(f"There is no format {fmt!r}. Use csv or xlsx.")
    results = results or rs.load_results(wave)
    results.require_level(level, rs.allowed_levels(results, scopes))
    table = results.table(level=level, breakdown=breakdown, measures=measures)
    rows = rs.scoped_rows(table, scopes)
    if group is not None:
        rows = [row for row in rows if row.category == group]
    lines = export_rows(table, rows)
    content = to_csv(lines).encode("utf-8") if fmt == "csv" else to_xlsx(lines)
    suffix = f"-{breakdown}" if breakdown else ""
    filename = (
        f"heatmap-{wave.organisation.code}-wave{wave.pk}-level{level}{suffix}"
        f"-{timezone.localdate():%Y%m%d}.{fmt}"
    )
    record(
        action="insights.heatmap_export",
        actor=actor,
        organisation=wave.organisation,
        obj=wave,
        request=request,
        detail={
            "level": level,
            "breakdown": breakdown,
            "group": group,
            "measures": measures,
            "format": fmt,
            "rows": len(lines),
            "source": source,
            "scope": "organisation" if None in scopes else sorted(unit.code for unit in scopes),
        },
    )
    return Export(content, FORMATS[fmt], filename, len(lines))
