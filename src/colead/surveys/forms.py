"""Forms for the wave pages. They check what a person typed and say what to fix, in the words
of the NHS.UK design system; the services check the rest (and refuse anything the forms let
through). Rendering is in the templates, with the NHS.UK components."""

import re
from dataclasses import dataclass
from datetime import date

from django import forms

from colead.org import reference
from colead.org.models import Unit
from colead.surveys import definitions
from colead.surveys.models import MIN_REPORTING_THRESHOLD, InstrumentVersion

UNIT_CHOICE_LEVELS = ("organisation", "division", "directorate")


def parse_date_input(data, prefix: str, label: str) -> tuple[date | None, str | None]:
    """Read an NHS.UK date input (``prefix[day]``, ``prefix[month]``, ``prefix[year]``).
    (None, None) when left blank; (None, message) when it is not a real date."""
    parts = [str(data.get(f"{prefix}[{part}]", "")).strip() for part in ("day", "month", "year")]
    if not any(parts):
        return None, None
    if not all(parts):
        missing = [
            name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part
        ]
        return None, f"{label} must include a {' and '.join(missing)}"
    if not all(part.isdecimal() for part in parts) or len(parts[2]) != 4:
        return None, f"{label} must be a real date, for example 31 3 2026"
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0])), None
    except ValueError:
        return None, f"{label} must be a real date, for example 31 3 2026"


def date_values(value: date | None, data=None, prefix: str = "") -> dict:
    """Values for the dateInput component: what was typed, or the stored date."""
    if data is not None and any(f"{prefix}[{part}]" in data for part in ("day", "month", "year")):
        return {part: data.get(f"{prefix}[{part}]", "") for part in ("day", "month", "year")}
    if value is None:
        return {}
    return {"day": value.day, "month": value.month, "year": value.year}


def split_codes(text: str) -> list[str]:
    return [code for code in re.split(r"[\s,;]+", text or "") if code]


