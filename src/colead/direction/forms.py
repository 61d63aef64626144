"""Reading the direction forms: an objective (new and edit), its status, a draft of the
vision and the board's approval of it.

Each reader takes the posted data (a QueryDict, or anything with ``get`` and ``getlist``)
and returns what was typed (``posted``, to show the form again as the person left it), the
values the services take (``values``) and a message per field in the words of the NHS.UK
design system (``errors``). The services check everything again, and decide who may do
what: these readers only catch what a person can mistype. No Django imports, so the
readers are tested directly (tests/unit/test_direction_forms.py)."""

import math
from dataclasses import dataclass, field
from datetime import date

from colead.direction.reference import DIRECTIONS, ELEMENTS, ObjectiveLimits

# The objective's code, title, measure and unit of measure are limited by the model
# (read_objective is handed models.objective_limits()); these are the API's too.
DESCRIPTION_MAX = 5000
VISION_MAX = 5000
VALUE_NAME_MAX = 100
VALUE_DESCRIPTION_MAX = 1000
MAX_VALUES = 20
VALUE_ROWS = 6  # blank value rows offered on the vision form
NOTE_MAX = 300
MAX_NUMBER = 1e15

# The objective form's fields in page order, each with the id its error summary link
# points to (the first input of the field).
OBJECTIVE_FIELD_IDS = {
    "title": "title",
    "description": "description",
    "code": "code",
    "owner": "owner",
    "unit": "unit",
    "parents": "parents",
    "elements": "elements",
    "measure": "measure",
    "unit_of_measure": "unit_of_measure",
    "baseline": "baseline",
    "target": "target",
    "direction": "direction",
    "due_date": "due-day",
}

# Status changes made outside agreement (services.TRANSITIONS), as offered on the form.
STATUS_CHOICES = {
    "active": ("Active", "Work on it has started."),
    "achieved": ("Achieved", "The target has been reached."),
    "dropped": ("Dropped", "It is no longer being pursued."),
    "draft": ("Back to draft", "Take it up again: it will need to be agreed again."),
}


@dataclass
class Reading:
    """What a form reader found: ``posted`` as typed, ``values`` for the services, and a
    message per field (empty when all is well)."""

    posted: dict
    values: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def _text(data, name: str) -> str:
    value = data.get(name, "")
    return value if isinstance(value, str) else ""


def _check_text(errors, name, text, *, label, limit, required=None) -> str:
    """Strip ``text`` and note a message when it is missing, too long or holds a NUL."""
    text = text.strip()
    if required and not text:
        errors[name] = required
    elif len(text) > limit:
        errors[name] = f"{label} must be {limit:,} characters or fewer"
    elif "\x00" in text:
        errors[name] = f"{label} must not contain a NUL character: retype it"
    return text


def parse_number(text: str, label: str) -> tuple[float | None, str | None]:
    """A plain number as people type it ("1,250", "12.5", "-3"). (None, None) when blank;
    (None, message) when it is not a number."""
    text = text.strip().replace(",", "")
    if not text:
        return None, None
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or abs(number) > MAX_NUMBER:
        return None, f"Enter the {label} as a number, like 85 or 12.5"
    return number, None


def number_text(value: float | None) -> str:
    """A stored number as a person would type it: 10.0 as "10", 12.5 as "12.5"."""
    if value is None:
        return ""
    if value.is_integer():
        return str(int(value))
    return repr(value)


def parse_date_input(data, prefix: str, label: str) -> tuple[date | None, str | None]:
    """An NHS.UK date input (``prefix[day]``, ``prefix[month]``, ``prefix[year]``).
    (None, None) when left blank; (None, message) when it is not a real date."""
    parts = [_text(data, f"{prefix}[{part}]").strip() for part in ("day", "month", "year")]
    if not any(parts):
        return None, None
    missing = [name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part]
    if missing:
        return None, f"{label} must include a {' and a '.join(missing)}"
    if not all(part.isdecimal() for part in parts) or len(parts[2]) != 4:
        return None, f"{label} must be a real date, for example 31 3 2027"
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0])), None
    except ValueError:
        return None, f"{label} must be a real date, for example 31 3 2027"


