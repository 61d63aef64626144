"""Writes for surveys: instruments, the wave lifecycle, taking part and submitting.

Every function takes keyword-only arguments and an explicit actor, runs in one transaction
and writes its audit event there, except the respondent's own actions (starting, saving,
submitting), which are deliberately not audited with any identity: see docs/privacy.md.
"""

import random
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from colead.audit.services import record
from colead.core.actor import Actor
from colead.lib import memory
from colead.lib.errors import ColeadError, Conflict, Invalid
from colead.org import reference
from colead.org.models import Person, ProtectedCharacteristics, Unit
from colead.privacy import roster
from colead.surveys import answers as answer_rules
from colead.surveys import definitions, tokens
from colead.surveys.masking import build_masker
from colead.surveys.models import (
    MIN_REPORTING_THRESHOLD,
    POOLED_STAFF_GROUPS,
    Ballot,
    DeviceLink,
    Draft,
    InstrumentVersion,
    Invitation,
    Response,
    ResponseSource,
    Wave,
    WaveInstrument,
    WaveResponseCount,
    WaveStatus,
    WaveUnit,
)
from colead.surveys.response_import import BAND_GROUPS
from colead.surveys.signals import announce_responses_final

# -- instruments -----------------------------------------------------------------------


def import_instrument(
    *, organisation, instrument: definitions.Instrument, actor: Actor
) -> tuple[InstrumentVersion, bool]:
    """Store an instrument version. Returns (version, created). Importing the same content
    again is a no-op; different content under an existing version number is refused."""
    digest = definitions.definition_digest(instrument)
    with transaction.atomic():
        existing = (
            InstrumentVersion.objects.for_org(organisation)
            .filter(code=instrument.code, version=instrument.version)
            .first()
        )
        if existing is not None:
            if existing.digest != digest:
                raise Conflict(
                    f"Version {instrument.version} of {instrument.code} already exists with "
                    f"different content. Give the changed instrument a new version number."
                )
            return existing, False
        version = InstrumentVersion.objects.create(
            organisation=organisation,
            code=instrument.code,
            version=instrument.version,
            title=instrument.title,
            definition=definitions.plain_definition(instrument),
            digest=digest,
        )
        record(
            action="survey.instrument_import",
            actor=actor,
            organisation=organisation,
            obj=version,
            detail={"code": instrument.code, "version": instrument.version, "digest": digest},
        )
        return version, True


def ensure_builtin_instruments(*, organisation, actor: Actor) -> list[InstrumentVersion]:
    return [
        import_instrument(organisation=organisation, instrument=instrument, actor=actor)[0]
        for instrument in definitions.builtin_instruments()
    ]


def find_instrument(organisation, reference_text: str) -> InstrumentVersion:
    """'culture-pulse' (latest version) or 'culture-pulse@2'; Invalid (on "instruments")
    when there is no such instrument."""
    code, _, version = reference_text.strip().partition("@")
    versions = InstrumentVersion.objects.for_org(organisation).filter(code=code)
    if version:
        if not version.isdecimal():
            raise Invalid(
                {"instruments": f"{reference_text!r}: the version after @ must be a number."}
            )
        versions = versions.filter(version=int(version))
    found = versions.order_by("-version").first()
    if found is None:
        known = sorted(
            set(InstrumentVersion.objects.for_org(organisation).values_list("code", flat=True))
        )
        raise Invalid(
            {
                "instruments": f"There is no instrument {reference_text!r} in "
                f"{organisation.code}. Known: "
                f"{', '.join(known) or 'none (import one with colead instruments import)'}."
            }
        )
    return found


# -- waves -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WaveSettings:
    title: str
    instruments: list[str]
    unit_codes: list[str]
    staff_groups: list[str] = ()
    opens_on: date | None = None
    closes_on: date | None = None
    reporting_threshold: int = 11
    comment_threshold: int = 10
    respondent_chooses_unit: bool = False


