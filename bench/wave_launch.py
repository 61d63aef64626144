"""Benchmark: launching a survey wave of 380 people from its page, as an admin does.

Builds a small trust in a fresh SQLite database (one division, 380 staff with email
addresses), creates a draft wave over it, then times the POST of the launch form through
Django's test client: the time until the browser has its answer. Then it waits for the
invitation emails and reports how long sending took. Emails go to the console backend
written to /dev/null, as the demo writes them to its terminal.

    .venv/bin/python bench/wave_launch.py [--staff 380] [--tasks immediate|database]

With ``--tasks database`` (production's and the demo's configuration) a ``colead db_worker``
process sends the emails while the script polls the wave's page for its progress.
Target (issue 13): the launch answers at once (< 1 s) in every configuration.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _environment(tmp: str, tasks: str) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
        "COLEAD_ENV": "development",
        "DEBUG": "false",
        "COLEAD_SECRET_KEY_FILE": f"{tmp}/key",
        "DJANGO_SETTINGS_MODULE": "colead.config.settings",
        "COLEAD_TASKS_BACKEND": tasks,
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }


def _build(staff: int):
    from colead.accounts.models import RoleAssignment, User
    from colead.core.actor import Actor
    from colead.org.models import Organisation, Person, Unit
    from colead.surveys import services

    organisation = Organisation.objects.create(code="BENCH", name="Bench Trust", sector="acute")
    root = Unit.objects.create(
        organisation=organisation, code="BENCH", name="Bench Trust", level="organisation"
    )
    division = Unit.objects.create(
        organisation=organisation, code="MED", name="Medicine", level="division", parent=root
    )
    teams = [
        Unit.objects.create(
            organisation=organisation, code=f"T{n}", name=f"Ward {n}", level="team", parent=division
        )
        for n in range(staff // 20 + 1)
    ]
    Person.objects.bulk_create(
        Person(
            organisation=organisation,
            primary_unit=teams[n % len(teams)],
            employee_number=f"E{n:06d}",
            first_name=f"First{n}",
            last_name=f"Last{n}",
            email=f"e{n:06d}@example.nhs.uk",
            staff_group="nursing_midwifery_registered",
            band="band_5",
            job_title="Staff Nurse",
        )
        for n in range(staff)
    )
    admin = User.objects.create_user(email="admin@bench.test", password="bench-password-2026")
    RoleAssignment.objects.create(user=admin, organisation=organisation, role="org_admin")
    system = Actor.system("bench")
    services.ensure_builtin_instruments(organisation=organisation, actor=system)
    wave = services.create_wave(
        organisation=organisation,
        settings=services.WaveSettings(
            title="Bench wave", instruments=["culture-pulse"], unit_codes=["MED"]
        ),
        actor=system,
    )
    return admin, wave


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=380)
    parser.add_argument("--tasks", choices=("immediate", "database"), default="immediate")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="colead-bench-")
    environment = _environment(tmp, args.tasks)
    os.environ.update(environment)
    subprocess.run([sys.executable, "-m", "colead", "migrate", "-v", "0"], check=True)

    import django

    django.setup()
    from django.test import Client

    from colead.surveys.models import Invitation

    admin, wave = _build(args.staff)
    client = Client()
    client.force_login(admin)
    worker = None
    if args.tasks == "database":
        worker = subprocess.Popen(
            [sys.executable, "-m", "colead", "db_worker", "--interval", "0.2"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(4)  # let the worker start, as the demo's has long before anyone launches
    real_stdout, sys.stdout = sys.stdout, open(os.devnull, "w")  # the console backend's output
    try:
        assert client.get(f"/surveys/{wave.pk}/launch/").status_code == 200  # warm the URLs
        started = time.perf_counter()
        response = client.post(f"/surveys/{wave.pk}/launch/")
        launch_seconds = time.perf_counter() - started
        assert response.status_code == 302, response.status_code
        polls = 0
        while Invitation.objects.filter(wave=wave, sent_at__isnull=True).exists():
            polls += 1
            client.get(f"/surveys/{wave.pk}/sending/")
            time.sleep(0.2)
        all_sent_seconds = time.perf_counter() - started
    finally:
        sys.stdout = real_stdout
        if worker:
            worker.terminate()
            worker.wait()
    result = {
        "benchmark": "wave launch from its page",
        "tasks_backend": args.tasks,
        "invited": Invitation.objects.filter(wave=wave).count(),
        "launch_answer_seconds": round(launch_seconds, 2),
        "all_invitations_sent_seconds": round(all_sent_seconds, 2),
        "page_polls_while_sending": polls,
    }
    out = ROOT / "bench" / "results" / f"wave_launch_{args.tasks}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
