"""Survey waves for staff, and taking part for kiosks and other front ends.

Staff (API token or session; the writes are the survey services', which audit them):

* ``GET  /organisations/{org_code}/waves``: the waves the caller may see (SURVEY_RATES_VIEW).
* ``POST /organisations/{org_code}/waves``: create a draft wave (SURVEY_MANAGE, organisation-wide).
* ``GET  /waves/{wave_id}``, ``/waves/{wave_id}/form``, ``/waves/{wave_id}/rates``.
* ``POST /waves/{wave_id}/launch`` and ``/close`` (SURVEY_MANAGE, organisation-wide).

A wave in an organisation where the caller holds no role is 404, like any organisation's
data. Within the organisation, draft waves are only for those who manage waves, and a
manager sees only waves that survey some of their subtree, with rates limited to it.

Respondents (``/take/``, ``@requires(SURVEY_TOKEN)``): no user, no session, no CSRF. The
survey token in the ``X-Survey-Token`` header is the only credential; a shared device (a
ward kiosk) gets a fresh token for each response from its device link. Anonymity
(docs/privacy.md): these operations write no audit event and log nothing about the
respondent; the token travels only in a header (Django's error reports mask headers named
like ``*TOKEN*``) and is never echoed back, except the fresh one a device start hands out.
A submission is validated whole (every answer, against the wave's instruments) and stored
all or nothing, and ``201`` is sent only after its transaction has committed.
"""

import re
from functools import wraps

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from ninja import Query, Router, Status
from ninja.errors import ValidationError
from ninja.security import APIKeyHeader

from colead.accounts.roles import Permission
from colead.api.access import SURVEY_TOKEN, access, requires
from colead.api.schemas import (
    ERRORS,
    ERRORS_AND_VALIDATION,
    INSTRUMENT_REF,
    DeviceSlug,
    DeviceStartOut,
    ErrorOut,
    FormOut,
    OrgCode,
    RatesOut,
    RatesQuery,
    RefusedOut,
    SubmissionIn,
    SubmittedOut,
    ValidationErrorOut,
    WaveId,
    WaveIn,
    WaveOut,
)
from colead.core.actor import Actor
from colead.lib.errors import Invalid
from colead.org import reference
from colead.org.models import Unit
from colead.surveys import queries, rates, services
from colead.surveys.answers import clean_answer, is_visible
from colead.surveys.definitions import Section
from colead.surveys.device_starts import allow_device_start
from colead.surveys.models import (
    DeviceLink,
    Wave,
)
from colead.surveys.services import TokenRefused, WaveSettings

router = Router(tags=["Surveys"])

MANAGE = Permission.SURVEY_MANAGE
RATES = Permission.SURVEY_RATES_VIEW

# The body parameter's name: ninja reports body errors at ["body", <name>, <field>].
BODY = "data"
MAX_ERRORS = 50
TOKEN_HEADER = "X-Survey-Token"
# Why a token was refused, as an HTTP status. "used" is a conflict with what was already
# stored (a second submission stores nothing); "closed" is gone for good.
REFUSED_STATUS = {"invalid": 404, "used": 409, "closed": 410, "not_open": 409}
REFUSALS = {404: RefusedOut, 409: RefusedOut, 410: RefusedOut}
NO_STORE = "no-store"


class SurveyTokenAuth(APIKeyHeader):
    """A respondent's survey token: an invitation's (``i...``) or a shared device's
    (``d...``). Only its presence is checked here; the survey services judge it in the
    view, so a refusal can say why (unknown, already used, closed)."""

    param_name = TOKEN_HEADER
    openapi_description = (
        "A respondent's survey token: from a personal invitation link, or from "
        "`POST /take/device/{slug}/start` on a shared device. Not an API token."
    )

    def authenticate(self, request, key):
        return key or None


survey_token_auth = SurveyTokenAuth()


# -- helpers ------------------------------------------------------------------------------


def _wave_organisation(params: dict):
    return (
        Wave.objects.filter(pk=params["wave_id"]).values_list("organisation_id", flat=True).first()
    )


def _actor(request) -> Actor:
    return Actor.from_request(request, source="api")


