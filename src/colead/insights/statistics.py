"""Statistics for survey results: intervals, tests, reliability and agreement. No Django.

Every function is vectorised where that makes sense (arrays in, arrays out) and works from
summary statistics where it can, so the engine can apply them to every unit at once. The
formulas:

* ``wilson_interval`` — Wilson score interval for a proportion.
* ``t_interval`` — mean ± t(0.975, n − 1)·SD/√n.
* ``welch_test`` — Welch's unequal-variance t-test from means, SDs and counts.
* ``benjamini_hochberg`` — false-discovery-rate adjusted p-values.
* ``label_difference`` — better / worse / similar: significant *and* at least a minimum
  practical difference (0.25 points on 0–10, 5 percentage points on percent positive).
* ``cronbach_alpha``, ``rwg`` / ``rwg_j`` / ``average_deviation`` (LeBreton and Senter 2008),
  ``icc_oneway`` (one-way ANOVA, unequal group sizes via k0).
* ``key_drivers`` — Pearson correlation and standardised OLS weight of each driver with an
  outcome, from a correlation matrix (so it also works from sufficient statistics).

Missing values are NaN. Results that cannot be computed (n too small, no variance) are NaN
rather than errors or warnings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

Z_95 = 1.959963984540054  # the 97.5th percentile of the standard normal
MIN_DIFFERENCE_SCORE = 0.25  # points on the 0–10 scale
MIN_DIFFERENCE_PROPORTION = 0.05  # 5 percentage points, as a proportion
RWG_THRESHOLD = 0.70

BETTER, WORSE, SIMILAR = "better", "worse", "similar"


def _f(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


# -- means and proportions ------------------------------------------------------------------


def mean_sd_from_sums(n, total, total_sq) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sample SD (n − 1 denominator) from count, sum and sum of squares.

    Mean is NaN when n = 0; SD is NaN when n < 2. Rounding can make the variance a hair
    below zero for constant data; it is clipped to 0.
    """
    n, total, total_sq = _f(n), _f(total), _f(total_sq)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(n > 0, total / n, np.nan)
        var = (total_sq - total * mean) / (n - 1)
        sd = np.where(n > 1, np.sqrt(np.clip(var, 0.0, None)), np.nan)
    return mean, sd


def t_quantile(df, level: float = 0.95) -> np.ndarray:
    """Two-sided t critical value for the given degrees of freedom (NaN where df ≤ 0).

    Evaluates the quantile once per distinct df, so it is cheap on millions of cells that
    share a few thousand counts.
    """
    df = _f(df)
    out = np.full(df.shape, np.nan)
    ok = df > 0
    if ok.any():
        values, inverse = np.unique(df[ok], return_inverse=True)
        out[ok] = special.stdtrit(values, 0.5 + level / 2)[inverse]
    return out


