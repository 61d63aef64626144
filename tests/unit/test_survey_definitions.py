"""Instrument YAML: validation names file, line, key and the problem; built-ins load."""

import textwrap

import pytest

from colead.surveys.definitions import (
    InstrumentInvalid,
    builtin_instruments,
    load_instrument,
    parse_instrument,
)

VALID = textwrap.dedent(
    """\
    code: mini
    version: 1
    title: Mini
    scales:
      agree5: {points: 5, labels: [SD, D, N, A, SA], dont_know: true}
    dimensions:
      - {code: alpha, title: Alpha, min_answered: 1}
    items:
      - {code: a1, text: "First", scale: agree5, dimension: alpha}
      - {code: a2, text: "Second", scale: agree5, dimension: alpha, reverse: true}
    """
)


def problems_of(text):
    with pytest.raises(InstrumentInvalid) as caught:
        parse_instrument(text, filename="mini.yaml")
    return caught.value.problems


def test_a_valid_instrument_parses_with_defaults():
    instrument = parse_instrument(VALID)
    assert instrument.code == "mini"
    assert [item.code for item in instrument.items] == ["a1", "a2"]
    assert instrument.item("a2").reverse is True
    assert instrument.scales["agree5"].positive == (4, 5)  # top two of five by default
    assert instrument.item("a1").dont_know is True


def test_every_problem_is_listed_with_line_and_key():
    broken = textwrap.dedent(
        """\
        code: mini
        version: 1
        title: Mini
        scales:
          agree5: {points: 5, labels: [SD, D, N, A]}
        dimensions:
          - {code: alpha, title: Alpha}
        items:
          - {code: a1, text: "First", scale: agree5, dimension: alpha}
          - {code: a1, text: "Again", scale: agree5, dimension: alpha}
          - {code: a3, text: "Third", scale: agree7, dimension: alpha}
          - {code: a4, text: "Fourth", scale: agree5, dimension: beta}
          - {code: a5, text: "Fifth", type: yes_no, show_if: {item: nope, equals: "yes"}}
          - {code: a6, text: "Sixth", type: yes_no, show_if: {item: a5, equals: maybe}}
        """
    )
    messages = {(p.line, p.key): p.message for p in problems_of(broken)}
    assert "has 4 labels but points is 5" in messages[(5, "scales.agree5.labels")]
    assert "duplicate item code" in messages[(10, "items.a1")]
    assert "unknown scale 'agree7'" in messages[(11, "items.a3.scale")]
    assert "unknown dimension 'beta'" in messages[(12, "items.a4.dimension")]
    assert "unknown item 'nope'" in messages[(13, "items.a5.show_if")]
    assert "option 'maybe'" in messages[(14, "items.a6.show_if")]


def test_problem_text_names_file_line_and_key():
    problem = problems_of(VALID.replace("points: 5", "points: 12"))[0]
    assert str(problem).startswith("mini.yaml, line 5, scales.agree5.points:")
    assert "2 to 11" in str(problem)


def test_yaml_syntax_errors_are_reported_with_a_line():
    problem = problems_of("code: x\nitems: [\n")[0]
    assert problem.key == "yaml" and problem.line is not None


def test_numeric_looking_option_codes_are_caught():
    text = (
        VALID
        + '  - {code: tenure, text: "T", type: single_choice, options: [{code: 1_5, label: "1 to 5"}, {code: b, label: B}]}\n'
    )
    assert any("put quotes round codes" in p.message for p in problems_of(text))


def test_subdimensions_must_exist_and_have_no_direct_items():
    text = VALID.replace(
        "  - {code: alpha, title: Alpha, min_answered: 1}\n",
        "  - {code: alpha, title: Alpha, min_answered: 1}\n"
        "  - {code: total, title: Total, subdimensions: [alpha, gamma]}\n",
    )
    assert any("unknown dimension 'gamma'" in p.message for p in problems_of(text))


def test_show_if_may_only_look_back():
    text = VALID + (
        '  - {code: b1, text: "B1", type: yes_no, show_if: {item: b2, equals: "yes"}}\n'
        '  - {code: b2, text: "B2", type: yes_no}\n'
    )
    assert any("comes later" in p.message for p in problems_of(text))


