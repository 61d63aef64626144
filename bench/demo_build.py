"""Benchmark: `colead demo --no-serve` from an empty database, migrations included.

Runs the real command in a child process on a fresh SQLite file (or, with --database-url,
on that database, which it empties with --rebuild), and reports the wall-clock seconds and
the child's peak memory. Writes bench/results/demo_build.json.

    .venv/bin/python bench/demo_build.py [--staff 6000] [--seed 2026] [--database-url URL]

Target (issue: the demo trust): <= 60 s for the default 6,000 staff on SQLite. Exits with
status 1 if the build takes longer.
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="colead-bench-") as tmp:
        url = args.database_url or f"sqlite:///{tmp}/demo.sqlite3"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "COLEAD_ENV": "development",
            "DEBUG": "false",
            "COLEAD_SECRET_KEY_FILE": f"{tmp}/key",
            "DJANGO_SETTINGS_MODULE": "colead.config.settings",
        }
        command = [
            sys.executable,
            "-m",
            "colead",
            "demo",
            "--no-serve",
            "--staff",
            str(args.staff),
            "--seed",
            str(args.seed),
        ]
        if args.database_url:
            command.append("--rebuild")  # start from an empty database there too
        started = time.perf_counter()
        completed = subprocess.run(command, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if completed.returncode != 0:
            sys.stderr.write(completed.stdout + completed.stderr)
            raise SystemExit(f"colead demo failed with status {completed.returncode}")
        # On Linux ru_maxrss is in KiB (bytes on macOS): the largest child's peak.
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        peak_mb = peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
        built = next(
            (line for line in completed.stdout.splitlines() if line.startswith("Built in")), ""
        )

    result = {
        "benchmark": "colead demo --no-serve (empty database, migrations included)",
        "database": url.split(":", 1)[0],
        "staff": args.staff,
        "seed": args.seed,
        "seconds": round(seconds, 1),
        "build_line": built,
        "peak_memory_mb": round(peak_mb, 1),
        "target_seconds": TARGET_SECONDS,
        "within_target": seconds <= TARGET_SECONDS,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "demo_build.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    if not result["within_target"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
