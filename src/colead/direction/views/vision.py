"""The vision forms: the approved vision and the draft, writing or revising the draft, and
the board's approval. As with the objective forms (``objective_forms``), the vision is read
through colead.direction.queries.vision and every write is a colead.direction.services
function, the same as the API's: a refusal there is a 403 here, and a bad value is shown
on the form with the NHS.UK error summary (core.pages)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from colead.accounts.permissions import has_permission, require_permission
from colead.accounts.roles import Permission
from colead.core import pages
from colead.direction import forms, queries, services
from colead.direction.models import Vision
from colead.direction.views.common import actor_of, crumbs, thread_crumb
from colead.lib.errors import ColeadError

# --- The vision ------------------------------------------------------------------------------


def _vision_row(vision: Vision | None) -> dict | None:
    if vision is None:
        return None
    approver = vision.approved_by
    return {
        "version": vision.version,
        "vision": vision.vision,
        "mission": vision.mission,
        "core_values": vision.values,  # (not "values": that is a dict's method in Jinja)
        "approved_on": vision.approved_on,
        "approved_by": approver.get_full_name() if approver is not None else "",
        "approval_note": vision.approval_note,
        "updated_at": vision.updated_at,
        "stamp": vision.updated_at.isoformat(),
    }


APPROVAL_FIELD_IDS = {"approved_on": "approved-day", "note": "note", "confirm": "confirm"}


def _vision_context(request, *, approval=None, approval_errors=None) -> dict:
    state = queries.vision(actor=actor_of(request), organisation=request.organisation)
    today = timezone.localdate()
    return {
        "current": _vision_row(state.current),
        "draft": _vision_row(state.draft),
        "can_manage": state.can_manage,
        "can_approve": state.can_approve,
        "approval": approval
        or {"approved": forms.stored_date_parts(today), "note": "", "confirm": False},
        **pages.error_context(approval_errors or {}, APPROVAL_FIELD_IDS),
        "today": today,
        "breadcrumbs": crumbs(thread_crumb()),
    }


@login_required
@require_http_methods(["GET"])
@require_permission(Permission.ORG_VIEW)
def vision(request):
    """The vision, mission and values as the board last approved them, for everyone; and,
    for those who draft or approve it, a newer draft with the board's approval form."""
    return TemplateResponse(request, "direction/vision.jinja", _vision_context(request))


def _require_org_wide(request, permission) -> None:
    if not has_permission(request.user, permission, organisation=request.organisation):
        raise PermissionDenied


# ("core_values", not "values": in Jinja that is a dict's method.)
VISION_FIELD_IDS = {"vision": "vision", "mission": "mission", "core_values": "value-1-name"}


def _vision_field_ids(rows) -> dict[str, str]:
    ids = dict(VISION_FIELD_IDS)
    for row in rows:
        for part in ("name", "description"):
            key = f"value-{row['number']}-{part}"
            ids[key] = key
    return ids


@login_required
@require_http_methods(["GET", "POST"])
@require_permission(Permission.VISION_MANAGE)
def vision_edit(request):
    """Write or revise the draft of the vision (the board and OD leads): changes to the
    latest draft, or a new version when the latest is approved."""
    _require_org_wide(request, Permission.VISION_MANAGE)
    organisation = request.organisation
    draft = queries.latest_draft(organisation)
    errors: dict[str, str] = {}
    adding = False
    if request.method == "POST":
        reading = forms.read_vision(request.POST)
        posted = reading.posted
        # "Add another value" shows the form again with one more row, saving nothing.
        adding = "add_value" in request.POST
        if not adding:
            errors = dict(reading.errors)
        if not adding and not errors:
            try:
                saved = services.save_vision_draft(
                    organisation=organisation,
                    vision=reading.values["vision"],
                    mission=reading.values["mission"],
                    values=reading.values["values"],
                    draft=draft,
                    actor=actor_of(request),
                )
            except ColeadError as error:
                errors = pages.form_errors(error, fallback="vision")
                if "values" in errors:
                    errors["core_values"] = errors.pop("values")
            else:
                messages.success(
                    request,
                    f"Draft version {saved.version} saved. The board approves it on this page.",
                )
                return redirect("direction:vision")
    else:
        posted = forms.vision_posted(draft or queries.current_vision(organisation))
    rows = forms.value_rows(posted["rows"], add=adding)
    ids = _vision_field_ids(rows)
    # A message about a field the form does not show goes on the vision.
    errors = {(name if name in ids else "vision"): message for name, message in errors.items()}
    current = queries.current_vision(organisation)
    context = {
        "posted": posted,
        "rows": rows,
        "focus_row": len(posted["rows"]) + 1 if adding else None,
        "can_add": len(rows) < forms.MAX_VALUES,
        **pages.error_context(errors, ids),
        "draft_version": draft.version if draft else None,
        "current_version": current.version if current else None,
        "breadcrumbs": crumbs(
            thread_crumb(), {"text": "Vision", "href": reverse("direction:vision")}
        ),
    }
    return TemplateResponse(request, "direction/vision_form.jinja", context)


@login_required
@require_POST
@require_permission(Permission.VISION_APPROVE)
def vision_approve(request):
    """The board approves the draft it was shown, on the date of its meeting."""
    _require_org_wide(request, Permission.VISION_APPROVE)
    organisation = request.organisation
    reading = forms.read_approval(request.POST, today=timezone.localdate())
    errors = dict(reading.errors)
    draft = queries.latest_draft(organisation)
    version = request.POST.get("version", "")
    if draft is None or str(draft.version) != version:
        errors = {"confirm": "There is no draft to approve: it may have been approved already."}
    elif request.POST.get("stamp", "") != draft.updated_at.isoformat():
        errors = {
            "confirm": "The draft has changed since you opened this page: read it again, "
            "then approve it."
        }
    if not errors:
        try:
            services.approve_vision(
                vision=draft,
                approved_on=reading.values["approved_on"],
                note=reading.values["note"],
                actor=actor_of(request),
            )
        except ColeadError as error:
            errors = pages.form_errors(error, fallback="confirm", shown=APPROVAL_FIELD_IDS)
        else:
            messages.success(
                request,
                f"Version {draft.version} approved: it is now the vision on everyone’s home page.",
            )
            return redirect("direction:vision")
    context = _vision_context(request, approval=reading.posted, approval_errors=errors)
    return TemplateResponse(request, "direction/vision.jinja", context)
