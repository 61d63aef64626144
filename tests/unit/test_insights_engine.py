"""The insights engine (colead.insights.engine): the unit tree, sufficient statistics rolled up
to every unit, comparisons, agreement, reliability and key drivers.

The central property: for random trees and random answers, every unit's figures equal a
direct computation over the respondents in its subtree, using the straightforward
respondent-level scoring functions."""

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from colead.insights import engine, scoring
from colead.insights import statistics as stats_
from colead.surveys.definitions import builtin_instruments
from colead.surveys.rates import UnitNode

BUILTIN = [i for i in builtin_instruments() if i.code != "demographics"]
SCHEME = scoring.scoring_scheme(BUILTIN)

# ROOT > MED > CARD > W1, W2 ; ROOT > SURG > T1 ; and a second organisation OTH > O1
NODES = [
    UnitNode(7, "T1", "Theatres", 6, 2, "/1/6/7/"),
    UnitNode(5, "W2", "Ward 2", 3, 3, "/1/2/3/5/"),
    UnitNode(1, "ROOT", "Trust", None, 0, "/1/"),
    UnitNode(6, "SURG", "Surgery", 1, 1, "/1/6/"),
    UnitNode(4, "W1", "Ward 1", 3, 3, "/1/2/3/4/"),
    UnitNode(3, "CARD", "Cardiology", 2, 2, "/1/2/3/"),
    UnitNode(2, "MED", "Medicine", 1, 1, "/1/2/"),
    UnitNode(20, "OTH", "Other trust", None, 0, "/20/"),
    UnitNode(21, "O1", "Other ward", 20, 1, "/20/21/"),
]


def small_tree():
    return engine.UnitTree.from_nodes(NODES)


def random_codes(scheme, rows, rng, missing=0.15):
    codes = scoring.empty_codes(rows, len(scheme.items))
    for j, item in enumerate(scheme.items):
        values = rng.integers(1, item.points + 1, rows).astype(np.uint8)
        u = rng.random(rows)
        values[u < missing] = scoring.MISSING
        values[(u >= missing) & (u < missing * 1.4)] = scoring.DONT_KNOW
        codes[:, j] = values
    return codes


def random_tree(rng, size):
    """Parent positions where each unit's parent comes earlier (a forest), with shuffled ids."""
    parent = np.array(
        [-1] + [int(rng.integers(-1, i)) if rng.random() < 0.9 else -1 for i in range(1, size)]
    )
    ids = rng.permutation(size) * 3 + 100
    return ids, np.where(parent >= 0, ids[np.maximum(parent, 0)], -1), parent


def subtree_members(parent: np.ndarray, unit_of_respondent: np.ndarray, unit: int) -> np.ndarray:
    """Respondents whose reporting unit is ``unit`` or below it (by walking up)."""
    inside = np.zeros(parent.shape[0], dtype=bool)
    for u in range(parent.shape[0]):
        v = u
        while v >= 0:
            if v == unit:
                inside[u] = True
                break
            v = parent[v]
    return inside[unit_of_respondent]


def direct_figures(scheme, codes, rows):
    """Per measure: (n, mean, proportion positive) computed directly from respondent scores."""
    dims = scoring.dimension_scores(scheme, codes[rows])
    items = scoring.item_scores(scheme, codes[rows], np.float64)
    flags = scoring.positive_flags(scheme, codes[rows]).astype(np.float64)
    out = {}
    item_prop = {}
    for j, item in enumerate(scheme.items):
        valid = ~np.isnan(items[:, j])
        n = int(valid.sum())
        prop = flags[valid, j].mean() if n else math.nan
        item_prop[item.code] = prop
        out[item.code] = (n, items[valid, j].mean() if n else math.nan, prop)
    dim_prop = {}
    for d, dim in enumerate(scheme.dimensions):
        valid = ~np.isnan(dims[:, d])
        parts = (
            [dim_prop[s] for s in dim.subdimensions]
            if dim.subdimensions
            else [item_prop[c] for c in dim.items]
        )
        parts = [p for p in parts if not math.isnan(p)]
        dim_prop[dim.code] = float(np.mean(parts)) if parts else math.nan
        n = int(valid.sum())
        out[dim.code] = (n, dims[valid, d].mean() if n else math.nan, dim_prop[dim.code])
    flags_team = scoring.real_team_flags(scheme, codes[rows])
    if flags_team is not None:
        valid = ~np.isnan(flags_team)
        n = int(valid.sum())
        share = flags_team[valid].mean() if n else math.nan
        out[engine.REAL_TEAM_MEASURE] = (n, share, share)
    return out


