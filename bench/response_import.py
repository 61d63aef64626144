"""Benchmark: importing 20,000 paper survey responses (``colead import responses``).

Builds, in a throwaway SQLite database (or the PostgreSQL database given), a small trust and
a launched wave of the built-in team-working and staff-engagement instruments, then times
``colead.surveys.imports.import_responses`` on a CSV of 20,000 rows (staff group, band and
eleven answers each; every third row in a different unit). Prints the seconds as JSON (also
written to bench/results/response_import_<vendor>.json).

    .venv/bin/python bench/response_import.py [--rows 20000] [--database-url URL]

Target: a 20,000-row file imports in a few seconds (well under 15 s).
"""

import argparse
import csv
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT / "src"))

HEADER = ["unit_code", "staff_group", "band", "in_team", "tc1", "tc2", "mo1", "mo2", "mo3"]
HEADER += ["in1", "in2", "in3", "ad1", "ad2", "ad3"]


def responses_csv(rows: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for i in range(rows):
        writer.writerow(
            [
                ("W1", "W2", "CARD")[i % 3],
                ("Students", "Medical and Dental", "")[i % 3],
                str(i % 7 + 1),
                str(i % 2 + 1),
                *(str((i + k) % 5 + 1) for k in range(11)),
            ]
        )
    return buffer.getvalue().encode()


def launched_wave():
    from colead.core.actor import Actor
    from colead.org.models import Organisation, Person, Unit
    from colead.surveys import services
    from colead.surveys.services import WaveSettings

    organisation = Organisation.objects.create(code="BENCH1", name="Bench Trust", sector="acute")
    root = Unit.objects.create(
        organisation=organisation, code="ROOT", name="Bench Trust", level="organisation"
    )
    med = Unit.objects.create(
        organisation=organisation, code="MED", name="Medicine", level="division", parent=root
    )
    card = Unit.objects.create(
        organisation=organisation, code="CARD", name="Cardiology", level="directorate", parent=med
    )
    for code in ("W1", "W2"):
        ward = Unit.objects.create(
            organisation=organisation, code=code, name=code, level="team", parent=card
        )
        for i in range(20):  # a wave is launched only with people to invite
            Person.objects.create(
                organisation=organisation,
                primary_unit=ward,
                employee_number=f"{code}-{i}",
                first_name="Bench",
                last_name=f"Person {i}",
                staff_group="nursing_midwifery_registered",
            )
    services.ensure_builtin_instruments(organisation=organisation, actor=Actor.system("bench"))
    wave = services.create_wave(
        organisation=organisation,
        settings=WaveSettings(
            title="Paper pulse",
            instruments=["team-working", "staff-engagement"],
            unit_codes=["MED"],
        ),
        actor=Actor.system("bench"),
    )
    return services.launch_wave(wave=wave, actor=Actor.system("bench"))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)

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

    from colead.core.actor import Actor
    from colead.surveys.imports import import_responses
    from colead.surveys.models import Response

    call_command("flush" if args.database_url else "migrate", interactive=False, verbosity=0)
    if args.database_url:
        call_command("migrate", verbosity=0)
    wave = launched_wave()
    content = responses_csv(args.rows)
    bench = Actor.system("bench")
    started = time.perf_counter()
    result = import_responses(wave=wave, content=content, filename="paper.csv", actor=bench)
    seconds = time.perf_counter() - started
    stored = Response.objects.filter(wave=wave).count()
    if result.responses != args.rows or stored != args.rows:
        sys.exit(f"Imported {result.responses} and stored {stored} of {args.rows} rows.")
    report = {
        "benchmark": "paper responses imported",
        "database": connection.vendor,
        "rows": args.rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(args.rows / seconds),
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"response_import_{connection.vendor}.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
