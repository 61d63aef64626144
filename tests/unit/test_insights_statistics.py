"""Statistics (colead.insights.statistics) against the worked examples of
../shared/spec/measures.md §2.1 and §8, and against scipy, statsmodels and pingouin on random
data."""

import math
import warnings

import numpy as np
import pandas as pd
import pingouin
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as hst
from scipy import stats as sps
from statsmodels.formula.api import ols
from statsmodels.stats.anova import anova_lm
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from colead.insights import statistics as st


def quietly(function, *args, **kwargs):
    """pingouin on pandas 3 warns about its own use of deprecated pandas arguments."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


# -- Wilson (§8.4) ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("positive", "n", "low", "high"),
    [(7, 50, 0.0695, 0.2619), (30, 40, 0.598, 0.858), (0, 11, 0.000, 0.259)],
)
def test_wilson_fixtures(positive, n, low, high):
    got_low, got_high = st.wilson_interval(positive, n)
    digits = 4 if n == 50 else 3
    assert round(float(got_low), digits) == low
    assert round(float(got_high), digits) == high


def test_wilson_is_not_clopper_pearson():
    low, high = st.wilson_interval(7, 50)
    exact = sps.binomtest(7, 50).proportion_ci(method="exact")
    assert (round(exact.low, 4), round(exact.high, 4)) == (0.0582, 0.2674)
    assert abs(float(low) - exact.low) > 0.01


@settings(max_examples=50, deadline=None)
@given(n=hst.integers(1, 5000), data=hst.data())
def test_wilson_matches_statsmodels(n, data):
    positive = data.draw(hst.integers(0, n))
    low, high = st.wilson_interval(positive, n)
    ref = proportion_confint(positive, n, alpha=0.05, method="wilson")
    assert float(low) == pytest.approx(ref[0], abs=1e-9)
    assert float(high) == pytest.approx(ref[1], abs=1e-9)


def test_wilson_is_nan_without_answers():
    low, high = st.wilson_interval(0, 0)
    assert math.isnan(low) and math.isnan(high)


# -- means and t intervals --------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(seed=hst.integers(0, 2**32 - 1), n=hst.integers(2, 400))
def test_mean_sd_and_t_interval_match_scipy(seed, n):
    x = np.random.default_rng(seed).uniform(0, 10, n)
    mean, sd = st.mean_sd_from_sums(n, x.sum(), (x * x).sum())
    assert float(mean) == pytest.approx(x.mean(), abs=1e-9)
    assert float(sd) == pytest.approx(x.std(ddof=1), rel=1e-6, abs=1e-9)
    low, high = st.t_interval(mean, sd, n)
    ref = sps.t.interval(0.95, n - 1, loc=x.mean(), scale=sps.sem(x))
    assert float(low) == pytest.approx(ref[0], abs=1e-7)
    assert float(high) == pytest.approx(ref[1], abs=1e-7)


def test_t_interval_needs_two_values():
    low, high = st.t_interval([5.0], [np.nan], [1])
    assert np.isnan(low).all() and np.isnan(high).all()


# -- Welch, BH and labels (§8.5) ------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(seed=hst.integers(0, 2**32 - 1), n1=hst.integers(2, 300), n2=hst.integers(2, 300))
def test_welch_matches_scipy_ttest_ind_from_stats(seed, n1, n2):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(6, 2, n1), rng.normal(6.5, 1, n2)
    got = st.welch_test(a.mean(), a.std(ddof=1), n1, b.mean(), b.std(ddof=1), n2)
    ref = sps.ttest_ind_from_stats(
        a.mean(), a.std(ddof=1), n1, b.mean(), b.std(ddof=1), n2, equal_var=False
    )
    assert float(got.t) == pytest.approx(ref.statistic, rel=1e-9)
    assert float(got.p) == pytest.approx(ref.pvalue, rel=1e-6, abs=1e-12)
    raw = sps.ttest_ind(a, b, equal_var=False)
    assert float(got.df) == pytest.approx(raw.df, rel=1e-9)


def test_welch_without_variance():
    same = st.welch_test(5, 0, 10, 5, 0, 10)
    assert float(same.p) == 1.0
    differ = st.welch_test(5, 0, 10, 6, 0, 10)
    assert float(differ.p) == 0.0
    small = st.welch_test(5, 1, 1, 6, 1, 10)
    assert math.isnan(float(small.p))


@settings(max_examples=50, deadline=None)
@given(p=hst.lists(hst.floats(0, 1), min_size=1, max_size=60))
def test_benjamini_hochberg_matches_statsmodels(p):
    ref = multipletests(p, method="fdr_bh")[1]
    np.testing.assert_allclose(st.benjamini_hochberg(p), ref, rtol=1e-12, atol=1e-15)


@settings(max_examples=30, deadline=None)
@given(seed=hst.integers(0, 2**32 - 1), rows=hst.integers(1, 40), cols=hst.integers(1, 6))
def test_benjamini_hochberg_per_column_matches_statsmodels(seed, rows, cols):
    rng = np.random.default_rng(seed)
    p = rng.random((rows, cols)) ** 3
    p[rng.random(p.shape) < 0.2] = np.nan
    adjusted = st.benjamini_hochberg(p, axis=0)
    for j in range(cols):
        present = ~np.isnan(p[:, j])
        if present.any():
            ref = multipletests(p[present, j], method="fdr_bh")[1]
            np.testing.assert_allclose(adjusted[present, j], ref, rtol=1e-12, atol=1e-15)
        assert np.isnan(adjusted[~present, j]).all()
    np.testing.assert_array_equal(st.benjamini_hochberg(p.T, axis=1), adjusted.T)


def test_benjamini_hochberg_ignores_missing_p_values():
    adjusted = st.benjamini_hochberg([0.01, np.nan, 0.04])
    np.testing.assert_allclose(adjusted[[0, 2]], multipletests([0.01, 0.04], method="fdr_bh")[1])
    assert np.isnan(adjusted[1])


def test_labels_need_significance_and_the_minimum_practical_difference():
    labels = st.label_difference(
        [0.3, -0.3, 0.2, 0.3, np.nan, 0.25], [0.01, 0.01, 0.001, 0.2, 0.01, 0.04], 0.25
    )
    assert labels.tolist() == ["better", "worse", "similar", "similar", "similar", "better"]
    pct = st.label_difference([0.06, 0.04], [0.001, 0.001], st.MIN_DIFFERENCE_PROPORTION)
    assert pct.tolist() == ["better", "similar"]


# -- percent positive composites (§2.1) -------------------------------------------------------------


def test_composite_percent_positive_is_the_mean_of_item_percentages():
    # [P] in measures.md §2.1 (standard SOPS convention)
    assert st.percent_positive_composite([0.5, 0.6, 0.7]) == pytest.approx(0.6)
    assert st.percent_positive_composite([0.5, np.nan, 0.7]) == pytest.approx(0.6)


# -- Cronbach's alpha (§8.1) -----------------------------------------------------------------------


def test_cronbach_alpha_fixture():
    data = [[4, 4, 5], [3, 3, 4], [5, 5, 5], [2, 3, 2], [4, 5, 4]]
    assert round(st.cronbach_alpha(data), 3) == 0.918


@settings(max_examples=25, deadline=None)
@given(seed=hst.integers(0, 2**32 - 1), items=hst.integers(2, 8), n=hst.integers(5, 200))
def test_cronbach_alpha_matches_pingouin(seed, items, n):
    rng = np.random.default_rng(seed)
    latent = rng.normal(0, 1, (n, 1))
    data = np.clip(np.rint(3 + latent + rng.normal(0, 1, (n, items))), 1, 5)
    ref, _ = quietly(pingouin.cronbach_alpha, pd.DataFrame(data))
    assert st.cronbach_alpha(data) == pytest.approx(ref, abs=1e-9)


def test_cronbach_alpha_with_missing_values_matches_pingouin_pairwise_and_listwise():
    rng = np.random.default_rng(3)
    data = rng.integers(1, 6, (80, 5)).astype(float) + rng.normal(0, 0.3, (80, 1))
    data[rng.random(data.shape) < 0.1] = np.nan
    frame = pd.DataFrame(data)
    pairwise, _ = quietly(pingouin.cronbach_alpha, frame, nan_policy="pairwise")
    listwise, _ = quietly(pingouin.cronbach_alpha, frame, nan_policy="listwise")
    assert st.cronbach_alpha(data, nan_policy="pairwise") == pytest.approx(pairwise, abs=1e-9)
    assert st.cronbach_alpha(data, nan_policy="listwise") == pytest.approx(listwise, abs=1e-9)


# -- agreement (§8.2) ---------------------------------------------------------------------------


def test_rwg_fixture():
    values = [4, 4, 5, 3, 4]
    assert np.var(values, ddof=1) == 0.5
    assert st.rwg(values, options=5) == 0.75
    assert st.average_deviation(values) == pytest.approx(0.40)
    assert st.expected_variance_uniform(5) == 2.0
    assert st.expected_variance_uniform(7) == 4.0


def test_rwg_j_fixture():
    members_by_items = np.array([[4, 4, 5, 3, 4], [4, 5, 5, 4, 4], [3, 4, 4, 3, 4]]).T
    assert round(st.rwg_j(members_by_items, options=5), 3) == 0.930


def test_rwg_is_truncated_to_zero_when_answers_vary_more_than_at_random():
    assert st.rwg([1, 5, 1, 5], options=5) == 0.0
    assert st.rwg_j(np.array([[1, 5], [5, 1], [1, 5], [5, 1]]), options=5) == 0.0


@settings(max_examples=25, deadline=None)
@given(seed=hst.integers(0, 2**32 - 1), members=hst.integers(2, 30), items=hst.integers(1, 8))
def test_rwg_j_formula(seed, members, items):
    data = np.random.default_rng(seed).integers(1, 8, (members, items)).astype(float)
    mean_var = data.var(axis=0, ddof=1).mean()
    ratio = mean_var / 4.0
    expected = 0.0 if ratio >= 1 else items * (1 - ratio) / (items * (1 - ratio) + ratio)
    assert st.rwg_j(data, options=7) == pytest.approx(expected)


# -- ICC (§8.3) ------------------------------------------------------------------------------------


def test_icc_fixture():
    values = [4, 5, 4, 5, 3, 3, 4, 2, 5, 4, 5, 5]
    groups = list("AAAABBBBCCCC")
    result = st.icc_oneway(values, groups)
    assert round(result.msb, 3) == 3.583
    assert round(result.msw, 4) == 0.4167
    assert round(result.icc1, 3) == 0.655
    assert round(result.icc2, 3) == 0.884


def test_icc_of_identical_scores_is_undefined_not_an_error():
    result = st.icc_oneway([5.0] * 9, list("AAABBBCCC"))
    assert result.msb == 0 and result.msw == 0
    assert math.isnan(result.icc1) and math.isnan(result.icc2) and math.isnan(result.p)
    # Between-group differences with no spread inside the groups: ICC(1) = ICC(2) = 1.
    apart = st.icc_oneway([3.0, 3.0, 5.0, 5.0, 7.0, 7.0], list("AABBCC"))
    assert apart.icc1 == 1.0 and apart.icc2 == 1.0


def test_icc_of_groups_that_differ_perfectly_is_significant():
    # No spread inside the groups, some between them: F = ∞, and p is 0, not NaN.
    apart = st.icc_oneway([3.0, 3.0, 5.0, 5.0, 7.0, 7.0], list("AABBCC"))
    assert math.isinf(apart.f) and apart.p == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        independent = sps.f_oneway([3.0, 3.0], [5.0, 5.0], [7.0, 7.0])
    assert (independent.statistic, independent.pvalue) == (apart.f, apart.p)


def test_icc_of_exactly_equal_group_means():
    # Spread inside the groups, none between them: F = 0, p = 1, ICC(2) = −∞, as the formulas
    # give it; ICC(1) = −1/(k0 − 1).
    same = st.icc_oneway([3.0, 5.0, 3.0, 5.0, 3.0, 5.0], list("AABBCC"))
    assert same.f == 0.0 and same.p == 1.0
    independent = sps.f_oneway([3.0, 5.0], [3.0, 5.0], [3.0, 5.0])
    assert (independent.statistic, independent.pvalue) == (same.f, same.p)
    assert same.icc2 == -math.inf and same.icc1 == pytest.approx(-1.0)


def test_icc1_with_the_mean_group_size_matches_r_multilevel():
    # multilevel::ICC1 uses GSIZE = N/G: (MSB − MSW)/(MSB + (N/G − 1)·MSW). With unequal
    # groups it differs from the k0 form in the fourth decimal or so.
    values = [4, 5, 4, 5, 3, 3, 4, 2, 5, 4, 5, 5, 4, 3, 3, 4, 5, 2, 4, 4, 3]
    groups = list("AAAA") + list("BBBBBBBBBB") + list("CCCCCCC")
    result = st.icc_oneway(values, groups)
    mean_size = len(values) / 3
    r_icc1 = (result.msb - result.msw) / (result.msb + (mean_size - 1) * result.msw)
    assert result.icc1_mean_size == pytest.approx(r_icc1, rel=1e-12)
    assert result.k0 < mean_size
    assert 1e-5 < abs(result.icc1 - result.icc1_mean_size) < 1e-2
    balanced = st.icc_oneway([4, 5, 4, 5, 3, 3, 4, 2, 5, 4, 5, 5], list("AAAABBBBCCCC"))
    assert balanced.icc1_mean_size == pytest.approx(balanced.icc1)


@settings(max_examples=15, deadline=None)
@given(seed=hst.integers(0, 2**32 - 1), groups=hst.integers(3, 12), size=hst.integers(2, 8))
def test_icc_matches_pingouin_on_balanced_groups(seed, groups, size):
    rng = np.random.default_rng(seed)
    values = (rng.normal(0, 1, (groups, 1)) + rng.normal(0, 1, (groups, size))).ravel()
    long = pd.DataFrame(
        {
            "group": np.repeat(np.arange(groups), size),
            "member": np.tile(np.arange(size), groups),
            "value": values,
        }
    )
    table = quietly(pingouin.intraclass_corr, long, "group", "member", "value").set_index("Type")
    result = st.icc_oneway(values, long["group"])
    # Bliese's ICC(1) is the one-way single-measure ICC; ICC(2) the one-way average-measure ICC
    assert result.icc1 == pytest.approx(table.loc["ICC(1,1)", "ICC"], abs=1e-9)
    assert result.icc2 == pytest.approx(table.loc["ICC(1,k)", "ICC"], abs=1e-9)
    assert result.f == pytest.approx(table.loc["ICC(1,1)", "F"], rel=1e-9)


@settings(max_examples=15, deadline=None)
@given(seed=hst.integers(0, 2**32 - 1), groups=hst.integers(2, 10))
def test_icc_with_unequal_groups_matches_a_statsmodels_anova(seed, groups):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(2, 15, groups)
    labels = np.repeat(np.arange(groups), sizes)
    values = rng.normal(0, 1, groups)[labels] + rng.normal(0, 1.5, labels.size)
    frame = pd.DataFrame({"g": labels.astype(str), "y": values})
    table = anova_lm(ols("y ~ C(g)", data=frame).fit())
    msb, msw = table["mean_sq"].iloc[0], table["mean_sq"].iloc[1]
    n = labels.size
    k0 = (n - (sizes**2).sum() / n) / (groups - 1)
    result = st.icc_oneway(values, labels)
    assert result.msb == pytest.approx(msb, rel=1e-9)
    assert result.msw == pytest.approx(msw, rel=1e-9)
    assert result.k0 == pytest.approx(k0)
    assert result.icc1 == pytest.approx((msb - msw) / (msb + (k0 - 1) * msw), rel=1e-9)
    assert result.icc2 == pytest.approx((msb - msw) / msb, rel=1e-9)
    assert result.p == pytest.approx(table["PR(>F)"].iloc[0], rel=1e-6)


# -- key drivers --------------------------------------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(seed=hst.integers(0, 2**32 - 1), drivers=hst.integers(1, 6), n=hst.integers(20, 300))
def test_key_drivers_match_statsmodels_ols_on_z_scores(seed, drivers, n):
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, (n, drivers)) + rng.normal(0, 0.5, (n, 1))
    y = x @ rng.normal(0, 1, drivers) + rng.normal(0, 1, n)
    x[rng.random(x.shape) < 0.05] = np.nan
    result = st.key_drivers(x, y)
    complete = ~np.isnan(x).any(axis=1)
    xc, yc = x[complete], y[complete]
    z = (xc - xc.mean(axis=0)) / xc.std(axis=0, ddof=1)
    zy = (yc - yc.mean()) / yc.std(ddof=1)
    fit = sm.OLS(zy, sm.add_constant(z)).fit()
    np.testing.assert_allclose(result.beta, fit.params[1:], rtol=1e-7, atol=1e-9)
    assert result.r_squared == pytest.approx(fit.rsquared, rel=1e-7)
    for i in range(drivers):
        assert result.correlation[i] == pytest.approx(sps.pearsonr(xc[:, i], yc)[0], abs=1e-9)
    assert result.n == complete.sum()


def test_key_drivers_need_more_cases_than_drivers():
    result = st.key_drivers(np.ones((3, 3)), np.arange(3.0))
    assert np.isnan(result.beta).all()
