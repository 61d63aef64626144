"""Validating a file of survey responses gathered elsewhere (paper forms, a local extract
of the NHS Staff Survey) against a wave's instruments and units. No Django imports: the
service (colead.surveys.imports) passes plain data in and writes the plan.

The file: ``unit_code``, optional ``staff_group`` and ``band`` (the workforce import's
vocabularies), then one column per item code. A cell holds the option number (1..points),
is blank for not answered, or ``DK`` for don't know. An optional mapping file
(``external_code,item_code``) renames the file's own question codes (``q2a``) to item codes.
Every cell is checked and every problem reported together (docs/data-formats.md).
"""

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from colead.lib.problems import ImportProblem, ImportRejected, quote
from colead.lib.table import Table, normalise_heading
from colead.org import reference
from colead.org.imports.common import ProblemList, check_columns
from colead.surveys.answers import DONT_KNOW, format_number, prune_hidden
from colead.surveys.definitions import Instrument, Item

UNIT_COLUMN = "unit_code"
GROUP_COLUMN = "staff_group"
BAND_COLUMN = "band"
FIXED_COLUMNS = (UNIT_COLUMN, GROUP_COLUMN, BAND_COLUMN)
MAPPING_COLUMNS = ("external_code", "item_code")
DK_CELL = "DK"  # as written in a file; stored as answers.DONT_KNOW ("dk")
YES_CELLS = {"1": "yes", "yes": "yes", "y": "yes", "2": "no", "no": "no", "n": "no"}
# The built-in "About you" instrument asks for a group of bands; a band from the workforce
# vocabulary is put in its group when the instrument has no option for the band itself.
BAND_GROUPS = {
    **dict.fromkeys(("band_1", "band_2", "band_3", "band_4"), "band_1_4"),
    **dict.fromkeys(("band_5", "band_6", "band_7"), "band_5_7"),
    **dict.fromkeys(
        ("band_8a", "band_8b", "band_8c", "band_8d", "band_9"),
        "band_8_9",
    ),
    **dict.fromkeys(
        ("consultant", "specialty_doctor", "resident_doctor", "other_medical"), "medical"
    ),
}
BANDS_FIX = (
    "Use Band 1 to Band 9, Band 8a to 8d (or just 5, 8a), or Consultant, Specialty Doctor, "
    "Resident Doctor, Other Medical; or leave the cell blank."
)
NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
MISSING = object()


@dataclass(slots=True)
class PlannedResponse:
    """One row of the file, ready to store: answers split as a Response holds them."""

    row: int
    unit: object  # whatever the caller gave as the unit's value in ``units`` (its id)
    demographics: dict
    answers: dict
    comments: dict


@dataclass
class ResponsesPlan:
    responses: list[PlannedResponse]
    columns: dict[str, str]  # the file's heading -> the item code or fixed column it holds
    hidden_dropped: int = 0  # answers to questions the form would not have asked
    rows_with_hidden: int = 0
    dont_know: int = 0
    comments: int = 0

    @property
    def count(self) -> int:
        return len(self.responses)


# -- the mapping file --------------------------------------------------------------------