def test_item_types_and_their_settings():
    text = VALID + (
        '  - {code: n1, text: "How many", type: number, min: 0, max: 60}\n'
        '  - {code: f1, text: "Tell us", type: free_text, max_length: 500}\n'
        '  - {code: m1, text: "Which", type: multiple_choice, options: [Red, Green, Blue]}\n'
        '  - {code: s1, text: "One", type: single_choice, options: [Yes please, No thanks]}\n'
    )
    instrument = parse_instrument(text)
    assert instrument.item("n1").maximum == 60
    assert instrument.item("f1").max_length == 500
    assert instrument.item("m1").option_codes() == ("red", "green", "blue")
    assert instrument.item("s1").option_codes() == ("yes_please", "no_thanks")


def test_an_item_may_feed_several_dimensions():
    text = VALID.replace(
        "  - {code: alpha, title: Alpha, min_answered: 1}\n",
        "  - {code: alpha, title: Alpha, min_answered: 1}\n  - {code: beta, title: Beta}\n",
    ).replace("dimension: alpha, reverse: true", "dimensions: [alpha, beta], reverse: true")
    instrument = parse_instrument(text)
    assert instrument.item("a2").dimensions == ("alpha", "beta")
    assert [i.code for i in instrument.items_of("beta")] == ["a2"]


def test_missing_file_is_a_clear_problem(tmp_path):
    with pytest.raises(InstrumentInvalid, match="does not exist"):
        load_instrument(tmp_path / "nope.yaml")


BUILTIN_ELEMENTS = [
    "vision_values",
    "goals_performance",
    "support_compassion",
    "learning_innovation",
    "teamwork",
    "equity_inclusion",
]


def test_builtin_instruments_load_and_have_the_required_shape():
    by_code = {instrument.code: instrument for instrument in builtin_instruments()}
    assert set(by_code) == {
        "culture-pulse",
        "staff-engagement",
        "team-working",
        "psychological-safety",
        "compassionate-leadership",
        "demographics",
    }
    pulse = by_code["culture-pulse"]
    assert list(pulse.dimensions)[:6] == BUILTIN_ELEMENTS
    for element in BUILTIN_ELEMENTS:
        assert 4 <= len(pulse.items_of(element)) <= 6
    assert all(item.dont_know for item in pulse.items if item.type == "scale")

    engagement = by_code["staff-engagement"]
    assert engagement.dimensions["engagement"].subdimensions == (
        "motivation",
        "involvement",
        "advocacy",
    )
    assert {len(engagement.items_of(d)) for d in ("motivation", "involvement", "advocacy")} == {3}
    assert {i.scale.code for i in engagement.items_of("motivation")} == {"frequency5"}

    safety = by_code["psychological-safety"]
    assert len(safety.items) == 7
    assert sum(item.reverse for item in safety.items) == 3

    team = by_code["team-working"]
    assert team.items[0].code == "in_team"
    assert [i.code for i in team.items if i.show_if and i.type == "yes_no"] == [
        "rt_objectives",
        "rt_interdependent",
        "rt_reviews",
    ]

    demographics = by_code["demographics"]
    for item in demographics.items:
        assert "prefer_not" in item.option_codes(), item.code


# -- bounds: size, nesting, counts, control characters ----------------------------------


def many_items(count: int) -> str:
    lines = [VALID.split("items:")[0] + "items:"]
    lines += [
        f"  - {{code: i{n}, text: Item, scale: agree5, dimension: alpha}}" for n in range(count)
    ]
    return "\n".join(lines) + "\n"


def test_a_file_over_a_megabyte_is_refused_before_it_is_parsed():
    text = VALID + "description: " + "x" * 1_000_000 + "\n"
    [problem] = problems_of(text)
    assert problem.key == "file" and "at most 1,000,000 bytes" in problem.message


def test_a_large_file_on_disk_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * 1_000_001)
    with pytest.raises(InstrumentInvalid) as caught:
        load_instrument(path)
    assert "is 1,000,001 bytes" in str(caught.value)


