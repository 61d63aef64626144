"""The drivers and reliability figures (colead.insights.analysis): Fisher intervals, the
minimum for drivers, the plain-English reading, the chart, and alpha, ICC and rwg(J) checked
against the worked examples of measures.md §8."""

import math

import numpy as np
import pytest

from colead.insights import analysis, engine, scoring
from colead.insights import statistics as st
from colead.insights.scoring import ScoredDimension, ScoredItem, ScoringScheme
from colead.lib import charts
from colead.surveys.definitions import builtin_instruments


def item(code, dimension, points=5):
    return ScoredItem(code, "test", "scale", points, False, (4, 5), (dimension,))


# "agree": three 5-point items (alpha and rwg(J) examples); "one": a single item (ICC)
SCHEME = ScoringScheme(
    (item("a1", "agree"), item("a2", "agree"), item("a3", "agree"), item("o1", "one")),
    (
        ScoredDimension("agree", "Agreement", "test", ("a1", "a2", "a3"), 1),
        ScoredDimension("one", "One question", "test", ("o1",), 1),
    ),
)


def scored_wave(rows, units):
    """A ScoredWave of option numbers (0 for no answer), columns a1, a2, a3, o1."""
    codes = scoring.empty_codes(len(rows), len(SCHEME.items))
    codes[:] = np.asarray(rows, dtype=np.uint8)
    return engine.ScoredWave(SCHEME, codes, np.asarray(units))


def test_fisher_interval():
    # z = atanh(0.5) = 0.5493; se = 1/√100 = 0.1
    low, high = analysis.fisher_interval(0.5, 103)
    assert low == pytest.approx(math.tanh(0.549306 - 0.195996), abs=1e-5)
    assert high == pytest.approx(math.tanh(0.549306 + 0.195996), abs=1e-5)
    assert low == pytest.approx(0.3393, abs=1e-4) and high == pytest.approx(0.6323, abs=1e-4)
    assert all(math.isnan(v) for v in analysis.fisher_interval(0.5, 3))
    assert analysis.fisher_interval(-1.0, 50) == (-1.0, -1.0)


def test_the_minimum_is_the_threshold_or_ten_per_predictor():
    assert analysis.drivers_minimum(11, 6) == 60
    assert analysis.drivers_minimum(80, 6) == 80
    assert analysis.rounded_count(3306) == 3300 and analysis.rounded_count(69) == 60


def test_strength_words():
    assert [analysis.strength(r) for r in (0.05, -0.2, 0.3, 0.49, 0.5, -0.8)] == [
        "negligible",
        "weak",
        "moderate",
        "moderate",
        "strong",
        "strong",
    ]


def figures(*rows):
    return tuple(analysis.DriverFigure(c, t, r, r - 0.05, r + 0.05, b) for c, t, r, b in rows)


def test_the_reading_names_the_strongest_driver_and_the_heaviest_weight():
    unit = analysis.UnitDrivers(
        1,
        "ORG",
        "Trust",
        0,
        True,
        responses_at_least=300,
        r_squared=0.48,
        drivers=figures(
            ("sc", "Support and compassion", 0.62, 0.31),
            ("gp", "Goals and performance", 0.55, 0.12),
        ),
    )
    text = analysis.reading(unit, "Staff engagement")
    assert text.startswith(
        "Support and compassion is the strongest driver of staff engagement here: of the 2 "
        "elements, it goes with staff engagement most closely (correlation 0.62, strong)."
    )
    assert "It also carries the most weight when all 2 are taken together (regression " in text
    assert "account for 48% of the differences in staff engagement" in text

    other = analysis.UnitDrivers(
        1,
        "ORG",
        "Trust",
        0,
        True,
        r_squared=0.3,
        drivers=figures(("sc", "Support and compassion", 0.62, 0.1), ("tw", "Teamwork", 0.6, 0.4)),
    )
    assert "Taken together, teamwork carries the most weight (regression weight 0.40)" in (
        analysis.reading(other, "Staff engagement")
    )
    hidden = analysis.UnitDrivers(2, "DIV", "Division", 1, False, reason="Too few responses")
    assert analysis.reading(hidden, "Staff engagement") == "Too few responses"