def read_mapping(
    table: Table, *, targets: Iterable[str], target_list: str
) -> tuple[dict[str, str], set[str], list[ImportProblem]]:
    """(external heading -> target, external headings of rows with problems, problems).

    Headings and codes are compared as the data file's headings are (``Q2a`` is ``q2a``).
    ``targets`` are the item codes (and fixed columns) a row may name."""
    problems = ProblemList(table.filename)
    targets = set(targets)
    mapping: dict[str, str] = {}
    bad: set[str] = set()
    if not check_columns(table, problems, required=MAPPING_COLUMNS, optional=(), what="mapping"):
        return mapping, bad, list(problems)
    problems.extend(table.problems)
    if any(column not in table.columns for column in MAPPING_COLUMNS):
        return mapping, bad, list(problems)
    row_of: dict[str, int] = {}  # external -> first row
    source_of: dict[str, tuple[str, int]] = {}  # target -> (external, row)
    for row in table.rows:
        n = row.number
        external_text = row.get("external_code")
        target_text = row.get("item_code")
        external = normalise_heading(external_text)
        target = normalise_heading(target_text)
        ok = True
        if not external:
            problems.add(
                n,
                "external_code",
                external_text,
                "The external_code is blank.",
                "Enter the heading the question has in the responses file (like q2a), or "
                "delete the row.",
            )
            ok = False
        elif external in row_of:
            problems.add(
                n,
                "external_code",
                external_text,
                f"The external code {quote(external_text)} is also on row {row_of[external]}.",
                "Map each external code once: delete or correct one of the rows.",
            )
            bad.add(external)
            continue
        else:
            row_of[external] = n
        if not target:
            problems.add(
                n,
                "item_code",
                target_text,
                "The item_code is blank.",
                f"Enter the item code of the question in colead: {target_list}.",
            )
            ok = False
        elif target not in targets:
            problems.add(
                n,
                "item_code",
                target_text,
                f"There is no item {quote(target_text)} in this wave.{_did_you_mean(target, targets)}",
                f"Use {target_list}.",
            )
            ok = False
        elif target in source_of:
            earlier, earlier_row = source_of[target]
            problems.add(
                n,
                "item_code",
                target_text,
                f"{quote(external_text)} and {quote(earlier)} (row {earlier_row}) are both "
                f"mapped to {target}.",
                "An item can take its answers from one column only: correct one of the rows.",
            )
            ok = False
        else:
            source_of[target] = (external_text, n)
        if not ok:
            if external:
                bad.add(external)
            continue
        mapping[external] = target
    if not table.rows:
        problems.add(
            None,
            None,
            None,
            "The mapping file has headings but no rows.",
            "Add one row per question to rename (external_code,item_code), or leave out "
            "the mapping file.",
        )
    return mapping, bad, list(problems)


def _did_you_mean(value: str, candidates: Iterable[str]) -> str:
    """A suggestion for a likely typo: a zero for the letter o, or a small slip in a long
    code (never one short code for another: mo4 is not a misspelling of mo3)."""
    candidates = list(candidates)
    folded = value.replace("0", "o")
    close = [c for c in candidates if c != value and c.replace("0", "o") == folded]
    close = close or difflib.get_close_matches(value, candidates, n=1, cutoff=0.8)
    return f" Did you mean {close[0]}?" if close else ""


# -- cells ---------------------------------------------------------------------------------


class _Cells:
    """Reads the cells of one column: ``read(text)`` gives (value, None) or (None, (message,
    fix)); a blank cell gives (None, None). Results are remembered per text, since a file
    of 20,000 rows holds few distinct values per column."""

    def __init__(self, target: str):
        self.target = target
        self.memo: dict[str, tuple] = {}

    def read(self, text: str):
        found = self.memo.get(text, MISSING)
        if found is MISSING:
            found = self.memo[text] = self.parse(text)
        return found

    def parse(self, text: str):  # pragma: no cover - overridden
        raise NotImplementedError


class _WorkforceCells(_Cells):
    """``staff_group`` or ``band`` when no instrument of the wave asks for it: the workforce
    import's vocabulary, stored as the code."""

    def parse(self, text):
        if self.target == GROUP_COLUMN:
            group = reference.find_staff_group(text)
            if group is None:
                return None, (
                    f"{quote(text)} is not a staff group.",
                    f"Use one of: {reference.staff_groups_to_use()}, or leave the cell blank.",
                )
            return group.code, None
        band = reference.find_band(text)
        if band is None:
            return None, (f"{quote(text)} is not a pay band.", BANDS_FIX)
        return band.code, None


