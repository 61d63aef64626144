"""Key drivers and reliability of a closed wave, shaped for the drivers and reliability pages.

Pure computation: no Django (``tests/unit/test_insights_analysis.py`` checks). The views
(``analysis_views``) load a wave's ``ScoredWave`` and units through ``insights.results`` and
pass them here; the figures are cached per ``WaveCore`` (``cached``), so a page costs its
queries and no computation after the first visit.

**Key drivers**: for the organisation and each division, the
Pearson correlation of each culture-pulse element with staff engagement across respondents,
with a 95% interval (Fisher's z: ``tanh(atanh(r) ± 1.96/√(n − 3))``), and its standardised
weight in a regression of engagement on all the elements together
(``engine.key_drivers``, complete cases only). A unit is shown only with at least
``drivers_minimum(threshold, predictors)`` complete cases: the wave's reporting threshold,
and never fewer than ten per predictor (60 for the six elements), because a regression on
fewer gives weights that change with every few answers. Figures are correlations and
weights, not sums, so they cannot be subtracted from each other to reveal a smaller group;
the number of responses used is shown rounded down to a multiple of ten all the same, so
that subtracting one unit's count from another's cannot count a small group either.

**Reliability**: Cronbach's alpha per dimension across the organisation's respondents who
answered every item of it (shown with at least *k* of them); ICC(1) and ICC(2) by one-way
ANOVA of respondents' dimension scores across *teams*, the reporting units with at least
*k* scores on the dimension (a team below the threshold never enters a figure); and, per
dimension, how many of those teams reach each band of within-team agreement rwg(J), never a
team's own figure.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from colead.insights import engine as eng
from colead.insights import statistics as st
from colead.lib import charts

DRIVER_INSTRUMENT = "culture-pulse"
OUTCOME = "engagement"
RESPONSES_PER_PREDICTOR = 10  # a common rule of thumb for a stable regression
COUNT_ROUNDING = 10  # responses used are shown rounded down to a multiple of this

ALPHA_ACCEPTABLE = 0.70
ALPHA_GOOD = 0.80
ALPHA_EXCELLENT = 0.90  # George & Mallery's bands
ALPHA_REDUNDANT = 0.95
ICC2_RELIABLE = 0.70
ICC2_CAUTION = 0.50
# Within-team agreement bands (LeBreton & Senter 2008), lower bounds.
RWG_BANDS = (
    (0.0, "Lack of agreement (below 0.30)"),
    (0.30, "Weak (0.30 to 0.50)"),
    (0.50, "Moderate (0.50 to 0.70)"),
    (st.RWG_THRESHOLD, "Strong (0.70 to 0.90)"),
    (0.90, "Very strong (0.90 or more)"),
)


# -- caching per wave ----------------------------------------------------------------------

_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.RLock()


def cached(owner, key, build: Callable):
    """``build()`` once per ``owner`` (a ``results.WaveCore``: cached per wave, scores and
    units) and ``key``; dropped with the owner."""
    with _CACHE_LOCK:
        store = _CACHE.setdefault(owner, {})
        if key not in store:
            store[key] = build()
        return store[key]


# -- key drivers ---------------------------------------------------------------------------


def sees_drivers(scopes) -> bool:
    """Whether a viewer with these results scopes (units with a ``depth``; ``None``: the whole
    organisation) sees any unit on the drivers page: drivers stop at division level."""
    return None in scopes or any(
        unit.depth <= 1 for unit in scopes if not getattr(unit, "exact", False)
    )  # a member of staff's own units (``results.OwnUnit``) open no drivers


def drivers_minimum(threshold: int, predictors: int) -> int:
    """Complete cases a unit needs before its drivers are shown."""
    return max(int(threshold), RESPONSES_PER_PREDICTOR * int(predictors))


def fisher_interval(r: float, n: int, z: float = st.Z_95) -> tuple[float, float]:
    """95% interval of a Pearson correlation by Fisher's z transformation; NaN for n ≤ 3."""
    if n <= 3 or not math.isfinite(r):
        return (math.nan, math.nan)
    if abs(r) >= 1:
        return (r, r)
    centre, half = math.atanh(r), z / math.sqrt(n - 3)
    return (math.tanh(centre - half), math.tanh(centre + half))


