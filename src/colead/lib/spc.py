"""Statistical process control: XmR charts read by the NHS "Making Data Count" rules, and
funnel plots that compare units of different sizes without ranking them.

XmR chart (``xmr``)
    ``xmr(values, better="higher" | "lower" | None, target=None, baseline=None,
    steps=(), screen_outliers=True)`` returns an ``XmrChart``: one ``Point`` per value
    (its segment's ``Limits`` and the rules it is part of), the ``variation`` icon and the
    ``assurance`` icon.

    Limits: the mean of the values, the mean moving range (mean of |x[i] - x[i-1]|), and
    process limits mean ± 2.66 × mean moving range (3 sigma); "near" limits at two thirds of
    that distance (2 sigma). As Making Data Count's own tools do, a moving range of 3.267 ×
    the mean moving range or more is left out and the mean moving range worked out again
    (``screen_outliers``), so one wild month does not widen the limits.
    ``baseline=n`` fixes each segment's limits on its first n points; ``steps`` are the
    indexes where the process changed and the limits are worked out afresh (a recalculation
    at a step); each segment needs two points to have a moving range.

    Special cause rules, as the NHS-R community's NHSRplotthedots (the Making Data Count
    programme's open implementation) applies them, each within a segment:

    - ``outside``: a point above the upper or below the lower process limit;
    - ``shift``: a run of ``SHIFT_RUN`` (7) or more consecutive points on the same side of
      the mean (a point on the mean breaks the run);
    - ``trend``: a run of ``TREND_RUN`` (7) or more consecutive points each higher than the
      one before (or each lower): six rises in a row (an equal value breaks the run);
    - ``two_of_three``: two or three of three consecutive points beyond 2 sigma, inside the
      limits, all three on the same side of the mean; the points beyond 2 sigma are marked.

    Every point of a run is marked, not only the one that completes it.

    A point of special cause is an improvement or a concern by ``better``: above the mean
    is improvement when higher is better (for a point flagged only as part of a trend, the
    trend's direction counts instead). With no better direction it is "neither", high or
    low. The chart's ``variation`` icon is its latest point's: ``"common_cause"``,
    ``"improvement_high"``, ``"improvement_low"``, ``"concern_high"``, ``"concern_low"``,
    ``"neither_high"`` or ``"neither_low"``. The ``assurance`` icon compares a target with
    the latest segment's limits: ``"consistently_passes"`` when the whole band of ordinary
    variation is on the good side of it, ``"consistently_fails"`` when on the bad side,
    ``"hit_and_miss"`` when the target lies within the limits, ``None`` without a target or
    a better direction.

Funnel plots (``proportion_funnel``, ``rate_funnel``)
    Each unit is a ``(label, count, size)``: reports and staff, yes answers and responses.
    Its value is count ÷ size (a proportion) or count ÷ size × ``per`` (a rate, e.g. reports
    per 100 staff). The target is the pooled value unless given. Limits at 95 % and 99.8 %
    for each unit's size are exact: the binomial (proportions) or Poisson (rates) quantile
    of the count at the target, interpolated between whole counts as in Spiegelhalter,
    "Funnel plots for comparing institutional performance", Statistics in Medicine 24
    (2005) 1185-1202, appendix A.1.1. That interpolation spreads each whole count over the
    unit interval below it, so a limit for a unit expecting well under one event can sit
    below the target, and a limit below 0 is shown as 0. A unit ``above`` or ``below`` its limits is marked at
    each level; the result keeps the units in the order given: there is no league table.

Wrong input raises ``colead.lib.errors.Invalid`` naming the argument.
"""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from scipy import stats

from colead.lib.errors import Invalid

Better = Literal["higher", "lower"] | None

LIMIT_FACTOR = 2.66  # 3 / d2, d2 = 1.128 for moving ranges of two points
MOVING_RANGE_SCREEN = 3.267  # D4: the upper limit of the moving range chart
SHIFT_RUN = 7
TREND_RUN = 7
FUNNEL_LEVELS = (0.95, 0.998)


@dataclass(frozen=True)
class Limits:
    """One segment's centre line and limits."""

    mean: float
    mean_moving_range: float
    lower: float
    upper: float
    near_lower: float  # 2 sigma
    near_upper: float


@dataclass(frozen=True)
class Point:
    """One value, the limits of its segment and the special cause rules it is part of."""

    value: float
    limits: Limits
    outside: bool = False
    shift: bool = False
    trend: bool = False
    two_of_three: bool = False
    variation: str = "common_cause"

    @property
    def special_cause(self) -> bool:
        return self.outside or self.shift or self.trend or self.two_of_three


@dataclass(frozen=True)
class XmrChart:
    points: tuple[Point, ...]
    segments: tuple[Limits, ...]
    variation: str
    assurance: str | None


