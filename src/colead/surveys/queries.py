"""The published reads of surveys: the list of waves, a wave's page, its response rates and
its device links. The wave pages, the API and ``colead waves list`` call these and nothing
else to read waves, so each read finds, scopes, checks, hides and audits in one place.

Who sees what (the same for every caller):

* SURVEY_RATES_VIEW lets someone see the waves and their response rates: the whole
  organisation for the board, OD and change teams, one or more subtrees for a manager.
* Drafts are only for those who manage waves (SURVEY_MANAGE over the whole organisation);
  others see launched waves, a manager only those that survey some of their subtree.
* A wave that the actor may not see is NotFound, whether or not it exists; managing one
  without SURVEY_MANAGE over the whole organisation is Refused.
* Counts come out already disclosure-controlled: a count below the wave's reporting
  threshold is None (colead.surveys.rates decides the rest, on the whole organisation's
  counts, so that two viewers' figures never combine to reveal a small unit).

The system (``Actor.system``: a command, a task) sees every wave of the organisation.
"""

from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from colead.accounts.permissions import has_permission, permitted_scopes
from colead.accounts.roles import Permission
from colead.audit.services import record
from colead.core.actor import Actor
from colead.lib import tree
from colead.lib.errors import Conflict, Invalid, NotFound, Refused
from colead.org import reference
from colead.org.models import Unit
from colead.surveys import rates
from colead.surveys.models import (
    POOLED_STAFF_GROUPS,
    Ballot,
    DeviceLink,
    InstrumentVersion,
    Invitation,
    Response,
    ResponseSource,
    Wave,
    WaveResponseCount,
)
from colead.surveys.services import reporting_unit_choices

MANAGE = Permission.SURVEY_MANAGE
RATES = Permission.SURVEY_RATES_VIEW

NOT_LAUNCHED = "This wave has not been launched, so it has no response rates."

# Responses with no invitation behind them: from a shared device (a ballot while the wave
# is open, a response once closed) or imported from a file (stored as responses at once).
UNINVITED = (ResponseSource.DEVICE, ResponseSource.IMPORT)


# -- who sees what -------------------------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    """What an actor may see of an organisation's waves."""

    organisation: object
    roots: list[Unit] | None  # the outermost units of their view; None: the whole organisation
    can_manage: bool  # SURVEY_MANAGE over the whole organisation (or the system)

    @property
    def whole_organisation(self) -> bool:
        return self.roots is None

    def allows(self, unit: Unit) -> bool:
        return self.roots is None or tree.within_any(unit.path, [r.path for r in self.roots])

    def may_see(self, wave: Wave) -> bool:
        if self.can_manage:
            return True
        if wave.is_draft:
            return False
        return self.roots is None or tree.overlap(
            [target.path for target in wave.target_units.all()], [r.path for r in self.roots]
        )


def reach(*, actor: Actor, organisation) -> Reach:
    """The actor's view of the organisation's waves; Refused if they may see none."""
    if actor.is_system:
        return Reach(organisation, None, True)
    if actor.user is None:
        raise Refused("Sign in to see survey waves.")
    scopes = permitted_scopes(actor.user, RATES, organisation)
    can_manage = has_permission(actor.user, MANAGE, organisation=organisation)
    if not scopes and not can_manage:
        raise Refused(
            f"You may not see the survey waves of {organisation.code}: ask an administrator "
            "for a role with response rates."
        )
    if scopes == [None] or can_manage and not scopes:
        return Reach(organisation, None, can_manage)
    return Reach(organisation, tree.outermost(scopes, path=lambda unit: unit.path), can_manage)


def _waves(organisation):
    return Wave.objects.for_org(organisation).prefetch_related(
        "target_units", "wave_instruments__instrument"
    )


def find_wave(*, actor: Actor, organisation, wave_id: int, manage: bool = False) -> Wave:
    """One wave the actor may see (``manage``: may manage) in the organisation."""
    return _find(reach(actor=actor, organisation=organisation), wave_id, manage=manage)