def _check_settings(organisation, settings: WaveSettings):
    """The wave's instruments, units and staff groups, or Invalid naming each field that is
    wrong (the names of the wave form's fields) and how to put it right."""
    problems: dict[str, list[str]] = {}

    def problem(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    if not settings.title.strip():
        problem("title", "Enter a title.")
    if len(settings.title) > 200:
        problem("title", "The title must be 200 characters or fewer.")
    if not settings.instruments:
        problem("instruments", "Choose at least one instrument.")
    if not settings.unit_codes:
        problem("units", "Choose at least one unit to survey.")
    for field, value in (
        ("reporting_threshold", settings.reporting_threshold),
        ("comment_threshold", settings.comment_threshold),
    ):
        if value < MIN_REPORTING_THRESHOLD:
            problem(
                field,
                f"The {field.replace('_', ' ')} must be {MIN_REPORTING_THRESHOLD} or more "
                f"(it is {value}).",
            )
    if settings.opens_on and settings.closes_on and settings.closes_on < settings.opens_on:
        problem("closes_on", "The closing date must be on or after the opening date.")
    instruments = []
    for ref in settings.instruments:
        try:
            instruments.append(find_instrument(organisation, ref))
        except Invalid as error:
            problem("instruments", error.errors["instruments"])
    if len({i.code for i in instruments}) != len(instruments):
        problem("instruments", "Choose each instrument once.")
    units = list(Unit.objects.for_org(organisation).filter(code__in=settings.unit_codes))
    missing = sorted(set(settings.unit_codes) - {u.code for u in units})
    if missing:
        problem("units", f"Unknown unit codes in {organisation.code}: {', '.join(missing)}.")
    bad_groups = [g for g in settings.staff_groups if reference.find_staff_group(g) is None]
    if bad_groups:
        problem("staff_groups", f"Unknown staff groups: {', '.join(bad_groups)}.")
    if problems:
        raise Invalid({field: " ".join(messages) for field, messages in problems.items()})
    groups = sorted({reference.find_staff_group(g).code for g in settings.staff_groups})
    return instruments, units, groups


def item_codes_clash(instruments: list[InstrumentVersion]) -> list[str]:
    """Item codes that more than one of the instruments uses (a wave needs each once)."""
    seen, clashes = set(), []
    for version in instruments:
        for item in version.parsed().items:
            if item.code in seen:
                clashes.append(item.code)
            seen.add(item.code)
    return clashes


@transaction.atomic
def create_wave(*, organisation, settings: WaveSettings, actor: Actor) -> Wave:
    """A draft wave. The built-in instruments are imported first (a no-op once done), so
    a wave can name them in a new organisation; nothing is kept if the settings are wrong."""
    ensure_builtin_instruments(organisation=organisation, actor=actor)
    instruments, units, groups = _check_settings(organisation, settings)
    clashes = item_codes_clash(instruments)
    if clashes:
        raise Invalid(
            {
                "instruments": f"These instruments share item codes ({', '.join(clashes)}); "
                "a wave needs each item code once."
            }
        )
    wave = Wave.objects.create(
        organisation=organisation,
        title=settings.title.strip(),
        staff_groups=groups,
        opens_on=settings.opens_on,
        closes_on=settings.closes_on,
        reporting_threshold=settings.reporting_threshold,
        comment_threshold=settings.comment_threshold,
        respondent_chooses_unit=settings.respondent_chooses_unit,
        created_by=actor.user,
    )
    WaveInstrument.objects.bulk_create(
        WaveInstrument(wave=wave, instrument=instrument, position=index)
        for index, instrument in enumerate(instruments)
    )
    wave.target_units.set(units)
    record(
        action="survey.wave_create",
        actor=actor,
        organisation=organisation,
        obj=wave,
        detail={
            "instruments": [f"{i.code}@{i.version}" for i in instruments],
            "units": sorted(u.code for u in units),
            "reporting_threshold": wave.reporting_threshold,
        },
    )
    return wave


def _lock(wave: Wave) -> Wave:
    return Wave.objects.select_for_update().get(pk=wave.pk)


def eligible_people(wave: Wave):
    roots = list(wave.target_units.all())
    q = Q()
    for root in roots:
        q |= Q(primary_unit__path__startswith=root.path)
    people = Person.objects.for_org(wave.organisation).current().filter(q)
    if wave.staff_groups:
        people = people.filter(staff_group__in=wave.staff_groups)
    return people


@transaction.atomic
def launch_wave(*, wave: Wave, actor: Actor) -> Wave:
    """Freeze who is invited and where their answers will be reported, and open the wave.
    Invitation emails go out as a background job (send_invitations)."""
    wave = _lock(wave)
    if not wave.is_draft:
        raise Conflict(f"{wave.title} has already been launched.")
    people = list(eligible_people(wave).values("id", "primary_unit_id", "staff_group"))
    if not people:
        raise Conflict("Nobody matches this wave's units and staff groups; nothing to launch.")
    if len(people) < MIN_REPORTING_THRESHOLD:
        # Stored responses must each match at least this many invited people once the wave
        # closes (generalise_responses); fewer in all cannot be protected.
        raise Conflict(
            f"Only {len(people)} people match this wave's units and staff groups. A wave "
            f"needs at least {MIN_REPORTING_THRESHOLD} people invited so that no answer can "
            "be traced to one of them: add units or staff groups."
        )
    invitations = Invitation.objects.bulk_create(
        [
            Invitation(
                wave=wave,
                person_id=p["id"],
                reporting_unit_id=p["primary_unit_id"],
                staff_group=p["staff_group"],
                nonce=tokens.new_nonce(),
                token_digest="pending:" + secrets.token_hex(24),
            )
            for p in people
        ],
        batch_size=2000,
    )
    # The token names the invitation's id, so its digest is known only after the insert.
    # One prepared UPDATE run for every row (executemany) rather than bulk_update's CASE
    # expressions: several times faster for a trust-sized wave.
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {Invitation._meta.db_table} SET token_digest = %s WHERE id = %s",
            [
                (tokens.lookup_digest(tokens.invitation_token(i.pk, i.nonce)), i.pk)
                for i in invitations
            ],
        )
    per_unit: dict[int, int] = {}
    for p in people:
        per_unit[p["primary_unit_id"]] = per_unit.get(p["primary_unit_id"], 0) + 1
    WaveUnit.objects.bulk_create(
        WaveUnit(wave=wave, unit_id=unit_id, invited=count) for unit_id, count in per_unit.items()
    )
    wave.status = WaveStatus.OPEN
    wave.launched_at = timezone.now()
    if wave.opens_on is None:
        wave.opens_on = timezone.localdate()
    wave.save(update_fields=["status", "launched_at", "opens_on"])
    record(
        action="survey.wave_launch",
        actor=actor,
        organisation=wave.organisation,
        obj=wave,
        detail={"invited": len(people), "reporting_units": len(per_unit)},
    )
    return wave


