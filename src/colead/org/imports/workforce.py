"""Validating a workforce file against the organisation's current people, and planning
adds, updates, returners and leavers. No Django imports: the service passes plain data
in and applies the plan.

The file is the whole workforce: current people missing from it are marked as leavers.
"""

from dataclasses import dataclass, field
from operator import attrgetter

from colead.lib.problems import ImportRejected, quote
from colead.lib.table import Table
from colead.org import reference
from colead.org.imports.common import (
    EMAIL_RE,
    ProblemList,
    chain_text,
    check_columns,
    check_length,
    check_required,
    find_loops,
    parse_iso_date,
    parse_yes_no,
    rotate_to_first_row,
    similar,
)

REQUIRED_COLUMNS = (
    "employee_number",
    "first_name",
    "last_name",
    "email",
    "unit_code",
    "staff_group",
    "band",
    "job_title",
    "line_manager",
    "start_date",
    "is_leader",
)
PROTECTED_COLUMNS = reference.PROTECTED_FIELDS  # ethnicity, sex, disability, age_band
OPTIONAL_COLUMNS = ("team_codes", *PROTECTED_COLUMNS)
MAX_LENGTHS = {
    "employee_number": 30,
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "job_title": 200,
    "ethnicity": 100,
    "sex": 50,
    "disability": 50,
    "age_band": 20,
}
# Fields compared between the file and the records; their changes are kept as history.
COMPARED_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "unit_code",
    "staff_group",
    "band",
    "job_title",
    "line_manager",
    "start_date",
    "is_leader",
)
NUMBER_WHAT = "the person's employee number (as in ESR)"
MISSING = object()
BANDS_FIX = (
    "Use Band 1 to Band 9, Band 8a to 8d, or Consultant, Specialty Doctor, Resident Doctor, "
    "Other Medical."
)


@dataclass(slots=True)
class PersonRecord:
    """A person as the file (or the records) has them, in canonical form: staff group
    and band as codes, dates as ISO text, team codes sorted."""

    employee_number: str
    first_name: str
    last_name: str
    email: str
    unit_code: str
    staff_group: str
    band: str
    job_title: str
    line_manager: str  # employee number, or ""
    start_date: str  # YYYY-MM-DD, or ""
    is_leader: bool
    team_codes: tuple[str, ...] = ()
    protected: dict[str, str] = field(default_factory=dict)
    row: int = 0
    leaving_date: str = ""  # existing records only

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(slots=True)
class PersonUpdate:
    employee_number: str
    changes: dict[str, tuple]  # field -> (old, new); never protected characteristics
    protected_changed: bool = False
    returning: bool = False


@dataclass
class WorkforcePlan:
    records: dict[str, PersonRecord]  # everyone in the file, by employee number
    adds: list[str] = field(default_factory=list)
    updates: list[PersonUpdate] = field(default_factory=list)  # returners included
    leavers: list[str] = field(default_factory=list)
    unchanged: int = 0
    team_codes_given: bool = False
    protected_given: tuple[str, ...] = ()

    @property
    def returners(self) -> list[PersonUpdate]:
        return [update for update in self.updates if update.returning]

    @property
    def no_changes(self) -> bool:
        return not (self.adds or self.updates or self.leavers)


def validate_workforce(
    table: Table, *, units: dict[str, bool], people: dict[str, PersonRecord]
) -> WorkforcePlan:
    """``units`` maps each unit code of the organisation to whether it is active;
    ``people`` is everyone already in the organisation (leavers included).
    Every problem in the file is raised together as ImportRejected; else the plan."""
    problems = ProblemList(table.filename)
    if not check_columns(
        table, problems, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS, what="workforce"
    ):
        raise ImportRejected(problems)
    problems.extend(table.problems)
    columns = set(table.columns)
    team_codes_given = "team_codes" in columns
    protected_given = tuple(c for c in PROTECTED_COLUMNS if c in columns)

    records: dict[str, PersonRecord] = {}
    check = _RowChecker(problems, units, columns)
    for row in table.rows:
        record = check.row(row)
        if record is None:
            continue
        earlier = records.get(record.employee_number)
        if earlier is not None:
            problems.add(
                row.number,
                "employee_number",
                record.employee_number,
                f"The employee number {quote(record.employee_number)} is also on row "
                f"{earlier.row}.",
                "Each person must appear once: remove or correct one of the rows.",
            )
            continue
        records[record.employee_number] = record

    if "line_manager" in columns:
        _check_managers(problems, records, people)
    if not table.rows:
        problems.add(
            None,
            None,
            None,
            "The file has no people in it, only headings.",
            "Add one row per member of staff. (Everyone missing from the file would be "
            "marked as a leaver.)",
        )
    if problems:
        raise ImportRejected(problems)
    return _plan(records, people, team_codes_given, protected_given)


