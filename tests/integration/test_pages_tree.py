"""The organisation structure browser: /org/ (org:tree)."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from colead.accounts.models import RoleAssignment
from colead.org.models import Person
from tests.factories import UnitFactory, UserFactory
from tests.integration.pages_trees import build_tree


def flatten(nodes):
    for node in nodes:
        yield node
        yield from flatten(node.children)


def by_code(response):
    return {node.code: node for node in flatten(response.context_data["roots"])}


def test_admin_sees_the_whole_tree_with_rolled_up_headcounts(client_for):
    response = client_for("admin").get(reverse("org:tree"))
    assert response.status_code == 200
    [root] = response.context_data["roots"]
    assert root.code == "TST1-ROOT"
    assert [child.code for child in root.children] == ["MED", "SURG"]
    headcounts = {code: node.headcount for code, node in by_code(response).items()}
    assert headcounts == {
        "TST1-ROOT": 12,
        "MED": 8,
        "CARD": 8,
        "W1": 5,
        "W2": 3,
        "SURG": 4,
        "T1": 4,
    }
    assert "OTH-ROOT" not in by_code(response)
    assert "Other Trust" not in response.content.decode()


def test_leavers_are_not_counted(client_for, trust):
    Person.objects.filter(employee_number="W1-0").update(leaving_date=datetime.date(2026, 1, 31))
    nodes = by_code(client_for("board").get(reverse("org:tree")))
    assert nodes["W1"].headcount == 4
    assert nodes["TST1-ROOT"].headcount == 11


def test_root_and_divisions_start_expanded_and_deeper_levels_collapsed(client_for):
    response = client_for("staff").get(reverse("org:tree"))
    nodes = by_code(response)
    assert nodes["TST1-ROOT"].open and nodes["MED"].open and nodes["SURG"].open
    assert not nodes["CARD"].open
    html = response.content.decode()
    # Root, Medicine and Surgery have open <details>; Cardiology's is closed.
    assert html.count("<details") == 4
    assert html.count(" open>") == 3
    for code in nodes:
        assert f'href="/org/units/{code}/"' in html


def test_a_user_scoped_to_a_unit_sees_only_that_subtree(trust):
    from django.test import Client

    user = UserFactory(email="card-manager@test.test")
    RoleAssignment.objects.create(
        user=user, organisation=trust["org"], role="manager", unit=trust["units"]["CARD"]
    )
    client = Client()
    client.force_login(user)
    response = client.get(reverse("org:tree"))
    assert response.status_code == 200
    [root] = response.context_data["roots"]
    assert root.code == "CARD" and root.open
    assert set(by_code(response)) == {"CARD", "W1", "W2"}
    assert root.headcount == 8
    assert "Surgery" not in response.content.decode()

    found = client.get(reverse("org:tree"), {"q": "surg"})
    assert found.context_data["matches"] == []
    assert found.context_data["match_count"] == 0


def test_search_finds_units_by_name_or_code_with_their_trail(client_for):
    client = client_for("change")
    response = client.get(reverse("org:tree"), {"q": "ward"})
    matches = response.context_data["matches"]
    assert [node.code for node in matches] == ["W1", "W2"]
    assert matches[0].trail == ["Test Trust", "Medicine", "Cardiology"]
    html = response.content.decode()
    assert "2 units matching “ward”" in html
    assert "Test Trust › Medicine › Cardiology" in html

    code_only = client.get(reverse("org:tree"), {"q": "w2"})
    assert [node.code for node in code_only.context_data["matches"]] == ["W2"]

    nothing = client.get(reverse("org:tree"), {"q": "oncology"})
    assert nothing.context_data["matches"] == []
    assert "No unit’s name or code contains “oncology”" in nothing.content.decode()


def test_unit_names_are_escaped(client_for, trust):
    UnitFactory(
        organisation=trust["org"],
        parent=trust["units"]["SURG"],
        code="XSS",
        name="<script>alert(1)</script>",
    )
    html = client_for("admin").get(reverse("org:tree")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_tree_takes_the_same_number_of_queries_for_a_bigger_trust(client_for, trust):
    client = client_for("admin")
    client.get(reverse("org:tree"))  # warm: session and user
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("org:tree"))
    build_tree(trust["org"], [5, 5], 10, prefix="BIG", root=trust["units"]["TST1-ROOT"])
    with CaptureQueriesContext(connection) as big:
        response = client.get(reverse("org:tree"))
    assert response.context_data["unit_count"] == 7 + 5 + 25
    assert len(big.captured_queries) == len(small.captured_queries)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("org:tree"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
