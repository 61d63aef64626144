"""Results pages: the list of closed waves, the heatmap, with its download, and the unit page.

Everything needs RESULTS_VIEW: organisation-wide for board members, OD leads and
organisation admins; a subtree for managers, who see only the units inside it (the figures
are the organisation's, suppressed over the whole organisation, then filtered). Waves are
looked up in the current organisation only (another organisation's is a 404); a manager gets
403 for a wave that surveyed none of their units.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from colead.accounts.permissions import permitted_scopes, require_permission
from colead.accounts.roles import Permission
from colead.audit.services import record
from colead.insights import analysis, exports, presenters
from colead.insights import results as rs
from colead.insights import unit_results as ur
from colead.insights.views.common import closed_wave, crumbs
from colead.lib.charts import svg_data_uri
from colead.lib.formatting import uk_date
from colead.surveys.models import Wave
from colead.surveys.services import wave_instruments

RESULTS = Permission.RESULTS_VIEW


def _scopes(request) -> list:
    return permitted_scopes(request.user, RESULTS, request.organisation)


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
        "breadcrumbs": [{"text": "Home", "href": reverse("home:home")}],
        "sees_drivers": analysis.sees_drivers(scopes),
        "can_analyse": permitted_scopes(
            request.user, Permission.RESULTS_ANALYSE, request.organisation
        )
        == [None],
    }
    return TemplateResponse(request, "insights/index.jinja", context)


@login_required
@require_GET
@require_permission(RESULTS)
def heatmap(request, wave_id):
    """Units at one level × dimensions, coloured by score, comparison or change; hidden
    cells marked and explained; sortable by any column with plain links. Each view that
    shows figures is audited (``insights.heatmap_view``)."""
    scopes = _scopes(request)
    wave = closed_wave(request, wave_id, scopes)
    results = rs.load_results(wave)
    levels = rs.allowed_levels(results, scopes)
    params = presenters.parse_params(
        request.GET, results, levels, rs.default_level(results, scopes)
    )
    offered = results.breakdowns()
    groups = results.category_labels(params.by) if params.by else []
    context = {
        "wave": wave,
        "params": params,
        "levels": levels,
        "level_names": _level_names(results, levels),
        "breakdowns": [(code, rs.BREAKDOWNS[code]) for code in offered],
        "protected_offered": [
            rs.BREAKDOWNS[code].lower() for code in offered if code in rs.PROTECTED_BREAKDOWNS
        ],
        "protected_breakdowns": rs.PROTECTED_BREAKDOWNS,
        "protected_min_group": rs.PROTECTED_MIN_GROUP,
        "by_label": rs.BREAKDOWNS[params.by] if params.by else None,
        "groups": groups,
        "group_label": dict(groups).get(params.group),
        "sees_drivers": analysis.sees_drivers(scopes),
        "can_analyse": permitted_scopes(
            request.user, Permission.RESULTS_ANALYSE, request.organisation
        )
        == [None],
        "colours": presenters.COLOURS,
        "coloured_by": presenters.COLOURED_BY,
        "error_list": params.errors,
        "page_has_errors": bool(params.errors),
        "scope_names": [] if None in scopes else [unit.name for unit in scopes],
        "threshold": results.threshold,
        "breadcrumbs": crumbs(),
    }
    if not params.errors:
        table = results.table(level=params.level, breakdown=params.by)
        rows = rs.scoped_rows(table, scopes)
        if params.group:
            rows = [row for row in rows if row.category == params.group]
        rows = presenters.sort_rows(rows, params)
        # units whose breakdown is refused (R3 remainder, R4 protected characteristics)
        refused = list(dict.fromkeys(r.unit_name for r in rows if r.suppressed == "refused"))
        record(
            action="insights.heatmap_view",
            actor=request.user,
            organisation=request.organisation,
            obj=wave,
            request=request,
            detail={
                "level": params.level,
                "breakdown": params.by,
                "group": params.group,
                "rows": len(rows),
            },
        )
        context.update(
            {
                "refused_units": refused,
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
    wave = closed_wave(request, wave_id, scopes)
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


# -- the unit page ------------------------------------------------------------------------------


@login_required
@require_GET
@require_permission(RESULTS)
def unit(request, wave_id, code):
    """One unit in one closed wave: its dimensions with intervals, comparisons and change,
    the trend across waves, item detail, real teams and team agreement, and comment themes.
    Every figure is the results service's (see ``insights.unit_results``). A manager may open
    units in their subtree only (403 otherwise); an unknown code is a 404 that says so.
    Each view is audited (``insights.unit_view``): the page can show sample comments."""
    scopes = _scopes(request)
    wave = closed_wave(request, wave_id, scopes)
    results = rs.load_results(wave)
    ref = next((r for r in results.units.refs.values() if r.code == code), None)
    if ref is None:
        context = {
            "wave": wave,
            "code": code[:60],
            "heatmap_href": reverse("insights:heatmap", args=[wave.pk]),
            "breadcrumbs": crumbs(),
        }
        return TemplateResponse(request, "insights/unit_not_found.jinja", context, status=404)
    if not ur.in_scope(ref, scopes):
        raise PermissionDenied

    row = ur.unit_row(results, ref)
    responses, responses_hidden = ur.responses_text(row, results.threshold)
    children = ur.children_of(results, ref)
    waves = ur.waves_including(request.organisation, ref)
    if wave.pk not in {w.pk for w in waves}:
        waves = sorted([*waves, wave], key=lambda w: (w.closed_at, w.pk))
    position = next(i for i, w in enumerate(waves) if w.pk == wave.pk)
    earlier = waves[position - 1] if position > 0 else None
    later = waves[position + 1] if position + 1 < len(waves) else None
    trend = ur.trend(waves, ref, wave.pk)
    comments = ur.comments_section(wave, results, ref, wave_instruments(wave))
    heatmap_href = reverse("insights:heatmap", args=[wave.pk]) + f"?level={ref.depth}"
    trail = crumbs() + [{"text": wave.title, "href": heatmap_href}]
    trail += [
        {"text": up.name, "href": ur.unit_url(wave.pk, up)}
        for up in ur.ancestors_of(results, ref)
        if ur.in_scope(up, scopes)
    ]
    record(
        action="insights.unit_view",
        actor=request.user,
        organisation=request.organisation,
        obj=wave,
        request=request,
        detail={"unit": ref.code, "comments_shown": comments.get("shown", False)},
    )
    context = {
        "wave": wave,
        "unit": ref,
        "closed": uk_date(wave.closed_at),
        "threshold": results.threshold,
        "comment_threshold": wave.comment_threshold,
        # a unit outside a partial wave has no row: the page says it was not surveyed
        "included": row is not None and ur.includes(results.core.target_paths, ref),
        "row": row,
        "responses": responses,
        "responses_hidden": responses_hidden,
        "dimensions": ur.dimension_lines(results, ref),
        "items": ur.item_groups(results, ref),
        "teams": ur.teams_section(results, ref, children),
        "children": ur.child_links(results, children),
        "trend": trend,
        "chart_src": svg_data_uri(trend.spec) if trend.spec else None,
        "comments": comments,
        "previous_title": results.previous.title if results.previous else None,
        "earlier": _wave_link(earlier, ref),
        "later": _wave_link(later, ref),
        "heatmap_href": heatmap_href,
        "breadcrumbs": trail,
    }
    return TemplateResponse(request, "insights/unit.jinja", context)


def _wave_link(wave: Wave | None, unit: rs.UnitRef) -> dict | None:
    """The same unit's page in another wave, for the earlier/later links."""
    return None if wave is None else {"href": ur.unit_url(wave.pk, unit), "title": wave.title}
