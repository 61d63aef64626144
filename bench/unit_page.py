"""Benchmark: the root unit page of the demo trust DEMO1 (about 6,000 staff, 400 units).

Builds the demo in a fresh database (unless --database-url points at one already built),
then renders the root unit page through Django's test client as the board member, many
times, and reports the median and 95th percentile time and the number of queries.

    .venv/bin/python bench/unit_page.py [--runs 50] [--database-url URL]

Target (issue 2): <= 200 ms, with a constant number of queries (asserted in the tests).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="colead-bench-")
    url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.update(
        {
            "DATABASE_URL": url,
            "COLEAD_ENV": "development",
            "DEBUG": "false",
            "COLEAD_SECRET_KEY_FILE": f"{tmp}/key",
            "DJANGO_SETTINGS_MODULE": "colead.config.settings",
        }
    )
    if not args.database_url:
        subprocess.run(
            [sys.executable, "-m", "colead", "demo", "--no-serve"],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from colead.accounts.models import User
    from colead.org.models import Organisation

    organisation = Organisation.objects.get(code="DEMO1")
    root = organisation.root_unit()
    client = Client()
    client.force_login(User.objects.get(email="board@demo.test"))
    page = f"/org/units/{root.code}/"
    assert client.get(page).status_code == 200  # warm caches and the template

    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        response = client.get(page)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(page)

    timings.sort()
    result = {
        "benchmark": "root unit page (DEMO1)",
        "database": connection.vendor,
        "people": organisation.people.filter(leaving_date__isnull=True).count(),
        "units": organisation.units.count(),
        "runs": args.runs,
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 1),
        "max_ms": round(timings[-1], 1),
        "queries": len(queries),
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"unit_page_{connection.vendor}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
