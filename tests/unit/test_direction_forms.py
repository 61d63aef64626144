"""colead.direction.forms: reading what people type into the direction forms."""

from datetime import date

import pytest
from django.utils.datastructures import MultiValueDict

from colead.direction import forms
from colead.direction.reference import ObjectiveLimits

# Inputs, as models.objective_limits() gives them in the application.
LIMITS = ObjectiveLimits(code=40, title=200, measure=200, unit_of_measure=50)


def posted(**fields) -> MultiValueDict:
    """Form data as a browser posts it (a list for each name)."""
    return MultiValueDict(
        {name: value if isinstance(value, list) else [value] for name, value in fields.items()}
    )


def objective_data(**fields) -> MultiValueDict:
    values = {
        "title": " Cut waits from 10 to 5 days ",
        "description": "",
        "measure": "Median wait",
        "unit_of_measure": "days",
        "baseline": "10",
        "target": "5",
        "direction": "down",
        "due[day]": "31",
        "due[month]": "3",
        "due[year]": "2027",
    }
    values.update(fields)
    return posted(**values)


@pytest.mark.parametrize(
    "text, expected",
    [("10", 10.0), ("1,250", 1250.0), (" -2.5 ", -2.5), ("0", 0.0), ("", None), ("  ", None)],
)
def test_numbers_people_type(text, expected):
    assert forms.parse_number(text, "baseline") == (expected, None)


@pytest.mark.parametrize("text", ["ten", "nan", "inf", "-inf", "1e16", "5%", "1.2.3"])
def test_not_numbers(text):
    assert forms.parse_number(text, "target") == (
        None,
        "Enter the target as a number, like 85 or 12.5",
    )


def test_stored_numbers_are_shown_as_typed():
    assert [forms.number_text(v) for v in (10.0, 12.5, -3.0, None)] == ["10", "12.5", "-3", ""]


@pytest.mark.parametrize(
    "parts, expected",
    [
        (("", "", ""), (None, None)),
        (("31", "3", "2027"), (date(2027, 3, 31), None)),
        (("1", "", "2027"), (None, "The due date must include a month")),
        (("", "3", ""), (None, "The due date must include a day and a year")),
        (("31", "2", "2027"), (None, "The due date must be a real date, for example 31 3 2027")),
        (("1", "3", "27"), (None, "The due date must be a real date, for example 31 3 2027")),
        (("1", "March", "2027"), (None, "The due date must be a real date, for example 31 3 2027")),
        (("-1", "3", "2027"), (None, "The due date must be a real date, for example 31 3 2027")),
    ],
)
def test_date_inputs(parts, expected):
    day, month, year = parts
    data = posted(**{"due[day]": day, "due[month]": month, "due[year]": year})
    assert forms.parse_date_input(data, "due", "The due date") == expected


def test_a_good_objective_becomes_the_services_values():
    parents = {"7": "objective seven", "9": "objective nine"}
    reading = forms.read_objective(
        objective_data(
            parents=["9", "7", "9"],
            elements=["teamwork", "vision_values"],
            code=" W1-9 ",
        ),
        limits=LIMITS,
        parent_choices=parents,
        with_code=True,
    )
    assert reading.is_valid
    assert reading.values == {
        "title": "Cut waits from 10 to 5 days",
        "description": "",
        "measure": "Median wait",
        "unit_of_measure": "days",
        "code": "W1-9",
        "baseline": 10.0,
        "target": 5.0,
        "direction": "down",
        "due_date": date(2027, 3, 31),
        # In the order of the six elements, whatever the order posted.
        "elements": ["vision_values", "teamwork"],
        "parents": ["objective nine", "objective seven"],
    }
    assert reading.posted["parents"] == ["9", "7"]
    assert reading.posted["due"] == {"day": "31", "month": "3", "year": "2027"}


def test_optional_fields_may_be_blank():
    reading = forms.read_objective(
        objective_data(
            measure="",
            unit_of_measure="",
            baseline="",
            target="",
            **{"due[day]": "", "due[month]": "", "due[year]": ""},
        ),
        limits=LIMITS,
        parent_choices={},
    )
    assert reading.is_valid
    assert (reading.values["baseline"], reading.values["due_date"]) == (None, None)
    assert "code" not in reading.values


def test_parents_not_offered_are_refused_and_dropped():
    reading = forms.read_objective(
        objective_data(parents=["7", "8", "<script>"]), limits=LIMITS, parent_choices={"7": "seven"}
    )
    assert reading.errors == {"parents": "Select the objectives it serves from the list"}
    assert reading.values["parents"] == ["seven"]
    assert reading.posted["parents"] == ["7"]


