"""The unit page's pure figures (``colead.insights.unit_figures``): team agreement against the
measures.md §8.2 worked example, unique wave labels, and the trend chart spec."""

import numpy as np
import pytest

from colead.insights import statistics as st
from colead.insights import unit_figures as uf
from colead.lib import charts

# measures.md §8.2: items [4,4,5,3,4], [4,5,5,4,4], [3,4,4,3,4] on a 5-point scale
WORKED_EXAMPLE = np.array([[4, 4, 5, 3, 4], [4, 5, 5, 4, 4], [3, 4, 4, 3, 4]]).T


def test_the_worked_example_is_a_team_property_with_very_strong_agreement():
    rwg = st.rwg_j(WORKED_EXAMPLE, options=5)
    assert round(rwg, 3) == 0.930
    shown = uf.agreement(rwg, n=22, k=11)
    assert shown.team_property and shown.band == "very strong agreement"
    assert shown.value == 0.93
    assert shown.text == "A team property: very strong agreement (rwg(J) 0.93)."


def test_disagreement_is_not_a_team_property():
    # answers spread over the whole scale: rwg(J) well below 0.70
    spread = np.array([[1, 5, 2, 4, 3, 5], [5, 1, 4, 2, 3, 1]]).T
    rwg = st.rwg_j(spread, options=5)
    assert rwg < 0.70
    shown = uf.agreement(rwg, n=30, k=11)
    assert not shown.team_property
    assert shown.text.startswith("Not a team property: lack of agreement (rwg(J) 0.")
    assert "rather than compare or rank it" in shown.text


def test_the_value_is_given_only_from_2k_responses():
    small = uf.agreement(1.0, n=21, k=11)  # unanimity in a small group: band only
    assert small.value is None and small.team_property
    assert small.text == "A team property: very strong agreement."
    assert uf.agreement(1.0, n=22, k=11).value == 1.0


@pytest.mark.parametrize(
    "rwg, band, team",
    [
        (0.0, "lack of agreement", False),
        (0.30, "lack of agreement", False),
        (0.31, "weak agreement", False),
        (0.50, "weak agreement", False),
        (0.69, "moderate agreement", False),
        (0.70, "strong agreement", True),  # the cut-off: a team property, so never "moderate"
        (0.90, "strong agreement", True),
        (0.91, "very strong agreement", True),
    ],
)
def test_agreement_bands(rwg, band, team):
    shown = uf.agreement(rwg, n=50, k=11)
    assert (shown.band, shown.team_property) == (band, team)


def test_agreement_that_cannot_be_worked_out():
    for value in (None, float("nan")):
        shown = uf.agreement(value, n=30, k=11)
        assert not shown.team_property and shown.band is None and shown.value is None
        assert shown.text.startswith("Agreement cannot be worked out")


def test_the_trend_spec_keeps_every_wave_on_the_axis_and_only_the_points_given():
    points = [{"wave": "B", "measure": "Teamwork", "score": 6.5, "low": 6.0, "high": 7.0}]
    spec = uf.trend_spec(points, ["A", "B"], ["Teamwork"])
    assert spec["data"]["values"] == [
        {"category": "B", "panel": "Teamwork", "value": 6.5, "low": 6.0, "high": 7.0}
    ]
    assert charts.axis_titles(spec) == {"x": {"Wave"}, "y": {"Score (0 to 10)"}}
    assert spec["facet"]["sort"] == ["Teamwork"]
    for layer in spec["spec"]["layer"]:
        assert layer["encoding"]["x"]["scale"]["domain"] == ["A", "B"]
        assert layer["encoding"]["y"]["scale"]["domain"] == [0, 10]
    assert spec["spec"]["layer"][0]["encoding"]["y2"] == {"field": "high"}