def assert_matches_direct(result: engine.UnitStats, scheme, codes, unit_pos, parent_in):
    """Every unit of the tree (input positions) against the direct computation."""
    tree = result.tree
    prop, _ = result.proportion
    for position in range(len(tree)):
        original = int(tree.order[position])
        rows = subtree_members(parent_in, unit_pos, original)
        assert result.respondents[position] == rows.sum()
        expected = direct_figures(scheme, codes, rows) if rows.any() else None
        for k, measure in enumerate(result.measures):
            n, mean, pct = expected[measure.code] if expected else (0, math.nan, math.nan)
            assert result.n[position, k] == n, (position, measure.code)
            if n:
                assert result.mean[position, k] == pytest.approx(mean, abs=1e-9)
            else:
                assert math.isnan(result.mean[position, k])
            if math.isnan(pct):
                assert math.isnan(prop[position, k]), (position, measure.code)
            else:
                assert prop[position, k] == pytest.approx(pct, abs=1e-9), (position, measure.code)


# -- the unit tree ------------------------------------------------------------------------------


def test_units_are_held_breadth_first_with_each_level_contiguous():
    tree = small_tree()
    depth = dict(zip(tree.ids.tolist(), tree.depth.tolist(), strict=True))
    assert depth == {1: 0, 20: 0, 2: 1, 6: 1, 21: 1, 3: 2, 7: 2, 4: 3, 5: 3}
    assert (np.diff(tree.depth) >= 0).all()
    assert (tree.parent < np.arange(len(tree))).all()
    roots = {int(tree.ids[u]): int(tree.ids[tree.root[u]]) for u in range(len(tree))}
    assert roots[5] == 1 and roots[21] == 20 and roots[1] == 1
    assert sorted(tree.children(3).tolist()) == [4, 5]
    at_division = tree.ancestor_at_depth(1)
    assert tree.ids[at_division[tree.positions([4])[0]]] == 2
    assert at_division[tree.positions([1])[0]] == -1


def test_a_tree_with_a_cycle_or_an_unknown_parent_is_refused():
    with pytest.raises(ValueError, match="cycle"):
        engine.UnitTree([1, 2, 3], [None, 3, 2])
    with pytest.raises(ValueError, match="unknown parent"):
        engine.UnitTree([1, 2], [None, 9])
    with pytest.raises(ValueError, match="unique"):
        engine.UnitTree([1, 1], [None, None])
    with pytest.raises(ValueError, match="not in the unit tree"):
        small_tree().positions([99])


def test_string_ids_work_too():
    tree = engine.UnitTree(["root", "a", "b"], [None, "root", "a"])
    assert tree.positions(["b", "root"]).tolist() == [2, 0]
    values = np.array([[1.0], [2.0], [4.0]])
    assert tree.roll_up(values).ravel().tolist() == [7.0, 6.0, 4.0]
    # respondents grouped by unit but not in sorted order
    rng = np.random.default_rng(1)
    units = np.array(["b"] * 30 + ["a"] * 20 + ["root"] * 5)
    scored = engine.ScoredWave(SCHEME, random_codes(SCHEME, 55, rng), units)
    assert scored.unit_ids.tolist() == ["b", "a", "root"]
    result = engine.unit_statistics(scored, tree, threads=1)
    assert result.respondents.tolist() == [55, 50, 30]
    table = engine.reliability(scored, tree)
    assert table.filter(pl.col("dimension") == "teamwork")["groups"][0] == 3


def test_statistics_for_every_wave():
    tree, first, _ = two_trusts_wave(seed=1)
    _, second, _ = two_trusts_wave(seed=2)
    by_wave = engine.wave_statistics({"2025": first, "2026": second}, tree, threads=1)
    assert list(by_wave) == ["2025", "2026"]
    change = engine.compare_waves(by_wave["2026"], by_wave["2025"], measures=["engagement"])
    assert set(change["unit"].to_list()) == {1, 2, 3, 4, 5, 6, 7, 20, 21}


