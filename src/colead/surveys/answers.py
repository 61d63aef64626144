"""Checking and cleaning answers against an instrument (no Django imports).

Answers are stored as {item_code: value}: a scale item's option number as a string
("1".."p") or "dk" for don't know; yes/no as "yes"/"no"; single choice as the option code;
multiple choice as a list of option codes; number as a number; free text as a string.
Items hidden by their show_if condition are dropped, so a later change of mind cannot leave
stale answers behind.
"""

from dataclasses import dataclass

from colead.surveys.definitions import Instrument, Item

DONT_KNOW = "dk"


@dataclass(frozen=True)
class AnswerError:
    item: str
    message: str


def is_visible(item: Item, answers: dict) -> bool:
    if item.show_if is None:
        return True
    return str(answers.get(item.show_if.item, "")) in item.show_if.values


def clean_answer(item: Item, raw) -> tuple[object, str | None]:
    """(value, error): value None means not answered. ``raw`` is a form value: a string,
    or a list of strings for multiple choice."""
    if item.type == "multiple_choice":
        values = [
            v for v in (raw if isinstance(raw, list | tuple) else [raw]) if v not in (None, "")
        ]
        allowed = set(item.option_codes())
        unknown = [v for v in values if v not in allowed]
        if unknown:
            return None, f"Select options from the list (not {', '.join(map(str, unknown))})"
        return (sorted(set(values), key=item.option_codes().index) or None), None
    if isinstance(raw, list | tuple):
        raw = raw[-1] if raw else None
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None, None
    text = str(raw).strip()
    if item.type in ("scale", "yes_no", "single_choice"):
        if item.dont_know and text == DONT_KNOW:
            return DONT_KNOW, None
        if text not in item.option_codes():
            return None, "Select one of the options"
        return text, None
    if item.type == "number":
        try:
            number = float(text)
        except ValueError:
            return None, "Enter a number, like 12"
        if number != number or number in (float("inf"), float("-inf")):
            return None, "Enter a number, like 12"
        if item.minimum is not None and number < item.minimum:
            return None, f"Enter a number of {format_number(item.minimum)} or more"
        if item.maximum is not None and number > item.maximum:
            return None, f"Enter a number of {format_number(item.maximum)} or less"
        return (int(number) if number.is_integer() else number), None
    if item.type == "free_text":
        text = str(raw).replace("\r\n", "\n").strip()
        if len(text) > item.max_length:
            return None, (
                f"Your answer must be {item.max_length:,} characters or fewer "
                f"(it has {len(text):,})"
            )
        return text, None
    raise ValueError(f"unknown item type {item.type}")


def format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def clean_section(
    items: list[Item], form: dict, answers_so_far: dict
) -> tuple[dict, list[AnswerError]]:
    """Clean the answers of one page. Returns the cleaned values (None for unanswered) and
    the errors, in item order."""
    cleaned: dict = {}
    errors: list[AnswerError] = []
    context = dict(answers_so_far)
    for item in items:
        if not is_visible(item, context):
            cleaned[item.code] = None
            continue
        value, error = clean_answer(item, form.get(item.code))
        if error:
            errors.append(AnswerError(item.code, error))
        elif value is None and item.required:
            errors.append(AnswerError(item.code, "Answer this question"))
        cleaned[item.code] = value
        context[item.code] = value
    return cleaned, errors


def prune_hidden(instrument_items: list[Item], answers: dict) -> dict:
    """Drop answers to items their conditions now hide, and empty answers."""
    kept: dict = {}
    for item in instrument_items:
        value = answers.get(item.code)
        if value is None or value == [] or value == "":
            continue
        if is_visible(item, kept):
            kept[item.code] = value
    return kept


def split_for_storage(instruments: list[Instrument], answers: dict) -> tuple[dict, dict, dict]:
    """(demographics, item answers, comments) for a Response row."""
    demographics: dict = {}
    item_answers: dict = {}
    comments: dict = {}
    for instrument in instruments:
        for item in instrument.items:
            if item.code not in answers:
                continue
            value = answers[item.code]
            if item.demographic:
                demographics[item.demographic] = value
            elif item.type == "free_text":
                comments[item.code] = value
            else:
                item_answers[item.code] = value
    return demographics, item_answers, comments