class _ItemCells(_Cells):
    def __init__(self, item: Item):
        super().__init__(item.code)
        self.item = item
        self.codes = item.option_codes()
        self.by_code = {code.lower(): code for code in self.codes}
        self.by_label = {label.strip().lower(): code for code, label in item.option_labels()}
        self.allows_dk = item.dont_know and item.type in ("scale", "yes_no", "single_choice")
        self.dk_text = ", DK for don't know" if self.allows_dk else ""

    # Option lists, as shown in a fix.
    def options_text(self) -> str:
        labels = self.item.option_labels()
        if self.item.type == "scale":
            return f"1 = {labels[0][1]} to {len(labels)} = {labels[-1][1]}"
        shown = [f"{i} = {code}" for i, (code, _label) in enumerate(labels, start=1)]
        return ", ".join(shown)

    def parse(self, text):
        item = self.item
        kind = item.type
        if text.lower() == DONT_KNOW and kind not in ("free_text",):
            if self.allows_dk:
                return DONT_KNOW, None
            return None, (
                f"{quote(text)} (don't know) is not an answer to {item.code}, which has no "
                '"don\'t know" option.',
                f"Use {self.what_to_use()}, or leave the cell blank.",
            )
        if kind == "scale":
            return self.option(text)
        if kind == "yes_no":
            value = YES_CELLS.get(text.lower())
            if value is None:
                return None, (
                    f"{quote(text)} is not an answer to {item.code} (a yes/no question).",
                    f"Use 1 for yes and 2 for no (or yes/no){self.dk_text}, or leave the cell "
                    "blank.",
                )
            return value, None
        if kind == "single_choice":
            return self.option(text)
        if kind == "multiple_choice":
            return self.choices(text)
        if kind == "number":
            return self.number(text)
        if kind == "free_text":
            return self.free_text(text)
        raise ValueError(f"unknown item type {kind}")

    def what_to_use(self) -> str:
        if self.item.type == "scale":
            return f"an option number from 1 to {len(self.codes)} ({self.options_text()})"
        if self.item.type == "yes_no":
            return "1 for yes and 2 for no (or yes/no)"
        if self.item.type in ("single_choice", "multiple_choice"):
            return f"an option number or code ({self.options_text()})"
        if self.item.type == "number":
            return "a number"
        return "text"

    def choose(self, text: str) -> str | None:
        """The option code a cell means: its number, its code or its label."""
        if text.isdecimal():
            index = int(text)
            if 1 <= index <= len(self.codes):
                return self.codes[index - 1]
            return None
        if text in self.codes:
            return text
        lowered = text.lower()
        return self.by_code.get(lowered) or self.by_label.get(lowered)

    def option(self, text):
        code = self.choose(text)
        if code is None:
            return None, self.not_an_option(text)
        return code, None

    def not_an_option(self, text):
        item = self.item
        count = len(self.codes)
        if item.type == "scale":
            message = (
                f"{quote(text)} is not an answer to {item.code}, which has options 1 to {count}."
            )
            return (
                message,
                f"Use the option number ({self.options_text()}){self.dk_text}, or leave the cell blank.",
            )
        message = f"{quote(text)} is not one of the {count} options of {item.code}."
        return (
            message,
            f"Use the option number or code ({self.options_text()}){self.dk_text}, or leave the cell blank.",
        )

    def choices(self, text):
        parts = [part.strip() for part in text.split(";") if part.strip()]
        chosen, wrong = set(), []
        for part in parts:
            code = self.choose(part)
            if code is None:
                wrong.append(part)
            else:
                chosen.add(code)
        if wrong:
            shown = ", ".join(quote(part, 20) for part in wrong)
            return None, (
                f"{shown} {'is not an option' if len(wrong) == 1 else 'are not options'} of "
                f"{self.item.code} (in {quote(text)}).",
                f"List option numbers or codes separated by semicolons, like 1;3 "
                f"({self.options_text()}), or leave the cell blank.",
            )
        if not chosen:
            return None, None
        return [code for code in self.codes if code in chosen], None

    def number(self, text):
        item = self.item
        cleaned = text.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d*)?", text) else text
        if not NUMBER_RE.match(cleaned):
            return None, (
                f"{quote(text)} is not a number (for {item.code}).",
                "Write a number, like 12 or 2.5, or leave the cell blank.",
            )
        number = float(cleaned)
        low, high = item.minimum, item.maximum
        if (low is not None and number < low) or (high is not None and number > high):
            if low is not None and high is not None:
                limits = f"from {format_number(low)} to {format_number(high)}"
            elif low is not None:
                limits = f"of {format_number(low)} or more"
            else:
                limits = f"of {format_number(high)} or less"
            return None, (
                f"{quote(text)} is out of range for {item.code}: answers are {limits}.",
                f"Correct the number (it must be {limits}), or leave the cell blank.",
            )
        return (int(number) if number.is_integer() else number), None

    def free_text(self, text):
        text = text.replace("\r\n", "\n").strip()
        limit = self.item.max_length or 2000
        if len(text) > limit:
            return None, (
                f"The answer to {self.item.code} is {len(text):,} characters long; it can be "
                f"at most {limit:,}.",
                "Shorten it (the form would not have taken more).",
            )
        return text, None


