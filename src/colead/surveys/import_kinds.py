"""surveys' kind for ``colead import``: responses gathered elsewhere (registered in
``SurveysConfig.ready()``; see colead.org.import_registry)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from colead.org import import_registry


def _add_arguments(sub) -> None:
    sub.add_argument("--wave", required=True, type=int, metavar="WAVE", help="The wave's id.")
    sub.add_argument(
        "--map",
        metavar="MAPPING",
        help="A .csv or .xlsx file with columns external_code,item_code that renames the "
        "file's own question codes (like q2a) to item codes.",
    )
    sub.add_argument("--dry-run", action="store_true", help="Check the files only; write nothing.")


def _import_responses(command, path: Path, content: bytes, options, actor) -> None:
    # Imported when the command runs, so registering the kind at start-up stays cheap.
    from colead.lib.errors import ColeadError
    from colead.lib.problems import ImportRejected
    from colead.surveys.imports import import_responses
    from colead.surveys.models import Wave

    wave, dry_run = options["wave"], options["dry_run"]
    found = Wave.objects.select_related("organisation").filter(pk=wave).first()
    if found is None:
        raise CommandError(f"There is no wave {wave}. See colead waves list --org CODE.")
    mapping_content = mapping_name = None
    if options.get("map"):
        mapping_path = Path(options["map"])
        if not mapping_path.is_file():
            raise CommandError(f"There is no mapping file {options['map']}.")
        mapping_content, mapping_name = mapping_path.read_bytes(), mapping_path.name
    command.stdout.write(
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
            actor=actor,
            dry_run=dry_run,
        )
    except ImportRejected:
        raise  # `colead import` prints every problem of the file
    except ColeadError as error:
        raise CommandError(str(error)) from None
    hidden = result.hidden_line()
    if hidden:
        command.stdout.write(hidden)
    if dry_run:
        command.stdout.write("Dry run: nothing was written.")
    command.stdout.write(result.summary_line())


def register_kinds() -> None:
    import_registry.register(
        import_registry.ImportKind(
            name="responses",
            help="Survey responses gathered elsewhere: unit_code, staff_group, band, item codes.",
            description="Import survey responses gathered elsewhere (paper forms, a local NHS "
            "Staff Survey extract) into an open or closed wave. All or nothing.",
            add_arguments=_add_arguments,
            handle=_import_responses,
            order=30,
        )
    )
