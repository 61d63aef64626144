"""How units' objectives coverage goes with their staff's "goals and performance" score.

Pure Python (numpy and scipy, no Django). Given one (coverage, score) pair per unit, the
Pearson correlation (straight-line association) and the Spearman rank correlation
(association in order, robust to outliers), each with its two-sided p-value and the number
of units. Fewer than three units, or no spread in either measure, give no coefficient: a
correlation of two points is always ±1 and tells nothing.

Only visible (disclosure-controlled) scores may come in: the caller leaves out units whose
score is suppressed and counts them.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

MIN_UNITS = 3


@dataclass(frozen=True, slots=True)
class Correlation:
    n: int
    pearson: float | None = None
    pearson_p: float | None = None
    spearman: float | None = None
    spearman_p: float | None = None

    @property
    def computed(self) -> bool:
        return self.pearson is not None


def _finite(value) -> float | None:
    value = float(value)
    return value if np.isfinite(value) else None


def correlate(xs: Sequence[float], ys: Sequence[float]) -> Correlation:
    """Pearson's r and Spearman's rho between paired values, with their p-values."""
    if len(xs) != len(ys):
        raise ValueError(f"Paired values differ in length: {len(xs)} and {len(ys)}.")
    x = np.asarray(xs, dtype=np.float64)
    y = np.asarray(ys, dtype=np.float64)
    n = int(x.size)
    if n < MIN_UNITS or np.ptp(x) == 0 or np.ptp(y) == 0:
        return Correlation(n)
    pearson = stats.pearsonr(x, y)
    spearman = stats.spearmanr(x, y)
    rho = _finite(spearman.statistic)
    return Correlation(
        n=n,
        pearson=_finite(pearson.statistic),
        pearson_p=_finite(pearson.pvalue),
        spearman=rho,
        spearman_p=_finite(spearman.pvalue) if rho is not None else None,
    )


def strength(r: float | None) -> str:
    """A plain word for the size of a correlation (Cohen's rough bands)."""
    if r is None:
        return "not computed"
    size = abs(r)
    word = (
        "no clear"
        if size < 0.1
        else "a weak"
        if size < 0.3
        else "a moderate"
        if size < 0.5
        else "a strong"
    )
    if size < 0.1:
        return word
    return f"{word} {'positive' if r > 0 else 'negative'}"
