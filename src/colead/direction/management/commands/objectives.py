"""``colead objectives coverage --org CODE [--json]``: how far the golden thread reaches.

Prints the share of teams with an agreed or active objective aligned to an organisation
objective (``team_coverage``, 0 to 1), the share of staff with such an individual
objective (``staff_coverage``), orphans, priority thickets and stale objectives, for the
organisation and by division and directorate (colead.direction.coverage). Import
objectives with ``colead import objectives FILE --org CODE``.

``colead objectives snapshot --org CODE`` (or ``--all``) records today's coverage figures for
the dashboard's trend (one snapshot a day; running it again the same day replaces it). Run
it once a day from cron; ``--queue`` hands the work to the background worker instead.

``colead objectives export --org CODE --format csv|xlsx [--output FILE]``: every objective
of the organisation in the objectives import's columns, so that the file imports back with
``colead import objectives`` (colead.direction.exports).
"""

import json
import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from colead.core.actor import Actor
from colead.direction import queries
from colead.lib.errors import ColeadError, Invalid
from colead.lib.spreadsheet import FORMATS
from colead.org.models import Organisation

# Options of the coverage action by the query's parameter they set.
OPTIONS = {"thicket_limit": "--thicket-limit", "stale_days": "--stale-days"}


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date in the form YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Objectives: `coverage` prints how far the golden thread reaches; `snapshot` records "
        "it for the trend; `export` writes every objective in the import's columns."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        coverage = actions.add_parser(
            "coverage",
            help="Team and staff coverage, orphans, thickets and stale objectives.",
            description="The coverage figures for the board and OD leads.",
        )
        coverage.add_argument("--org", required=True, metavar="CODE", help="Organisation code.")
        coverage.add_argument("--json", action="store_true", help="Print JSON.")
        coverage.add_argument(
            "--as-of", metavar="YYYY-MM-DD", help="Judge staleness as on this date (default today)."
        )
        coverage.add_argument(
            "--thicket-limit",
            type=int,
            default=None,
            metavar="N",
            help=(
                "More active objectives than this in one unit is a thicket (default: the "
                "organisation's setting, 5 unless changed)."
            ),
        )
        coverage.add_argument(
            "--stale-days",
            type=int,
            default=None,
            metavar="DAYS",
            help=(
                "No check-in for longer than this is stale (default: the organisation's "
                "setting, 60 unless changed)."
            ),
        )
        snapshot = actions.add_parser(
            "snapshot",
            help="Record today's coverage figures for the trend (run daily from cron).",
            description=(
                "Record the coverage figures of the organisation and of every division and "
                "directorate, for the dashboard's trend. One snapshot a day: running it again "
                "on the same day replaces that day's."
            ),
        )
        which = snapshot.add_mutually_exclusive_group(required=True)
        which.add_argument("--org", metavar="CODE", help="Organisation code.")
        which.add_argument("--all", action="store_true", help="Every organisation.")
        snapshot.add_argument(
            "--on", metavar="YYYY-MM-DD", help="Record it for this day (default today)."
        )
        snapshot.add_argument(
            "--queue",
            action="store_true",
            help="Queue it for the background worker (colead db_worker) instead.",
        )
        export = actions.add_parser(
            "export",
            help="Every objective of an organisation, in the objectives import's columns.",
            description="Every objective of the organisation at every level, in the objectives "
            "import's columns and formats: the file imports back unchanged.",
        )
        export.add_argument("--org", required=True, metavar="CODE", help="Organisation code.")
        export.add_argument("--format", required=True, choices=sorted(FORMATS))
        export.add_argument(
            "--output", metavar="FILE", help="Write to FILE (CSV goes to standard output without)."
        )

    def handle(self, *args, action, org, **options):
        if action == "snapshot":
            return self.snapshot(org, **options)
        if action == "export":
            return self.export(org, **options)
        organisation = _organisation(org)
        try:
            # The organisation's own rules (the settings page), unless overridden here.
            report = queries.coverage(
                actor=Actor.system("cli"),
                organisation=organisation,
                as_of=_date(options["as_of"]) if options.get("as_of") else None,
                thicket_limit=options["thicket_limit"],
                stale_days=options["stale_days"],
            )
        except Invalid as error:
            raise CommandError(
                " ".join(f"{OPTIONS[name]}: {text}" for name, text in error.errors.items())
            ) from None
        data = {"organisation": organisation.code, "name": organisation.name, **report.as_dict()}
        if options["json"]:
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(format_coverage(data))

    def snapshot(self, org, *, on=None, queue=False, **options):
        from colead.direction.coverage import share
        from colead.direction.services import record_coverage_snapshot
        from colead.direction.tasks import record_coverage_snapshot_task

        taken_on = _date(on) if on else None
        if options.get("all"):
            organisations = list(Organisation.objects.order_by("code"))
        else:
            organisations = [_organisation(org)]
        if not organisations:
            self.stdout.write("There are no organisations yet: nothing to record.")
        for organisation in organisations:
            label = f"{organisation.name} ({organisation.code})"
            if queue:
                result = record_coverage_snapshot_task.enqueue(
                    organisation.pk, taken_on.isoformat() if taken_on else None
                )
                self.stdout.write(f"Queued the coverage snapshot of {label} (task {result.id}).")
                continue
            snapshot = record_coverage_snapshot(
                organisation=organisation, actor=Actor.system("cli"), taken_on=taken_on
            )
            self.stdout.write(
                f"Recorded the coverage snapshot of {label} for {snapshot.taken_on.isoformat()}: "
                f"teams {_percent(share(snapshot.teams_covered, snapshot.teams)).strip()} "
                f"({snapshot.teams_covered:,} of {snapshot.teams:,}), "
                f"staff {_percent(share(snapshot.staff_covered, snapshot.staff)).strip()} "
                f"({snapshot.staff_covered:,} of {snapshot.staff:,})."
            )

    def export(self, org, *, output, **options):
        organisation = _organisation(org)
        fmt = options["format"]
        if fmt == "xlsx" and not output:
            raise CommandError(
                "An XLSX file cannot go to standard output: give --output FILE.xlsx "
                "(or use --format csv)."
            )
        try:
            export = queries.objectives_export(
                actor=Actor.system("cli"), organisation=organisation, fmt=fmt
            )
        except ColeadError as error:
            raise CommandError(str(error)) from None
        if output:
            Path(output).write_bytes(export.content)
            self.stderr.write(f"Wrote {export.rows:,} objectives to {output}.")
        else:
            sys.stdout.flush()
            self.stdout.write(export.content.decode("utf-8"), ending="")


