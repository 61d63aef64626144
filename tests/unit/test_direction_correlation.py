"""colead.direction.correlation (against numpy and scipy directly) and the coverage
dashboard's chart specs and trend thinning (colead.direction.charts)."""

from datetime import date, timedelta

import numpy as np
import pytest
from scipy import stats

from colead.direction import charts
from colead.direction.correlation import MIN_UNITS, correlate, strength
from colead.lib import charts as lib_charts

COVERAGE = [0.1, 0.25, 0.4, 0.5, 0.55, 0.7, 0.9, 1.0]
SCORES = [4.1, 5.0, 4.6, 5.8, 5.2, 6.4, 6.1, 7.0]


def test_pearson_and_spearman_match_numpy_and_scipy():
    result = correlate(COVERAGE, SCORES)
    assert result.n == len(COVERAGE)
    assert result.computed
    assert result.pearson == pytest.approx(np.corrcoef(COVERAGE, SCORES)[0, 1])
    assert result.pearson_p == pytest.approx(stats.pearsonr(COVERAGE, SCORES).pvalue)
    spearman = stats.spearmanr(COVERAGE, SCORES)
    assert result.spearman == pytest.approx(spearman.statistic)
    assert result.spearman_p == pytest.approx(spearman.pvalue)
    # Spearman's rho is Pearson's r of the ranks.
    ranks = (stats.rankdata(COVERAGE), stats.rankdata(SCORES))
    assert result.spearman == pytest.approx(np.corrcoef(*ranks)[0, 1])


def test_a_negative_association_and_ties():
    xs = [0.0, 0.0, 0.5, 0.5, 1.0]
    ys = [8.0, 7.5, 6.0, 6.0, 3.0]
    result = correlate(xs, ys)
    assert result.pearson == pytest.approx(stats.pearsonr(xs, ys).statistic)
    assert result.spearman == pytest.approx(stats.spearmanr(xs, ys).statistic)
    assert result.pearson < -0.9


@pytest.mark.parametrize(
    "xs, ys",
    [
        ([], []),
        ([0.5], [6.0]),
        ([0.2, 0.8], [4.0, 7.0]),  # two points are always perfectly correlated
        ([0.5, 0.5, 0.5, 0.5], [4.0, 5.0, 6.0, 7.0]),  # no spread in coverage
        ([0.1, 0.4, 0.9], [6.0, 6.0, 6.0]),  # no spread in score
    ],
)
def test_no_coefficient_without_enough_units_or_spread(xs, ys):
    result = correlate(xs, ys)
    assert result.n == len(xs)
    assert not result.computed
    assert (result.pearson, result.pearson_p, result.spearman, result.spearman_p) == (None,) * 4


def test_three_units_are_enough():
    assert MIN_UNITS == 3
    assert correlate([0.1, 0.5, 0.9], [4.0, 6.5, 6.0]).computed


def test_paired_values_must_match():
    with pytest.raises(ValueError, match="differ in length: 3 and 2"):
        correlate([0.1, 0.2, 0.3], [1.0, 2.0])


@pytest.mark.parametrize(
    "r, words",
    [
        (None, "not computed"),
        (0.05, "no clear"),
        (-0.08, "no clear"),
        (0.2, "a weak positive"),
        (-0.4, "a moderate negative"),
        (0.75, "a strong positive"),
        (-1.0, "a strong negative"),
    ],
)
def test_strength_in_words(r, words):
    assert strength(r) == words


# -- charts ------------------------------------------------------------------------------------


def points(days: list[int], start=date(2026, 1, 1)) -> list[dict]:
    return [
        {"taken_on": start + timedelta(days=d), "team_coverage": 0.5, "staff_coverage": 0.25}
        for d in days
    ]


def test_no_trend_with_fewer_than_two_points():
    assert charts.trend_spec([], title="t") is None
    assert charts.trend_spec(points([0]), title="t") is None


