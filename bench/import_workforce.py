"""Benchmark: import a large workforce file with ``colead import workforce``.

    .venv/bin/python bench/import_workforce.py [--people 50000] [--database-url URL]

Generates a realistic trust (about 1,300 units, N people with line managers, team
memberships and protected characteristics) as CSV files in a temporary directory, migrates
a fresh database (SQLite: a temporary file; PostgreSQL: the given URL, whose tables are
emptied with ``flush``), then times three runs of the command as a subprocess, measuring
each one's wall time and peak memory (maximum resident set size):

1. the first import of N people;
2. the same file again (nothing changes);
3. a newer file with about 2% changes (joiners, leavers, promotions, moves).

Prints a markdown table and writes bench/results/import_workforce.json (results for
each database kind are kept side by side). The target: each run within 20 s and 1 GB.
"""

import argparse
import csv
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from colead.org.imports import workforce as workforce_file

ROOT = Path(__file__).resolve().parent.parent
COLEAD = ROOT / ".venv" / "bin" / "colead"
RESULTS = ROOT / "bench" / "results" / "import_workforce.json"
LIMIT_SECONDS = 20.0
LIMIT_MB = 1024.0
ORG = "BENCH"

STAFF_GROUPS = [
    ("Nursing and Midwifery Registered", ["Band 5", "Band 6", "Band 7"], 0.27),
    ("Additional Clinical Services", ["Band 2", "Band 3", "Band 4"], 0.24),
    ("Administrative and Clerical", ["Band 2", "Band 3", "Band 4", "Band 5", "Band 6"], 0.20),
    ("Medical and Dental", ["Resident Doctor", "Specialty Doctor", "Consultant"], 0.10),
    ("Allied Health Professionals", ["Band 5", "Band 6", "Band 7"], 0.08),
    ("Estates and Ancillary", ["Band 1", "Band 2", "Band 3"], 0.06),
    ("Add Prof Scientific and Technic", ["Band 5", "Band 6", "Band 7", "Band 8a"], 0.03),
    ("Healthcare Scientists", ["Band 5", "Band 6", "Band 7"], 0.015),
    ("Students", ["Band 1"], 0.005),
]
JOB_TITLES = {
    "Nursing and Midwifery Registered": ["Staff Nurse", "Senior Staff Nurse", "Midwife"],
    "Additional Clinical Services": ["Healthcare Support Worker", "Nursing Associate"],
    "Administrative and Clerical": ["Administrator", "Medical Secretary", "Analyst"],
    "Medical and Dental": ["Resident Doctor", "Specialty Doctor", "Consultant"],
    "Allied Health Professionals": ["Physiotherapist", "Occupational Therapist", "Radiographer"],
    "Estates and Ancillary": ["Porter", "Domestic Assistant", "Electrician"],
    "Add Prof Scientific and Technic": ["Pharmacist", "Clinical Psychologist"],
    "Healthcare Scientists": ["Biomedical Scientist", "Clinical Physiologist"],
    "Students": ["Student Nurse"],
}
FIRST = "Amara Ben Chloe Daniel Ewa Fatima George Hannah Ibrahim Jia Kofi Lucy Mohammed Niamh Olu Priya Rhys Sofia Tom Zara".split()  # noqa: E501
LAST = "Adeyemi Begum Chen Davies Evans Fernandes Green Hughes Iqbal Jones Khan Lewis Morgan Nowak Okafor Patel Roberts Smith Taylor Williams".split()  # noqa: E501
ETHNICITY = [
    "White - British",
    "White - Irish",
    "White - Any other White background",
    "Asian or Asian British - Indian",
    "Asian or Asian British - Pakistani",
    "Black or Black British - African",
    "Black or Black British - Caribbean",
    "Mixed - White and Asian",
    "Chinese",
    "Not stated",
]
AGE_BANDS = [
    "16-20",
    "21-25",
    "26-30",
    "31-35",
    "36-40",
    "41-45",
    "46-50",
    "51-55",
    "56-60",
    "61-65",
]
# The importer's own layout, so the benchmark file cannot drift from what it reads.
WORKFORCE_COLUMNS = [*workforce_file.REQUIRED_COLUMNS, *workforce_file.OPTIONAL_COLUMNS]