def _find_wave(request, wave_id: int, *, manage: bool = False) -> Wave:
    return queries.find_wave(
        actor=_actor(request),
        organisation=access(request).organisation,
        wave_id=wave_id,
        manage=manage,
    )


def _wave_row(wave: Wave, *, show_units: bool) -> dict:
    links = sorted(wave.wave_instruments.all(), key=lambda link: link.position)
    return {
        "id": wave.pk,
        "title": wave.title,
        "status": wave.status,
        "opens_on": wave.opens_on,
        "closes_on": wave.closes_on,
        "reporting_threshold": wave.reporting_threshold,
        "comment_threshold": wave.comment_threshold,
        "respondent_chooses_unit": wave.respondent_chooses_unit,
        "instruments": [f"{link.instrument.code}@{link.instrument.version}" for link in links],
        "units": sorted(unit.code for unit in wave.target_units.all()) if show_units else None,
        "staff_groups": list(wave.staff_groups),
        "launched_at": wave.launched_at,
        "closed_at": wave.closed_at,
    }


def _reloaded_row(wave: Wave) -> dict:
    fresh = Wave.objects.prefetch_related("target_units", "wave_instruments__instrument").get(
        pk=wave.pk
    )
    return _wave_row(fresh, show_units=True)


def _error(loc: list, message: str, kind: str = "value_error") -> dict:
    return {"type": kind, "loc": loc, "msg": message}


def _body(*parts) -> list:
    return ["body", BODY, *parts]


def _code_for_message(code: str) -> str:
    return code if len(code) <= 50 else code[:50] + "…"