@pytest.mark.parametrize("opening", ["[", "{a: "])
def test_deep_nesting_is_a_problem_with_a_line_not_a_crash(opening):
    closing = "]" if opening == "[" else "}"
    [problem] = problems_of(VALID + "description: " + opening * 5000 + closing * 5000 + "\n")
    assert problem.key == "yaml" and "more than 20 deep" in problem.message
    assert problem.line == 11  # the description line


def test_aliases_are_refused():
    text = VALID.replace("dimensions:", "extra: &big [1, 2]\nmore: [*big, *big]\ndimensions:")
    [problem] = problems_of(text)
    assert "alias *big" in problem.message


def test_more_than_500_items_is_a_problem_before_validation():
    assert parse_instrument(many_items(500)).items[-1].code == "i499"
    [problem] = problems_of(many_items(501))
    assert problem.key == "items" and "501 entries" in problem.message


def test_more_than_200_options_on_an_item_is_a_problem():
    options = ", ".join(f"o{n}" for n in range(201))
    text = VALID + f"  - {{code: pick, text: Pick, type: single_choice, options: [{options}]}}\n"
    assert [p.key for p in problems_of(text)] == ["items[2].options"]


def test_an_escaped_control_character_is_a_problem_naming_the_key():
    [problem] = problems_of(VALID.replace('"Second"', '"Sec\\0ond"'))
    assert problem.key == "items[1].text" and "NUL (U+0000)" in problem.message


def test_a_raw_control_character_in_the_file_is_a_problem_not_a_crash():
    [problem] = problems_of(VALID.replace("Mini", "Mi\x1bni"))
    assert problem.key == "file" and "ESC (U+001B)" in problem.message


def test_a_very_long_list_is_refused_while_reading_with_its_line():
    [problem] = problems_of(many_items(1001))
    assert problem.line == 9 and "more than 500 entries" in problem.message


# -- the declared schema's problems read as the hand-written ones did ------------------------


def test_a_wrong_scale_is_reported_once_not_again_at_each_item_using_it():
    problems = problems_of(VALID.replace("points: 5", "points: 12"))
    assert [(p.key, p.message) for p in problems] == [
        ("scales.agree5.points", "must be a whole number from 2 to 11")
    ]


def test_problems_are_listed_in_the_order_of_the_file():
    text = VALID.replace('text: "Second"', 'text: ""') + "colour: blue\n"
    problems = problems_of(text)
    assert [(p.line, p.key) for p in problems] == [(10, "items.a2.text"), (11, "colour")]
    assert problems[1].message.startswith("is not a known key; use one of code, description")


def test_a_wrong_type_for_a_field_says_what_the_field_takes():
    text = VALID + (
        '  - {code: n1, text: "N", type: number, min: "0", max: true}\n'
        '  - {code: f1, text: "F", type: free_text, max_length: 10001}\n'
        '  - {code: c1, text: "C", type: single_choice, options: [{code: 1, label: A}, B]}\n'
        '  - {code: d1, text: "D", type: yes_no, demographic: shoe_size, dimension: [alpha, 3]}\n'
    )
    messages = {p.key: p.message for p in problems_of(text)}
    assert messages == {
        "items.n1.min": "must be a number",
        "items.n1.max": "must be a number",
        "items.f1.max_length": "must be a whole number from 1 to 10000",
        "items.c1.options[0]": (
            "must be a label, or a mapping with a text code and a label "
            '(put quotes round codes that look like numbers, e.g. "1_5")'
        ),
        "items.d1.demographic": (
            "must be one of staff_group, band, length_of_service, ethnicity, sex, disability, "
            "age_band"
        ),
        "items.d1.dimension": "must be a dimension code or a list of them",
    }


def test_a_repeated_code_is_reported_even_when_its_first_use_is_wrong_itself():
    text = VALID.replace('text: "First"', 'text: ""').replace("code: a2", "code: a1")
    messages = {(p.line, p.key): p.message for p in problems_of(text)}
    assert messages == {
        (9, "items.a1.text"): "is required",
        (10, "items.a1"): "is a duplicate item code (first used on line 9)",
    }