def build_units(rng: random.Random) -> tuple[list[dict], list[str]]:
    """Root > 8 divisions > 5 directorates > 5 departments > 6 teams (1,449 units)."""
    units = [
        {"unit_code": ORG, "name": "Bench NHS Trust", "parent_code": "", "level": "organisation"}
    ]
    teams = []
    for d in range(8):
        division = f"D{d}"
        units.append(
            {
                "unit_code": division,
                "name": f"Division {d}",
                "parent_code": ORG,
                "level": "division",
            }
        )
        for r in range(5):
            directorate = f"{division}.{r}"
            units.append(
                {
                    "unit_code": directorate,
                    "name": f"Directorate {directorate}",
                    "parent_code": division,
                    "level": "directorate",
                }
            )
            for p in range(5):
                department = f"{directorate}.{p}"
                units.append(
                    {
                        "unit_code": department,
                        "name": f"Department {department}",
                        "parent_code": directorate,
                        "level": "department",
                    }
                )
                for t in range(6):
                    team = f"{department}.{t}"
                    units.append(
                        {
                            "unit_code": team,
                            "name": f"Team {team}",
                            "parent_code": department,
                            "level": "team",
                        }
                    )
                    teams.append(team)
    for unit in units:
        unit["site"] = rng.choice(["Main Hospital", "Community Hospital", "Trust HQ", ""])
    return units, teams


def build_people(rng: random.Random, count: int, units: list[dict], teams: list[str]) -> list[dict]:
    """A head for every unit (managed by the head of the parent unit), then staff in
    teams managed by their team's head."""
    people = []
    head_of = {}
    groups, weights = [g for g, _, _ in STAFF_GROUPS], [w for _, _, w in STAFF_GROUPS]
    bands = {g: b for g, b, _ in STAFF_GROUPS}

    def person(unit_code, manager, *, leader, band=None, group=None, title=None):
        number = f"{10_000_000 + len(people)}"
        group = group or rng.choices(groups, weights)[0]
        first, last = rng.choice(FIRST), rng.choice(LAST)
        row = {
            "employee_number": number,
            "first_name": first,
            "last_name": last,
            "email": f"{first}.{last}{number[-5:]}@bench.nhs.uk".lower(),
            "unit_code": unit_code,
            "staff_group": group,
            "band": band or rng.choice(bands[group]),
            "job_title": title or rng.choice(JOB_TITLES[group]),
            "line_manager": manager,
            "start_date": (date(2000, 1, 1) + timedelta(days=rng.randrange(9000))).isoformat(),
            "is_leader": "Y" if leader else "N",
            "team_codes": rng.choice(teams) if rng.random() < 0.08 else "",
            "ethnicity": rng.choice(ETHNICITY),
            "sex": rng.choice(["Female", "Female", "Female", "Male", "Male"]),
            "disability": rng.choice(["No", "No", "No", "No", "Yes", "Not declared"]),
            "age_band": rng.choice(AGE_BANDS),
        }
        people.append(row)
        return number

    senior_band = {
        "organisation": "Band 9",
        "division": "Band 8d",
        "directorate": "Band 8c",
        "department": "Band 8a",
        "team": "Band 7",
    }
    for unit in units:  # parents come before their children in the list
        manager = head_of.get(unit["parent_code"], "")
        head_of[unit["unit_code"]] = person(
            unit["unit_code"],
            manager,
            leader=True,
            band=senior_band[unit["level"]],
            group="Administrative and Clerical",
            title=f"Head of {unit['name']}",
        )
    while len(people) < count:
        team = rng.choice(teams)
        person(team, head_of[team], leader=False)
    return people[:count]


def newer(rng: random.Random, people: list[dict], teams: list[str], share=0.02) -> list[dict]:
    """About ``share`` of people changed: a quarter each joiners, leavers, promotions, moves."""
    people = [dict(p) for p in people]
    changes = int(len(people) * share)
    managers = {p["line_manager"] for p in people}
    quarter = changes // 4
    leavers = set(
        rng.sample(
            [p["employee_number"] for p in people if p["employee_number"] not in managers], quarter
        )
    )
    people = [p for p in people if p["employee_number"] not in leavers]
    for p in rng.sample(people, quarter):
        p["band"] = "Band 6" if p["band"] != "Band 6" else "Band 7"
        p["job_title"] = "Senior " + p["job_title"]
    for p in rng.sample(people, quarter):
        p["unit_code"] = rng.choice(teams)
    staff = [p for p in people if p["is_leader"] == "N"]
    for i in range(quarter):
        template = dict(rng.choice(staff))
        template["employee_number"] = f"{20_000_000 + i}"
        template["email"] = f"joiner{i}@bench.nhs.uk"
        template["start_date"] = "2026-04-01"
        people.append(template)
    return people


def write_csv(path: Path, rows: list[dict], columns: list[str]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def run_measured(args: list[str], env: dict) -> dict:
    """Run a command; its wall time, peak RSS (from wait4's rusage of that child alone)
    and output."""
    started = time.perf_counter()
    process = subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT
    )
    # Read output while it runs (a full pipe would block it), then reap with wait4.
    stdout, stderr = process.stdout.read(), process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        sys.stderr.write(stdout.decode() + stderr.decode())
        raise SystemExit(f"{' '.join(args[:3])} failed with status {process.returncode}")
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_mb": round(usage.ru_maxrss / 1024, 1),  # ru_maxrss is in KiB on Linux
        "summary": stdout.decode().strip().splitlines()[-1],
    }


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument(
        "--database-url",
        help="A PostgreSQL URL to use (its tables are emptied). Default: a temporary SQLite file.",
    )
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args()


