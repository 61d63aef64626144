"""The OpenAPI schema at /api/v1/openapi.json and the docs page at /api/v1/docs."""

import re

import pytest
import schemathesis
from django.contrib.staticfiles import finders

from colead.api.api import api

EXPECTED_PATHS = {
    "/api/v1/me",
    "/api/v1/organisations",
    "/api/v1/organisations/{org_code}",
    "/api/v1/organisations/{org_code}/units",
    "/api/v1/organisations/{org_code}/units/tree",
    "/api/v1/organisations/{org_code}/units/{unit_code}",
    "/api/v1/organisations/{org_code}/units/{unit_code}/subtree",
    "/api/v1/organisations/{org_code}/people",
    "/api/v1/organisations/{org_code}/people/{employee_number}",
    "/api/v1/organisations/{org_code}/waves",
    "/api/v1/waves/{wave_id}",
    "/api/v1/waves/{wave_id}/form",
    "/api/v1/waves/{wave_id}/launch",
    "/api/v1/waves/{wave_id}/close",
    "/api/v1/waves/{wave_id}/rates",
    "/api/v1/insights/waves/{wave_id}/heatmap",
    "/api/v1/insights/waves/{wave_id}/organisation-scores",
    "/api/v1/take/form",
    "/api/v1/take/submit",
    "/api/v1/take/device/{slug}/start",
    "/api/v1/organisations/{org_code}/objectives",
    "/api/v1/organisations/{org_code}/objectives/{objective_code}",
    "/api/v1/organisations/{org_code}/objectives/{objective_code}/check-ins",
    "/api/v1/organisations/{org_code}/objectives/{objective_code}/acts",
    "/api/v1/organisations/{org_code}/direction/coverage",
    "/api/v1/organisations/{org_code}/direction/export",
    "/api/v1/organisations/{org_code}/direction/vision",
    "/api/v1/organisations/{org_code}/direction/vision/approve",
}
# Paths with more than one operation (a GET and a POST): waves; objectives (GET, POST),
# an objective (GET, PATCH) and the vision (GET, POST).
EXTRA_OPERATIONS = 4


@pytest.fixture
def schema(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_schema_is_valid_openapi(schema):
    assert schema["openapi"].startswith("3.1")
    schemathesis.openapi.from_dict(schema).validate()  # raises on an invalid document


def test_schema_lists_every_path(schema):
    assert set(schema["paths"]) == EXPECTED_PATHS
    operations = {op["operationId"] for item in schema["paths"].values() for op in item.values()}
    assert len(operations) == len(EXPECTED_PATHS) + EXTRA_OPERATIONS


def test_every_operation_is_documented(schema):
    assert schema["info"]["title"] == "colead API"
    assert "Bearer colead_" in schema["info"]["description"]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert operation["summary"], (method, path)
            assert len(operation["description"]) > 20, (method, path)
            assert operation["tags"], (method, path)
            responses = set(operation["responses"])
            assert responses & {"200", "201"}, (method, path)
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), (path, parameter["name"])
            if path == "/api/v1/take/device/{slug}/start":
                # A shared device's link is its own credential: no sign-in, no token.
                assert "security" not in operation
                assert {"404", "410", "429"} <= responses
                continue
            assert "401" in responses, (method, path)
            if path.startswith("/api/v1/take/"):
                assert operation["security"] == [{"SurveyTokenAuth": []}], path
                assert {"404", "409", "410"} <= responses, (method, path)
                continue
            assert operation["security"] == [{"TokenAuth": []}, {"BrowserSessionAuth": []}]
            if "{org_code}" in path or "{wave_id}" in path:
                assert {"403", "404"} <= responses, (method, path)


def test_security_schemes_describe_token_and_session(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["TokenAuth"]["type"] == "http"
    assert schemes["TokenAuth"]["scheme"] == "bearer"
    assert schemes["BrowserSessionAuth"]["in"] == "cookie"
    assert schemes["SurveyTokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Survey-Token",
        "description": schemes["SurveyTokenAuth"]["description"],
    }


def test_people_list_documents_its_filters_and_page_limit(schema):
    parameters = {
        p["name"]: p
        for p in schema["paths"]["/api/v1/organisations/{org_code}/people"]["get"]["parameters"]
    }
    assert set(parameters) == {
        "org_code",
        "unit",
        "staff_group",
        "band",
        "leaders_only",
        "include_leavers",
        "limit",
        "offset",
    }
    assert parameters["limit"]["schema"]["maximum"] == 500


def test_schema_needs_no_sign_in_and_matches_the_api_object(client, db):
    """The schema describes the API, not anyone's data, so scripts can fetch it first."""
    served = client.get("/api/v1/openapi.json").json()
    assert served["paths"].keys() == api.get_openapi_schema(path_prefix="/api/v1/")["paths"].keys()


def test_docs_page_is_served_from_our_own_static_files(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/v1/openapi.json" in html
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, html
    for url in urls:
        assert url.startswith("/static/ninja/"), f"{url} is not served by us"
        assert finders.find(url.removeprefix("/static/")), f"{url} is missing"
    # The scripts exist and are ours (served offline by WhiteNoise/staticfiles).
    assert "/static/ninja/swagger-ui-bundle.js" in urls
    assert "/static/ninja/swagger-ui-init.js" in urls


def test_docs_page_runs_under_the_strict_csp(client, db):
    """No inline script: Swagger UI's settings are a JSON data block that the CSP allows."""
    response = client.get("/api/v1/docs")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    html = response.content.decode()
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline_scripts == [' type="application/json" id="swagger-settings"']


def test_docs_static_files_are_served(client, db):
    response = client.get("/static/ninja/swagger-ui-init.js")
    assert response.status_code == 200
    assert b"SwaggerUIBundle" in b"".join(response.streaming_content)