class _DemographicItemCells(_ItemCells):
    """An "About you" item for staff group or band: the workforce vocabulary is accepted
    too (``Nursing and Midwifery Registered``, ``Band 6``, ``6``), and put into the
    instrument's options; then the option code or label, then the option number."""

    def parse(self, text):
        kind = self.item.demographic
        found = (
            reference.find_staff_group(text) if kind == GROUP_COLUMN else reference.find_band(text)
        )
        if found is not None:
            if found.code in self.codes:
                return found.code, None
            group = BAND_GROUPS.get(found.code) if kind == BAND_COLUMN else None
            if group in self.codes:
                return group, None
            return None, (
                f"{quote(text)} is not one of the options of {self.item.code}.",
                f"Use the option code ({', '.join(self.codes)}), or leave the cell blank.",
            )
        return super().parse(text)

    def choose(self, text):
        if text.isdecimal() and self.item.demographic == BAND_COLUMN:
            return None  # a number in a band column is a band, never an option number
        return super().choose(text)

    def not_an_option(self, text):
        item = self.item
        vocabulary = "a staff group" if item.demographic == GROUP_COLUMN else "a pay band"
        return (
            f"{quote(text)} is not {vocabulary} or one of the options of {item.code}.",
            f"Use {vocabulary} as in the workforce file, or an option code "
            f"({', '.join(self.codes)}); or leave the cell blank.",
        )


# -- units -------------------------------------------------------------------------------


class _Units:
    """Unit codes, matched exactly or else ignoring case."""

    def __init__(
        self, units: Mapping[str, object], others: Mapping[str, str], places: str, org: str
    ):
        self.units = units
        self.others = others
        self.places = places
        self.org = org
        lowered: dict[str, list[str]] = {}
        for code in [*units, *others]:
            lowered.setdefault(code.lower(), []).append(code)
        self.lowered = lowered
        self.memo: dict[str, tuple] = {}

    def read(self, text: str):
        found = self.memo.get(text, MISSING)
        if found is MISSING:
            found = self.memo[text] = self.parse(text)
        return found

    def parse(self, text):
        code = text
        if code not in self.units and code not in self.others:
            candidates = self.lowered.get(text.lower(), [])
            if len(candidates) > 1:
                return None, (
                    f"{quote(text)} matches more than one unit ({', '.join(sorted(candidates))}) "
                    "when capitals are ignored.",
                    "Write the unit_code exactly as in the units file.",
                )
            if not candidates:
                return None, (
                    f"There is no unit {quote(text)} in {self.org}.",
                    f"Use the unit_code of a unit in the wave: {self.places}, or a unit below one.",
                )
            code = candidates[0]
        if code in self.units:
            return self.units[code], None
        if self.others[code] == "inactive":
            return None, (
                f"The unit {quote(code)} is no longer active, and was not surveyed in this wave.",
                "Use the unit that took over its staff, or add the unit back with a units "
                "import first.",
            )
        return None, (
            f"The unit {quote(code)} is not one of this wave's units.",
            f"Use the unit_code of a unit in the wave: {self.places}, or a unit below one.",
        )


# -- the file ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnKind:
    """A kind of column the file can hold: where its values go in a response, and whether
    they answer a question (a row answering none of them is an empty form)."""

    stored_in: str  # the response's "unit", "demographics", "answers" or "comments"
    answers_a_question: bool


UNIT = ColumnKind("unit", answers_a_question=False)
WORKFORCE = ColumnKind("demographics", answers_a_question=False)  # staff_group, band
ABOUT_YOU = ColumnKind("demographics", answers_a_question=False)  # an item with demographic:
COMMENT = ColumnKind("comments", answers_a_question=True)  # a free-text item
ANSWER = ColumnKind("answers", answers_a_question=True)  # any other item


