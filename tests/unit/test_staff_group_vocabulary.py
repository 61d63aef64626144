"""One vocabulary of staff groups: the reference table (org/data/staff_groups.csv) gives each
ESR staff group a code, ESR's name (as workforce files spell it) and a display name in plain
words. The survey's "About you" question offers the display names by the same codes, and the
results' staff group headings use them too; imports accept ESR's names and the display
names, in any case."""

import pytest

from colead.insights import results as rs
from colead.org import reference
from colead.surveys.definitions import BUILTIN_DIR, load_instrument


def about_you_staff_groups() -> list[tuple[str, str]]:
    about_you = load_instrument(BUILTIN_DIR / "demographics.yaml")
    item = next(item for item in about_you.items if item.demographic == "staff_group")
    return [(option.code, option.label) for option in item.options]


def test_the_survey_offers_the_reference_staff_groups_by_code_and_display_name_in_order():
    offered = about_you_staff_groups()
    assert offered[-1] == ("prefer_not", "Prefer not to say")
    assert offered[:-1] == [(group.code, group.display_name) for group in reference.staff_groups()]


def test_the_results_call_each_group_what_the_survey_called_it():
    for code, label in about_you_staff_groups():
        assert rs.category_label("staff_group", code) == label


def test_display_names_read_in_plain_words_and_differ_from_each_other():
    groups = reference.staff_groups()
    names = [group.display_name for group in groups]
    assert len(set(names)) == len(names)
    assert reference.staff_group_name("add_prof_scientific_technic") == (
        "Additional professional, scientific and technical"
    )
    for name in names:  # sentence case: no capital after the first word
        assert name[0].isupper() and all(not word[0].isupper() for word in name.split()[1:])


@pytest.mark.parametrize(
    "text",
    [
        "Add Prof Scientific and Technic",  # ESR's name
        "ADD PROF SCIENTIFIC AND TECHNIC",
        "Additional professional, scientific and technical",  # the display name
        "additional professional scientific and technical",
        "add_prof_scientific_technic",  # the code
    ],
)
def test_imports_find_a_group_by_esr_name_display_name_or_code_in_any_case(text):
    assert reference.find_staff_group(text).code == "add_prof_scientific_technic"


@pytest.mark.parametrize("text", ["add_prof_scientific_technic", "Add Prof Scientific and Technic"])
def test_people_read_the_display_name_and_files_are_written_in_esrs(text):
    assert reference.staff_group_name(text) == "Additional professional, scientific and technical"
    assert reference.esr_staff_group_name(text) == "Add Prof Scientific and Technic"


def test_a_value_that_is_no_group_is_shown_as_given():
    assert reference.staff_group_name("ADD PROF") == "ADD PROF"
    assert reference.esr_staff_group_name("ADD PROF") == "ADD PROF"


def test_import_messages_list_every_display_name_apart_even_with_commas():
    text = reference.staff_groups_to_use()
    listed, esr_note = text.rsplit(" (", 1)
    assert listed.split("; ") == [group.display_name for group in reference.staff_groups()]
    assert esr_note == "or ESR's name for the group)"
