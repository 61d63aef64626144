"""Results pages: the list of closed waves, the heatmap, with its download, and the unit page.
Each page builds the ``Actor``, calls its read in ``insights.queries`` and shapes the
answer for its template.

Everything needs RESULTS_VIEW: organisation-wide for board members, OD leads and
organisation admins; a subtree for managers, who see only the units inside it (the figures
are the organisation's, suppressed over the whole organisation, then filtered). The list,
the heatmap and the unit pages also open to every member of staff (RESULTS_VIEW_OWN) for the
organisation and their own units (docs/access.md); the download does not. Waves are
looked up in the current organisation only (another organisation's is a 404); a manager gets
403 for a wave that surveyed none of their units.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from colead.accounts.permissions import require_permission
from colead.accounts.roles import Permission
from colead.core import pages
from colead.core.actor import Actor
from colead.insights import analysis, presenters, queries
from colead.insights import results as rs
from colead.insights import unit_results as ur
from colead.insights.views.common import answers_read_errors, crumbs
from colead.lib.charts import svg_data_uri
from colead.lib.errors import Invalid
from colead.lib.formatting import uk_date
from colead.lib.spreadsheet import FORMATS
from colead.surveys.models import Wave

RESULTS = Permission.RESULTS_VIEW
OWN = Permission.RESULTS_VIEW_OWN  # every member of staff: the published results
# the heatmap form's fields, in page order, with their HTML ids
HEATMAP_FIELDS = {"level": "level", "by": "by", "group": "group", "colour": "colour"}


@login_required
@require_GET
@require_permission(RESULTS, OWN)
def index(request):
    """Closed waves whose results the viewer may see, newest first."""
    actor = Actor.from_request(request)
    scopes = queries.scopes_of(actor, request.organisation, published=True)
    rows = [
        {
            "wave": wave,
            "href": reverse("insights:heatmap", args=[wave.pk]),
            "closed": uk_date(wave.closed_at),
            "threshold": wave.reporting_threshold,
        }
        for wave in queries.waves(actor, organisation=request.organisation)
    ]
    context = {
        "rows": rows,
        "scope_names": [] if None in scopes else [u.name for u in scopes if not rs.is_own_unit(u)],
        "own_names": [unit.name for unit in scopes if rs.is_own_unit(unit)],
        "breadcrumbs": [{"text": "Home", "href": reverse("home:home")}],
        "sees_drivers": analysis.sees_drivers(scopes),
        "can_analyse": queries.may_analyse(actor, request.organisation),
    }
    return TemplateResponse(request, "insights/index.jinja", context)


@login_required
@require_GET
@require_permission(RESULTS, OWN)
@answers_read_errors
def heatmap(request, wave_id):
    """Units at one level × dimensions, coloured by score, comparison or change; hidden
    cells marked and explained; sortable by any column with plain links. The figures are
    ``queries.heatmap``'s (audited there); a level, breakdown or group the wave does not
    have is a 400 that names it."""
    actor = Actor.from_request(request)
    params, errors = presenters.parse_params(request.GET)
    asked = {
        "organisation": request.organisation,
        "wave_id": wave_id,
        "level": params.level,
        "by": params.by,
        "group": params.group,
    }
    read = None
    try:
        if errors:  # the page's own problems: check the rest too, and show no figures
            queries.heatmap_choices(actor, **asked)
        else:
            read = queries.heatmap(actor, **asked)
    except Invalid as error:
        errors |= pages.form_errors(error, fallback="level", shown=HEATMAP_FIELDS)
    shown = read or queries.heatmap_choices(
        actor, organisation=request.organisation, wave_id=wave_id
    )
    params = presenters.settle_params(params, shown)
    context = _heatmap_context(actor, request, shown, params)
    context.update(pages.error_context(errors, HEATMAP_FIELDS))
    if read is not None:
        context.update(_heatmap_figures(read, params))
    return TemplateResponse(
        request, "insights/heatmap.jinja", context, status=400 if errors else 200
    )


def _heatmap_context(actor, request, read: queries.WaveRead, params) -> dict:
    """The heatmap page's form and text, with or without figures."""
    results = read.results
    offered = results.breakdowns()
    groups = results.category_labels(params.by) if params.by else []
    # Levels are offered by kind of unit; a depth (an older link) is listed while chosen.
    levels = [*([params.level] if isinstance(params.level, int) else []), *read.kinds]
    return {
        "wave": read.wave,
        "params": params,
        "levels": levels,
        "level_names": {level: rs.level_label(level) for level in levels},
        "breakdowns": [(code, rs.BREAKDOWNS[code]) for code in offered],
        "protected_offered": [
            rs.BREAKDOWNS[code].lower() for code in offered if code in rs.PROTECTED_BREAKDOWNS
        ],
        "protected_breakdowns": rs.PROTECTED_BREAKDOWNS,
        "protected_min_group": rs.PROTECTED_MIN_GROUP,
        "by_label": rs.BREAKDOWNS[params.by] if params.by else None,
        "groups": groups,
        "group_label": dict(groups).get(params.group),
        "sees_drivers": analysis.sees_drivers(read.scopes),
        "can_analyse": queries.may_analyse(actor, request.organisation),
        "colours": presenters.COLOURS,
        "coloured_by": presenters.COLOURED_BY,
        "scope_names": read.scope_names,
        "own_names": read.own_names,
        "threshold": results.threshold,
        "breadcrumbs": crumbs(),
    }


