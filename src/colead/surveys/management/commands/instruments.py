"""``colead instruments validate FILE`` and ``colead instruments import FILE --org CODE``."""

import sys

from django.core.management.base import BaseCommand, CommandError

from colead.core.actor import Actor
from colead.lib.errors import ColeadError
from colead.org.models import Organisation
from colead.surveys import definitions, services


class Command(BaseCommand):
    help = "Validate, import and list survey instruments (YAML files; see docs/instruments.md)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        validate = actions.add_parser(
            "validate", help="Check an instrument file; list every problem."
        )
        validate.add_argument("file", metavar="FILE")
        do_import = actions.add_parser("import", help="Import an instrument into an organisation.")
        do_import.add_argument("file", metavar="FILE", nargs="?")
        do_import.add_argument("--org", required=True, metavar="CODE")
        do_import.add_argument(
            "--builtin", action="store_true", help="Import all the built-in instruments."
        )
        listing = actions.add_parser("list", help="List an organisation's instruments.")
        listing.add_argument("--org", required=True, metavar="CODE")

    def handle(self, *args, action, **options):
        getattr(self, f"handle_{action}")(**options)

    def _load(self, file):
        try:
            return definitions.load_instrument(file)
        except definitions.InstrumentInvalid as invalid:
            for problem in invalid.problems:
                self.stderr.write(str(problem))
            count = len(invalid.problems)
            self.stderr.write(f"{count} problem{'s' if count != 1 else ''} found.")
            sys.exit(1)

    def handle_validate(self, file, **options):
        instrument = self._load(file)
        self.stdout.write(
            f"{file} is valid: {instrument.code} version {instrument.version}, "
            f"{len(instrument.items)} items, {len(instrument.dimensions)} dimensions."
        )

    def _organisation(self, code):
        organisation = Organisation.objects.filter(code=code).first()
        if organisation is None:
            raise CommandError(f"There is no organisation with code {code}.")
        return organisation

    def handle_import(self, file, org, builtin, **options):
        organisation = self._organisation(org)
        if builtin:
            instruments = definitions.builtin_instruments()
        elif file:
            instruments = [self._load(file)]
        else:
            raise CommandError("Give a FILE, or --builtin.")
        for instrument in instruments:
            try:
                version, created = services.import_instrument(
                    organisation=organisation, instrument=instrument, actor=Actor.system("cli")
                )
            except ColeadError as error:
                raise CommandError(str(error)) from None
            verb = "Imported" if created else "Already up to date:"
            self.stdout.write(f"{verb} {version.code} version {version.version} ({version.title}).")

    def handle_list(self, org, **options):
        organisation = self._organisation(org)
        for version in organisation.instruments.order_by("code", "-version"):
            self.stdout.write(f"{version.code}@{version.version}\t{version.title}")