def main() -> None:
    options = parse_arguments()
    rng = random.Random(options.seed)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="colead-bench-") as tmp:
        tmp = Path(tmp)
        database_url = options.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
        kind = "postgresql" if database_url.startswith(("postgres", "postgresql")) else "sqlite"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "COLEAD_ENV": "development",
            "DEBUG": "false",
            "COLEAD_SECRET_KEY_FILE": str(tmp / "secret-key"),
            "LOG_LEVEL": "WARNING",
        }
        units = write_files(rng, options.people, tmp, kind)
        runs = run_imports(tmp, env)
    within = report(kind, runs, len(units), options.people, load_before)
    store_results(kind, options.people, len(units), runs, within, load_before)
    if not within:
        sys.exit(1)


def write_files(rng: random.Random, count: int, tmp: Path, kind: str) -> list[dict]:
    """The units file, the workforce file of ``count`` people and its newer version, in
    ``tmp``; returns the units."""
    units, teams = build_units(rng)
    if count < 2 * len(units):
        # Every unit has a head; below this there would be no staff to change.
        raise SystemExit(
            f"--people must be at least {2 * len(units)}: the generated trust has "
            f"{len(units)} units, each with a head, and the second file needs staff "
            "to move, promote and replace."
        )
    people = build_people(rng, count, units, teams)
    second = newer(rng, people, teams)
    write_csv(tmp / "units.csv", units, ["unit_code", "name", "parent_code", "level", "site"])
    write_csv(tmp / "workforce.csv", people, WORKFORCE_COLUMNS)
    write_csv(tmp / "workforce-newer.csv", second, WORKFORCE_COLUMNS)
    size_mb = (tmp / "workforce.csv").stat().st_size / 1024 / 1024
    print(
        f"{kind}: {len(units):,} units, {len(people):,} people "
        f"({size_mb:.1f} MB CSV), newer file {len(second):,} people",
        flush=True,
    )
    return units


def run_imports(tmp: Path, env: dict) -> dict[str, dict]:
    """A fresh database, the units imported, then the three workforce runs, each measured."""
    subprocess.run([COLEAD, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([COLEAD, "flush", "--no-input", "-v", "0"], env=env, check=True, cwd=ROOT)
    units_run = run_measured(
        [
            str(COLEAD),
            "import",
            "units",
            str(tmp / "units.csv"),
            "--org",
            ORG,
            "--create",
            "--name",
            "Bench NHS Trust",
            "--sector",
            "acute",
        ],
        env,
    )
    runs = {"units": units_run}
    for label, filename in (
        ("first import", "workforce.csv"),
        ("same file again", "workforce.csv"),
        ("newer file (~2% changed)", "workforce-newer.csv"),
    ):
        runs[label] = run_measured(
            [str(COLEAD), "import", "workforce", str(tmp / filename), "--org", ORG], env
        )
    return runs


def report(kind: str, runs: dict, units: int, people: int, load_before: float) -> bool:
    """Prints the table of runs and whether each workforce run met the target; returns that."""
    print()
    print("| Database | Run | Rows | Seconds | CPU seconds | Peak memory (MB) | Summary |")
    print("|---|---|---:|---:|---:|---:|---|")
    for label, result in runs.items():
        count = units if label == "units" else people
        print(
            f"| {kind} | {label} | {count:,} | {result['seconds']:.1f} | "
            f"{result['cpu_seconds']:.1f} | {result['peak_mb']:.0f} | {result['summary']} |"
        )
    workforce_runs = [r for label, r in runs.items() if label != "units"]
    within = all(r["seconds"] <= LIMIT_SECONDS and r["peak_mb"] <= LIMIT_MB for r in workforce_runs)
    print(f"\nLoad average when started: {load_before:.2f} on {os.cpu_count()} CPUs.")
    print(
        f"Target ≤ {LIMIT_SECONDS:.0f} s and ≤ {LIMIT_MB:.0f} MB per run: "
        f"{'met' if within else 'NOT MET'}"
    )
    return within


def store_results(
    kind: str, people: int, units: int, runs: dict, within: bool, load_before: float
) -> None:
    """Writes this database kind's results, keeping the other kind's beside them."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    stored = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    stored[kind] = {
        "people": people,
        "units": units,
        "runs": runs,
        "within_target": within,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "load_average_before": round(load_before, 2),
        "measured_on": date.today().isoformat(),
    }
    RESULTS.write_text(json.dumps(stored, indent=2) + "\n")
    print(f"Written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
