"""/api/v1/organisations/{code}/people: scoped, filtered, paginated and audited."""

import datetime

import pytest

from colead.accounts.models import ApiToken, RoleAssignment
from colead.audit.models import AuditEvent
from tests.factories import PersonFactory, UserFactory

PEOPLE = "/organisations/TST1/people"
W1 = {"M1", "S1", "W1-0", "W1-1", "W1-2"}
ALL = W1 | {"W2-0", "W2-1", "W2-2", "T1-0", "T1-1", "T1-2", "T1-3"}


@pytest.fixture
def api(client, persona_users):
    tokens = {}

    def get(persona, path, **params):
        user = persona_users[persona] if isinstance(persona, str) else persona
        if user.pk not in tokens:
            tokens[user.pk] = ApiToken.generate(user=user, name="test")[1]
        return client.get(
            f"/api/v1{path}",
            params,
            headers={"Authorization": f"Bearer {tokens[user.pk]}"},
            REMOTE_ADDR="10.1.2.3",
        )

    return get


def numbers(response):
    assert response.status_code == 200, response.content
    return {p["employee_number"] for p in response.json()["items"]}


@pytest.mark.parametrize("persona", ["admin", "board", "od"])
def test_whole_organisation_viewers_see_everyone(api, persona):
    response = api(persona, PEOPLE)
    assert numbers(response) == ALL
    assert response.json()["count"] == 12


def test_manager_sees_only_their_ward(api):
    response = api("manager", PEOPLE)
    assert numbers(response) == W1
    assert response.json()["count"] == 5


@pytest.mark.parametrize("persona", ["staff", "change", "safety"])
def test_callers_without_person_view_may_not_list_people(api, persona):
    response = api(persona, PEOPLE)
    assert response.status_code == 403
    assert "detail" in response.json()


def test_outsider_gets_404_for_another_organisation(api):
    assert api("outsider", PEOPLE).status_code == 404
    assert api("outsider", f"{PEOPLE}/S1").status_code == 404


def test_person_fields(api, trust):
    trust["nurse_person"].start_date = datetime.date(2020, 4, 1)
    trust["nurse_person"].save()
    response = api("manager", f"{PEOPLE}/S1")
    assert response.status_code == 200
    assert response.json() == {
        "employee_number": "S1",
        "first_name": "Sam",
        "last_name": "Nurse",
        "email": "s1@example.nhs.uk",
        "unit_code": "W1",
        "staff_group": "Registered nursing and midwifery",
        "band": "Band 5",
        "job_title": "Staff Nurse",
        "line_manager": "M1",
        "start_date": "2020-04-01",
        "leaving_date": None,
        "is_leader": False,
    }


def test_people_are_sorted_by_name_and_paginated(api):
    first = api("admin", PEOPLE, limit=5).json()
    second = api("admin", PEOPLE, limit=5, offset=5).json()
    third = api("admin", PEOPLE, limit=5, offset=10).json()
    assert (first["count"], first["limit"], first["offset"]) == (12, 5, 0)
    assert [len(page["items"]) for page in (first, second, third)] == [5, 5, 2]
    everyone = first["items"] + second["items"] + third["items"]
    assert {p["employee_number"] for p in everyone} == ALL
    keys = [(p["last_name"], p["first_name"], p["employee_number"]) for p in everyone]
    assert keys == sorted(keys)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 501}, "limit"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
        ({"limit": "lots"}, "limit"),
        ({"staff_group": "wizards"}, "staff_group"),
        ({"band": "band_99"}, "band"),
        ({"unit": "NOPE"}, "unit"),
        ({"unit": "OTH-ROOT"}, "unit"),
        ({"unit": "W1\x00"}, "unit"),
        ({"leaders_only": "perhaps"}, "leaders_only"),
    ],
)
def test_bad_filters_are_422_naming_the_field(api, params, field):
    response = api("admin", PEOPLE, **params)
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert [e["loc"] for e in errors] == [["query", field]]
    assert errors[0]["msg"]


def test_limit_500_is_allowed(api):
    assert api("admin", PEOPLE, limit=500).json()["limit"] == 500


def test_filter_by_unit_takes_its_subtree(api):
    assert numbers(api("admin", PEOPLE, unit="CARD")) == W1 | {"W2-0", "W2-1", "W2-2"}
    assert numbers(api("admin", PEOPLE, unit="T1")) == {"T1-0", "T1-1", "T1-2", "T1-3"}


def test_manager_filtering_on_a_unit_outside_their_scope_is_forbidden(api):
    assert numbers(api("manager", PEOPLE, unit="W1")) == W1
    assert api("manager", PEOPLE, unit="W2").status_code == 403
    assert api("manager", PEOPLE, unit="CARD").status_code == 403