# -- roll-up equals direct computation ------------------------------------------------------------


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(1, 25), respondents=st.integers(0, 160))
def test_every_unit_equals_a_direct_computation_over_its_subtree(seed, size, respondents):
    rng = np.random.default_rng(seed)
    ids, parent_ids, parent_in = random_tree(rng, size)
    tree = engine.UnitTree(ids, [None if p < 0 else p for p in parent_ids.tolist()])
    unit_pos = rng.integers(0, size, respondents)
    codes = random_codes(SCHEME, respondents, rng)
    scored = engine.ScoredWave(SCHEME, codes, ids[unit_pos])
    result = engine.unit_statistics(scored, tree, threads=1)
    assert_matches_direct(result, SCHEME, codes, unit_pos, parent_in)


def test_large_units_are_summed_in_chunks_without_overflow(monkeypatch):
    rng = np.random.default_rng(11)
    ids, parent_ids, parent_in = random_tree(rng, 6)
    tree = engine.UnitTree(ids, [None if p < 0 else p for p in parent_ids.tolist()])
    unit_pos = rng.integers(0, 6, 400)
    codes = random_codes(SCHEME, 400, rng)
    scored = engine.ScoredWave(SCHEME, codes, ids[unit_pos])
    whole = engine.unit_statistics(scored, tree, threads=1)
    monkeypatch.setattr(scoring, "PACKED_ROWS", 7)
    chunked = engine.unit_statistics(scored, tree, threads=1)
    np.testing.assert_array_equal(whole.n, chunked.n)
    np.testing.assert_allclose(whole.total, chunked.total, rtol=1e-12)
    np.testing.assert_allclose(whole.total_sq, chunked.total_sq, rtol=1e-12)
    np.testing.assert_array_equal(whole.positive, chunked.positive)
    assert_matches_direct(chunked, SCHEME, codes, unit_pos, parent_in)


def test_threads_give_the_same_figures():
    rng = np.random.default_rng(5)
    tree = small_tree()
    units = rng.choice([4, 5, 7, 21, 3], 500)
    scored = engine.ScoredWave(SCHEME, random_codes(SCHEME, 500, rng), units)
    one = engine.unit_statistics(scored, tree, threads=1)
    two = engine.unit_statistics(scored, tree, threads=2)
    np.testing.assert_array_equal(one.n, two.n)
    np.testing.assert_array_equal(one.total, two.total)
    np.testing.assert_array_equal(one.positive, two.positive)


def test_a_scheme_with_mixed_scales_in_a_dimension_and_no_respondents():
    from colead.surveys.definitions import parse_instrument

    text = """
code: mixed
version: 1
title: Mixed
scales:
  a5: {points: 5, labels: [a, b, c, d, e]}
  a7: {points: 7, labels: [a, b, c, d, e, f, g]}
dimensions: [{code: d, title: D}]
items:
  - {code: x, scale: a5, dimension: d, text: "x"}
  - {code: y, scale: a7, dimension: d, reverse: true, text: "y"}
  - {code: z, type: yes_no, text: "z"}
"""
    scheme = scoring.scoring_scheme([parse_instrument(text)])
    rng = np.random.default_rng(2)
    tree = small_tree()
    units = rng.choice([4, 5, 7], 60)
    codes = random_codes(scheme, 60, rng, missing=0.3)
    result = engine.unit_statistics(engine.ScoredWave(scheme, codes, units), tree, threads=1)
    order = {n.id: i for i, n in enumerate(NODES)}  # tree.order refers to NODES positions
    parent_in = np.array([order[n.parent_id] if n.parent_id else -1 for n in NODES])
    assert_matches_direct(result, scheme, codes, np.array([order[u] for u in units]), parent_in)
    empty = engine.ScoredWave(scheme, scoring.empty_codes(0, 3), np.array([], dtype=int))
    nothing = engine.unit_statistics(empty, tree, threads=1)
    assert (nothing.n == 0).all() and np.isnan(nothing.mean).all()


# -- breakdowns ---------------------------------------------------------------------------------


