"""The drivers page and the reliability page of a closed wave.

**Drivers** (``/insights/waves/<id>/drivers/``) needs RESULTS_VIEW. Drivers are worked out
for the organisation and its divisions only (a regression needs many responses): board
members, OD leads and organisation admins see the organisation and every division; a
manager sees the divisions inside their subtree (a division's manager, their division). A
manager whose units are all below division level gets the page with an explanation and a
link to their heatmap, never the organisation's or a division's figures.

**Reliability** (``/insights/waves/<id>/reliability/``) is for analysts: it needs
RESULTS_ANALYSE over the whole organisation (OD leads and organisation admins), because
every figure on it is computed across all the organisation's teams.

Waves are looked up in the current organisation only (another organisation's is a 404),
and only closed waves have results. The figures come from ``insights.analysis``, cached per
wave (``analysis.cached``).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from colead.accounts.permissions import permitted_scopes, require_permission
from colead.accounts.roles import Permission
from colead.audit.services import record
from colead.insights import analysis
from colead.insights import results as rs
from colead.insights.views.common import closed_wave, crumbs
from colead.lib import charts
from colead.surveys.models import Wave

RESULTS = Permission.RESULTS_VIEW
ANALYSE = Permission.RESULTS_ANALYSE
PREVIOUS_WAVES = 3  # earlier waves shown beside this one on the reliability page


def _wave_crumbs(wave) -> list[dict]:
    return [
        *crumbs(),
        {"text": wave.title, "href": reverse("insights:heatmap", args=[wave.pk])},
    ]


def driver_units(results: rs.WaveResults, scopes) -> list[rs.UnitRef]:
    """The organisation and its divisions the wave surveyed, that the viewer may see: all of
    them organisation-wide, else those inside the viewer's subtrees."""
    refs, tree = results.units.refs, results.tree
    positions = [*results.core.level_positions(0), *results.core.level_positions(1)]
    units = [refs[int(tree.ids[p])] for p in positions]
    if None in scopes:
        return units
    paths = tuple(unit.path for unit in scopes)
    return [unit for unit in units if unit.path.startswith(paths)]


def _wave_drivers(results: rs.WaveResults) -> analysis.WaveDrivers:
    core = results.core
    everyone = [
        core.units.refs[int(core.tree.ids[p])]
        for p in (*core.level_positions(0), *core.level_positions(1))
    ]
    return analysis.cached(
        core,
        "drivers",
        lambda: analysis.wave_drivers(core.scored, core.tree, everyone, core.threshold),
    )


@login_required
@require_GET
@require_permission(RESULTS)
def drivers(request, wave_id):
    """Correlation and regression weight of each culture element with engagement, for the
    organisation or one division (``?unit=CODE``), with a chart, a table and a reading.
    Audited (``insights.drivers_view``) when figures are shown."""
    scopes = permitted_scopes(request.user, RESULTS, request.organisation)
    wave = closed_wave(request, wave_id, scopes)
    results = rs.load_results(wave, with_previous=False)
    units = driver_units(results, scopes)
    data = _wave_drivers(results)
    context = {
        "wave": wave,
        "data": data,
        "units": units,
        "scope_names": [] if None in scopes else [unit.name for unit in scopes],
        "threshold": results.threshold,
        "breadcrumbs": _wave_crumbs(wave),
        "error_list": [],
        "can_analyse": permitted_scopes(request.user, ANALYSE, request.organisation) == [None],
    }
    if not units or data.missing:
        return TemplateResponse(request, "insights/drivers.jinja", context)
    visible = {unit.code: data.unit(unit.code) for unit in units}
    code = request.GET.get("unit", "").strip() or units[0].code
    status = 200
    if code not in visible:
        context["error_list"] = [
            {
                "text": f"There is no unit {code[:40]!r} to show drivers for. Choose the "
                "organisation or a division from the list.",
                "href": "#unit",
            }
        ]
        context["page_has_errors"] = True
        code, status = units[0].code, 400
    chosen = visible[code]
    record(
        action="insights.drivers_view",
        actor=request.user,
        organisation=request.organisation,
        obj=wave,
        request=request,
        detail={"unit": code},
    )
    spec = analysis.drivers_chart_spec(chosen, data.outcome_title)
    context.update(
        {
            "chosen": chosen,
            "chosen_code": code,
            "overview": [visible[unit.code] for unit in units],
            "reading": analysis.reading(chosen, data.outcome_title),
            "chart_src": charts.svg_data_uri(spec) if spec else None,
        }
    )
    return TemplateResponse(request, "insights/drivers.jinja", context, status=status)


@login_required
@require_GET
@require_permission(ANALYSE)
def reliability(request, wave_id):
    """Cronbach's alpha per dimension (this wave and the ones before), ICC(1)/ICC(2) across
    teams, and the spread of within-team agreement, for analysts. Audited
    (``insights.reliability_view``)."""
    if permitted_scopes(request.user, ANALYSE, request.organisation) != [None]:
        raise PermissionDenied  # the figures are the whole organisation's
    wave = closed_wave(request, wave_id, [None])
    results = rs.load_results(wave, with_previous=False)
    core = results.core
    earlier = list(
        rs.closed_wave_queryset(request.organisation)
        .filter(closed_at__lt=wave.closed_at)
        .exclude(pk=wave.pk)
        .order_by("-closed_at", "-pk")[:PREVIOUS_WAVES]
    )
    waves: list[Wave] = [wave, *earlier]
    cores = [core, *(rs.load_results(w, with_previous=False).core for w in earlier)]
    alphas = [
        analysis.cached(c, "alphas", lambda c=c: analysis.dimension_alphas(c.scored, c.threshold))
        for c in cores
    ]
    context = {
        "wave": wave,
        "waves": waves,
        "threshold": core.threshold,
        "respondents": core.scored.respondents,
        "alpha_rows": analysis.alpha_rows(core.scored.scheme, alphas),
        "teams": analysis.cached(
            core, "teams", lambda: analysis.team_reliability(core.scored, core.threshold)
        ),
        "agreement": analysis.cached(
            core, "agreement", lambda: analysis.team_agreement(core.scored, core.threshold)
        ),
        "rwg_bands": [label for _, label in analysis.RWG_BANDS],
        "breadcrumbs": _wave_crumbs(wave),
    }
    record(
        action="insights.reliability_view",
        actor=request.user,
        organisation=request.organisation,
        obj=wave,
        request=request,
        detail={"waves": [w.pk for w in waves]},
    )
    return TemplateResponse(request, "insights/reliability.jinja", context)