def date_parts(data, prefix: str) -> dict:
    """What was typed into a date input, to show it again."""
    return {part: _text(data, f"{prefix}[{part}]") for part in ("day", "month", "year")}


def stored_date_parts(value: date | None) -> dict:
    if value is None:
        return {"day": "", "month": "", "year": ""}
    return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}


# --- Objectives ------------------------------------------------------------------------------


def read_objective(
    data, *, parent_choices: dict, limits: ObjectiveLimits, with_code: bool = False
) -> Reading:
    """The objective form. ``parent_choices`` maps each parent checkbox's value (an
    objective's id, as text) to the objective it stands for: anything else posted as a
    parent (a forged id, another organisation's objective) is refused. ``limits`` are the
    model's (models.objective_limits()). With ``with_code`` the optional code of a new
    objective is read too. The owner and unit, which need the database, are read by the
    view."""
    errors: dict[str, str] = {}
    posted = {
        "title": _text(data, "title"),
        "description": _text(data, "description"),
        "measure": _text(data, "measure"),
        "unit_of_measure": _text(data, "unit_of_measure"),
        "baseline": _text(data, "baseline"),
        "target": _text(data, "target"),
        "direction": _text(data, "direction"),
        "due": date_parts(data, "due"),
        "elements": [v for v in data.getlist("elements") if isinstance(v, str)],
        "parents": [v for v in data.getlist("parents") if isinstance(v, str)],
    }
    values: dict = {
        "title": _check_text(
            errors,
            "title",
            posted["title"],
            label="The title",
            limit=limits.title,
            required="Enter a title for the objective",
        ),
        "description": _check_text(
            errors,
            "description",
            posted["description"],
            label="The description",
            limit=DESCRIPTION_MAX,
        ),
        "measure": _check_text(
            errors, "measure", posted["measure"], label="The measure", limit=limits.measure
        ),
        "unit_of_measure": _check_text(
            errors,
            "unit_of_measure",
            posted["unit_of_measure"],
            label="The unit of measure",
            limit=limits.unit_of_measure,
        ),
    }
    if with_code:
        posted["code"] = _text(data, "code")
        values["code"] = _check_text(
            errors, "code", posted["code"], label="The code", limit=limits.code
        )
    for name in ("baseline", "target"):
        values[name], error = parse_number(posted[name], name)
        if error:
            errors[name] = error
    if posted["direction"] not in DIRECTIONS:
        errors["direction"] = "Select whether a higher or a lower value is better"
    values["direction"] = posted["direction"]
    values["due_date"], error = parse_date_input(data, "due", "The due date")
    if error:
        errors["due_date"] = error
    if any(code not in ELEMENTS for code in posted["elements"]):
        errors["elements"] = "Select cultural elements from the list"
    values["elements"] = [code for code in ELEMENTS if code in set(posted["elements"])]
    chosen = list(dict.fromkeys(posted["parents"]))
    if any(key not in parent_choices for key in chosen):
        errors["parents"] = "Select the objectives it serves from the list"
    values["parents"] = [parent_choices[key] for key in chosen if key in parent_choices]
    posted["parents"] = [key for key in chosen if key in parent_choices]
    return Reading(posted=posted, values=values, errors=errors)


def objective_posted(objective, parent_ids) -> dict:
    """An objective's fields as the form shows them, to edit it."""
    return {
        "title": objective.title,
        "description": objective.description,
        "measure": objective.measure,
        "unit_of_measure": objective.unit_of_measure,
        "baseline": number_text(objective.baseline),
        "target": number_text(objective.target),
        "direction": objective.direction,
        "due": stored_date_parts(objective.due_date),
        "elements": list(objective.elements or ()),
        "parents": [str(pk) for pk in parent_ids],
    }


def blank_objective_posted() -> dict:
    return {
        "code": "",
        "title": "",
        "description": "",
        "measure": "",
        "unit_of_measure": "",
        "baseline": "",
        "target": "",
        "direction": "up",
        "due": stored_date_parts(None),
        "elements": [],
        "parents": [],
    }


