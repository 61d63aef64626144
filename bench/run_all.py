"""Run every benchmark in turn (``make bench``), each at the size its issue names.

    .venv/bin/python bench/run_all.py [--database-url URL] [--only NAME ...]

Each script writes its JSON to bench/results/; copy the figures you quote into
docs/benchmarks.md with the date, the machine and the command. The survey load test needs
PostgreSQL: it runs only with --database-url (a PostgreSQL URL) and is skipped otherwise. With
--database-url, the scripts that take one use that database (and empty it).
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# (script, takes --database-url, needs PostgreSQL)
BENCHMARKS = (
    ("import_workforce.py", True, False),
    ("demo_build.py", True, False),
    ("unit_page.py", True, False),
    ("response_import.py", True, False),
    ("survey_load.py", True, True),
    ("disclosure_national.py", False, False),
    ("events_table.py", False, False),
    ("insights_bench.py", False, False),
    ("heatmap_page.py", True, False),
    ("results_pages.py", False, False),  # builds its own demo: not an emptied database
    ("golden_thread.py", True, False),
    ("wave_launch.py", False, False),
)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL URL (its tables are emptied)")
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        choices=[name.removesuffix(".py") for name, _, _ in BENCHMARKS],
        help="run only these benchmarks (script names without .py)",
    )
    args = parser.parse_args(argv)
    failed = []
    for script, takes_url, needs_postgres in BENCHMARKS:
        name = script.removesuffix(".py")
        if args.only and name not in args.only:
            continue
        if needs_postgres and not (args.database_url or "").startswith("postgres"):
            print(f"== {name}: skipped (needs --database-url postgres://...)", flush=True)
            continue
        command = [sys.executable, str(HERE / script)]
        if takes_url and args.database_url:
            command += ["--database-url", args.database_url]
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        if subprocess.run(command, check=False).returncode != 0:
            failed.append(name)
        print(f"== {name}: {time.perf_counter() - started:.0f} s", flush=True)
    if failed:
        print(f"Failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
