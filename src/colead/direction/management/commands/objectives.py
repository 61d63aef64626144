"""``colead objectives coverage --org CODE [--json]``: how far the golden thread reaches.

Prints the share of teams with an agreed or active objective aligned to an organisation
objective (``team_coverage``, 0 to 1), the share of staff with such an individual
objective (``staff_coverage``), orphans, priority thickets and stale objectives, for the
organisation and by division and directorate (colead.direction.coverage). Import
objectives with ``colead import objectives FILE --org CODE``.
"""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from colead.direction import facts
from colead.direction.quality import QualitySettings
from colead.org.models import Organisation


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date in the form YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Objectives: `coverage` prints how far the golden thread reaches."
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
            default=QualitySettings.thicket_limit,
            metavar="N",
            help="More active objectives than this in one unit is a thicket (default 5).",
        )
        coverage.add_argument(
            "--stale-days",
            type=int,
            default=QualitySettings.stale_days,
            metavar="DAYS",
            help="No check-in for longer than this is stale (default 60).",
        )

    def handle(self, *args, action, org, **options):
        organisation = Organisation.objects.filter(code=org.strip().upper()).first()
        if organisation is None:
            codes = list(Organisation.objects.order_by("code").values_list("code", flat=True)[:20])
            known = f" Known codes: {', '.join(codes)}." if codes else " There are none yet."
            raise CommandError(f'There is no organisation with the code "{org}".{known}')
        if options["thicket_limit"] < 1 or options["stale_days"] < 1:
            raise CommandError("--thicket-limit and --stale-days must be at least 1.")
        settings = QualitySettings(
            thicket_limit=options["thicket_limit"], stale_days=options["stale_days"]
        )
        as_of = _date(options["as_of"]) if options.get("as_of") else None
        report = facts.load(organisation).coverage(as_of, settings)
        data = {"organisation": organisation.code, "name": organisation.name, **report.as_dict()}
        if options["json"]:
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(format_coverage(data))


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