@transaction.atomic
def extend_wave(*, wave: Wave, closes_on: date, actor: Actor) -> Wave:
    wave = _lock(wave)
    if not wave.is_open:
        raise Conflict("Only an open wave can be extended.")
    if closes_on < timezone.localdate() or (wave.closes_on and closes_on <= wave.closes_on):
        raise Invalid(
            {
                "closes_on": "The new closing date must be later than the current one and "
                "not in the past."
            }
        )
    previous = wave.closes_on
    wave.closes_on = closes_on
    wave.save(update_fields=["closes_on"])
    record(
        action="survey.wave_extend",
        actor=actor,
        organisation=wave.organisation,
        obj=wave,
        detail={"from": previous.isoformat() if previous else None, "to": closes_on.isoformat()},
    )
    return wave


@transaction.atomic
def close_wave(*, wave: Wave, actor: Actor) -> Wave:
    """Close the wave for good. The ballots are opened, generalised against the invited
    roster (``generalise_responses``) and moved into responses in a random order, so that
    neither row order nor transaction ids tie a response to the invitation it answered; then
    everything the invitations said about each person's fieldwork (responded, when their
    emails went) is erased, keeping only counts per reporting unit and staff group."""
    wave = _lock(wave)
    if not wave.is_open:
        raise Conflict("Only an open wave can be closed.")
    ballots = list(Ballot.objects.filter(wave=wave))
    random.SystemRandom().shuffle(ballots)
    responses = [
        Response(
            wave=wave,
            reporting_unit_id=b.reporting_unit_id,
            submitted_on=b.submitted_on,
            demographics=b.demographics,
            answers=b.answers,
            comments=b.comments,
            source=b.source,
        )
        for b in ballots
    ]
    # Responses imported while the wave was open are generalised as the ballots are.
    imported = list(Response.objects.filter(wave=wave))
    generalised = generalise_responses(wave, responses + imported)
    Response.objects.bulk_create(responses, batch_size=2000)
    Response.objects.bulk_update(
        [r for r in imported if r.pk in generalised.changed],
        ["reporting_unit", "demographics"],
        batch_size=2000,
    )
    Ballot.objects.filter(wave=wave).delete()
    Draft.objects.filter(wave=wave).delete()
    _erase_fieldwork(wave)
    wave.status = WaveStatus.CLOSED
    wave.closed_at = timezone.now()
    wave.save(update_fields=["status", "closed_at"])
    record(
        action="survey.wave_close",
        actor=actor,
        organisation=wave.organisation,
        obj=wave,
        detail={
            "responses": len(ballots),
            "moved_to_a_larger_unit": generalised.moved,
            "answers_not_kept": generalised.dropped,
        },
    )
    # Results are scored once, now, in this transaction, by whoever listens (insights): the
    # results pages read the stored scores, never the answers.
    announce_responses_final(wave=wave, actor=actor)
    return wave


def _erase_fieldwork(wave: Wave) -> None:
    """Keep invited and responded counts per reporting unit and staff group (staff groups of
    fewer than 5 invited pooled, ``roster.pool_small_cells``), then clear every
    invitation's responded flag and email times: after close nothing says who took part, or
    who was reminded. The token digests stay, so an old link still says the wave has closed."""
    invitations = Invitation.objects.filter(wave=wave)
    by_unit: dict[int, dict[str, tuple[int, int]]] = {}
    for row in (
        invitations.values("reporting_unit_id", "staff_group")
        .annotate(invited=Count("id"), responded=Count("id", filter=Q(responded=True)))
        .order_by()
    ):
        cells = by_unit.setdefault(row["reporting_unit_id"], {})
        cells[row["staff_group"]] = (row["invited"], row["responded"])
    _keep_counts(wave, by_unit)
    invitations.update(responded=False, sent_at=None, reminded_at=None)


def _keep_counts(wave: Wave, by_unit: dict[int, dict[str, tuple[int, int]]]) -> None:
    """Store a closed wave's (invited, responded) counts per unit and staff group, each
    unit's small staff groups pooled (``roster.pool_small_cells``)."""
    WaveResponseCount.objects.bulk_create(
        WaveResponseCount(
            wave=wave,
            reporting_unit_id=unit_id,
            staff_group=group,
            invited=invited,
            responded=responded,
        )
        for unit_id, cells in by_unit.items()
        for group, (invited, responded) in roster.pool_small_cells(
            cells, k=MIN_REPORTING_THRESHOLD, pooled=POOLED_STAFF_GROUPS
        ).items()
    )