class _RowChecker:
    def __init__(self, problems: ProblemList, units: dict[str, bool], columns: set[str]):
        self.problems = problems
        self.units = units
        self.columns = columns
        self.protected_columns = [c for c in PROTECTED_COLUMNS if c in columns]
        self.groups: dict[str, object] = {}  # text -> StaffGroup or None, remembered
        self.bands: dict[str, object] = {}
        self.dates: dict[str, bool] = {}

    def unit(self, n: int, column: str, code: str, shown: str) -> bool:
        active = self.units.get(code)
        if active is None:
            suggestion = similar(code, self.units)
            hint = f" Did you mean {suggestion}?" if suggestion else ""
            self.problems.add(
                n,
                column,
                shown,
                f"There is no unit {quote(code)} in the organisation.{hint}",
                "Use a unit_code from the units file (import the units file first if this is "
                "a new unit).",
            )
            return False
        if not active:
            self.problems.add(
                n,
                column,
                shown,
                f"The unit {quote(code)} is no longer active (it was left out of the last "
                "units import).",
                "Move the person to an active unit, or add the unit back to the units file "
                "and import that first.",
            )
            return False
        return True

    def row(self, row) -> PersonRecord | None:
        """The row's record (None without an employee number); problems are added to the
        list as they are found. Written for speed: a 50,000-row file is checked in about
        a second, so lookups of repeated values are remembered, and a value is handed to
        a method only when it has a problem to report."""
        n = row.number
        get = row.values.get
        number = get("employee_number", "")
        if not number or len(number) > MAX_LENGTHS["employee_number"]:
            self._required(n, "employee_number", number, NUMBER_WHAT)
        first_name = get("first_name", "")
        if not first_name or len(first_name) > MAX_LENGTHS["first_name"]:
            self._required(n, "first_name", first_name, "their first name")
        last_name = get("last_name", "")
        if not last_name or len(last_name) > MAX_LENGTHS["last_name"]:
            self._required(n, "last_name", last_name, "their surname")
        email = get("email", "")
        if email and (len(email) > MAX_LENGTHS["email"] or not EMAIL_RE.match(email)):
            self._bad_email(n, email)
        unit_code = get("unit_code", "")
        if not unit_code:
            self._required(n, "unit_code", unit_code, "the code of the person's unit")
        elif self.units.get(unit_code) is not True:
            self.unit(n, "unit_code", unit_code, unit_code)
        group_text = get("staff_group", "")
        group = self.groups.get(group_text, MISSING)
        if group is MISSING or group is None:
            group = self._staff_group(n, group_text)
        band_text = get("band", "")
        band = self.bands.get(band_text, MISSING)
        if band is MISSING or band is None:
            band = self._band(n, band_text)
        job_title = get("job_title", "")
        if len(job_title) > MAX_LENGTHS["job_title"]:
            check_length(self.problems, n, "job_title", job_title, MAX_LENGTHS["job_title"])
        manager = get("line_manager", "")
        if manager and manager == number:
            self._own_manager(n, manager)
        start_text = get("start_date", "")
        if start_text and not self.dates.get(start_text, False):
            self._start_date(n, start_text)
        leader_text = get("is_leader", "")
        is_leader = parse_yes_no(leader_text)
        if is_leader is None:
            self._not_yes_or_no(n, leader_text)
        team_text = get("team_codes", "")
        team_codes = self._team_codes(n, team_text) if team_text else ()
        protected = {column: get(column, "") for column in self.protected_columns}
        for column, value in protected.items():
            if len(value) > MAX_LENGTHS[column]:
                check_length(self.problems, n, column, value, MAX_LENGTHS[column])
        if not number:
            return None
        # Returned even when the row has problems, so that references to this person
        # (line managers, duplicates) are checked without spurious extra problems.
        return PersonRecord(
            number,
            first_name,
            last_name,
            email,
            unit_code,
            group.code if group else "",
            band.code if band else "",
            job_title,
            manager,
            start_text,
            bool(is_leader),
            team_codes,
            protected,
            n,
        )

    def _required(self, n: int, column: str, value: str, what: str) -> None:
        """A value the file must give (when it has the column) is missing or too long."""
        if not value:
            if column in self.columns:
                check_required(self.problems, n, column, value, what)
        else:
            check_length(self.problems, n, column, value, MAX_LENGTHS[column])

    def _bad_email(self, n: int, email: str) -> None:
        if check_length(self.problems, n, "email", email, MAX_LENGTHS["email"]):
            self.problems.add(
                n,
                "email",
                email,
                f"{quote(email)} is not a valid email address.",
                "Correct it (like firstname.lastname@nhs.net), or leave it blank.",
            )

    def _staff_group(self, n: int, text: str):
        """The staff group named by ``text`` (remembered), reporting an unknown one."""
        group = self.groups.get(text, MISSING)
        if group is MISSING:
            group = self.groups[text] = reference.find_staff_group(text)
        if group is None and "staff_group" in self.columns:
            what = "the person's ESR staff group"
            if check_required(self.problems, n, "staff_group", text, what):
                self.problems.add(
                    n,
                    "staff_group",
                    text,
                    f"{quote(text)} is not a staff group.",
                    f"Use one of: {reference.staff_groups_to_use()}.",
                )
        return group

    def _band(self, n: int, text: str):
        """The band named by ``text`` (remembered), reporting an unknown one."""
        band = self.bands.get(text, MISSING)
        if band is MISSING:
            band = self.bands[text] = reference.find_band(text)
        if band is None and "band" in self.columns:
            what = "the person's pay band or medical grade"
            if check_required(self.problems, n, "band", text, what):
                self.problems.add(n, "band", text, f"{quote(text)} is not a pay band.", BANDS_FIX)
        return band

    def _own_manager(self, n: int, number: str) -> None:
        self.problems.add(
            n,
            "line_manager",
            number,
            f"{quote(number)} is given as their own line manager.",
            "Enter the employee number of the person's line manager, or leave it blank.",
        )

    def _start_date(self, n: int, text: str) -> None:
        """A start date not yet known to be good: checked once, reported if wrong."""
        valid = self.dates.get(text)
        if valid is None:
            valid = self.dates[text] = parse_iso_date(text) is not None
        if not valid:
            self.bad_date(n, text)

    def _not_yes_or_no(self, n: int, text: str) -> None:
        self.problems.add(
            n,
            "is_leader",
            text,
            f"{quote(text)} is not Y or N.",
            "Use Y for a leader and N (or blank) for everyone else; yes/no and "
            "true/false also work.",
        )

    def _team_codes(self, n: int, text: str) -> tuple[str, ...]:
        codes = sorted({code.strip() for code in text.split(";") if code.strip()})
        for code in codes:
            if self.units.get(code) is not True:
                self.unit(n, "team_codes", code, text)
        return tuple(codes)

    def bad_date(self, n: int, text: str) -> None:
        if len(text) == 10 and text[4] == "-" and text[7] == "-":
            message = f"{quote(text)} is not a real date."
        else:
            message = f"{quote(text)} is not a date in the form YYYY-MM-DD."
        self.problems.add(
            n,
            "start_date",
            text,
            message,
            "Write dates as year-month-day, like 2021-03-14 (in Excel, format the column "
            "as yyyy-mm-dd), or leave it blank.",
        )


