"""A straightforward pandas implementation of the insights computation, for the benchmark
(``bench/insights_bench.py``; ``colead bench insights``). pandas is a development dependency:
without it, importing this module raises ImportError saying how to install it.

The same computation as ``colead.insights.engine.unit_statistics`` plus its headline figures,
written the way an analyst would in pandas, independently of the engine's code: map each
answer to its score and positive flag, take row means for dimension scores, then for each
level of the tree map every respondent to their ancestor at that level and ``groupby`` it
(count, mean, standard deviation, percent positive), and average item percentages into
dimension composites. Only the scheme's metadata (scales, reverse items, dimensions) and the
raw data are shared with the engine.

``run(data)`` returns (n, mean, pct_positive) arrays shaped (units, measures) in the engine's
unit (breadth-first) and measure order, so the benchmark can compare them cell by cell.
"""

from __future__ import annotations

import numpy as np

from bench.insights_bench import PANDAS_MISSING, apply_suppression
from colead.insights.engine import UnitTree, measures_of

try:
    import pandas as pd
except ImportError as error:  # pragma: no cover - pandas is installed for the tests
    raise ImportError(PANDAS_MISSING) from error


def item_maps(item) -> tuple[dict, dict]:
    """{code: score} and {code: positive flag} for one item (missing codes map to NaN)."""
    scores, positive = {}, {}
    for option in range(1, item.points + 1):
        turned = item.points + 1 - option if item.reverse else option
        scores[option] = 10.0 * (turned - 1) / (item.points - 1)
        positive[option] = 1.0 if option in item.positive else 0.0
    return scores, positive


def respondent_frame(data: dict) -> pd.DataFrame:
    """One row per respondent: unit, dimension scores, item scores, positive flags, real team."""
    scheme = data["scheme"]
    codes = pd.DataFrame(data["codes"], columns=[item.code for item in scheme.items])
    columns = {"unit": data["unit"]}
    scores, flags = {}, {}
    for item in scheme.items:
        score_map, positive_map = item_maps(item)
        scores[item.code] = codes[item.code].map(score_map)
        flags[item.code] = codes[item.code].map(positive_map)
    scores = pd.DataFrame(scores)
    at_least_one = {}
    for dim in scheme.dimensions:
        if dim.subdimensions:
            subs = pd.DataFrame({s: at_least_one[s] for s in dim.subdimensions})
            columns[dim.code] = subs.mean(axis=1).where(subs.notna().all(axis=1))
            continue
        block = scores[list(dim.items)]
        answered = block.notna().sum(axis=1)
        mean = block.mean(axis=1)
        columns[dim.code] = mean.where(answered >= dim.min_answered)
        at_least_one[dim.code] = mean.where(answered >= 1)
    for item in scheme.items:
        columns["score:" + item.code] = scores[item.code]
        columns["positive:" + item.code] = flags[item.code]
    if all(c in codes for c in ("in_team", "rt_objectives", "rt_interdependent", "rt_reviews")):
        criteria = codes[["rt_objectives", "rt_interdependent", "rt_reviews"]]
        in_team = codes["in_team"]
        real = (in_team == 2) & (criteria == 2).all(axis=1)
        not_real = (in_team == 1) | ((in_team == 2) & (criteria == 1).any(axis=1))
        columns["real_team"] = pd.Series(np.where(real, 1.0, np.where(not_real, 0.0, np.nan)))
    return pd.DataFrame(columns)


def ancestors_by_level(parent: np.ndarray) -> list[pd.Series]:
    """For each depth, a Series mapping unit -> its ancestor at that depth (NaN above it)."""
    parent = pd.Series(parent)
    path = [pd.Series(parent.index, index=parent.index, dtype=float)]  # i steps up
    while True:
        up = path[-1].map(parent)
        up = up.where(up >= 0)
        if up.isna().all():
            break
        path.append(up)
    depth = pd.concat(path, axis=1).notna().sum(axis=1) - 1
    levels = []
    for d in range(len(path)):
        ancestor = pd.Series(np.nan, index=parent.index)
        for steps, series in enumerate(path):
            ancestor = ancestor.where(depth - d != steps, series)
        levels.append(ancestor)
    return levels


def run(data: dict):
    scheme = data["scheme"]
    frame = respondent_frame(data)
    dims = [d.code for d in scheme.dimensions]
    items = [i.code for i in scheme.items]
    has_team = "real_team" in frame
    score_columns = dims + ["score:" + c for c in items] + (["real_team"] if has_team else [])
    flag_columns = ["positive:" + c for c in items] + (["real_team"] if has_team else [])
    results = []
    sizes = []
    for ancestor in ancestors_by_level(data["parent"]):
        group = frame["unit"].map(ancestor)
        keep = group.notna()
        grouped = frame[keep].groupby(group[keep].astype(np.int64))
        sizes.append(grouped.size())
        counts = grouped[score_columns].count()
        means = grouped[score_columns].mean()
        sds = grouped[score_columns].std()  # the SDs and intervals a page shows
        pct = grouped[flag_columns].mean() * 100
        results.append((counts, means, sds, pct))
    respondents = pd.concat(sizes)
    counts = pd.concat([r[0] for r in results])
    means = pd.concat([r[1] for r in results])
    sds = pd.concat([r[2] for r in results])
    pct = pd.concat([r[3] for r in results])
    composites = {}
    item_pct = pct[["positive:" + c for c in items]].set_axis(items, axis=1)
    for dim in scheme.dimensions:
        if dim.subdimensions:
            composites[dim.code] = pd.DataFrame({s: composites[s] for s in dim.subdimensions}).mean(
                axis=1
            )
        else:
            composites[dim.code] = item_pct[list(dim.items)].mean(axis=1)
    return to_engine_layout(data, scheme, counts, means, pct, composites, respondents)


def to_engine_layout(data, scheme, counts, means, pct, composites, respondents):
    """(n, mean, pct_positive, hidden) arrays in the engine's unit and measure order, with
    suppression applied by the same disclosure rules as the engine's."""
    tree = UnitTree.from_parent_index(data["parent"])
    measures = measures_of(scheme)
    rows = tree.order  # breadth-first position -> input index (the unit label here)
    n = np.zeros((len(tree), len(measures)))
    mean = np.full(n.shape, np.nan)
    pct_out = np.full(n.shape, np.nan)
    counts = counts.reindex(rows)
    means = means.reindex(rows)
    pct = pct.reindex(rows)
    for k, measure in enumerate(measures):
        if measure.kind == "dimension":
            column = measure.code
            pct_out[:, k] = composites[measure.code].reindex(rows).to_numpy()
        elif measure.kind == "item":
            column = "score:" + measure.code
            pct_out[:, k] = pct["positive:" + measure.code].to_numpy()
        else:
            column = measure.code
            pct_out[:, k] = pct[measure.code].to_numpy()
        n[:, k] = counts[column].fillna(0).to_numpy()
        mean[:, k] = means[column].to_numpy()
    total = respondents.reindex(rows).fillna(0).to_numpy()
    hidden, _ = apply_suppression(tree, total, n)
    return n, mean, pct_out, hidden
