"""``colead org summary --org CODE [--json]``: an organisation's headline counts.

Prints people, units by level, people by staff group and band, leaders and leadership
posts (colead.org.queries.summary, the API's read, as colead itself): as JSON with --json,
else as a table.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from colead.core.actor import Actor
from colead.org import queries
from colead.org.models import Organisation


class Command(BaseCommand):
    help = "Organisation commands: `summary` prints an organisation's headline counts."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        summary = actions.add_parser(
            "summary",
            help="Counts of people, units, staff groups, bands, leaders and posts.",
            description="Counts of an organisation's current people and active units.",
        )
        summary.add_argument("--org", required=True, metavar="CODE", help="Organisation code.")
        summary.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args, action, org, json=False, **options):
        organisation = Organisation.objects.filter(code=org.strip().upper()).first()
        if organisation is None:
            codes = list(Organisation.objects.order_by("code").values_list("code", flat=True)[:20])
            known = f" Known codes: {', '.join(codes)}." if codes else " There are none yet."
            raise CommandError(f'There is no organisation with the code "{org}".{known}')
        summary = queries.summary(Actor.system("cli"), organisation)
        if json:
            self.stdout.write(_json_dumps(summary))
        else:
            self.stdout.write(format_summary(summary))


def _json_dumps(summary: dict) -> str:
    return json.dumps(summary, indent=2, ensure_ascii=False)


def format_summary(summary: dict) -> str:
    people = summary["people_total"]
    posts = summary["leadership_posts"]

    def share(n):
        return f"{100 * n / people:5.1f}%" if people else ""

    def table(rows, with_share=False):
        width = max((len(label) for label, _ in rows), default=0)
        return [
            f"  {label.ljust(width)}  {value:>7,}" + (f"  {share(value)}" if with_share else "")
            for label, value in rows
        ]

    lines = [f"{summary['name']} ({summary['organisation']})", ""]
    lines += table(
        [
            ("People (current)", people),
            ("Units (active)", summary["units_total"]),
            ("Leaders", summary["leaders"]),
            ("Leadership posts filled", posts["filled"]),
            ("Leadership posts vacant", posts["vacant"]),
            ("  of which critical", posts["critical_vacant"]),
        ]
    )
    lines += ["", "Units by level"]
    lines += table([(level.title(), n) for level, n in summary["units_by_level"].items()])
    lines += ["", "People by staff group"]
    lines += table(list(summary["people_by_staff_group"].items()), with_share=True)
    lines += ["", "People by band"]
    lines += table(list(summary["people_by_band"].items()), with_share=True)
    return "\n".join(lines)
