"""``colead import KIND FILE ...``: import a CSV or XLSX file of one of the registered kinds.

The kinds are registered by the apps that own them (colead.org.import_registry), so org
imports no app above it:

* ``units``, ``workforce`` (org): ``colead import units|workforce FILE --org CODE``;
* ``responses`` (surveys): survey responses gathered elsewhere (paper forms, a local NHS
  Staff Survey extract) into a launched wave, ``--wave WAVE [--map MAPPING]``;
* ``objectives`` (direction): objectives at every level, added or updated by code.

Every problem in the file is printed (one line each, to stderr) and nothing is written;
the command then exits with status 1. Otherwise it ends with a one-line summary:
``Added 12, updated 3, leavers 2, unchanged 5,983.`` See docs/data-formats.md.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from colead.core.actor import Actor
from colead.org import import_registry
from colead.org.services import ImportRejected


class Command(BaseCommand):
    help = (
        "Import an organisation's units, workforce or objectives, or a wave's survey "
        "responses, from a CSV or XLSX file (colead import -h lists every kind)."
    )
    # An import is often run in a loop or by cron; the system checks add a second of
    # start-up for nothing the command relies on.
    requires_system_checks = []

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
        for kind in import_registry.kinds():
            sub = subparsers.add_parser(kind.name, help=kind.help, description=kind.description)
            sub.add_argument("file", metavar="FILE", help="A .csv (UTF-8) or .xlsx file.")
            kind.add_arguments(sub)

    def handle(self, *args, kind, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"There is no file {file}.")
        content = path.read_bytes()
        try:
            import_registry.get(kind).handle(self, path, content, options, Actor.system("cli"))
        except ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            self.stderr.write(str(rejected))
            sys.exit(1)