@transaction.atomic
def generalise_closed_wave(*, wave: Wave, actor: Actor) -> "GeneralisedResponses":
    """Apply close's protection to a wave closed before it existed (or check one closed
    since, which changes nothing): generalise its stored responses against the invited
    roster, pool its kept counts' small staff groups, and score it again. Audited as
    ``survey.wave_generalise``."""
    wave = _lock(wave)
    if not wave.is_closed:
        raise Conflict(
            f"{wave.title} is {wave.status}: closing it generalises its responses "
            "(colead waves close WAVE)."
        )
    responses = list(Response.objects.filter(wave=wave))
    generalised = generalise_responses(wave, responses)
    Response.objects.bulk_update(
        [r for r in responses if r.pk in generalised.changed],
        ["reporting_unit", "demographics"],
        batch_size=2000,
    )
    counts = WaveResponseCount.objects.filter(wave=wave)
    by_unit: dict[int, dict[str, tuple[int, int]]] = {}
    for row in counts:
        by_unit.setdefault(row.reporting_unit_id, {})[row.staff_group] = (
            row.invited,
            row.responded,
        )
    # Units already pooled at close stay as they are; the others are pooled now.
    unpooled = {u: cells for u, cells in by_unit.items() if POOLED_STAFF_GROUPS not in cells}
    counts.filter(reporting_unit_id__in=list(unpooled)).delete()
    _keep_counts(wave, unpooled)
    record(
        action="survey.wave_generalise",
        actor=actor,
        organisation=wave.organisation,
        obj=wave,
        detail={
            "responses": len(responses),
            "moved_to_a_larger_unit": generalised.moved,
            "answers_not_kept": generalised.dropped,
        },
    )
    announce_responses_final(wave=wave, actor=actor)
    return generalised


@dataclass(frozen=True)
class GeneralisedResponses:
    changed: set  # primary keys of the responses given that were changed
    moved: int  # responses now reported in a larger unit
    dropped: int  # demographic answers stored as not given


def roster_facts(wave: Wave) -> list[roster.RosterPerson]:
    """The wave's invited people as a database holder sees them: each invitation's frozen
    reporting unit and staff group, and the person's band, length of service at the wave's
    close and recorded protected characteristics, in the "About you" codes."""
    on = wave.closes_on or timezone.localdate()
    protected = {
        row["person_id"]: row
        for row in ProtectedCharacteristics.objects.filter(
            person__in=Invitation.objects.filter(wave=wave).values("person_id")
        ).values("person_id", *reference.PROTECTED_FIELDS)
    }
    people = []
    for unit_id, group, person_id, band, start in Invitation.objects.filter(wave=wave).values_list(
        "reporting_unit_id", "staff_group", "person_id", "person__band", "person__start_date"
    ):
        facts = {
            "staff_group": group or None,
            "band": BAND_GROUPS.get(band),
            "length_of_service": roster.length_of_service_code(start, on),
        }
        recorded = protected.get(person_id)
        if recorded is not None:
            facts["ethnicity"] = roster.ethnicity_code(recorded["ethnicity"])
            facts["sex"] = roster.sex_code(recorded["sex"])
            facts["disability"] = roster.disability_code(recorded["disability"])
            facts["age_band"] = roster.age_band_code(recorded["age_band"])
        people.append(roster.RosterPerson(unit_id, facts))
    return people


def generalise_responses(wave: Wave, responses: list[Response]) -> GeneralisedResponses:
    """Change ``responses`` (unsaved or stored rows of ``wave``) in place so that each one's
    reporting unit and demographic answers match at least MIN_REPORTING_THRESHOLD invited
    people, as a database holder could match them with the workforce records
    (colead.privacy.roster): responses of units with too few people invited move up to a
    larger unit, and the rarest answers are stored as not given."""
    # The tree is the wave's own units, with its target unit at the top: a response never
    # moves out of the part of the organisation the wave surveyed. Several targets are joined
    # through their ancestors, so that a small one can fold into a larger whole.
    roots = list(wave.target_units.all())
    in_wave = Q(pk__in=[])
    for root in roots:
        in_wave |= Q(path__startswith=root.path)
        if len(roots) > 1:
            in_wave |= Q(path__in=[root.path[:end] for end in range(1, len(root.path))])
    parents = dict(
        Unit.objects.filter(organisation_id=wave.organisation_id)
        .filter(in_wave)
        .values_list("id", "parent_id")
    )
    parents = {unit: (parent if parent in parents else None) for unit, parent in parents.items()}
    try:
        results = roster.generalise(
            parents=parents,
            roster=roster_facts(wave),
            responses=[
                roster.StoredResponse(r.reporting_unit_id, r.demographics) for r in responses
            ],
            fields=definitions.DEMOGRAPHIC_FIELDS,
            k=MIN_REPORTING_THRESHOLD,
        )
    except roster.RosterError as error:
        raise Conflict(f"{wave.title}: {error}") from error
    changed, moved, dropped = set(), 0, 0
    for response, result in zip(responses, results, strict=True):
        if result.unit != response.reporting_unit_id:
            moved += 1
            response.reporting_unit_id = result.unit
            changed.add(response.pk)
        if result.dropped:
            dropped += len(result.dropped)
            response.demographics = result.demographics
            changed.add(response.pk)
    return GeneralisedResponses(changed, moved, dropped)


def device_link_for(*, wave: Wave, unit: Unit, actor: Actor) -> DeviceLink:
    if wave.is_closed:
        raise Conflict(f"{wave.title} is closed: device links are for open waves only.")
    link = DeviceLink.objects.filter(wave=wave, unit=unit).first()
    if link is None:
        link = DeviceLink.objects.create(wave=wave, unit=unit, slug=secrets.token_urlsafe(12))
        record(
            action="survey.device_link_create",
            actor=actor,
            organisation=wave.organisation,
            obj=wave,
            detail={"unit": unit.code},
        )
    return link


