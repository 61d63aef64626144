"""Data for the wave pages, shaped for the templates: the wave list, a wave's settings and
its response rates. Reads only; the arithmetic and the small-number rule live in ``rates``."""

from django.db.models import Count, Q
from django.urls import reverse

from colead.core.formatting import uk_date, uk_datetime
from colead.org import reference
from colead.org.models import Unit
from colead.surveys import charts, rates
from colead.surveys.models import (
    Ballot,
    Invitation,
    Response,
    ResponseSource,
    Wave,
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
    counts = {
        row["wave_id"]: rates.Count(row["invited"], row["responded"])
        for row in Invitation.objects.filter(wave_id__in=ids)
        .filter(scope_q(roots))
        .values("wave_id")
        .annotate(invited=Count("id"), responded=Count("id", filter=Q(responded=True)))
        .order_by()
    }
    for model in (Ballot, Response):
        for row in (
            model.objects.filter(wave_id__in=ids, source=ResponseSource.DEVICE)
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


def rates_context(wave: Wave, roots: list[Unit]) -> dict:
    """Response rates for the subtrees of ``roots``: by unit, by staff group and by day.
    Four queries whatever the size of the organisation."""
    threshold = wave.reporting_threshold
    where = scope_q(roots)
    invitations = (
        Invitation.objects.filter(wave=wave)
        .filter(where)
        .values_list("reporting_unit_id", "staff_group")
        .annotate(invited=Count("id"), responded=Count("id", filter=Q(responded=True)))
        .order_by()
    )
    answers = _responses_model(wave).objects.filter(wave=wave).filter(where)
    device = dict(
        answers.filter(source=ResponseSource.DEVICE)
        .values_list("reporting_unit_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    per_unit, per_group, device_total = rates.merge_counts(invitations, device)
    nodes = _unit_nodes(wave.organisation, roots)
    root_nodes = [node for node in nodes if node.id in {root.pk for root in roots}]
    unit_rows = rates.unit_rows(nodes, per_unit, roots=root_nodes, threshold=threshold)
    group_rows = rates.staff_group_rows(
        per_group,
        names={group.code: group.name for group in reference.staff_groups()},
        threshold=threshold,
    )
    days = dict(answers.values_list("submitted_on").annotate(n=Count("pk")).order_by())
    periods = rates.day_periods(days, threshold=threshold)
    spec = rates.chart_spec(periods, title="Responses by day")
    return {
        "threshold": threshold,
        "fewer_than": rates.fewer_than(threshold),
        "unit_rows": unit_rows,
        "group_rows": group_rows,
        "device_total": device_total,
        "device_total_text": rates.shown(device_total, threshold),
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
