"""Every API operation declares its permission and requires authentication."""

import pytest
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from ninja.errors import HttpError

from colead.accounts.roles import Permission
from colead.api.access import SIGNED_IN, SURVEY_TOKEN, requires, scope_q
from colead.api.api import api
from colead.api.auth import BrowserSessionAuth, TokenAuth, session_auth
from colead.api.surveys import SurveyTokenAuth
from colead.org.models import Unit


def api_operations():
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            for operation in path_view.operations:
                yield path, operation


OPERATIONS = list(api_operations())


def test_the_api_has_the_operations_the_issue_asks_for():
    paths = {path for path, _ in OPERATIONS}
    assert paths == {
        "/me",
        "/organisations",
        "/organisations/{org_code}",
        "/organisations/{org_code}/units",
        "/organisations/{org_code}/units/tree",
        "/organisations/{org_code}/units/{unit_code}",
        "/organisations/{org_code}/units/{unit_code}/subtree",
        "/organisations/{org_code}/people",
        "/organisations/{org_code}/people/{employee_number}",
        "/organisations/{org_code}/waves",
        "/waves/{wave_id}",
        "/waves/{wave_id}/form",
        "/waves/{wave_id}/launch",
        "/waves/{wave_id}/close",
        "/waves/{wave_id}/rates",
        "/insights/waves/{wave_id}/heatmap",
        "/insights/waves/{wave_id}/organisation-scores",
        "/take/form",
        "/take/submit",
        "/take/device/{slug}/start",
        "/organisations/{org_code}/objectives",
        "/organisations/{org_code}/objectives/{objective_code}",
        "/organisations/{org_code}/objectives/{objective_code}/check-ins",
        "/organisations/{org_code}/objectives/{objective_code}/acts",
        "/organisations/{org_code}/direction/coverage",
        "/organisations/{org_code}/direction/export",
        "/organisations/{org_code}/direction/vision",
        "/organisations/{org_code}/direction/vision/approve",
    }


@pytest.mark.parametrize(
    ("path", "operation"), OPERATIONS, ids=[f"{o.methods[0]} {p}" for p, o in OPERATIONS]
)
def test_every_operation_declares_a_permission(path, operation):
    declared = getattr(operation.view_func, "required_permission", None)
    assert declared is not None, f"{path} declares no permission: decorate it with @requires"
    assert declared in (SIGNED_IN, SURVEY_TOKEN) or isinstance(declared, Permission)
    # An organisation's data (named by its code, or by a wave of it) needs a real
    # permission, not just a signed-in caller; a respondent's operations, under /take/,
    # are the only ones judged by a survey token instead of a user.
    if "{org_code}" in path or "{wave_id}" in path:
        assert isinstance(declared, Permission), path
    elif path.startswith("/take/"):
        assert declared == SURVEY_TOKEN, path
    else:
        assert declared == SIGNED_IN, path


@pytest.mark.parametrize(
    ("path", "operation"), OPERATIONS, ids=[f"{o.methods[0]} {p}" for p, o in OPERATIONS]
)
def test_every_operation_requires_token_or_session_auth(path, operation):
    """Staff operations take an API token or the session; the respondent's take a survey
    token and never the session (so a signed-in member of staff is not linked to their
    answers), except starting on a shared device, whose link in the path is the credential."""
    kinds = [type(callback) for callback in operation.auth_callbacks]
    if path == "/take/device/{slug}/start":
        assert kinds == [], path
    elif path.startswith("/take/"):
        assert kinds == [SurveyTokenAuth], path
    else:
        assert kinds == [TokenAuth, BrowserSessionAuth], path


def test_survey_management_needs_the_permission_organisation_wide():
    declared = {
        (op.methods[0], path): (op.view_func.required_permission, op.view_func.required_org_wide)
        for path, op in OPERATIONS
    }
    for key in (
        ("POST", "/organisations/{org_code}/waves"),
        ("POST", "/waves/{wave_id}/launch"),
        ("POST", "/waves/{wave_id}/close"),
    ):
        assert declared[key] == (Permission.SURVEY_MANAGE, True), key
    for key in (
        ("GET", "/organisations/{org_code}/waves"),
        ("GET", "/waves/{wave_id}"),
        ("GET", "/waves/{wave_id}/form"),
        ("GET", "/waves/{wave_id}/rates"),
    ):
        assert declared[key] == (Permission.SURVEY_RATES_VIEW, False), key


def test_people_operations_need_person_view_and_structure_org_view():
    declared = {path: op.view_func.required_permission for path, op in OPERATIONS}
    assert declared["/organisations/{org_code}/people"] is Permission.PERSON_VIEW
    assert declared["/organisations/{org_code}/people/{employee_number}"] is (
        Permission.PERSON_VIEW
    )
    for path in (
        "/organisations/{org_code}",
        "/organisations/{org_code}/units",
        "/organisations/{org_code}/units/tree",
        "/organisations/{org_code}/units/{unit_code}/subtree",
    ):
        assert declared[path] is Permission.ORG_VIEW


def _api_url_names():
    resolver = get_resolver()
    (api_resolver,) = [
        p for p in resolver.url_patterns if isinstance(p, URLResolver) and p.namespace == "api"
    ]
    for pattern in api_resolver.url_patterns:
        assert isinstance(pattern, URLPattern)
        yield str(pattern.pattern)


def test_every_routed_api_url_is_a_declared_operation_or_the_docs():
    """No view reaches /api/v1/ except the declared operations, the schema and the docs."""
    operation_routes = {
        path.lstrip("/").replace("{", "<").replace("}", ">") for path, _ in OPERATIONS
    }
    extra = set(_api_url_names()) - operation_routes
    assert extra == {"openapi.json", "docs", ""}


def test_requires_refuses_anything_but_a_permission():
    with pytest.raises(TypeError):
        requires("org_view_typo")
    with pytest.raises(TypeError):
        requires(None)
    with pytest.raises(TypeError):
        requires("survey_tokens")


def test_a_permission_without_an_organisation_to_check_is_a_programming_error(rf):
    @requires(Permission.ORG_VIEW)
    def view(request, wave_id):
        return "reached"

    request = rf.get("/")
    request.auth = None
    with pytest.raises(TypeError):
        view(request, wave_id=1)


def test_session_auth_enforces_csrf_on_unsafe_methods(rf: RequestFactory, django_user_model):
    """The browser session may not be used for a POST without a CSRF token (the survey
    wave POSTs rely on this; tests/integration/test_api_surveys.py checks it end to end)."""
    user = django_user_model(email="someone@test.test")
    request = rf.post("/api/v1/anything", data={})
    request.user = user
    request._dont_enforce_csrf_checks = False
    assert session_auth.csrf is True
    with pytest.raises(HttpError) as refused:
        session_auth(request)
    assert refused.value.status_code == 403

    safe = rf.get("/api/v1/anything")
    safe.user = user
    assert session_auth(safe) is user


def _unit(path):
    return Unit(path=path)


def test_scope_q_keeps_only_outermost_scopes():
    card, w1, surg = _unit("/1/2/"), _unit("/1/2/3/"), _unit("/1/9/")
    q = scope_q([w1, card, surg])
    assert sorted(child[1] for child in q.children) == ["/1/2/", "/1/9/"]
    assert scope_q([None, w1]).children == []  # organisation-wide: no filter at all
    assert scope_q([]).children == [("pk__in", [])]  # nothing: matches nothing
