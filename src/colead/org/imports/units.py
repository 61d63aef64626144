"""Validating a units file against the organisation's current structure, and planning the
changes. No Django imports: the service passes plain data in and applies the plan.

The file is the whole structure: units missing from it are deactivated (or, if people
still work in them, reported as a problem).
"""

from dataclasses import dataclass, field

from colead.lib.problems import ImportRejected, quote
from colead.lib.table import Table
from colead.org import reference
from colead.org.imports.common import (
    UNIT_CODE_RE,
    ProblemList,
    chain_text,
    check_columns,
    check_length,
    check_required,
    find_loops,
    rotate_to_first_row,
)

REQUIRED_COLUMNS = ("unit_code", "name", "parent_code", "level")
OPTIONAL_COLUMNS = ("site",)
MAX_LENGTHS = {"unit_code": 40, "name": 200, "site": 200}
LEVELS_TEXT = ", ".join(reference.UNIT_LEVELS)


@dataclass(slots=True)
class UnitRecord:
    code: str
    name: str
    parent_code: str  # "" for the top unit
    level: str
    site: str
    row: int = 0


@dataclass(slots=True)
class ExistingUnit:
    """What the service knows about a unit already in the organisation."""

    code: str
    name: str
    parent_code: str
    level: str
    site: str
    is_active: bool
    people: int = 0  # current people whose primary unit or team it is


@dataclass(slots=True)
class UnitUpdate:
    code: str
    name: str
    changes: dict[str, tuple]  # field -> (old, new)


@dataclass
class UnitsPlan:
    records: dict[str, UnitRecord]  # every unit in the file, by code
    adds: list[UnitRecord] = field(default_factory=list)
    updates: list[UnitUpdate] = field(default_factory=list)
    deactivations: list[ExistingUnit] = field(default_factory=list)
    unchanged: int = 0
    site_given: bool = True

    @property
    def no_changes(self) -> bool:
        return not (self.adds or self.updates or self.deactivations)


def validate_units(table: Table, existing: dict[str, ExistingUnit]) -> UnitsPlan:
    """Every problem in the file, raised together as ImportRejected; else the plan."""
    problems = ProblemList(table.filename)
    if not check_columns(
        table, problems, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS, what="units"
    ):
        raise ImportRejected(problems)
    problems.extend(table.problems)
    columns = set(table.columns)
    records, roots = _read_rows(table, problems, columns)
    if "parent_code" in columns and "level" in columns:
        _check_tree(table, problems, records, roots, existing)
    if not table.rows:
        problems.add(
            None,
            None,
            None,
            "The file has no units in it, only headings.",
            "Add one row per unit, starting with the organisation itself.",
        )
    if records:
        _check_missing_units(problems, records, existing)
    if problems:
        raise ImportRejected(problems)
    return _plan(records, existing, "site" in columns)


def _read_rows(table: Table, problems, columns) -> tuple[dict[str, UnitRecord], list[UnitRecord]]:
    """Each row with a usable code as a record (by code), and the top units among them."""
    records: dict[str, UnitRecord] = {}
    roots: list[UnitRecord] = []
    for row in table.rows:
        record = _read_row(row, problems, columns, records)
        if record is None:
            continue
        records[record.code] = record
        if "parent_code" in columns and not record.parent_code and record.level == "organisation":
            roots.append(record)
    return records, roots


def _read_row(row, problems, columns, records) -> UnitRecord | None:
    """The row's record, or None if its code is unusable; its problems are added."""
    n = row.number
    code = row.get("unit_code")
    name = row.get("name")
    parent = row.get("parent_code")
    level_text = row.get("level")
    site = row.get("site")
    code_ok = "unit_code" in columns and _code_ok(problems, n, code, records)
    if "name" in columns and check_required(problems, n, "name", name, "the unit's name"):
        check_length(problems, n, "name", name, MAX_LENGTHS["name"])
    level = _level(problems, n, level_text) if "level" in columns else None
    if "site" in columns:
        check_length(problems, n, "site", site, MAX_LENGTHS["site"])
    if "parent_code" in columns:
        _check_parent(problems, n, code, parent, level, level_text)
    if not code_ok:
        return None
    return UnitRecord(code, name, parent, level or "", site, n)


def _code_ok(problems, n: int, code: str, records: dict[str, UnitRecord]) -> bool:
    """The code is given, valid and not on an earlier row."""
    if not check_required(problems, n, "unit_code", code, "a code"):
        return False
    if not check_length(problems, n, "unit_code", code, MAX_LENGTHS["unit_code"]):
        return False
    if not UNIT_CODE_RE.match(code):
        problems.add(
            n,
            "unit_code",
            code,
            f"{quote(code)} is not a valid unit code.",
            "Use letters, digits, dots, hyphens and underscores, starting with a "
            "letter or digit (no spaces).",
        )
        return False
    if code in records:
        problems.add(
            n,
            "unit_code",
            code,
            f"The unit code {quote(code)} is also on row {records[code].row}.",
            "Each unit must appear once: remove or correct one of the rows.",
        )
        return False
    return True


