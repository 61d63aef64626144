"""Benchmark: scoring and aggregating a national-scale survey wave.

Builds a synthetic national set deterministically (seeded numpy): about 220 organisations
with 50,000 units in five levels (organisation, division, directorate, department, team),
1,400,000 respondents and 90 scored items (the six built-in instruments plus a synthetic
"national" instrument to make up the number: agreement and frequency scales, a seven-point
scale, reverse items, "don't know", skipped and hidden questions, yes/no real-team questions,
staff engagement's sub-dimensions). Then it times

* the engine (``colead.insights``): scoring, sufficient statistics per reporting unit, the
  roll-up to every unit at every level, means/SDs/t intervals/percent positive/Wilson
  intervals, and suppression (``colead.privacy.disclosure``), and
* a straightforward pandas implementation of the same computation
  (``bench/insights_pandas.py``; pandas is a development dependency),

each as the median of several runs after a warm-up, and checks the two agree (equal n, the
same suppressed cells, max abs difference < 1e-6 on means and percent positive). Writes
``bench/results/insights.json``; ``colead bench insights`` (from a checkout with the
development extras) calls the same :func:`run_benchmark`.

    .venv/bin/python bench/insights_bench.py [--respondents 1400000] [--units 50000]
        [--items 90] [--runs 5] [--pandas-runs 3] [--threads 2] [--json]

Targets, on 2 cores: engine median <= 1.0 s and >= 5x faster than pandas. No Django imports.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import resource
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "src"):  # run as a script from a checkout
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from colead.insights import engine, scoring  # noqa: E402
from colead.surveys.definitions import builtin_instruments, parse_instrument  # noqa: E402

PANDAS_MISSING = "pandas is needed for the reference implementation: pip install -e '.[dev]'"
STAFF_GROUPS = (
    "add_prof_scientific_technic",
    "additional_clinical_services",
    "administrative_clerical",
    "allied_health_professionals",
    "estates_ancillary",
    "healthcare_scientists",
    "medical_dental",
    "nursing_midwifery_registered",
    "students",
)
THRESHOLD = 11  # the NHS Staff Survey's reporting threshold


# -- the synthetic national set ------------------------------------------------------------


def national_instrument(items: int):
    """A synthetic instrument with ``items`` agreement items in dimensions of six (the last
    dimension takes the remainder), every third dimension with two reverse items."""
    lines = [
        "code: national-extra",
        "version: 1",
        "title: Synthetic national items",
        "scales:",
        "  agree5: {points: 5, labels: [SD, D, N, A, SA], dont_know: true}",
        "dimensions:",
    ]
    dims = max(1, items // 6)
    for d in range(dims):
        lines.append(f"  - {{code: nat_{d}, title: National {d}}}")
    lines.append("items:")
    for i in range(items):
        d = min(i // 6, dims - 1)
        reverse = "true" if d % 3 == 2 and i % 6 in (1, 4) else "false"
        lines.append(
            f"  - {{code: nat_{d}_{i}, scale: agree5, dimension: nat_{d}, reverse: {reverse},"
            f' text: "Synthetic item {i}"}}'
        )
    return parse_instrument("\n".join(lines) + "\n", filename="national-extra.yaml")


def build_scheme(items: int) -> scoring.ScoringScheme:
    """Exactly ``items`` scored items: the built-in instruments (53 items) topped up with
    synthetic ones, or, below that, synthetic items alone (for quick runs)."""
    instruments = [i for i in builtin_instruments() if i.code != "demographics"]
    builtin = scoring.scoring_scheme(instruments)
    extra = items - len(builtin.items)
    if extra < 0:
        return scoring.scoring_scheme([national_instrument(items)])
    if extra > 0:
        instruments.append(national_instrument(extra))
    return scoring.scoring_scheme(instruments)


def build_tree(units: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(parent position per unit, depth) of a forest of ``units`` units: organisations, each
    with 4–6 divisions, 3–5 directorates per division, 2–3 departments per directorate and
    3–5 teams per department (the last organisation is cut short)."""
    parents: list[int] = []
    depth: list[int] = []

    def add(parent: int, level: int) -> int:
        parents.append(parent)
        depth.append(level)
        return len(parents) - 1

    while len(parents) < units:
        root = add(-1, 0)
        for _ in range(rng.integers(4, 7)):
            division = add(root, 1)
            for _ in range(rng.integers(3, 6)):
                directorate = add(division, 2)
                for _ in range(rng.integers(2, 4)):
                    department = add(directorate, 3)
                    for _ in range(rng.integers(3, 6)):
                        add(department, 4)
    # parents come before their children, so the first ``units`` form a valid forest
    return np.array(parents[:units]), np.array(depth[:units])