def answers_token_refusals(view):
    """A respondent's operation answers a refused survey token with the status for its
    reason (unknown 404, already used 409, closed 410) and says the reason: kiosks show a
    different page for each. Staff operations use the one handler in api/api.py instead."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except TokenRefused as refused:
            return Status(
                REFUSED_STATUS.get(refused.reason, 404),
                {"detail": str(refused), "reason": refused.reason},
            )

    return wrapper


# -- the form -----------------------------------------------------------------------------


def _form_item(item) -> dict:
    return {
        "code": item.code,
        "text": item.text,
        "hint": item.hint,
        "type": item.type,
        "options": [{"code": code, "label": label} for code, label in item.option_labels()],
        "dont_know": item.dont_know,
        "required": item.required,
        "show_if": {"item": item.show_if.item, "values": list(item.show_if.values)}
        if item.show_if
        else None,
        "min": item.minimum,
        "max": item.maximum,
        "max_length": item.max_length,
    }


def _form(wave: Wave) -> dict:
    instruments = []
    for instrument in services.wave_instruments(wave):
        # Sections are the form's pages; an instrument without any is one page.
        sections = instrument.sections or (Section("main", instrument.title),)
        instruments.append(
            {
                "code": instrument.code,
                "version": instrument.version,
                "title": instrument.title,
                "description": instrument.description,
                "sections": [
                    {
                        "code": section.code,
                        "title": section.title,
                        "items": [_form_item(item) for item in instrument.items_in(section.code)],
                    }
                    for section in sections
                ],
            }
        )
    choices = services.reporting_unit_choices(wave) if wave.respondent_chooses_unit else []
    return {
        "wave_id": wave.pk,
        "title": wave.title,
        "closes_on": wave.closes_on,
        "respondent_chooses_unit": wave.respondent_chooses_unit,
        "reporting_units": [{"code": unit.code, "name": unit.name} for unit in choices],
        "instruments": instruments,
    }


# -- staff: waves -------------------------------------------------------------------------


@router.get(
    "/organisations/{org_code}/waves",
    response={200: list[WaveOut], **ERRORS},
    summary="List survey waves",
    operation_id="list_waves",
)
@requires(RATES)
def list_waves(request, org_code: OrgCode):
    """The organisation's survey waves, newest first: every wave for those who manage
    waves; launched waves for others who may see response rates, and for a manager only
    those that survey some of their subtree. `units` is null unless the caller may see
    rates for the whole organisation."""
    listing = queries.wave_list(actor=_actor(request), organisation=access(request).organisation)
    show_units = listing.reach.whole_organisation
    return [_wave_row(summary.wave, show_units=show_units) for summary in listing.waves]


def _wave_problems(organisation, data: WaveIn) -> list[dict]:
    """Each problem with the new wave's settings, at the field it is about. The service
    checks them all again; these only name the fields."""
    problems = []
    if not data.title.strip():
        problems.append(_error(_body("title"), "Enter a title."))
    found = []
    for index, ref in enumerate(data.instruments):
        if not re.fullmatch(INSTRUMENT_REF, ref.strip()):
            problems.append(
                _error(
                    _body("instruments", index),
                    f"{_code_for_message(ref)!r} is not an instrument code like "
                    "culture-pulse or culture-pulse@1.",
                )
            )
            continue
        try:
            found.append(services.find_instrument(organisation, ref))
        except Invalid as error:  # reported at its position in the list, with the others
            problems.append(_error(_body("instruments", index), error.errors["instruments"]))
    codes = [version.code for version in found]
    if len(set(codes)) != len(codes):
        problems.append(_error(_body("instruments"), "Choose each instrument once."))
    else:
        clashes = services.item_codes_clash(found)
        if clashes:
            problems.append(
                _error(
                    _body("instruments"),
                    f"These instruments share item codes ({', '.join(clashes)}); a wave "
                    "needs each item code once.",
                )
            )
    known = set(
        Unit.objects.for_org(organisation)
        .filter(code__in=data.units)
        .values_list("code", flat=True)
    )
    for index, code in enumerate(data.units):
        if code not in known:
            problems.append(
                _error(
                    _body("units", index),
                    f"There is no unit {_code_for_message(code)!r} in {organisation.code}.",
                )
            )
    for index, group in enumerate(data.staff_groups):
        if reference.find_staff_group(group) is None:
            problems.append(
                _error(
                    _body("staff_groups", index),
                    f"Unknown staff group {_code_for_message(group)!r}.",
                )
            )
    if data.opens_on and data.closes_on and data.closes_on < data.opens_on:
        problems.append(
            _error(_body("closes_on"), "The closing date must be on or after the opening date.")
        )
    return problems


@router.post(
    "/organisations/{org_code}/waves",
    response={201: WaveOut, 400: ErrorOut, **ERRORS_AND_VALIDATION},
    summary="Create a survey wave",
    operation_id="create_wave",
)
@requires(MANAGE, org_wide=True)
def create_wave(request, org_code: OrgCode, data: WaveIn):
    """A new draft wave: its instruments (by code, optionally `code@version`), the units
    whose subtrees it surveys, and optionally staff groups, dates and thresholds (a
    reporting threshold of at least 5; 11 unless given). Nobody is invited until it is
    launched. Needs SURVEY_MANAGE over the whole organisation; audited as
    `survey.wave_create`.

    A bad setting is a 422 whose `loc` names the field (and the position in a list, e.g.
    `["body", "data", "units", 1]`); nothing is stored."""
    organisation = access(request).organisation
    actor = _actor(request)
    with transaction.atomic():
        services.ensure_builtin_instruments(organisation=organisation, actor=actor)
        problems = _wave_problems(organisation, data)
        if problems:
            raise ValidationError(problems)  # and roll back the instrument imports
        settings_ = WaveSettings(
            title=data.title,
            instruments=[ref.strip() for ref in data.instruments],
            unit_codes=list(dict.fromkeys(data.units)),
            staff_groups=list(data.staff_groups),
            opens_on=data.opens_on,
            closes_on=data.closes_on,
            reporting_threshold=data.reporting_threshold,
            comment_threshold=data.comment_threshold,
            respondent_chooses_unit=data.respondent_chooses_unit,
        )
        wave = services.create_wave(organisation=organisation, settings=settings_, actor=actor)
    return Status(201, _reloaded_row(wave))


@router.get(
    "/waves/{wave_id}",
    response={200: WaveOut, **ERRORS_AND_VALIDATION},
    summary="Get a survey wave",
    operation_id="get_wave",
)
@requires(RATES, organisation_of=_wave_organisation)
def get_wave(request, wave_id: WaveId):
    """One wave's settings and status. A wave of an organisation where the caller holds
    no role, a draft for someone who does not manage waves, or (for a manager) a wave
    that surveys none of their subtree, is 404."""
    return _wave_row(_find_wave(request, wave_id), show_units=access(request).org_wide)


@router.get(
    "/waves/{wave_id}/form",
    response={200: FormOut, **ERRORS_AND_VALIDATION},
    summary="Get a wave's form",
    operation_id="get_wave_form",
)
@requires(RATES, organisation_of=_wave_organisation)
def get_wave_form(request, wave_id: WaveId):
    """The form respondents fill in: the wave's instruments in order, each with its
    sections (pages) and their items, with options, conditions (`show_if`) and limits.
    A kiosk or other front end with only a survey token reads the same form at
    `GET /take/form`."""
    return _form(_find_wave(request, wave_id))


@router.post(
    "/waves/{wave_id}/launch",
    response={200: WaveOut, **ERRORS_AND_VALIDATION, 409: ErrorOut},
    summary="Launch a survey wave",
    operation_id="launch_wave",
)
@requires(MANAGE, organisation_of=_wave_organisation, org_wide=True)
def launch_wave(request, wave_id: WaveId):
    """Open a draft wave: invite everyone in its units' subtrees (and staff groups), freeze
    the unit each invitation reports under, and queue the invitation emails. Needs
    SURVEY_MANAGE over the whole organisation; audited. A wave already launched, or one
    that would invite nobody, is 409 with the reason."""
    wave = _find_wave(request, wave_id, manage=True)
    actor = _actor(request)
    with transaction.atomic():
        wave = services.launch_wave(wave=wave, actor=actor)
        services.queue_invitations(wave=wave, actor=actor)
    return _reloaded_row(wave)


@router.post(
    "/waves/{wave_id}/close",
    response={200: WaveOut, **ERRORS_AND_VALIDATION, 409: ErrorOut},
    summary="Close a survey wave",
    operation_id="close_wave",
)
@requires(MANAGE, organisation_of=_wave_organisation, org_wide=True)
def close_wave(request, wave_id: WaveId):
    """Close an open wave for good: its answers become anonymous responses, shuffled, and
    can no longer change. Needs SURVEY_MANAGE over the whole organisation; audited. A wave
    that is not open is 409."""
    wave = _find_wave(request, wave_id, manage=True)
    wave = services.close_wave(wave=wave, actor=_actor(request))
    return _reloaded_row(wave)


# -- staff: response rates ----------------------------------------------------------------


def _counts(row: rates.RateRow) -> dict:
    rate = row.rate
    return {
        "invited": None if row.invited_hidden else row.invited,
        "responded": None if row.responded_hidden else row.responded,
        "rate": None if rate is None else round(rate, 4),
        "invited_text": row.invited_text,
        "responded_text": row.responded_text,
        "suppressed": row.invited_hidden or row.responded_hidden,
    }


def _rates(found: queries.ResponseRates) -> dict:
    """The rates as the API answers them: a hidden count is null, with its text beside it."""
    wave, roots, tables = found.wave, found.roots, found.tables
    threshold = wave.reporting_threshold
    nodes, unit_rows = tables.nodes, tables.unit_rows
    root_ids = {root.pk for root in roots}
    by_id = {node.id: node for node in nodes}
    by_code = {node.code: node for node in nodes}
    units = []
    for row in unit_rows:
        node = by_code[row.key]
        parent = by_id.get(node.parent_id) if node.id not in root_ids else None
        units.append(
            {
                "code": row.key,
                "name": row.label,
                "parent_code": parent.code if parent is not None else None,
                "depth": row.level,
                **_counts(row),
            }
        )
    groups = tables.group_rows
    device_total = tables.device_total - tables.imported_total
    periods = rates.day_periods(
        tables.days, threshold=threshold, total_hidden=tables.total_hidden[1]
    )
    return {
        "wave_id": wave.pk,
        "status": wave.status,
        "threshold": threshold,
        "fewer_than": rates.fewer_than(threshold),
        "scope": [root.code for root in roots],
        "units": units,
        "staff_groups": [{"code": row.key, "name": row.label, **_counts(row)} for row in groups],
        "shared_device_responses": None if device_total < threshold else device_total,
        "imported_responses": None if tables.imported_total < threshold else tables.imported_total,
        "by_day": [
            {
                "first": period.first,
                "last": period.last,
                "label": period.label,
                "responses": None if period.hidden else period.responses,
                "cumulative": None if period.cumulative < threshold else period.cumulative,
                "suppressed": period.hidden,
            }
            for period in periods
        ],
    }


@router.get(
    "/waves/{wave_id}/rates",
    response={200: RatesOut, **ERRORS_AND_VALIDATION, 409: ErrorOut},
    summary="Get a wave's response rates",
    operation_id="wave_rates",
)
@requires(RATES, organisation_of=_wave_organisation)
def wave_rates(request, wave_id: WaveId, filters: Query[RatesQuery]):
    """Invited, responded and the response rate, by unit (each unit counting everything
    below it) and by staff group, plus responses by period of days. A manager gets only
    their subtree(s). Every count below the wave's reporting threshold is null, with
    `suppressed: true` and the text `fewer than N`, and the rate beside it is null.
    `?unit=CODE` narrows to a unit inside what the caller may see. A draft wave has no
    rates (409)."""
    found = queries.response_rates(
        actor=_actor(request),
        organisation=access(request).organisation,
        wave_id=wave_id,
        unit_code=filters.unit,
        levels_below=99,
    )
    return _rates(found)


# -- respondents --------------------------------------------------------------------------


@router.get(
    "/take/form",
    auth=survey_token_auth,
    response={200: FormOut, 401: ErrorOut, **REFUSALS},
    summary="Get the form for a survey token",
    operation_id="take_form",
)
@requires(SURVEY_TOKEN)
@answers_token_refusals
def take_form(request, response: HttpResponse):
    """The form for the wave a survey token answers (send it as `X-Survey-Token`), the
    same as `GET /waves/{wave_id}/form`. Reading it starts nothing and stores nothing.
    A token that is unknown or garbled is 404; one whose answers were already sent is
    409; a closed wave is 410; `reason` says which."""
    response["Cache-Control"] = NO_STORE
    return _form(services.wave_for_token(request.auth))


def _type_problem(item, raw) -> str | None:
    """What is wrong with the JSON type of an answer (before its value is checked)."""
    values = raw if isinstance(raw, list) else [raw]
    if isinstance(raw, list) and item.type != "multiple_choice":
        return "Give one answer, not a list."
    for value in values:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            if item.type == "multiple_choice":
                return "Give a list of option codes (strings)."
            if item.type == "free_text":
                return "Give the answer as a string."
            return "Give the answer as a string or a number."
        if item.type in ("free_text", "multiple_choice") and not isinstance(value, str):
            return (
                "Give the answer as a string."
                if item.type == "free_text"
                else ("Give a list of option codes (strings).")
            )
        if isinstance(value, str) and "\x00" in value:
            return "The answer must not contain NUL characters."
    return None


def _clean_answers(items, answers: dict) -> tuple[dict, list[dict]]:
    """Every answer checked against its item (``answers.clean_answer``); then, in form
    order, required questions that are shown, and answers to questions their conditions
    hide dropped (as the web form does). Returns (answers to store, errors)."""
    by_code = {item.code: item for item in items}
    errors = [
        _error(
            _body("answers", _code_for_message(code)),
            f"Unknown item {_code_for_message(code)!r}: this wave's form has no such question.",
        )
        for code in answers
        if code not in by_code
    ]
    cleaned, bad = {}, set()
    for item in items:
        raw = answers.get(item.code)
        if raw is None:
            continue
        problem = _type_problem(item, raw)
        if problem is None:
            value, problem = clean_answer(item, raw if isinstance(raw, list) else str(raw))
        if problem is not None:
            bad.add(item.code)
            errors.append(_error(_body("answers", item.code), f"{item.code}: {problem}"))
            continue
        if value is not None:
            cleaned[item.code] = value
    kept: dict = {}
    for item in items:
        if not is_visible(item, kept):
            continue
        if item.code in cleaned:
            kept[item.code] = cleaned[item.code]
        elif item.required and item.code not in bad:
            errors.append(
                _error(_body("answers", item.code), f"{item.code}: Answer this question.")
            )
    return kept, errors[:MAX_ERRORS]


def _reporting_unit(wave: Wave, code: str | None) -> tuple[Unit | None, list[dict]]:
    if not wave.respondent_chooses_unit:
        if code is not None:
            return None, [
                _error(
                    _body("reporting_unit"),
                    "This survey does not let respondents choose their team: leave "
                    "reporting_unit out.",
                )
            ]
        return None, []
    unit = next((u for u in services.reporting_unit_choices(wave) if u.code == code), None)
    if unit is None:
        return None, [
            _error(
                _body("reporting_unit"),
                "Choose your team: one of the codes in the form's reporting_units.",
            )
        ]
    return unit, []


@router.post(
    "/take/submit",
    auth=survey_token_auth,
    response={
        201: SubmittedOut,
        400: ErrorOut,
        401: ErrorOut,
        **REFUSALS,
        422: ValidationErrorOut,
    },
    summary="Submit a response with a survey token",
    operation_id="take_submit",
)
@requires(SURVEY_TOKEN)
@answers_token_refusals
def take_submit(request, data: SubmissionIn, response: HttpResponse):
    """Send a whole response for the survey token in `X-Survey-Token`: `answers` maps
    item codes (from the form) to values; `reporting_unit` is needed when, and only
    when, the wave lets respondents choose their team.

    Every answer is checked against the wave's instruments: an unknown item code, an
    option not in the list, a number out of range or text over the limit is a 422 whose
    `loc` names the item (`["body", "data", "answers", "<item code>"]`), and nothing is
    stored. Answers to questions that an earlier answer hides (`show_if`) are checked too,
    then dropped, as on the web form. `201` means the
    response is stored for good: it is sent only after the transaction commits.

    A token may be used once: sending again is 409 (`reason: used`) and stores nothing.
    An unknown or garbled token is 404; a closed wave is 410. Nothing about the
    respondent (token, address, time) is stored or written to the audit log: the response
    keeps only its answers, its reporting unit and the day."""
    response["Cache-Control"] = NO_STORE

    def prepare(wave):
        answers, errors = _clean_answers(
            [item for i in services.wave_instruments(wave) for item in i.items],
            data.answers,
        )
        unit, unit_errors = _reporting_unit(wave, data.reporting_unit)
        if errors or unit_errors:
            raise ValidationError((errors + unit_errors)[:MAX_ERRORS])
        return answers, unit

    try:
        # One transaction: the token is locked, the answers checked against its wave, then
        # the ballot stored, the invitation marked and any draft removed; 201 is sent only
        # after it commits.
        services.submit_answers(token=request.auth, prepare=prepare)
    except IntegrityError:
        # Two submissions with one token at the same moment: the other one won.
        return Status(
            409, {"detail": "You have already sent your answers. Thank you.", "reason": "used"}
        )
    return Status(201, {"status": "stored"})


@router.post(
    "/take/device/{slug}/start",
    auth=None,
    response={201: DeviceStartOut, **REFUSALS, 429: ErrorOut},
    summary="Start a response on a shared device",
    operation_id="take_device_start",
)
@requires(SURVEY_TOKEN)
@answers_token_refusals
def take_device_start(request, slug: DeviceSlug, response: HttpResponse):
    """For a ward kiosk or other shared device: a fresh anonymous survey token for one
    response through the device link `slug` (from its address or QR poster). Use it as
    `X-Survey-Token` with `GET /take/form` and `POST /take/submit`. No sign-in: the link
    is the credential. Limited per link and client address (429 with `Retry-After` when
    exceeded). An unknown link is 404; a closed wave is 410."""
    response["Cache-Control"] = NO_STORE
    link = None
    if slug and len(slug) <= 40 and "\x00" not in slug:
        link = DeviceLink.objects.select_related("wave").filter(slug=slug).first()
    if link is None:
        raise TokenRefused("This link is not valid. Check the address on the poster.")
    services.ensure_open(link.wave)
    allowed, retry_after = allow_device_start(request, link)
    if not allowed:
        response["Retry-After"] = str(retry_after)
        return Status(
            429,
            {
                "detail": "Too many responses have been started from here through this link. "
                "Try again in a few minutes."
            },
        )
    token, _draft = services.start_on_device(link=link)
    return Status(201, {"token": token, "wave_id": link.wave.pk, "title": link.wave.title})
