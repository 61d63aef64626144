"""org's kinds for ``colead import``: the unit structure and the workforce
(registered in ``OrgConfig.ready()``; see colead.org.import_registry)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError
from django.db import transaction

from colead.core.actor import Actor
from colead.lib.errors import ColeadError
from colead.org import import_registry, reference
from colead.org.models import Organisation
from colead.org.services import (
    LEAVERS_CONFIRMATION,
    ImportResult,
    LeaversNotConfirmed,
    create_organisation,
    import_units,
    import_workforce,
)


def _add_common(sub) -> None:
    sub.add_argument("--org", required=True, metavar="CODE", help="Organisation code.")
    sub.add_argument(
        "--dry-run", action="store_true", help="Check the file and show the changes only."
    )
    sub.add_argument(
        "--list",
        action="store_true",
        help="List the changes, up to 200 of each kind (also with -v 2).",
    )


def _add_units_arguments(sub) -> None:
    _add_common(sub)
    sub.add_argument(
        "--create",
        action="store_true",
        help="Create the organisation first if it does not exist (needs --name, --sector).",
    )
    sub.add_argument("--name", help="The new organisation's name (with --create).")
    sub.add_argument(
        "--sector",
        help=f"The new organisation's sector (with --create): {', '.join(reference.SECTORS)}.",
    )


def _add_workforce_arguments(sub) -> None:
    _add_common(sub)
    sub.add_argument(
        "--allow-leavers",
        action="store_true",
        help="Apply the file even if it marks more than COLEAD_IMPORT_LEAVERS_PERCENT "
        "(default 10 %%) of current staff as leavers.",
    )


def _import_units(command, path: Path, content: bytes, options, actor: Actor) -> None:
    _import_org_file(command, "units", path, content, options, actor)


def _import_workforce(command, path: Path, content: bytes, options, actor: Actor) -> None:
    _import_org_file(command, "workforce", path, content, options, actor)


def _import_org_file(command, kind: str, path: Path, content: bytes, options, actor) -> None:
    dry_run = options["dry_run"]
    service = import_units if kind == "units" else import_workforce
    extra = {} if kind == "units" else {"allow_leavers": options["allow_leavers"]}
    with transaction.atomic():
        organisation, created = _organisation(command, kind, options, actor)
        command.stdout.write(
            f"{'Checking' if dry_run else 'Importing'} {kind} from {path.name} "
            f"into {organisation.name} ({organisation.code})."
        )
        # ImportRejected leaves this block and so rolls back an organisation made by --create.
        try:
            result = service(
                organisation=organisation,
                content=content,
                filename=path.name,
                actor=actor,
                dry_run=dry_run,
                **extra,
            )
        except LeaversNotConfirmed as error:
            raise CommandError(
                f"{error.errors[LEAVERS_CONFIRMATION]} Nothing was written. To apply it, run "
                "the same command again with --allow-leavers."
            ) from None
        if dry_run and created:
            transaction.set_rollback(True)
    _report(command, result, list_changes=options["list"] or options.get("verbosity", 1) >= 2)


def _organisation(command, kind, options, actor: Actor) -> tuple[Organisation, bool]:
    code = options["org"]
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
                code=code, name=options["name"], sector=options["sector"], actor=actor
            )
        except ColeadError as error:
            raise CommandError(str(error)) from None
        command.stdout.write(f"Created the organisation {organisation.name} ({code}).")
        return organisation, True
    hint = (
        " To create it, add --create --name NAME --sector SECTOR."
        if kind == "units"
        else " Import its units first (colead import units FILE --org CODE --create ...)."
    )
    raise CommandError(f"There is no organisation with the code {code}.{hint}")


def _report(command, result: ImportResult, *, list_changes: bool) -> None:
    if list_changes:
        for line in _detail_lines(result):
            command.stdout.write(line)
    if result.posts_vacated:
        command.stdout.write(
            f"{result.posts_vacated:,} leadership post(s) fell vacant because their holder left."
        )
    if result.dry_run:
        command.stdout.write("Dry run: nothing was written.")
        if result.leavers_need_confirmation:
            command.stdout.write(
                f"{result.leavers:,} people ({result.leavers_percent:.0f} % of current staff) "
                "would be marked as leavers: applying it needs --allow-leavers."
            )
    if result.no_changes:
        command.stdout.write("No changes: the file matches the current records.")
    command.stdout.write(result.summary_line())


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


def register_kinds() -> None:
    import_registry.register(
        import_registry.ImportKind(
            name="units",
            help="The unit structure: unit_code,name,parent_code,level,site.",
            description="Import the whole unit structure. Units missing from the file are "
            "deactivated.",
            add_arguments=_add_units_arguments,
            handle=_import_units,
            order=10,
        )
    )
    import_registry.register(
        import_registry.ImportKind(
            name="workforce",
            help="The people: employee_number,first_name,last_name,... (see docs).",
            description="Import the whole workforce. Current people missing from the file "
            "are marked as leavers.",
            add_arguments=_add_workforce_arguments,
            handle=_import_workforce,
            order=20,
        )
    )
