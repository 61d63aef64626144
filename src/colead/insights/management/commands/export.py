"""``colead export heatmap --wave WAVE --level LEVEL [--by BREAKDOWN] --format csv|xlsx
[--output FILE]``: a closed wave's heatmap, the same rows as the page's download and the API.
``--by`` takes any breakdown the wave's responses carry (``results.BREAKDOWNS``: staff_group,
band, length_of_service...); any other is refused with the list of those it carries.

CSV goes to standard output when no file is given; XLSX needs ``--output``. The command
line sees the whole organisation (like the other operators' commands), always through
disclosure control, and every export is audited (by ``system (cli)``): the read is
``insights.queries.heatmap_export``, as for the page's download and the API. Columns: docs/data-formats.md.

``colead export weighted --wave WAVE [--output FILE]``: the organisation's score per theme,
unweighted and weighted by staff group, as CSV: the read is
``insights.queries.organisation_scores``, as for the API, with the organisation's page's
figures.

Objectives are exported by their own app: ``colead objectives export``."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from colead.core.actor import Actor
from colead.insights import queries
from colead.insights import results as rs
from colead.lib.errors import ColeadError, Invalid, NotFound
from colead.lib.spreadsheet import FORMATS


class Command(BaseCommand):
    help = (
        "Export survey results: colead export heatmap --wave WAVE --level LEVEL ..., "
        "colead export weighted --wave WAVE "
        "(objectives: colead objectives export --org CODE)"
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
        heatmap = kinds.add_parser(
            "heatmap",
            help="Units at one level × themes: n, score, interval, percent positive, comparison.",
            description="A closed wave's heatmap for the whole organisation, with every "
            "figure that could identify a small group left empty (see the suppressed column).",
        )
        heatmap.add_argument("--wave", required=True, type=int, metavar="WAVE", help="Wave id.")
        heatmap.add_argument(
            "--level",
            required=True,
            metavar="LEVEL",
            help="Which units: a kind of unit (organisation, division, directorate, department "
            "or team: every unit of that kind, wherever it sits), or a depth (0 the "
            "organisation, 1 its divisions, and so on).",
        )
        heatmap.add_argument(
            "--by",
            metavar="BREAKDOWN",
            help="Break each unit down by one of the breakdowns the wave's responses carry: "
            f"{', '.join(rs.BREAKDOWNS)}.",
        )
        heatmap.add_argument("--format", required=True, choices=sorted(FORMATS))
        heatmap.add_argument(
            "--measures",
            choices=rs.MEASURE_SETS,
            default="dimensions",
            help="dimensions (the themes, as on the page; the default) or all (items too).",
        )
        heatmap.add_argument(
            "--output", metavar="FILE", help="Write to FILE (CSV goes to standard output without)."
        )
        weighted = kinds.add_parser(
            "weighted",
            help="The organisation's score per theme, unweighted and weighted by staff group.",
            description="The figures of the organisation's results page, as CSV: each "
            "weighted score withheld, with the reason, unless every staff group's own score "
            "is shown.",
        )
        weighted.add_argument("--wave", required=True, type=int, metavar="WAVE", help="Wave id.")
        weighted.add_argument(
            "--output", metavar="FILE", help="Write to FILE (standard output without)."
        )

    def handle(self, *args, kind, **options):
        if kind == "weighted":
            self._weighted(options["wave"], options["output"])
            return
        fmt, output = options["format"], options["output"]
        if fmt == "xlsx" and not output:
            raise CommandError(
                "An XLSX file cannot go to standard output: give --output FILE.xlsx "
                "(or use --format csv)."
            )
        try:
            export = queries.heatmap_export(
                Actor.system("cli"),
                organisation=None,  # the wave's own: the command line sees every organisation
                wave_id=options["wave"],
                fmt=fmt,
                level=options["level"],
                by=options["by"],
                measures=options["measures"],
            )
        except NotFound as error:
            raise CommandError(f"{error} See colead waves list --org CODE for wave ids.") from None
        except Invalid as error:
            raise CommandError(
                " ".join(f"--{name}: {message}" for name, message in error.errors.items())
            ) from None
        except ColeadError as error:
            raise CommandError(str(error)) from None
        if output:
            Path(output).write_bytes(export.content)
            self.stderr.write(f"Wrote {len(export.lines):,} rows to {output}.")
        else:
            sys.stdout.flush()
            self.stdout.write(export.content.decode("utf-8"), ending="")

    def _weighted(self, wave_id: int, output: str | None) -> None:
        try:
            read = queries.organisation_scores(
                Actor.system("cli"), organisation=None, wave_id=wave_id, fmt="csv"
            )
        except NotFound as error:
            raise CommandError(f"{error} See colead waves list --org CODE for wave ids.") from None
        except ColeadError as error:
            raise CommandError(str(error)) from None
        if output:
            Path(output).write_bytes(read.content)
            self.stderr.write(f"Wrote {len(read.lines):,} rows to {output}.")
        else:
            sys.stdout.flush()
            self.stdout.write(read.content.decode("utf-8"), ending="")
