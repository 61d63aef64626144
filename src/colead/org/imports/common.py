"""Checks shared by the units and workforce validators. No Django imports."""

import re
from collections.abc import Callable, Iterable
from datetime import date

from colead.lib.problems import ImportProblem, quote
from colead.lib.table import Table

# The same rules as the models (tests/unit/test_imports_validators.py checks they agree).
UNIT_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EMAIL_RE = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
TRUE_WORDS = {"y", "yes", "true"}
FALSE_WORDS = {"n", "no", "false", ""}


class ProblemList(list):
    """A list of ImportProblem with a shorthand for adding one."""

    def __init__(self, filename: str):
        super().__init__()
        self.filename = filename

    def add(self, row, column, value, message, fix=""):
        self.append(ImportProblem(self.filename, row, column, value, message, fix))


def check_columns(
    table: Table,
    problems: ProblemList,
    *,
    required: Iterable[str],
    optional: Iterable[str],
    what: str,
) -> bool:
    """Missing and unknown headings. Returns False when the header row is unusable
    (nothing recognised at all), in which case the rows are not checked."""
    required = list(required)
    known = required + list(optional)
    present = [c for c in table.columns if c in known]
    if not present:
        shown = ", ".join(quote(c, 30) for c in table.columns[:5])
        problems.add(
            table.header_row,
            None,
            None,
            f"Row {table.header_row} should hold the column headings, but none of them is "
            f"recognised (found {shown}).",
            f"Make the first row the headings of a {what} file: {', '.join(required)}.",
        )
        return False
    for column in required:
        if column not in table.columns:
            problems.add(
                table.header_row,
                column,
                None,
                f"The required column {column} is missing.",
                f"Add a column headed {column} (see docs/data-formats.md). Headings are "
                "not case-sensitive.",
            )
    unknown = [c for c in table.columns if c not in known]
    if unknown:
        names = ", ".join(quote(c, 40) for c in unknown)
        problems.add(
            table.header_row,
            unknown[0],
            unknown[0],
            f"Unknown column{'s' if len(unknown) > 1 else ''}: {names}.",
            f"Check the spelling, or delete the column. The {what} columns are: "
            f"{', '.join(known)}.",
        )
    return True


def check_length(problems, row, column, value, limit) -> bool:
    if len(value) > limit:
        problems.add(
            row,
            column,
            value,
            f"{quote(value)} is {len(value)} characters long; {column} can be at most {limit}.",
            "Shorten it.",
        )
        return False
    return True


def check_required(problems, row, column, value, what: str) -> bool:
    if not value:
        problems.add(row, column, value, f"The {column} is blank.", f"Enter {what}.")
        return False
    return True


def parse_iso_date(value: str) -> date | None:
    if not ISO_DATE_RE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_yes_no(value: str) -> bool | None:
    lowered = value.strip().lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    return None


def similar(value: str, candidates: Iterable[str]) -> str | None:
    """A candidate equal to value but for case, to suggest in a message."""
    lowered = value.lower()
    for candidate in candidates:
        if candidate.lower() == lowered:
            return candidate
    return None


def find_loops(next_of: dict[str, str]) -> list[list[str]]:
    """Loops in a graph where each node points to at most one other (a parent, a line
    manager). Each loop is listed once, as the nodes in order of following the links."""
    state: dict[str, int] = {}  # 1: on the path being followed, 2: finished
    loops = []
    for start in next_of:
        if start in state:
            continue
        path = []
        node = start
        while node is not None and node not in state:
            state[node] = 1
            path.append(node)
            node = next_of.get(node)
        if node is not None and state[node] == 1:
            loops.append(path[path.index(node) :])
        for visited in path:
            state[visited] = 2
    return loops


def chain_text(loop: list[str], limit: int = 25) -> str:
    """["A", "B"] -> "A → B → A" (long loops are shortened in the middle)."""
    shown = loop + [loop[0]]
    if len(shown) > limit:
        shown = shown[: limit - 3] + ["…"] + shown[-2:]
    return " → ".join(shown)


def rotate_to_first_row(loop: list[str], row_of: Callable[[str], int]) -> list[str]:
    start = min(range(len(loop)), key=lambda i: row_of(loop[i]))
    return loop[start:] + loop[:start]
