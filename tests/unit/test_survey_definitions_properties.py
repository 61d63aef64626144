"""Property tests for instruments: hypothesis writes valid instruments of every item type,
checks that each passes through the declared schema unchanged, and that any one field of an
item made wrong is reported at that item (its code and line), with no problem elsewhere."""

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from colead.surveys import definitions
from colead.surveys.definitions import (
    InstrumentInvalid,
    InstrumentSpec,
    instrument_from_data,
    parse_instrument,
    plain_definition,
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CODES = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
TEXTS = st.text(
    alphabet=st.characters(whitelist_categories=("L", "N", "Zs", "Po")), min_size=1, max_size=30
).filter(str.strip)
SCALE = {"points": 5, "labels": ["SD", "D", "N", "A", "SA"], "dont_know": True}


@st.composite
def items(draw, code: str, earlier: list[dict]):
    kind = draw(st.sampled_from(definitions.ITEM_TYPES))
    item = {"code": code, "text": draw(TEXTS)}
    if kind == "scale":
        item["scale"] = "agree5"
    else:
        item["type"] = kind
    if kind in ("scale", "yes_no") and draw(st.booleans()):
        item["dimension"] = "alpha"
    if kind in ("single_choice", "multiple_choice"):
        labels = draw(st.lists(CODES, min_size=2, max_size=5, unique=True))
        item["options"] = [{"code": label, "label": label.upper()} for label in labels]
    if kind == "number":
        low = draw(st.integers(-5, 5))
        item.update({"min": low, "max": low + draw(st.integers(0, 100))})
    if kind == "free_text":
        item["max_length"] = draw(st.integers(1, definitions.MAX_TEXT_LENGTH))
    asked = [e["code"] for e in earlier if e.get("type") == "yes_no"]
    if asked and draw(st.booleans()):
        item["show_if"] = {"item": draw(st.sampled_from(asked)), "equals": "yes"}
    return item


@st.composite
def instruments(draw) -> dict:
    codes = draw(st.lists(CODES, min_size=1, max_size=8, unique=True))
    # The dimension needs an item to feed it: the first one, a scale item.
    written = [{"code": codes[0], "text": "First", "scale": "agree5", "dimension": "alpha"}]
    for code in codes[1:]:
        written.append(draw(items(code, written)))
    return {
        "code": "generated",
        "version": draw(st.integers(1, 50)),
        "title": draw(TEXTS),
        "scales": {"agree5": dict(SCALE)},
        "dimensions": [{"code": "alpha", "title": "Alpha"}],
        "items": written,
    }


@SETTINGS
@given(instruments())
def test_a_valid_instrument_passes_through_the_schema_unchanged(data):
    instrument = parse_instrument(yaml.safe_dump(data, sort_keys=False), filename="gen.yaml")
    assert plain_definition(instrument) == data
    assert instrument_from_data(plain_definition(instrument)) == instrument
    spec = InstrumentSpec.model_validate(data)
    assert spec.model_dump(by_alias=True, exclude_unset=True) == data
    assert [item.code for item in instrument.items] == [item["code"] for item in data["items"]]


# One field of an item made certainly wrong, for items of any type: (field, value).
WRONG_FOR_ANY = [
    ("text", ""),
    ("text", 5),
    ("type", "essay"),
    ("demographic", "shoe_size"),
    ("colour", "blue"),
    ("dimension", "nowhere"),
    ("show_if", "in_team"),
    ("section", "nowhere_section"),
]
WRONG_FOR_TYPE = {
    "scale": [("scale", "agree7"), ("scale", 5)],
    "yes_no": [("dimension", ["alpha", 3])],
    "single_choice": [("options", ["only"]), ("options", [{"code": 1, "label": "One"}, "b"])],
    "multiple_choice": [("options", "red, green"), ("dimension", "alpha")],
    "number": [("min", "low"), ("max", True), ("min", 1000)],
    "free_text": [("max_length", 0), ("max_length", definitions.MAX_TEXT_LENGTH + 1)],
}


@SETTINGS
@given(instruments(), st.data())
def test_any_one_wrong_field_of_an_item_is_reported_at_that_item(data, draw):
    index = draw.draw(st.integers(0, len(data["items"]) - 1))
    item = data["items"][index]
    kind = item.get("type", "scale")
    field, value = draw.draw(st.sampled_from(WRONG_FOR_ANY + WRONG_FOR_TYPE[kind]))
    if field == "section":
        data["sections"] = [{"code": "main_part", "title": "Main"}]
    if field == "show_if":
        value = {"item": item["code"], "equals": "yes"}  # on itself
    # The first item is alpha's only one: moving it elsewhere is a second problem, at alpha.
    assume(not (field == "dimension" and index == 0))
    item[field] = value
    text = yaml.safe_dump(data, sort_keys=False)
    try:
        parse_instrument(text, filename="gen.yaml")
    except InstrumentInvalid as invalid:
        problems = invalid.problems
    else:
        raise AssertionError(f"{field}: {value!r} on a {kind} item was accepted")
    place = f"items.{item['code']}"
    assert problems and all(p.key.startswith(place) for p in problems), problems
    lines = text.splitlines()
    assert all(p.line and item["code"] in "".join(lines[: p.line]) for p in problems)
