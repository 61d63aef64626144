"""Benchmark: R8 event counts (``colead.privacy.events.protect_events``) on a trust-sized table.

A balanced five-level tree of 381 units (1 organisation, 5 divisions, 25 directorates, 75
departments, 275 teams; each level's units take the previous level's as parents in turn),
events recorded against the teams only (numpy Poisson, seed 0) over 12 months, at 1.5 and at
5 events a team a month. Reports, per rate: time, the share of non-zero figures hidden, the
refused figures, the audit rounds (calls of ``intervals.pinned``) and the linear programmes
solved. Writes bench/results/events_table.json.

    .venv/bin/python bench/events_table.py [--rates 1.5 5] [--months 12] [--seed 0]
        [--module PATH] [--profile]

``--module`` times another copy of events.py (say the previous commit's, saved with its
intervals.py beside it and its import pointed there) to compare code in the same conditions;
``--profile`` prints where the time goes (cProfile, top functions by cumulative time).
"""

import argparse
import cProfile
import importlib.util
import json
import pstats
import sys
import time
from pathlib import Path

import numpy as np
from scipy import optimize

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT / "src"))

from colead.privacy.disclosure import Hierarchy  # noqa: E402

LEVELS = (1, 5, 25, 75, 275)


def trust_tree(levels=LEVELS) -> list[int]:
    """Parent positions of a balanced tree: each level's units take the previous level's as
    parents in turn (round-robin)."""
    parents: list[int] = []
    above: list[int] = []
    for size in levels:
        here = list(range(len(parents), len(parents) + size))
        parents.extend(above[i % len(above)] if above else -1 for i in range(size))
        above = here
    return parents


def load_events(path: str | None):
    if path is None:
        from colead.privacy import events

        return events
    sys.path.insert(0, str(Path(path).resolve().parent))
    spec = importlib.util.spec_from_file_location("events_under_test", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


class Counter:
    """Counts audit rounds (calls of the module's ``pinned``) and linear programmes."""

    def __init__(self, events):
        self.rounds = self.lps = 0
        self.events = events
        self._pinned, self._linprog = events.pinned, optimize.linprog

    def __enter__(self):
        def pinned(*args, **kwargs):
            self.rounds += 1
            return self._pinned(*args, **kwargs)

        def linprog(*args, **kwargs):
            self.lps += 1
            return self._linprog(*args, **kwargs)

        self.events.pinned, optimize.linprog = pinned, linprog
        return self

    def __exit__(self, *exc):
        self.events.pinned, optimize.linprog = self._pinned, self._linprog


def measure(events, own: np.ndarray, periods, rate: float, profile: bool) -> dict:
    hierarchy = Hierarchy.from_parent_index(trust_tree())
    with Counter(events) as counted:
        profiler = cProfile.Profile() if profile else None
        started, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        table = events.protect_events(hierarchy, own, periods)
        if profiler:
            profiler.disable()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if profiler:
        print(f"-- profile at {rate} events a team a month")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    codes = np.asarray(table.codes)
    return {
        "rate": rate,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "hidden_share": round(table.hidden_share, 4),
        "refused": int((codes == 3).sum()),
        "complementary": int((codes == 2).sum()),
        "audit_rounds": counted.rounds,
        "linear_programmes": counted.lps,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", type=float, nargs="+", default=[1.5, 5.0])
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--module", help="another copy of events.py to time")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)

    events = load_events(args.module)
    parents = trust_tree()
    teams = np.arange(len(parents) - LEVELS[-1], len(parents))
    periods = [f"2026-{m + 1:02d}" for m in range(args.months)]
    results = []
    for rate in args.rates:
        own = np.zeros((len(parents), args.months), dtype=np.int64)
        own[teams] = np.random.default_rng(args.seed).poisson(rate, (len(teams), args.months))
        results.append(measure(events, own, periods, rate, args.profile))

    print(
        f"{'rate':>5} {'seconds':>8} {'cpu s':>8} {'hidden':>7} {'refused':>8} {'rounds':>7} {'LPs':>7}"
    )
    for r in results:
        print(
            f"{r['rate']:>5} {r['seconds']:>8} {r['cpu_seconds']:>8} {r['hidden_share']:>7.1%} {r['refused']:>8}"
            f" {r['audit_rounds']:>7} {r['linear_programmes']:>7}"
        )
    result = {
        "benchmark": "R8 event counts on a 381-unit trust",
        "units": len(parents),
        "months": args.months,
        "module": args.module or "colead.privacy.events",
        "results": results,
    }
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "events_table.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
