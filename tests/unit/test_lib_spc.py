"""colead.lib.spc against a published example, against the rules read point by point the
way NHSRplotthedots does, and against exact binomial and Poisson sums written out here.

A one-off cross-check against abspc 1.1.0 (PyPI, an independent Python implementation of
the Making Data Count rules, not a dependency) agreed on every flag of 3,000 random
series once given the same run lengths (7 and 7)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from colead.lib import spc
from colead.lib.errors import Invalid

# NHSRplotthedots' vignette "Deviations from Excel defaults": with outlier screening the
# chart reads UPL 4.6, mean 1.94, LPL -0.72, and the 10 is the one special cause point.
VIGNETTE = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]

# Ten points alternating round 1 fix the limits below: mean 1, mean moving range 2,
# limits 1 ± 5.32 (-4.32 to 6.32), 2 sigma 1 ± 3.5467. Alternating, they raise nothing;
# the last is below the mean, so a run above it starts after them.
BASELINE = [2, 0] * 5


def test_the_published_example_with_outliers_screened():
    chart = spc.xmr(VIGNETTE, better="higher")
    limits = chart.segments[0]
    assert (round(limits.upper, 2), round(limits.mean, 2), round(limits.lower, 2)) == (
        4.6,
        1.94,
        -0.72,
    )
    # The moving ranges 8 and 9 are past 3.267 × (32 / 17): the other fifteen are all 1.
    assert limits.mean_moving_range == 1.0
    assert [point.special_cause for point in chart.points] == [i == 4 for i in range(18)]
    assert chart.points[4].outside and chart.points[4].variation == "improvement_high"
    assert chart.variation == "common_cause"


def test_without_screening_every_moving_range_counts():
    limits = spc.xmr(VIGNETTE, screen_outliers=False).segments[0]
    assert limits.mean_moving_range == pytest.approx(32 / 17)
    assert limits.upper == pytest.approx(35 / 18 + 2.66 * 32 / 17)
    assert limits.near_upper - limits.mean == pytest.approx(2 / 3 * 2.66 * 32 / 17)


def _reference_flags(values: list[float], limits: spc.Limits) -> dict[str, list[bool]]:
    """The four rules read window by window, as NHSRplotthedots writes them."""
    n = len(values)
    side = [(v > limits.mean) - (v < limits.mean) for v in values]
    outside = [v > limits.upper or v < limits.lower for v in values]
    near = [
        not outside[i] and (values[i] > limits.near_upper or values[i] < limits.near_lower)
        for i in range(n)
    ]
    shift, trend, close = [False] * n, [False] * n, [False] * n
    for end in range(6, n):
        window = range(end - 6, end + 1)
        if side[end] != 0 and all(side[i] == side[end] for i in window):
            for i in window:
                shift[i] = True
        rising = all(values[i] < values[i + 1] for i in range(end - 6, end))
        falling = all(values[i] > values[i + 1] for i in range(end - 6, end))
        if rising or falling:
            for i in window:
                trend[i] = True
    for i in range(n):
        for start in range(i - 2, i + 1):
            if start < 0 or start + 3 > n:
                continue
            window = range(start, start + 3)
            if sum(near[j] for j in window) >= 2 and abs(sum(side[j] for j in window)) == 3:
                close[i] = close[i] or near[i]
    return {"outside": outside, "shift": shift, "trend": trend, "two_of_three": close}


series = st.lists(st.integers(min_value=0, max_value=12), min_size=2, max_size=40)


@given(series, st.booleans())
def test_the_rules_match_a_point_by_point_reading(values, screen):
    chart = spc.xmr(values, screen_outliers=screen)
    expected = _reference_flags([float(v) for v in values], chart.segments[0])
    for rule, flags in expected.items():
        assert [getattr(point, rule) for point in chart.points] == flags, rule


@given(series)
def test_limits_lie_symmetric_about_the_mean(values):
    limits = spc.xmr(values).segments[0]
    assert limits.mean == pytest.approx(sum(values) / len(values))
    assert limits.upper - limits.mean == pytest.approx(limits.mean - limits.lower)
    assert limits.upper - limits.mean == pytest.approx(2.66 * limits.mean_moving_range)
    assert limits.near_upper - limits.mean == pytest.approx(limits.mean - limits.near_lower)


@given(st.floats(min_value=-1e6, max_value=1e6), st.integers(min_value=2, max_value=30))
def test_a_constant_series_has_no_special_cause(level, length):
    chart = spc.xmr([level] * length, better="higher")
    assert not any(point.special_cause for point in chart.points)
    assert chart.variation == "common_cause"


@pytest.mark.parametrize("run", [6, 7, 8])
def test_a_shift_is_seven_points_on_one_side(run):
    chart = spc.xmr([*BASELINE, *[1.5] * run, 0.5], baseline=10, better="lower")
    shifted = [point.shift for point in chart.points]
    assert shifted == [False] * 10 + [run >= 7] * run + [False]
    assert not any(point.outside or point.trend for point in chart.points)
    assert chart.points[10].variation == ("concern_high" if run >= 7 else "common_cause")


def test_a_point_on_the_mean_breaks_a_shift():
    chart = spc.xmr([*BASELINE, *[1.5] * 3, 1, *[1.5] * 3], baseline=10)
    assert not any(point.shift for point in chart.points)


@pytest.mark.parametrize("run", [6, 7, 8])
def test_a_trend_is_seven_points_each_higher_than_the_last(run):
    rising = [1 + (i - run // 2) * 0.4 for i in range(run)]
    chart = spc.xmr([*BASELINE, *rising, 0], baseline=10, better="higher")
    assert [point.trend for point in chart.points] == [False] * 10 + [run >= 7] * run + [False]
    assert not any(point.outside or point.shift for point in chart.points)
    # Every point of a rising trend is an improvement, those below the mean too.
    expected = "improvement_high" if run >= 7 else "common_cause"
    assert {point.variation for point in chart.points[10:-1]} == {expected}


def test_a_falling_trend_points_down_and_a_repeat_breaks_it():
    falling = [3.4 - 0.4 * i for i in range(7)]
    chart = spc.xmr([*BASELINE, *falling, 2], baseline=10, better="higher")
    assert {point.variation for point in chart.points[10:17]} == {"concern_low"}
    flat = spc.xmr([*BASELINE, *falling[:4], falling[3], *falling[4:]], baseline=10)
    assert not any(point.trend for point in flat.points)


def test_two_of_three_beyond_two_sigma_on_one_side():
    chart = spc.xmr([*BASELINE, 5, 1.5, 5, 1], baseline=10, better="higher")
    assert [point.two_of_three for point in chart.points[10:]] == [True, False, True, False]
    assert chart.points[10].variation == "improvement_high"
    # Across the mean, or with a point between, the two do not count.
    assert not any(p.two_of_three for p in spc.xmr([*BASELINE, 5, 0.5, 5], baseline=10).points)
    apart = spc.xmr([*BASELINE, 5, 1.5, 1.5, 5], baseline=10).points
    assert not any(p.two_of_three for p in apart)


@pytest.mark.parametrize(
    ("better", "high", "low"),
    [
        ("higher", "improvement_high", "concern_low"),
        ("lower", "concern_high", "improvement_low"),
        (None, "neither_high", "neither_low"),
    ],
)
def test_a_point_outside_the_limits_by_the_better_direction(better, high, low):
    for value, icon in ((7, high), (-5, low)):
        chart = spc.xmr([*BASELINE, value], baseline=10, better=better)
        assert chart.points[-1].outside
        assert chart.variation == icon


@pytest.mark.parametrize(
    ("better", "target", "icon"),
    [
        ("higher", -5, "consistently_passes"),
        ("higher", 7, "consistently_fails"),
        ("higher", 6.32, "hit_and_miss"),
        ("lower", 7, "consistently_passes"),
        ("lower", -5, "consistently_fails"),
        ("lower", 1, "hit_and_miss"),
        (None, 7, None),
        ("higher", None, None),
    ],
)
def test_the_assurance_icon_places_the_target_against_the_limits(better, target, icon):
    assert spc.xmr(BASELINE, better=better, target=target).assurance == icon


def test_a_step_recalculates_the_limits_and_reads_each_segment_alone():
    chart = spc.xmr([*BASELINE, *[20, 22] * 4], steps=[10], better="higher")
    first, second = chart.segments
    assert (first.mean, second.mean) == (1, 21)
    assert first.mean_moving_range == second.mean_moving_range == 2
    assert [point.limits for point in chart.points] == [first] * 10 + [second] * 8
    # Without the step the second half is a shift far above one long mean.
    assert not any(point.special_cause for point in chart.points)
    assert spc.xmr([*BASELINE, *[20, 22] * 4]).points[-1].shift


def test_a_baseline_fixes_the_limits_on_the_first_points():
    chart = spc.xmr([*BASELINE, 100, 100], baseline=10)
    assert chart.segments[0].mean == 1
    assert chart.segments[0].upper == pytest.approx(6.32)
    assert chart.points[-1].outside


@pytest.mark.parametrize(
    ("values", "options", "field"),
    [
        ([1], {}, "values"),
        ([1, math.nan, 2], {}, "values"),
        ([1, 2, 3], {"better": "up"}, "better"),
        ([1, 2, 3], {"baseline": 1}, "baseline"),
        ([1, 2, 3], {"steps": [2]}, "steps"),
        ([1, 2, 3, 4, 5], {"baseline": 3, "steps": [3]}, "steps"),
    ],
)
def test_wrong_chart_input_names_the_argument(values, options, field):
    with pytest.raises(Invalid) as raised:
        spc.xmr(values, **options)
    assert list(raised.value.errors) == [field]


def _interpolated(cdf, probability: float) -> float:
    """Spiegelhalter's interpolated quantile of a count, from its distribution function."""
    count = 0
    while cdf(count) < probability:
        count += 1
    before = cdf(count - 1) if count else 0.0
    return count - (cdf(count) - probability) / (cdf(count) - before)