def _kind(target: str, item: Item | None) -> ColumnKind:
    if item is None:
        return UNIT if target == UNIT_COLUMN else WORKFORCE
    if item.demographic:
        return ABOUT_YOU
    return COMMENT if item.type == "free_text" else ANSWER


def _cells(target: str, item: Item | None) -> _Cells | None:
    """The reader of a column's cells (the unit column has its own, `_Units`)."""
    if item is None:
        return None if target == UNIT_COLUMN else _WorkforceCells(target)
    if item.demographic in (GROUP_COLUMN, BAND_COLUMN) and item.type == "single_choice":
        return _DemographicItemCells(item)
    return _ItemCells(item)


@dataclass
class _Column:
    heading: str
    target: str
    cells: object
    item: Item | None = None
    counts: bool = field(default=True)  # answers a question (not unit or demographics)


@dataclass
class _Questions:
    """The wave's items, as the file is checked against them."""

    items: list[Item]
    by_code: dict[str, Item]
    demographic_item: dict[str, Item]  # the first item asking for each demographic
    place: dict[str, tuple[str, str]]  # item code -> (part of the response, key in it)
    conditional: set[str]  # codes of the items asked only on an earlier answer

    @classmethod
    def of(cls, instruments: list[Instrument]) -> "_Questions":
        items = [item for instrument in instruments for item in instrument.items]
        demographic_item: dict[str, Item] = {}
        for item in items:
            if item.demographic:
                demographic_item.setdefault(item.demographic, item)
        place = {
            item.code: (_kind(item.code, item).stored_in, item.demographic or item.code)
            for item in items
        }
        conditional = {item.code for item in items if item.show_if is not None}
        by_code = {item.code: item for item in items}
        return cls(items, by_code, demographic_item, place, conditional)

    @property
    def item_list(self) -> str:
        return ", ".join(self.by_code)

    @property
    def targets(self) -> list[str]:
        return list(dict.fromkeys([*FIXED_COLUMNS, *self.by_code]))

    @property
    def target_list(self) -> str:
        return f"unit_code, staff_group, band, or one of the wave's item codes ({self.item_list})"


def validate_responses(
    table: Table,
    *,
    instruments: list[Instrument],
    units: Mapping[str, object],
    other_units: Mapping[str, str] | None = None,
    wave_units: Iterable[str] = (),
    organisation: str = "the organisation",
    mapping: Table | None = None,
) -> ResponsesPlan:
    """``units`` maps the code of each unit a response may be reported in to a value kept in
    the plan (the unit's id); ``other_units`` maps the organisation's other unit codes to
    why they cannot be used ("outside" the wave's units, or "inactive"); ``wave_units`` are
    the codes of the wave's target units, for messages. Raises ImportRejected with every
    problem in the file (and the mapping file); else returns the plan."""
    questions = _Questions.of(instruments)
    problems: list[ImportProblem] = []
    renames: dict[str, str] = {}
    bad_externals: set[str] = set()
    if mapping is not None:
        renames, bad_externals, mapping_problems = read_mapping(
            mapping, targets=questions.targets, target_list=questions.target_list
        )
        problems.extend(mapping_problems)
    file_problems = ProblemList(table.filename)
    first_file = mapping.filename if mapping is not None else table.filename
    columns = _columns(
        table,
        file_problems,
        renames=renames,
        bad_externals=bad_externals,
        questions=questions,
        mapped=mapping is not None,
    )
    if columns is None:
        raise _rejected(problems, file_problems, first_file)
    file_problems.extend(table.problems)
    unit_cells = _Units(
        units,
        other_units or {},
        ", ".join(wave_units) or "see the wave's settings",
        organisation,
    )
    plan = _RowReader(columns, questions, unit_cells, file_problems).read(table)
    if problems or file_problems:
        raise _rejected(problems, file_problems, first_file)
    return plan


def _rejected(problems: list, file_problems: ProblemList, first_file: str) -> ImportRejected:
    """Every problem, the mapping file's first, each file's in row and column order."""
    rejected = ImportRejected(problems + file_problems)
    rejected.problems = sorted(
        rejected.problems, key=lambda p: (p.file != first_file, p.sort_key())
    )
    return rejected


