"""Results pages: the list of closed waves and the heatmap, with its download.

Everything needs RESULTS_VIEW: organisation-wide for board members, OD leads and
organisation admins; a subtree for managers, who see only the units inside it (the figures
are the organisation's, suppressed over the whole organisation, then filtered). Waves are
looked up in the current organisation only (another organisation's is a 404); a manager gets
403 for a wave that surveyed none of their units.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from colead.accounts.permissions import permitted_scopes, require_permission
from colead.accounts.roles import Permission
from colead.core.formatting import uk_date
from colead.insights import exports, presenters
from colead.insights import results as rs
from colead.surveys.models import Wave, WaveStatus

RESULTS = Permission.RESULTS_VIEW


def _scopes(request) -> list:
    return permitted_scopes(request.user, RESULTS, request.organisation)


def _closed_wave(request, wave_id: int, scopes) -> Wave:
    wave = (
        Wave.objects.for_org(request.organisation)
        .select_related("organisation")
        .filter(pk=wave_id, status=WaveStatus.CLOSED)
        .first()
    )
    if wave is None:
        raise Http404("No closed wave with that id.")
    if None not in scopes:
        targets = wave.target_units.values_list("path", flat=True)
        if not rs.overlaps(targets, scopes):
            raise PermissionDenied
    return wave


def _crumbs() -> list[dict]:
    return [
        {"text": "Home", "href": reverse("core:home")},
        {"text": "Results", "href": reverse("insights:index")},
    ]


@login_required
@require_GET
@require_permission(RESULTS)
def index(request):
    """Closed waves whose results the viewer may see, newest first."""
    scopes = _scopes(request)
    waves = (
        rs.closed_wave_queryset(request.organisation)
        .prefetch_related("target_units")
        .order_by("-closed_at", "-pk")
    )
    rows = []
    for wave in waves:
        if not rs.overlaps([unit.path for unit in wave.target_units.all()], scopes):
            continue
        rows.append(
            {
                "wave": wave,
                "href": reverse("insights:heatmap", args=[wave.pk]),
                "closed": uk_date(wave.closed_at),
                "threshold": wave.reporting_threshold,
            }
        )
    context = {
        "rows": rows,
        "scope_names": [] if None in scopes else [unit.name for unit in scopes],
        "breadcrumbs": [{"text": "Home", "href": reverse("core:home")}],
    }
    return TemplateResponse(request, "insights/index.jinja", context)


@login_required
@require_GET
@require_permission(RESULTS)
def heatmap(request, wave_id):
    """Units at one level × dimensions, coloured by score, comparison or change; hidden
    cells marked and explained; sortable by any column with plain links."""
    scopes = _scopes(request)
    wave = _closed_wave(request, wave_id, scopes)
    results = rs.load_results(wave)
    levels = rs.allowed_levels(results, scopes)
    params = presenters.parse_params(
        request.GET, results, levels, rs.default_level(results, scopes)
    )
    groups = results.category_labels("staff_group") if results.breakdowns() else []
    context = {
        "wave": wave,
        "params": params,
        "levels": levels,
        "level_names": _level_names(results, levels),
        "groups": groups,
        "group_label": dict(groups).get(params.group),
        "colours": presenters.COLOURS,
        "coloured_by": presenters.COLOURED_BY,
        "error_list": params.errors,
        "page_has_errors": bool(params.errors),
        "scope_names": [] if None in scopes else [unit.name for unit in scopes],
        "threshold": results.threshold,
        "breadcrumbs": _crumbs(),
    }
    if not params.errors:
        table = results.table(level=params.level, breakdown=params.by)
        rows = rs.scoped_rows(table, scopes)
        if params.group:
            rows = [row for row in rows if row.category == params.group]
        rows = presenters.sort_rows(rows, params)
        context.update(
            {
                "table": table,
                "heads": presenters.header_cells(table.measures, params),
                "rows": presenters.heatmap_rows(table, rows, params),
                "legend": presenters.legend(params, results.threshold),
                "downloads": [
                    (
                        label,
                        reverse("insights:heatmap_export", args=[wave.pk])
                        + params.query(format=fmt, sort=None, order=None, colour=None),
                    )
                    for fmt, label in (("csv", "CSV"), ("xlsx", "Excel (XLSX)"))
                ],
            }
        )
    return TemplateResponse(
        request, "insights/heatmap.jinja", context, status=400 if params.errors else 200
    )


PLURALS = {
    "organisation": "the organisation",
    "division": "divisions",
    "directorate": "directorates",
    "department": "departments",
    "team": "teams",
}


def _level_names(results: rs.WaveResults, levels: list[int]) -> dict[int, str]:
    """A name for each level from the kind of unit most common at it ("Level 2
    (directorates)")."""
    kinds: dict[int, dict[str, int]] = {}
    for unit in results.units.refs.values():
        at = kinds.setdefault(unit.depth, {})
        at[unit.level] = at.get(unit.level, 0) + 1
    names = {}
    for level in levels:
        common = max(kinds.get(level, {"": 0}).items(), key=lambda kv: kv[1])[0]
        kind = PLURALS.get(common)
        names[level] = f"Level {level} ({kind})" if kind else f"Level {level}"
    return names


@login_required
@require_GET
@require_permission(RESULTS)
def heatmap_export(request, wave_id):
    """The heatmap's rows as CSV or XLSX (``?format=``), audited."""
    scopes = _scopes(request)
    wave = _closed_wave(request, wave_id, scopes)
    results = rs.load_results(wave)
    levels = rs.allowed_levels(results, scopes)
    params = presenters.parse_params(
        request.GET, results, levels, rs.default_level(results, scopes)
    )
    fmt = request.GET.get("format", "csv")
    if fmt not in exports.FORMATS:
        params.errors.append({"text": f"There is no format {fmt[:20]!r}. Use csv or xlsx."})
    if params.errors:
        return HttpResponse(
            "\n".join(error["text"] for error in params.errors) + "\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    export = exports.heatmap_export(
        wave=wave,
        level=params.level,
        breakdown=params.by,
        group=params.group,
        fmt=fmt,
        scopes=scopes,
        actor=request.user,
        request=request,
        source="web",
        results=results,
    )
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response
