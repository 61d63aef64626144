"""Wave management and response rates.

Managing waves (create, preview, launch, remind, extend, close, device links) needs
SURVEY_MANAGE over the whole organisation. The list of waves and the response rates need
SURVEY_RATES_VIEW: organisation-wide for the board, OD and change teams, a subtree for
managers, whose rates never include anything outside it. Waves are looked up in the current
organisation only, so another organisation's wave is a 404. The writes are the services'."""

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

from colead.accounts.permissions import has_permission, permitted_scopes, require_permission
from colead.accounts.roles import Permission
from colead.audit.services import record
from colead.lib.formatting import uk_date
from colead.org.models import Unit
from colead.surveys import forms, presenters, services
from colead.surveys.models import DeviceLink, Wave
from colead.surveys.services import SurveyError, WaveSettings

MANAGE = Permission.SURVEY_MANAGE
RATES = Permission.SURVEY_RATES_VIEW


def _manager(request):
    """SURVEY_MANAGE held over the whole organisation, not just a unit."""
    if not has_permission(request.user, MANAGE, organisation=request.organisation):
        raise PermissionDenied


def _wave_or_404(request, wave_id: int) -> Wave:
    wave = (
        Wave.objects.for_org(request.organisation)
        .select_related("organisation", "created_by")
        .filter(pk=wave_id)
        .first()
    )
    if wave is None:
        raise Http404("No such wave.")
    return wave


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


def _refuse(request, wave: Wave, error: SurveyError):
    messages.error(request, str(error))
    return _back_to_wave(wave)


# -- the list and a new wave -------------------------------------------------------------


@login_required
@require_GET
@require_permission(RATES)
def wave_list(request):
    organisation = request.organisation
    scopes = permitted_scopes(request.user, RATES, organisation)
    roots = None if scopes == [None] else presenters.outermost(scopes)
    can_manage = has_permission(request.user, MANAGE, organisation=organisation)
    context = {
        "rows": presenters.wave_rows(organisation, roots, can_manage=can_manage),
        "can_manage": can_manage,
        "scope_names": [unit.name for unit in roots] if roots else [],
        "breadcrumbs": [{"text": "Home", "href": reverse("home:home")}],
    }
    return TemplateResponse(request, "surveys/list.jinja", context)


@login_required
@require_http_methods(["GET", "POST"])
@require_permission(MANAGE)
def wave_new(request):
    _manager(request)
    organisation = request.organisation
    services.ensure_builtin_instruments(organisation=organisation, actor=request.user)
    form = forms.WaveForm(
        request.POST or None,
        organisation=organisation,
        initial={"reporting_threshold": 11, "comment_threshold": 10},
    )
    service_error = None
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
                actor=request.user,
            )
        except SurveyError as error:
            service_error = str(error)
        else:
            messages.success(
                request, f"Wave created: {wave.title}. It is a draft until you launch it."
            )
            return _back_to_wave(wave)
    error_list = form.error_list() if form.is_bound else []
    if service_error:
        error_list.append({"text": service_error, "href": "#title"})
    context = {
        "form": form,
        "error_list": error_list,
        "page_has_errors": bool(error_list),
        "opens_values": forms.date_values(None, request.POST, "opens") if form.is_bound else {},
        "closes_values": forms.date_values(None, request.POST, "closes") if form.is_bound else {},
        "breadcrumbs": _crumbs(),
    }
    return TemplateResponse(
        request, "surveys/new.jinja", context, status=400 if error_list else 200
    )


# -- one wave ----------------------------------------------------------------------------


@login_required
@require_GET
@require_permission(MANAGE)
def wave_detail(request, wave_id):
    _manager(request)
    wave = _wave_or_404(request, wave_id)
    context = {
        "wave": wave,
        "status": presenters.STATUS_TAGS[wave.status],
        "settings_rows": presenters.settings_rows(wave),
        "breadcrumbs": _crumbs(),
    }
    if wave.is_open:
        context["past_closing_date"] = bool(
            wave.closes_on and wave.closes_on < timezone.localdate()
        )
        context["progress"] = presenters.progress(wave)
        context["device_links"] = [
            {"unit": link.unit, "url": device_url(link.slug), "slug": link.slug}
            for link in DeviceLink.objects.filter(wave=wave)
            .select_related("unit")
            .order_by("unit__name")
        ]
        context["device_units"] = services.reporting_unit_choices(wave)
    return TemplateResponse(request, "surveys/wave.jinja", context)


@login_required
@require_GET
@require_permission(MANAGE)
def wave_preview(request, wave_id):
    """Every section of every instrument, as respondents will see it; nothing is saved."""
    _manager(request)
    wave = _wave_or_404(request, wave_id)
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
def wave_launch(request, wave_id):
    _manager(request)
    wave = _wave_or_404(request, wave_id)
    if not wave.is_draft:
        return _refuse(request, wave, SurveyError(f"{wave.title} has already been launched."))
    error = None
    if request.method == "POST":
        try:
            wave = services.launch_wave(wave=wave, actor=request.user)
            services.queue_invitations(wave=wave, actor=request.user)
        except SurveyError as refused:
            error = str(refused)
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
        "error": error,
        "page_has_errors": bool(error),
        "breadcrumbs": _crumbs(wave),
    }
    return TemplateResponse(request, "surveys/launch.jinja", context, status=400 if error else 200)


