"""Wave management and response rates.

Managing waves (create, preview, launch, remind, extend, close, device links) needs
SURVEY_MANAGE over the whole organisation. The list of waves and the response rates need
SURVEY_RATES_VIEW: organisation-wide for the board, OD and change teams, a subtree for
managers, whose rates never include anything outside it. Waves are looked up in the current
organisation only, so another organisation's wave is a 404.

The reads are colead.surveys.queries' (the API's too), the writes the services'; a
refusal from either becomes the 404 or 403 page, the form's error summary, or (for a
button on the wave's page) a message on that page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from colead.accounts.permissions import require_permission
from colead.accounts.roles import Permission
from colead.core import pages
from colead.core.actor import Actor
from colead.lib.errors import ColeadError, Conflict, Invalid
from colead.lib.formatting import uk_date
from colead.surveys import forms, presenters, queries, services
from colead.surveys.models import Wave
from colead.surveys.services import WaveSettings

MANAGE = Permission.SURVEY_MANAGE
RATES = Permission.SURVEY_RATES_VIEW


def _managed_wave(request, wave_id: int) -> Wave:
    return queries.find_wave(
        actor=Actor.from_request(request),
        organisation=request.organisation,
        wave_id=wave_id,
        manage=True,
    )


def _crumbs(wave: Wave | None = None, *, manage: bool = True) -> list[dict]:
    crumbs = [
        {"text": "Home", "href": reverse("home:home")},
        {"text": "Surveys", "href": reverse("surveys:wave_list")},
    ]
    if wave is not None and manage:
        crumbs.append({"text": wave.title, "href": reverse("surveys:wave", args=[wave.pk])})
    return crumbs


def device_url(slug: str) -> str:
    """The address a shared device opens, for the link and the QR poster."""
    return settings.COLEAD_BASE_URL.rstrip("/") + reverse("take:device", args=[slug])


def _back_to_wave(wave: Wave, anchor: str = ""):
    return redirect(reverse("surveys:wave", args=[wave.pk]) + anchor)


def _refuse(request, wave: Wave, error: ColeadError):
    """A button on the wave's page that could not be done: say why there."""
    messages.error(request, str(error))
    return _back_to_wave(wave)


def _not_now(request, wave: Wave):
    """A step's page opened for a wave in the wrong state (a bookmark, the back button)."""
    messages.error(request, f"{wave.title} is {wave.get_status_display().lower()}.")
    return _back_to_wave(wave)


# -- the list and a new wave -------------------------------------------------------------


@login_required
@require_GET
@require_permission(RATES)
@pages.answers_not_found_and_refused
def wave_list(request):
    listing = queries.wave_list(
        actor=Actor.from_request(request), organisation=request.organisation
    )
    roots = listing.reach.roots
    context = {
        "rows": presenters.wave_rows(listing),
        "can_manage": listing.reach.can_manage,
        "scope_names": [unit.name for unit in roots] if roots else [],
        "breadcrumbs": [{"text": "Home", "href": reverse("home:home")}],
    }
    return TemplateResponse(request, "surveys/list.jinja", context)


# The new wave form's fields, by name, and the id of each one's first input (the error
# summary links there). The services' field names differ for the dates and the unit codes.
NEW_WAVE_FIELDS = {
    "title": "title",
    "instruments": "instruments",
    "units": "units",
    "unit_codes": "unit_codes",
    "staff_groups": "staff_groups",
    "opens": "opens-day",
    "closes": "closes-day",
    "reporting_threshold": "reporting_threshold",
    "comment_threshold": "comment_threshold",
}
FORM_FIELD_NAMES = {"opens_on": "opens", "closes_on": "closes"}
# The units the service could not find can only have been typed as codes: the checkboxes
# offer existing units only.
SERVICE_FIELD_NAMES = {**FORM_FIELD_NAMES, "units": "unit_codes"}


def _renamed(errors: dict[str, str], names: dict[str, str]) -> dict[str, str]:
    return {names.get(field, field): message for field, message in errors.items()}


@login_required
@require_http_methods(["GET", "POST"])
@require_permission(MANAGE)
@pages.answers_not_found_and_refused
def wave_new(request):
    actor = Actor.from_request(request)
    organisation = request.organisation
    if not queries.reach(actor=actor, organisation=organisation).can_manage:
        raise PermissionDenied
    form = forms.WaveForm(
        request.POST or None,
        organisation=organisation,
        initial={"reporting_threshold": 11, "comment_threshold": 10},
    )
    errors: dict[str, str] = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            wave = services.create_wave(
                organisation=organisation,
                settings=WaveSettings(
                    title=data["title"],
                    instruments=data["instruments"],
                    unit_codes=form.all_unit_codes(),
                    staff_groups=data["staff_groups"],
                    opens_on=form.opens_on,
                    closes_on=form.closes_on,
                    reporting_threshold=data["reporting_threshold"],
                    comment_threshold=data["comment_threshold"],
                    respondent_chooses_unit=data["respondent_chooses_unit"],
                ),
                actor=actor,
            )
        except ColeadError as error:
            errors = _renamed(
                pages.form_errors(
                    error, fallback="title", shown=[*NEW_WAVE_FIELDS, *SERVICE_FIELD_NAMES]
                ),
                SERVICE_FIELD_NAMES,
            )
        else:
            messages.success(
                request, f"Wave created: {wave.title}. It is a draft until you launch it."
            )
            return _back_to_wave(wave)
    elif form.is_bound:
        errors = _renamed(form.field_errors(), FORM_FIELD_NAMES)
    context = {
        "form": form,
        **pages.error_context(errors, NEW_WAVE_FIELDS),
        "opens_values": forms.date_values(None, request.POST, "opens") if form.is_bound else {},
        "closes_values": forms.date_values(None, request.POST, "closes") if form.is_bound else {},
        "breadcrumbs": _crumbs(),
    }
    return TemplateResponse(request, "surveys/new.jinja", context, status=400 if errors else 200)