# -- taking part -----------------------------------------------------------------------


class TokenRefused(ColeadError):
    """A survey link or form that cannot be used. ``reason`` says why, for the page shown:
    "invalid" (unknown or garbled), "used" (already sent), "closed" or "not_open".

    Not one of the four kinds: the respondent's pages and the API's ``/take/`` operations
    answer each reason with its own status (a closed wave is 410 Gone), so they catch it."""

    def __init__(self, message: str, *, reason: str = "invalid"):
        super().__init__(message)
        self.reason = reason


_WAVE_INSTRUMENTS: dict[int, list[definitions.Instrument]] = memory.register(
    {}, f"{__name__}._WAVE_INSTRUMENTS"
)


def wave_instruments(wave: Wave) -> list[definitions.Instrument]:
    """The wave's instruments in order. A launched wave's instruments never change, so they
    are kept per process: every submission needs them."""
    if wave.is_draft:
        return [version.parsed() for version in wave.ordered_instruments()]
    cached = _WAVE_INSTRUMENTS.get(wave.pk)
    if cached is None:
        cached = [version.parsed() for version in wave.ordered_instruments()]
        _WAVE_INSTRUMENTS[wave.pk] = cached
    return cached


def start_with_invitation_token(token: str) -> tuple[Wave, Draft]:
    """Open (or resume) the form for a personal invitation token."""
    if not tokens.looks_like_token(token) or not token.startswith("i"):
        raise TokenRefused(
            "This link is not valid. Check you copied the whole link from your email."
        )
    invitation = (
        Invitation.objects.select_related("wave")
        .filter(token_digest=tokens.lookup_digest(token))
        .first()
    )
    if invitation is None:
        raise TokenRefused(
            "This link is not valid. Check you copied the whole link from your email."
        )
    wave = invitation.wave
    _check_open(wave)
    if invitation.responded:
        raise TokenRefused("You have already taken part in this survey. Thank you.", reason="used")
    draft, _ = Draft.objects.get_or_create(
        key_digest=tokens.draft_digest(token),
        defaults={
            "wave": wave,
            # The wave may let respondents choose their unit; otherwise it is frozen at launch.
            "reporting_unit_id": None
            if wave.respondent_chooses_unit
            else invitation.reporting_unit_id,
        },
    )
    return wave, draft


def start_on_device(*, link: DeviceLink) -> tuple[str, Draft]:
    """A fresh anonymous token for one completion on a shared device."""
    _check_open(link.wave)
    token = tokens.device_token()
    draft = Draft.objects.create(
        key_digest=tokens.draft_digest(token),
        wave=link.wave,
        reporting_unit_id=None if link.wave.respondent_chooses_unit else link.unit_id,
    )
    return token, draft


def resume(token: str) -> tuple[Wave, Draft]:
    if not tokens.looks_like_token(token):
        raise TokenRefused("This link is not valid.")
    if token.startswith("i"):
        return start_with_invitation_token(token)
    draft = (
        Draft.objects.select_related("wave").filter(key_digest=tokens.draft_digest(token)).first()
    )
    if draft is None:
        raise TokenRefused("This form has expired or was already sent. Thank you.", reason="used")
    _check_open(draft.wave)
    if draft.submitted:
        raise TokenRefused("You have already sent your answers. Thank you.", reason="used")
    return draft.wave, draft


def wave_for_token(token: str) -> Wave:
    """The wave a token may answer, without starting or changing anything (the API's form
    endpoint): the same checks and refusals as ``resume``, but no draft is created."""
    if not tokens.looks_like_token(token):
        raise TokenRefused("This link is not valid.")
    if token.startswith("i"):
        invitation = (
            Invitation.objects.select_related("wave")
            .filter(token_digest=tokens.lookup_digest(token))
            .first()
        )
        if invitation is None:
            raise TokenRefused(
                "This link is not valid. Check you copied the whole link from your email."
            )
        _check_open(invitation.wave)
        if invitation.responded:
            raise TokenRefused(
                "You have already taken part in this survey. Thank you.", reason="used"
            )
        return invitation.wave
    draft = (
        Draft.objects.select_related("wave").filter(key_digest=tokens.draft_digest(token)).first()
    )
    if draft is None:
        raise TokenRefused("This form has expired or was already sent. Thank you.", reason="used")
    _check_open(draft.wave)
    if draft.submitted:
        raise TokenRefused("You have already sent your answers. Thank you.", reason="used")
    return draft.wave


def ensure_open(wave: Wave) -> None:
    """Raise TokenRefused (reason "closed" or "not_open") unless the wave takes answers."""
    _check_open(wave)


def _check_open(wave: Wave):
    if wave.is_closed:
        raise TokenRefused("This survey has closed. Thank you for your interest.", reason="closed")
    if not wave.is_open:
        raise TokenRefused("This survey has not opened yet.", reason="not_open")
    today = timezone.localdate()
    if wave.closes_on and today > wave.closes_on:
        raise TokenRefused("This survey has closed. Thank you for your interest.", reason="closed")