def _find(seen: Reach, wave_id: int, *, manage: bool = False) -> Wave:
    organisation = seen.organisation
    if manage and not seen.can_manage:
        raise Refused(
            "Managing survey waves needs SURVEY_MANAGE over the whole organisation: ask an "
            "administrator."
        )
    wave = (
        _waves(organisation).select_related("organisation", "created_by").filter(pk=wave_id).first()
    )
    if wave is None or not seen.may_see(wave):
        raise NotFound(f"There is no wave {wave_id} in {organisation.code} that you may see.")
    return wave


# -- the list of waves ---------------------------------------------------------------------


@dataclass(frozen=True)
class WaveSummary:
    wave: Wave
    # In the viewer's scope; None when not launched or below the reporting threshold.
    invited: int | None
    responded: int | None


@dataclass(frozen=True)
class WaveList:
    reach: Reach
    waves: list[WaveSummary]  # newest first


def wave_list(*, actor: Actor, organisation) -> WaveList:
    """The waves the actor may see, newest first, with invited and responded counts for
    their scope. A fixed number of queries whatever the number of waves."""
    seen = reach(actor=actor, organisation=organisation)
    waves = [
        wave for wave in _waves(organisation).order_by("-created_at", "-pk") if seen.may_see(wave)
    ]
    counts = _wave_counts(waves, seen.roots)
    summaries = []
    for wave in waves:
        count = counts.get(wave.pk, rates.Count())
        threshold = wave.reporting_threshold
        summaries.append(
            WaveSummary(
                wave,
                None if wave.is_draft or count.invited < threshold else count.invited,
                None if wave.is_draft or count.responded < threshold else count.responded,
            )
        )
    return WaveList(seen, summaries)


