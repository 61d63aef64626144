"""The drivers page and the reliability page: who sees what, the minimum for drivers, and
figures equal to the statistics computed directly from the stored responses."""

import html as htmllib
import re

import numpy as np
import pytest
from django.urls import reverse

from colead.accounts.models import RoleAssignment
from colead.insights import analysis
from colead.insights import engine as eng
from colead.insights import statistics as st
from colead.org.models import Unit
from tests.factories import UserFactory
from tests.integration.analysis_fixtures import mood_wave, stored_scores
from tests.integration.waves_fixtures import make_wave

pytestmark = pytest.mark.django_db

K = 5
# Medicine: 40 + 30 + 3 = 73 people (at least the 60 drivers need: six elements × 10);
# Surgery: 20 + 10 = 30 (too few). Cardiology's own 3 are a team below the threshold.
COUNTS = {"W1": 40, "W2": 30, "CARD": 3, "T1": 20, "SURG": 10}
MEDICINE = ("W1", "W2", "CARD")


@pytest.fixture
def wave(trust):
    return mood_wave(trust, COUNTS, threshold=K)


def drivers_url(wave, query=""):
    return reverse("insights:drivers", args=[wave.pk]) + query


def reliability_url(wave):
    return reverse("insights:reliability", args=[wave.pk])


def page_text(response) -> str:
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", main)))


def direct_drivers(wave, unit_codes):
    scheme, units, _, dims, _ = stored_scores(wave)
    culture = [d.code for d in scheme.dimensions if d.instrument == "culture-pulse"]
    members = np.isin(units, unit_codes)
    result = st.key_drivers(
        dims[members][:, [scheme.dimension_index[c] for c in culture]],
        dims[members, scheme.dimension_index["engagement"]],
    )
    return dict(zip(culture, zip(result.correlation, result.beta, strict=True), strict=True)), (
        result
    )


def a_manager_of(trust, unit_code):
    user = UserFactory(email=f"manager-{unit_code.lower()}@test.test")
    RoleAssignment.objects.create(
        user=user, organisation=trust["org"], role="manager", unit=trust["units"][unit_code]
    )
    return user


# -- drivers -----------------------------------------------------------------------------------


def test_the_organisations_drivers_are_the_direct_regression(client_for, wave):
    response = client_for("board").get(drivers_url(wave))
    assert response.status_code == 200
    chosen = response.context_data["chosen"]
    assert chosen.code == "TST1-ROOT" and chosen.shown
    everyone = ("W1", "W2", "CARD", "T1", "SURG")
    expected, result = direct_drivers(wave, everyone)
    assert {d.code for d in chosen.drivers} == set(expected)
    for driver in chosen.drivers:
        r, beta = expected[driver.code]
        assert driver.correlation == pytest.approx(r)
        assert driver.beta == pytest.approx(beta)
        low, high = analysis.fisher_interval(r, result.n)
        assert (driver.ci_low, driver.ci_high) == pytest.approx((low, high))
    correlations = [d.correlation for d in chosen.drivers]
    assert correlations == sorted(correlations, reverse=True)
    assert chosen.r_squared == pytest.approx(result.r_squared)

    text = page_text(response)
    top = chosen.drivers[0]
    assert f"{top.title} is the strongest driver of staff engagement here" in text
    assert f"{top.correlation:.2f}" in text and f"{top.beta:.2f}" in text
    assert f"Based on {result.n // 10 * 10} or more people" in text
    # The statistical terms: plain words on the page, the definitions for analysts.
    assert "Together the elements account for" in text
    assert "For analysts: R² (coefficient of determination)" in text
    assert "For analysts: Pearson’s r" in text
    html = response.content.decode()
    assert '<img src="data:image/svg+xml;base64,' in html  # the chart
    assert "The same figures are in the table below." in html  # and its alternative
    assert "Drivers of staff engagement in Test Trust, strongest correlation first" in html


def test_a_divisions_drivers_are_its_own_peoples(client_for, wave):
    response = client_for("od").get(drivers_url(wave, "?unit=MED"))
    assert response.status_code == 200
    chosen = response.context_data["chosen"]
    assert chosen.name == "Medicine" and chosen.shown
    expected, _ = direct_drivers(wave, MEDICINE)
    for driver in chosen.drivers:
        assert driver.correlation == pytest.approx(expected[driver.code][0])
        assert driver.beta == pytest.approx(expected[driver.code][1])