def reporting_unit_choices(wave: Wave) -> list[Unit]:
    """Units a respondent may choose, where the wave allows it: the wave's units, teams first."""
    roots = list(wave.target_units.all())
    q = Q()
    for root in roots:
        q |= Q(path__startswith=root.path)
    return list(Unit.objects.for_org(wave.organisation).filter(q, is_active=True).order_by("name"))


def choose_reporting_unit(*, draft: Draft, unit_code: str) -> Draft:
    if not draft.wave.respondent_chooses_unit:
        raise Invalid({"unit": "This survey does not let you choose your team."})
    unit = next((u for u in reporting_unit_choices(draft.wave) if u.code == unit_code), None)
    if unit is None:
        raise Invalid({"unit": "Select your team from the list."})
    draft.reporting_unit = unit
    draft.save(update_fields=["reporting_unit", "updated_on"])
    return draft


def save_answers(*, draft: Draft, section_items, form: dict) -> list[answer_rules.AnswerError]:
    """Validate one page and keep its answers in the draft (even with errors, the valid
    answers are kept so nothing typed is lost)."""
    cleaned, errors = answer_rules.clean_section(section_items, form, draft.answers)
    merged = {**draft.answers, **{k: v for k, v in cleaned.items()}}
    draft.answers = {k: v for k, v in merged.items() if v is not None}
    draft.save(update_fields=["answers", "updated_on"])
    return errors


USED = "You have already sent your answers. Thank you."
TAKEN_PART = "You have already taken part in this survey. Thank you."


@transaction.atomic
def submit(*, token: str) -> None:
    """Store the draft's answers for good. Acknowledged only once this transaction commits;
    a second submission with the same token stores nothing and is refused with a reason."""
    draft = (
        Draft.objects.select_for_update(of=("self",))
        .select_related("wave")
        .filter(key_digest=tokens.draft_digest(token))
        .first()
    )
    if draft is None or draft.submitted:
        raise TokenRefused(USED, reason="used")
    wave = draft.wave
    _check_open(wave)
    if draft.reporting_unit_id is None:
        raise Invalid({"reporting_unit": "Select your team before sending your answers."})
    invitation = None
    if token.startswith("i"):
        invitation = (
            Invitation.objects.select_for_update()
            .filter(token_digest=tokens.lookup_digest(token), wave=wave)
            .first()
        )
        if invitation is None or invitation.responded:
            raise TokenRefused(TAKEN_PART, reason="used")
    _store_ballot(wave, draft.reporting_unit_id, draft.answers, invitation and invitation.pk)
    # The draft is removed rather than kept as "submitted": the answers now live only in
    # the ballot. Resubmitting finds nothing and is refused.
    Draft.objects.filter(pk=draft.pk).delete()


@transaction.atomic
def submit_answers(*, token: str, prepare) -> None:
    """Store a whole response sent in one go by a front end (a kiosk, the API), without a
    draft round trip: the same rules and the same single transaction as ``submit``.

    ``prepare(wave)`` is called once the token is locked and its wave known; it returns
    ``(answers, reporting_unit)`` (answers cleaned against the wave's items; the unit only
    where the respondent chooses it, else None) or raises to store nothing.

    This is the busiest write in the product (a whole trust answering in a week), so the
    invitation path is a handful of plain statements: one locking SELECT of the invitation
    and the few wave columns the checks need, then DELETE, INSERT and UPDATE
    (docs/benchmarks.md, "Surveys")."""
    if not tokens.looks_like_token(token):
        raise TokenRefused("This link is not valid.", reason="invalid")
    if token.startswith("i"):
        found = _lock_invitation(tokens.lookup_digest(token))
        if found is None:
            raise TokenRefused("This link is not valid.", reason="invalid")
        invitation_id, responded, invited_unit_id, wave = found
        _check_open(wave)
        if responded:
            raise TokenRefused(TAKEN_PART, reason="used")
        answers, reporting_unit = prepare(wave)
        unit_id = None if wave.respondent_chooses_unit else invited_unit_id
        # Any answers saved on the web pages are replaced by this submission.
        draft_digest = tokens.draft_digest(token)
    else:
        draft_digest = None
        invitation_id = None
        draft = (
            Draft.objects.select_for_update(of=("self",))
            .select_related("wave")
            .filter(key_digest=tokens.draft_digest(token))
            .first()
        )
        if draft is None:
            raise TokenRefused(USED, reason="used")
        wave = draft.wave
        _check_open(wave)
        answers, reporting_unit = prepare(wave)
        unit_id = draft.reporting_unit_id
        Draft.objects.filter(pk=draft.pk).delete()
    if reporting_unit is not None:
        unit_id = reporting_unit.pk
    if unit_id is None:
        raise Invalid({"reporting_unit": "Select your team before sending your answers."})
    _store_ballot(wave, unit_id, answers, invitation_id, remove_draft=draft_digest)


# The wave columns the submission checks read (``_check_open``, the reporting unit rule,
# the instrument and masker caches): enough to stand in for the Wave on this path.
_SUBMIT_WAVE_FIELDS = (
    "id",
    "organisation_id",
    "status",
    "opens_on",
    "closes_on",
    "respondent_chooses_unit",
)