class WaveForm(forms.Form):
    """A new wave. Field names match the inputs in surveys/new.jinja."""

    title = forms.CharField(
        max_length=200,
        error_messages={
            "required": "Enter a title for the wave",
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    instruments = forms.MultipleChoiceField(
        error_messages={
            "required": "Select at least one instrument",
            "invalid_choice": "Select instruments from the list",
        }
    )
    units = forms.MultipleChoiceField(
        required=False, error_messages={"invalid_choice": "Select units from the list"}
    )
    unit_codes = forms.CharField(required=False, max_length=2000)
    staff_groups = forms.MultipleChoiceField(
        required=False, error_messages={"invalid_choice": "Select staff groups from the list"}
    )
    reporting_threshold = forms.IntegerField(
        min_value=MIN_REPORTING_THRESHOLD,
        max_value=1000,
        error_messages={
            "required": "Enter a reporting threshold",
            "invalid": "The reporting threshold must be a whole number, like 11",
            "min_value": f"The reporting threshold must be {MIN_REPORTING_THRESHOLD} or more",
            "max_value": "The reporting threshold must be 1,000 or less",
        },
    )
    comment_threshold = forms.IntegerField(
        min_value=MIN_REPORTING_THRESHOLD,
        max_value=1000,
        error_messages={
            "required": "Enter a comment threshold",
            "invalid": "The comment threshold must be a whole number, like 10",
            "min_value": f"The comment threshold must be {MIN_REPORTING_THRESHOLD} or more",
            "max_value": "The comment threshold must be 1,000 or less",
        },
    )
    respondent_chooses_unit = forms.BooleanField(required=False)

    # The fields whose errors are shown (the dates' by their error codes), in page order.
    ANCHORS = {
        "title": "title",
        "instruments": "instruments",
        "units": "units",
        "unit_codes": "unit_codes",
        "staff_groups": "staff_groups",
        "opens_on": "opens-day",
        "closes_on": "closes-day",
        "reporting_threshold": "reporting_threshold",
        "comment_threshold": "comment_threshold",
        "__all__": "title",
    }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.instrument_choices = instrument_choices(organisation)
        self.fields["instruments"].choices = [
            (choice.value, choice.title) for choice in self.instrument_choices
        ]
        self.unit_choices = list(
            Unit.objects.for_org(organisation)
            .filter(level__in=UNIT_CHOICE_LEVELS, is_active=True)
            .order_by("path")
        )
        self.fields["units"].choices = [(unit.code, unit.name) for unit in self.unit_choices]
        self.fields["staff_groups"].choices = [
            (group.code, group.display_name) for group in reference.staff_groups()
        ]
        self.opens_on = self.closes_on = None

    def clean(self):
        cleaned = super().clean()
        data = self.data
        self.opens_on, error = parse_date_input(data, "opens", "The opening date")
        if error:
            self.add_error(None, forms.ValidationError(error, code="opens_on"))
        self.closes_on, error = parse_date_input(data, "closes", "The closing date")
        if error:
            self.add_error(None, forms.ValidationError(error, code="closes_on"))
        elif self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            self.add_error(
                None,
                forms.ValidationError(
                    "The closing date must be the same as or after the opening date",
                    code="closes_on",
                ),
            )
        if not cleaned.get("units") and not split_codes(cleaned.get("unit_codes", "")):
            self.add_error("units", "Select at least one unit, or enter unit codes")
        return cleaned

    def all_unit_codes(self) -> list[str]:
        codes = list(self.cleaned_data.get("units") or [])
        for code in split_codes(self.cleaned_data.get("unit_codes", "")):
            if code not in codes:
                codes.append(code)
        return codes

    def field_errors(self) -> dict[str, str]:
        """The first message for each field that has one (the dates by their codes)."""
        return {
            name: message
            for name in self.ANCHORS
            if name != "__all__" and (message := self.field_error(name))
        }

    def field_error(self, name: str) -> str | None:
        """The message to show beside a field (including the date fields)."""
        for field, errors in self.errors.items():
            for error in errors.as_data():
                key = error.code if field == "__all__" else field
                if key == name:
                    return error.messages[0]
        return None


@dataclass(frozen=True)
class InstrumentChoice:
    code: str
    version: int
    title: str
    description: str
    questions: int
    about_the_respondent: bool = False

    @property
    def value(self) -> str:
        return f"{self.code}@{self.version}"


def _choice(instrument: definitions.Instrument) -> InstrumentChoice:
    return InstrumentChoice(
        instrument.code,
        instrument.version,
        instrument.title,
        instrument.description or "",
        len(instrument.items),
        instrument.about_the_respondent,
    )


def instrument_choices(organisation) -> list[InstrumentChoice]:
    """The newest version of each of the organisation's instruments and of each built-in
    one, by title, with "About you" instruments last: the form's order is the order
    respondents answer them in. Reading them stores nothing: creating the wave imports the
    built-in instruments (services.create_wave)."""
    latest: dict[str, InstrumentChoice] = {}
    for version in InstrumentVersion.objects.for_org(organisation).order_by("code", "-version"):
        if version.code not in latest:
            latest[version.code] = _choice(version.parsed())
    for instrument in definitions.builtin_instruments():
        known = latest.get(instrument.code)
        if known is None or known.version < instrument.version:
            latest[instrument.code] = _choice(instrument)
    return sorted(latest.values(), key=lambda choice: (choice.about_the_respondent, choice.title))


class ExtendForm:
    """The new closing date of an open wave (a date input only)."""

    def __init__(self, data=None):
        self.data = data
        self.closes_on = None
        self.error = None

    def is_valid(self) -> bool:
        self.closes_on, self.error = parse_date_input(self.data, "closes", "The new closing date")
        if self.error is None and self.closes_on is None:
            self.error = "Enter the new closing date"
        return self.error is None
