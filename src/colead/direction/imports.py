"""Validating an objectives file against the organisation's units, people and objectives,
and planning the changes. No Django imports: ``colead.direction.services`` loads the
current state, calls ``validate_objectives`` and applies the plan.

The file adds and updates objectives by ``objective_code``; objectives not in the file are
left as they are. Every problem is reported together, by row and column, and then nothing
is written. See docs/data-formats.md, "The objectives file".
"""

import math
import re
from dataclasses import dataclass, field
from datetime import date

from colead.direction.reference import (
    ELEMENTS,
    RESERVED_OBJECTIVE_CODES,
    STATUSES,
    ObjectiveLimits,
    find_element,
)
from colead.lib import tree
from colead.lib.problems import ImportRejected, plural, quote
from colead.lib.table import Table
from colead.org.imports.common import (
    UNIT_CODE_RE,
    ProblemList,
    chain_text,
    check_columns,
    check_length,
    check_required,
    parse_iso_date,
    similar,
)

REQUIRED_COLUMNS = ("objective_code", "title", "level_unit_code")
OPTIONAL_COLUMNS = (
    "owner_employee_number",
    "parent_codes",
    "measure",
    "baseline",
    "target",
    "direction",
    "due_date",
    "status",
    "elements",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
# The same rule as unit codes (and the model's OBJECTIVE_CODE_RE).
OBJECTIVE_CODE_RE = UNIT_CODE_RE
NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
GROUPED_NUMBER_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
MAX_NUMBER = 1e15
# The fields an import sets, in the order a preview lists their changes.
FIELDS = (
    "title",
    "unit_code",
    "owner",
    "parent_codes",
    "measure",
    "baseline",
    "target",
    "direction",
    "due_date",
    "status",
    "elements",
)
# Which column sets each field.
COLUMN_OF = {
    "title": "title",
    "unit_code": "level_unit_code",
    "owner": "owner_employee_number",
    "parent_codes": "parent_codes",
    "measure": "measure",
    "baseline": "baseline",
    "target": "target",
    "direction": "direction",
    "due_date": "due_date",
    "status": "status",
    "elements": "elements",
}
DEFAULTS = {
    "owner": "",
    "parent_codes": (),
    "measure": "",
    "baseline": None,
    "target": None,
    "direction": "up",
    "due_date": None,
    "status": "draft",
    "elements": (),
}


@dataclass(frozen=True, slots=True)
class KnownUnit:
    code: str
    path: str  # the materialised path (/00000001/00000007/), for the owner's-tree rule
    is_active: bool = True


@dataclass(frozen=True, slots=True)
class KnownPerson:
    employee_number: str
    name: str
    unit_codes: tuple[str, ...]  # primary unit first, then further teams
    is_current: bool = True


@dataclass(frozen=True, slots=True)
class ObjectiveValues:
    """An objective as an import sets it (also what the service knows of a stored one)."""

    code: str
    title: str
    unit_code: str
    owner: str = ""  # employee number, "" for a unit's objective
    parent_codes: tuple[str, ...] = ()
    measure: str = ""
    baseline: float | None = None
    target: float | None = None
    direction: str = "up"
    due_date: date | None = None
    status: str = "draft"
    elements: tuple[str, ...] = ()
    row: int = 0  # in the file (0 for one already stored)


@dataclass(slots=True)
class ObjectiveUpdate:
    code: str
    changes: dict[str, tuple]  # field -> (old, new)


@dataclass
class ObjectivesPlan:
    records: dict[str, ObjectiveValues]  # every objective in the file, by code
    adds: list[str] = field(default_factory=list)
    updates: list[ObjectiveUpdate] = field(default_factory=list)
    unchanged: int = 0

    @property
    def no_changes(self) -> bool:
        return not (self.adds or self.updates)


def parse_number(text: str) -> float | None:
    """ "12", "-0.5", "1,200" or "3e2" -> a finite float; anything else -> None."""
    cleaned = text.strip()
    if GROUPED_NUMBER_RE.match(cleaned):
        cleaned = cleaned.replace(",", "")
    elif not NUMBER_RE.match(cleaned):
        return None
    value = float(cleaned)
    if not math.isfinite(value) or abs(value) > MAX_NUMBER:
        return None
    return value


def split_list(text: str) -> list[str]:
    """ "A; B;;A" -> ["A", "B"] (blanks and repeats dropped, order kept)."""
    return list(dict.fromkeys(part.strip() for part in text.split(";") if part.strip()))


def within_tree(unit: KnownUnit, person: KnownPerson, units: dict[str, KnownUnit]) -> bool:
    """Is ``unit`` one of the person's teams, or above one of them?"""
    return any(
        code in units and tree.is_within(units[code].path, unit.path) for code in person.unit_codes
    )


class _Rows:
    def __init__(self, table, problems, units, people, existing, limits: ObjectiveLimits):
        self.limits = limits
        self.table = table
        self.problems = problems
        self.units = units
        self.people = people
        self.existing = existing
        self.columns = set(table.columns)

    def given(self, column: str) -> bool:
        return column in self.columns

    def read(self, row, first_row: dict[str, int]) -> ObjectiveValues | None:
        n, get = row.number, row.get
        code = get("objective_code")
        code_ok = self.code_is_valid(n, code) and self.code_is_first(n, code, first_row)
        values: dict = {"title": self.title(n, get("title"))}
        unit_code = get("level_unit_code")
        unit = self.unit(n, unit_code)
        values["unit_code"] = unit_code
        self.read_optional_columns(n, get, code if code_ok else None, unit, values)
        if not code_ok:
            return None
        first_row[code] = n
        self.fill_unset(n, values, self.existing.get(code), unit)
        return ObjectiveValues(code=code, row=n, **values)

    def code_is_valid(self, n: int, code: str) -> bool:
        p = self.problems
        if not check_required(p, n, "objective_code", code, "the objective's code"):
            return False
        if not check_length(p, n, "objective_code", code, self.limits.code):
            return False
        if code in RESERVED_OBJECTIVE_CODES:
            p.add(
                n,
                "objective_code",
                code,
                f"{quote(code)} is kept for the address of a page.",
                "Choose another code for this objective.",
            )
            return False
        if not OBJECTIVE_CODE_RE.match(code):
            p.add(
                n,
                "objective_code",
                code,
                f"{quote(code)} is not a valid objective code.",
                "Use letters, digits, dots, hyphens and underscores, starting with a "
                "letter or digit (no spaces).",
            )
            return False
        return True

    def code_is_first(self, n: int, code: str, first_row: dict[str, int]) -> bool:
        if code not in first_row:
            return True
        self.problems.add(
            n,
            "objective_code",
            code,
            f"The objective code {quote(code)} is also on row {first_row[code]}.",
            "Each objective must appear once: remove or correct one of the rows.",
        )
        return False

    def title(self, n: int, title: str) -> str:
        if check_required(self.problems, n, "title", title, "the objective's title"):
            check_length(self.problems, n, "title", title, self.limits.title)
        return title

    def unit(self, n: int, unit_code: str) -> KnownUnit | None:
        """The objective's unit if it is known and active, else None (with the problem)."""
        if not check_required(
            self.problems, n, "level_unit_code", unit_code, "the code of the objective's unit"
        ):
            return None
        unit = self.units.get(unit_code)
        if unit is None:
            suggestion = similar(unit_code, self.units)
            hint = f" Did you mean {suggestion}?" if suggestion else ""
            self.problems.add(
                n,
                "level_unit_code",
                unit_code,
                f"The unit {quote(unit_code)} is not one of the organisation's units.{hint}",
                "Use the unit_code of the unit the objective belongs to: the organisation's "
                "top unit for an organisation objective, or a division, directorate or team "
                "(see the units file).",
            )
            return None
        if not unit.is_active:
            self.problems.add(
                n,
                "level_unit_code",
                unit_code,
                f"The unit {quote(unit_code)} is no longer active.",
                "Give the objective an active unit, or bring the unit back with a units import.",
            )
            return None
        return unit

    def read_optional_columns(
        self, n: int, get, code: str | None, unit: KnownUnit | None, values: dict
    ) -> None:
        """Set ``values`` from the optional columns the file has (``code`` None if invalid)."""
        if self.given("owner_employee_number"):
            owner = get("owner_employee_number")
            if owner:
                self.check_owner(n, owner, unit)
            values["owner"] = owner
        if self.given("parent_codes"):
            values["parent_codes"] = self.parent_codes(n, get("parent_codes"), code)
        if self.given("measure"):
            measure = get("measure")
            check_length(self.problems, n, "measure", measure, self.limits.measure)
            values["measure"] = measure
        for column in ("baseline", "target"):
            if self.given(column):
                values[column] = self.number(n, column, get(column))
        if self.given("direction"):
            values["direction"] = self.choice(
                n, "direction", get("direction"), {"up": "up", "down": "down"}, "up"
            )
        if self.given("due_date"):
            values["due_date"] = self.date(n, get("due_date"))
        if self.given("status"):
            values["status"] = self.choice(
                n, "status", get("status"), {status: status for status in STATUSES}, "draft"
            )
        if self.given("elements"):
            values["elements"] = self.elements(n, get("elements"))

    def parent_codes(self, n: int, text: str, code: str | None) -> tuple[str, ...]:
        parents = split_list(text)
        if code is not None and code in parents:
            self.problems.add(
                n,
                "parent_codes",
                text,
                f"The objective {quote(code)} is listed as its own parent.",
                "An objective serves the objectives above it: remove its own code.",
            )
            parents = [c for c in parents if c != code]
        return tuple(parents)

    def fill_unset(
        self, n: int, values: dict, current: ObjectiveValues | None, unit: KnownUnit | None
    ) -> None:
        """Fields whose column the file lacks keep the stored objective's value (or default)."""
        for name, default in DEFAULTS.items():
            if name not in values:
                values[name] = getattr(current, name) if current is not None else default
        if values["owner"] and not self.given("owner_employee_number"):
            self.check_owner(n, values["owner"], unit)  # the stored owner, in the new unit

    def check_owner(self, n: int, owner: str, unit: KnownUnit | None) -> None:
        person = self.people.get(owner)
        if person is None:
            suggestion = similar(owner, self.people)
            hint = f" Did you mean {suggestion}?" if suggestion else ""
            self.problems.add(
                n,
                "owner_employee_number",
                owner,
                f"The owner {quote(owner)} is not an employee_number in the organisation's "
                f"workforce.{hint}",
                "Use the owner's employee number from the workforce file, or leave it blank "
                "for an objective of the unit itself.",
            )
        elif not person.is_current:
            self.problems.add(
                n,
                "owner_employee_number",
                owner,
                f"The owner {quote(owner)} ({person.name}) has left the organisation.",
                "Give the objective a current owner, or leave it blank for an objective of the "
                "unit itself.",
            )
        elif unit is not None and not within_tree(unit, person, self.units):
            teams = ", ".join(person.unit_codes) or "none"
            self.problems.add(
                n,
                "level_unit_code",
                unit.code,
                f"An individual objective must sit in its owner's unit tree, but "
                f"{quote(unit.code)} is neither one of {person.name}'s teams ({teams}) nor "
                "above them.",
                "Use the owner's team, or a unit above it (their directorate or division).",
            )

    def number(self, n: int, column: str, text: str) -> float | None:
        if not text:
            return None
        value = parse_number(text)
        if value is None:
            self.problems.add(
                n,
                column,
                text,
                f"{quote(text)} is not a number.",
                "Write a plain number such as 85 or 12.5, with no % sign or units (put those "
                "in the measure), or leave it blank.",
            )
        return value

    def choice(self, n: int, column: str, text: str, choices: dict[str, str], default: str):
        if not text:
            return default
        value = choices.get(text.strip().lower())
        if value is None:
            self.problems.add(
                n,
                column,
                text,
                f"{quote(text)} is not a {column}.",
                f"Use one of: {', '.join(choices)} (or leave it blank for {default}).",
            )
            return default
        return value

    def date(self, n: int, text: str) -> date | None:
        if not text:
            return None
        value = parse_iso_date(text)
        if value is None:
            if len(text) == 10 and text[4] == "-" and text[7] == "-":
                message = f"{quote(text)} is not a real date."
            else:
                message = f"{quote(text)} is not a date in the form YYYY-MM-DD."
            self.problems.add(
                n,
                "due_date",
                text,
                message,
                "Write dates as year-month-day, like 2027-03-31 (in Excel, format the column "
                "as yyyy-mm-dd), or leave it blank.",
            )
        return value

    def elements(self, n: int, text: str) -> tuple[str, ...]:
        found = set()
        for part in split_list(text):
            code = find_element(part)
            if code is None:
                self.problems.add(
                    n,
                    "elements",
                    part,
                    f"{quote(part)} is not a cultural element.",
                    f"Use the codes {', '.join(ELEMENTS)}, separated by semicolons.",
                )
            else:
                found.add(code)
        return tuple(code for code in ELEMENTS if code in found)


def validate_objectives(
    table: Table,
    *,
    units: dict[str, KnownUnit],
    people: dict[str, KnownPerson],
    existing: dict[str, ObjectiveValues],
    limits: ObjectiveLimits,
) -> ObjectivesPlan:
    """Every problem in the file, raised together as ImportRejected; else the plan.
    ``limits`` are the model's (models.objective_limits())."""
    problems = ProblemList(table.filename)
    if not check_columns(
        table, problems, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS, what="objectives"
    ):
        raise ImportRejected(problems)
    problems.extend(table.problems)
    if any(column not in table.columns for column in REQUIRED_COLUMNS):
        raise ImportRejected(problems)  # (reported by check_columns)
    rows = _Rows(table, problems, units, people, existing, limits)
    records: dict[str, ObjectiveValues] = {}
    first_row: dict[str, int] = {}
    for row in table.rows:
        record = rows.read(row, first_row)
        if record is not None:
            records[record.code] = record
    if not table.rows:
        problems.add(
            None,
            None,
            None,
            "The file has no objectives in it, only headings.",
            "Add one row per objective.",
        )
    _check_parents(problems, records, existing)
    if problems:
        raise ImportRejected(problems)
    return _plan(records, existing)


def _check_parents(problems, records, existing) -> None:
    known = records.keys() | existing.keys()
    for record in records.values():
        for parent in record.parent_codes:
            if parent in known:
                continue
            suggestion = similar(parent, known)
            hint = f" Did you mean {suggestion}?" if suggestion else ""
            problems.add(
                record.row,
                "parent_codes",
                parent,
                f"The parent {quote(parent)} is not an objective_code in this file or in the "
                f"organisation.{hint}",
                "Correct the code, or add the parent objective (in this file or first).",
            )
    # The graph after the import: the file's parents for objectives in it, the stored
    # parents for the rest. The stored graph has no loops, so any loop runs through the file.
    parents_of = {code: list(o.parent_codes) for code, o in existing.items()}
    parents_of.update({code: list(r.parent_codes) for code, r in records.items()})
    graph = {
        code: [p for p in parents if p in parents_of and p != code]
        for code, parents in parents_of.items()
    }

    def row_of(code: str) -> int:
        record = records.get(code)
        return record.row if record is not None else 1 << 40

    for component in strongly_connected(graph):
        if len(component) < 2:
            continue
        members = set(component)
        start = min(component, key=lambda code: (row_of(code), code))
        loop = _loop_through(start, graph, members)
        first = records.get(start)
        problems.add(
            first.row if first is not None else None,
            "parent_codes",
            ";".join(first.parent_codes) if first is not None else None,
            f"The objectives' parents form a loop: {chain_text(loop)} (each arrow leads to "
            f"a parent), so {plural(len(members), 'objective')} would be their own ancestors.",
            "Remove one of these parent links, so that following parents always ends at an "
            "organisation objective.",
        )


def strongly_connected(graph: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, without recursion (long chains are fine).
    A component of two or more nodes is a set of nodes that reach each other: a loop."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = counter
                    counter += 1
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(graph.get(successor, ()))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
    return components


def _loop_through(start: str, graph: dict[str, list[str]], members: set[str]) -> list[str]:
    """A shortest loop from ``start`` back to itself inside one component."""
    previous: dict[str, str] = {}
    frontier = [start]
    seen = {start}
    while frontier:
        following = []
        for node in frontier:
            for successor in graph[node]:
                if successor not in members:
                    continue
                if successor == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return list(reversed(path))
                if successor not in seen:
                    seen.add(successor)
                    previous[successor] = node
                    following.append(successor)
        frontier = following
    return [start]  # not reached: every member of a component lies on a loop


def _plan(records: dict[str, ObjectiveValues], existing) -> ObjectivesPlan:
    plan = ObjectivesPlan(records=records)
    for code, record in records.items():
        current = existing.get(code)
        if current is None:
            plan.adds.append(code)
            continue
        changes = {}
        for name in FIELDS:
            old, new = getattr(current, name), getattr(record, name)
            if name == "parent_codes":
                old, new = tuple(sorted(old)), tuple(sorted(new))
            if old != new:
                changes[name] = (old, new)
        if changes:
            plan.updates.append(ObjectiveUpdate(code, changes))
        else:
            plan.unchanged += 1
    return plan