@pytest.mark.parametrize(
    "staff_group",
    [
        "additional_clinical_services",
        "additional clinical services",
        "ADDITIONAL CLINICAL SERVICES",
    ],
)
def test_filter_by_staff_group_code_or_name(api, staff_group):
    response = api("admin", PEOPLE, staff_group=staff_group)
    assert numbers(response) == {"T1-0", "T1-1", "T1-2", "T1-3"}
    assert {p["staff_group"] for p in response.json()["items"]} == {"Additional clinical services"}


@pytest.mark.parametrize("band", ["band_7", "7", "Band 7"])
def test_filter_by_band_code_name_or_number(api, band):
    assert numbers(api("admin", PEOPLE, band=band)) == {"M1"}


def test_leaders_only(api):
    assert numbers(api("admin", PEOPLE, leaders_only=True)) == {"M1"}
    assert numbers(api("admin", PEOPLE, leaders_only="false")) == ALL


def test_leavers_only_on_request(api, trust):
    PersonFactory(
        organisation=trust["org"],
        primary_unit=trust["units"]["W1"],
        employee_number="GONE",
        leaving_date=datetime.date(2024, 3, 31),
    )
    assert "GONE" not in numbers(api("manager", PEOPLE))
    with_leavers = api("manager", PEOPLE, include_leavers=True)
    assert numbers(with_leavers) == W1 | {"GONE"}
    gone = next(p for p in with_leavers.json()["items"] if p["employee_number"] == "GONE")
    assert gone["leaving_date"] == "2024-03-31"


def test_people_of_another_organisation_never_appear(api, trust):
    PersonFactory(organisation=trust["other"], primary_unit=trust["units"]["OTH-ROOT"])
    assert numbers(api("admin", PEOPLE, limit=500)) == ALL


def test_person_detail_scoping(api):
    assert api("manager", f"{PEOPLE}/W1-0").status_code == 200
    assert api("manager", f"{PEOPLE}/W2-0").status_code == 403  # known, not theirs
    assert api("manager", f"{PEOPLE}/NOPE").status_code == 404
    assert api("manager", f"{PEOPLE}/X1").status_code == 404  # OTH1's person
    assert api("board", f"{PEOPLE}/T1-3").status_code == 200


def test_staff_can_see_their_own_record_only(api):
    own = api("staff", f"{PEOPLE}/S1")
    assert own.status_code == 200
    assert own.json()["first_name"] == "Sam"
    assert api("staff", f"{PEOPLE}/W1-0").status_code == 403
    assert api("staff", f"{PEOPLE}/M1").status_code == 403


def test_own_record_in_another_organisation_does_not_open_this_one(api, trust):
    """A link to a person in one organisation gives nothing in another."""
    user = UserFactory(email="linked@test.test")
    RoleAssignment.objects.create(
        user=user, organisation=trust["other"], role="staff", person=trust["nurse_person"]
    )
    assert api(user, f"{PEOPLE}/S1").status_code == 404


def test_listing_people_is_audited_with_actor_ip_and_filters(api, persona_users):
    api("manager", PEOPLE, band="band_7", limit=10)
    event = AuditEvent.objects.get(action="people.list")
    assert event.actor == persona_users["manager"]
    assert event.organisation.code == "TST1"
    assert event.ip_address == "10.1.2.3"
    assert event.detail["filters"] == {"band": "band_7"}
    assert event.detail["returned"] == ["M1"]
    assert event.detail["count"] == 1
    assert event.detail["via"].startswith("token:")
    assert event.detail["source"] == "api"


def test_viewing_a_person_is_audited(api, persona_users, trust):
    api("staff", f"{PEOPLE}/S1")
    event = AuditEvent.objects.get(action="person.view")
    assert event.actor == persona_users["staff"]
    assert event.object_id == str(trust["nurse_person"].pk)
    assert event.ip_address == "10.1.2.3"
    assert event.detail["own_record"] is True


def test_refused_reads_are_not_recorded_as_reads(api):
    api("staff", PEOPLE)
    api("staff", f"{PEOPLE}/W2-0")
    api("outsider", PEOPLE)
    # Refusals are audited as refusals (the outsider's is a 404: no organisation of theirs),
    # never as reads of people.
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert "api.refused" in actions
    assert not actions & {"people.list", "person.view"}


def test_a_refused_read_is_audited(api, persona_users):
    """Probing for a record one may not see leaves a trace naming who and what."""
    before = AuditEvent.objects.filter(action="api.refused").count()
    assert api("manager", f"{PEOPLE}/W2-0").status_code == 403
    assert api("manager", PEOPLE, unit="W2").status_code == 403
    refused = AuditEvent.objects.filter(action="api.refused").order_by("pk")
    assert refused.count() == before + 2
    event = refused.last()
    assert event.actor == persona_users["manager"]
    assert event.organisation.code == "TST1"
    assert f"GET /api/v1{PEOPLE}" in refused[before].object_repr
    # A permitted read is not a refusal.
    assert api("manager", f"{PEOPLE}/W1-0").status_code == 200
    assert AuditEvent.objects.filter(action="api.refused").count() == before + 2
