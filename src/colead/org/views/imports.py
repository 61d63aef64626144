"""Uploading units and workforce files: check, preview the changes, then confirm.

Nothing is written until the admin confirms; the file is held as a PendingUpload in
between, visible only to the person who uploaded it. Every view needs WORKFORCE_IMPORT
over the whole organisation.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from colead.accounts.permissions import has_permission, require_permission
from colead.accounts.roles import Permission
from colead.core import pages
from colead.core.actor import Actor
from colead.lib.formatting import uk_datetime
from colead.lib.table import work_size
from colead.org import services
from colead.org.imports.units import OPTIONAL_COLUMNS as UNIT_OPTIONAL
from colead.org.imports.units import REQUIRED_COLUMNS as UNIT_REQUIRED
from colead.org.imports.workforce import OPTIONAL_COLUMNS as WORKFORCE_OPTIONAL
from colead.org.imports.workforce import REQUIRED_COLUMNS as WORKFORCE_REQUIRED
from colead.org.models import ImportKind, ImportRun, PendingUpload

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
PROBLEMS_SHOWN = 1000  # in the table; the error summary links to the first few
SUMMARY_PROBLEMS = 10
KIND_TEXT = {ImportKind.UNITS: "units", ImportKind.WORKFORCE: "workforce"}


class UploadForm(forms.Form):
    kind = forms.ChoiceField(choices=ImportKind.choices)
    file = forms.FileField(required=False, error_messages={"empty": "The selected file is empty"})

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        upload = cleaned.get("file")
        if kind and not upload:
            self.add_error("file", f"Select a {KIND_TEXT[ImportKind(kind)]} file to upload")
        elif upload is not None:
            if not upload.name.lower().endswith((".csv", ".xlsx")):
                self.add_error("file", "The selected file must be a CSV or XLSX file")
            elif upload.size > MAX_UPLOAD_BYTES:
                self.add_error("file", "The selected file must be smaller than 50 MB")
        return cleaned


def _organisation_wide(request):
    """WORKFORCE_IMPORT held over the whole organisation, not just a unit."""
    if not has_permission(
        request.user, Permission.WORKFORCE_IMPORT, organisation=request.organisation
    ):
        raise PermissionDenied
    return request.organisation


def _pending(request, pk: int) -> PendingUpload:
    """The user's own held upload in the current organisation; anything else is 404."""
    return get_object_or_404(
        PendingUpload.objects.for_org(request.organisation).select_related("organisation"),
        pk=pk,
        uploaded_by=request.user,
    )


def _problem_context(problems, *, kind, filename) -> dict:
    count = len(problems)
    return {
        "problems": problems[:PROBLEMS_SHOWN],
        "problem_count": count,
        "problems_hidden": max(0, count - PROBLEMS_SHOWN),
        "problem_kind": kind,
        "problem_filename": filename,
        "problem_rows": [
            [
                {
                    "text": str(p.row) if p.row is not None else "–",
                    "attributes": {"id": f"problem-{i}"},
                },
                p.column or "(whole file)",
                p.value or "",
                p.message,
                p.fix,
            ]
            for i, p in enumerate(problems[:PROBLEMS_SHOWN], start=1)
        ],
        "problem_summary": [
            {"text": str(problem), "href": f"#problem-{index}"}
            for index, problem in enumerate(problems[:SUMMARY_PROBLEMS], start=1)
        ],
        "page_has_errors": True,
    }


def _index(request, *, form=None, status=200, **extra):
    organisation = request.organisation
    runs = list(
        ImportRun.objects.for_org(organisation).select_related("actor").order_by("-created_at")[:20]
    )
    field_errors = {}
    if form is not None and form.errors.get("file"):
        kind = form.data.get("kind")
        if kind in KIND_TEXT:
            field_errors[kind] = form.errors["file"][0]
    context = {
        "run_rows": [
            [
                uk_datetime(timezone.localtime(run.created_at)),
                run.get_kind_display(),
                run.filename,
                run.actor.email if run.actor else "system (a command or the demo)",
                {"text": f"{run.added:,}", "format": "numeric"},
                {"text": f"{run.updated:,}", "format": "numeric"},
                {"text": f"{run.leavers:,}", "format": "numeric"},
                {"text": f"{run.unchanged:,}", "format": "numeric"},
            ]
            for run in runs
        ],
        "field_errors": field_errors,
        "unit_columns": (UNIT_REQUIRED, UNIT_OPTIONAL),
        "workforce_columns": (WORKFORCE_REQUIRED, WORKFORCE_OPTIONAL),
        "page_has_errors": bool(field_errors),
        "breadcrumbs": [{"text": "Home", "href": "/"}],
        **extra,
    }
    return TemplateResponse(request, "org/imports/index.jinja", context, status=status)