def _level(problems, n: int, level_text: str) -> str | None:
    if not check_required(problems, n, "level", level_text, "a level"):
        return None
    level = reference.find_level(level_text)
    if level is None:
        problems.add(
            n,
            "level",
            level_text,
            f"{quote(level_text)} is not a unit level.",
            f"Use one of: {LEVELS_TEXT}.",
        )
    return level


def _check_parent(problems, n: int, code: str, parent: str, level, level_text: str) -> None:
    """Only the top unit, at level organisation, has no parent; no unit is its own."""
    if parent and parent == code:
        problems.add(
            n,
            "parent_code",
            parent,
            f"The unit {quote(code)} is its own parent.",
            "Enter the code of the unit above it, or leave parent_code blank for the top unit.",
        )
    elif not parent and level is not None and level != "organisation":
        problems.add(
            n,
            "parent_code",
            parent,
            f"The parent_code is blank, but only the top unit (level organisation) "
            f"may have no parent; this unit's level is {level}.",
            "Enter the code of the unit above it.",
        )
    elif parent and level == "organisation":
        problems.add(
            n,
            "level",
            level_text,
            "Only the top unit, with a blank parent_code, can have the level organisation.",
            f"Use another level ({LEVELS_TEXT}), or blank the parent_code if this is the top unit.",
        )


def _check_missing_units(problems, records, existing):
    for code, current in existing.items():
        if code in records or not current.is_active or not current.people:
            continue
        problems.add(
            None,
            "unit_code",
            code,
            f"The unit {quote(code)} ({current.name}) is not in the file, but "
            f"{current.people:,} current "
            f"{'person works' if current.people == 1 else 'people work'} in it.",
            "Add the unit back to the file, or first move its people to other units with a "
            "workforce import.",
        )


def _check_tree(table, problems, records, roots, existing):
    if len(roots) > 1:
        for extra in roots[1:]:
            problems.add(
                extra.row,
                "parent_code",
                "",
                f"This is a second top unit: {quote(roots[0].code)} on row {roots[0].row} "
                "already has a blank parent_code and the level organisation.",
                "An organisation has exactly one top unit; give this unit a parent_code.",
            )
    elif not roots and records:
        problems.add(
            None,
            "parent_code",
            None,
            "No unit is the top of the structure (a row with a blank parent_code and the "
            "level organisation).",
            "Add a row for the organisation itself, with a blank parent_code, and make it "
            "the parent of the divisions.",
        )
    if roots:
        current_root = next(
            (u for u in existing.values() if not u.parent_code and u.is_active), None
        )
        if current_root is not None and current_root.code != roots[0].code:
            problems.add(
                roots[0].row,
                "unit_code",
                roots[0].code,
                f"The organisation's top unit is {quote(current_root.code)}, but this file's "
                f"top unit is {quote(roots[0].code)}.",
                f"Use {current_root.code} as the unit_code of the top unit (a top unit's code "
                "cannot be changed by an import).",
            )
    for record in records.values():
        if record.parent_code and record.parent_code not in records:
            suggestion = next((c for c in records if c.lower() == record.parent_code.lower()), None)
            hint = f" Did you mean {suggestion}?" if suggestion else ""
            problems.add(
                record.row,
                "parent_code",
                record.parent_code,
                f"The parent_code {quote(record.parent_code)} is not a unit_code in this file."
                + hint,
                "Every parent must have its own row in the file (units left out are "
                "deactivated). Correct the code or add the parent unit.",
            )
    parent_of = {  # (a unit that is its own parent was reported above)
        code: r.parent_code
        for code, r in records.items()
        if r.parent_code in records and r.parent_code != code
    }
    for loop in find_loops(parent_of):
        loop = rotate_to_first_row(loop, lambda code: records[code].row)
        first = records[loop[0]]
        problems.add(
            first.row,
            "parent_code",
            first.parent_code,
            f"The units' parent codes form a loop: {chain_text(loop)} (each arrow leads to "
            "the unit's parent).",
            "Correct the parent_code of one of these units so that the chain reaches the top unit.",
        )


def _plan(records, existing, site_given) -> UnitsPlan:
    plan = UnitsPlan(records=records, site_given=site_given)
    for code, record in records.items():
        current = existing.get(code)
        if current is None:
            plan.adds.append(record)
            continue
        changes = {}
        for field_name in ("name", "parent_code", "level") + (("site",) if site_given else ()):
            old, new = getattr(current, field_name), getattr(record, field_name)
            if old != new:
                changes[field_name] = (old, new)
        if not current.is_active:
            changes["is_active"] = (False, True)
        if changes:
            plan.updates.append(UnitUpdate(code, record.name, changes))
        else:
            plan.unchanged += 1
    plan.deactivations = [
        current
        for code, current in existing.items()
        if code not in records and current.is_active and not current.people
    ]
    return plan
