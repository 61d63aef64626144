"""Every API operation declares its permission and requires authentication."""

import pytest
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from ninja.errors import HttpError

from colead.accounts.roles import Permission
from colead.api.access import SIGNED_IN, requires, scope_q
from colead.api.api import api
from colead.api.auth import BrowserSessionAuth, TokenAuth, session_auth
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
    }


@pytest.mark.parametrize(
    ("path", "operation"), OPERATIONS, ids=[f"{o.methods[0]} {p}" for p, o in OPERATIONS]
)
def test_every_operation_declares_a_permission(path, operation):
    declared = getattr(operation.view_func, "required_permission", None)
    assert declared is not None, f"{path} declares no permission: decorate it with @requires"
    assert declared == SIGNED_IN or isinstance(declared, Permission)
    # An organisation's data needs a real permission, not just a signed-in caller.
    if "{org_code}" in path:
        assert isinstance(declared, Permission), path
    else:
        assert declared == SIGNED_IN, path


@pytest.mark.parametrize(
    ("path", "operation"), OPERATIONS, ids=[f"{o.methods[0]} {p}" for p, o in OPERATIONS]
)
def test_every_operation_requires_token_or_session_auth(path, operation):
    kinds = [type(callback) for callback in operation.auth_callbacks]
    assert kinds == [TokenAuth, BrowserSessionAuth], path


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


def test_session_auth_enforces_csrf_on_unsafe_methods(rf: RequestFactory, django_user_model):
    """The browser session may not be used for a POST without a CSRF token (all of today's
    operations are GETs, so this checks the auth that any future POST would get)."""
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