# -- one wave ----------------------------------------------------------------------------


@login_required
@require_GET
@require_permission(MANAGE)
@pages.answers_not_found_and_refused
def wave_detail(request, wave_id):
    page = queries.wave_page(
        actor=Actor.from_request(request), organisation=request.organisation, wave_id=wave_id
    )
    wave = page.wave
    context = {
        "wave": wave,
        "status": presenters.STATUS_TAGS[wave.status],
        "settings_rows": presenters.settings_rows(page),
        "breadcrumbs": _crumbs(),
    }
    if wave.is_open:
        context["past_closing_date"] = bool(
            wave.closes_on and wave.closes_on < timezone.localdate()
        )
        context["progress"] = presenters.progress(page.progress)
        context["device_links"] = [
            {"unit": link.unit, "url": device_url(link.slug), "slug": link.slug}
            for link in page.device_links
        ]
        context["device_units"] = page.device_units
    return TemplateResponse(request, "surveys/wave.jinja", context)


@login_required
@require_GET
@require_permission(MANAGE)
@pages.answers_not_found_and_refused
def wave_sending(request, wave_id):
    """The wave page's count of invitation emails sent, which it polls while they go out."""
    wave, counts = queries.invitation_progress(
        actor=Actor.from_request(request), organisation=request.organisation, wave_id=wave_id
    )
    if counts is None:  # closed since the page was drawn: nothing is being sent any more
        return HttpResponse(status=286)  # htmx stops polling on 286
    context = {"wave": wave, "progress": presenters.progress(counts)}
    return TemplateResponse(request, "surveys/_sending.jinja", context)


@login_required
@require_GET
@require_permission(MANAGE)
@pages.answers_not_found_and_refused
def wave_preview(request, wave_id):
    """Every section of every instrument, as respondents will see it; nothing is saved."""
    wave = _managed_wave(request, wave_id)
    instruments = services.wave_instruments(wave)
    items_by_code = {item.code: item for instrument in instruments for item in instrument.items}
    parts = []
    for instrument in instruments:
        sections = [
            {"title": section.title, "items": instrument.items_in(section.code)}
            for section in instrument.sections
        ] or [{"title": "", "items": list(instrument.items)}]
        parts.append({"instrument": instrument, "sections": sections})
    context = {
        "wave": wave,
        "parts": parts,
        "conditions": presenters.condition_texts(items_by_code),
        "team_choices": services.reporting_unit_choices(wave)
        if wave.respondent_chooses_unit
        else [],
        "breadcrumbs": _crumbs(wave),
    }
    return TemplateResponse(request, "surveys/preview.jinja", context)


@login_required
@require_http_methods(["GET", "POST"])
@require_permission(MANAGE)
@pages.answers_not_found_and_refused
def wave_launch(request, wave_id):
    """The confirmation page, then the launch. A refusal (already launched, nobody to
    invite) is shown in the page's error summary, as the API answers it with a 409."""
    wave = _managed_wave(request, wave_id)
    if request.method == "GET" and not wave.is_draft:
        return _not_now(request, wave)
    errors: dict[str, str] = {}
    if request.method == "POST":
        actor = Actor.from_request(request)
        try:
            wave = services.launch_wave(wave=wave, actor=actor)
            services.queue_invitations(wave=wave, actor=actor)
        except ColeadError as error:
            errors = pages.form_errors(error, fallback="launch")
        else:
            invited = wave.invitations.count()
            messages.success(
                request,
                f"{wave.title} is open. {invited:,} people are invited; "
                "their invitation emails are being sent.",
            )
            return _back_to_wave(wave)
    context = {
        "wave": wave,
        "eligible": services.eligible_people(wave).count(),
        **pages.error_context(errors, {"launch": "launch"}),
        "breadcrumbs": _crumbs(wave),
    }
    return TemplateResponse(request, "surveys/launch.jinja", context, status=400 if errors else 200)