def test_a_division_under_the_minimum_shows_too_few_and_no_figure(client_for, wave):
    response = client_for("board").get(drivers_url(wave, "?unit=SURG"))
    assert response.status_code == 200
    chosen = response.context_data["chosen"]
    assert chosen.name == "Surgery" and not chosen.shown
    assert chosen.drivers == () and chosen.responses_at_least is None
    text = page_text(response)
    assert "Too few responses: drivers need at least 60 people who answered every question" in (
        text
    )
    assert response.context_data["chart_src"] is None
    assert "<img" not in response.content.decode()
    overview = {u.name: u for u in response.context_data["overview"]}
    assert set(overview) == {"Test Trust", "Medicine", "Surgery"}
    assert overview["Medicine"].shown and not overview["Surgery"].shown
    assert re.search(r"Surgery (Strongest correlation )?Too few responses", text)
    assert "fewer than 60" in text


def test_an_unknown_unit_is_explained(client_for, wave):
    response = client_for("board").get(drivers_url(wave, "?unit=W1"))  # a team, not a division
    assert response.status_code == 400
    assert "There is no unit 'W1' to show drivers for" in page_text(response)
    assert "nhsuk-error-summary" in response.content.decode()
    assert response.context_data["chosen"].code == "TST1-ROOT"


def test_a_division_manager_sees_their_division_only(client, trust, wave):
    client.force_login(a_manager_of(trust, "MED"))
    response = client.get(drivers_url(wave))
    assert response.status_code == 200
    assert [u.code for u in response.context_data["units"]] == ["MED"]
    assert response.context_data["chosen"].code == "MED"
    assert "Test Trust" not in [u.name for u in response.context_data["overview"]]
    refused = client.get(drivers_url(wave, "?unit=TST1-ROOT"))
    assert refused.status_code == 400
    assert refused.context_data["chosen"].code == "MED"


def test_a_ward_manager_gets_an_explanation_and_no_figures(client_for, wave):
    response = client_for("manager").get(drivers_url(wave, "?unit=TST1-ROOT"))
    assert response.status_code == 200
    assert response.context_data["units"] == []
    assert "chosen" not in response.context_data
    text = page_text(response)
    assert "worked out for the whole organisation and for each division only" in text
    assert "Your results cover Ward 1, below division level." in text
    assert "correlation" not in text.split("How to read")[0].lower()


def test_drivers_access(client_for, trust, wave):
    assert client_for("staff").get(drivers_url(wave)).status_code == 403
    assert client_for("change").get(drivers_url(wave)).status_code == 403
    assert client_for("outsider").get(drivers_url(wave)).status_code == 404
    open_wave = make_wave(trust, title="Open", launch=True)
    assert client_for("board").get(drivers_url(open_wave)).status_code == 409  # not closed
    surgery_only = mood_wave(trust, {"T1": 12}, threshold=K, title="Surgery only")
    surgery_only.target_units.set([Unit.objects.get(code="SURG")])
    assert client_for("manager").get(drivers_url(surgery_only)).status_code == 403


def test_a_wave_without_the_culture_pulse_says_so(client_for, trust):
    wave = mood_wave(trust, {"W1": 12}, threshold=K, instruments=["staff-engagement"])
    response = client_for("board").get(drivers_url(wave))
    assert response.status_code == 200
    assert "This wave did not ask the culture pulse" in page_text(response)


def test_drivers_are_computed_once_per_wave(client_for, wave, monkeypatch):
    calls = []
    real = eng.key_drivers
    monkeypatch.setattr(eng, "key_drivers", lambda *a, **k: calls.append(1) or real(*a, **k))
    client = client_for("board")
    for query in ("", "?unit=MED", "?unit=SURG", ""):
        assert client.get(drivers_url(wave, query)).status_code == 200
    assert len(calls) == 1


