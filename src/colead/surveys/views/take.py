"""The respondent's side of a survey: the pages a personal link or a ward's shared link opens.

Anonymity (docs/privacy.md):

- A personal link, /take/<token>/, is the only URL that ever carries a token. That first
  request moves the token into a signed, HttpOnly, SameSite=Lax cookie scoped to /take/ and
  redirects to /take/, so later requests, redirects and logs carry no token (and logs redact
  that first path: colead.surveys.logging).
- The pages never read or write the Django session and never look at the signed-in user: a
  member of staff who is also signed in to colead is not linked to their draft.
- Nothing here writes the audit log, and a client address is used only inside a short-lived
  cache key for the shared-device rate limit (hashed, never stored with answers; see
  colead.core.ratelimit).
- Every response is marked no-store, so the browser's back button on a shared device cannot
  show the previous person's answers.

Writes go through colead.surveys.services; the views only shuttle form data and cookies.
"""

from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from colead.lib import memory
from colead.lib.errors import Invalid
from colead.surveys import services, take_pages
from colead.surveys.answers import DONT_KNOW, format_number
from colead.surveys.device_starts import allow_device_start
from colead.surveys.logging import SURVEY_COOKIE
from colead.surveys.models import DeviceLink, Draft, Wave
from colead.surveys.services import TokenRefused

COOKIE_PATH = "/take/"
TOKEN_COOKIE = SURVEY_COOKIE  # the token; its name contains "token", so Django's error
# reports mask it too
TOKEN_COOKIE_AGE = 24 * 60 * 60  # a browser-session cookie, honoured for a day at most
SENT_COOKIE = "colead_take_sent"  # "answers sent" for the confirmation page: a wave id only
SENT_COOKIE_AGE = 60 * 60
DEVICE_COOKIE = "colead_take_device"  # waves this device has answered through a shared link
DEVICE_COOKIE_AGE = 180 * 24 * 60 * 60
DEVICE_COOKIE_WAVES = 20  # remember the latest few

ACTION_FIELD = "_action"  # item codes start with a letter, so they never clash with this

REFUSED_STATUS = {"invalid": 404, "used": 410, "closed": 410, "not_open": 403}


# -- cookies ----------------------------------------------------------------------------


