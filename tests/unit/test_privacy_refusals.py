"""colead.privacy refuses inputs that are not counts of people, and says why; and the edges
of its rules (no positive answers, gaps in a scale, unrecorded bands) give the safe answer."""

import math

import numpy as np
import pytest

from colead.privacy.disclosure import Hierarchy
from colead.privacy.figures import (
    NOT_SHOWN,
    AnswerScale,
    MeanFigures,
    counts_in_band,
    mean_band_width,
    publishable_mean,
)
from colead.privacy.periods import PERIOD, protect_periods
from colead.privacy.raters import LINE_MANAGER, SELF, rater_blocks
from colead.privacy.representation import relative_likelihood
from colead.privacy.roster import age_band_code


@pytest.mark.parametrize(
    ("scale", "message"),
    [
        (dict(points=1, positive=frozenset()), "at least 2 points, not 1"),
        (dict(points=5, positive=frozenset({4}), answers_per_person=0), "answers_per_person"),
        (dict(points=5, positive=frozenset({5})), r"Positive steps \[5\] are not steps 0 to 4"),
    ],
)
def test_an_answer_scale_that_cannot_be_is_refused(scale, message):
    with pytest.raises(ValueError, match=message):
        AnswerScale(**scale)


def test_a_mean_is_banded_when_no_answer_counts_as_positive():
    # every percent positive is 0, so no band of the mean can narrow it: the finest band
    assert mean_band_width(4, None, AnswerScale(5, frozenset())) == 0.5


def test_no_mean_band_when_the_positive_steps_have_a_gap():
    assert mean_band_width(4, None, AnswerScale(5, frozenset({0, 4}))) is None


def test_no_mean_band_beside_an_exact_percent_positive_of_a_small_group():
    scale = AnswerScale(5, frozenset({3, 4}))
    assert mean_band_width(5, None, scale) is None
    assert publishable_mean(6.2, 5.0, 7.0, n=5, k=5, pct_band=None, scale=scale) == MeanFigures(
        None, None, None, None
    )


@pytest.mark.parametrize("band", [None, NOT_SHOWN])
def test_an_unbanded_or_hidden_percent_leaves_every_count_open(band):
    assert counts_in_band(band, 5, 3) == frozenset({0, 1, 2, 3})


@pytest.mark.parametrize("mean", [None, math.nan])
def test_no_mean_publishes_nothing(mean):
    figures = publishable_mean(mean, 1.0, 2.0, n=40, k=5, pct_band=None, scale=None)
    assert figures == MeanFigures(None, None, None, None)


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        (dict(appointed_a=-1, total_a=20, appointed_b=5, total_b=20), "appointed_a: -1"),
        (dict(appointed_a=5, total_a=20.5, appointed_b=5, total_b=20), "total_a: 20.5"),
        (dict(appointed_a=25, total_a=20, appointed_b=5, total_b=20), "more people counted"),
    ],
)
def test_a_likelihood_of_counts_that_are_not_people_is_refused(counts, message):
    with pytest.raises(ValueError, match=message):
        relative_likelihood(**counts, k=11)


@pytest.mark.parametrize("n", [-1, 2.5])
def test_a_rater_group_count_that_is_not_a_count_is_refused(n):
    with pytest.raises(ValueError, match="'peers'.* is not a count of responses"):
        rater_blocks({SELF: 1, "peers": n})


def test_a_report_without_a_self_rating_shows_the_line_manager_and_the_others():
    report = rater_blocks({LINE_MANAGER: 1, "peers": 4, "direct_reports": 3})
    assert [block.label for block in report.blocks] == [
        "Line manager",
        "Peers",
        "Direct reports",
    ]
    assert report.block_of(SELF) is None
    assert report.block_of("peers").n == 4
    means = report.means({LINE_MANAGER: 4.0, "peers": 30.0, "direct_reports": 21.0})
    assert means == {"Line manager": 4.0, "Peers": 7.5, "Direct reports": 7.0}


def test_a_rater_block_with_no_responses_has_no_mean():
    report = rater_blocks({SELF: 0, LINE_MANAGER: 0, "peers": 5})
    assert report.means({"peers": 40.0})["Self"] is None


def test_period_counts_may_be_given_by_unit_id():
    tree = Hierarchy.build(["ORG", "A", "B"], [None, "ORG", "ORG"])
    by_id = protect_periods(tree, {"A": [12, 3], "B": [20, 14], "ORG": [32, 17]}, ["1", "2"], 11)
    by_row = protect_periods(tree, np.array([[32, 17], [12, 3], [20, 14]]), ["1", "2"], 11)
    for unit in ("ORG", "A", "B"):
        for period in ("1", "2"):
            assert by_id.category_status(unit, PERIOD, period) == by_row.category_status(
                unit, PERIOD, period
            )
    assert by_id.category_status("A", PERIOD, "2").hidden


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", None),
        ("not recorded", None),
        ("66", None),  # a single age, not a band
        ("66+", "age_66_plus"),
        ("70-75", "age_66_plus"),
        ("21-25", "age_16_30"),
        ("25-35", None),  # straddles two of the survey's bands
    ],
)
def test_recorded_age_bands_map_to_the_surveys_bands_or_to_nothing(text, code):
    assert age_band_code(text) == code
