"""Survey results for scripts: ``GET /insights/waves/{wave_id}/heatmap``.

The same rows as the heatmap page's download and ``colead export heatmap``: units at one
level (× group with ``by=staff_group``, ``band`` or another breakdown) × themes, with every figure that could identify a
small group empty and ``suppressed`` saying why (docs/privacy.md, "Disclosure control of
results"). Needs RESULTS_VIEW: board members, OD leads and admins see the organisation,
managers only the units inside their subtree. Every call is audited. The read is
``insights.queries.heatmap_export``, as for the page and the command; its errors become
answers in the API's one handler (colead/api/api.py).
"""

from typing import Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from colead.accounts.roles import Permission
from colead.api.access import access, requires
from colead.api.schemas import ERRORS_AND_VALIDATION, ErrorOut, WaveId
from colead.core.actor import Actor
from colead.insights import exports, queries, weighting
from colead.insights import results as rs
from colead.lib.spreadsheet import FORMATS
from colead.surveys.models import Wave

router = Router(tags=["Insights"])

RESULTS = Permission.RESULTS_VIEW


class HeatmapQuery(Schema):
    level: str | None = Field(
        None,
        max_length=40,
        description="Which units: a kind of unit (organisation, division, directorate, "
        "department or team: every unit of that kind, wherever it sits in the structure), or "
        "a depth (0 the organisation, 1 its divisions, and so on). Defaults to the "
        "divisions for the whole organisation, or the kind of your own units. Any other "
        "value is 422, naming those accepted.",
    )
    by: Literal[tuple(rs.BREAKDOWNS)] | None = Field(
        None,
        description="Break each unit down (one row per unit × group): "
        f"{', '.join(rs.BREAKDOWNS)}. A breakdown the wave's responses do not carry is 422, "
        "naming those they do.",
    )
    format: Literal["json", "csv", "xlsx"] = Field(
        "json", description="json (this schema), csv or xlsx (the export's columns)."
    )


class HeatmapRowOut(Schema):
    unit_code: str
    unit_name: str
    level: int = Field(description="The unit's depth: 0 the organisation, 1 a division...")
    breakdown: str = Field(
        description="The group's code in the breakdown (e.g. a staff group), or empty for "
        "the whole unit."
    )
    measure: str = Field(description="The theme (dimension) code.")
    n: int | None = Field(description="Responses with a score; null when hidden.")
    score: float | None = Field(
        description="Mean score on 0–10, 2 decimals; null when hidden, and below twice the "
        "threshold (then score_band, or nothing)."
    )
    score_band: str | None = Field(
        description="Below twice the threshold: the mean as a band of the 0–10 scale such as "
        "7–8, wide enough not to narrow the percent band; null for yes/no questions."
    )
    ci_low: float | None = Field(
        description="95% interval of the mean, lower end; null below twice the threshold."
    )
    ci_high: float | None
    pct_positive: float | None = Field(
        description="Percent positive (0–100); null when hidden or shown only as a band."
    )
    pct_low: float | None = Field(
        description="95% Wilson interval of percent positive, lower end; null when hidden or "
        "banded."
    )
    pct_high: float | None
    pct_positive_band: str | None = Field(
        description="A band such as ≥90% instead of the percentage, below twice the threshold."
    )
    comparison: str | None = Field(
        description="better, worse or similar than the rest of the organisation."
    )
    suppressed: str | None = Field(
        description="null when shown; primary (too few responses), complementary (hidden so "
        "that a smaller group cannot be worked out) or refused (breakdown not shown)."
    )
    suppressed_reason: str | None


class HeatmapOut(Schema):
    wave_id: int
    wave_title: str
    level: int | str = Field(
        description="The level shown: a kind of unit (e.g. team) or a depth, as asked."
    )
    breakdown: str | None
    reporting_threshold: int
    columns: list[str] = Field(description="The columns of the CSV and XLSX exports.")
    rows: list[HeatmapRowOut]


def _wave_organisation(params: dict):
    return (
        Wave.objects.filter(pk=params["wave_id"]).values_list("organisation_id", flat=True).first()
    )