class _RowReader:
    """Reads each row into a planned response, or reports its problems. The loop over the
    cells is written out by hand: it runs 300,000 times for a 20,000-row file."""

    def __init__(self, columns: list[_Column], questions: _Questions, units: _Units, problems):
        self.questions = questions
        self.units = units
        self.add = problems.add
        self.unit_heading = next((c.heading for c in columns if c.target == UNIT_COLUMN), None)
        self.columns = [c for c in columns if c.target != UNIT_COLUMN]
        self.asks_questions = any(c.item is not None and c.counts for c in columns)
        self.plan = ResponsesPlan(responses=[], columns={c.heading: c.target for c in columns})

    def read(self, table: Table) -> ResponsesPlan:
        plan = self.plan
        for row in table.rows:
            response = self.response(row)
            if response is None:
                continue
            plan.responses.append(response)
            plan.comments += len(response.comments)
        if not table.rows:
            self.add(
                None,
                None,
                None,
                "The file has no responses in it, only headings.",
                "Add one row per completed form.",
            )
        return plan

    def response(self, row) -> PlannedResponse | None:
        """The row's response; None when it has a problem (reported)."""
        n = row.number
        get = row.values.get
        unit, unit_ok = self.unit(n, get)
        answers, extra, cells_ok, answered = self.cells(n, get)
        if not answered and self.asks_questions:
            self.add(
                n,
                None,
                None,
                "The row answers none of the questions: every answer cell is blank.",
                "Delete the row, or enter the answers from the form (an empty form is not a "
                "response).",
            )
            return None
        if not (unit_ok and cells_ok):
            return None
        answers = self.asked(n, answers)
        if answers is None:
            return None
        response = PlannedResponse(n, unit, extra, {}, {})
        place = self.questions.place
        for code, value in answers.items():
            where, key = place[code]
            getattr(response, where)[key] = value
            if value == DONT_KNOW:
                self.plan.dont_know += 1
        return response

    def unit(self, n: int, get) -> tuple[object, bool]:
        if self.unit_heading is None:
            return None, True
        text = get(self.unit_heading, "")
        if not text:
            self.add(
                n,
                self.unit_heading,
                text,
                "The unit_code is blank.",
                "Enter the code of the unit the response is reported in.",
            )
            return None, False
        unit, error = self.units.read(text)
        if error:
            self.add(n, self.unit_heading, text, *error)
            return None, False
        return unit, True

    def cells(self, n: int, get) -> tuple[dict, dict, bool, bool]:
        """(answers by item code, workforce columns' values, no problem, any question
        answered) for one row."""
        ok = True
        answered = False  # any answer to a question (not about the respondent)
        answers: dict = {}
        extra: dict = {}
        for column in self.columns:
            text = get(column.heading, "")
            if not text:
                continue
            value, error = column.cells.read(text)
            if error:
                self.add(n, column.heading, text, *error)
                ok = False
                if column.counts:
                    answered = True
                continue
            if value is None:
                continue
            if column.item is None:
                extra[column.target] = value
            else:
                answers[column.target] = value
                if column.counts:
                    answered = True
        return answers, extra, ok, answered

    def asked(self, n: int, answers: dict) -> dict | None:
        """The answers the form would have asked for (an answer to a question shown only on
        an earlier answer the row does not give is dropped); None, reported, when that
        leaves no answer to a question."""
        questions = self.questions
        if not questions.conditional or questions.conditional.isdisjoint(answers):
            return answers
        kept = prune_hidden(questions.items, answers)
        if len(kept) == len(answers):
            return answers
        if all(questions.place[code][0] == "demographics" for code in kept):
            hidden = [code for code in answers if code not in kept]
            self.add(
                n,
                None,
                None,
                "Every answer in the row is to a question the form would not have "
                f"asked ({', '.join(hidden)}: {_conditions(hidden, questions.by_code)}).",
                "Check the row against the paper form: the answer the questions "
                "depend on is probably missing.",
            )
            return None
        self.plan.hidden_dropped += len(answers) - len(kept)
        self.plan.rows_with_hidden += 1
        return kept