def _set_cookie(response, name: str, value: str, *, max_age: int | None = None):
    response.set_signed_cookie(
        name,
        value,
        salt=f"colead.take.{name}",
        max_age=max_age,
        path=COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _get_cookie(request, name: str, *, max_age: int) -> str | None:
    return request.get_signed_cookie(
        name, default=None, salt=f"colead.take.{name}", max_age=max_age
    )


def _delete_cookie(response, name: str):
    response.delete_cookie(name, path=COOKIE_PATH, samesite="Lax")


def _device_waves(request) -> list[str]:
    value = _get_cookie(request, DEVICE_COOKIE, max_age=DEVICE_COOKIE_AGE) or ""
    return [wave_id for wave_id in value.split(",") if wave_id.isdecimal()]


# -- pages that stop the journey ---------------------------------------------------------


def _page(request, template: str, context: dict | None = None, *, status: int = 200):
    return TemplateResponse(request, f"take/{template}", context or {}, status=status)


def _refused(request, refused: TokenRefused, *, wave: Wave | None = None):
    return _page(
        request,
        "refused.jinja",
        {"reason": refused.reason, "message": str(refused), "wave": wave},
        status=REFUSED_STATUS.get(refused.reason, 404),
    )


def _no_form(request):
    """No token cookie: explain how to open the form, or say the answers were sent."""
    sent_wave = _get_cookie(request, SENT_COOKIE, max_age=SENT_COOKIE_AGE)
    if sent_wave:
        return _refused(
            request,
            TokenRefused("You have already sent your answers. Thank you.", reason="used"),
            wave=Wave.objects.filter(pk=sent_wave).first(),
        )
    return _page(request, "no_form.jinja", status=403)


# wave id -> the pages of its form. Only an open wave's form is taken, and a launched wave's
# instruments never change.
_FORMS = memory.recent(64, f"{__name__}._FORMS")


def _form_for(wave: Wave) -> take_pages.Form:
    """The wave's form, built once per process from its instruments (parsed once, by
    ``services.wave_instruments``)."""
    form = _FORMS.get(wave.pk)
    if form is None:
        form = _FORMS.put(wave.pk, take_pages.Form(services.wave_instruments(wave)))
    return form


@dataclass
class Taking:
    """Who is filling in the form, as far as these pages know: a token and its draft."""

    token: str
    wave: Wave
    draft: Draft
    form: take_pages.Form

    @property
    def on_device(self) -> bool:
        return self.token.startswith("d")


def respondent_view(view):
    """Find the draft from the token cookie, or show why there is none."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        token = _get_cookie(request, TOKEN_COOKIE, max_age=TOKEN_COOKIE_AGE)
        if not token:
            return _no_form(request)
        try:
            wave, draft = services.resume(token)
        except TokenRefused as refused:
            response = _refused(request, refused)
            _delete_cookie(response, TOKEN_COOKIE)
            return response
        taking = Taking(token, wave, draft, _form_for(wave))
        return view(request, taking, *args, **kwargs)

    return never_cache(wrapper)


# -- opening a link ---------------------------------------------------------------------


@never_cache
@require_GET
def start(request, token):
    """A personal link: check the token, move it into the cookie, and drop it from the URL."""
    try:
        services.start_with_invitation_token(token)
    except TokenRefused as refused:
        return _refused(request, refused)
    response = HttpResponseRedirect(reverse("take:form"))
    _set_cookie(response, TOKEN_COOKIE, token)
    _delete_cookie(response, SENT_COOKIE)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def device(request, slug):
    """A ward's shared link (or its QR poster): a fresh anonymous draft for each completion.

    One response per device, and its trade-off: after someone finishes through a shared
    link, a long-lived signed cookie remembers the wave, and opening the link again on that
    device shows "this device has already been used". A ward kiosk shared by many staff must
    still be able to take the next person's answers, so that page offers "Start a new
    response for someone else": a POST, so a refresh or a second scan cannot start one by
    accident, and still counted by the rate limit. So the guard stops the honest mistake and
    casual repeats from one phone, not someone set on answering twice (who can also clear
    cookies); the rate limit per link and address bounds that, and we accept the rest rather
    than tie a response to a device identity, which would undo the anonymity.
    """
    link = DeviceLink.objects.select_related("wave__organisation", "unit").filter(slug=slug).first()
    if link is None:
        return _refused(
            request,
            TokenRefused("This link is not valid. Check the address on the poster."),
        )
    wave = link.wave
    try:
        services.ensure_open(wave)
    except TokenRefused as refused:
        return _refused(request, refused, wave=wave)

    if request.method == "GET":
        # Carrying on: a refresh or a second scan mid-form keeps the form that was started.
        token = _get_cookie(request, TOKEN_COOKIE, max_age=TOKEN_COOKIE_AGE)
        if token and token.startswith("d"):
            try:
                current_wave, _draft = services.resume(token)
            except TokenRefused:
                current_wave = None
            if current_wave is not None and current_wave.pk == wave.pk:
                return HttpResponseRedirect(reverse("take:form"))
        if str(wave.pk) in _device_waves(request):
            return _page(request, "device_used.jinja", {"wave": wave, "link": link})

    allowed, _ = allow_device_start(request, link)
    if not allowed:
        minutes = max(1, getattr(settings, "COLEAD_DEVICE_START_WINDOW", 10 * 60) // 60)
        return _page(request, "rate_limited.jinja", {"wave": wave, "minutes": minutes}, status=429)
    try:
        token, _draft = services.start_on_device(link=link)
    except TokenRefused as refused:
        return _refused(request, refused, wave=wave)
    response = HttpResponseRedirect(reverse("take:form"))
    _set_cookie(response, TOKEN_COOKIE, token)
    _delete_cookie(response, SENT_COOKIE)
    return response


# -- the form ---------------------------------------------------------------------------


def _section_url(page: take_pages.Page, *, change: bool = False) -> str:
    url = reverse("take:section", args=[page.number])
    return url + "?change=1" if change else url


@require_http_methods(["GET", "HEAD", "POST"])
@respondent_view
def form_start(request, taking: Taking):
    """The start page: what the survey is, how long it takes, the anonymity promise, and the
    team to report under where the wave lets respondents choose."""
    wave, draft, form = taking.wave, taking.draft, taking.form
    choices = services.reporting_unit_choices(wave) if wave.respondent_chooses_unit else []
    error = None
    if request.method == "POST":
        if wave.respondent_chooses_unit:
            try:
                services.choose_reporting_unit(
                    draft=draft, unit_code=request.POST.get("unit", "").strip()
                )
            except Invalid as problem:
                error = " ".join(problem.errors.values())
        if error is None:
            if request.GET.get("change"):
                return HttpResponseRedirect(reverse("take:check"))
            # A saved form carries on where it was left, not at the first page.
            first = form.resume_page(draft.answers)
            return HttpResponseRedirect(_section_url(first) if first else reverse("take:check"))
    context = {
        "wave": wave,
        "minutes": form.estimated_minutes(),
        "choices": choices,
        "chosen": request.POST.get("unit") if error else _unit_code(draft),
        "reporting_unit": draft.reporting_unit,
        "has_answers": bool(draft.answers),
        "on_device": taking.on_device,
        "error": error,
    }
    return _page(request, "start.jinja", context)


def _unit_code(draft: Draft) -> str:
    return draft.reporting_unit.code if draft.reporting_unit_id else ""


def _field(item, value, error: str | None) -> dict:
    kind = {"multiple_choice": "checkboxes", "number": "number", "free_text": "text"}.get(
        item.type, "radios"
    )
    if kind == "checkboxes":
        if isinstance(value, list | tuple):
            value = [str(v) for v in value]
        else:
            value = [] if value in (None, "") else [str(value)]
    elif value is None:
        value = ""
    elif isinstance(value, int | float) and not isinstance(value, bool):
        value = format_number(value)
    else:
        value = str(value)
    hint = item.hint
    if not hint and kind == "number" and item.minimum is not None and item.maximum is not None:
        hint = f"Enter a number from {format_number(item.minimum)} to {format_number(item.maximum)}"
    if not hint and kind == "checkboxes":
        hint = "Select all that apply."
    return {
        "item": item,
        "kind": kind,
        "id": f"q-{item.code}",
        "name": item.code,
        "value": value,
        "error": error,
        "hint": hint,
        "options": [{"value": code, "text": label} for code, label in item.option_labels()],
        "dont_know": kind == "radios" and item.dont_know,
    }


def _fields(shown, values: dict, errors: dict) -> list[dict]:
    return [_field(item, values.get(item.code), errors.get(item.code)) for item in shown]


def _error_list(fields: list[dict]) -> list[dict]:
    """The error summary, in the order the questions appear on the page."""
    return [{"text": f["error"], "href": "#" + f["id"]} for f in fields if f["error"]]


def _form_values(request, items) -> dict:
    return {
        item.code: request.POST.getlist(item.code)
        if item.type == "multiple_choice"
        else request.POST.get(item.code)
        for item in items
    }


@require_http_methods(["GET", "HEAD", "POST"])
@respondent_view
def section(request, taking: Taking, number: int):
    """One section of an instrument: its questions, progress and a back link."""
    form, draft = taking.form, taking.draft
    page = form.page(number)
    if page is None:
        raise Http404("No such section")
    changing = bool(request.GET.get("change"))
    effective = form.effective_answers(draft.answers)
    if not page.is_active(effective):
        # Every question here is hidden by earlier answers: move on.
        following = form.next_page(number, draft.answers)
        return HttpResponseRedirect(_section_url(following) if following else reverse("take:check"))
    shown = page.shown_items(effective)
    values, errors = draft.answers, {}
    if request.method == "POST":
        active_before = {p.number for p in form.active_pages(draft.answers)}
        submitted = _form_values(request, shown)
        problems = services.save_answers(draft=draft, section_items=shown, form=submitted)
        if problems:
            # Valid answers are saved; what was typed is shown again, to be put right.
            values, errors = submitted, {problem.item: problem.message for problem in problems}
        elif request.POST.get(ACTION_FIELD) == "save" and not taking.on_device:
            # The personal link resumes the form, so the cookie can go: whoever uses this
            # browser next cannot carry on with it.
            response = HttpResponseRedirect(reverse("take:saved"))
            _delete_cookie(response, TOKEN_COOKIE)
            return response
        else:
            following = form.next_page(number, draft.answers)
            if changing and following is not None:
                # A change goes back to check answers, unless it brought in questions not
                # seen yet: a page it made appear, and unanswered pages after that.
                unseen = following.number not in active_before or (
                    request.GET.get("change") == "new"
                    and not any(item.code in draft.answers for item in following.items)
                )
                if unseen:
                    return HttpResponseRedirect(_section_url(following) + "?change=new")
                following = None
            return HttpResponseRedirect(
                _section_url(following) if following else reverse("take:check")
            )
    active = form.active_pages(draft.answers)
    previous = form.previous_page(number, draft.answers)
    fields = _fields(shown, values, errors)
    context = {
        "wave": taking.wave,
        "page": page,
        "position": next((i for i, p in enumerate(active, 1) if p.number == page.number), 1),
        "total": len(active),
        "fields": fields,
        "error_list": _error_list(fields),
        "back_url": reverse("take:check")
        if changing
        else (_section_url(previous) if previous else reverse("take:form")),
        "can_save_for_later": not taking.on_device,
    }
    return _page(request, "section.jinja", context)


def answer_text(item, value) -> str | None:
    """An answer as the respondent would read it, or None if not answered."""
    if value is None or value == "" or value == []:
        return None
    if value == DONT_KNOW and item.dont_know:
        return "Don't know"
    labels = dict(item.option_labels())
    if item.type == "multiple_choice":
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    if item.type in take_pages.RADIO_TYPES:
        return labels.get(str(value), str(value))
    if item.type == "number":
        return format_number(value)
    return str(value)


def _check_context(taking: Taking, error: str | None = None) -> dict:
    form, draft = taking.form, taking.draft
    effective = form.effective_answers(draft.answers)
    active = form.active_pages(draft.answers)
    groups = []
    for page in active:
        rows = []
        for item in page.shown_items(effective):
            rows.append(
                {
                    # After a change, the browser keeps the Change link's #q-<code> through
                    # the redirect back here, and lands on this row.
                    "id": f"q-{item.code}",
                    "key": {"text": item.text},
                    "value": {
                        "text": answer_text(item, effective.get(item.code)) or "Not answered"
                    },
                    "actions": {
                        "items": [
                            {
                                "href": _section_url(page, change=True) + f"#q-{item.code}",
                                "text": "Change",
                                "visuallyHiddenText": item.text,
                            }
                        ]
                    },
                }
            )
        groups.append({"page": page, "rows": rows})
    return {
        "wave": taking.wave,
        "groups": groups,
        "chooses_unit": taking.wave.respondent_chooses_unit,
        "reporting_unit": draft.reporting_unit,
        "error": error,
        "back_url": _section_url(active[-1]) if active else reverse("take:form"),
    }


@require_http_methods(["GET", "HEAD", "POST"])
@respondent_view
def check(request, taking: Taking):
    """Check your answers, then send them. The confirmation is shown only after the
    submission's transaction has committed (services.submit returns only then)."""
    if request.method == "POST":
        try:
            services.submit(token=taking.token)
        except TokenRefused as refused:
            response = _refused(request, refused, wave=taking.wave)
            _delete_cookie(response, TOKEN_COOKIE)
            return response
        except Invalid as problem:
            return _page(
                request, "check.jinja", _check_context(taking, " ".join(problem.errors.values()))
            )
        response = HttpResponseRedirect(reverse("take:done"))
        _delete_cookie(response, TOKEN_COOKIE)
        _set_cookie(response, SENT_COOKIE, str(taking.wave.pk), max_age=SENT_COOKIE_AGE)
        if taking.on_device:
            waves = [w for w in _device_waves(request) if w != str(taking.wave.pk)]
            waves = [*waves, str(taking.wave.pk)][-DEVICE_COOKIE_WAVES:]
            _set_cookie(response, DEVICE_COOKIE, ",".join(waves), max_age=DEVICE_COOKIE_AGE)
        return response
    return _page(request, "check.jinja", _check_context(taking))


@never_cache
@require_GET
def saved(request):
    return _page(request, "saved.jinja")


@never_cache
@require_GET
def done(request):
    sent_wave = _get_cookie(request, SENT_COOKIE, max_age=SENT_COOKIE_AGE)
    if not sent_wave:
        return HttpResponseRedirect(reverse("take:form"))
    return _page(request, "done.jinja", {"wave": Wave.objects.filter(pk=sent_wave).first()})