def _lock_invitation(digest: str) -> tuple[int, bool, int, Wave] | None:
    """(invitation id, responded, its reporting unit id, a Wave with the submission's
    fields) for a token digest, with the invitation row locked until the transaction ends,
    so that two submissions with one token cannot both pass the "responded" check.

    Plain SQL: building this query through the ORM cost more CPU than the database spent
    answering it (docs/benchmarks.md, "Surveys")."""
    wave_columns = ", ".join(f"w.{field}" for field in _SUBMIT_WAVE_FIELDS)
    # SQLite has no row locks and needs none: its transactions begin IMMEDIATE (settings),
    # so a second submission waits for the first to end before it reads the invitation.
    lock = ""
    if connection.features.has_select_for_update_of:  # postgresql only: row locks
        lock = " FOR UPDATE OF i"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT i.id, i.responded, i.reporting_unit_id, {wave_columns} "
            f"FROM {Invitation._meta.db_table} i "
            f"INNER JOIN {Wave._meta.db_table} w ON w.id = i.wave_id "
            f"WHERE i.token_digest = %s{lock}",
            [digest],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    invitation_id, responded, unit_id, *wave_values = row
    wave = Wave(**dict(zip(_SUBMIT_WAVE_FIELDS, wave_values, strict=True)))
    wave._state.adding = False
    return invitation_id, bool(responded), unit_id, wave


_BALLOT_COLUMNS = (
    "id",
    "wave_id",
    "reporting_unit_id",
    "submitted_on",
    "sealed",
    "source",
)


def _store_ballot(
    wave: Wave,
    unit_id: int,
    answers: dict,
    invitation_id: int | None,
    *,
    remove_draft: str | None = None,
):
    """Insert the ballot (sealed, with a random id), mark the invitation responded and remove
    the draft with digest ``remove_draft`` (inside the caller's transaction).

    Plain SQL for the same reason as ``_lock_invitation``; each value is prepared by its
    model field, so JSON and dates are stored exactly as the ORM would. On PostgreSQL the
    three writes are one statement (data-modifying CTEs), saving two round trips."""
    instruments = wave_instruments(wave)
    all_items = [item for instrument in instruments for item in instrument.items]
    kept = answer_rules.prune_hidden(all_items, answers)
    demographics, item_answers, comments = answer_rules.split_for_storage(instruments, kept)
    if comments:
        comments = {code: mask_comment(wave, text) for code, text in comments.items()}
    values = {
        "id": uuid.uuid4(),
        "wave_id": wave.pk,
        "reporting_unit_id": unit_id,
        "submitted_on": timezone.localdate(),
        # Sealed (encrypted) by the field: this row is written in the same transaction
        # that marks the invitation, so it must say nothing a database holder could read.
        "sealed": {"demographics": demographics, "answers": item_answers, "comments": comments},
        "source": ResponseSource.ONLINE if invitation_id else ResponseSource.DEVICE,
    }
    fields = {field.attname: field for field in Ballot._meta.concrete_fields}
    insert_params = [fields[c].get_db_prep_save(values[c], connection) for c in _BALLOT_COLUMNS]
    insert = (
        f"INSERT INTO {Ballot._meta.db_table} ({', '.join(_BALLOT_COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(_BALLOT_COLUMNS))})"
    )
    mark = f"UPDATE {Invitation._meta.db_table} SET responded = %s WHERE id = %s"
    delete = f"DELETE FROM {Draft._meta.db_table} WHERE key_digest = %s"
    statements = []
    if remove_draft is not None:
        statements.append((delete, [remove_draft]))
    if invitation_id is not None:
        statements.append((mark, [True, invitation_id]))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and statements:  # postgresql only: CTE writes
            ctes = ", ".join(f"w{i} AS ({sql})" for i, (sql, _) in enumerate(statements))
            params = [p for _, statement_params in statements for p in statement_params]
            cursor.execute(f"WITH {ctes} {insert}", params + insert_params)
            return
        for sql, params in statements:
            cursor.execute(sql, params)
        cursor.execute(insert, insert_params)


_MASKERS: dict[int, tuple[float, object]] = memory.register({}, f"{__name__}._MASKERS")
_MASKER_LOCK = threading.Lock()
MASKER_MAX_AGE = 300  # seconds: staff names change with imports, not by the minute


def mask_comment(wave: Wave, text: str) -> str:
    """Mask personal details with the organisation's staff names. The masker is built from
    every person's names, so it is kept per process for a few minutes. One thread builds it
    while the others wait (the first time) or keep using the previous one (when it is only
    out of date), so a busy worker never builds it more than once at a time."""
    organisation_id = wave.organisation_id
    cached = _MASKERS.get(organisation_id)
    if cached is None:
        with _MASKER_LOCK:
            cached = _MASKERS.get(organisation_id) or _build_masker(organisation_id)
    elif _out_of_date(cached) and _MASKER_LOCK.acquire(blocking=False):
        try:
            # Another thread may have rebuilt it since this one looked.
            latest = _MASKERS[organisation_id]
            cached = _build_masker(organisation_id) if _out_of_date(latest) else latest
        finally:
            _MASKER_LOCK.release()
    return cached[1](text)[0]


def _out_of_date(cached: tuple[float, object]) -> bool:
    return time.monotonic() - cached[0] > MASKER_MAX_AGE


