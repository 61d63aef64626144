"""A unit's page: /org/units/<code>/ (org:unit)."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from colead.accounts.models import RoleAssignment
from colead.org.models import Person
from tests.factories import PersonFactory, UserFactory
from tests.integration.pages_trees import build_tree


def unit_url(code):
    return reverse("org:unit", args=[code])


def test_breadcrumbs_show_the_ancestors_only(client_for):
    response = client_for("admin").get(unit_url("W1"))
    assert response.status_code == 200
    crumbs = response.context_data["breadcrumbs"]
    assert [crumb["text"] for crumb in crumbs] == [
        "Home",
        "Organisation structure",
        "Test Trust",
        "Medicine",
        "Cardiology",
    ]
    assert crumbs[-1]["href"] == unit_url("CARD")


def test_summary_names_level_site_code_and_parent(client_for):
    response = client_for("board").get(unit_url("CARD"))
    rows = {row["key"]: row for row in response.context_data["summary_rows"]}
    assert rows["Level"]["value"] == "Directorate"
    assert rows["Code"]["value"] == "CARD"
    assert rows["Site"]["value"] == "Main site"
    assert rows["Part of"]["value"] == "Medicine"
    assert rows["Part of"]["href"] == unit_url("MED")
    assert rows["Staff in post (this unit and below)"]["value"] == "8"


def test_headcount_by_staff_group_and_band_in_reference_order(client_for):
    headcount = client_for("board").get(unit_url("TST1-ROOT")).context_data["headcount"]
    assert headcount["total"] == 12
    assert [(row["name"], row["count"]) for row in headcount["by_staff_group"]] == [
        ("Additional clinical services", 4),
        ("Registered nursing and midwifery", 8),
    ]
    assert [(row["name"], row["count"]) for row in headcount["by_band"]] == [
        ("Band 3", 4),
        ("Band 5", 7),
        ("Band 7", 1),
    ]


def test_headcount_leaves_out_leavers_and_people_outside_the_subtree(client_for, trust):
    Person.objects.filter(employee_number="W2-0").update(leaving_date="2026-01-31")
    headcount = client_for("board").get(unit_url("CARD")).context_data["headcount"]
    assert headcount["total"] == 7
    assert [(row["name"], row["count"]) for row in headcount["by_band"]] == [
        ("Band 5", 6),
        ("Band 7", 1),
    ]


def test_subunits_link_with_their_subtree_headcounts(client_for):
    response = client_for("staff").get(unit_url("TST1-ROOT"))
    subunits = response.context_data["subunits"]
    assert [(row["name"], row["headcount"], row["href"]) for row in subunits] == [
        ("Medicine", 8, unit_url("MED")),
        ("Surgery", 4, unit_url("SURG")),
    ]
    assert f'<a href="{unit_url("MED")}">Medicine</a>' in response.content.decode()


def test_leaders_and_posts_of_the_unit_and_its_direct_children(client_for):
    card = client_for("admin").get(unit_url("CARD")).context_data
    assert [leader["name"] for leader in card["leaders"]] == ["Mary Manager"]
    posts = {post["title"]: post for post in card["posts"]}
    assert set(posts) == {"Clinical Director, Cardiology", "Ward Manager, Ward 1"}
    director = posts["Clinical Director, Cardiology"]
    assert director["is_vacant"] and director["is_critical"] and director["holder"] is None
    ward_manager = posts["Ward Manager, Ward 1"]
    assert ward_manager["holder"] == "Mary Manager"
    assert ward_manager["holder_href"] == reverse("org:person", args=["M1"])

    # Mary's unit (Ward 1) is a grandchild of Medicine: not listed there.
    med = client_for("admin").get(unit_url("MED")).context_data
    assert med["leaders"] == []
    assert [post["title"] for post in med["posts"]] == ["Clinical Director, Cardiology"]


def test_vacant_interim_and_critical_are_tagged_on_the_page(client_for, trust):
    from colead.org.models import LeadershipPost

    LeadershipPost.objects.filter(title="Ward Manager, Ward 1").update(is_interim=True)
    html = client_for("admin").get(unit_url("CARD")).content.decode()
    for label in ("Vacant", "Critical", "Interim"):
        assert re.search(rf'<strong class="nhsuk-tag[^"]*">\s*{label}\s*</strong>', html), label


def test_people_are_listed_only_with_person_view_on_the_unit(client_for):
    admin = client_for("admin").get(unit_url("W1"))
    assert admin.context_data["can_view_people"]
    people = admin.context_data["people"]
    assert {person["employee_number"] for person in people} == {"M1", "S1", "W1-0", "W1-1", "W1-2"}
    sam = next(person for person in people if person["employee_number"] == "S1")
    assert sam["href"] == reverse("org:person", args=["S1"])
    assert sam["band"] == "Band 5"
    assert 'href="/org/people/S1/"' in admin.content.decode()

    change = client_for("change").get(unit_url("W1"))
    assert change.status_code == 200
    assert not change.context_data["can_view_people"]
    assert "people" not in change.context_data
    html = change.content.decode()
    assert "Sam Nurse" not in html
    # Leaders are still named, but without a link to a page they cannot open.
    assert "Mary Manager" in html
    assert 'href="/org/people/M1/"' not in html


def test_manager_sees_people_of_their_own_unit_only(client_for):
    client = client_for("manager")
    assert client.get(unit_url("W1")).context_data["can_view_people"]
    w2 = client.get(unit_url("W2"))
    assert w2.status_code == 200  # the staff role gives organisation-wide ORG_VIEW
    assert not w2.context_data["can_view_people"]


def test_people_are_paged_fifty_at_a_time(client_for, trust):
    for _ in range(55):
        PersonFactory(organisation=trust["org"], primary_unit=trust["units"]["W2"])
    client = client_for("admin")
    first = client.get(unit_url("W2"))
    assert len(first.context_data["people"]) == 50
    assert first.context_data["people_page"].paginator.count == 58
    pagination = first.context_data["people_pagination"]
    assert pagination["next"]["href"] == "?page=2#people"
    second = client.get(unit_url("W2"), {"page": 2})
    assert len(second.context_data["people"]) == 8
    names = {p["employee_number"] for p in first.context_data["people"]}
    assert names.isdisjoint(p["employee_number"] for p in second.context_data["people"])
    assert client.get(unit_url("W2"), {"page": "nonsense"}).status_code == 200


def test_units_of_other_organisations_and_unknown_codes_are_not_found(client_for):
    client = client_for("admin")
    assert client.get(unit_url("OTH-ROOT")).status_code == 404
    assert client.get(unit_url("NO-SUCH")).status_code == 404
    assert client_for("outsider").get(unit_url("W1")).status_code == 404


def test_a_unit_outside_a_scoped_users_subtree_is_forbidden(trust):
    user = UserFactory(email="w1-only@test.test")
    RoleAssignment.objects.create(
        user=user, organisation=trust["org"], role="manager", unit=trust["units"]["W1"]
    )
    client = Client()
    client.force_login(user)
    w1 = client.get(unit_url("W1"))
    assert w1.status_code == 200
    # Breadcrumbs link only to units the user may open.
    assert [crumb["text"] for crumb in w1.context_data["breadcrumbs"]] == [
        "Home",
        "Organisation structure",
    ]
    assert client.get(unit_url("W2")).status_code == 403
    assert client.get(unit_url("CARD")).status_code == 403


def queries_for(client, url):
    client.get(url)  # warm: session and user
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_unit_pages_take_a_constant_number_of_queries(client_for, trust):
    client = client_for("admin")
    small_root = queries_for(client, unit_url("TST1-ROOT"))
    small_team = queries_for(client, unit_url("W1"))

    # 5 divisions x 5 teams x 10 people, under the same root.
    build_tree(trust["org"], [5, 5], 10, prefix="BIG", root=trust["units"]["TST1-ROOT"])
    big_root = queries_for(client, unit_url("TST1-ROOT"))
    big_division = queries_for(client, unit_url("TST1-ROOT.0"))
    big_team = queries_for(client, unit_url("TST1-ROOT.0.0"))

    assert big_root == small_root
    assert big_division == small_root
    assert big_team == small_team
    response = client.get(unit_url("TST1-ROOT"))
    assert response.context_data["headcount"]["total"] == 12 + 250
    assert len(response.context_data["subunits"]) == 2 + 5


@pytest.mark.slow_test
def test_a_demo_sized_root_unit_page_renders_in_constant_queries(client_for, trust):
    """About 400 units and 6,000 people (the demo trust's size): the root page's queries
    match the small trust's (its time is measured by bench/unit_page.py)."""
    client = client_for("admin")
    small_root = queries_for(client, unit_url("TST1-ROOT"))
    build_tree(trust["org"], [6, 8, 7], 17, prefix="DEMO", root=trust["units"]["TST1-ROOT"])
    assert queries_for(client, unit_url("TST1-ROOT")) == small_root
    response = client.get(unit_url("TST1-ROOT"))
    assert response.context_data["headcount"]["total"] == 12 + 6 * 8 * 7 * 17