def t_interval(mean, sd, n, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """mean ± t(level, n − 1)·sd/√n; NaN where n < 2."""
    mean, sd, n = _f(mean), _f(sd), _f(n)
    t = t_quantile(n - 1, level)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = t * sd / np.sqrt(n)
    half = np.where(n > 1, half, np.nan)
    return mean - half, mean + half


def wilson_interval(positive, n, z: float = Z_95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for positive/n (as proportions, 0–1); NaN where n = 0.

    centre = (p̂ + z²/2n)/(1 + z²/n); half-width = z·√(p̂(1 − p̂)/n + z²/4n²)/(1 + z²/n).
    ``n`` may be fractional (an effective sample size).
    """
    positive, n = _f(positive), _f(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = positive / n
        z2 = z * z
        denominator = 1 + z2 / n
        centre = (p + z2 / (2 * n)) / denominator
        half = z * np.sqrt(np.clip(p * (1 - p) / n + z2 / (4 * n * n), 0.0, None)) / denominator
        low = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
        high = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return low, high


def percent_positive_composite(item_proportions) -> float:
    """A composite's percent positive: the unweighted mean of its items' (AHRQ SOPS, §2.1).

    Items with no valid answers (NaN) are left out; NaN if none has any.
    """
    values = _f(item_proportions)
    values = values[~np.isnan(values)]
    return float(values.mean()) if values.size else float("nan")


# -- tests ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WelchResult:
    difference: np.ndarray  # mean1 − mean2
    t: np.ndarray
    df: np.ndarray
    p: np.ndarray  # two-sided


def welch_test(mean1, sd1, n1, mean2, sd2, n2) -> WelchResult:
    """Welch's t-test from summary statistics (as scipy.stats.ttest_ind_from_stats with
    equal_var=False). Two-sided p. NaN where either group has fewer than 2 values.

    When both variances are zero the test is degenerate: p = 1 if the means are equal,
    otherwise 0 (every value in one group differs from every value in the other).
    """
    mean1, sd1, n1, mean2, sd2, n2 = map(_f, (mean1, sd1, n1, mean2, sd2, n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        v1 = sd1 * sd1 / n1
        v2 = sd2 * sd2 / n2
        se2 = v1 + v2
        difference = mean1 - mean2
        t = difference / np.sqrt(se2)
        df = se2 * se2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
        p = 2 * special.stdtr(df, -np.abs(t))
        degenerate = se2 == 0
        p = np.where(degenerate, np.where(difference == 0, 1.0, 0.0), p)
        t = np.where(degenerate, np.where(difference == 0, 0.0, np.sign(difference) * np.inf), t)
    valid = (n1 > 1) & (n2 > 1) & ~np.isnan(se2)
    nan = np.nan
    return WelchResult(
        difference=np.where((n1 > 0) & (n2 > 0), difference, nan),
        t=np.where(valid, t, nan),
        df=np.where(valid & ~degenerate, df, nan),
        p=np.where(valid, p, nan),
    )


def benjamini_hochberg(pvalues, axis: int | None = None) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values), as statsmodels' ``fdr_bh``.

    NaNs are ignored (they stay NaN and do not count towards the number of tests). With
    ``axis`` (2-D input), each column (axis=0) or row (axis=1) is a separate family.
    """
    p = _f(pvalues)
    if axis is None:
        return benjamini_hochberg(p.reshape(-1, 1), axis=0).reshape(p.shape)
    if p.ndim != 2:
        raise ValueError("benjamini_hochberg with an axis needs a 2-D array")
    if axis == 1:
        return benjamini_hochberg(p.T, axis=0).T
    rows = p.shape[0]
    if rows == 0:
        return p.copy()
    order = np.argsort(p, axis=0, kind="stable")  # NaNs sort last
    ranked = np.take_along_axis(p, order, axis=0)
    m = (~np.isnan(p)).sum(axis=0)
    rank = np.arange(1, rows + 1)[:, None]
    with np.errstate(invalid="ignore"):
        scaled = ranked * m / rank
    scaled = np.where(rank <= m, scaled, np.inf)
    scaled = np.minimum.accumulate(scaled[::-1], axis=0)[::-1]
    adjusted = np.empty_like(p)
    np.put_along_axis(adjusted, order, np.clip(scaled, 0.0, 1.0), axis=0)
    adjusted[np.isnan(p)] = np.nan
    return adjusted


def label_difference(difference, p, minimum, alpha: float = 0.05) -> np.ndarray:
    """'better', 'worse' or 'similar' for each difference (higher is better).

    A difference is labelled only when it is significant (p < alpha, after any adjustment)
    *and* at least ``minimum`` in size; anything else, including NaN, is 'similar'.
    """
    difference, p = _f(difference), _f(p)
    with np.errstate(invalid="ignore"):
        flagged = (p < alpha) & (np.abs(difference) >= minimum - 1e-12)
        return np.where(flagged & (difference > 0), BETTER, np.where(flagged, WORSE, SIMILAR))


# -- reliability and agreement ---------------------------------------------------------------


def cronbach_alpha(data, nan_policy: str = "listwise") -> float:
    """Cronbach's alpha for a respondents × items matrix.

    alpha = k/(k − 1)·(1 − Σ item variances / variance of the total).
    ``nan_policy``: 'listwise' drops respondents with any missing item; 'pairwise' uses the
    pairwise-complete covariance matrix (as pingouin's default).
    """
    x = _f(data)
    if x.ndim != 2 or x.shape[1] < 2:
        raise ValueError("cronbach_alpha needs a 2-D array with at least two items")
    k = x.shape[1]
    if nan_policy == "listwise":
        x = x[~np.isnan(x).any(axis=1)]
        if x.shape[0] < 2:
            return float("nan")
        cov = np.cov(x, rowvar=False, ddof=1)
    elif nan_policy == "pairwise":
        cov = _pairwise_covariance(x)
    else:
        raise ValueError("nan_policy must be 'listwise' or 'pairwise'")
    total_variance = cov.sum()
    if not np.isfinite(total_variance) or total_variance <= 0:
        return float("nan")
    return float(k / (k - 1) * (1 - np.trace(cov) / total_variance))


def _pairwise_covariance(x: np.ndarray) -> np.ndarray:
    k = x.shape[1]
    cov = np.full((k, k), np.nan)
    for i in range(k):
        for j in range(i, k):
            ok = ~np.isnan(x[:, i]) & ~np.isnan(x[:, j])
            if ok.sum() > 1:
                a, b = x[ok, i], x[ok, j]
                cov[i, j] = cov[j, i] = ((a - a.mean()) * (b - b.mean())).sum() / (ok.sum() - 1)
    return cov


def expected_variance_uniform(options: int) -> float:
    """σ²EU = (A² − 1)/12, the variance of random answers on an A-option scale."""
    return (options * options - 1) / 12.0


def rwg(values, options: int) -> float:
    """Within-group agreement on one item: 1 − S²/σ²EU, truncated to [0, 1] (§8.2).

    ``values`` are the group's answers as option numbers (NaN = missing).
    """
    x = _f(values)
    x = x[~np.isnan(x)]
    if x.size < 2:
        return float("nan")
    return float(np.clip(1 - x.var(ddof=1) / expected_variance_uniform(options), 0.0, 1.0))


def rwg_j_from_variances(mean_variance, items: int, expected_variance) -> np.ndarray:
    """rwg(J) from the mean within-group item variance (vectorised over groups).

    rwg(J) = J(1 − s̄²/σ²EU) / [J(1 − s̄²/σ²EU) + s̄²/σ²EU]; when s̄² ≥ σ²EU (no more
    agreement than random answering) it is 0.
    """
    ratio = _f(mean_variance) / expected_variance
    with np.errstate(divide="ignore", invalid="ignore"):
        agreement = items * (1 - ratio)
        value = agreement / (agreement + ratio)
    return np.where(ratio >= 1, 0.0, np.clip(value, 0.0, 1.0))


def rwg_j(data, options: int) -> float:
    """rwg(J) for one group: ``data`` is members × items in option numbers (NaN = missing).

    Each item's variance uses that item's answers (at least two are needed)."""
    x = _f(data)
    if x.ndim != 2:
        raise ValueError("rwg_j needs a members × items array")
    variances = []
    for column in x.T:
        answered = column[~np.isnan(column)]
        if answered.size >= 2:
            variances.append(answered.var(ddof=1))
    if not variances:
        return float("nan")
    return float(
        rwg_j_from_variances(np.mean(variances), len(variances), expected_variance_uniform(options))
    )


def average_deviation(values) -> float:
    """AD(M): mean absolute deviation from the group mean (§8.2; ≤ c/6 is acceptable)."""
    x = _f(values)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return float("nan")
    return float(np.abs(x - x.mean()).mean())


@dataclass(frozen=True)
class ICCResult:
    icc1: float
    icc2: float
    msb: float
    msw: float
    f: float
    df_between: int
    df_within: int
    p: float
    k0: float  # the effective group size used for ICC(1)
    groups: int
    n: int
    # ICC(1) with the mean group size N/G in place of k0, as R's multilevel::ICC1 computes
    # it; equal to icc1 when the groups are of equal size.
    icc1_mean_size: float = float("nan")


def icc_from_sums(n, total, total_sq) -> ICCResult:
    """ICC(1) and ICC(2) from one-way ANOVA on per-group sufficient statistics (§8.3).

    ICC(1) = (MSB − MSW)/(MSB + (k0 − 1)·MSW), ICC(2) = (MSB − MSW)/MSB, with
    k0 = (N − Σn²/N)/(G − 1) (equal to n for equal groups). Groups with no values are
    ignored. F = MSB/MSW with p from the F distribution.

    The edge cases are kept as the formulas give them, never as errors: no spread inside
    the groups but some between them gives F = ∞ and p = 0 (the groups differ perfectly),
    ICC(1) = ICC(2) = 1; groups with exactly equal means give F = 0, p = 1 and
    ICC(2) = −∞; no spread at all gives NaN throughout.
    """
    n, total, total_sq = _f(n), _f(total), _f(total_sq)
    keep = n > 0
    n, total, total_sq = n[keep], total[keep], total_sq[keep]
    groups = int(n.size)
    big_n = float(n.sum())
    nan = float("nan")
    if groups < 2 or big_n - groups < 1:
        return ICCResult(
            nan, nan, nan, nan, nan, groups - 1, int(big_n) - groups, nan, nan, groups, int(big_n)
        )
    grand = total.sum() / big_n
    means = total / n
    ssb = float((n * (means - grand) ** 2).sum())
    ssw = float(np.clip(total_sq - total * means, 0.0, None).sum())
    df_between, df_within = groups - 1, int(round(big_n)) - groups
    # numpy floats, so that identical scores everywhere (both mean squares 0) give NaN
    # under errstate below rather than raising ZeroDivisionError.
    msb, msw = np.float64(ssb) / df_between, np.float64(ssw) / df_within
    k0 = (big_n - (n * n).sum() / big_n) / df_between
    with np.errstate(divide="ignore", invalid="ignore"):
        icc1 = (msb - msw) / (msb + (k0 - 1) * msw)
        mean_size = big_n / groups
        icc1_mean_size = (msb - msw) / (msb + (mean_size - 1) * msw)
        icc2 = (msb - msw) / msb
        f = msb / msw
    if np.isfinite(f):
        p = float(special.fdtrc(df_between, df_within, f))
    else:  # F = ∞ is certain evidence of a difference; F = NaN (0/0) is no evidence at all
        p = 0.0 if f == np.inf else nan
    return ICCResult(
        icc1=float(icc1),
        icc2=float(icc2),
        msb=float(msb),
        msw=float(msw),
        f=float(f),
        df_between=df_between,
        df_within=df_within,
        p=p,
        k0=float(k0),
        groups=groups,
        n=int(round(big_n)),
        icc1_mean_size=float(icc1_mean_size),
    )


def icc_oneway(values, groups) -> ICCResult:
    """ICC(1)/ICC(2) of ``values`` grouped by ``groups`` (any labels); NaN values ignored."""
    values = _f(values)
    groups = np.asarray(groups)
    ok = ~np.isnan(values)
    values, groups = values[ok], groups[ok]
    _, index = np.unique(groups, return_inverse=True)
    n = np.bincount(index)
    total = np.bincount(index, weights=values)
    total_sq = np.bincount(index, weights=values * values)
    return icc_from_sums(n, total, total_sq)


# -- key drivers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyDrivers:
    correlation: np.ndarray  # Pearson r of each driver with the outcome
    beta: np.ndarray  # standardised OLS weight of each driver (all drivers together)
    r_squared: float
    n: int


def key_drivers_from_moments(n, sums, cross) -> KeyDrivers:
    """Key drivers from sufficient statistics of complete cases.

    ``sums`` is Σv for v = (driver_1 … driver_k, outcome) and ``cross`` Σvvᵀ ((k+1)×(k+1)).
    Correlations come from the covariance matrix; standardised betas solve R_xx·β = r_xy.
    NaN when n ≤ k + 1 or a variable has no variance.
    """
    sums, cross = _f(sums), _f(cross)
    k = sums.size - 1
    nan = np.full(k, np.nan)
    if n <= k + 1:
        return KeyDrivers(nan, nan.copy(), float("nan"), int(n))
    mean = sums / n
    cov = (cross - n * np.outer(mean, mean)) / (n - 1)
    sd = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    if (sd <= 1e-12 * max(1.0, float(np.abs(mean).max()))).any():
        return KeyDrivers(nan, nan.copy(), float("nan"), int(n))
    corr = cov / np.outer(sd, sd)
    r_xx, r_xy = corr[:k, :k], corr[:k, k]
    try:
        beta = np.linalg.solve(r_xx, r_xy)
    except np.linalg.LinAlgError:
        beta = np.full(k, np.nan)
    return KeyDrivers(r_xy.copy(), beta, float(r_xy @ beta), int(n))


def key_drivers(drivers, outcome) -> KeyDrivers:
    """Pearson r and standardised regression weight of each driver column with the outcome,
    across respondents with every value present (listwise)."""
    x = _f(drivers)
    y = _f(outcome)
    if x.ndim == 1:
        x = x[:, None]
    v = np.column_stack([x, y])
    v = v[~np.isnan(v).any(axis=1)]
    return key_drivers_from_moments(v.shape[0], v.sum(axis=0), v.T @ v)
