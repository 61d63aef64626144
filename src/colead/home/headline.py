"""The board's headline on the home page: staff engagement and its trend, the latest
response rate, objective coverage and what changed, each linked to its page.

Every figure comes from a domain app's published read
(insights.queries.organisation_headline, surveys.queries.response_rates,
direction.queries.coverage_dashboard), so it has passed the same scope and disclosure
control as on its own page, and is audited by that read; it is worded by the owning app's
presenters. Nothing is computed here: this module only picks
the figures and links. A figure the person may not see, or that does not exist yet (no
closed wave, results not ready), is left out with a line saying why.
"""

from dataclasses import dataclass, field

from django.urls import reverse

from colead.core.actor import Actor
from colead.direction import queries as direction_queries
from colead.insights import queries as insights_queries
from colead.insights import unit_results
from colead.lib.errors import Conflict, NotFound, Refused
from colead.surveys import queries as survey_queries

UNAVAILABLE = (Conflict, NotFound, Refused)


@dataclass
class Headline:
    engagement: dict | None = None
    response_rate: dict | None = None
    coverage: dict | None = None
    changes: list[dict] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # why a figure is not shown

    @property
    def empty(self) -> bool:
        return not (self.engagement or self.response_rate or self.coverage)


def headline(actor: Actor, organisation) -> Headline:
    """The figures for the organisation as a whole (for those who see all of it)."""
    shown = Headline()
    wave = _engagement(actor, organisation, shown)
    if wave is not None:
        _response_rate(actor, organisation, wave, shown)
    _coverage(actor, organisation, shown)
    return shown


def _engagement(actor, organisation, shown: Headline):
    """Staff engagement from the headline's own read; the wave it is of, or None."""
    try:
        read = insights_queries.organisation_headline(actor, organisation=organisation)
    except NotFound as error:  # no survey of the whole organisation has closed yet
        shown.missing.append(str(error))
        return None
    except (Conflict, Refused) as error:
        shown.missing.append(f"Staff engagement is not shown: {error}")
        return None
    wave, line = read.wave, read.engagement
    if line is None:
        shown.missing.append(f"{wave.title} did not ask about staff engagement.")
        return wave
    trend = next((row for row in read.trend.rows if row["title"] == line.title), None)
    href = unit_results.unit_url(wave.pk, read.unit)
    shown.engagement = {
        "title": line.title,
        "wave": wave.title,
        "score": line.score,
        "interval": line.score_interval,
        "hidden": line.hidden,
        "change": line.change,
        "href": href,
        "trend": [
            {
                "wave": head["title"],
                "closed": head["closed"],
                "text": cell["text"],
                "current": head["current"],
                "href": head["href"],
            }
            for head, cell in zip(read.trend.waves, trend["cells"], strict=True)
        ]
        if trend
        else [],
    }
    if line.change:
        shown.changes.append(
            {"text": f"{line.title} since the previous survey: {line.change}", "href": href}
        )
    return wave


def _response_rate(actor, organisation, wave, shown: Headline) -> None:
    try:
        rates = survey_queries.response_rates(
            actor=actor, organisation=organisation, wave_id=wave.pk, levels_below=0
        )
    except UNAVAILABLE as error:
        shown.missing.append(f"The response rate is not shown: {error}")
        return
    rows = rates.tables.unit_rows if rates.tables is not None else []
    if not rows:
        return
    row = rows[0]
    shown.response_rate = {
        "wave": wave.title,
        "rate": row.rate_text,
        "responded": row.responded_text,
        "invited": row.invited_text,
        "href": reverse("surveys:rates", args=[wave.pk]),
    }


def _coverage(actor, organisation, shown: Headline) -> None:
    try:
        page = direction_queries.coverage_dashboard(actor=actor, organisation=organisation)
    except UNAVAILABLE:
        return  # the coverage figures are for those who see every objective
    teams, staff = page["headline"][0], page["headline"][1]
    href = reverse("direction:coverage")
    shown.coverage = {"teams": teams["value"], "staff": staff["value"], "href": href}
    snapshots = page["trend"]["rows"]  # newest first
    if len(snapshots) >= 2:
        latest, before = snapshots[0], snapshots[1]
        shown.changes.append(
            {
                "text": f"Teams with an aligned objective: {latest['teams']} on "
                f"{latest['date']}, from {before['teams']} on {before['date']}",
                "href": href,
            }
        )
