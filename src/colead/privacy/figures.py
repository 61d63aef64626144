"""The figures published beside a percent positive that R6 shows only as a band.

Below ``2k`` responses a percent positive is shown as a band (``disclosure.banded_percent``)
so that, at the extremes, "everyone" cannot be told from "all but one". The mean score and
its interval sit beside it on the unit page, the heatmap, the exports and the API, and they
can give the count back: on a yes/no question the mean is ten times the share saying yes; on
a five-point question a mean of 9.8 from eleven people leaves room for no negative answer;
a 95% interval fixes the spread, and an interval of zero width says that everyone gave the
same answer.

So below ``2k`` (``publishable_mean``):

* the interval of the mean is not published at all (it fixes the spread);
* the mean is published as a band of the 0–10 scale ("7–8") whose width is chosen so that,
  for **every** band the group could be shown, the positive counts that fit both the
  percent band and the mean band are all those that fit the percent band alone (or none):
  the mean band never narrows what the percent band leaves open. The width depends only on
  what is published anyway (the group's size, the answer scale and the percent band), never
  on the mean itself, so the choice of width says nothing either;
* where no width does that, and always for yes/no questions and shares (whose mean *is*
  the percentage, so a band of it would only repeat the percent band), the mean is left
  out.

The model is exact for a single question: ``N`` answers on a scale of ``p`` points
(0–10 in steps of ``10/(p-1)``), of which the steps in ``positive`` count as positive. With
``c`` positive answers the sum of the steps can be any whole number from
``c·min(positive) + (N−c)·min(negative)`` to ``c·max(positive) + (N−c)·max(negative)``
when both sets are runs of consecutive steps (a sum of values from a run of consecutive
whole numbers takes every whole value in between). A dimension (a person's score is the
mean of their answers to its questions on one scale) is modelled as ``N = n·J`` answers,
``J`` its questions, which is exact when everyone answered every question and close
otherwise. Scales whose positive or negative steps are not runs, and dimensions over
questions on different scales, get no mean below ``2k``.

Plain computation: no Django.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from colead.lib import memory
from colead.privacy.disclosure import percent_band

# Widths of a mean band on the 0–10 scale, finest first. Each divides 10, so the bands are
# [0, w), [w, 2w), ... [10 − w, 10].
MEAN_BAND_WIDTHS = (0.5, 1.0, 2.0, 2.5, 5.0)
NOT_SHOWN = "Not shown"


@dataclass(frozen=True)
class AnswerScale:
    """The answers a measure's mean is made of: ``points`` options scored 0–10 in equal
    steps (2 for yes/no), ``positive`` the steps (0 the lowest score .. points − 1) that
    count as positive, and ``answers_per_person`` the questions behind one person's score
    (1 for a question, the number of its questions for a dimension)."""

    points: int
    positive: frozenset[int]
    answers_per_person: int = 1

    def __post_init__(self):
        if self.points < 2:
            raise ValueError(f"An answer scale needs at least 2 points, not {self.points}.")
        if self.answers_per_person < 1:
            raise ValueError("answers_per_person must be at least 1.")
        if not self.positive <= set(range(self.points)):
            raise ValueError(
                f"Positive steps {sorted(self.positive)} are not steps 0 to {self.points - 1}."
            )


@dataclass(frozen=True)
class MeanFigures:
    """What may be published of a group's mean score: the mean itself (``score``, from 2k
    responses), or a band of the 0–10 scale (``score_band``, e.g. "7–8"), or neither; and
    the 95% interval only with an exact mean."""

    score: float | None
    score_band: str | None
    ci_low: float | None
    ci_high: float | None
    band: tuple[float, float] | None = None  # the score band's ends, for sorting and colour


def band_text(low: float, high: float) -> str:
    return f"{low:g}–{high:g}"


def _run(steps: frozenset[int]) -> tuple[int, int] | None:
    """(lowest, highest) of a run of consecutive steps; None when there are gaps."""
    if not steps:
        return None
    low, high = min(steps), max(steps)
    return (low, high) if high - low + 1 == len(steps) else None


def counts_in_band(pct_band: str | None, n: int, answers: int) -> frozenset[int]:
    """Positive counts out of ``answers`` whose percentage ``percent_band`` (for a group of
    ``n``) shows as ``pct_band``: every count when there is no band or it says "Not shown"."""
    everything = frozenset(range(answers + 1))
    if pct_band is None or pct_band == NOT_SHOWN:
        return everything
    return frozenset(c for c in everything if percent_band(100 * c / answers, n) == pct_band)


def _sum_range(count: int, answers: int, positive, negative) -> tuple[int, int] | None:
    """Lowest and highest sum of steps of ``answers`` answers with ``count`` positive ones
    (None when the scale cannot give that many positive or negative answers)."""
    rest = answers - count
    if (count and positive is None) or (rest and negative is None):
        return None
    low = (count * positive[0] if count else 0) + (rest * negative[0] if rest else 0)
    high = (count * positive[1] if count else 0) + (rest * negative[1] if rest else 0)
    return low, high


def _band_sums(low: float, high: float, top: bool, answers: int, points: int) -> tuple[int, int]:
    """Sums of steps whose mean (sum · 10 / ((points − 1) · answers)) lies in [low, high),
    or [low, high] for the top band. Bands are whole multiples of 0.5, so work in halves."""
    scale = (points - 1) * answers
    low2, high2 = round(2 * low), round(2 * high)
    first = math.ceil(low2 * scale / 20)
    last = (high2 * scale) // 20 if top else math.ceil(high2 * scale / 20) - 1
    return first, last


@memory.cached(maxsize=4096)
def mean_band_width(n: int, pct_band: str | None, scale: AnswerScale) -> float | None:
    """The finest width in ``MEAN_BAND_WIDTHS`` at which no mean band narrows the positive
    counts that ``pct_band`` leaves open, for a group of ``n`` on ``scale``; None when none
    does (then the mean is not published). Depends only on published facts."""
    if scale.points == 2:  # yes/no: the mean is ten times the share saying yes
        return None
    answers = n * scale.answers_per_person
    positive = _run(scale.positive)
    negative = _run(frozenset(range(scale.points)) - scale.positive)
    if (scale.positive and positive is None) or (
        len(scale.positive) < scale.points and negative is None
    ):
        return None
    open_counts = counts_in_band(pct_band, n, answers)
    ranges = {c: _sum_range(c, answers, positive, negative) for c in open_counts}
    for width in MEAN_BAND_WIDTHS:
        bands = round(10 / width)
        safe = True
        for i in range(bands):
            first, last = _band_sums(
                i * width, (i + 1) * width, i == bands - 1, answers, scale.points
            )
            fit = {
                c
                for c, span in ranges.items()
                if span is not None and max(first, span[0]) <= min(last, span[1])
            }
            if fit and fit != {c for c, span in ranges.items() if span is not None}:
                safe = False
                break
        if safe:
            return width
    return None


def mean_band(mean: float, width: float) -> tuple[float, float]:
    """The band of ``width`` on the 0–10 scale that holds ``mean`` (10 in the top band)."""
    index = min(max(int(math.floor(mean / width + 1e-9)), 0), round(10 / width) - 1)
    return index * width, (index + 1) * width


def publishable_mean(
    mean: float | None,
    ci_low: float | None,
    ci_high: float | None,
    *,
    n: int,
    k: int,
    pct_band: str | None,
    scale: AnswerScale | None,
) -> MeanFigures:
    """What may be published of a visible group's mean score and its 95% interval, beside
    its percent positive (``pct_band``: the band R6 shows, None when exact). From ``2k``
    responses everything; below, no interval and the mean only as a band that hides as much
    as the percent band (``mean_band_width``); ``scale`` None (not one scale) gives no mean
    below ``2k``."""
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return MeanFigures(None, None, None, None)
    if n >= 2 * k:
        return MeanFigures(mean, None, ci_low, ci_high)
    width = None if scale is None else mean_band_width(n, pct_band, scale)
    if width is None:
        return MeanFigures(None, None, None, None)
    low, high = mean_band(mean, width)
    return MeanFigures(None, band_text(low, high), None, None, (low, high))