@login_required
@require_POST
@require_permission(MANAGE)
@pages.answers_not_found_and_refused
def wave_reminders(request, wave_id):
    wave = _managed_wave(request, wave_id)
    try:
        services.queue_reminders(wave=wave, actor=Actor.from_request(request))
    except ColeadError as error:
        return _refuse(request, wave, error)
    messages.success(
        request, "Reminders are being sent to everyone invited who has not responded yet."
    )
    return _back_to_wave(wave)


@login_required
@require_http_methods(["GET", "POST"])
@require_permission(MANAGE)
@pages.answers_not_found_and_refused
def wave_extend(request, wave_id):
    wave = _managed_wave(request, wave_id)
    if request.method == "GET" and not wave.is_open:
        return _not_now(request, wave)
    form = forms.ExtendForm(request.POST if request.method == "POST" else None)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not form.is_valid():
            errors = {"closes": form.error}
        else:
            try:
                services.extend_wave(
                    wave=wave, closes_on=form.closes_on, actor=Actor.from_request(request)
                )
            except Invalid as error:
                errors = _renamed(pages.form_errors(error, fallback="closes"), FORM_FIELD_NAMES)
            except ColeadError as error:
                return _refuse(request, wave, error)
            else:
                messages.success(request, f"{wave.title} now closes on {uk_date(form.closes_on)}.")
                return _back_to_wave(wave)
    context = {
        "wave": wave,
        **pages.error_context(errors, {"closes": "closes-day"}),
        "closes_values": forms.date_values(None, request.POST, "closes")
        if request.method == "POST"
        else {},
        "breadcrumbs": _crumbs(wave),
    }
    return TemplateResponse(request, "surveys/extend.jinja", context, status=400 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@require_permission(MANAGE)
@pages.answers_not_found_and_refused
def wave_close(request, wave_id):
    wave = _managed_wave(request, wave_id)
    if request.method == "POST":
        try:
            wave = services.close_wave(wave=wave, actor=Actor.from_request(request))
        except ColeadError as error:
            return _refuse(request, wave, error)
        messages.success(request, f"{wave.title} is closed. Its responses can no longer change.")
        return _back_to_wave(wave)
    if not wave.is_open:
        return _not_now(request, wave)
    context = {"wave": wave, "breadcrumbs": _crumbs(wave)}
    return TemplateResponse(request, "surveys/close.jinja", context)


@login_required
@require_POST
@require_permission(MANAGE)
@pages.answers_not_found_and_refused
def device_link_create(request, wave_id):
    wave = _managed_wave(request, wave_id)
    code = request.POST.get("unit", "")
    unit = next((u for u in services.reporting_unit_choices(wave) if u.code == code), None)
    if unit is None:
        messages.error(request, "Select a unit surveyed by this wave for the device link.")
        return _back_to_wave(wave, "#device-links")
    try:
        link = services.device_link_for(wave=wave, unit=unit, actor=Actor.from_request(request))
    except ColeadError as error:
        return _refuse(request, wave, error)
    messages.success(request, f"Device link for {unit.name}: {device_url(link.slug)}")
    return _back_to_wave(wave, "#device-links")


@login_required
@require_GET
@require_permission(MANAGE)
@pages.answers_not_found_and_refused
def device_poster(request, wave_id, slug):
    """The QR poster of a device link, as a PDF (the download is audited)."""
    try:
        link = queries.device_link(
            actor=Actor.from_request(request),
            organisation=request.organisation,
            wave_id=wave_id,
            slug=slug,
        )
    except Conflict as error:
        messages.error(request, str(error))
        return redirect(reverse("surveys:wave", args=[wave_id]))
    wave = link.wave
    from colead.surveys.poster import poster_pdf

    response = HttpResponse(poster_pdf(link), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="poster-{wave.pk}-{link.unit.code}.pdf"'
    )
    return response


# -- response rates ----------------------------------------------------------------------


@login_required
@require_GET
@require_permission(RATES)
@pages.answers_not_found_and_refused
def wave_rates(request, wave_id):
    """Response rates by unit, staff group and day, for the viewer's scope; ``?unit=CODE``
    narrows to a unit inside it. Every count below the reporting threshold is hidden."""
    try:
        found = queries.response_rates(
            actor=Actor.from_request(request),
            organisation=request.organisation,
            wave_id=wave_id,
            unit_code=request.GET.get("unit", "").strip() or None,
            draft_ok=True,
        )
    except Invalid as error:  # an unknown unit in the address: as for any other address
        raise Http404(str(error)) from error
    wave, seen, selected = found.wave, found.reach, found.selected
    context = {
        "wave": wave,
        "status": presenters.STATUS_TAGS[wave.status],
        "selected": selected,
        "up": found.up,
        "scope_wide": seen.whole_organisation and selected is None,
        "sees_whole_org": seen.whole_organisation,
        "scope_names": [root.name for root in found.roots],
        "can_manage": seen.can_manage,
        "breadcrumbs": _crumbs(wave, manage=seen.can_manage),
    }
    if found.tables is not None:
        context.update(presenters.rates_context(wave, found.tables))
    return TemplateResponse(request, "surveys/rates.jinja", context)