def test_the_chart_lists_the_elements_strongest_first_with_both_figures():
    unit = analysis.UnitDrivers(
        1,
        "ORG",
        "Trust",
        0,
        True,
        r_squared=0.3,
        drivers=figures(("sc", "Support", 0.62, 0.3), ("tw", "Teamwork", 0.4, -0.12)),
    )
    spec = analysis.drivers_chart_spec(unit, "Staff engagement")
    bars, interval = spec["layer"]
    assert bars["encoding"]["y"]["sort"] == ["Support", "Teamwork"]
    values = spec["data"]["values"]
    assert {(v["element"], v["figure"], v["value"]) for v in values} == {
        ("Support", "Correlation", 0.62),
        ("Support", "Regression weight", 0.3),
        ("Teamwork", "Correlation", 0.4),
        ("Teamwork", "Regression weight", -0.12),
    }
    assert bars["encoding"]["x"]["scale"]["domain"] == [-0.2, 1.0]  # room for the negative
    assert interval["encoding"]["x"]["field"] == "low"
    x_titles, y_titles = charts.axis_titles(spec).values()
    assert x_titles == {"Correlation and regression weight with staff engagement"}
    assert y_titles == {"Element of the culture"}
    drawn = set(charts.text_labels(charts.svg(spec)))
    assert {"Support", "Teamwork", "Element of the culture", "Correlation"} <= drawn
    hidden = analysis.UnitDrivers(2, "DIV", "Division", 1, False, reason="Too few")
    assert analysis.drivers_chart_spec(hidden, "Staff engagement") is None


def test_alpha_matches_the_worked_example():
    # measures.md §8.1: [[4,4,5],[3,3,4],[5,5,5],[2,3,2],[4,5,4]] → alpha 0.918
    rows = [[4, 4, 5, 3], [3, 3, 4, 3], [5, 5, 5, 3], [2, 3, 2, 3], [4, 5, 4, 3]]
    scored = scored_wave(rows, [1] * 5)
    alphas = analysis.dimension_alphas(scored, threshold=5)
    assert alphas["agree"].alpha == pytest.approx(0.918, abs=5e-4)
    assert alphas["agree"].respondents == 5 and alphas["agree"].label == "excellent"
    assert alphas["one"].alpha is None and "One question" in alphas["one"].reason
    too_few = analysis.dimension_alphas(scored, threshold=6)["agree"]
    assert too_few.alpha is None and too_few.respondents is None
    assert too_few.reason == "Fewer than 6 people answered every question"


def test_alpha_labels():
    assert [analysis.alpha_label(a) for a in (0.97, 0.92, 0.85, 0.72, 0.6)] == [
        "very high: items may repeat each other",
        "excellent",
        "good",
        "acceptable",
        "below 0.70: treat with caution",
    ]


def test_icc_matches_the_worked_example_and_leaves_out_small_teams():
    # measures.md §8.3: A = [4,5,4,5], B = [3,3,4,2], C = [5,4,5,5] → ICC(1) 0.655, ICC(2) 0.884
    answers = {10: [4, 5, 4, 5], 20: [3, 3, 4, 2], 30: [5, 4, 5, 5], 40: [1, 5, 3]}
    rows, units = [], []
    for unit, values in answers.items():
        for value in values:
            rows.append([3, 3, 3, value])
            units.append(unit)
    scored = scored_wave(rows, units)
    one = next(r for r in analysis.team_reliability(scored, threshold=4) if r.dimension == "one")
    assert one.teams == 3 and one.respondents == 12  # team 40 (3 people) left out
    assert one.icc1 == pytest.approx(0.655, abs=5e-4)
    assert one.icc2 == pytest.approx(0.884, abs=5e-4)
    assert one.icc1_label == "large differences between teams"
    assert one.icc2_label == "team means are reliable"
    assert one.f_test.startswith("F = 8.60, p = 0.00")
    alone = next(r for r in analysis.team_reliability(scored, threshold=5) if r.dimension == "one")
    assert alone.teams == 0 and alone.icc1 is None and alone.icc2 is None


