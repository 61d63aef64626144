"""/api/v1/insights/waves/{wave_id}/heatmap: the heatmap's rows as JSON, CSV or XLSX, through
disclosure control, for RESULTS_VIEW (managers for their subtree only), audited."""

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from colead.accounts.models import ApiToken
from colead.audit.models import AuditEvent
from colead.insights import exports
from colead.org.models import Unit
from tests.integration.insights_fixtures import closed_wave
from tests.integration.waves_fixtures import make_wave

pytestmark = pytest.mark.django_db

K = 5


@pytest.fixture
def api(client, persona_users):
    tokens = {}

    def call(persona, path, **params):
        user = persona_users[persona]
        if user.pk not in tokens:
            tokens[user.pk] = ApiToken.generate(user=user, name="test")[1]
        headers = {"Authorization": f"Bearer {tokens[user.pk]}"}
        return client.get(f"/api/v1{path}", params, headers=headers)

    return call


@pytest.fixture
def wave(trust):
    return closed_wave(trust, {"W1": 14, "W2": 3, "T1": 12, "SURG": 6}, threshold=K)


def path(wave):
    return f"/insights/waves/{wave.pk}/heatmap"


def test_json_rows_are_the_protected_heatmap(api, wave):
    response = api("board", path(wave), level=3)
    assert response.status_code == 200
    body = response.json()
    assert body["level"] == 3 and body["reporting_threshold"] == K
    assert body["columns"] == list(exports.COLUMNS)
    by_unit = {}
    for row in body["rows"]:
        by_unit.setdefault(row["unit_code"], []).append(row)
    assert set(by_unit) == {"W1", "W2"}
    for row in by_unit["W2"]:
        assert (
            row["suppressed"] == "primary" and row["suppressed_reason"] == "Fewer than 5 responses"
        )
        assert row["n"] is None and row["score"] is None and row["pct_positive"] is None
    assert {row["suppressed"] for row in by_unit["W1"]} == {"complementary"}
    event = AuditEvent.objects.get(action="insights.heatmap_export")
    assert event.detail["source"] == "api" and event.detail["format"] == "json"


def test_visible_rows_and_the_default_level(api, wave):
    body = api("od", path(wave)).json()
    assert body["level"] == "division"  # the kind of unit one below the organisation
    surgery = [row for row in body["rows"] if row["unit_code"] == "SURG"]
    assert len(surgery) == 12
    for row in surgery:
        assert row["suppressed"] is None and row["n"] >= K
        assert row["ci_low"] <= row["score"] <= row["ci_high"]
        assert row["comparison"] in ("better", "worse", "similar")


def test_csv_and_xlsx(api, wave):
    response = api("board", path(wave), level=2, by="staff_group", format="csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert tuple(lines[0]) == exports.COLUMNS
    assert {line["breakdown"] for line in lines} >= {"medical_dental"}
    xlsx = api("board", path(wave), level=2, format="xlsx")
    assert xlsx["Content-Type"] == exports.FORMATS["xlsx"]
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).active
    assert next(sheet.iter_rows(values_only=True)) == exports.COLUMNS
    assert AuditEvent.objects.filter(action="insights.heatmap_export").count() == 2


def test_a_manager_gets_their_subtree_only(api, wave):
    body = api("manager", path(wave)).json()
    assert body["level"] == "team"  # the kind of the manager's own unit
    assert {row["unit_code"] for row in body["rows"]} == {"W1"}
    refused = api("manager", path(wave), level=1)
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert detail[0]["loc"] == ["query", "level"]
    assert "Choose a level from 3" in detail[0]["msg"]


def test_access(api, wave, trust):
    assert api("staff", path(wave)).status_code == 403  # staff see the pages, not the API
    assert api("change", path(wave)).status_code == 403
    assert api("outsider", path(wave)).status_code == 404
    assert api("board", "/insights/waves/999999/heatmap").status_code == 404
    surgery_only = closed_wave(trust, {"T1": 12}, threshold=K, title="Surgery")
    surgery_only.target_units.set([Unit.objects.get(code="SURG")])
    assert api("manager", path(surgery_only)).status_code == 403
    assert Client().get(f"/api/v1{path(wave)}").status_code == 401


def test_bad_parameters(api, wave, trust):
    response = api("board", path(wave), level=9)
    assert response.status_code == 422
    assert (
        "There is no level 9 to show. Choose a level from 0 to 3"
        in response.json()["detail"][0]["msg"]
    )
    assert api("board", path(wave), by="sex").status_code == 422
    assert api("board", path(wave), format="pdf").status_code == 422
    open_wave = make_wave(trust, title="Open", launch=True)
    refused = api("board", path(open_wave))
    assert refused.status_code == 409
    assert "results are shown only once a wave has closed" in refused.json()["detail"]
    assert not AuditEvent.objects.filter(action="insights.heatmap_export").exists()


def test_json_csv_and_xlsx_answers_conform_to_the_schema(wave, persona_users):
    import schemathesis

    from tests.integration.test_api_schemathesis import CHECKS, TestWSGIApp

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", TestWSGIApp())
    operation = schema["/api/v1/insights/waves/{wave_id}/heatmap"]["GET"]
    token = ApiToken.generate(user=persona_users["board"])[1]
    statuses = []
    for query in (
        {"level": 2},
        {"level": 2, "by": "staff_group", "format": "csv"},
        {"level": 3, "format": "xlsx"},
        {"level": 9},
    ):
        case = operation.Case(path_parameters={"wave_id": wave.pk}, query=query)
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        case.validate_response(response, checks=CHECKS)
        statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 422]
