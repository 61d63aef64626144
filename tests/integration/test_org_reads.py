"""The page and the API read the organisation through the same functions (org.queries):
the same audit of a person read, the same not-found for a forged code, the same refusal."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from colead.accounts.models import ApiToken, RoleAssignment
from colead.audit.models import AuditEvent
from colead.core.actor import Actor
from colead.lib.errors import NotFound, Refused
from colead.org import queries
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/organisations/TST1"


@pytest.fixture
def api(client, persona_users):
    def get(user, path):
        user = persona_users[user] if isinstance(user, str) else user
        token = ApiToken.generate(user=user, name="test")[1]
        return client.get(f"{API}{path}", headers={"Authorization": f"Bearer {token}"})

    return get


def test_a_person_read_by_the_page_and_by_the_api_is_audited_once_each_alike(
    api, client_for, trust, persona_users
):
    nurse = trust["nurse_person"]
    assert client_for("board").get(reverse("org:person", args=["S1"])).status_code == 200
    assert api("board", "/people/S1").status_code == 200
    events = AuditEvent.objects.filter(object_id=str(nurse.pk), object_type="org.person")
    assert sorted(events.values_list("action", "detail__source")) == [
        ("person.view", "api"),
        ("person.view", "web"),
    ]
    assert {event.actor for event in events} == {persona_users["board"]}


@pytest.mark.parametrize(
    "code",
    [
        "NOPE",  # no such unit
        "OTH-ROOT",  # another organisation's unit
        "W1\x00",  # a code no database could hold
        "W" * 41,  # longer than any unit code
    ],
)
def test_a_forged_unit_code_is_not_found_alike_in_the_page_and_the_api(api, client_for, code):
    page = client_for("admin").get(f"/org/units/{quote(code)}/")
    answer = api("admin", f"/units/{quote(code)}")
    assert (page.status_code, answer.status_code) == (404, 404)
    assert answer.json() == {"detail": f"No unit {code!r} in TST1."}


def test_a_unit_outside_the_actors_roles_is_refused_alike(api, client, trust):
    ward_manager = UserFactory(email="w1-only@test.test")
    RoleAssignment.objects.create(
        user=ward_manager, organisation=trust["org"], role="manager", unit=trust["units"]["W1"]
    )
    client.force_login(ward_manager)
    assert client.get(reverse("org:unit", args=["W1"])).status_code == 200
    assert client.get(reverse("org:unit", args=["SURG"])).status_code == 403
    assert api(ward_manager, "/units/SURG").status_code == 403


def test_the_system_sees_everything_and_an_anonymous_actor_nothing(trust):
    org = trust["org"]
    listing = queries.units(Actor.system("cli"), org)
    assert {unit.code for unit in listing.units} >= {"TST1-ROOT", "W1", "W2", "T1"}
    assert "OTH-ROOT" not in {unit.code for unit in listing.units}
    with pytest.raises(Refused):
        queries.units(Actor(), org)
    with pytest.raises(NotFound):
        queries.unit(Actor.system("cli"), org, "OTH-ROOT")


def test_the_home_page_summary_is_for_those_who_see_everyone(trust, persona_users):
    org = trust["org"]
    board = queries.home(Actor.of_user(persona_users["board"], source="web"), org)
    assert board.sees_whole_org and board.managed_units == []
    assert (
        board.summary["people_total"] == queries.summary(Actor.system("cli"), org)["people_total"]
    )
    manager = queries.home(Actor.of_user(persona_users["manager"], source="web"), org)
    assert not manager.sees_whole_org and manager.summary is None
    assert [unit.code for unit in manager.managed_units] == ["W1"]
    assert manager.own_person == trust["manager_person"]


def test_the_organisation_summary_hides_post_counts_without_posts_organisation_wide(
    trust, persona_users
):
    org = trust["org"]
    assert queries.summary(Actor.system("cli"), org)["leadership_posts"] is not None
    staff = queries.summary(Actor.of_user(persona_users["staff"], source="api"), org)
    assert staff["people_total"] == 12 and staff["leadership_posts"] is None
    ward_manager = UserFactory(email="w1-only@test.test")
    RoleAssignment.objects.create(
        user=ward_manager, organisation=org, role="manager", unit=trust["units"]["W1"]
    )
    assert queries.summary(Actor.of_user(ward_manager, source="api"), org) is None


def test_the_people_on_a_unit_page_are_audited_as_the_apis_listing_is(api, client_for):
    page = client_for("manager").get(reverse("org:unit", args=["W1"]))
    assert page.status_code == 200 and page.context_data["people"]
    assert api("manager", "/people?unit=W1").status_code == 200
    events = AuditEvent.objects.filter(action="people.list").order_by("pk")
    assert [(event.detail["source"], event.detail["count"]) for event in events] == [
        ("web", len(page.context_data["people"])),
        ("api", len(page.context_data["people"])),
    ]
    shown = [row["employee_number"] for row in page.context_data["people"]]
    assert events[0].detail["returned"] == shown and events[0].detail["page"] == 1


def test_a_unit_page_without_its_people_audits_no_read_of_people(client, trust):
    change_team_member = UserFactory(email="change@test.test")
    RoleAssignment.objects.create(
        user=change_team_member, organisation=trust["org"], role="change_team"
    )
    client.force_login(change_team_member)
    page = client.get(reverse("org:unit", args=["W1"]))
    assert page.status_code == 200 and not page.context_data["can_view_people"]
    assert not AuditEvent.objects.filter(action="people.list").exists()
