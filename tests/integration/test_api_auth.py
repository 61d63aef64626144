"""Who may call the API: bearer tokens for scripts, the session for the browser."""

import datetime

import pytest
from django.utils import timezone

from colead.accounts.models import ApiToken

ENDPOINTS = [
    "/api/v1/me",
    "/api/v1/organisations",
    "/api/v1/organisations/TST1",
    "/api/v1/organisations/TST1/units",
    "/api/v1/organisations/TST1/units/tree",
    "/api/v1/organisations/TST1/units/W1",
    "/api/v1/organisations/TST1/units/W1/subtree",
    "/api/v1/organisations/TST1/people",
    "/api/v1/organisations/TST1/people/S1",
    "/api/v1/organisations/TST1/objectives",
    "/api/v1/organisations/TST1/direction/coverage",
    "/api/v1/organisations/TST1/direction/vision",
]


def bearer(raw):
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.parametrize("path", ENDPOINTS)
def test_unauthenticated_is_401_json(client, trust, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Unauthorized"}


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_token_opens_every_endpoint(client, persona_users, path):
    _, raw = ApiToken.generate(user=persona_users["admin"])
    assert client.get(path, headers=bearer(raw)).status_code == 200


def test_token_identifies_its_user(client, persona_users):
    _, raw = ApiToken.generate(user=persona_users["od"])
    assert client.get("/api/v1/me", headers=bearer(raw)).json()["email"] == "od@test.test"


def test_scheme_is_case_insensitive(client, persona_users):
    _, raw = ApiToken.generate(user=persona_users["od"])
    response = client.get("/api/v1/me", headers={"Authorization": f"bearer {raw}"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "header",
    ["Bearer colead_not-a-real-token", "Bearer not-even-ours", "Bearer ", "Token abc"],
)
def test_bad_tokens_are_401(client, trust, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401


def test_revoked_token_is_401(client, persona_users):
    token, raw = ApiToken.generate(user=persona_users["admin"])
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    token.revoked_at = timezone.now()
    token.save()
    response = client.get("/api/v1/organisations/TST1/people", headers=bearer(raw))
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_token_of_a_deactivated_user_is_401(client, persona_users):
    user = persona_users["admin"]
    _, raw = ApiToken.generate(user=user)
    user.is_active = False
    user.save()
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_a_bad_token_does_not_fall_back_to_the_session(client_for):
    """A script with a revoked token fails loudly even from a signed-in browser."""
    client = client_for("admin")
    assert client.get("/api/v1/me").status_code == 200
    response = client.get("/api/v1/me", headers=bearer("colead_revoked-or-wrong"))
    assert response.status_code == 401


def test_token_wins_over_the_session(client_for, persona_users):
    client = client_for("admin")
    _, raw = ApiToken.generate(user=persona_users["staff"])
    assert client.get("/api/v1/me", headers=bearer(raw)).json()["email"] == "staff@test.test"


def test_session_auth_works_for_the_browser(client_for):
    client = client_for("manager")
    response = client.get("/api/v1/organisations/TST1/people")
    assert response.status_code == 200
    assert response.json()["count"] == 5
    assert client.get("/api/v1/me").json()["email"] == "manager@test.test"


def test_session_of_a_deactivated_user_is_401(client_for, persona_users):
    client = client_for("board")
    user = persona_users["board"]
    user.is_active = False
    user.save()
    assert client.get("/api/v1/me").status_code == 401


def test_last_used_at_is_written_at_most_once_a_minute(client, persona_users, monkeypatch):
    token, raw = ApiToken.generate(user=persona_users["admin"])
    assert token.last_used_at is None
    start = timezone.now()
    clock = {"now": start}
    monkeypatch.setattr("colead.api.auth.timezone.now", lambda: clock["now"])

    client.get("/api/v1/me", headers=bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == start

    clock["now"] = start + datetime.timedelta(seconds=59)
    client.get("/api/v1/me", headers=bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == start  # not rewritten within the minute

    clock["now"] = start + datetime.timedelta(seconds=61)
    client.get("/api/v1/me", headers=bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == start + datetime.timedelta(seconds=61)


def test_unsafe_methods_are_not_allowed(client, persona_users):
    _, raw = ApiToken.generate(user=persona_users["admin"])
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)("/api/v1/organisations/TST1/people", headers=bearer(raw))
        assert response.status_code == 405, method


def test_api_responses_carry_the_security_headers(client, persona_users):
    _, raw = ApiToken.generate(user=persona_users["admin"])
    response = client.get("/api/v1/me", headers=bearer(raw))
    assert "script-src 'self' 'nonce-" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_an_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "/api/v1/docs" in response.json()["detail"]
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
