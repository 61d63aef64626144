"""The wave pages' data shaped for their templates: the wave list, a wave's settings and its
response rates. The reading (and the small-number rule) is done before, by
colead.surveys.queries and colead.surveys.rates; nothing here queries anything new."""

from django.urls import reverse

from colead.lib import charts
from colead.lib.formatting import uk_date, uk_datetime
from colead.org import reference
from colead.surveys import queries, rates
from colead.surveys.models import Wave, WaveStatus

STATUS_TAGS = {
    WaveStatus.DRAFT: {"text": "Draft", "colour": "grey"},
    WaveStatus.OPEN: {"text": "Open", "colour": "green"},
    WaveStatus.CLOSED: {"text": "Closed", "colour": "blue"},
}


# -- the list of waves -------------------------------------------------------------------


def wave_rows(listing: queries.WaveList) -> list[dict]:
    """The waves as table rows: managers open a wave's page, others its response rates."""
    can_manage = listing.reach.can_manage
    rows = []
    for summary in listing.waves:
        wave = summary.wave
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
                "invited": "Not launched" if wave.is_draft else _count(summary.invited, threshold),
                "responded": "" if wave.is_draft else _count(summary.responded, threshold),
            }
        )
    return rows


def _count(count: int | None, threshold: int) -> str:
    return rates.fewer_than(threshold) if count is None else f"{count:,}"


# -- one wave ----------------------------------------------------------------------------


def settings_rows(page: queries.WavePage) -> list[dict]:
    """The wave's settings as summary list rows."""
    wave = page.wave
    instruments = [f"{i.title} (version {i.version})" for i in page.instruments]
    units = [f"{unit.name} ({unit.code})" for unit in page.units]
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


def progress(counts: dict) -> dict:
    """Invitation emails: how many have gone, of how many, and who has no email address."""
    sendable = counts["total"] - counts["no_email"]
    return {**counts, "sendable": sendable, "done": counts["sent"] >= sendable}


# -- response rates ----------------------------------------------------------------------


def rates_context(wave: Wave, tables: queries.RateTables) -> dict:
    """Response rates by unit, by staff group and by day, as the rates page shows them."""
    threshold = wave.reporting_threshold
    periods = rates.day_periods(
        tables.days, threshold=threshold, total_hidden=tables.total_hidden[1]
    )
    spec = rates.chart_spec(periods, title="Responses by day")
    return {
        "threshold": threshold,
        "fewer_than": rates.fewer_than(threshold),
        "unit_rows": tables.unit_rows,
        "group_rows": tables.group_rows,
        "device_total": tables.device_total,
        "device_total_text": rates.shown(tables.device_total, threshold),
        "imported_total": tables.imported_total,
        "periods": periods,
        "chart_spec": spec,  # the tests hold the chart to the table beside it
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