def one_question_reliability(answers: dict[int, list[int]], threshold: int = 2):
    rows, units = [], []
    for unit, values in answers.items():
        for value in values:
            rows.append([3, 3, 3, value])
            units.append(unit)
    scored = scored_wave(rows, units)
    return next(r for r in analysis.team_reliability(scored, threshold) if r.dimension == "one")


def test_teams_that_differ_perfectly_clearly_differ():
    row = one_question_reliability({1: [1, 1], 2: [3, 3], 3: [5, 5]})
    assert row.icc1 == 1.0 and row.icc2 == 1.0 and row.p == 0.0
    assert row.icc1_label == "large differences between teams"
    assert row.f_test == "F = ∞, p < 0.001"
    assert row.icc1_text == "1.000 (large differences between teams)"


def test_exactly_equal_team_means_show_icc2_as_zero_with_a_note():
    row = one_question_reliability({1: [2, 4], 2: [2, 4], 3: [4, 2]})
    assert row.computed and row.icc2 == -math.inf and row.negative
    assert row.icc2_text == "0 (team means are not reliable; computed −∞, shown as 0)"
    assert row.icc1_text.startswith("0 (teams do not clearly differ; computed −1.000")
    assert row.f_test == "F = 0.00, p = 1.000"


def test_a_negative_icc2_is_shown_as_zero_with_its_computed_value():
    row = one_question_reliability({1: [1, 5, 3], 2: [2, 4, 3], 3: [1, 5, 2]}, threshold=3)
    direct = st.icc_oneway([1, 5, 3, 2, 4, 3, 1, 5, 2], [1, 1, 1, 2, 2, 2, 3, 3, 3])
    assert row.icc2 == pytest.approx(direct.icc2) and direct.icc2 < 0
    assert row.icc2_text == (
        f"0 (team means are not reliable; computed {direct.icc2:.2f}, shown as 0)".replace("-", "−")
    )


def test_everyone_answering_alike_is_not_called_too_few_teams():
    row = one_question_reliability({1: [4, 4], 2: [4, 4], 3: [4, 4]})
    assert row.teams == 3 and not row.computed
    assert row.reason == "Everyone gave the same score: no differences to share out"
    few = one_question_reliability({1: [4, 4], 2: [4]})
    assert few.teams == 1 and few.reason == "Fewer than 2 teams with at least 2 scores"


def test_agreement_is_counted_per_band_for_teams_of_at_least_the_threshold():
    # measures.md §8.2: items [4,4,5,3,4], [4,5,5,4,4], [3,4,4,3,4] → rwg(J) 0.930
    items = np.array([[4, 4, 5, 3, 4], [4, 5, 5, 4, 4], [3, 4, 4, 3, 4]]).T
    rows = [[*member, 3] for member in items.tolist()]
    units = [1] * 5
    # a team of five answering all over the scale, and a team of two (below the threshold)
    rows += [[1, 5, 1, 3], [5, 1, 5, 3], [1, 5, 1, 3], [5, 1, 5, 3], [3, 3, 3, 3]]
    units += [2] * 5
    rows += [[4, 4, 4, 3], [4, 4, 4, 3]]
    units += [3] * 2
    scored = scored_wave(rows, units)
    assert st.rwg_j(items, 5) == pytest.approx(0.930, abs=5e-4)
    spread = st.rwg_j(np.array(rows[5:10])[:, :3], 5)
    assert spread < 0.3
    agree = next(r for r in analysis.team_agreement(scored, threshold=5) if r.dimension == "agree")
    assert agree.assessed == 2 and agree.too_few == 1
    assert agree.bands == (1, 0, 0, 0, 1)  # one lacking agreement, one very strong
    assert agree.agreeing == 1 and agree.agreeing_share == 0.5