@login_required
@require_permission(Permission.WORKFORCE_IMPORT)
@require_http_methods(["GET", "POST"])
def import_index(request):
    """Recent imports, and the two upload forms. A POST checks the file: its problems are
    shown here; a good file is held and the admin is sent to the preview."""
    organisation = _organisation_wide(request)
    if request.method != "POST":
        return _index(request)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _index(request, form=form)
    kind = form.cleaned_data["kind"]
    upload = form.cleaned_data["file"]
    filename = upload.name
    content = upload.read()
    if work_size(content, filename) > settings.COLEAD_IMPORT_BACKGROUND_BYTES:
        # A large file would hold the request for many seconds: check it in the background.
        pending = services.queue_upload_check(
            organisation=organisation,
            kind=kind,
            filename=filename,
            content=content,
            actor=Actor.from_request(request),
        )
        return redirect("org:import_check", pk=pending.pk)
    try:
        pending, _ = services.hold_upload(
            organisation=organisation,
            kind=kind,
            filename=filename,
            content=content,
            actor=Actor.from_request(request),
        )
    except services.ImportRejected as rejected:
        return _index(request, **_problem_context(rejected.problems, kind=kind, filename=filename))
    return redirect("org:import_preview", pk=pending.pk)


CHECK_REFRESH_SECONDS = 2


@login_required
@require_permission(Permission.WORKFORCE_IMPORT)
@require_http_methods(["GET"])
def import_check(request, pk: int):
    """A file being checked in the background: its progress (the page refreshes itself
    every few seconds, with or without script), then the preview or the problems."""
    _organisation_wide(request)
    pending = _pending(request, pk)
    State = PendingUpload.State
    if pending.state == State.READY:
        return redirect("org:import_preview", pk=pending.pk)
    if pending.state == State.REJECTED:
        problems, count = services.take_rejection(
            pending=pending, actor=Actor.from_request(request)
        )
        context = _problem_context(problems, kind=pending.kind, filename=pending.filename)
        context["problem_count"] = count
        context["problems_hidden"] = max(0, count - len(context["problems"]))
        return _index(request, **context)
    expected = pending.rows_expected
    percent = (
        min(99, int(100 * pending.rows_read / expected)) if expected and pending.rows_read else None
    )
    context = {
        "pending": pending,
        "percent": percent,
        "reading_done": bool(expected) and pending.rows_read >= expected,
        "refresh_seconds": CHECK_REFRESH_SECONDS,
        "breadcrumbs": [
            {"text": "Home", "href": "/"},
            {"text": "Imports", "href": "/org/imports/"},
        ],
    }
    return TemplateResponse(request, "org/imports/checking.jinja", context)


def _still_checking(pending: PendingUpload) -> bool:
    return pending.state != PendingUpload.State.READY


def _changes(changes, protected_changed=False) -> dict:
    """One record's changes, for the preview template's change_list macro to list."""
    return {"changes": changes, "protected_changed": protected_changed}


def _preview_tables(result: services.ImportResult) -> list[dict]:
    """Each list of changes as the NHS.UK table macro wants it; a row's last cell may be
    its changes (a dict), which the template lists."""
    units = result.kind == ImportKind.UNITS
    tables = []

    def add(heading, count, head, rows):
        if count:
            tables.append(
                {
                    "id": heading.lower().replace(" ", "-"),
                    "heading": heading,
                    "count": count,
                    "head": head,
                    "rows": rows,
                    "more": count - len(rows),
                }
            )

    if units:
        add(
            "Units to add",
            result.added,
            ["Code", "Name", "Parent", "Level", "Site"],
            [
                [i["code"], i["name"], i["parent_code"], i["level"], i["site"]]
                for i in result.added_items
            ],
        )
        add(
            "Units to update",
            result.updated,
            ["Code", "Name", "Changes"],
            [[i["code"], i["name"], _changes(i["changes"])] for i in result.updated_items],
        )
        add(
            "Units to deactivate",
            result.leavers,
            ["Code", "Name", "Parent"],
            [[i["code"], i["name"], i["parent_code"]] for i in result.leaver_items],
        )
        return tables
    add(
        "People to add",
        result.added,
        ["Employee number", "Name", "Unit", "Job title", "Band"],
        [
            [i["employee_number"], i["name"], i["unit_code"], i["job_title"], i["band"]]
            for i in result.added_items
        ],
    )
    for heading, count, items in (
        ("People to update", result.updated, result.updated_items),
        ("Returners", result.returned, result.returned_items),
    ):
        add(
            heading,
            count,
            ["Employee number", "Name", "Changes"],
            [
                [
                    i["employee_number"],
                    i["name"],
                    _changes(i["changes"], i["protected_changed"])
                    if i["changes"] or i["protected_changed"]
                    else "Returning (no other changes)",
                ]
                for i in items
            ],
        )
    add(
        "Leavers",
        result.leavers,
        ["Employee number", "Name", "Unit", "Job title"],
        [
            [i["employee_number"], i["name"], i["unit_code"], i["job_title"]]
            for i in result.leaver_items
        ],
    )
    return tables