def read_status(data, allowed) -> Reading:
    """The status form: one of the ``allowed`` statuses."""
    status = _text(data, "status")
    if status not in allowed:
        return Reading(
            posted={"status": status},
            errors={"status": "Select what has happened to the objective"},
        )
    return Reading(posted={"status": status}, values={"status": status})


# --- The vision ----------------------------------------------------------------------------


def value_rows(posted_rows: list[dict], *, add: bool = False) -> list[dict]:
    """The value rows to show: those given, padded to VALUE_ROWS with blank rows, plus one
    more when the person asked for another (never more than MAX_VALUES)."""
    rows = list(posted_rows)
    wanted = max(VALUE_ROWS, len(rows)) + (1 if add else 0)
    while len(rows) < min(wanted, MAX_VALUES):
        rows.append({"name": "", "description": ""})
    return [{**row, "number": n} for n, row in enumerate(rows[:MAX_VALUES], start=1)]


def read_vision(data) -> Reading:
    """The vision form: the vision, the mission, and the values as rows of a name and a
    description (``value-N-name``, ``value-N-description``; blank rows are ignored)."""
    errors: dict[str, str] = {}
    rows = []
    for n in range(1, MAX_VALUES + 1):
        name_key, description_key = f"value-{n}-name", f"value-{n}-description"
        if name_key not in data and description_key not in data:
            break
        rows.append({"name": _text(data, name_key), "description": _text(data, description_key)})
    posted = {
        "vision": _text(data, "vision"),
        "mission": _text(data, "mission"),
        "rows": rows,
    }
    values = {
        "vision": _check_text(
            errors,
            "vision",
            posted["vision"],
            label="The vision",
            limit=VISION_MAX,
            required="Enter the vision",
        ),
        "mission": _check_text(
            errors, "mission", posted["mission"], label="The mission", limit=VISION_MAX
        ),
        "values": [],
    }
    for n, row in enumerate(rows, start=1):
        name = _check_text(
            errors,
            f"value-{n}-name",
            row["name"],
            label=f"The name of value {n}",
            limit=VALUE_NAME_MAX,
        )
        description = _check_text(
            errors,
            f"value-{n}-description",
            row["description"],
            label=f"The description of value {n}",
            limit=VALUE_DESCRIPTION_MAX,
        )
        if not name and not description:
            continue
        if not name:
            errors[f"value-{n}-name"] = f"Enter a name for value {n}, or clear its description"
        values["values"].append({"name": name, "description": description})
    return Reading(posted=posted, values=values, errors=errors)


def vision_posted(vision) -> dict:
    """A stored vision (a draft to change, or the approved one to revise) as the form
    shows it; None gives an empty form."""
    if vision is None:
        return {"vision": "", "mission": "", "rows": []}
    return {
        "vision": vision.vision,
        "mission": vision.mission,
        "rows": [
            {"name": value.get("name", ""), "description": value.get("description", "")}
            for value in vision.values or ()
        ],
    }


def read_approval(data, *, today: date) -> Reading:
    """The board's approval: the date of the meeting (not in the future), an optional note
    and the confirmation that the board approved the draft as shown."""
    errors: dict[str, str] = {}
    posted = {
        "approved": date_parts(data, "approved"),
        "note": _text(data, "note"),
        "confirm": _text(data, "confirm") == "yes",
    }
    approved_on, error = parse_date_input(data, "approved", "The date of the board meeting")
    if error:
        errors["approved_on"] = error
    elif approved_on is None:
        errors["approved_on"] = "Enter the date of the board meeting that approved it"
    elif approved_on > today:
        errors["approved_on"] = "The date of the board meeting must be today or in the past"
    note = _check_text(errors, "note", posted["note"], label="The note", limit=NOTE_MAX)
    if not posted["confirm"]:
        errors["confirm"] = "Confirm that the board approved this draft as shown"
    return Reading(posted=posted, values={"approved_on": approved_on, "note": note}, errors=errors)