def _organisation(code: str) -> Organisation:
    organisation = Organisation.objects.filter(code=code.strip().upper()).first()
    if organisation is None:
        codes = list(Organisation.objects.order_by("code").values_list("code", flat=True)[:20])
        known = f" Known codes: {', '.join(codes)}." if codes else " There are none yet."
        raise CommandError(f'There is no organisation with the code "{code}".{known}')
    return organisation


def _percent(value: float) -> str:
    return f"{100 * value:5.1f}%"


def format_coverage(data: dict) -> str:
    limit, days = data["settings"]["thicket_limit"], data["settings"]["stale_days"]
    headline = [
        (
            "Teams with an agreed, aligned objective",
            f"{_percent(data['team_coverage'])}  ({data['teams_covered']:,} of {data['teams']:,})",
        ),
        (
            "Staff with an agreed, aligned objective",
            f"{_percent(data['staff_coverage'])}  ({data['staff_covered']:,} of {data['staff']:,})",
        ),
        ("Open objectives", f"{data['objectives']:>6,}"),
        ("Orphans (no path up to the organisation)", f"{data['orphans']:>6,}"),
        (f"Priority thickets (more than {limit} active)", f"{data['thickets']:>6,}"),
        (f"Stale (no check-in for {days} days)", f"{data['stale']:>6,}"),
    ]
    width = max(len(label) for label, _ in headline)
    lines = [f"{data['name']} ({data['organisation']}): objectives coverage on {data['as_of']}", ""]
    lines += [f"  {label:{width}}  {value}" for label, value in headline]
    for key, title in (("by_division", "By division"), ("by_directorate", "By directorate")):
        rows = data[key]
        if not rows:
            continue
        width = max(len(row["name"]) for row in rows)
        lines += ["", title, f"  {'':{width}}   Teams    Staff  Orphans  Thickets  Stale"]
        for row in rows:
            lines.append(
                f"  {row['name']:{width}}  {_percent(row['team_coverage'])}  "
                f"{_percent(row['staff_coverage'])}  {row['orphans']:>7,}  "
                f"{row['thickets']:>8,}  {row['stale']:>5,}"
            )
    return "\n".join(lines)