def _wave_counts(waves: list[Wave], roots: list[Unit] | None) -> dict[int, rates.Count]:
    ids = [wave.pk for wave in waves]
    closed = [wave.pk for wave in waves if wave.is_closed]
    counts = {
        row["wave_id"]: rates.Count(row["invited"], row["responded"])
        for row in Invitation.objects.filter(wave_id__in=ids)
        .exclude(wave_id__in=closed)
        .filter(scope_q(roots))
        .values("wave_id")
        .annotate(invited=Count("id"), responded=Count("id", filter=Q(responded=True)))
        .order_by()
    }
    for row in (
        WaveResponseCount.objects.filter(wave_id__in=closed)
        .filter(scope_q(roots))
        .values("wave_id")
        .annotate(invited=Sum("invited"), responded=Sum("responded"))
        .order_by()
    ):
        counts[row["wave_id"]] = rates.Count(row["invited"], row["responded"])
    for model in (Ballot, Response):
        for row in (
            model.objects.filter(wave_id__in=ids, source__in=UNINVITED)
            .filter(scope_q(roots))
            .values("wave_id")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            counts[row["wave_id"]] = counts.get(row["wave_id"], rates.Count()) + rates.Count(
                0, row["n"]
            )
    return counts


def scope_q(roots: list[Unit] | None, field: str = "reporting_unit__path__startswith") -> Q:
    """A filter to the subtrees of ``roots``; None means the whole organisation."""
    if roots is None:
        return Q()
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(**{field: root.path})
    return q


# -- a wave's page -------------------------------------------------------------------------


@dataclass(frozen=True)
class WavePage:
    wave: Wave
    instruments: list[InstrumentVersion]  # in the order respondents answer them
    units: list[Unit]  # the units surveyed (with everything below them), in tree order
    # While the wave is open: invitation emails (total, sent, no_email), its device links
    # and the units a device link may be made for.
    progress: dict | None
    device_links: list[DeviceLink]
    device_units: list[Unit]


def wave_page(*, actor: Actor, organisation, wave_id: int) -> WavePage:
    """A wave as those who manage it see it."""
    wave = find_wave(actor=actor, organisation=organisation, wave_id=wave_id, manage=True)
    instruments = wave.ordered_instruments()
    units = sorted(wave.target_units.all(), key=lambda unit: unit.path)
    if not wave.is_open:
        return WavePage(wave, instruments, units, None, [], [])
    progress = _invitation_counts(wave)
    links = list(DeviceLink.objects.filter(wave=wave).select_related("unit").order_by("unit__name"))
    return WavePage(wave, instruments, units, progress, links, reporting_unit_choices(wave))


def _invitation_counts(wave: Wave) -> dict:
    return Invitation.objects.filter(wave=wave).aggregate(
        total=Count("id"),
        sent=Count("id", filter=Q(sent_at__isnull=False)),
        no_email=Count("id", filter=Q(person__email="")),
    )


def invitation_progress(*, actor: Actor, organisation, wave_id: int) -> tuple[Wave, dict | None]:
    """How many invitation emails of an open wave have gone (the wave page polls it while
    they are being sent); None once the wave is no longer open."""
    wave = find_wave(actor=actor, organisation=organisation, wave_id=wave_id, manage=True)
    return wave, _invitation_counts(wave) if wave.is_open else None


def device_link(*, actor: Actor, organisation, wave_id: int, slug: str) -> DeviceLink:
    """A device link of an open wave, to print its poster: audited as
    ``survey.device_poster_download`` (the poster is a way into the form)."""
    wave = find_wave(actor=actor, organisation=organisation, wave_id=wave_id, manage=True)
    link = (
        DeviceLink.objects.filter(wave=wave, slug=slug)
        .select_related("unit", "wave__organisation")
        .first()
    )
    if link is None:
        raise NotFound(f"{wave.title} has no device link {slug[:40]!r}.")
    if wave.is_closed:
        raise Conflict(f"{wave.title} is closed; its device links no longer work.")
    record(
        action="survey.device_poster_download",
        actor=actor,
        organisation=wave.organisation,
        obj=wave,
        detail={"unit": link.unit.code},
    )
    return link


# -- response rates ------------------------------------------------------------------------


@dataclass
class RateTables:
    nodes: list
    unit_rows: list
    group_rows: list
    device_total: int  # responses without an invitation (shared devices and imports)
    imported_total: int  # of which imported from files
    days: dict  # responses per day in the scope
    total_hidden: tuple[bool, bool]  # the scope's own (invited, responded) totals


@dataclass(frozen=True)
class ResponseRates:
    wave: Wave
    reach: Reach
    roots: list[Unit]  # the subtrees shown
    selected: Unit | None  # the unit asked for (?unit=CODE), if any
    up: Unit | None  # the selected unit's parent, where the actor may see it
    tables: RateTables | None  # None for a draft (only when asked with draft_ok)


def response_rates(
    *,
    actor: Actor,
    organisation,
    wave_id: int,
    unit_code: str | None = None,
    levels_below: int = 2,
    draft_ok: bool = False,
) -> ResponseRates:
    """Response rates by unit and staff group, and responses by day, for the actor's scope
    or the unit ``unit_code`` inside it. Every count passes the small-number rules of
    colead.surveys.rates. A draft has no rates: Conflict, or ``tables`` None with
    ``draft_ok``. A fixed number of queries whatever the organisation's size."""
    seen = reach(actor=actor, organisation=organisation)
    wave = _find(seen, wave_id)
    selected = None
    if unit_code is not None:
        selected = _unit(organisation, unit_code)
        if not seen.allows(selected):
            raise Refused(f"You may not see the response rates of {selected.name}.")
        roots = [selected]
    elif seen.whole_organisation:
        roots = list(Unit.objects.for_org(organisation).filter(parent__isnull=True))
    else:
        roots = seen.roots
    up = None
    if selected is not None and selected.parent is not None and seen.allows(selected.parent):
        up = selected.parent
    if wave.is_draft and not draft_ok:
        raise Conflict(NOT_LAUNCHED)
    tables = None if wave.is_draft else rate_tables(wave, roots, levels_below=levels_below)
    return ResponseRates(wave, seen, roots, selected, up, tables)


def _unit(organisation, code: str) -> Unit:
    code = code.strip()
    unit = None
    if code and len(code) <= 40 and "\x00" not in code:
        unit = Unit.objects.for_org(organisation).select_related("parent").filter(code=code).first()
    if unit is None:
        shown = code if len(code) <= 50 else code[:50] + "…"
        raise Invalid(
            {"unit": f"Unknown unit {shown!r}: give the code of a unit in {organisation.code}."},
            source="query",
        )
    return unit


def rate_tables(wave: Wave, roots: list[Unit], *, levels_below: int = 2) -> RateTables:
    """Rates by unit and by staff group for the subtrees of ``roots``. A fixed number of
    queries whatever the size of the organisation."""
    threshold = wave.reporting_threshold
    # Disclosure control works on the whole organisation's counts, whoever is looking, so
    # that one viewer's visible figures never combine with another's to reveal a small unit.
    invitations = invitation_counts(wave)
    device_all, imported_all = _uninvited_by_unit(wave)
    nodes = _unit_nodes(wave.organisation, None)
    in_scope = rates.in_subtrees(nodes, [root.pk for root in roots] if roots else None)
    per_unit, _, _ = rates.merge_counts(invitations, device_all)
    _, per_group, device_total = rates.merge_counts(
        [row for row in invitations if row[0] in in_scope],
        {unit: n for unit, n in device_all.items() if unit in in_scope},
    )
    root_ids = {root.pk for root in roots}
    unit_rows = rates.unit_rows(
        nodes,
        per_unit,
        roots=[node for node in nodes if node.id in root_ids],
        threshold=threshold,
        levels_below=levels_below,
    )
    root_codes = {root.code for root in roots}
    root_rows = [row for row in unit_rows if row.key in root_codes]
    total_hidden = (
        any(row.invited_hidden for row in root_rows),
        any(row.responded_hidden for row in root_rows),
    )
    group_rows = rates.staff_group_rows(
        per_group,
        names={
            **{group.code: group.display_name for group in reference.staff_groups()},
            POOLED_STAFF_GROUPS: "Staff groups of fewer than 5 in a unit (pooled at close)",
        },
        threshold=threshold,
        total_hidden=total_hidden,
    )
    imported_total = sum(n for unit, n in imported_all.items() if unit in in_scope)
    return RateTables(
        nodes,
        unit_rows,
        group_rows,
        device_total,
        imported_total,
        _days(wave, roots),
        total_hidden,
    )


def invitation_counts(wave: Wave) -> list[tuple[int, str, int, int]]:
    """(reporting unit id, staff group, invited, responded) rows: from the invitations while
    the wave is open, from the counts kept at close once it is closed (closing erases who
    responded)."""
    if wave.is_closed:
        return list(
            WaveResponseCount.objects.filter(wave=wave).values_list(
                "reporting_unit_id", "staff_group", "invited", "responded"
            )
        )
    return list(
        Invitation.objects.filter(wave=wave)
        .values_list("reporting_unit_id", "staff_group")
        .annotate(invited=Count("id"), responded=Count("id", filter=Q(responded=True)))
        .order_by()
    )


def _unit_nodes(organisation, roots: list[Unit] | None) -> list[rates.UnitNode]:
    return [
        rates.UnitNode(**row)
        for row in Unit.objects.for_org(organisation)
        .filter(scope_q(roots, "path__startswith"))
        .values("id", "code", "name", "parent_id", "depth", "path")
    ]


def _uninvited_by_unit(wave: Wave) -> tuple[dict[int, int], dict[int, int]]:
    """(all responses without an invitation, the imported ones) per reporting unit. Two
    queries: ballots and responses."""
    uninvited: dict[int, int] = {}
    imported: dict[int, int] = {}
    for model in (Ballot, Response):
        for unit_id, source, n in (
            model.objects.filter(wave=wave, source__in=UNINVITED)
            .values_list("reporting_unit_id", "source")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            uninvited[unit_id] = uninvited.get(unit_id, 0) + n
            if source == ResponseSource.IMPORT:
                imported[unit_id] = imported.get(unit_id, 0) + n
    return uninvited, imported


def _days(wave: Wave, roots: list[Unit]) -> dict:
    """Responses per day in the scope: ballots (while open) and responses (imported, or
    all once closed)."""
    days: dict = {}
    for model in (Ballot, Response):
        for day, n in (
            model.objects.filter(wave=wave)
            .filter(scope_q(roots))
            .values_list("submitted_on")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            days[day] = days.get(day, 0) + n
    return days
