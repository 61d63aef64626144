"""/api/v1/organisations/{code}/units: flat list, tree, one unit and its subtree."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from colead.accounts.models import ApiToken, RoleAssignment
from tests.factories import PersonFactory, UnitFactory, UserFactory


@pytest.fixture
def api(client, persona_users):
    tokens = {}

    def get(persona, path, **params):
        user = persona_users[persona] if isinstance(persona, str) else persona
        if user.pk not in tokens:
            tokens[user.pk] = ApiToken.generate(user=user, name="test")[1]
        return client.get(
            f"/api/v1{path}", params, headers={"Authorization": f"Bearer {tokens[user.pk]}"}
        )

    return get


@pytest.fixture
def w2_manager(trust):
    """A manager whose only role is over Ward 2 (no organisation-wide staff role)."""
    user = UserFactory(email="w2-manager@test.test")
    RoleAssignment.objects.create(
        user=user, organisation=trust["org"], role="manager", unit=trust["units"]["W2"]
    )
    return user


def test_flat_list_for_the_whole_organisation(api):
    response = api("board", "/organisations/TST1/units")
    assert response.status_code == 200
    rows = response.json()
    assert [r["code"] for r in rows] == ["TST1-ROOT", "MED", "CARD", "W1", "W2", "SURG", "T1"]
    by_code = {r["code"]: r for r in rows}
    assert by_code["TST1-ROOT"]["parent_code"] is None
    assert by_code["W1"] == {
        "code": "W1",
        "name": "Ward 1",
        "level": "team",
        "site": "Main site",
        "parent_code": "CARD",
        "depth": 3,
        "is_active": True,
        "headcount": 5,
        "headcount_direct": 5,
    }
    assert by_code["CARD"]["headcount"] == 8
    assert by_code["CARD"]["headcount_direct"] == 0
    assert by_code["TST1-ROOT"]["headcount"] == 12


def test_headcounts_leave_out_leavers(api, trust):
    import datetime

    PersonFactory(
        organisation=trust["org"],
        primary_unit=trust["units"]["W2"],
        leaving_date=datetime.date(2024, 1, 31),
    )
    by_code = {r["code"]: r for r in api("board", "/organisations/TST1/units").json()}
    assert by_code["W2"]["headcount"] == 3


def test_level_filter(api):
    rows = api("board", "/organisations/TST1/units", level="team").json()
    assert [r["code"] for r in rows] == ["W1", "W2", "T1"]
    assert {
        r["level"] for r in api("board", "/organisations/TST1/units", level="division").json()
    } == {"division"}


def test_unknown_level_is_422_naming_the_field(api):
    response = api("board", "/organisations/TST1/units", level="ward")
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["query", "level"]


def test_scoped_caller_sees_only_their_subtree(api, w2_manager):
    rows = api(w2_manager, "/organisations/TST1/units").json()
    assert [r["code"] for r in rows] == ["W2"]
    # The top of what they may see has no parent, so CARD is not revealed.
    assert rows[0]["parent_code"] is None
    assert rows[0]["headcount"] == 3


def test_tree_is_nested_for_the_whole_organisation(api):
    response = api("admin", "/organisations/TST1/units/tree")
    assert response.status_code == 200
    (root,) = response.json()
    assert root["code"] == "TST1-ROOT"
    assert root["headcount"] == 12

    def shape(node):
        return {node["code"]: [shape(child) for child in node["children"]]}

    assert shape(root) == {
        "TST1-ROOT": [
            {"MED": [{"CARD": [{"W1": []}, {"W2": []}]}]},
            {"SURG": [{"T1": []}]},
        ]
    }


def test_tree_of_a_caller_with_two_separate_subtrees_has_two_roots(api, w2_manager, trust):
    RoleAssignment.objects.create(
        user=w2_manager, organisation=trust["org"], role="manager", unit=trust["units"]["SURG"]
    )
    roots = api(w2_manager, "/organisations/TST1/units/tree").json()
    assert [(r["code"], [c["code"] for c in r["children"]]) for r in roots] == [
        ("W2", []),
        ("SURG", ["T1"]),
    ]
    assert [r["headcount"] for r in roots] == [3, 4]


def _grow(trust, divisions, teams_per_division):
    org, root = trust["org"], trust["units"]["TST1-ROOT"]
    for d in range(divisions):
        division = UnitFactory(organisation=org, parent=root, level="division", code=f"D{d}")
        for t in range(teams_per_division):
            team = UnitFactory(organisation=org, parent=division, code=f"D{d}-T{t}")
            PersonFactory(organisation=org, primary_unit=team)


def test_tree_takes_the_same_number_of_queries_however_big(api, trust, persona_users):
    api("admin", "/organisations/TST1/units/tree")  # warm up: token, caches

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = api("admin", "/organisations/TST1/units/tree")
        assert response.status_code == 200
        return len(queries), response.json()

    small, small_tree = count_queries()
    _grow(trust, divisions=6, teams_per_division=8)
    big, big_tree = count_queries()
    assert small == big
    assert len(big_tree[0]["children"]) == 2 + 6
    assert big_tree[0]["headcount"] == 12 + 6 * 8


def test_flat_list_takes_the_same_number_of_queries_however_big(api, trust):
    api("admin", "/organisations/TST1/units")
    with CaptureQueriesContext(connection) as before:
        api("admin", "/organisations/TST1/units")
    _grow(trust, divisions=4, teams_per_division=5)
    with CaptureQueriesContext(connection) as after:
        rows = api("admin", "/organisations/TST1/units").json()
    assert len(rows) == 7 + 4 + 20
    assert len(before) == len(after)


def test_unit_detail(api):
    response = api("staff", "/organisations/TST1/units/CARD")
    assert response.status_code == 200
    assert response.json() == {
        "code": "CARD",
        "name": "Cardiology",
        "level": "directorate",
        "site": "Main site",
        "parent_code": "MED",
        "depth": 2,
        "is_active": True,
        "headcount": 8,
        "headcount_direct": 0,
    }


def test_subtree_is_flat_with_headcounts(api):
    response = api("board", "/organisations/TST1/units/MED/subtree")
    assert response.status_code == 200
    rows = response.json()
    assert [(r["code"], r["parent_code"], r["headcount"]) for r in rows] == [
        ("MED", "TST1-ROOT", 8),
        ("CARD", "MED", 8),
        ("W1", "CARD", 5),
        ("W2", "CARD", 3),
    ]


def test_scoped_caller_on_units_inside_and_outside_their_scope(api, w2_manager):
    inside = api(w2_manager, "/organisations/TST1/units/W2")
    assert inside.status_code == 200
    assert inside.json()["parent_code"] is None  # CARD is outside what they may see
    assert api(w2_manager, "/organisations/TST1/units/W2/subtree").status_code == 200
    # Known units of their organisation outside their scope: forbidden, not hidden.
    for path in ("/units/W1", "/units/CARD", "/units/CARD/subtree", "/units/TST1-ROOT"):
        assert api(w2_manager, f"/organisations/TST1{path}").status_code == 403, path


@pytest.mark.parametrize("code", ["NOPE", "OTH-ROOT", "w1", "W1%00", "x" * 41])
def test_unknown_or_other_organisations_units_are_not_found(api, code):
    assert api("admin", f"/organisations/TST1/units/{code}").status_code == 404
    assert api("admin", f"/organisations/TST1/units/{code}/subtree").status_code == 404


def test_unit_codes_are_matched_within_the_organisation(api, trust):
    """Another organisation's unit with the same code as ours is never mixed in."""
    UnitFactory(organisation=trust["other"], code="W1", parent=trust["units"]["OTH-ROOT"])
    body = api("admin", "/organisations/TST1/units/W1").json()
    assert body["parent_code"] == "CARD"
    assert api("outsider", "/organisations/OTH1/units/W1").json()["parent_code"] == "OTH-ROOT"