def strength(r: float) -> str:
    """Words for the size of a correlation (Cohen's conventions)."""
    size = abs(r)
    if size >= 0.5:
        return "strong"
    if size >= 0.3:
        return "moderate"
    if size >= 0.1:
        return "weak"
    return "negligible"


def rounded_count(n: int) -> int:
    return int(n) // COUNT_ROUNDING * COUNT_ROUNDING


@dataclass(frozen=True)
class DriverFigure:
    code: str
    title: str
    correlation: float
    ci_low: float
    ci_high: float
    beta: float

    @property
    def strength(self) -> str:
        return strength(self.correlation)


@dataclass(frozen=True)
class UnitDrivers:
    """One unit's drivers. When ``shown`` is False only ``reason`` is set: no count, no
    figure."""

    unit_id: int
    code: str
    name: str
    depth: int
    shown: bool
    reason: str | None = None
    responses_at_least: int | None = None  # complete cases, rounded down to a multiple of 10
    r_squared: float | None = None
    drivers: tuple[DriverFigure, ...] = ()  # strongest correlation first

    @property
    def top(self) -> DriverFigure | None:
        return self.drivers[0] if self.drivers else None

    @property
    def heaviest(self) -> DriverFigure | None:
        return max(self.drivers, key=lambda d: d.beta) if self.drivers else None


@dataclass(frozen=True)
class WaveDrivers:
    outcome: str
    outcome_title: str
    driver_titles: tuple[tuple[str, str], ...]  # (code, title) in the survey's order
    minimum: int
    units: tuple[UnitDrivers, ...]
    missing: str | None = None  # why the wave has no drivers at all

    def unit(self, code: str) -> UnitDrivers | None:
        return next((u for u in self.units if u.code == code), None)


def wave_drivers(scored: eng.ScoredWave, tree: eng.UnitTree, units: Sequence, threshold: int):
    """Drivers of engagement for ``units`` (objects with ``id``, ``code``, ``name`` and
    ``depth``, at depth 0 or 1 of ``tree``), in the order given."""
    scheme = scored.scheme
    drivers = [d for d in scheme.dimensions if d.instrument == DRIVER_INSTRUMENT]
    outcome = scheme.dimension(OUTCOME) if OUTCOME in scheme.dimension_index else None
    minimum = drivers_minimum(threshold, max(len(drivers), 1))
    titles = tuple((d.code, d.title) for d in drivers)
    if not drivers or outcome is None:
        asked = "the culture pulse" if not drivers else "staff engagement"
        return WaveDrivers(
            outcome=OUTCOME,
            outcome_title=outcome.title if outcome else "Staff engagement",
            driver_titles=titles,
            minimum=minimum,
            units=(),
            missing=f"This wave did not ask {asked}, so drivers of engagement cannot be "
            "worked out for it. They need both the culture pulse and the staff engagement "
            "questions.",
        )
    frame = eng.key_drivers(
        scored,
        tree,
        outcome=OUTCOME,
        drivers=[d.code for d in drivers],
        depths=(0, 1),
        min_n=minimum,
    )
    by_unit: dict[int, list[dict]] = {}
    for row in frame.iter_rows(named=True):
        by_unit.setdefault(row["unit"], []).append(row)
    title_of = dict(titles)
    out = []
    for unit in units:
        rows = by_unit.get(unit.id)
        if not rows or any(r["correlation"] is None or r["beta"] is None for r in rows):
            reason = (
                f"Too few responses: drivers need at least {minimum} people who answered "
                "every question they use."
                if not rows
                else "The answers here vary too little to work out drivers."
            )
            out.append(UnitDrivers(unit.id, unit.code, unit.name, unit.depth, False, reason=reason))
            continue
        n = rows[0]["n"]
        figures = []
        for row in rows:
            low, high = fisher_interval(row["correlation"], n)
            figures.append(
                DriverFigure(
                    code=row["driver"],
                    title=title_of[row["driver"]],
                    correlation=row["correlation"],
                    ci_low=low,
                    ci_high=high,
                    beta=row["beta"],
                )
            )
        figures.sort(key=lambda d: (-d.correlation, d.code))
        out.append(
            UnitDrivers(
                unit.id,
                unit.code,
                unit.name,
                unit.depth,
                True,
                responses_at_least=rounded_count(n),
                r_squared=rows[0]["r_squared"],
                drivers=tuple(figures),
            )
        )
    return WaveDrivers(
        outcome=OUTCOME,
        outcome_title=outcome.title,
        driver_titles=titles,
        minimum=minimum,
        units=tuple(out),
    )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def reading(unit: UnitDrivers, outcome_title: str) -> str:
    """The drivers of one unit in plain English."""
    if not unit.shown or not unit.drivers:
        return unit.reason or ""
    top, heaviest = unit.top, unit.heaviest
    outcome = _lower_first(outcome_title)
    count = len(unit.drivers)
    if top.correlation <= 0:
        return (
            f"None of the {count} elements goes with {outcome} here: every correlation is "
            "zero or negative."
        )
    parts = [
        f"{top.title} is the strongest driver of {outcome} here: of the {count} elements, it "
        f"goes with {outcome} most closely (correlation {top.correlation:.2f}, "
        f"{top.strength})."
    ]
    if heaviest is top:
        parts.append(
            f"It also carries the most weight when all {count} are taken together "
            f"(regression weight {top.beta:.2f})."
        )
    else:
        parts.append(
            f"Taken together, {_lower_first(heaviest.title)} carries the most weight "
            f"(regression weight {heaviest.beta:.2f}): it adds the most to what the others "
            "already explain."
        )
    if unit.r_squared is not None:
        parts.append(
            f"Together the {count} elements account for {100 * unit.r_squared:.0f}% of the "
            f"differences in {outcome} between people."
        )
    return " ".join(parts)