def _check_managers(problems, records, people):
    for record in records.values():
        manager = record.line_manager
        if not manager or manager in records or manager == record.employee_number:
            continue
        if manager in people:
            detail = (
                f" {manager} is in the organisation's records but not in this file, so they "
                "would be marked as a leaver."
            )
        else:
            suggestion = similar(manager, records)
            detail = f" Did you mean {suggestion}?" if suggestion else ""
        problems.add(
            record.row,
            "line_manager",
            manager,
            f"The line_manager {quote(manager)} is not an employee_number in this file." + detail,
            "A line manager must have their own row in the file. Correct the number, add "
            "the manager's row, or leave it blank.",
        )
    manager_of = {
        number: r.line_manager
        for number, r in records.items()
        if r.line_manager in records and r.line_manager != number
    }
    for loop in find_loops(manager_of):
        loop = rotate_to_first_row(loop, lambda number: records[number].row)
        first = records[loop[0]]
        problems.add(
            first.row,
            "line_manager",
            first.line_manager,
            f"The line managers form a loop: {chain_text(loop)} (each arrow leads to the "
            "person's line manager).",
            "Correct the line_manager of one of these people so that the chain ends with "
            "someone who has no line manager in the file.",
        )


def _plan(records, people, team_codes_given, protected_given) -> WorkforcePlan:
    plan = WorkforcePlan(
        records=records, team_codes_given=team_codes_given, protected_given=protected_given
    )
    compared = attrgetter(*COMPARED_FIELDS)
    for number, record in records.items():
        current = people.get(number)
        if current is None:
            plan.adds.append(number)
            continue
        changes = {}
        if compared(current) != compared(record):
            for name in COMPARED_FIELDS:
                old, new = getattr(current, name), getattr(record, name)
                if old != new:
                    changes[name] = (old, new)
        if team_codes_given and current.team_codes != record.team_codes:
            changes["team_codes"] = (";".join(current.team_codes), ";".join(record.team_codes))
        protected_changed = any(
            current.protected.get(column, "") != record.protected[column]
            for column in protected_given
        )
        returning = bool(current.leaving_date)
        if changes or protected_changed or returning:
            plan.updates.append(PersonUpdate(number, changes, protected_changed, returning))
        else:
            plan.unchanged += 1
    plan.leavers = [
        number
        for number, current in people.items()
        if number not in records and not current.leaving_date
    ]
    return plan


def display_value(column: str, value) -> str:
    """A value as a person reads it in a preview: names for codes, Y/N for flags."""
    if column == "staff_group":
        return reference.staff_group_name(value) if value else ""
    if column == "band":
        return reference.band_name(value) if value else ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    return "" if value is None else str(value)