def _heatmap_figures(read: queries.Heatmap, params) -> dict:
    table = read.table
    ordered = presenters.sort_rows(read.rows, params)
    rows, left_out = presenters.shown_rows(ordered, params)
    all_hidden = sum(map(presenters.fully_hidden, ordered)) if params.show_hidden else left_out
    return {
        "left_out": left_out,
        "all_hidden_words": _left_out_words(all_hidden, read) if all_hidden else "",
        "show_hidden_href": params.query(show_hidden="1"),
        "hide_hidden_href": params.query(show_hidden=""),
        # units whose breakdown is refused (R3 remainder, R4 protected characteristics)
        "refused_units": list(
            dict.fromkeys(row.unit_name for row in rows if row.suppressed == "refused")
        ),
        "table": table,
        "heads": presenters.header_cells(table.measures, params),
        "rows": presenters.heatmap_rows(table, rows, params),
        "legend": presenters.legend(params, table.threshold),
        "downloads": []
        if not read.may_export
        else [
            (
                label,
                reverse("insights:heatmap_export", args=[read.wave.pk])
                + params.query(
                    format=fmt, sort=None, order=None, colour=None, compact=None, show_hidden=None
                ),
            )
            for fmt, label in (("csv", "CSV"), ("xlsx", "Excel (XLSX)"))
        ],
    }


def _left_out_words(count: int, read: queries.Heatmap) -> str:
    """ "14 teams", "1 row" : what the rows left out are."""
    if read.by or not isinstance(read.level, str):
        noun = "row" if count == 1 else "rows"
    else:
        noun = read.level if count == 1 else rs.LEVEL_PLURALS[read.level]
    return f"{count:,} {noun}"


@login_required
@require_GET
@require_permission(RESULTS, OWN)
@answers_read_errors
def heatmap_export(request, wave_id):
    """The heatmap's rows as CSV or XLSX (``?format=``): ``queries.heatmap_export``, as the
    API and ``colead export heatmap`` give them; a bad parameter is a 400 in plain text."""
    params, errors = presenters.parse_params(request.GET)
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:  # the API's json is not a download
        errors["format"] = f"There is no format {fmt[:20]!r}. Use csv or xlsx."
    if not errors:
        try:
            export = queries.heatmap_export(
                Actor.from_request(request),
                organisation=request.organisation,
                wave_id=wave_id,
                fmt=fmt,
                level=params.level,
                by=params.by,
                group=params.group,
            )
        except Invalid as error:
            errors = error.errors
    if errors:
        return HttpResponse(
            "\n".join(errors.values()) + "\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response


# -- the unit page ------------------------------------------------------------------------------


@login_required
@require_GET
@require_permission(RESULTS, OWN)
@answers_read_errors
def unit(request, wave_id, code):
    """One unit in one closed wave: its dimensions with intervals, comparisons and change,
    the trend across waves, item detail, real teams and team agreement, and comment themes
    (``queries.unit_page``, audited there). A manager may open units in their subtree only
    (403 otherwise); an unknown code is a 404 that says so."""
    try:
        read = queries.unit_page(
            Actor.from_request(request),
            organisation=request.organisation,
            wave_id=wave_id,
            code=code,
        )
    except queries.UnitNotFound as error:
        return _unit_not_found(request, error.wave, code)
    wave, results, ref = read.wave, read.results, read.unit
    responses, responses_hidden = ur.responses_text(read.row, results.threshold)
    position = next(i for i, w in enumerate(read.waves) if w.pk == wave.pk)
    earlier = read.waves[position - 1] if position > 0 else None
    later = read.waves[position + 1] if position + 1 < len(read.waves) else None
    heatmap_href = reverse("insights:heatmap", args=[wave.pk]) + f"?level={ref.level or ref.depth}"
    trail = crumbs() + [{"text": wave.title, "href": heatmap_href}]
    trail += [{"text": up.name, "href": ur.unit_url(wave.pk, up)} for up in read.ancestors]
    context = {
        "wave": wave,
        "unit": ref,
        "closed": uk_date(wave.closed_at),
        "threshold": results.threshold,
        "comment_threshold": wave.comment_threshold,
        # a unit outside a partial wave has no row: the page says it was not surveyed
        "included": read.included,
        "row": read.row,
        "responses": responses,
        "responses_hidden": responses_hidden,
        "dimensions": ur.dimension_lines(results, ref),
        "items": ur.item_groups(results, ref),
        "teams": ur.teams_section(results, ref, read.children),
        "children": ur.child_links(results, read.children),
        # The organisation's scores weighted by staff group, beside the unweighted ones.
        "weighted": read.weighted,
        "trend": read.trend,
        "chart_src": svg_data_uri(read.trend.spec) if read.trend.spec else None,
        "comments": read.comments,
        "previous_title": results.previous.title if results.previous else None,
        "earlier": _wave_link(earlier, ref),
        "later": _wave_link(later, ref),
        "heatmap_href": heatmap_href,
        "breadcrumbs": trail,
    }
    return TemplateResponse(request, "insights/unit.jinja", context)


def _unit_not_found(request, wave: Wave, code: str):
    """The 404 of a unit code the organisation does not have, linking to the wave's
    heatmap."""
    context = {
        "wave": wave,
        "code": code[:60],
        "heatmap_href": reverse("insights:heatmap", args=[wave.pk]),
        "breadcrumbs": crumbs(),
    }
    return TemplateResponse(request, "insights/unit_not_found.jinja", context, status=404)


def _wave_link(wave: Wave | None, unit: rs.UnitRef) -> dict | None:
    """The same unit's page in another wave, for the earlier/later links."""
    return None if wave is None else {"href": ur.unit_url(wave.pk, unit), "title": wave.title}