CHART_COLOURS = {"Correlation": charts.BLUE, "Regression weight": "#4c6272"}


def drivers_chart_spec(unit: UnitDrivers, outcome_title: str) -> dict | None:
    """A Vega-Lite spec: per element, its correlation with the outcome (with its 95%
    interval) and its regression weight, as grouped horizontal bars, strongest first."""
    if not unit.shown or not unit.drivers:
        return None
    values = []
    for order, driver in enumerate(unit.drivers):
        values.append(
            {
                "element": driver.title,
                "order": order,
                "figure": "Correlation",
                "value": round(driver.correlation, 3),
                "low": round(driver.ci_low, 3),
                "high": round(driver.ci_high, 3),
            }
        )
        values.append(
            {
                "element": driver.title,
                "order": order,
                "figure": "Regression weight",
                "value": round(driver.beta, 3),
            }
        )
    smallest = min(0.0, *(v["value"] for v in values), *(v["low"] for v in values if "low" in v))
    domain = [math.floor(smallest * 10) / 10, 1.0]
    y = {
        "field": "element",
        "type": "nominal",
        "sort": [driver.title for driver in unit.drivers],
        "title": "Element of the culture",
        "axis": {"labelLimit": 220},
    }
    offset = {"field": "figure", "sort": list(CHART_COLOURS)}
    x = {
        "field": "value",
        "type": "quantitative",
        "title": f"Correlation and regression weight with {_lower_first(outcome_title)}",
        "scale": {"domain": domain},
    }
    colour = {
        "field": "figure",
        "type": "nominal",
        "title": None,
        "scale": {"domain": list(CHART_COLOURS), "range": list(CHART_COLOURS.values())},
        "legend": {"orient": "bottom"},
    }
    return {
        **charts.frame(f"Drivers of {_lower_first(outcome_title)}"),
        "width": 420,
        "height": {"step": 36},
        "data": {"values": values},
        "layer": [
            {
                "mark": {"type": "bar"},
                "encoding": {"y": y, "yOffset": offset, "x": x, "color": colour},
            },
            {
                # the 95% interval of each correlation, across its bar
                "transform": [{"filter": "datum.figure === 'Correlation'"}],
                "mark": {"type": "rule", "color": "#212b32", "strokeWidth": 2},
                "encoding": {
                    "y": y,
                    "yOffset": offset,
                    "x": {"field": "low", "type": "quantitative"},
                    "x2": {"field": "high"},
                },
            },
        ],
    }


# -- reliability ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AlphaFigure:
    alpha: float | None  # None when not shown
    respondents: int | None  # who answered every item (shown with the alpha)
    reason: str | None = None

    @property
    def label(self) -> str:
        return alpha_label(self.alpha) if self.alpha is not None else ""


