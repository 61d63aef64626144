"""Figures of the unit results page that need no Django: team agreement in words, wave
labels and the trend chart's Vega-Lite spec.

The page itself (``colead.insights.unit_results``) takes every figure from the results
service (``results.published_figures``, the same record as the exports and the API); this
module only shapes what it shows, so it can be tested directly.

Team agreement: a unit's psychological safety is presented as a property
of the team only where rwg(J) ≥ 0.70. The value is given in words (LeBreton and Senter's
bands); the number itself only where the group has at least 2*k* responses, since an
agreement of 1.0 from a small group says that everyone gave the same answers (R6's concern,
applied to agreement).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from colead.insights import statistics as st
from colead.lib import charts

# Upper bounds of the agreement bands (LeBreton and Senter 2008).
# "Strong" starts at the 0.70 cut-off itself, so that every value shown as a team property
# is described as at least strong agreement.
AGREEMENT_BANDS = (
    (0.30, "lack of agreement"),
    (0.50, "weak agreement"),
    (st.RWG_THRESHOLD, "moderate agreement"),
    (0.90, "strong agreement"),
    (1.0, "very strong agreement"),
)


@dataclass(frozen=True)
class Agreement:
    """Within-team agreement on a dimension, as it may be shown."""

    team_property: bool  # rwg(J) ≥ the threshold: the score is a property of the team
    band: str | None  # "strong agreement"; None when it cannot be worked out
    value: float | None  # rwg(J), only for groups of at least 2k
    text: str  # one sentence for the page


def agreement_band(rwg_j: float) -> str:
    for upper, words in AGREEMENT_BANDS[:-1]:
        below = rwg_j < upper if upper == st.RWG_THRESHOLD else rwg_j <= upper
        if below:
            return words
    return AGREEMENT_BANDS[-1][1]


def agreement(
    rwg_j: float | None, *, n: int, k: int, threshold: float = st.RWG_THRESHOLD
) -> Agreement:
    """How far the ``n`` people of a (visible) group agree, and whether their mean may be
    read as a team property. Call it only for a group whose score is shown."""
    if rwg_j is None or not np.isfinite(rwg_j):
        return Agreement(
            False,
            None,
            None,
            "Agreement cannot be worked out (too few answers to each question).",
        )
    band = agreement_band(float(rwg_j))
    value = round(float(rwg_j), 2) if n >= 2 * k else None
    shown = f" (rwg(J) {value:.2f})" if value is not None else ""
    if rwg_j >= threshold:
        text = f"A team property: {band}{shown}."
    else:
        text = (
            f"Not a team property: {band}{shown}. The score averages differing views; "
            "discuss it with the team rather than compare or rank it."
        )
    return Agreement(bool(rwg_j >= threshold), band, value, text)


def trend_spec(points: Sequence[Mapping], waves: Sequence[str], measures: Sequence[str]) -> dict:
    """A Vega-Lite spec (``colead.lib.charts.interval_trend_spec``): one small chart per
    measure (``measures``, titles in order), the score on 0–10 in each wave (``waves``, short
    labels in order, so a wave with no visible figure is a gap on the axis) with its 95%
    interval as a vertical bar.

    ``points`` are the visible figures only: ``{"wave", "measure", "score", "low",
    "high"}``. Nothing hidden may be passed in: the chart shows what it is given."""
    return charts.interval_trend_spec(
        [
            {
                "category": p["wave"],
                "panel": p["measure"],
                "value": p["score"],
                "low": p["low"],
                "high": p["high"],
            }
            for p in points
        ],
        categories=waves,
        panels=measures,
        x_title="Wave",
        y_title="Score (0 to 10)",
        domain=(0, 10),
    )