def _conditions(codes: list[str], item_by_code: dict[str, Item]) -> str:
    parts = []
    for code in codes:
        show_if = item_by_code[code].show_if
        if show_if is not None:
            text = f"asked only if {show_if.item} is {' or '.join(show_if.values)}"
            if text not in parts:
                parts.append(text)
    return "; ".join(parts)


# -- the header row ------------------------------------------------------------------------


def _columns(
    table: Table,
    problems: ProblemList,
    *,
    renames: dict[str, str],
    bad_externals: set[str],
    questions: _Questions,
    mapped: bool,
) -> list[_Column] | None:
    """The file's columns and what each holds; None when the header row is unusable."""
    resolved, unknown = _resolve_headings(table, renames, bad_externals, questions)
    header = table.header_row
    item_list = questions.item_list
    if not resolved and not bad_externals:
        shown = ", ".join(quote(c, 30) for c in table.columns[:5])
        problems.add(
            header,
            None,
            None,
            f"Row {header} should hold the column headings, but none of them is a unit_code "
            f"or an item of this wave (found {shown}).",
            "Make the first row the headings: unit_code, then the item codes of the wave's "
            f"questions ({item_list}), or give a mapping file (--map) for the file's own "
            "question codes.",
        )
        return None
    for heading in unknown:
        _unknown_column(heading, header, problems, questions, mapped)
    columns = _distinct_columns(resolved, header, problems, questions)
    if not any(column.target == UNIT_COLUMN for column in columns):
        problems.add(
            header,
            UNIT_COLUMN,
            None,
            "The required column unit_code is missing.",
            "Add a column headed unit_code, with the code of the unit each response is "
            "reported in (see docs/data-formats.md).",
        )
    skipped = any(heading in bad_externals for heading in table.columns)
    if not skipped and not any(column.item is not None and column.counts for column in columns):
        problems.add(
            header,
            None,
            None,
            "The file has no answers to the wave's questions: no column is headed with an "
            "item code.",
            f"Head each answer column with its item code ({item_list}), or give a mapping "
            "file (--map) for the file's own question codes.",
        )
    return columns


def _resolve_headings(
    table: Table, renames: dict[str, str], bad_externals: set[str], questions: _Questions
) -> tuple[list[tuple[str, str]], list[str]]:
    """([(heading, the item code or fixed column it holds)], [unknown headings])."""
    resolved: list[tuple[str, str]] = []
    unknown: list[str] = []
    for heading in table.columns:
        if heading in bad_externals:
            continue  # its mapping row has a problem, reported there
        target = renames.get(heading, heading)
        if target in (GROUP_COLUMN, BAND_COLUMN) and target not in questions.by_code:
            item = questions.demographic_item.get(target)
            if item is not None:
                target = item.code
        if target in questions.by_code or target in FIXED_COLUMNS:
            resolved.append((heading, target))
        else:
            unknown.append(heading)
    return resolved, unknown


def _unknown_column(heading, header, problems, questions: _Questions, mapped: bool) -> None:
    hint = _did_you_mean(heading, questions.by_code)
    how = (
        "add it to the mapping file, rename it to an item code,"
        if mapped
        else "rename it to an item code, map it with a mapping file (--map),"
    )
    problems.add(
        header,
        heading,
        heading,
        f"Unknown column {quote(heading)}: it is not an item of this wave.{hint}",
        f"Either {how} or delete the column. The wave's item codes are: {questions.item_list}.",
    )


def _distinct_columns(resolved, header, problems, questions: _Questions) -> list[_Column]:
    """A column for each target; a second column for the same target is a problem."""
    columns: list[_Column] = []
    seen: dict[str, str] = {}
    for heading, target in resolved:
        if target in seen:
            first = seen[target]
            how = [f"{h} is mapped to {target}" for h in (first, heading) if h != target]
            detail = f" ({'; '.join(how)})" if how else ""
            problems.add(
                header,
                heading,
                heading,
                f"The columns {first} and {heading} both hold the answers to {target}{detail}.",
                "Keep one of the columns, or correct the mapping file.",
            )
            continue
        seen[target] = heading
        item = questions.by_code.get(target)
        counts = _kind(target, item).answers_a_question
        columns.append(_Column(heading, target, _cells(target, item), item, counts=counts))
    return columns