def test_the_trend_spec_has_both_shares_as_percentages():
    spec = charts.trend_spec(points([0, 7]), title="Coverage over time")
    assert spec["title"]["text"] == "Coverage over time"
    assert lib_charts.data_values(spec) == [
        {"day": "2026-01-01", "series": "Teams", "value": 50.0},
        {"day": "2026-01-01", "series": "Staff", "value": 25.0},
        {"day": "2026-01-08", "series": "Teams", "value": 50.0},
        {"day": "2026-01-08", "series": "Staff", "value": 25.0},
    ]
    line = spec["layer"][0]["encoding"]
    assert line["y"]["scale"]["domain"] == [0, 100]
    assert lib_charts.axis_titles(spec) == {"x": {"Date of the snapshot"}, "y": {"Coverage (%)"}}
    # The two lines differ by dash as well as colour.
    dashes = line["strokeDash"]["scale"]["range"]
    assert dashes[0] != dashes[1]


def test_a_short_trend_is_tabled_whole_and_a_long_one_by_month():
    short = points(list(range(0, 36)))
    assert charts.table_points(short) == (short, False)
    long = points(list(range(0, 90, 2)))  # 45 points over January to March
    shown, thinned = charts.table_points(long)
    assert thinned
    assert [p["taken_on"] for p in shown] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 30),
    ]


def test_the_scatter_spec_labels_every_point():
    assert charts.scatter_spec([], title="t", level_label="directorate") is None
    units = [{"name": "Cardiology", "coverage": 0.5, "score": 6.25}]
    assert not charts.label_points(units)
    spec = charts.scatter_spec(units, title="Coverage and goals", level_label="directorate")
    assert lib_charts.data_values(spec) == [
        {"label": "Cardiology", "x": 50.0, "y": 6.25, "side": "right"}
    ]
    assert lib_charts.axis_titles(spec) == {
        "x": {"Teams covered in the directorate (%)"},
        "y": {"Goals and performance score (0 to 10)"},
    }
    text = spec["layer"][1]
    assert text["mark"]["type"] == "text" and text["encoding"]["text"] == {"field": "label"}
    assert text["transform"] == [{"filter": {"field": "side", "equal": "right"}}]
    assert "Cardiology" in lib_charts.text_labels(lib_charts.svg(spec))


def test_a_crowded_scatter_numbers_its_points_in_table_order():
    units = [{"name": f"Unit {i}", "coverage": i / 20, "score": 5.0} for i in range(20)]
    assert charts.label_points(units)
    assert [u["label"] for u in units] == [str(n) for n in range(1, 21)]


def test_scatter_labels_move_aside_rather_than_overlap():
    units = [
        {"name": "Cardiology", "coverage": 0.50, "score": 6.2},
        {"name": "Women and children", "coverage": 0.55, "score": 6.3},
        {"name": "Estates", "coverage": 0.52, "score": 6.0},
    ]
    charts.label_points(units)
    spec = charts.scatter_spec(units, title="t", level_label="directorate")
    sides = [row["side"] for row in lib_charts.data_values(spec)]
    # All on the right, "Cardiology" would run into the point of "Women and children".
    assert sides[0] != "right" and len(set(sides)) > 1
    drawn = lib_charts.text_labels(lib_charts.svg(spec))
    assert {"Cardiology", "Women and children", "Estates"} <= set(drawn)


def test_the_progress_spec_has_axes_and_the_baseline_and_target():
    assert (
        charts.progress_spec([(date(2026, 1, 5), 3.0)], baseline=1, target=9, measure="m") is None
    )
    check_ins = [(date(2026, 1, 5), 3.0), (date(2026, 2, 5), 4.5)]
    spec = charts.progress_spec(check_ins, baseline=2.0, target=8.0, measure="Incidents")
    assert lib_charts.data_values(spec) == [
        {"day": "2026-01-05", "series": "Check-ins", "value": 3.0},
        {"day": "2026-02-05", "series": "Check-ins", "value": 4.5},
        {"series": "Target", "value": 8.0},
        {"series": "Baseline", "value": 2.0},
    ]
    assert lib_charts.axis_titles(spec) == {"x": {"Date of the check-in"}, "y": {"Incidents"}}
    drawn = lib_charts.text_labels(lib_charts.svg(spec))
    assert {"Date of the check-in", "Incidents", "Target", "Baseline"} <= set(drawn)
    no_target = charts.progress_spec(check_ins, baseline=None, target=None, measure="")
    assert lib_charts.axis_titles(no_target)["y"] == {"Value of the measure"}
    assert len(no_target["layer"]) == 1