def test_wave_drivers_follow_the_direct_regression_and_the_minimum():
    scheme = scoring.scoring_scheme([i for i in builtin_instruments() if i.code != "demographics"])
    rng = np.random.default_rng(3)
    rows = 400
    lean = rng.normal(0, 1, rows)  # each person's general mood, so answers go together
    codes = scoring.empty_codes(rows, len(scheme.items))
    for j, scored_item in enumerate(scheme.items):
        centre = (scored_item.points + 1) / 2 + lean * scored_item.points / 5
        values = np.clip(np.rint(rng.normal(centre, 1.0)), 1, scored_item.points)
        codes[:, j] = values.astype(np.uint8)
    # organisation 1 > divisions 2 (330 people) and 3 (70 people, under the minimum of 80)
    tree = engine.UnitTree([1, 2, 3], [None, 1, 1])
    units = np.where(np.arange(rows) < 330, 2, 3)
    scored = engine.ScoredWave(scheme, codes, units)

    class Ref:
        def __init__(self, id, code, depth):
            self.id, self.code, self.name, self.depth = id, code, code.title(), depth

    refs = [Ref(1, "ORG", 0), Ref(2, "DIVA", 1), Ref(3, "DIVB", 1)]
    data = analysis.wave_drivers(scored, tree, refs, threshold=80)
    assert data.minimum == 80 and data.missing is None
    assert [u.shown for u in data.units] == [True, True, False]
    assert data.unit("DIVB").reason.startswith("Too few responses: drivers need at least 80")
    assert data.unit("DIVB").drivers == () and data.unit("DIVB").responses_at_least is None

    culture = [d.code for d in scheme.dimensions if d.instrument == "culture-pulse"]
    dims = scored.dimension_scores
    members = units == 2
    expected = st.key_drivers(
        dims[members][:, [scheme.dimension_index[c] for c in culture]],
        dims[members, scheme.dimension_index["engagement"]],
    )
    division = data.unit("DIVA")
    by_code = {d.code: d for d in division.drivers}
    for i, code in enumerate(culture):
        assert by_code[code].correlation == pytest.approx(expected.correlation[i])
        assert by_code[code].beta == pytest.approx(expected.beta[i])
        low, high = analysis.fisher_interval(expected.correlation[i], expected.n)
        assert (by_code[code].ci_low, by_code[code].ci_high) == pytest.approx((low, high))
    correlations = [d.correlation for d in division.drivers]
    assert correlations == sorted(correlations, reverse=True)
    assert division.responses_at_least == expected.n // 10 * 10
    assert division.r_squared == pytest.approx(expected.r_squared)


def test_a_wave_without_the_culture_pulse_has_no_drivers():
    scheme = scoring.scoring_scheme(
        [i for i in builtin_instruments() if i.code == "staff-engagement"]
    )
    codes = scoring.empty_codes(3, len(scheme.items))
    scored = engine.ScoredWave(scheme, codes, np.array([1, 1, 1]))
    data = analysis.wave_drivers(scored, engine.UnitTree([1], [None]), [], threshold=5)
    assert data.units == () and "did not ask the culture pulse" in data.missing


def test_results_are_cached_per_owner_and_dropped_with_it():
    class Owner:
        pass

    owner, calls = Owner(), []
    build = lambda: calls.append(1) or len(calls)  # noqa: E731
    assert analysis.cached(owner, "x", build) == 1
    assert analysis.cached(owner, "x", build) == 1
    assert analysis.cached(owner, "y", build) == 2
    assert len(analysis._CACHE) >= 1
    del owner
    assert all(type(key).__name__ != "Owner" for key in list(analysis._CACHE.keys()))


def test_drivers_stop_at_division_level():
    class Unit:
        def __init__(self, depth):
            self.depth = depth

    assert analysis.sees_drivers([None])
    assert analysis.sees_drivers([Unit(3), Unit(1)])
    assert not analysis.sees_drivers([Unit(2), Unit(3)])
    assert not analysis.sees_drivers([])
