"""/api/v1/me, /api/v1/organisations and /api/v1/organisations/{code}."""

import pytest

from colead.accounts.models import ApiToken, RoleAssignment
from tests.factories import UserFactory


@pytest.fixture
def api(client, persona_users):
    """api("manager", "/me") -> the response to a GET with that persona's API token."""
    tokens = {}

    def get(persona, path, **params):
        user = persona_users[persona] if isinstance(persona, str) else persona
        if user.pk not in tokens:
            tokens[user.pk] = ApiToken.generate(user=user, name="test")[1]
        return client.get(
            f"/api/v1{path}", params, headers={"Authorization": f"Bearer {tokens[user.pk]}"}
        )

    return get


def test_me_describes_the_caller_and_their_roles(api):
    response = api("manager", "/me")
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "manager@test.test"
    assert body["full_name"] == "Manager Persona"
    (org,) = body["organisations"]
    assert org["code"] == "TST1"
    assert org["employee_number"] == "M1"
    assert sorted((r["role"], r["unit_code"]) for r in org["roles"]) == [
        ("manager", "W1"),
        ("staff", None),
    ]
    assert {r["name"] for r in org["roles"]} == {"Manager", "Staff"}


def test_me_for_a_user_with_no_roles_lists_no_organisations(api):
    loner = UserFactory(email="loner@test.test")
    response = api(loner, "/me")
    assert response.status_code == 200
    assert response.json()["organisations"] == []


def test_organisations_lists_only_where_the_caller_has_a_role(api, persona_users, trust):
    assert [o["code"] for o in api("admin", "/organisations").json()] == ["TST1"]
    assert [o["code"] for o in api("outsider", "/organisations").json()] == ["OTH1"]

    RoleAssignment.objects.create(
        user=persona_users["board"], organisation=trust["other"], role="staff"
    )
    listed = api("board", "/organisations").json()
    assert [(o["code"], o["sector"]) for o in listed] == [
        ("OTH1", "community"),
        ("TST1", "acute"),
    ]
    assert [r["role"] for r in listed[0]["roles"]] == ["staff"]
    assert [r["role"] for r in listed[1]["roles"]] == ["board"]


def test_organisation_detail_with_summary_for_whole_org_viewers(api):
    response = api("board", "/organisations/TST1")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "TST1"
    assert body["name"] == "Test Trust"
    assert body["sector_name"] == "Acute"
    assert [r["role"] for r in body["roles"]] == ["board"]
    summary = body["summary"]
    assert summary["people_total"] == 12
    assert summary["units_total"] == 7
    assert summary["units_by_level"]["team"] == 3
    assert summary["people_by_band"]["Band 3"] == 4
    assert summary["leaders"] == 1
    assert summary["leadership_posts"] == {"filled": 1, "vacant": 1, "critical_vacant": 1}


def test_leadership_post_counts_need_leadership_post_view(api):
    body = api("change", "/organisations/TST1").json()
    assert body["summary"]["people_total"] == 12
    assert body["summary"]["leadership_posts"] is None


def test_no_summary_for_a_caller_who_sees_only_part_of_the_structure(api, trust):
    scoped = UserFactory(email="scoped@test.test")
    RoleAssignment.objects.create(
        user=scoped, organisation=trust["org"], role="manager", unit=trust["units"]["W2"]
    )
    response = api(scoped, "/organisations/TST1")
    assert response.status_code == 200
    assert response.json()["summary"] is None


@pytest.mark.parametrize("code", ["TST1", "NOPE1", "tst1", "TST1%00", "X" * 200])
def test_organisations_outside_the_callers_roles_are_not_found(api, code):
    """An existing organisation where the caller has no role looks exactly like a missing
    one: same status, same body."""
    response = api("outsider", f"/organisations/{code}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_other_organisation_is_not_found_on_every_org_path(api):
    for path in (
        "",
        "/units",
        "/units/tree",
        "/units/OTH-ROOT",
        "/units/OTH-ROOT/subtree",
        "/people",
        "/people/X1",
    ):
        assert api("admin", f"/organisations/OTH1{path}").status_code == 404, path
        assert api("outsider", f"/organisations/OTH1{path}").status_code == 200, path


def test_a_role_without_org_view_is_forbidden(api, trust, monkeypatch):
    """Every role grants ORG_VIEW today; a role without it must still be refused (403)."""
    from colead.accounts import roles

    monkeypatch.setitem(
        roles.ROLE_PERMISSIONS, roles.Role.SAFETY_REVIEWER, frozenset({roles.Permission.AUDIT_VIEW})
    )
    response = api("safety", "/organisations/TST1")
    assert response.status_code == 403
    assert api("safety", "/organisations/TST1/units").status_code == 403
    # Still their organisation: it is listed, with their role.
    assert [o["code"] for o in api("safety", "/organisations").json()] == ["TST1"]
