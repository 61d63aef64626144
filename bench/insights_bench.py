"""Benchmark: scoring and aggregating a national-scale survey wave (issue 4).

The benchmark itself is ``colead.insights.bench`` (the engine against the pandas reference
``colead.insights.bench_pandas``); ``colead bench insights`` runs it too. This script is the
command-line wrapper that also writes ``bench/results/insights.json``:

    .venv/bin/python bench/insights_bench.py [--respondents 1400000] [--units 50000]
        [--items 90] [--runs 5] [--pandas-runs 3] [--threads 2] [--json]

Targets (issue 4), on 2 cores: engine median ≤ 1.0 s and ≥ 5× faster than pandas.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT / "src"))

from colead.insights.bench import (  # noqa: E402, F401 - re-exported for older callers
    STAFF_GROUPS,
    THRESHOLD,
    agreement,
    apply_suppression,
    build_national_set,
    build_scheme,
    build_tree,
    build_wave,
    national_instrument,
    run_benchmark,
    run_engine,
)


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