def alpha_label(alpha: float) -> str:
    if alpha > ALPHA_REDUNDANT:
        return "very high: items may repeat each other"
    if alpha >= ALPHA_EXCELLENT:
        return "excellent"
    if alpha >= ALPHA_GOOD:
        return "good"
    if alpha >= ALPHA_ACCEPTABLE:
        return "acceptable"
    return "below 0.70: treat with caution"


def _item_block(scored: eng.ScoredWave, dimension: str) -> np.ndarray:
    scheme = scored.scheme
    items = scheme.dimension_items(dimension)
    return np.column_stack([scheme.scores[j][scored.codes[:, j]] for j in items])


def dimension_alphas(scored: eng.ScoredWave, threshold: int) -> dict[str, AlphaFigure]:
    """Cronbach's alpha of each dimension of a wave (listwise, items' 0–10 scores), shown
    when at least ``threshold`` respondents answered every item."""
    out = {}
    for dim in scored.scheme.dimensions:
        block = _item_block(scored, dim.code)
        if block.shape[1] < 2:
            out[dim.code] = AlphaFigure(None, None, "One question: alpha does not apply")
            continue
        complete = int((~np.isnan(block).any(axis=1)).sum())
        if complete < threshold:
            out[dim.code] = AlphaFigure(
                None, None, f"Fewer than {threshold} people answered every question"
            )
            continue
        alpha = st.cronbach_alpha(block)
        if not math.isfinite(alpha):
            out[dim.code] = AlphaFigure(None, None, "The answers do not vary enough")
            continue
        out[dim.code] = AlphaFigure(alpha, complete)
    return out


@dataclass(frozen=True)
class TeamReliability:
    """ICC(1) and ICC(2) of one dimension across teams, as computed (``icc1``, ``icc2``,
    ``f``, ``p``; None when not computed, and then ``reason`` says why).

    ICC(2) is −∞ when every team has exactly the same mean. A negative ICC is shown as 0
    with a note (``icc1_text``, ``icc2_text``), as analysts report it: below 0 the teams
    differ no more than chance would make them, which is to say not at all."""

    dimension: str
    title: str
    teams: int
    respondents: int
    icc1: float | None
    icc2: float | None
    f: float | None
    p: float | None
    reason: str | None = None
    # ICC(1) with the mean team size instead of k0 (R's multilevel::ICC1), for comparison
    icc1_mean_size: float | None = None

    @property
    def computed(self) -> bool:
        return self.icc1 is not None and self.icc2 is not None

    @property
    def f_test(self) -> str:
        if self.f is None or self.p is None:
            return ""
        f = "F = ∞" if math.isinf(self.f) else f"F = {self.f:.2f}"
        p = "p < 0.001" if self.p < 0.001 else f"p = {self.p:.3f}"
        return f"{f}, {p}"

    @property
    def icc1_label(self) -> str:
        if self.icc1 is None:
            return ""
        if self.p is None or self.p >= 0.05 or self.icc1 <= 0:
            return "teams do not clearly differ"
        if self.icc1 >= 0.25:
            return "large differences between teams"
        if self.icc1 >= 0.10:
            return "medium differences between teams"
        return "small differences between teams"

    @property
    def icc2_label(self) -> str:
        if self.icc2 is None:
            return ""
        if self.icc2 >= ICC2_RELIABLE:
            return "team means are reliable"
        if self.icc2 >= ICC2_CAUTION:
            return "use team means with caution"
        return "team means are not reliable"

    @property
    def negative(self) -> bool:
        """Whether either ICC was below 0 as computed (and is shown as 0)."""
        return any(value is not None and value < 0 for value in (self.icc1, self.icc2))

    @property
    def icc1_text(self) -> str:
        return _icc_text(self.icc1, 3, self.icc1_label)

    @property
    def icc2_text(self) -> str:
        return _icc_text(self.icc2, 2, self.icc2_label)


def _icc_text(value: float | None, places: int, label: str) -> str:
    """An ICC as the page shows it: negative values as 0, with the computed value beside."""
    if value is None:
        return ""
    if value >= 0:
        return f"{value:.{places}f} ({label})"
    computed = "−∞" if math.isinf(value) else f"{value:.{places}f}".replace("-", "−")
    return f"0 ({label}; computed {computed}, shown as 0)"