def _binomial_cdf(size: int, p: float):
    return lambda r: sum(math.comb(size, k) * p**k * (1 - p) ** (size - k) for k in range(r + 1))


def _poisson_cdf(mean: float):
    return lambda r: sum(
        math.exp(k * math.log(mean) - mean - math.lgamma(k + 1)) for k in range(r + 1)
    )


@given(
    st.integers(min_value=1, max_value=60),
    st.floats(min_value=0.01, max_value=0.99),
)
def test_proportion_limits_are_the_exact_binomial_quantiles(size, target):
    unit = spc.proportion_funnel([("Ward", 0, size)], target=target).units[0]
    for band in unit.limits:
        cdf = _binomial_cdf(size, target)
        lower = max(_interpolated(cdf, (1 - band.level) / 2), 0) / size
        assert band.lower == pytest.approx(lower, abs=1e-9)
        upper = max(_interpolated(cdf, (1 + band.level) / 2), 0) / size
        assert band.upper == pytest.approx(upper, abs=1e-9)
    narrow, wide = unit.limits
    assert wide.lower <= narrow.lower <= narrow.upper <= wide.upper


@given(
    st.floats(min_value=0.5, max_value=400),
    st.floats(min_value=0.005, max_value=0.5),
)
def test_rate_limits_are_the_exact_poisson_quantiles(staff_months, target):
    unit = spc.rate_funnel([("Ward", 0, staff_months)], target=target * 100, per=100).units[0]
    for band in unit.limits:
        cdf = _poisson_cdf(staff_months * target)
        upper = max(_interpolated(cdf, (1 + band.level) / 2), 0) / staff_months * 100
        assert band.upper == pytest.approx(upper, abs=1e-9)


