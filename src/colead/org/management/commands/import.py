"""``colead import units|workforce FILE --org CODE``: import a CSV or XLSX file.
``colead import responses FILE --wave WAVE [--map MAPPING]``: survey responses gathered
elsewhere (paper forms, a local NHS Staff Survey extract) into a launched wave.
``colead import objectives FILE --org CODE``: objectives at every level, added or updated by
code (colead.direction.services.import_objectives).

Every problem in the file is printed (one line each, to stderr) and nothing is written;
the command then exits with status 1. Otherwise it ends with a one-line summary:
``Added 12, updated 3, leavers 2, unchanged 5,983.`` See docs/data-formats.md.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from colead.org import reference
from colead.org.models import Organisation
from colead.org.services import (
    ImportRejected,
    ImportResult,
    create_organisation,
    import_units,
    import_workforce,
)


class Command(BaseCommand):
    help = (
        "Import an organisation's units, workforce or objectives, or a wave's survey "
        "responses, from a CSV or XLSX file."
    )
    # An import is often run in a loop or by cron; the system checks add a second of
    # start-up for nothing the command relies on.
    requires_system_checks = []

    def add_arguments(self, parser):
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
        units = kinds.add_parser(
            "units",
            help="The unit structure: unit_code,name,parent_code,level,site.",
            description="Import the whole unit structure. Units missing from the file are "
            "deactivated.",
        )
        workforce = kinds.add_parser(
            "workforce",
            help="The people: employee_number,first_name,last_name,... (see docs).",
            description="Import the whole workforce. Current people missing from the file "
            "are marked as leavers.",
        )
        for sub in (units, workforce):
            sub.add_argument("file", metavar="FILE", help="A .csv (UTF-8) or .xlsx file.")
            sub.add_argument("--org", required=True, metavar="CODE", help="Organisation code.")
            sub.add_argument(
                "--dry-run", action="store_true", help="Check the file and show the changes only."
            )
            sub.add_argument(
                "--list",
                action="store_true",
                help="List the changes, up to 200 of each kind (also with -v 2).",
            )
        responses = kinds.add_parser(
            "responses",
            help="Survey responses gathered elsewhere: unit_code, staff_group, band, item codes.",
            description="Import survey responses gathered elsewhere (paper forms, a local NHS "
            "Staff Survey extract) into an open or closed wave. All or nothing.",
        )
        responses.add_argument("file", metavar="FILE", help="A .csv (UTF-8) or .xlsx file.")
        responses.add_argument(
            "--wave", required=True, type=int, metavar="WAVE", help="The wave's id."
        )
        responses.add_argument(
            "--map",
            metavar="MAPPING",
            help="A .csv or .xlsx file with columns external_code,item_code that renames the "
            "file's own question codes (like q2a) to item codes.",
        )
        responses.add_argument(
            "--dry-run", action="store_true", help="Check the files only; write nothing."
        )
        objectives = kinds.add_parser(
            "objectives",
            help="Objectives: objective_code,title,level_unit_code,owner_employee_number,...",
            description="Add and update objectives at every level, by objective_code. "
            "Objectives not in the file are left as they are. All or nothing.",
        )
        objectives.add_argument("file", metavar="FILE", help="A .csv (UTF-8) or .xlsx file.")
        objectives.add_argument("--org", required=True, metavar="CODE", help="Organisation code.")
        objectives.add_argument(
            "--dry-run", action="store_true", help="Check the file and show the changes only."
        )
        objectives.add_argument(
            "--list", action="store_true", help="List the changes, up to 200 of each kind."
        )
        units.add_argument(
            "--create",
            action="store_true",
            help="Create the organisation first if it does not exist (needs --name, --sector).",
        )
        units.add_argument("--name", help="The new organisation's name (with --create).")
        units.add_argument(
            "--sector",
            help=f"The new organisation's sector (with --create): {', '.join(reference.SECTORS)}.",
        )

    def handle(self, *args, kind, file, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"There is no file {file}.")
        content = path.read_bytes()
        if kind == "responses":
            return self._responses(path, content, dry_run=dry_run, **options)
        if kind == "objectives":
            return self._objectives(path, content, dry_run=dry_run, **options)
        org = options["org"]
        service = import_units if kind == "units" else import_workforce
        try:
            with transaction.atomic():
                organisation, created = self._organisation(kind, org, options)
                self.stdout.write(
                    f"{'Checking' if dry_run else 'Importing'} {kind} from {path.name} "
                    f"into {organisation.name} ({organisation.code})."
                )
                result = service(
                    organisation=organisation,
                    content=content,
                    filename=path.name,
                    actor=None,
                    dry_run=dry_run,
                )
                if dry_run and created:
                    transaction.set_rollback(True)
        except ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            self.stderr.write(str(rejected))
            sys.exit(1)
        self._report(result, list_changes=options["list"] or options.get("verbosity", 1) >= 2)

    def _responses(self, path: Path, content: bytes, *, wave, dry_run, **options):
        from colead.surveys.imports import SurveyError, import_responses
        from colead.surveys.models import Wave

        found = Wave.objects.select_related("organisation").filter(pk=wave).first()
        if found is None:
            raise CommandError(f"There is no wave {wave}. See colead waves list --org CODE.")
        mapping_content = mapping_name = None
        if options.get("map"):
            mapping_path = Path(options["map"])
            if not mapping_path.is_file():
                raise CommandError(f"There is no mapping file {options['map']}.")
            mapping_content, mapping_name = mapping_path.read_bytes(), mapping_path.name
        self.stdout.write(
            f"{'Checking' if dry_run else 'Importing'} responses from {path.name} into wave "
            f"{found.pk} ({found.title}, {found.organisation.code})."
        )
        try:
            result = import_responses(
                wave=found,
                content=content,
                filename=path.name,
                mapping_content=mapping_content,
                mapping_filename=mapping_name or "mapping.csv",
                actor=None,
                dry_run=dry_run,
            )
        except ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            self.stderr.write(str(rejected))
            sys.exit(1)
        except SurveyError as error:
            raise CommandError(str(error)) from None
        hidden = result.hidden_line()
        if hidden:
            self.stdout.write(hidden)
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        self.stdout.write(result.summary_line())

    def _objectives(self, path: Path, content: bytes, *, org, dry_run, **options):
        from colead.direction.services import import_objectives

        organisation = Organisation.objects.filter(code=org).first()
        if organisation is None:
            raise CommandError(
                f"There is no organisation with the code {org}. Import its units and "
                "workforce first."
            )
        self.stdout.write(
            f"{'Checking' if dry_run else 'Importing'} objectives from {path.name} into "
            f"{organisation.name} ({organisation.code})."
        )
        try:
            result = import_objectives(
                organisation=organisation,
                content=content,
                filename=path.name,
                actor=None,
                dry_run=dry_run,
            )
        except ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            self.stderr.write(str(rejected))
            sys.exit(1)
        if options.get("list") or options.get("verbosity", 1) >= 2:
            for item in result.added_items:
                self.stdout.write(f"  added     {item['code']}  {item['title']}")
            for item in result.updated_items:
                changes = "; ".join(f"{name}: {old} -> {new}" for name, old, new in item["changes"])
                self.stdout.write(f"  updated   {item['code']}  {item['title']}  ({changes})")
        if result.agreements_recorded:
            self.stdout.write(
                f"{result.agreements_recorded:,} agreement(s) recorded from the file's statuses."
            )
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        if result.no_changes:
            self.stdout.write("No changes: the file matches the current objectives.")
        self.stdout.write(result.summary_line())

    def _organisation(self, kind, code, options) -> tuple[Organisation, bool]:
        organisation = Organisation.objects.filter(code=code).first()
        if organisation is not None:
            return organisation, False
        if kind == "units" and options.get("create"):
            if not options.get("name") or not options.get("sector"):
                raise CommandError(
                    "--create needs --name and --sector, for example: --create --name "
                    f'"Example NHS Foundation Trust" --sector acute. Sectors: '
                    f"{', '.join(reference.SECTORS)}."
                )
            try:
                organisation = create_organisation(
                    code=code, name=options["name"], sector=options["sector"], actor=None
                )
            except ValueError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"Created the organisation {organisation.name} ({code}).")
            return organisation, True
        hint = (
            " To create it, add --create --name NAME --sector SECTOR."
            if kind == "units"
            else " Import its units first (colead import units FILE --org CODE --create ...)."
        )
        raise CommandError(f"There is no organisation with the code {code}.{hint}")

    def _report(self, result: ImportResult, *, list_changes: bool) -> None:
        if list_changes:
            for line in _detail_lines(result):
                self.stdout.write(line)
        if result.posts_vacated:
            self.stdout.write(
                f"{result.posts_vacated:,} leadership post(s) fell vacant because their "
                "holder left."
            )
        if result.dry_run:
            self.stdout.write("Dry run: nothing was written.")
        if result.no_changes:
            self.stdout.write("No changes: the file matches the current records.")
        self.stdout.write(result.summary_line())


def _detail_lines(result: ImportResult):
    key = "code" if result.kind == "units" else "employee_number"
    for item in result.added_items:
        yield f"  added     {item[key]}  {item['name']}"
    for label, items in (("updated", result.updated_items), ("returned", result.returned_items)):
        for item in items:
            changes = "; ".join(f"{name}: {old} -> {new}" for name, old, new in item["changes"])
            if item.get("protected_changed"):
                changes = "; ".join(filter(None, [changes, "protected characteristics changed"]))
            yield f"  {label:<9} {item[key]}  {item['name']}" + (
                f"  ({changes})" if changes else ""
            )
    for item in result.leaver_items:
        yield f"  {result.leavers_label:<9} {item[key]}  {item['name']}"
