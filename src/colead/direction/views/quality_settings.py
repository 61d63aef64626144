"""The organisation's quality rules for objectives (``/direction/settings/``): the challenge
margin, the priority-thicket limit and the days without a check-in after which an objective
is stale. For those who manage objectives across the whole organisation (OD leads and
organisation admins: ``services.may_change_quality_settings``); the board sees the rules in
force on the coverage dashboard but does not set them. Saved through
``services.save_quality_settings``, which checks the ranges and writes the audit event."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from colead.accounts.permissions import require_permission
from colead.accounts.roles import Permission
from colead.core import pages
from colead.direction import queries, services
from colead.direction.quality import DEFAULT_SETTINGS
from colead.direction.views.common import actor_of
from colead.lib.errors import ColeadError

FIELD_IDS = {
    "challenge_margin": "challenge-margin",
    "thicket_limit": "thicket-limit",
    "stale_days": "stale-days",
}


def _percent_text(fraction: float) -> str:
    """A fraction as the percentage typed on the form: 0.05 -> "5", 0.125 -> "12.5"."""
    text = f"{fraction * 100:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def _shown(settings) -> dict[str, str]:
    return {
        "challenge_margin": _percent_text(settings.challenge_margin),
        "thicket_limit": str(settings.thicket_limit),
        "stale_days": str(settings.stale_days),
    }


def _read(post) -> tuple[dict[str, str], dict, dict[str, str]]:
    """(what was typed, the values for the service, errors of form). The margin is typed as
    a percentage ("5" or "5%") and handed on as a fraction; the whole numbers are handed on
    as typed, for the service to check."""
    posted = {name: post.get(name, "").strip()[:20] for name in FIELD_IDS}
    errors: dict[str, str] = {}
    margin = None
    text = posted["challenge_margin"].removesuffix("%").strip()
    if not text:
        errors["challenge_margin"] = "Enter the challenge margin as a percentage, like 5."
    else:
        try:
            margin = float(Decimal(text) / 100)
        except (InvalidOperation, ValueError):
            errors["challenge_margin"] = (
                "Enter the challenge margin as a number from 0 to 100, like 5 for 5%."
            )
    values = {"challenge_margin": margin}
    for name, label in (("thicket_limit", "the thicket limit"), ("stale_days", "the days")):
        if not posted[name]:
            errors[name] = f"Enter {label} as a whole number."
        values[name] = posted[name]
    return posted, values, errors


@login_required
@require_http_methods(["GET", "POST"])
@require_permission(Permission.OBJECTIVES_MANAGE)
def quality_settings(request):
    """Show the rules in force (GET) or change them (POST, then back here with a banner)."""
    organisation = request.organisation
    if not services.may_change_quality_settings(request.user, organisation):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if request.method == "POST":
        posted, values, errors = _read(request.POST)
        if not errors:
            try:
                services.save_quality_settings(
                    organisation=organisation, actor=actor_of(request), **values
                )
            except ColeadError as error:
                errors = pages.form_errors(error, fallback="challenge_margin", shown=FIELD_IDS)
            else:
                messages.success(
                    request,
                    "Quality rules saved. Objectives, coverage and thickets are now judged by "
                    "them.",
                )
                return redirect("direction:settings")
    else:
        posted = _shown(queries.quality_settings(organisation))
    defaults = _shown(DEFAULT_SETTINGS)
    context = {
        "posted": posted,
        "defaults": defaults,
        **pages.error_context(errors, FIELD_IDS),
        "breadcrumbs": [
            {"text": "Home", "href": reverse("home:home")},
            {"text": "Objectives", "href": reverse("direction:thread")},
            {"text": "Coverage", "href": reverse("direction:coverage")},
        ],
    }
    return TemplateResponse(
        request, "direction/settings.jinja", context, status=400 if errors else 200
    )
