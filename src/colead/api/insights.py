"""Survey results for scripts: ``GET /insights/waves/{wave_id}/heatmap``.

The same rows as the heatmap page's download and ``colead export heatmap``: units at one
level (× group with ``by=staff_group``, ``band`` or another breakdown) × themes, with every figure that could identify a
small group empty and ``suppressed`` saying why (docs/privacy.md, "Disclosure control of
results"). Needs RESULTS_VIEW: board members, OD leads and admins see the organisation,
managers only the units inside their subtree. Every call is audited.
"""

from typing import Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError

from colead.accounts.roles import Permission
from colead.api.access import Forbidden, NotFound, access, requires
from colead.api.schemas import ERRORS_AND_VALIDATION, ErrorOut, WaveId
from colead.audit.services import record
from colead.insights import exports
from colead.insights import results as rs
from colead.surveys.models import Wave

router = Router(tags=["Insights"])

RESULTS = Permission.RESULTS_VIEW


class HeatmapQuery(Schema):
    level: int | None = Field(
        None,
        ge=0,
        le=100,
        description="Unit level: 0 the organisation, 1 its divisions, and so on. Defaults to "
        "1 for the whole organisation, or the level of your own units.",
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
    level: int
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
    level: int
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
    exports.FORMATS["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
}


@router.get(
    "/insights/waves/{wave_id}/heatmap",
    response={200: HeatmapOut, **ERRORS_AND_VALIDATION, 409: ErrorOut},
    summary="Get a wave's heatmap",
    operation_id="wave_heatmap",
    openapi_extra={"responses": {200: {"content": FILE_CONTENT}}},
)
@requires(RESULTS, organisation_of=_wave_organisation)
def wave_heatmap(request, wave_id: WaveId, query: Query[HeatmapQuery]):
    """A closed wave's results at one level: n, mean score, 95% interval, percent positive
    and the comparison with the rest of the organisation for every unit × theme, through
    disclosure control. `format=csv` or `xlsx` gives the export file instead of JSON. A wave
    not yet closed is 409; a manager sees only their units, and a wave that surveyed none of
    them is 403."""
    granted = access(request)
    wave = (
        Wave.objects.for_org(granted.organisation)
        .select_related("organisation")
        .filter(pk=wave_id)
        .first()
    )
    if wave is None:
        raise NotFound("No such wave.")
    scopes = granted.scopes
    if not granted.org_wide and not rs.overlaps(
        wave.target_units.values_list("path", flat=True), scopes
    ):
        raise Forbidden("This wave did not survey any of the units you may see.")
    try:
        results = rs.load_results(wave)
    except rs.ResultsError as error:
        return Status(409, {"detail": str(error)})
    levels = rs.allowed_levels(results, scopes)
    level = query.level if query.level is not None else rs.default_level(results, scopes)
    problems = []
    try:
        results.require_level(level, levels)
    except rs.ResultsError as error:
        problems.append({"type": "value_error", "loc": ["query", "level"], "msg": str(error)})
    try:
        results.require_breakdown(query.by)
    except rs.ResultsError as error:
        problems.append({"type": "value_error", "loc": ["query", "by"], "msg": str(error)})
    if problems:
        raise ValidationError(problems)
    if query.format != "json":
        export = exports.heatmap_export(
            wave=wave,
            level=level,
            breakdown=query.by,
            fmt=query.format,
            scopes=scopes,
            actor=granted.user,
            request=request,
            source="api",
            results=results,
        )
        response = HttpResponse(export.content, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        response["Cache-Control"] = "no-store"
        return response
    table = results.table(level=level, breakdown=query.by)
    # the export's rows, field for field: one function makes the figures of both
    lines = exports.export_rows(table, rs.scoped_rows(table, scopes))
    record(
        action="insights.heatmap_export",
        actor=granted.user,
        organisation=wave.organisation,
        obj=wave,
        request=request,
        detail={
            "level": level,
            "breakdown": query.by,
            "format": "json",
            "rows": len(lines),
            "source": "api",
            "scope": "organisation" if granted.org_wide else sorted(u.code for u in scopes),
        },
    )
    return {
        "wave_id": wave.pk,
        "wave_title": wave.title,
        "level": level,
        "breakdown": query.by,
        "reporting_threshold": results.threshold,
        "columns": list(exports.COLUMNS),
        "rows": lines,
    }