def test_objective_messages():
    reading = forms.read_objective(
        objective_data(
            title="x" * 201,
            description="\x00",
            measure="m" * 201,
            unit_of_measure="u" * 51,
            direction="",
            elements=["teamwork", "nonsense"],
            code="c" * 41,
        ),
        limits=LIMITS,
        parent_choices={},
        with_code=True,
    )
    assert reading.errors == {
        "title": "The title must be 200 characters or fewer",
        "description": "The description must not contain a NUL character: retype it",
        "measure": "The measure must be 200 characters or fewer",
        "unit_of_measure": "The unit of measure must be 50 characters or fewer",
        "code": "The code must be 40 characters or fewer",
        "direction": "Select whether a higher or a lower value is better",
        "elements": "Select cultural elements from the list",
    }
    assert forms.read_objective(
        objective_data(title=" "), limits=LIMITS, parent_choices={}
    ).errors == {"title": "Enter a title for the objective"}
    # Every field the reader can blame has a place on the page to link to.
    assert set(reading.errors) <= set(forms.OBJECTIVE_FIELD_IDS)


def test_status():
    assert forms.read_status(posted(status="dropped"), ["dropped"]).values == {"status": "dropped"}
    refused = forms.read_status(posted(status="agreed"), ["dropped"])
    assert refused.errors == {"status": "Select what has happened to the objective"}
    assert forms.read_status(posted(), ["dropped"]).errors


def vision_data(rows, **fields) -> MultiValueDict:
    values = {"vision": "Great care", "mission": ""}
    for n, (name, description) in enumerate(rows, start=1):
        values[f"value-{n}-name"] = name
        values[f"value-{n}-description"] = description
    values.update(fields)
    return posted(**values)


def test_the_vision_with_blank_rows_ignored():
    reading = forms.read_vision(
        vision_data([("Kindness", " We act "), ("", ""), ("Courage", ""), ("", ""), ("", "")])
    )
    assert reading.is_valid
    assert reading.values == {
        "vision": "Great care",
        "mission": "",
        "values": [
            {"name": "Kindness", "description": "We act"},
            {"name": "Courage", "description": ""},
        ],
    }
    assert len(reading.posted["rows"]) == 5


def test_the_vision_messages():
    reading = forms.read_vision(
        vision_data(
            [("", "No name"), ("n" * 101, ""), ("Fine", "d" * 1001)], vision="", mission="m" * 5001
        )
    )
    assert reading.errors == {
        "vision": "Enter the vision",
        "mission": "The mission must be 5,000 characters or fewer",
        "value-1-name": "Enter a name for value 1, or clear its description",
        "value-2-name": "The name of value 2 must be 100 characters or fewer",
        "value-3-description": "The description of value 3 must be 1,000 characters or fewer",
    }


def test_no_more_than_twenty_values_are_read():
    reading = forms.read_vision(vision_data([(f"V{n}", "") for n in range(1, 26)]))
    assert len(reading.values["values"]) == forms.MAX_VALUES


def test_value_rows_are_padded_and_grow_by_one():
    assert [row["number"] for row in forms.value_rows([])] == [1, 2, 3, 4, 5, 6]
    assert len(forms.value_rows([], add=True)) == 7
    rows = [{"name": f"V{n}", "description": ""} for n in range(8)]
    assert len(forms.value_rows(rows)) == 8
    assert len(forms.value_rows(rows, add=True)) == 9
    full = [{"name": f"V{n}", "description": ""} for n in range(forms.MAX_VALUES)]
    assert len(forms.value_rows(full, add=True)) == forms.MAX_VALUES


def test_the_approval():
    today = date(2026, 5, 20)
    good = posted(
        **{"approved[day]": "20", "approved[month]": "5", "approved[year]": "2026"},
        note=" Minute 4.2 ",
        confirm="yes",
    )
    reading = forms.read_approval(good, today=today)
    assert reading.is_valid
    assert reading.values == {"approved_on": today, "note": "Minute 4.2"}
    late = posted(
        **{"approved[day]": "21", "approved[month]": "5", "approved[year]": "2026"},
        note="n" * 301,
    )
    assert forms.read_approval(late, today=today).errors == {
        "approved_on": "The date of the board meeting must be today or in the past",
        "note": "The note must be 300 characters or fewer",
        "confirm": "Confirm that the board approved this draft as shown",
    }
    assert forms.read_approval(posted(confirm="yes"), today=today).errors == {
        "approved_on": "Enter the date of the board meeting that approved it"
    }