@pytest.mark.parametrize("proportion", [True, False])
def test_a_large_unit_meets_the_normal_approximation(proportion):
    size, target = 20_000, 0.2
    if proportion:
        bands = spc.proportion_funnel([("Trust", 0, size)], target=target).units[0].limits
    else:
        bands = spc.rate_funnel([("Trust", 0, size)], target=target).units[0].limits
    variance = target * (1 - target) if proportion else target
    for band, z in zip(bands, (1.959964, 3.090232), strict=True):
        half_width = z * math.sqrt(variance / size)
        assert band.upper == pytest.approx(target + half_width, abs=1 / size)
        assert band.lower == pytest.approx(target - half_width, abs=1 / size)


def test_units_beyond_their_limits_are_marked_in_the_order_given():
    funnel = spc.rate_funnel([("Small", 3, 40), ("Busy", 30, 100), ("Quiet", 2, 500)], per=100)
    assert funnel.target == pytest.approx(35 / 640 * 100)
    assert [unit.label for unit in funnel.units] == ["Small", "Busy", "Quiet"]
    assert [unit.value for unit in funnel.units] == pytest.approx([7.5, 30, 0.4])
    assert [unit.beyond for unit in funnel.units] == [
        (None, None),
        ("above", "above"),
        ("below", "below"),
    ]
    assert (funnel.kind, funnel.per) == ("rate", 100)


def test_a_proportion_funnel_pools_the_units_for_its_target():
    funnel = spc.proportion_funnel([("A", 5, 100), ("B", 30, 100), ("C", 20, 200)])
    assert funnel.target == pytest.approx(55 / 400)
    assert [unit.beyond[0] for unit in funnel.units] == ["below", "above", None]
    assert (funnel.kind, funnel.per) == ("proportion", 1.0)


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: spc.proportion_funnel([]), "units"),
        (lambda: spc.proportion_funnel([("A", -1, 10)]), "units"),
        (lambda: spc.proportion_funnel([("A", 1, 0)]), "units"),
        (lambda: spc.proportion_funnel([("A", 1.5, 10)]), "units"),
        (lambda: spc.proportion_funnel([("A", 11, 10)]), "units"),
        (lambda: spc.proportion_funnel([("A", 1, 10.5)]), "units"),
        (lambda: spc.proportion_funnel([("A", 1, 10)], target=1.2), "target"),
        (lambda: spc.rate_funnel([("A", 1, 10)], target=-1), "target"),
        (lambda: spc.rate_funnel([("A", 1, 10)], per=0), "per"),
    ],
)
def test_wrong_funnel_input_names_the_argument(build, field):
    with pytest.raises(Invalid) as raised:
        build()
    assert list(raised.value.errors) == [field]