@login_required
@require_POST
@require_permission(MANAGE)
def wave_reminders(request, wave_id):
    _manager(request)
    wave = _wave_or_404(request, wave_id)
    try:
        services.queue_reminders(wave=wave, actor=request.user)
    except SurveyError as error:
        return _refuse(request, wave, error)
    messages.success(
        request, "Reminders are being sent to everyone invited who has not responded yet."
    )
    return _back_to_wave(wave)


@login_required
@require_http_methods(["GET", "POST"])
@require_permission(MANAGE)
def wave_extend(request, wave_id):
    _manager(request)
    wave = _wave_or_404(request, wave_id)
    if not wave.is_open:
        return _refuse(request, wave, SurveyError("Only an open wave can be extended."))
    form = forms.ExtendForm(request.POST if request.method == "POST" else None)
    error = None
    if request.method == "POST":
        if form.is_valid():
            try:
                services.extend_wave(wave=wave, closes_on=form.closes_on, actor=request.user)
            except SurveyError as refused:
                error = str(refused)
            else:
                messages.success(request, f"{wave.title} now closes on {uk_date(form.closes_on)}.")
                return _back_to_wave(wave)
        else:
            error = form.error
    context = {
        "wave": wave,
        "error": error,
        "page_has_errors": bool(error),
        "closes_values": forms.date_values(None, request.POST, "closes")
        if request.method == "POST"
        else {},
        "breadcrumbs": _crumbs(wave),
    }
    return TemplateResponse(request, "surveys/extend.jinja", context, status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
@require_permission(MANAGE)
def wave_close(request, wave_id):
    _manager(request)
    wave = _wave_or_404(request, wave_id)
    if not wave.is_open:
        return _refuse(request, wave, SurveyError("Only an open wave can be closed."))
    if request.method == "POST":
        try:
            wave = services.close_wave(wave=wave, actor=request.user)
        except SurveyError as error:
            return _refuse(request, wave, error)
        messages.success(request, f"{wave.title} is closed. Its responses can no longer change.")
        return _back_to_wave(wave)
    context = {"wave": wave, "breadcrumbs": _crumbs(wave)}
    return TemplateResponse(request, "surveys/close.jinja", context)


@login_required
@require_POST
@require_permission(MANAGE)
def device_link_create(request, wave_id):
    _manager(request)
    wave = _wave_or_404(request, wave_id)
    if not wave.is_open:
        return _refuse(request, wave, SurveyError("Device links are for open waves only."))
    code = request.POST.get("unit", "")
    unit = next((u for u in services.reporting_unit_choices(wave) if u.code == code), None)
    if unit is None:
        messages.error(request, "Select a unit surveyed by this wave for the device link.")
        return _back_to_wave(wave, "#device-links")
    try:
        link = services.device_link_for(wave=wave, unit=unit, actor=request.user)
    except SurveyError as error:
        return _refuse(request, wave, error)
    messages.success(request, f"Device link for {unit.name}: {device_url(link.slug)}")
    return _back_to_wave(wave, "#device-links")


@login_required
@require_GET
@require_permission(MANAGE)
def device_poster(request, wave_id, slug):
    """The QR poster of a device link, as a PDF (the download is audited)."""
    _manager(request)
    wave = _wave_or_404(request, wave_id)
    link = (
        DeviceLink.objects.filter(wave=wave, slug=slug)
        .select_related("unit", "wave__organisation")
        .first()
    )
    if link is None:
        raise Http404("No such device link.")
    if wave.is_closed:
        return _refuse(
            request, wave, SurveyError("This wave is closed; its device links no longer work.")
        )
    from colead.surveys.poster import poster_pdf

    pdf = poster_pdf(link)
    record(
        action="survey.device_poster_download",
        actor=request.user,
        organisation=wave.organisation,
        obj=wave,
        request=request,
        detail={"unit": link.unit.code},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="poster-{wave.pk}-{link.unit.code}.pdf"'
    )
    return response


# -- response rates ----------------------------------------------------------------------


@login_required
@require_GET
@require_permission(RATES)
def wave_rates(request, wave_id):
    """Response rates by unit, staff group and day, for the viewer's scope; ``?unit=CODE``
    narrows to a unit inside it. Every count below the reporting threshold is hidden."""
    organisation = request.organisation
    wave = _wave_or_404(request, wave_id)
    scopes = permitted_scopes(request.user, RATES, organisation)
    code = request.GET.get("unit", "").strip()[:40]
    selected = None
    if code:
        selected = (
            Unit.objects.for_org(organisation).select_related("parent").filter(code=code).first()
        )
        if selected is None:
            raise Http404("No such unit.")
        if not has_permission(request.user, RATES, selected):
            raise PermissionDenied
        roots = [selected]
    elif scopes == [None]:
        roots = list(Unit.objects.for_org(organisation).filter(parent__isnull=True))
    else:
        roots = presenters.outermost(scopes)
    can_manage = has_permission(request.user, MANAGE, organisation=organisation)
    context = {
        "wave": wave,
        "status": presenters.STATUS_TAGS[wave.status],
        "selected": selected,
        "up": selected.parent
        if selected is not None
        and selected.parent is not None
        and has_permission(request.user, RATES, selected.parent)
        else None,
        "scope_wide": scopes == [None] and selected is None,
        "sees_whole_org": scopes == [None],
        "scope_names": [root.name for root in roots],
        "can_manage": can_manage,
        "breadcrumbs": _crumbs(wave, manage=can_manage),
    }
    if not wave.is_draft:
        context.update(presenters.rates_context(wave, roots))
    return TemplateResponse(request, "surveys/rates.jinja", context)