def build_wave(scheme, parent: np.ndarray, depth: np.ndarray, respondents: int, seed: int = 4):
    """Respondents' reporting units (grouped, as a query ordered by unit returns them),
    staff groups and answer codes, with unit-level and respondent-level variation."""
    rng = np.random.default_rng(seed)
    units = parent.shape[0]
    teams = np.flatnonzero(depth == depth.max())
    others = np.flatnonzero((depth > 0) & (depth < depth.max()))
    # 95% report in a team; 5% in a department/directorate/division office
    in_team = rng.random(respondents) < 0.95
    unit = np.where(
        in_team,
        teams[rng.integers(0, teams.size, respondents)],
        others[rng.integers(0, others.size, respondents)],
    )
    unit.sort()
    staff_group = rng.integers(0, len(STAFF_GROUPS), respondents).astype(np.int16)
    unit_effect = rng.normal(0, 0.45, units)
    person = rng.normal(0, 0.8, respondents) + unit_effect[unit]
    codes = scoring.empty_codes(respondents, len(scheme.items))
    index = scheme.item_index
    yes_no = [j for j, item in enumerate(scheme.items) if item.type == "yes_no"]
    for j, item in enumerate(scheme.items):
        if item.type == "yes_no":
            continue
        p = item.points
        centre = (p + 1) / 2 + 0.35 * (p - 1) / 2
        latent = centre + person * (p - 1) / 4 + rng.normal(0, 0.9, respondents) * (p - 1) / 4
        option = np.clip(np.rint(latent), 1, p).astype(np.uint8)
        if item.reverse:
            option = (p + 1 - option).astype(np.uint8)
        u = rng.random(respondents)
        option[u < 0.03] = scoring.MISSING
        if item.type == "scale" and scheme.items[j].code not in ("mo1", "mo2", "mo3"):
            option[(u >= 0.03) & (u < 0.045)] = scoring.DONT_KNOW
        codes[:, j] = option
    for j in yes_no:
        code = scheme.items[j].code
        probability = 0.9 if code == "in_team" else 0.72
        codes[:, j] = np.where(rng.random(respondents) < probability, scoring.YES, scoring.NO)
    if "in_team" in index:
        not_in_team = codes[:, index["in_team"]] == scoring.NO
        for code in (*scoring.REAL_TEAM_CRITERIA, "tc1", "tc2", "tc3", "tc4", "tc5"):
            if code in index:
                codes[not_in_team, index[code]] = scoring.MISSING
    return unit, staff_group, codes


def build_national_set(respondents: int, units: int, items: int, seed: int = 2026) -> dict:
    rng = np.random.default_rng(seed)
    scheme = build_scheme(items)
    parent, depth = build_tree(units, rng)
    unit, staff_group, codes = build_wave(scheme, parent, depth, respondents, seed + 1)
    return {
        "scheme": scheme,
        "parent": parent,
        "depth": depth,
        "unit": unit,
        "staff_group": staff_group,
        "codes": codes,
    }


# -- the two implementations -------------------------------------------------------------------


def disclosure_hook():
    """``colead.privacy.disclosure.suppress_hierarchy`` when it exists, else None."""
    try:
        from colead.privacy import disclosure
    except ImportError:
        return None
    return getattr(disclosure, "suppress_hierarchy", None)


def apply_suppression(tree, respondents: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, str]:
    """Which unit × measure cells are hidden, and how that was decided.

    ``disclosure.suppress_hierarchy`` when the disclosure module has it; otherwise its
    ``protect`` on the units' response counts (R1 and the complementary rules up the
    hierarchy) plus R1 on each measure's own count (a cell with n < k is hidden, as
    ``disclosure.redact_frame`` does). Both implementations call this, so their suppression
    can be compared cell by cell.
    """
    suppress = disclosure_hook()
    if suppress is not None and _accepts(suppress, tree, respondents, n, THRESHOLD):
        return np.asarray(suppress(tree, respondents, n, THRESHOLD)), "suppress_hierarchy"
    try:
        from colead.privacy import disclosure
    except ImportError:
        return n < THRESHOLD, "primary rule only (no disclosure module)"
    protection = disclosure.protect(tree, respondents.astype(np.int64), THRESHOLD)
    hidden = (np.asarray(protection.unit_statuses) != 0)[:, None] | (n < THRESHOLD)
    return hidden, "disclosure.protect on response counts + R1 per measure"


def _accepts(function, *args) -> bool:
    """Whether ``function`` can be called with these arguments (the hook's expected form:
    tree, units' response counts, units × measures counts, threshold -> hidden cells)."""
    try:
        inspect.signature(function).bind(*args)
    except (TypeError, ValueError):
        return False
    return True


def run_engine(data: dict, tree: engine.UnitTree, threads: int):
    """Score, aggregate at every level, compute means and percent positive, suppress."""
    scored = engine.ScoredWave(data["scheme"], data["codes"], data["unit"])
    stats = engine.unit_statistics(scored, tree, threads=threads)
    if threads > 1:  # suppression needs only the counts: run it beside the figures
        with ThreadPoolExecutor(1) as pool:
            hidden = pool.submit(apply_suppression, tree, stats.respondents, stats.n)
            stats.figures(threads=threads)
            hidden = hidden.result()[0]
    else:
        stats.figures(threads=1)
        hidden, _how = apply_suppression(tree, stats.respondents, stats.n)
    return stats, hidden