def xmr(
    values: Sequence[float],
    *,
    better: Better = None,
    target: float | None = None,
    baseline: int | None = None,
    steps: Sequence[int] = (),
    screen_outliers: bool = True,
) -> XmrChart:
    """An XmR chart of ``values`` in time order, read by the rules in the module's text."""
    values = [float(value) for value in values]
    if len(values) < 2 or not all(math.isfinite(value) for value in values):
        raise Invalid({"values": "An XmR chart needs at least 2 values, all numbers."})
    bounds = _segment_bounds(len(values), steps, baseline, better)
    points: list[Point] = []
    segments: list[Limits] = []
    for start, end in bounds:
        segment = values[start:end]
        fixed = segment[:baseline] if baseline is not None else segment
        limits = _limits(fixed, screen_outliers=screen_outliers)
        segments.append(limits)
        points.extend(_read_segment(segment, limits, better))
    return XmrChart(
        points=tuple(points),
        segments=tuple(segments),
        variation=points[-1].variation,
        assurance=_assurance(segments[-1], target, better),
    )


def _segment_bounds(
    count: int, steps: Sequence[int], baseline: int | None, better: Better
) -> list[tuple[int, int]]:
    if better not in ("higher", "lower", None):
        raise Invalid({"better": 'Say "higher" or "lower" is better, or None for neither.'})
    if baseline is not None and baseline < 2:
        raise Invalid({"baseline": "A baseline needs at least 2 points for a moving range."})
    starts = [0, *sorted(set(steps))]
    ends = [*starts[1:], count]
    shortest = baseline or 2
    if any(end - start < shortest for start, end in zip(starts, ends, strict=True)):
        raise Invalid(
            {
                "steps": f"Each segment needs at least {shortest} values (the baseline, or 2 "
                f"for a moving range); {count} values split at {list(steps)} leave one short."
            }
        )
    return list(zip(starts, ends, strict=True))


def _limits(values: list[float], *, screen_outliers: bool) -> Limits:
    # statistics.mean sums exactly: the mean of equal values is that value, on the dot.
    mean = statistics.mean(values)
    ranges = np.abs(np.diff(values))
    mean_range = float(ranges.mean())
    if screen_outliers and mean_range > 0:
        mean_range = float(ranges[ranges < MOVING_RANGE_SCREEN * mean_range].mean())
    spread = LIMIT_FACTOR * mean_range
    near = spread * 2 / 3
    return Limits(
        mean=mean,
        mean_moving_range=mean_range,
        lower=mean - spread,
        upper=mean + spread,
        near_lower=mean - near,
        near_upper=mean + near,
    )


def _read_segment(values: list[float], limits: Limits, better: Better) -> list[Point]:
    sides = [int(np.sign(value - limits.mean)) for value in values]
    outside = [value > limits.upper or value < limits.lower for value in values]
    near = [
        not out and (value > limits.near_upper or value < limits.near_lower)
        for value, out in zip(values, outside, strict=True)
    ]
    shift = _runs(sides, SHIFT_RUN)
    close = _two_of_three(near, sides)
    # rises[i] compares value i with value i + 1; a trend of n points is n - 1 rises.
    rises = _runs(
        [int(np.sign(b - a)) for a, b in zip(values, values[1:], strict=False)], TREND_RUN - 1
    )
    rise_in, rise_out = [0, *rises], [*rises, 0]
    points = []
    for index, value in enumerate(values):
        point = Point(
            value=value,
            limits=limits,
            outside=outside[index],
            shift=bool(shift[index]),
            trend=bool(rise_in[index] or rise_out[index]),
            two_of_three=close[index],
        )
        # A point of a trend alone points the trend's way, whichever side of the mean it is.
        level_rule = point.outside or point.shift or point.two_of_three
        direction = sides[index] if level_rule else rise_in[index] or rise_out[index]
        points.append(_classified(point, direction, better))
    return points


def _runs(signs: list[int], length: int) -> list[int]:
    """Each entry's sign where it belongs to a run of ``length`` or more equal non-zero
    signs, else 0."""
    marked = [0] * len(signs)
    start = 0
    for index in range(1, len(signs) + 1):
        if index == len(signs) or signs[index] != signs[start]:
            if signs[start] != 0 and index - start >= length:
                marked[start:index] = [signs[start]] * (index - start)
            start = index
    return marked


def _two_of_three(near: list[bool], sides: list[int]) -> list[bool]:
    marked = [False] * len(near)
    for start in range(len(near) - 2):
        window = range(start, start + 3)
        same_side = abs(sum(sides[index] for index in window)) == 3
        if same_side and sum(near[index] for index in window) >= 2:
            for index in window:
                marked[index] = marked[index] or near[index]
    return marked


