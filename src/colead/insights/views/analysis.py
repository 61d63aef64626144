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
and only closed waves have results. The reads are ``insights.queries.drivers`` and
``reliability``; the figures come from ``insights.analysis``, cached per wave
(``analysis.cached``).
"""

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from colead.accounts.permissions import require_permission
from colead.accounts.roles import Permission
from colead.core import pages
from colead.core.actor import Actor
from colead.insights import analysis, queries
from colead.insights.views.common import answers_read_errors, crumbs
from colead.lib import charts
from colead.lib.errors import Invalid

RESULTS = Permission.RESULTS_VIEW
ANALYSE = Permission.RESULTS_ANALYSE


def _wave_crumbs(wave) -> list[dict]:
    return [
        *crumbs(),
        {"text": wave.title, "href": reverse("insights:heatmap", args=[wave.pk])},
    ]


@login_required
@require_GET
@require_permission(RESULTS)
@answers_read_errors
def drivers(request, wave_id):
    """Correlation and regression weight of each culture element with engagement, for the
    organisation or one division (``?unit=CODE``), with a chart, a table and a reading
    (``queries.drivers``, audited there when figures are shown). A unit not offered is a
    400 that shows the first unit instead."""
    actor = Actor.from_request(request)
    asked = {
        "organisation": request.organisation,
        "wave_id": wave_id,
        "unit": request.GET.get("unit", "").strip() or None,
    }
    errors = {}
    try:
        read = queries.drivers(actor, **asked)
    except Invalid as error:
        errors = pages.form_errors(error, fallback="unit", shown=["unit"])
        read = queries.drivers(actor, **{**asked, "unit": None})
    context = {
        "wave": read.wave,
        "data": read.data,
        "units": read.units,
        "scope_names": read.scope_names,
        "threshold": read.results.threshold,
        "breadcrumbs": _wave_crumbs(read.wave),
        "can_analyse": queries.may_analyse(actor, request.organisation),
        **pages.error_context(errors, {"unit": "unit"}),
    }
    chosen = read.chosen
    if chosen is not None:
        spec = analysis.drivers_chart_spec(chosen, read.data.outcome_title)
        context.update(
            {
                "chosen": chosen,
                "chosen_code": chosen.code,
                "overview": read.overview,
                "reading": analysis.reading(chosen, read.data.outcome_title),
                "chart_src": charts.svg_data_uri(spec) if spec else None,
            }
        )
    return TemplateResponse(
        request, "insights/drivers.jinja", context, status=400 if errors else 200
    )


@login_required
@require_GET
@require_permission(ANALYSE)
@answers_read_errors
def reliability(request, wave_id):
    """Cronbach's alpha per dimension (this wave and the ones before), ICC(1)/ICC(2) across
    teams, and the spread of within-team agreement, for analysts (``queries.reliability``,
    audited there)."""
    read = queries.reliability(
        Actor.from_request(request), organisation=request.organisation, wave_id=wave_id
    )
    core = read.results.core
    context = {
        "wave": read.wave,
        "waves": read.waves,
        "threshold": core.threshold,
        "respondents": core.scored.respondents,
        "alpha_rows": read.alpha_rows,
        "teams": read.teams,
        "agreement": read.agreement,
        "rwg_bands": [label for _, label in analysis.RWG_BANDS],
        "breadcrumbs": _wave_crumbs(read.wave),
    }
    return TemplateResponse(request, "insights/reliability.jinja", context)