FILE_CONTENT = {
    "text/csv": {"schema": {"type": "string"}},
    FORMATS["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
}


@router.get(
    "/insights/waves/{wave_id}/heatmap",
    response={200: HeatmapOut, **ERRORS_AND_VALIDATION, 409: ErrorOut},
    summary="Get a wave's heatmap",
    operation_id="wave_heatmap",
    openapi_extra={"responses": {200: {"content": FILE_CONTENT}}},
)
# the read decides (queries.scopes_of): staff, who see the pages, are told why not here
@requires(RESULTS, organisation_of=_wave_organisation, check_in_view=True)
def wave_heatmap(request, wave_id: WaveId, query: Query[HeatmapQuery]):
    """A closed wave's results at one level: n, mean score, 95% interval, percent positive
    and the comparison with the rest of the organisation for every unit × theme, through
    disclosure control. `format=csv` or `xlsx` gives the export file instead of JSON. A wave
    not yet closed is 409; a manager sees only their units, and a wave that surveyed none of
    them is 403."""
    export = queries.heatmap_export(
        Actor.from_request(request, source="api"),
        organisation=access(request).organisation,  # the wave's, judged by @requires
        wave_id=wave_id,
        fmt=query.format,
        level=query.level,
        by=query.by,
    )
    if query.format != "json":
        response = HttpResponse(export.content, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        response["Cache-Control"] = "no-store"
        return response
    read = export.heatmap
    return {
        "wave_id": read.wave.pk,
        "wave_title": read.wave.title,
        "level": read.level,
        "breakdown": read.by,
        "reporting_threshold": read.results.threshold,
        "columns": list(exports.COLUMNS),
        "rows": export.lines,
    }


# -- the organisation's scores, unweighted and weighted by staff group ------------------------


class OrganisationScoresQuery(Schema):
    format: Literal["json", "csv"] = Field(
        "json", description="json (this schema) or csv (the same columns as `columns`)."
    )


class WeightedScoreOut(Schema):
    measure: str = Field(description="The theme (dimension) code.")
    measure_title: str
    unweighted: float | None = Field(
        description="The organisation's score on 0–10, 2 decimals: each respondent counts "
        "once. Null when hidden."
    )
    weighted: float | None = Field(
        description="The score weighted by staff group, as the NHS Staff Survey weights "
        "an organisation's scores (docs/instruments.md). Null when withheld: unless every "
        "staff group's own score is shown, it could give a small group's score away; "
        "withheld_reason then says which."
    )
    staff_groups: int = Field(description="Staff groups weighted (those with respondents).")
    withheld_reason: str | None


class OrganisationScoresOut(Schema):
    wave_id: int
    wave_title: str
    unit_code: str
    unit_name: str
    reporting_threshold: int
    columns: list[str] = Field(description="The columns of the CSV export.")
    scores: list[WeightedScoreOut]


@router.get(
    "/insights/waves/{wave_id}/organisation-scores",
    response={200: OrganisationScoresOut, **ERRORS_AND_VALIDATION, 409: ErrorOut},
    summary="Get the organisation's scores, unweighted and weighted by staff group",
    operation_id="wave_organisation_scores",
    openapi_extra={"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}},
)
# the read decides (queries.scopes_of): the figures are the whole organisation's
@requires(RESULTS, organisation_of=_wave_organisation, check_in_view=True)
def wave_organisation_scores(request, wave_id: WaveId, query: Query[OrganisationScoresQuery]):
    """A closed wave's organisation-wide score per theme, beside it the score weighted by
    staff group: the same figures as the organisation's results page, from the same read.
    Needs the results of the whole organisation (a manager of some units is 403, as is a
    member of staff, who reads them on the page); an open wave is 409."""
    read = queries.organisation_scores(
        Actor.from_request(request, source="api"),
        organisation=access(request).organisation,
        wave_id=wave_id,
        fmt=query.format,
    )
    if query.format == "csv":
        response = HttpResponse(read.content, content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{read.filename}"'
        response["Cache-Control"] = "no-store"
        return response
    return {
        "wave_id": read.wave.pk,
        "wave_title": read.wave.title,
        "unit_code": read.unit.code,
        "unit_name": read.unit.name,
        "reporting_threshold": read.results.threshold,
        "columns": list(weighting.COLUMNS),
        "scores": read.lines,
    }