def team_reliability(scored: eng.ScoredWave, threshold: int) -> list[TeamReliability]:
    """Per dimension, ICC(1)/ICC(2) of respondents' scores across the reporting units with
    at least ``threshold`` scores on it."""
    out = []
    groups = scored.unit_index if scored.respondents else np.zeros(0, dtype=np.int64)
    for d, dim in enumerate(scored.scheme.dimensions):
        values = scored.dimension_scores[:, d] if scored.respondents else np.zeros(0)
        scored_rows = ~np.isnan(values)
        sizes = np.bincount(groups[scored_rows], minlength=len(scored.unit_ids))
        keep = scored_rows & (sizes[groups] >= threshold) if groups.size else scored_rows
        teams = int((sizes >= threshold).sum())
        respondents = int(keep.sum())
        head = (dim.code, dim.title, teams, respondents)
        if teams < 2:
            reason = f"Fewer than 2 teams with at least {threshold} scores"
            out.append(TeamReliability(*head, None, None, None, None, reason))
            continue
        icc = st.icc_oneway(values[keep], groups[keep])
        if math.isnan(icc.icc2):  # no spread at all: nothing to share out between teams
            reason = "Everyone gave the same score: no differences to share out"
            out.append(TeamReliability(*head, None, None, None, None, reason))
            continue
        out.append(
            TeamReliability(
                *head,
                icc1=_finite(icc.icc1),
                icc2=float(icc.icc2),  # finite, or −∞ when the team means are all equal
                f=float(icc.f),  # finite, or ∞ when no one differs from their team
                p=_finite(icc.p),
                icc1_mean_size=_finite(icc.icc1_mean_size),
            )
        )
    return out


def _finite(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


@dataclass(frozen=True)
class AgreementDistribution:
    """How many teams of at least the threshold reach each band of rwg(J) on a dimension."""

    dimension: str
    title: str
    assessed: int  # teams with at least the threshold of scores
    too_few: int  # teams with some scores but fewer than the threshold: not assessed
    bands: tuple[int, ...]  # count per RWG_BANDS entry
    agreeing: int  # rwg(J) ≥ 0.70

    @property
    def agreeing_share(self) -> float | None:
        return self.agreeing / self.assessed if self.assessed else None


def team_agreement(scored: eng.ScoredWave, threshold: int) -> list[AgreementDistribution]:
    """rwg(J) per reporting unit ("team") for every dimension whose items share one scale,
    summarised as counts per band; teams below ``threshold`` are only counted."""
    if not scored.respondents:
        return []
    flat = eng.UnitTree(scored.unit_ids.tolist(), [None] * len(scored.unit_ids))
    stats = eng.unit_statistics(scored, flat, threads=1)
    lows = np.array([low for low, _ in RWG_BANDS])
    out = []
    for dim in scored.scheme.dimensions:
        try:
            frame = eng.team_agreement(stats, dim.code)
        except ValueError:  # items on different scales: rwg(J) does not apply
            continue
        n = frame["n"].to_numpy()
        rwg = frame["rwg_j"].fill_null(np.nan).to_numpy()
        assessed = (n >= threshold) & ~np.isnan(rwg)
        values = rwg[assessed]
        band = np.searchsorted(lows, values + 1e-12, side="right") - 1
        out.append(
            AgreementDistribution(
                dimension=dim.code,
                title=dim.title,
                assessed=int(assessed.sum()),
                too_few=int(((n > 0) & (n < threshold)).sum()),
                bands=tuple(int((band == i).sum()) for i in range(len(RWG_BANDS))),
                agreeing=int((values >= st.RWG_THRESHOLD - 1e-12).sum()),
            )
        )
    return out


@dataclass(frozen=True)
class AlphaRow:
    dimension: str
    title: str
    items: int
    figures: tuple[AlphaFigure | None, ...]  # one per wave, this wave first; None: not asked


def alpha_rows(scheme, per_wave: Sequence[dict[str, AlphaFigure]]) -> list[AlphaRow]:
    """This wave's dimensions (``scheme``), each with its alpha in every wave given."""
    return [
        AlphaRow(
            dim.code,
            dim.title,
            len(scheme.dimension_items(dim.code)),
            tuple(figures.get(dim.code) for figures in per_wave),
        )
        for dim in scheme.dimensions
    ]