@login_required
@require_permission(Permission.WORKFORCE_IMPORT)
@require_http_methods(["GET"])
def import_preview(request, pk: int):
    """What the held file would change, for the admin to confirm or cancel."""
    _organisation_wide(request)
    pending = _pending(request, pk)
    if _still_checking(pending):
        return redirect("org:import_check", pk=pending.pk)
    try:
        result = services.preview_upload(pending=pending, actor=Actor.from_request(request))
    except services.ImportRejected as rejected:
        services.discard_upload(pending=pending, actor=Actor.from_request(request))
        return _index(
            request,
            stale=True,
            **_problem_context(rejected.problems, kind=pending.kind, filename=pending.filename),
        )
    return _preview(request, pending, result)


def _preview(request, pending, result, *, errors: dict[str, str] | None = None):
    """The preview page; ``errors``: why confirming was refused (a mass of leavers not
    confirmed separately), shown in its error summary with a 400."""
    context = {
        "pending": pending,
        "result": result,
        "tables": _preview_tables(result),
        "leavers_percent_limit": settings.COLEAD_IMPORT_LEAVERS_PERCENT,
        **pages.error_context(
            errors or {}, {services.LEAVERS_CONFIRMATION: services.LEAVERS_CONFIRMATION}
        ),
        "breadcrumbs": [
            {"text": "Home", "href": "/"},
            {"text": "Imports", "href": "/org/imports/"},
        ],
    }
    return TemplateResponse(
        request, "org/imports/preview.jinja", context, status=400 if errors else 200
    )


@login_required
@require_permission(Permission.WORKFORCE_IMPORT)
@require_POST
def import_confirm(request, pk: int):
    """Apply the held file (checked again against the current records)."""
    _organisation_wide(request)
    pending = _pending(request, pk)
    if _still_checking(pending):
        return redirect("org:import_check", pk=pending.pk)
    filename, kind = pending.filename, pending.kind
    actor = Actor.from_request(request)
    # The separate confirmation an import marking many people as leavers needs (the
    # preview's checkbox); the service refuses such a file without it.
    allow_leavers = request.POST.get(services.LEAVERS_CONFIRMATION) == "yes"
    try:
        result = services.confirm_upload(pending=pending, actor=actor, allow_leavers=allow_leavers)
    except services.ImportRejected as rejected:
        services.discard_upload(pending=pending, actor=actor)
        return _index(
            request, stale=True, **_problem_context(rejected.problems, kind=kind, filename=filename)
        )
    except services.LeaversNotConfirmed as refused:
        preview = services.preview_upload(pending=pending, actor=actor)
        message = (
            f"Tick the box to confirm that you understand {refused.leavers:,} people will be "
            "marked as leavers"
        )
        return _preview(request, pending, preview, errors={services.LEAVERS_CONFIRMATION: message})
    if result.no_changes:
        text = f"{filename} matched the current records: nothing changed."
    else:
        text = f"Imported {filename}. {result.summary_line()}"
    messages.success(request, text)
    return redirect("org:import_index")


@login_required
@require_permission(Permission.WORKFORCE_IMPORT)
@require_POST
def import_cancel(request, pk: int):
    """Discard the held file without importing it."""
    _organisation_wide(request)
    pending = _pending(request, pk)
    filename = pending.filename
    services.discard_upload(pending=pending, actor=Actor.from_request(request))
    messages.info(request, f"Cancelled: {filename} was not imported.")
    return redirect("org:import_index")