def agreement(stats: engine.UnitStats, hidden: np.ndarray, reference) -> dict:
    """Compare the engine with the pandas results: equal n, the same hidden cells, and the
    largest absolute differences of means and percent positive."""
    n_ref, mean_ref, pct_ref, hidden_ref = reference
    prop, _ = stats.proportion
    with np.errstate(invalid="ignore"):
        mean_diff = np.abs(stats.mean - mean_ref)
        pct_diff = np.abs(100 * prop - pct_ref)
    both_nan_mean = np.isnan(stats.mean) == np.isnan(mean_ref)
    both_nan_pct = np.isnan(prop) == np.isnan(pct_ref)
    max_mean = float(np.nanmax(mean_diff)) if np.isfinite(mean_diff).any() else 0.0
    max_pct = float(np.nanmax(pct_diff)) if np.isfinite(pct_diff).any() else 0.0
    n_equal = bool((stats.n == n_ref).all())
    same_hidden = bool((hidden == hidden_ref).all())
    agree = (
        n_equal
        and same_hidden
        and bool(both_nan_mean.all() and both_nan_pct.all())
        and max(max_mean, max_pct) < 1e-6
    )
    return {
        "results_agree": agree,
        "n_equal": n_equal,
        "suppression_equal": same_hidden,
        "cells_hidden": int(hidden.sum()),
        "max_abs_diff_mean": max_mean,
        "max_abs_diff_pct_positive": max_pct,
    }


def _timed(function, runs: int) -> tuple[list[float], list[float], object]:
    walls, cpus, result = [], [], None
    for _ in range(runs):
        result = None
        cpu = time.process_time()
        wall = time.perf_counter()
        result = function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus, result


def run_benchmark(
    respondents: int = 1_400_000,
    units: int = 50_000,
    items: int = 90,
    runs: int = 5,
    pandas_runs: int = 3,
    threads: int = 2,
    seed: int = 2026,
) -> dict:
    """Build the synthetic set, time the engine (``runs`` times after a warm-up) and the pandas
    reference (``pandas_runs`` times), and compare them. Returns a JSON-ready dict with, among
    others, ``engine_median_s``, ``pandas_median_s``, ``speedup`` and ``results_agree``.
    Raises ImportError (with :data:`PANDAS_MISSING`) when pandas is not installed."""
    for name, value in (("respondents", respondents), ("units", units), ("items", items)):
        if value < 1:
            raise ValueError(f"{name} must be at least 1")
    if runs < 1 or pandas_runs < 1 or threads < 1:
        raise ValueError("runs, pandas runs and threads must be at least 1")
    from bench import insights_pandas  # before the long build: ImportError without pandas

    started = time.perf_counter()
    data = build_national_set(respondents, units, items, seed)
    build_s = time.perf_counter() - started
    t0 = time.perf_counter()
    tree = engine.UnitTree.from_parent_index(data["parent"])
    tree_s = time.perf_counter() - t0

    run_engine(data, tree, threads)  # warm-up
    walls, cpus, (stats, hidden) = _timed(lambda: run_engine(data, tree, threads), runs)
    _, how = apply_suppression(tree, stats.respondents, stats.n)

    p_walls, p_cpus, reference = _timed(lambda: insights_pandas.run(data), pandas_runs)
    result = {
        "benchmark": "insights: score and aggregate a national wave at every level",
        "respondents": respondents,
        "units": int(len(tree)),
        "levels": int(tree.max_depth + 1),
        "items": len(data["scheme"].items),
        "measures": len(stats.measures),
        "unit_measure_cells": int(len(tree) * len(stats.measures)),
        "threads": threads,
        "cpus": os.cpu_count(),
        "load_average": list(os.getloadavg()),
        "suppression": how,
        "build_s": round(build_s, 2),
        "tree_s": round(tree_s, 4),
        "engine_runs_s": [round(w, 4) for w in walls],
        "engine_cpu_s": [round(c, 4) for c in cpus],
        "engine_median_s": round(statistics.median(walls), 4),
        "engine_median_cpu_s": round(statistics.median(cpus), 4),
        "pandas_runs_s": [round(w, 3) for w in p_walls],
        "pandas_cpu_s": [round(c, 3) for c in p_cpus],
        "pandas_median_s": round(statistics.median(p_walls), 3),
        "pandas_median_cpu_s": round(statistics.median(p_cpus), 3),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    speedup = statistics.median(p_walls) / max(statistics.median(walls), 1e-9)
    result["speedup"] = round(speedup, 1)
    result.update(agreement(stats, hidden, reference))
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=1_400_000)
    parser.add_argument("--units", type=int, default=50_000)
    parser.add_argument("--items", type=int, default=90)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pandas-runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    try:
        result = run_benchmark(
            respondents=args.respondents,
            units=args.units,
            items=args.items,
            runs=args.runs,
            pandas_runs=args.pandas_runs,
            threads=args.threads,
            seed=args.seed,
        )
    except (ImportError, ValueError) as error:
        parser.exit(2, f"{parser.prog}: {error}\n")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "insights.json").write_text(json.dumps(result, indent=2) + "\n")
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:28} {value}")


if __name__ == "__main__":
    main()