def _classified(point: Point, direction: int, better: Better) -> Point:
    if not point.special_cause:
        return point
    high = direction > 0
    if better is None:
        kind = "neither"
    elif high == (better == "higher"):
        kind = "improvement"
    else:
        kind = "concern"
    return replace(point, variation=f"{kind}_{'high' if high else 'low'}")


def _assurance(limits: Limits, target: float | None, better: Better) -> str | None:
    if target is None or better is None:
        return None
    if limits.lower <= target <= limits.upper:
        return "hit_and_miss"
    target_above = target > limits.upper
    return "consistently_fails" if target_above == (better == "higher") else "consistently_passes"


@dataclass(frozen=True)
class FunnelLimits:
    """The band expected from chance alone at one confidence level, for one unit's size."""

    level: float
    lower: float
    upper: float


@dataclass(frozen=True)
class FunnelUnit:
    label: str
    count: int
    size: float
    value: float
    limits: tuple[FunnelLimits, ...]  # one per level in FUNNEL_LEVELS
    beyond: tuple[str | None, ...]  # "above", "below" or None, per level


@dataclass(frozen=True)
class Funnel:
    target: float
    units: tuple[FunnelUnit, ...]
    kind: Literal["proportion", "rate"]
    per: float


def proportion_funnel(
    units: Sequence[tuple[str, int, int]], *, target: float | None = None
) -> Funnel:
    """Funnel limits for proportions (count of size, e.g. staff answering yes): binomial."""
    _check_units(units, proportion=True)
    target = _target(units, target, proportion=True)
    return Funnel(
        target=target,
        units=tuple(_funnel_unit(unit, target, proportion=True, per=1.0) for unit in units),
        kind="proportion",
        per=1.0,
    )


def rate_funnel(
    units: Sequence[tuple[str, int, float]],
    *,
    per: float = 1.0,
    target: float | None = None,
) -> Funnel:
    """Funnel limits for rates (events over an exposure such as staff months), shown per
    ``per`` of the exposure: Poisson. ``target`` is per ``per`` too."""
    if per <= 0:
        raise Invalid({"per": "Show rates per a positive amount (e.g. 100 staff)."})
    _check_units(units, proportion=False)
    base = _target(units, None if target is None else target / per, proportion=False)
    return Funnel(
        target=base * per,
        units=tuple(_funnel_unit(unit, base, proportion=False, per=per) for unit in units),
        kind="rate",
        per=per,
    )


def _check_units(units: Sequence[tuple[str, int, float]], *, proportion: bool) -> None:
    if not units:
        raise Invalid({"units": "A funnel plot needs at least one unit."})
    for label, count, size in units:
        if size <= 0 or count < 0 or count != int(count):
            raise Invalid(
                {"units": f"{label}: the count must be a whole number ≥ 0 and the size > 0."}
            )
        if proportion and (count > size or size != int(size)):
            raise Invalid({"units": f"{label}: a proportion's size is a whole number ≥ its count."})


def _target(units, target: float | None, *, proportion: bool) -> float:
    if target is None:
        target = sum(count for _, count, _ in units) / sum(size for _, _, size in units)
    if target < 0 or (proportion and target > 1):
        raise Invalid({"target": "A target proportion lies between 0 and 1 (a rate ≥ 0)."})
    return target


def _funnel_unit(unit, target: float, *, proportion: bool, per: float) -> FunnelUnit:
    label, count, size = unit
    value = count / size
    limits = tuple(
        FunnelLimits(
            level=level,
            lower=_exact_limit((1 - level) / 2, size, target, proportion) * per,
            upper=_exact_limit((1 + level) / 2, size, target, proportion) * per,
        )
        for level in FUNNEL_LEVELS
    )
    beyond = tuple(
        "above" if value * per > band.upper else "below" if value * per < band.lower else None
        for band in limits
    )
    return FunnelUnit(
        label=label, count=count, size=size, value=value * per, limits=limits, beyond=beyond
    )


def _exact_limit(probability: float, size: float, target: float, proportion: bool) -> float:
    """Spiegelhalter's interpolated quantile of the count, divided by the size: the smallest
    whole count r with P(X ≤ r) ≥ p, moved down by the share of that last step not needed
    to reach p."""
    law = stats.binom(int(size), target) if proportion else stats.poisson(size * target)
    count = float(law.ppf(probability))
    reached = float(law.cdf(count))
    before = float(law.cdf(count - 1))
    # P(X <= count - 1) < p <= P(X <= count), so the step is never empty.
    overshoot = (reached - probability) / (reached - before)
    return max(count - overshoot, 0.0) / size
