"""The organisation's unit page shows its scores weighted by staff group beside the
unweighted ones, from the same disclosure-controlled tables, and withholds the weighted
score when a staff group is too small to be shown. The API and ``colead export weighted``
publish the same figures through the same read, and withhold the same ones."""

import csv
import html as htmllib
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from colead.accounts.models import ApiToken
from colead.audit.models import AuditEvent
from colead.insights import results as rs
from colead.insights import weighting
from tests.integration.insights_fixtures import closed_wave

pytestmark = pytest.mark.django_db

K = 5
COUNTS = {"W1": 14, "W2": 12, "T1": 12, "SURG": 6}


def organisation_page(client, wave):
    return client.get(reverse("insights:unit", args=[wave.pk, "TST1-ROOT"]))


def page_text(response) -> str:
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_the_weighted_score_is_beside_the_unweighted_one(client_for, trust):
    wave = closed_wave(trust, COUNTS, threshold=K)
    response = organisation_page(client_for("board"), wave)
    assert response.status_code == 200
    lines = {line.code: line for line in response.context_data["weighted"]}
    results = rs.load_results(wave)
    whole = results.table(level=0, measures="dimensions").rows[0]
    by_group = results.table(level=0, breakdown="staff_group", measures="dimensions").rows
    shares = weighting.benchmark_shares()
    engagement = lines["engagement"]
    assert engagement.unweighted == pytest.approx(whole.cells["engagement"].score)
    group_means = {row.category: row.cells["engagement"].score for row in by_group}
    assert len(group_means) == 3 and None not in group_means.values()
    expected = sum(shares[g] * m for g, m in group_means.items()) / sum(
        shares[g] for g in group_means
    )
    assert engagement.weighted == pytest.approx(expected)
    assert engagement.weighted != pytest.approx(engagement.unweighted, abs=1e-6)
    text = page_text(response)
    assert "Weighted by staff group" in text
    assert f"Staff engagement {engagement.unweighted:.1f} {engagement.weighted:.1f}" in text
    # Only the organisation's page has it.
    unit = client_for("board").get(reverse("insights:unit", args=[wave.pk, "W1"]))
    assert unit.context_data["weighted"] == [] and 'id="weighted"' not in unit.content.decode()


def test_a_staff_group_below_the_threshold_withholds_the_weighted_score(client_for, trust):
    # One doctor in every 11 ballots: 3 doctors in all, below the threshold of 5.
    groups = ("nursing_midwifery_registered",) * 10 + ("medical_dental",)
    wave = closed_wave(trust, COUNTS, threshold=K, groups=groups)
    response = organisation_page(client_for("board"), wave)
    lines = response.context_data["weighted"]
    assert lines and all(line.weighted is None for line in lines)
    assert all(line.unweighted is not None for line in lines if line.code == "engagement")
    assert "medical and dental" in lines[0].reason.lower()
    text = page_text(response)
    assert "hidden to protect a small group, and the weighted score would let" in text


@pytest.fixture
def api(client, persona_users):
    def call(persona, wave, **params):
        token = ApiToken.generate(user=persona_users[persona], name="test")[1]
        return client.get(
            f"/api/v1/insights/waves/{wave.pk}/organisation-scores",
            params,
            headers={"Authorization": f"Bearer {token}"},
        )

    return call


def cli_rows(wave) -> list[dict]:
    out = io.StringIO()
    call_command("export", "weighted", "--wave", str(wave.pk), stdout=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def page_lines(client, wave) -> dict:
    return {line.code: line for line in organisation_page(client, wave).context_data["weighted"]}


def test_page_api_and_command_line_publish_the_same_figures(client_for, api, trust):
    wave = closed_wave(trust, COUNTS, threshold=K)
    page = page_lines(client_for("board"), wave)
    body = api("board", wave).json()
    assert body["unit_code"] == "TST1-ROOT" and body["columns"] == list(weighting.COLUMNS)
    by_api = {score["measure"]: score for score in body["scores"]}
    by_cli = {row["measure"]: row for row in cli_rows(wave)}
    assert set(page) == set(by_api) == set(by_cli) and "engagement" in page
    for code, line in page.items():
        assert line.weighted is not None and line.reason is None
        assert by_api[code]["weighted"] == pytest.approx(line.weighted, abs=0.005)
        assert by_api[code]["unweighted"] == pytest.approx(line.unweighted, abs=0.005)
        assert by_api[code]["withheld_reason"] is None
        assert float(by_cli[code]["weighted"]) == by_api[code]["weighted"]
        assert float(by_cli[code]["unweighted"]) == by_api[code]["unweighted"]
        assert by_cli[code]["withheld_reason"] == ""
    csv_file = api("board", wave, format="csv")
    assert csv_file["Content-Type"].startswith("text/csv")
    assert list(csv.DictReader(io.StringIO(csv_file.content.decode()))) == cli_rows(wave)
    sources = AuditEvent.objects.filter(action="insights.weighted_export").values_list(
        "detail__source", flat=True
    )
    assert {"api", "cli"} <= set(sources)


def test_a_withheld_weighted_score_is_withheld_everywhere_with_its_reason(client_for, api, trust):
    groups = ("nursing_midwifery_registered",) * 10 + ("medical_dental",)
    wave = closed_wave(trust, COUNTS, threshold=K, groups=groups)
    page = page_lines(client_for("board"), wave)
    by_api = {score["measure"]: score for score in api("board", wave).json()["scores"]}
    by_cli = {row["measure"]: row for row in cli_rows(wave)}
    assert set(page) == set(by_api) == set(by_cli)
    for code, line in page.items():
        assert line.weighted is None and line.reason
        assert by_api[code]["weighted"] is None
        assert by_api[code]["withheld_reason"] == line.reason
        assert by_cli[code]["weighted"] == "" and by_cli[code]["withheld_reason"] == line.reason
    assert "hidden to protect a small group" in by_api["engagement"]["withheld_reason"]


@pytest.mark.parametrize("persona", ["manager", "staff"])
def test_only_those_with_the_whole_organisations_results_get_them_from_the_api(api, trust, persona):
    wave = closed_wave(trust, COUNTS, threshold=K)
    response = api(persona, wave)
    assert response.status_code == 403
    assert response.json()["detail"]
