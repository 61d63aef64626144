"""One vocabulary of staff groups: the survey's "About you" question offers the ESR staff
groups of the reference table (org/data/staff_groups.csv), by the same code and name, so the
survey, the workforce file and the results breakdown say the same."""

from colead.insights import results as rs
from colead.org import reference
from colead.surveys.definitions import BUILTIN_DIR, load_instrument


def about_you_staff_groups() -> list[tuple[str, str]]:
    about_you = load_instrument(BUILTIN_DIR / "demographics.yaml")
    item = next(item for item in about_you.items if item.demographic == "staff_group")
    return [(option.code, option.label) for option in item.options]


def test_the_survey_offers_the_reference_staff_groups_by_code_and_name_in_order():
    offered = about_you_staff_groups()
    assert offered[-1] == ("prefer_not", "Prefer not to say")
    assert offered[:-1] == [(group.code, group.name) for group in reference.staff_groups()]


def test_the_results_call_each_group_what_the_survey_called_it():
    for code, label in about_you_staff_groups():
        assert rs.category_label("staff_group", code) == label
