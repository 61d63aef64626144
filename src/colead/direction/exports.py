"""Exports of an organisation's objectives, in the objectives import's own columns and
formats (docs/data-formats.md, "The objectives file"), so that a file colead exports
imports back as it is: into the same organisation it changes nothing, and into another
organisation with the same units and people it makes the same objectives. CSV or XLSX,
from the command line (``colead objectives export``), the golden thread page's download
links and the API, all through ``colead.direction.queries.objectives_export``, which
checks the scope and audits every export (``objectives.export``).

Values are written as the import reads them: numbers with no trailing ``.0`` (``85``,
``12.5``), dates as ``YYYY-MM-DD`` (date cells in XLSX), parents (by code) and elements
(in the reference order) as semicolon lists, and empty cells for empty values. Rows come
parents first: organisation objectives, then what serves them, level by level, each level
by code.

Formula injection: in CSV, a text cell starting with ``=``, ``+``, ``-`` or ``@`` gets a
leading ``'`` (``colead.lib.spreadsheet.csv_safe``, shared with every other CSV export),
so that a spreadsheet shows it as text rather than running it. The import reads cells as
they are, so a title like ``=A1`` re-imported from that CSV comes back as ``'=A1`` (an
update of the title, which ``--dry-run`` lists). XLSX needs no guard: every text cell is
stored as text, and round-trips exactly.

Objectives whose unit has closed, or whose owner has left, are exported as they are; the
import refuses such rows (it only writes objectives with an active unit and a current
owner), so they must be corrected or removed from the file before it is imported again.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict, deque
from collections.abc import Iterable
from datetime import date

from django.utils import timezone

from colead.direction import access
from colead.direction.imports import COLUMNS, ObjectiveValues
from colead.direction.models import OBJECTIVE_FILE_FIELDS, Alignment, Objective
from colead.direction.reference import ELEMENTS
from colead.lib.spreadsheet import csv_safe

NUMBER_COLUMNS = frozenset({"baseline", "target"})
DATE_COLUMNS = frozenset({"due_date"})
TEXT_COLUMNS = frozenset(COLUMNS) - NUMBER_COLUMNS - DATE_COLUMNS
# Widths (in characters) of the XLSX columns that hold long text.
XLSX_WIDTHS = {"objective_code": 16, "title": 60, "parent_codes": 20, "measure": 40}


# -- reading the objectives ---------------------------------------------------------------


def load(organisation, *, viewer=None) -> list[ObjectiveValues]:
    """The organisation's objectives as the import sets them (two queries). With a
    ``viewer``, only those they may see (colead.direction.access.visible_q), and only the
    parents among those: a part of the thread, which re-imports only alongside the rest."""
    objectives = Objective.objects.for_org(organisation)
    if viewer is not None:
        objectives = objectives.filter(access.visible_q(viewer, organisation))
    rows = list(objectives.values("id", *OBJECTIVE_FILE_FIELDS))
    code_of = {row["id"]: row["code"] for row in rows}
    parents: dict[int, list[str]] = defaultdict(list)
    for child_id, parent_id in Alignment.objects.filter(
        child__organisation=organisation
    ).values_list("child_id", "parent_id"):
        if child_id in code_of and parent_id in code_of:
            parents[child_id].append(code_of[parent_id])
    return [
        ObjectiveValues(
            code=row["code"],
            title=row["title"],
            unit_code=row["unit__code"],
            owner=row["owner__employee_number"] or "",
            parent_codes=tuple(sorted(parents.get(row["id"], ()))),
            measure=row["measure"],
            baseline=row["baseline"],
            target=row["target"],
            direction=row["direction"],
            due_date=row["due_date"],
            status=row["status"],
            elements=tuple(code for code in ELEMENTS if code in set(row["elements"] or ())),
        )
        for row in rows
    ]


def in_thread_order(objectives: Iterable[ObjectiveValues]) -> list[ObjectiveValues]:
    """Parents before children: objectives with no parent in the list first, then each
    one level below the lowest of its parents; by code within a level. (The services never
    store a loop; should one appear, its objectives come last, by code.)"""
    objectives = list(objectives)
    known = {o.code for o in objectives}
    children: dict[str, list[str]] = defaultdict(list)
    waiting: dict[str, int] = {}
    for objective in objectives:
        parents = {p for p in objective.parent_codes if p in known and p != objective.code}
        waiting[objective.code] = len(parents)
        for parent in parents:
            children[parent].append(objective.code)
    level = {code: 0 for code, count in waiting.items() if count == 0}
    queue = deque(level)
    deepest: dict[str, int] = {}
    while queue:
        code = queue.popleft()
        for child in children[code]:
            deepest[child] = max(deepest.get(child, 0), level[code] + 1)
            waiting[child] -= 1
            if waiting[child] == 0:
                level[child] = deepest[child]
                queue.append(child)
    last = max(level.values(), default=0) + 1
    return sorted(objectives, key=lambda o: (level.get(o.code, last), o.code))


# -- writing them -------------------------------------------------------------------------


def number_text(value: float | None) -> str:
    """12.0 -> "12", 12.5 -> "12.5", None -> "": what the import reads back to the same
    number (``repr`` is the shortest text that does)."""
    if value is None:
        return ""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def xlsx_number(value: float | None) -> float | str | None:
    """A number for an XLSX cell. openpyxl writes 16 significant digits, which is every
    number a person types; the rare double that needs 17 (0.1 + 0.2) goes in as text, which
    the import reads back exactly."""
    if value is None:
        return None
    value = float(value)
    return value if float(f"{value:.16g}") == value else number_text(value)


def cells(objective: ObjectiveValues) -> dict[str, object]:
    """One objective's cells by column: text, numbers (float or None) and the due date."""
    return {
        "objective_code": objective.code,
        "title": objective.title,
        "level_unit_code": objective.unit_code,
        "owner_employee_number": objective.owner,
        "parent_codes": ";".join(sorted(objective.parent_codes)),
        "measure": objective.measure,
        "baseline": objective.baseline,
        "target": objective.target,
        "direction": objective.direction,
        "due_date": objective.due_date,
        "status": objective.status,
        "elements": ";".join(objective.elements),
    }