def test_links_to_the_new_pages(client_for, wave):
    index = client_for("od").get(reverse("insights:index")).content.decode()
    assert f'href="{drivers_url(wave)}"' in index
    assert f'href="{reliability_url(wave)}"' in index
    board = client_for("board").get(reverse("insights:index")).content.decode()
    assert f'href="{drivers_url(wave)}"' in board
    assert f'href="{reliability_url(wave)}"' not in board  # not an analyst
    ward = client_for("manager").get(reverse("insights:index")).content.decode()
    assert f'href="{drivers_url(wave)}"' not in ward  # nothing there for a ward
    heatmap = client_for("od").get(reverse("insights:heatmap", args=[wave.pk])).content.decode()
    assert f'href="{drivers_url(wave)}"' in heatmap
    assert f'href="{reliability_url(wave)}"' in heatmap


# -- reliability -------------------------------------------------------------------------------


def test_alpha_is_cronbachs_alpha_of_the_stored_answers(client_for, wave):
    response = client_for("od").get(reliability_url(wave))
    assert response.status_code == 200
    scheme, _, items, _, _ = stored_scores(wave)
    rows = {row.dimension: row for row in response.context_data["alpha_rows"]}
    assert set(rows) == set(scheme.dimension_codes)
    for code in ("teamwork", "engagement", "psychological_safety"):
        block = items[:, scheme.dimension_items(code)]
        figure = rows[code].figures[0]
        assert figure.alpha == pytest.approx(st.cronbach_alpha(block))
        assert figure.respondents == int((~np.isnan(block).any(axis=1)).sum())
    text = page_text(response)
    assert f"{rows['teamwork'].figures[0].alpha:.2f} ({rows['teamwork'].figures[0].label})" in (
        text
    )


def test_icc_uses_teams_of_at_least_the_threshold(client_for, wave):
    response = client_for("od").get(reliability_url(wave))
    _, units, _, dims, _ = stored_scores(wave)
    scheme = stored_scores(wave)[0]
    teams = {row.dimension: row for row in response.context_data["teams"]}
    d = scheme.dimension_index["engagement"]
    values = dims[:, d]
    keep = ~np.isnan(values) & (units != "CARD")  # Cardiology's 3 people are left out
    expected = st.icc_oneway(values[keep], units[keep])
    row = teams["engagement"]
    assert row.teams == 4 and row.respondents == int(keep.sum())
    assert row.icc1 == pytest.approx(expected.icc1)
    assert row.icc2 == pytest.approx(expected.icc2)
    computed = f"{row.icc1:.3f}".replace("-", "−")
    shown = f"computed {computed}, shown as 0" if row.icc1 < 0 else computed
    assert shown in page_text(response)


def test_agreement_is_counted_by_band_never_per_team(client_for, wave):
    response = client_for("od").get(reliability_url(wave))
    scheme, units, _, _, codes = stored_scores(wave)
    columns = scheme.dimension_items("psychological_safety")
    points = scheme.items[columns[0]].points
    options = codes[:, columns].astype(np.float64)
    options[(options == 0) | (options == 255)] = np.nan  # blank or don't know
    values = {
        team: st.rwg_j(options[units == team], points)
        for team in ("W1", "W2", "T1", "SURG")  # each at least 5; CARD (3) is not counted
    }
    lows = [low for low, _ in analysis.RWG_BANDS]
    expected = [0] * len(lows)
    for value in values.values():
        expected[max(i for i, low in enumerate(lows) if value >= low - 1e-12)] += 1
    row = next(
        r for r in response.context_data["agreement"] if r.dimension == "psychological_safety"
    )
    assert row.assessed == 4 and row.too_few == 1
    assert list(row.bands) == expected
    assert row.agreeing == sum(v >= 0.70 - 1e-12 for v in values.values())
    text = page_text(response)
    assert "Ward 1" not in text and "Theatres" not in text  # no team is named


def test_earlier_waves_are_side_by_side(client_for, trust):
    earlier = mood_wave(trust, {"W1": 20, "T1": 20}, threshold=K, title="Autumn", seed=1)
    later = mood_wave(trust, {"W1": 20, "T1": 20}, threshold=K, title="Spring", seed=2)
    response = client_for("admin").get(reliability_url(later))
    assert response.status_code == 200
    assert [w.title for w in response.context_data["waves"]] == ["Spring", "Autumn"]
    scheme, _, items, _, _ = stored_scores(earlier)
    teamwork = next(r for r in response.context_data["alpha_rows"] if r.dimension == "teamwork")
    assert teamwork.figures[1].alpha == pytest.approx(
        st.cronbach_alpha(items[:, scheme.dimension_items("teamwork")])
    )
    assert "Autumn" in page_text(response)
    first = client_for("admin").get(reliability_url(earlier))
    assert [w.title for w in first.context_data["waves"]] == ["Autumn"]


