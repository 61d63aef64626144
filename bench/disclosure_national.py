"""Benchmark: disclosure control (``colead.privacy.disclosure.protect``) at national scale.

56,200 units (200 organisations of 281 units: 5 divisions, 5 directorates each, 10 teams per
directorate), Poisson(14) respondents per team and a few more people invited (the silent-group rule needs
the invited counts). Times, as the median of several runs, the unit totals alone; then with three breakdowns of 8, 6 and 5 categories (multinomial splits
of each team's respondents), the line rules only (``audit=False``) and with the exact audit.
Writes bench/results/disclosure_national.json.

    .venv/bin/python bench/disclosure_national.py [--runs 3]

No target of its own: the insights benchmark (bench/insights_bench.py) holds the budget for
suppression at national scale; this shows where the time goes.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT / "src"))

from colead.privacy.disclosure import Breakdown, Hierarchy, protect  # noqa: E402

THRESHOLD = 11


def national_tree(organisations: int = 200) -> list[int]:
    parents: list[int] = []
    for _ in range(organisations):
        root = len(parents)
        parents.append(-1)
        for _ in range(5):
            division = len(parents)
            parents.append(root)
            for _ in range(5):
                directorate = len(parents)
                parents.append(division)
                parents.extend([directorate] * 10)
    return parents


def subtree_sums(hierarchy: Hierarchy, leaf: np.ndarray) -> np.ndarray:
    """Each unit's total over its subtree, from counts given at the teams."""
    total = leaf.copy()
    for depth in range(int(hierarchy.depth.max()), 0, -1):
        at = np.flatnonzero(hierarchy.depth == depth)
        np.add.at(total, hierarchy.parent[at], total[at])
    return total


def timed(action, runs: int) -> float:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return round(statistics.median(seconds), 4)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    parents = national_tree()
    hierarchy = Hierarchy.from_parent_index(parents)
    is_team = ~np.isin(np.arange(len(parents)), hierarchy.internal)
    leaf = np.where(is_team, rng.poisson(14, len(parents)), 0)
    n = subtree_sums(hierarchy, leaf)
    invited = subtree_sums(hierarchy, leaf + np.where(is_team, rng.poisson(4, len(parents)), 0))
    breakdowns = {}
    for name, size in (("staff_group", 8), ("age_band", 6), ("tenure", 5)):
        split = np.zeros((len(parents), size), dtype=np.int64)
        for unit in np.flatnonzero(is_team):
            split[unit] = rng.multinomial(leaf[unit], np.full(size, 1 / size))
        breakdowns[name] = Breakdown(
            [f"{name}_{c}" for c in range(size)], subtree_sums(hierarchy, split)
        )

    result = {
        "benchmark": "disclosure control at national scale",
        "units": len(parents),
        "respondents": int(leaf.sum()),
        "runs": args.runs,
        "unit_totals_s": timed(
            lambda: protect(hierarchy, n, THRESHOLD, population=invited), args.runs
        ),
        "three_breakdowns_line_rules_s": timed(
            lambda: protect(hierarchy, n, THRESHOLD, breakdowns, population=invited, audit=False),
            args.runs,
        ),
        "three_breakdowns_with_audit_s": timed(
            lambda: protect(hierarchy, n, THRESHOLD, breakdowns, population=invited), args.runs
        ),
    }
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "disclosure_national.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
