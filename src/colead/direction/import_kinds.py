"""direction's kind for ``colead import``: objectives at every level (registered in
``DirectionConfig.ready()``; see colead.org.import_registry)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from colead.org import import_registry


def _add_arguments(sub) -> None:
    sub.add_argument("--org", required=True, metavar="CODE", help="Organisation code.")
    sub.add_argument(
        "--dry-run", action="store_true", help="Check the file and show the changes only."
    )
    sub.add_argument(
        "--list", action="store_true", help="List the changes, up to 200 of each kind."
    )


def _import_objectives(command, path: Path, content: bytes, options, actor) -> None:
    # Imported when the command runs, so registering the kind at start-up stays cheap.
    from colead.direction.services import import_objectives
    from colead.org.models import Organisation

    org, dry_run = options["org"], options["dry_run"]
    organisation = Organisation.objects.filter(code=org).first()
    if organisation is None:
        raise CommandError(
            f"There is no organisation with the code {org}. Import its units and workforce first."
        )
    command.stdout.write(
        f"{'Checking' if dry_run else 'Importing'} objectives from {path.name} into "
        f"{organisation.name} ({organisation.code})."
    )
    result = import_objectives(
        organisation=organisation,
        content=content,
        filename=path.name,
        actor=actor,
        dry_run=dry_run,
    )
    if options.get("list") or options.get("verbosity", 1) >= 2:
        for item in result.added_items:
            command.stdout.write(f"  added     {item['code']}  {item['title']}")
        for item in result.updated_items:
            changes = "; ".join(f"{name}: {old} -> {new}" for name, old, new in item["changes"])
            command.stdout.write(f"  updated   {item['code']}  {item['title']}  ({changes})")
    if result.agreements_recorded:
        command.stdout.write(
            f"{result.agreements_recorded:,} agreement(s) recorded from the file's statuses."
        )
    if dry_run:
        command.stdout.write("Dry run: nothing was written.")
    if result.no_changes:
        command.stdout.write("No changes: the file matches the current objectives.")
    command.stdout.write(result.summary_line())


def register_kinds() -> None:
    import_registry.register(
        import_registry.ImportKind(
            name="objectives",
            help="Objectives: objective_code,title,level_unit_code,owner_employee_number,...",
            description="Add and update objectives at every level, by objective_code. "
            "Objectives not in the file are left as they are. All or nothing.",
            add_arguments=_add_arguments,
            handle=_import_objectives,
            order=40,
        )
    )
