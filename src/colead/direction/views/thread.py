"""The direction pages: the golden thread, "my objectives", a unit's objectives and one
objective. Each reads through ``colead.direction.queries`` (the API's reads too), which
looks up, limits everything to what the user may see (direction/access.py) and raises
NotFound or Refused, shown as the site's 404 or 403 page; every lookup goes through the
current organisation, so another organisation's code is simply not found. Writes are
``colead.direction.services``; a refusal there is a 403 and a bad value is shown on its
field (core.pages)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from colead.accounts.permissions import require_permission
from colead.accounts.roles import Permission
from colead.core import pages
from colead.direction import access, queries, services
from colead.direction.models import Act, Confidence, ObjectiveStatus
from colead.direction.views.common import (
    actor_of,
    crumbs,
    thread_crumb,
    visible_objective,
)
from colead.lib.errors import ColeadError


@login_required
@require_GET
@require_permission(Permission.ORG_VIEW)
def thread(request):
    """The golden thread: the vision, then the organisation's objectives with everything
    that serves them, as far as the user may see; ``?q=`` finds objectives."""
    actor = actor_of(request)
    query = request.GET.get("q", "").strip()[:100]
    context = queries.golden_thread(actor=actor, organisation=request.organisation, query=query)
    context.update({"query": query, "breadcrumbs": crumbs()})
    # The coverage dashboard is for those who see every objective (views/coverage.py).
    context["can_see_coverage"] = queries.sees_whole_organisation(actor, request.organisation)
    return TemplateResponse(request, "direction/thread.jinja", context)


@login_required
@require_GET
@require_permission(Permission.ORG_VIEW)
def mine(request):
    """My objectives and how they connect to the vision."""
    context = queries.my_objectives(actor=actor_of(request), organisation=request.organisation)
    context["breadcrumbs"] = crumbs(thread_crumb())
    return TemplateResponse(request, "direction/mine.jinja", context)


@login_required
@require_GET
@require_permission(Permission.ORG_VIEW)
@pages.answers_not_found_and_refused
def unit_objectives(request, code):
    """A unit's objectives and their progress: for those who may see the unit's objectives,
    and for its own staff and the staff of the units below it."""
    context = queries.unit_objectives(
        actor=actor_of(request), organisation=request.organisation, unit_code=code
    )
    context["breadcrumbs"] = crumbs(thread_crumb())
    # The new objective form (views/objective_forms.py).
    context["can_add_objective"] = access.can_manage_unit(request.user, context["unit"])
    return TemplateResponse(request, "direction/unit.jinja", context)


# Where each form's fields are, for the error summary's links.
FIELD_IDS = {
    "act": "act",
    "comment": "act-comment",
    "date": "check-in-date-day",
    "value": "check-in-value",
    "confidence": "check-in-confidence",
    "check_in_comment": "check-in-comment",
}
ACT_FIELDS = ("act", "comment")
CHECK_IN_FIELDS = ("date", "value", "confidence", "comment")


def _render_objective(request, objective, *, errors=None, posted=None, status=200):
    errors = errors or {}
    today = timezone.localdate()
    context = queries.objective_page(actor=actor_of(request), objective=objective)
    user = request.user
    context.update(
        {
            "breadcrumbs": crumbs(thread_crumb()),
            "can_propose": objective.status == ObjectiveStatus.DRAFT
            and access.can_edit(user, objective),
            "can_agree": objective.status == ObjectiveStatus.PROPOSED
            and access.can_agree(user, objective),
            "can_check_in": objective.status != ObjectiveStatus.DROPPED
            and access.can_edit(user, objective),
            "can_edit": access.can_edit(user, objective),  # the edit form (objective_forms)
            **pages.error_context(errors, FIELD_IDS),
            "posted": posted or {},
            "today": {"day": today.day, "month": today.month, "year": today.year},
            "confidence_choices": Confidence.choices,
        }
    )
    return TemplateResponse(request, "direction/objective.jinja", context, status=status)


@login_required
@require_GET
@require_permission(Permission.ORG_VIEW)
@pages.answers_not_found_and_refused
def objective_detail(request, code):
    """One objective: its measure, quality checks, thread, parents and children, progress,
    check-ins and the acts of agreement, with the forms to propose, agree, ask for changes
    and check in for those who may."""
    return _render_objective(request, visible_objective(request, code))


@login_required
@require_GET
@require_permission(Permission.ORG_VIEW)
@pages.answers_not_found_and_refused
def objective_branch(request, code):
    """Everything below one objective. The golden thread loads the individual objectives it
    folds away from here (``?folded=1``, as a fragment for htmx); without script the link
    opens the whole branch as a page."""
    objective = visible_objective(request, code)
    folded = request.GET.get("folded") == "1"
    context = queries.branch(actor=actor_of(request), objective=objective, folded_only=folded)
    if request.headers.get("HX-Request") == "true":
        return TemplateResponse(request, "direction/_branch.jinja", context)
    context["breadcrumbs"] = crumbs(thread_crumb())
    return TemplateResponse(request, "direction/branch.jinja", context)


@login_required
@require_POST
@require_permission(Permission.ORG_VIEW)
@pages.answers_not_found_and_refused
def objective_act(request, code):
    """Propose, agree or ask for changes (colead.direction.services.record_act)."""
    objective = visible_objective(request, code)
    act = request.POST.get("act", "")
    comment = request.POST.get("comment", "")
    errors = {}
    if act not in Act.values:
        errors["act"] = "Choose whether to propose, agree or ask for changes."
    else:
        try:
            services.record_act(
                objective=objective, act=act, comment=comment, actor=actor_of(request)
            )
        except ColeadError as error:
            errors = pages.form_errors(error, fallback="act", shown=ACT_FIELDS)
    if errors:
        posted = {"act": act, "comment": comment}
        return _render_objective(request, objective, errors=errors, posted=posted)
    done = {
        "proposed": "Proposed for agreement.",
        "agreed": "Agreed.",
        "changes_requested": "Changes asked for: it is back in draft.",
    }
    messages.success(request, done[act])
    return redirect("direction:objective", objective.code)


def _posted_date(post) -> date | None:
    try:
        return date(int(post.get("year", "")), int(post.get("month", "")), int(post.get("day", "")))
    except (TypeError, ValueError):
        return None


@login_required
@require_POST
@require_permission(Permission.ORG_VIEW)
@pages.answers_not_found_and_refused
def objective_check_in(request, code):
    """Record progress (colead.direction.services.check_in)."""
    objective = visible_objective(request, code)
    post = request.POST
    posted = {
        "day": post.get("day", ""),
        "month": post.get("month", ""),
        "year": post.get("year", ""),
        "value": post.get("value", "").strip(),
        "confidence": post.get("confidence", ""),
        "check_in_comment": post.get("comment", ""),
    }
    errors = {}
    on = _posted_date(post)
    if on is None:
        errors["date"] = "Enter the date of the check-in, for example 14 3 2026."
    value = None
    if posted["value"]:
        try:
            value = float(posted["value"].replace(",", ""))
        except ValueError:
            errors["value"] = "Enter the value as a number, like 85 or 12.5."
    if not errors:
        try:
            services.check_in(
                objective=objective,
                on=on,
                value=value,
                confidence=posted["confidence"],
                comment=posted["check_in_comment"],
                actor=actor_of(request),
            )
        except ColeadError as error:
            errors = {
                ("check_in_comment" if name == "comment" else name): message
                for name, message in pages.form_errors(
                    error, fallback="value", shown=CHECK_IN_FIELDS
                ).items()
            }
    if errors:
        return _render_objective(request, objective, errors=errors, posted=posted)
    messages.success(request, "Check-in recorded.")
    return redirect("direction:objective", objective.code)
