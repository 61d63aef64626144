"""``colead demo``: set up the database, build the demo trusts and serve them.

    colead demo [--seed N] [--staff N] [--no-serve] [--port P] [--rebuild]

The same seed and staff count always build the same data. If the demo is already in the
database it is served as it is; ``--rebuild`` empties the database and builds it again.

Served, the demo runs as production does: background jobs (invitation emails, large import
checks) go to the database queue and a ``colead db_worker`` process beside the web server
runs them, so that launching a wave answers at once. Links in emails and posters point at
the demo's own address and port unless COLEAD_BASE_URL says otherwise.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.signals import setting_changed

from colead.core.actor import Actor
from colead.demo.generator import DEFAULT_SEED, DEFAULT_STAFF, MIN_STAFF
from colead.demo.services import DemoBuildError, build_demo, demo_exists, demo_sign_ins
from colead.lib.errors import ColeadError
from colead.org.models import Organisation
from colead.org.summary import organisation_summary

ADDRESS = "127.0.0.1"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class Command(BaseCommand):
    help = "Build the demo trusts (DEMO1 and DEMO2) with a user per role, and serve them."
    requires_migrations_checks = False  # it migrates the database itself

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"Default {DEFAULT_SEED}."
        )
        parser.add_argument(
            "--staff",
            type=int,
            default=DEFAULT_STAFF,
            help=f"DEMO1's headcount (default {DEFAULT_STAFF:,}); DEMO2 is in proportion.",
        )
        parser.add_argument("--no-serve", action="store_true", help="Build only; do not serve.")
        parser.add_argument("--port", type=int, default=8000, help="Default 8000.")
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Empty the whole database first, then build the demo again.",
        )

    def handle(self, *args, seed, staff, no_serve, port, rebuild, **options):
        if settings.PRODUCTION:
            raise CommandError("The demo never runs with COLEAD_ENV=production.")
        if staff < MIN_STAFF:
            raise CommandError(f"--staff must be at least {MIN_STAFF}.")
        if not 1 <= port <= 65535:
            raise CommandError("--port must be between 1 and 65535.")
        password = settings.COLEAD_DEMO_PASSWORD
        self.stdout.write(f"colead demo: every demo user's password is {password}")

        call_command("migrate", interactive=False, verbosity=0)
        if rebuild:
            self.stdout.write("Emptying the database (--rebuild).")
            call_command("flush", interactive=False, verbosity=0)
        if demo_exists():
            self.stdout.write("The demo data is already there (use --rebuild to start again).")
        else:
            self.stdout.write(f"Building the demo trusts: {staff:,} staff, seed {seed}.")
            started = time.monotonic()
            try:
                build = build_demo(
                    seed=seed, staff=staff, password=password, actor=Actor.system("demo")
                )
            except (ColeadError, DemoBuildError) as error:  # e.g. DEMO2 left over on its own
                raise CommandError(f"{error}\nUse --rebuild to start again.") from None
            self.stdout.write(
                f"Built in {time.monotonic() - started:.1f} s (data fingerprint "
                f"{build.digest[:12]})."
            )
        self._sign_in_block(password, port, no_serve)
        if not no_serve:
            self._serve(port)

    def _serve(self, port):
        """runserver, with the background jobs it queues run by a db_worker beside it."""
        if "COLEAD_BASE_URL" not in os.environ:
            # Links in invitation emails, posters and password emails reach this demo.
            settings.COLEAD_BASE_URL = os.environ["COLEAD_BASE_URL"] = f"http://{ADDRESS}:{port}"
        settings.TASKS = DATABASE_TASKS
        setting_changed.send(sender=type(self), setting="TASKS", value=DATABASE_TASKS, enter=True)
        worker = subprocess.Popen(
            [sys.executable, "-m", "colead", "db_worker", "--no-reload", "--interval", "0.5"],
            env={**os.environ, "COLEAD_TASKS_BACKEND": "database"},
        )
        # Stopped by SIGTERM as by Ctrl+C, the demo stops its worker too.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            call_command("runserver", f"{ADDRESS}:{port}", use_reloader=False)
        finally:
            worker.terminate()
            worker.wait(timeout=30)

    def _sign_in_block(self, password, port, no_serve):
        url = f"http://{ADDRESS}:{port}/"
        rule = "=" * 72
        lines = [rule, "The colead demo"]
        for organisation in Organisation.objects.filter(code__startswith="DEMO").order_by("code"):
            summary = organisation_summary(organisation)
            lines.append(
                f"  {organisation.code}  {organisation.name}: {summary['people_total']:,} staff, "
                f"{summary['units_by_level']['team']:,} teams"
            )
        lines += ["", f"Sign in at {url} as any of these, password {password}", ""]
        rows = demo_sign_ins()
        width = max((len(email) for email, _ in rows), default=0)
        lines += [f"  {email.ljust(width)}  {text}" for email, text in rows]
        lines.append("")
        lines.append(
            "Not serving (--no-serve): start it with `colead demo`."
            if no_serve
            else (f"Serving on {url} (Ctrl+C to stop).")
        )
        lines.append(rule)
        self.stdout.write("\n".join(lines))
