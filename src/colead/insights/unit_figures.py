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


def unique_labels(titles: Sequence[str], extras: Sequence[str]) -> list[str]:
    """Wave titles for a chart axis, each made unique by adding its extra (the closing date)
    where two waves share a title."""
    seen: dict[str, int] = {}
    for title in titles:
        seen[title] = seen.get(title, 0) + 1
    labels = []
    for title, extra in zip(titles, extras, strict=True):
        label = f"{title} ({extra})" if seen[title] > 1 and extra else title
        while label in labels:
            label += "*"
        labels.append(label)
    return labels


def trend_spec(points: Sequence[Mapping], waves: Sequence[str], measures: Sequence[str]) -> dict:
    """A Vega-Lite spec: one small chart per measure (``measures``, titles in order), the
    score on 0–10 in each wave (``waves``, labels in order, so a wave with no visible figure
    is a gap on the axis) with its 95% interval as a vertical bar.

    ``points`` are the visible figures only: ``{"wave", "measure", "score", "low",
    "high"}``. Nothing hidden may be passed in: the chart shows what it is given."""
    x = {
        "field": "wave",
        "type": "ordinal",
        "title": None,
        "scale": {"domain": list(waves)},
        "axis": {"labelAngle": -30 if len(waves) > 2 else 0, "labelLimit": 110},
    }
    y_title = "Score (0 to 10)"
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "background": "white",
        "config": {
            "font": "Arial, Liberation Sans, Helvetica, sans-serif",
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "labelColor": "#212b32"},
            "header": {"labelFontSize": 13, "labelColor": "#212b32", "labelLimit": 220},
            "view": {"stroke": "#d8dde0"},
        },
        "data": {"values": [dict(p) for p in points]},
        "facet": {
            "field": "measure",
            "type": "nominal",
            "title": None,
            "sort": list(measures),
        },
        "columns": 3,
        "spec": {
            "width": 190,
            "height": 130,
            "layer": [
                {
                    "mark": {"type": "rule", "color": "#425563", "strokeWidth": 2},
                    "encoding": {
                        "x": x,
                        "y": {
                            "field": "low",
                            "type": "quantitative",
                            "scale": {"domain": [0, 10]},
                            "title": y_title,
                        },
                        "y2": {"field": "high"},
                    },
                },
                {
                    "mark": {
                        "type": "line",
                        "color": "#005eb8",
                        "point": {"filled": True, "color": "#005eb8", "size": 50},
                    },
                    "encoding": {
                        "x": x,
                        "y": {
                            "field": "score",
                            "type": "quantitative",
                            "scale": {"domain": [0, 10]},
                            "title": y_title,
                        },
                    },
                },
            ],
        },
    }