def test_breakdown_categories_add_up_to_the_unit_with_the_not_stated():
    rng = np.random.default_rng(8)
    tree = small_tree()
    units = rng.choice([4, 5, 7, 2, 21], 300)
    groups = rng.choice(["nurse", "doctor", None], 300).tolist()
    scored = engine.ScoredWave.from_codes(
        SCHEME, random_codes(SCHEME, 300, rng), units, {"staff_group": groups}
    )
    total = engine.unit_statistics(scored, tree, threads=1)
    parts = engine.unit_statistics(scored, tree, breakdown="staff_group", threads=1)
    assert [p.category for p in parts] == ["doctor", "nurse"]
    stated = np.array([g is not None for g in groups])
    order = np.argsort(units, kind="stable")  # the wave's rows are grouped by unit
    unstated_rows = ~stated[order]
    unstated = engine.unit_statistics(
        engine.ScoredWave(SCHEME, scored.codes[unstated_rows], units[order][unstated_rows]),
        tree,
        threads=1,
    )
    np.testing.assert_array_equal(parts[0].n + parts[1].n + unstated.n, total.n)
    np.testing.assert_allclose(parts[0].total + parts[1].total + unstated.total, total.total)
    table = engine.aggregate(scored, tree, breakdown="staff_group")
    assert set(table["category"].unique()) == {"doctor", "nurse"}


# -- tables ------------------------------------------------------------------------------------


def fixed_wave():
    """Four respondents in W1, two in T1, with known engagement answers."""
    real_team = {
        "in_team": "yes",
        "rt_objectives": "yes",
        "rt_interdependent": "yes",
        "rt_reviews": "yes",
    }
    fixture = {"mo1": "4", "mo2": "4", "mo3": "5", "in1": "4", "in2": "4", "in3": "3"}
    fixture |= {"ad1": "4", "ad2": "2", "ad3": "4"}
    answers = [
        fixture | real_team,
        {"mo1": "5", "in1": "5", "ad1": "5", "in_team": "no"},
        {"mo1": "1", "in1": "1", "ad1": "1", "vv1": "dk"},
        {"mo1": "3", "in2": "3"},
        {"mo1": "2", "in1": "2", "ad1": "2", "in_team": "yes", "rt_objectives": "no"},
        {"mo1": "4", "in1": "4", "ad1": "4"} | real_team,
    ]
    rows = [
        {"unit": u, "answers": a, "demographics": {"staff_group": g}}
        for u, a, g in zip(
            [4, 4, 4, 4, 7, 7],
            answers,
            ["nurse", "nurse", "doctor", None, "nurse", "doctor"],
            strict=True,
        )
    ]
    frame = engine.responses_frame(rows)
    return engine.compute_wave_scores(BUILTIN, frame, breakdowns=["staff_group"], wave="2026")


def test_the_table_has_one_row_per_unit_with_respondents_and_measure():
    scored = fixed_wave()
    table = engine.aggregate(scored, small_tree())
    measures = engine.measures_of(SCHEME)
    assert table.height == 6 * len(measures)  # ROOT, MED, CARD, W1, SURG, T1
    row = table.filter((pl.col("unit") == 4) & (pl.col("measure") == "engagement")).row(
        0, named=True
    )
    assert row["n"] == 3 and row["respondents"] == 4 and row["parent"] == 3 and row["depth"] == 3
    assert row["mean"] == pytest.approx((6.944444 + 10 + 0) / 3, abs=1e-5)
    assert row["wave"] == "2026"
    root = table.filter((pl.col("unit") == 1) & (pl.col("measure") == "real_team")).row(
        0, named=True
    )
    assert root["parent"] is None
    assert root["n"] == 4 and root["pct_positive"] == pytest.approx(50.0)
    low, high = stats_.wilson_interval(2, 4)
    assert root["pct_low"] == pytest.approx(100 * low) and root["pct_high"] == pytest.approx(
        100 * high
    )
    mo1 = table.filter((pl.col("unit") == 1) & (pl.col("measure") == "mo1")).row(0, named=True)
    values = np.array([7.5, 10, 0, 5, 2.5, 7.5])
    low, high = sps.t.interval(0.95, 5, loc=values.mean(), scale=sps.sem(values))
    assert mo1["ci_low"] == pytest.approx(low) and mo1["ci_high"] == pytest.approx(high)
    assert mo1["pct_positive"] == pytest.approx(100 * 3 / 6)
    assert set(table.columns) >= {"sum", "sum_sq", "n", "n_valid", "n_positive", "sd"}


def test_respondent_table_for_notebooks():
    table = fixed_wave().respondent_table()
    assert table.height == 6
    assert table["engagement"][0] == pytest.approx(6.944444, abs=1e-6)
    assert table["engagement"][3] is None
    assert table["staff_group"].to_list()[:4] == ["nurse", "nurse", "doctor", None]


