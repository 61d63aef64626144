"""Benchmark: the golden thread page and the coverage figures at trust scale (issue 5 §8).

Builds, in a throwaway SQLite database (or the PostgreSQL database given), an organisation of
6,000 staff in 381 units with 20,000 objectives and their check-ins
(``bench/golden_thread_trust.py``). Then, as a board member (who sees everything), through
Django's test client after a warm-up: the golden thread page ``/direction/`` and a search on
it; and, in process, the coverage figures (loading the facts and computing them, as
``colead objectives coverage`` does). Prints medians, 95th percentiles and query counts as
JSON (also written to bench/results/golden_thread_<vendor>.json).

    .venv/bin/python bench/golden_thread.py [--staff 6000] [--objectives 20000] [--runs 20]
        [--database-url URL]

Targets (issue 5): the thread renders in ≤ 300 ms and coverage computes in ≤ 100 ms, each
with a constant number of queries (the constancy is asserted in
tests/integration/test_direction_pages.py and test_direction_services.py).
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "src"):  # run as a script from a checkout
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


def summary(timings: list[float]) -> dict:
    timings = sorted(timings)
    return {
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 1),
        "max_ms": round(timings[-1], 1),
    }


def timed(action, runs: int) -> tuple[list[float], object]:
    timings, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        timings.append((time.perf_counter() - started) * 1000)
    return timings, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=6000)
    parser.add_argument("--objectives", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="colead-bench-")
    os.environ.update(
        {
            "DATABASE_URL": args.database_url or f"sqlite:///{tmp}/bench.sqlite3",
            "COLEAD_ENV": "development",
            "DEBUG": "false",
            "COLEAD_SECRET_KEY_FILE": f"{tmp}/key",
            "DJANGO_SETTINGS_MODULE": "colead.config.settings",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench import golden_thread_trust
    from colead.direction import facts

    call_command("flush" if args.database_url else "migrate", interactive=False, verbosity=0)
    if args.database_url:
        call_command("migrate", verbosity=0)
    started = time.perf_counter()
    built = golden_thread_trust.build(staff=args.staff, objectives=args.objectives)
    build_seconds = time.perf_counter() - started

    client = Client()
    client.force_login(built.board_user)
    pages = {"golden thread": "/direction/", "search": "/direction/?q=Directorate+3.2"}
    results = {}
    for name, url in pages.items():
        response = client.get(url)  # warm-up
        assert response.status_code == 200, (name, response.status_code)
        timings, response = timed(lambda url=url: client.get(url), args.runs)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        results[name] = {
            **summary(timings),
            "queries": len(captured),
            "bytes": len(response.content),
        }

    def compute_coverage():
        return facts.load(built.organisation).coverage()

    compute_coverage()
    timings, report = timed(compute_coverage, args.runs)
    with CaptureQueriesContext(connection) as captured:
        compute_coverage()
    results["coverage"] = {
        **summary(timings),
        "queries": len(captured),
        "team_coverage": round(report.team_coverage, 3),
        "staff_coverage": round(report.staff_coverage, 3),
    }
    result = {
        "benchmark": "golden thread and coverage",
        "database": connection.vendor,
        "staff": built.staff,
        "objectives": built.objectives,
        "check_ins": built.check_ins,
        "units": built.units,
        "build_seconds": round(build_seconds, 1),
        "runs": args.runs,
        "results": results,
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"golden_thread_{connection.vendor}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
