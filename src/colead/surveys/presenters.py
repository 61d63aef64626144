"""Data for the wave pages, shaped for the templates: the wave list, a wave's settings and
its response rates. Reads only; the arithmetic and the small-number rule live in ``rates``."""

from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.urls import reverse

from colead.lib import charts
from colead.lib.formatting import uk_date, uk_datetime
from colead.org import reference
from colead.org.models import Unit
from colead.surveys import rates
from colead.surveys.models import (
    POOLED_STAFF_GROUPS,
    Ballot,
    Invitation,
    Response,
    ResponseSource,
    Wave,
    WaveResponseCount,
    WaveStatus,
)

STATUS_TAGS = {
    WaveStatus.DRAFT: {"text": "Draft", "colour": "grey"},
    WaveStatus.OPEN: {"text": "Open", "colour": "green"},
    WaveStatus.CLOSED: {"text": "Closed", "colour": "blue"},
}


def outermost(units: list[Unit]) -> list[Unit]:
    """Drop units that lie inside another of the list (a manager of a division and of one
    of its wards sees the division once)."""
    units = sorted({unit.pk: unit for unit in units}.values(), key=lambda unit: unit.path)
    kept: list[Unit] = []
    for unit in units:
        if not any(unit.path.startswith(outer.path) for outer in kept):
            kept.append(unit)
    return kept


def scope_q(roots: list[Unit] | None, field: str = "reporting_unit__path__startswith") -> Q:
    """A filter to the subtrees of ``roots``; None means the whole organisation."""
    if roots is None:
        return Q()
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(**{field: root.path})
    return q


# Responses with no invitation behind them: from a shared device (a ballot while the wave
# is open, a response once closed) or imported from a file (stored as responses at once).
UNINVITED = (ResponseSource.DEVICE, ResponseSource.IMPORT)


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


def _responses_model(wave: Wave):
    """Submitted answers live in Ballot while a wave is open and in Response once closed."""
    return Response if wave.is_closed else Ballot


# -- the list of waves -------------------------------------------------------------------


def _overlaps(wave: Wave, roots: list[Unit]) -> bool:
    return any(
        target.path.startswith(root.path) or root.path.startswith(target.path)
        for target in wave.target_units.all()
        for root in roots
    )


def wave_rows(organisation, roots: list[Unit] | None, *, can_manage: bool) -> list[dict]:
    """The organisation's waves, newest first, with invited and responded counts for the
    viewer's scope (``roots``; None for the whole organisation), small counts hidden.
    A fixed number of queries whatever the number of waves."""
    waves = list(
        Wave.objects.for_org(organisation).prefetch_related("target_units").order_by("-created_at")
    )
    if not can_manage:
        waves = [wave for wave in waves if not wave.is_draft]
    if roots is not None:
        waves = [wave for wave in waves if _overlaps(wave, roots)]
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
    rows = []
    for wave in waves:
        count = counts.get(wave.pk, rates.Count())
        threshold = wave.reporting_threshold
        rows.append(
            {
                "wave": wave,
                "href": reverse("surveys:wave", args=[wave.pk])
                if can_manage
                else reverse("surveys:rates", args=[wave.pk]),
                "rates_href": None if wave.is_draft else reverse("surveys:rates", args=[wave.pk]),
                "status": STATUS_TAGS[wave.status],
                "opens": uk_date(wave.opens_on) or "Not set",
                "closes": uk_date(wave.closes_on) or "Not set",
                "invited": "Not launched"
                if wave.is_draft
                else rates.shown(count.invited, threshold),
                "responded": "" if wave.is_draft else rates.shown(count.responded, threshold),
            }
        )
    return rows


# -- one wave ----------------------------------------------------------------------------