def _csv_text(column: str, value) -> str:
    if column in NUMBER_COLUMNS:
        return number_text(value)
    if column in DATE_COLUMNS:
        return value.isoformat() if value is not None else ""
    return csv_safe(value)


def to_csv(objectives: Iterable[ObjectiveValues]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for objective in objectives:
        row = cells(objective)
        writer.writerow([_csv_text(column, row[column]) for column in COLUMNS])
    return buffer.getvalue()


def to_xlsx(objectives: Iterable[ObjectiveValues], title: str = "Objectives") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    for index, column in enumerate(COLUMNS, start=1):
        if column in XLSX_WIDTHS:
            sheet.column_dimensions[get_column_letter(index)].width = XLSX_WIDTHS[column]
    sheet.freeze_panes = "A2"
    sheet.append(list(COLUMNS))
    for objective in objectives:
        row = cells(objective)
        out = []
        for column in COLUMNS:
            value = row[column]
            if column in NUMBER_COLUMNS:
                value = xlsx_number(value)
            if isinstance(value, str):
                # Control characters cannot be stored in a workbook at all.
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text stays text: a leading = is never a formula
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            out.append(cell)
        sheet.append(out)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# -- the file ---------------------------------------------------------------------------


def file_content(objectives: list[ObjectiveValues], fmt: str) -> bytes:
    """The objectives as a CSV (UTF-8) or XLSX file; the export itself, with its scope
    and audit, is colead.direction.queries.objectives_export."""
    return to_csv(objectives).encode("utf-8") if fmt == "csv" else to_xlsx(objectives)


def filename(organisation, fmt: str) -> str:
    return f"objectives-{organisation.code}-{timezone.localdate():%Y%m%d}.{fmt}"