def test_alpha_needs_the_threshold_of_complete_answers(client_for, trust):
    wave = mood_wave(trust, {"W1": 7}, threshold=8)
    response = client_for("od").get(reliability_url(wave))
    row = next(r for r in response.context_data["alpha_rows"] if r.dimension == "teamwork")
    assert row.figures[0].alpha is None
    assert "Fewer than 8 people answered every question" in page_text(response)
    teams = next(r for r in response.context_data["teams"] if r.dimension == "teamwork")
    assert teams.icc1 is None and teams.teams == 0


def test_reliability_is_for_analysts_over_the_whole_organisation(client, client_for, trust, wave):
    assert client_for("board").get(reliability_url(wave)).status_code == 403
    assert client_for("manager").get(reliability_url(wave)).status_code == 403
    assert client_for("staff").get(reliability_url(wave)).status_code == 403
    assert client_for("outsider").get(reliability_url(wave)).status_code == 404
    assert client_for("admin").get(reliability_url(wave)).status_code == 200
    open_wave = make_wave(trust, title="Open", launch=True)
    assert client_for("od").get(reliability_url(open_wave)).status_code == 409  # not closed
    division_lead = UserFactory(email="od-med@test.test")
    RoleAssignment.objects.create(
        user=division_lead, organisation=trust["org"], role="od_lead", unit=trust["units"]["MED"]
    )
    client.force_login(division_lead)
    assert client.get(reliability_url(wave)).status_code == 403


def test_views_of_drivers_and_reliability_are_audited(client_for, wave):
    from colead.audit.models import AuditEvent

    client_for("board").get(drivers_url(wave, "?unit=MED"))
    client_for("board").get(drivers_url(wave, "?unit=NOPE"))  # 400, shows the first unit
    client_for("staff").get(drivers_url(wave))  # refused: nothing shown, nothing recorded
    client_for("od").get(reliability_url(wave))
    client_for("board").get(reliability_url(wave))  # refused
    drivers = list(AuditEvent.objects.filter(action="insights.drivers_view").order_by("pk"))
    assert [(e.actor_label, e.detail["unit"]) for e in drivers] == [
        ("board@test.test", "MED"),
        ("board@test.test", drivers[1].detail["unit"]),
    ]
    assert drivers[1].detail["unit"] != "NOPE"
    assert all(e.object_id == str(wave.pk) for e in drivers)
    reliability = AuditEvent.objects.get(action="insights.reliability_view")
    assert reliability.actor_label == "od@test.test"
    assert reliability.detail["waves"] == [wave.pk]


def test_reliability_page_shows_every_icc_edge_case_in_words(client_for, wave, monkeypatch):
    # The edge cases as analysis computes them on small waves: teams that differ perfectly,
    # exactly equal team means (ICC(2) = −∞), everyone alike, and too few teams.
    from tests.unit.test_insights_analysis import one_question_reliability

    cases = [
        one_question_reliability({1: [1, 1], 2: [3, 3], 3: [5, 5]}),
        one_question_reliability({1: [2, 4], 2: [2, 4], 3: [4, 2]}),
        one_question_reliability({1: [4, 4], 2: [4, 4], 3: [4, 4]}),
        one_question_reliability({1: [4, 4], 2: [4]}),
    ]
    titles = ["Apart", "Level", "Alike", "Alone"]
    rows = [
        analysis.TeamReliability(**{**row.__dict__, "dimension": t.lower(), "title": t})
        for row, t in zip(cases, titles, strict=True)
    ]
    monkeypatch.setattr(analysis, "team_reliability", lambda scored, threshold: rows)
    response = client_for("od").get(reliability_url(wave))
    assert response.status_code == 200
    text = page_text(response)
    assert "Apart 3 1.000 (large differences between teams) F = ∞, p < 0.001" in text
    assert "0 (team means are not reliable; computed −∞, shown as 0)" in text
    assert "Alike 3 Everyone gave the same score" in text
    assert "Alone 1 Fewer than 2 teams with at least 2 scores" in text
    assert "A negative ICC, where teams differ less than chance" in text
    assert "multilevel::ICC1" in text and "For analysts: ICC(1) and ICC(2)" in text