def settings_rows(wave: Wave) -> list[dict]:
    """The wave's settings as summary list rows."""
    instruments = [f"{i.title} (version {i.version})" for i in wave.ordered_instruments()]
    units = [f"{unit.name} ({unit.code})" for unit in wave.target_units.order_by("path")]
    groups = [reference.staff_group_name(code) for code in wave.staff_groups]
    rows = [
        ("Instruments", instruments),
        ("Units surveyed (and every unit below them)", units),
        ("Staff groups", groups or ["Everyone"]),
        ("Opens", [uk_date(wave.opens_on) or "When launched"]),
        ("Closes", [uk_date(wave.closes_on) or "Not set"]),
        ("Reporting threshold", [f"Results for groups of {wave.reporting_threshold} or more"]),
        ("Comment threshold", [f"Comments for groups of {wave.comment_threshold} or more"]),
        (
            "Respondents choose their own team",
            ["Yes" if wave.respondent_chooses_unit else "No, their team is taken from ESR"],
        ),
        (
            "Created",
            [
                uk_datetime(wave.created_at)
                + (f" by {wave.created_by.get_full_name()}" if wave.created_by else "")
            ],
        ),
    ]
    if wave.launched_at:
        rows.append(("Launched", [uk_datetime(wave.launched_at)]))
    if wave.closed_at:
        rows.append(("Closed", [uk_datetime(wave.closed_at)]))
    return [{"key": key, "values": values} for key, values in rows]


def progress(wave: Wave) -> dict:
    """Invitation emails: how many have gone, of how many, and who has no email address."""
    from colead.surveys.services import invitation_progress

    counts = invitation_progress(wave)
    sendable = counts["total"] - counts["no_email"]
    return {**counts, "sendable": sendable, "done": counts["sent"] >= sendable}


# -- response rates ----------------------------------------------------------------------


def _unit_nodes(organisation, roots: list[Unit]) -> list[rates.UnitNode]:
    return [
        rates.UnitNode(**row)
        for row in Unit.objects.for_org(organisation)
        .filter(scope_q(roots, "path__startswith"))
        .values("id", "code", "name", "parent_id", "depth", "path")
    ]


@dataclass
class RateTables:
    nodes: list
    unit_rows: list
    group_rows: list
    device_total: int  # responses without an invitation (shared devices and imports)
    imported_total: int  # of which imported from files
    days: dict  # responses per day in the scope
    total_hidden: tuple[bool, bool]  # the scope's own (invited, responded) totals


def rate_tables(wave: Wave, roots: list[Unit], *, levels_below: int = 2) -> RateTables:
    """Rates by unit and by staff group for the subtrees of ``roots``, as pages and the API
    show them. A fixed number of queries whatever the size of the organisation."""
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
            **{group.code: group.name for group in reference.staff_groups()},
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


def rates_context(wave: Wave, roots: list[Unit]) -> dict:
    """Response rates for the subtrees of ``roots``: by unit, by staff group and by day."""
    threshold = wave.reporting_threshold
    tables = rate_tables(wave, roots)
    unit_rows, group_rows = tables.unit_rows, tables.group_rows
    device_total, days = tables.device_total, tables.days
    periods = rates.day_periods(days, threshold=threshold, total_hidden=tables.total_hidden[1])
    spec = rates.chart_spec(periods, title="Responses by day")
    return {
        "threshold": threshold,
        "fewer_than": rates.fewer_than(threshold),
        "unit_rows": unit_rows,
        "group_rows": group_rows,
        "device_total": device_total,
        "device_total_text": rates.shown(device_total, threshold),
        "imported_total": tables.imported_total,
        "periods": periods,
        "chart_src": charts.svg_data_uri(spec) if spec else None,
    }


# -- the preview -------------------------------------------------------------------------


def condition_texts(items_by_code: dict) -> dict[str, str]:
    """For each item shown only after a certain answer, a sentence saying when."""
    texts = {}
    for item in items_by_code.values():
        if item.show_if is None:
            continue
        target = items_by_code.get(item.show_if.item)
        if target is None:
            continue
        labels = dict(target.option_labels())
        answers = " or ".join(f"“{labels.get(value, value)}”" for value in item.show_if.values)
        texts[item.code] = f"Asked only if the answer to “{target.text}” is {answers}."
    return texts