# -- comparisons ------------------------------------------------------------------------------


def two_trusts_wave(seed=1, rows=900, shift=0.0):
    rng = np.random.default_rng(seed)
    tree = small_tree()
    units = rng.choice([4, 5, 7, 2, 21], rows)
    codes = random_codes(SCHEME, rows, rng, missing=0.05)
    if shift:  # make W1 answer higher on vision and values
        w1 = units == 4
        for code in ("vv1", "vv2", "vv3", "vv4"):
            j = SCHEME.item_index[code]
            codes[w1, j] = np.where(codes[w1, j] > 0, np.minimum(codes[w1, j] + 2, 5), 0)
    return tree, engine.ScoredWave(SCHEME, codes, units), units


def test_unit_versus_the_rest_of_its_organisation_matches_scipy_on_the_raw_scores():
    tree, scored, units = two_trusts_wave(shift=2)
    result = engine.unit_statistics(scored, tree, threads=1)
    table = engine.compare_with_rest(result, units=[4, 5, 7, 2], measures=["vision_values", "vv1"])
    dims = scored.dimension_scores
    d = SCHEME.dimension_index["vision_values"]
    trust1 = np.isin(scored.units, [1, 2, 3, 4, 5, 6, 7])
    row = table.filter((pl.col("unit") == 4) & (pl.col("measure") == "vision_values")).row(
        0, named=True
    )
    unit = dims[scored.units == 4, d]
    rest = dims[trust1 & (scored.units != 4), d]
    unit, rest = unit[~np.isnan(unit)], rest[~np.isnan(rest)]
    ref = sps.ttest_ind(unit, rest, equal_var=False)
    assert row["difference"] == pytest.approx(unit.mean() - rest.mean())
    assert row["t"] == pytest.approx(ref.statistic)
    assert row["p"] == pytest.approx(ref.pvalue, rel=1e-6, abs=1e-300)
    assert row["rest_n"] == rest.size
    assert row["label"] == "better"
    # BH across the four units shown, per measure
    vv = table.filter(pl.col("measure") == "vision_values").sort("unit")
    np.testing.assert_allclose(
        vv["p_adjusted"].to_numpy(), stats_.benjamini_hochberg(vv["p"].to_numpy())
    )
    # percent positive of the item: Welch on the 0/1 answers
    item = table.filter((pl.col("unit") == 4) & (pl.col("measure") == "vv1")).row(0, named=True)
    flags = scoring.positive_flags(SCHEME, scored.codes)[:, SCHEME.item_index["vv1"]]
    a = flags[scored.units == 4]
    b = flags[trust1 & (scored.units != 4)]
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    ref = sps.ttest_ind(a, b, equal_var=False)
    assert item["pct_difference"] == pytest.approx(100 * (a.mean() - b.mean()))
    assert item["pct_p"] == pytest.approx(ref.pvalue, rel=1e-3, abs=1e-300)
    assert item["pct_label"] == "better"
    # a dimension's percent positive: the rest's composite from the rest's own item counts
    row_pct = table.filter((pl.col("unit") == 4) & (pl.col("measure") == "vision_values"))
    rest_items = []
    for code in ("vv1", "vv2", "vv3", "vv4"):
        column = scoring.positive_flags(SCHEME, scored.codes)[:, SCHEME.item_index[code]]
        values = column[trust1 & (scored.units != 4)]
        rest_items.append(np.nanmean(values))
    assert row_pct["rest_pct"][0] == pytest.approx(100 * np.mean(rest_items))


def test_a_small_difference_is_similar_even_when_significant():
    n = 4000
    tree = engine.UnitTree([1, 2, 3], [None, 1, 1])
    units = np.repeat([2, 3], n)
    codes = scoring.empty_codes(2 * n, len(SCHEME.items))
    j = SCHEME.item_index["mo1"]
    rng = np.random.default_rng(0)
    codes[:n, j] = rng.choice([3, 4], n, p=[0.5, 0.5])  # mean 6.25
    codes[n:, j] = rng.choice([3, 4], n, p=[0.58, 0.42])  # mean 6.05
    result = engine.unit_statistics(engine.ScoredWave(SCHEME, codes, units), tree, threads=1)
    row = engine.compare_with_rest(result, units=[2], measures=["mo1"]).row(0, named=True)
    assert row["p"] < 0.001 and abs(row["difference"]) < 0.25
    assert row["label"] == "similar"