def _build_masker(organisation_id: int) -> tuple[float, object]:
    people = Person.objects.filter(organisation_id=organisation_id).values_list(
        "first_name", "last_name", "employee_number"
    )
    firsts, lasts, numbers = zip(*people, strict=True) if people else ((), (), ())
    built = (
        time.monotonic(),
        build_masker(first_names=firsts, last_names=lasts, employee_numbers=numbers),
    )
    _MASKERS[organisation_id] = built
    return built


# -- completed forms in bulk (simulated fieldwork) -----------------------------------------


@dataclass(frozen=True)
class CompletedForm:
    """One invited person's completed form, for ``record_completed_forms``: their answers as
    the form submits them ({item code: value}, see colead.surveys.answers) and the day."""

    person_id: int
    answers: dict
    submitted_on: date


@transaction.atomic
def record_completed_forms(*, wave: Wave, forms, actor: Actor) -> int:
    """Store many forms completed through personal invitations in one go, as ``submit``
    stores each one: answers cleaned against the wave's items (hidden ones dropped), comments
    masked, a ballot in the reporting unit frozen at launch, the invitation marked responded.
    The ballots become responses, shuffled, when the wave closes. For simulated fieldwork
    (the demo trusts); real respondents submit one form at a time with their token.

    Each day must fall within the wave's dates and not in the future. Returns the number of
    forms stored. Nothing is written when it raises: Conflict for a wave that is not open,
    Invalid (on "forms") for a person without an invitation or who has already responded, or
    an answer the form would refuse.
    """
    wave = _lock(wave)
    if not wave.is_open:
        raise Conflict("Forms can be recorded only while the wave is open.")
    forms = list(forms)
    invitations = dict(
        Invitation.objects.filter(wave=wave, responded=False).values_list(
            "person_id", "reporting_unit_id"
        )
    )
    items = [item for instrument in wave_instruments(wave) for item in instrument.items]
    by_code = {item.code: item for item in items}
    instruments = wave_instruments(wave)
    today = timezone.localdate()
    first, last = wave.opens_on, min(wave.closes_on or today, today)
    seen: set[int] = set()
    ballots, comments = [], 0
    checked: dict[tuple[str, str], tuple] = {}  # (item, answer) -> clean_answer's result
    for number, form in enumerate(forms, start=1):
        unit_id = invitations.get(form.person_id)
        if unit_id is None or form.person_id in seen:
            raise Invalid(
                {
                    "forms": f"Form {number}: person {form.person_id} has no invitation to "
                    f"{wave.title} that is still to be answered."
                }
            )
        seen.add(form.person_id)
        if not first <= form.submitted_on <= last:
            raise Invalid(
                {
                    "forms": f"Form {number}: {form.submitted_on.isoformat()} is outside the "
                    "wave's dates."
                }
            )
        cleaned = {}
        for code, raw in form.answers.items():
            item = by_code.get(code)
            if item is None:
                raise Invalid({"forms": f"Form {number}: {code} is not a question of this wave."})
            if isinstance(raw, str) and item.type != "free_text":
                key = (code, raw)
                if key not in checked:
                    checked[key] = answer_rules.clean_answer(item, raw)
                value, error = checked[key]
            else:
                value, error = answer_rules.clean_answer(item, raw)
            if error:
                raise Invalid({"forms": f"Form {number}, {code}: {error}."})
            cleaned[code] = value
        kept = answer_rules.prune_hidden(items, cleaned)
        demographics, item_answers, texts = answer_rules.split_for_storage(instruments, kept)
        if texts:
            texts = {code: mask_comment(wave, text) for code, text in texts.items()}
            comments += len(texts)
        ballots.append(
            Ballot(
                wave=wave,
                reporting_unit_id=unit_id,
                submitted_on=form.submitted_on,
                demographics=demographics,
                answers=item_answers,
                comments=texts,
                source=ResponseSource.ONLINE,
            )
        )
    # Stored in a random order, so the order of the forms given says nothing either.
    random.SystemRandom().shuffle(ballots)
    Ballot.objects.bulk_create(ballots, batch_size=2000)
    people = sorted(seen)
    for start in range(0, len(people), 900):
        Invitation.objects.filter(wave=wave, person_id__in=people[start : start + 900]).update(
            responded=True
        )
    record(
        action="survey.forms_record",
        actor=actor,
        organisation=wave.organisation,
        obj=wave,
        detail={"forms": len(ballots), "comments": comments},
    )
    return len(ballots)


# -- invitations and reminders ---------------------------------------------------------


def queue_invitations(*, wave: Wave, actor: Actor):
    from colead.surveys.tasks import send_invitations

    if not wave.is_open:
        raise Conflict("Invitations can be sent only while the wave is open.")
    record(action="survey.invitations_queue", actor=actor, organisation=wave.organisation, obj=wave)
    transaction.on_commit(lambda: send_invitations.enqueue(wave.pk))


def queue_reminders(*, wave: Wave, actor: Actor):
    from colead.surveys.tasks import send_reminders

    if not wave.is_open:
        raise Conflict("Reminders can be sent only while the wave is open.")
    # A fresh round of reminders: clear the previous round's marks.
    Invitation.objects.filter(wave=wave, responded=False).update(reminded_at=None)
    record(action="survey.reminders_queue", actor=actor, organisation=wave.organisation, obj=wave)
    transaction.on_commit(lambda: send_reminders.enqueue(wave.pk))
