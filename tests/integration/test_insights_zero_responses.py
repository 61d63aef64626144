"""Issue 11 part 2: "nobody responded" is a small count wherever the group has people. A
unit's headcount is public to staff, so a published total that equals its visible sub-units
would say that the people of a silent sibling (or of the unit itself) did not take part."""

import pytest

from colead.insights import results as rs
from colead.privacy import disclosure
from tests.integration.insights_fixtures import closed_wave

pytestmark = pytest.mark.django_db


def test_a_silent_ward_with_people_hides_its_sibling_on_every_view(trust):
    # W2 has 3 people invited and none responds: CARD (14) - W1 (14) would say so
    wave = closed_wave(trust, {"W1": 14, "T1": 12}, groups=("medical_dental", None))
    results = rs.load_results(wave)
    assert results.protection.unit_status(trust["units"]["W2"].pk) is disclosure.Status.PRIMARY
    assert (
        results.protection.unit_status(trust["units"]["W1"].pk) is disclosure.Status.COMPLEMENTARY
    )
    assert results.protection.unit_status(trust["units"]["CARD"].pk) is disclosure.Status.VISIBLE
    rows = {row.unit_code: row for row in results.table(level=3).rows}
    assert rows["W1"].suppressed == disclosure.Status.COMPLEMENTARY.value
    assert rows["W1"].respondents is None
    assert all(cell.n is None for cell in rows["W1"].cells.values())
    for measure in results.measure_codes():
        assert results.measure_protection(measure).unit_status(trust["units"]["W1"].pk).hidden
    cards = {row.unit_code: row for row in results.table(level=2).rows}
    assert cards["CARD"].respondents == 14