def test_change_since_the_previous_wave():
    tree, before, _ = two_trusts_wave(seed=3)
    _, after, _ = two_trusts_wave(seed=4, shift=2)
    now = engine.unit_statistics(after, tree, threads=1)
    then = engine.unit_statistics(before, tree, threads=1)
    table = engine.compare_waves(now, then, units=[4, 5], measures=["vision_values"])
    d = SCHEME.dimension_index["vision_values"]
    a = after.dimension_scores[after.units == 4, d]
    b = before.dimension_scores[before.units == 4, d]
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    ref = sps.ttest_ind(a, b, equal_var=False)
    row = table.filter(pl.col("unit") == 4).row(0, named=True)
    assert row["p"] == pytest.approx(ref.pvalue, rel=1e-6, abs=1e-300)
    assert row["previous_n"] == b.size and row["label"] == "better"


# -- team agreement, reliability, key drivers ----------------------------------------------------


def test_team_psychological_safety_is_a_team_property_only_with_rwg_j_of_0_70():
    tree = engine.UnitTree([1, 2, 3], [None, 1, 1])
    rng = np.random.default_rng(9)
    codes = scoring.empty_codes(40, len(SCHEME.items))
    ps = [SCHEME.item_index[f"ps{i}"] for i in range(1, 8)]
    codes[:20, ps] = rng.choice([5, 6], (20, 7))  # team 2 agrees
    codes[20:, ps] = rng.integers(1, 8, (20, 7))  # team 3 answers at random
    units = np.repeat([2, 3], 20)
    result = engine.unit_statistics(engine.ScoredWave(SCHEME, codes, units), tree, threads=1)
    table = engine.team_agreement(result).sort("unit")
    expected = [stats_.rwg_j(codes[units == u][:, ps].astype(float), 7) for u in (2, 3)]
    rows = table.filter(pl.col("unit").is_in([2, 3]))
    np.testing.assert_allclose(rows["rwg_j"].to_numpy(), expected)
    assert rows["shown"].to_list() == [True, False]
    assert rows["is_leaf"].to_list() == [True, True]


def test_reliability_per_dimension():
    tree, scored, _ = two_trusts_wave(seed=6)
    table = engine.reliability(scored, tree)
    row = table.filter(pl.col("dimension") == "teamwork").row(0, named=True)
    items = SCHEME.dimension_items("teamwork")
    assert row["alpha"] == pytest.approx(
        stats_.cronbach_alpha(scoring.item_scores(SCHEME, scored.codes)[:, items])
    )
    d = SCHEME.dimension_index["teamwork"]
    values = scored.dimension_scores[:, d]
    keep = ~np.isnan(values)
    icc = stats_.icc_oneway(values[keep], scored.units[keep])
    assert row["icc1"] == pytest.approx(icc.icc1) and row["icc2"] == pytest.approx(icc.icc2)
    by_division = engine.reliability(scored, tree, team_depth=1)
    assert by_division.filter(pl.col("dimension") == "teamwork")["groups"][0] == 3


def test_key_drivers_per_organisation_and_division():
    tree, scored, units = two_trusts_wave(seed=7, rows=3000)
    table = engine.key_drivers(scored, tree, min_n=10)
    culture = [d.code for d in SCHEME.dimensions if d.instrument == "culture-pulse"]
    assert set(table["driver"]) == set(culture)
    columns = [SCHEME.dimension_index[c] for c in culture]
    outcome = scored.dimension_scores[:, SCHEME.dimension_index["engagement"]]
    for unit, members in (
        (1, np.isin(scored.units, [2, 4, 5, 7])),
        (2, np.isin(scored.units, [2, 4, 5])),
    ):
        expected = stats_.key_drivers(
            scored.dimension_scores[members][:, columns], outcome[members]
        )
        rows = table.filter(pl.col("unit") == unit)
        assert rows["depth"][0] == (0 if unit == 1 else 1)
        by_driver = {r["driver"]: r for r in rows.iter_rows(named=True)}
        for i, code in enumerate(culture):
            assert by_driver[code]["correlation"] == pytest.approx(expected.correlation[i])
            assert by_driver[code]["beta"] == pytest.approx(expected.beta[i])
            assert by_driver[code]["n"] == expected.n
