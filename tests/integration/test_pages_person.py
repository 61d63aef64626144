"""A person's page: /org/people/<employee_number>/ (org:person)."""

import datetime

import pytest
from django.urls import reverse

from colead.audit.models import AuditEvent
from colead.org.models import (
    ImportRun,
    PersonChange,
    ProtectedCharacteristics,
    TeamMembership,
)


def person_url(employee_number):
    return reverse("org:person", args=[employee_number])


@pytest.fixture
def sam_protected(trust):
    return ProtectedCharacteristics.objects.create(
        person=trust["nurse_person"],
        ethnicity="Any other Asian background",
        sex="Female",
        disability="No",
        age_band="30-39",
    )


def events(action, person=None):
    qs = AuditEvent.objects.filter(action=action)
    if person is not None:
        qs = qs.filter(object_type="org.person", object_id=str(person.pk))
    return list(qs)


def test_work_details_with_a_link_to_the_line_manager(client_for, trust):
    response = client_for("board").get(person_url("S1"))
    assert response.status_code == 200
    rows = {row["key"]: row for row in response.context_data["summary_rows"]}
    assert rows["Employee number"]["value"] == "S1"
    assert rows["Primary unit"]["value"] == "Ward 1"
    assert rows["Primary unit"]["href"] == reverse("org:unit", args=["W1"])
    assert rows["Staff group"]["value"] == "Registered nursing and midwifery"
    assert rows["Band"]["value"] == "Band 5"
    assert rows["Line manager"]["value"] == "Mary Manager"
    assert rows["Line manager"]["href"] == person_url("M1")
    assert rows["Status"]["value"] == "In post"
    assert [crumb["text"] for crumb in response.context_data["breadcrumbs"]] == [
        "Home",
        "Organisation structure",
        "Ward 1",
    ]


def test_reports_memberships_and_posts(client_for, trust):
    TeamMembership.objects.create(person=trust["manager_person"], unit=trust["units"]["W2"])
    context = client_for("od").get(person_url("M1")).context_data
    assert {report["name"] for report in context["reports"]} >= {"Sam Nurse"}
    assert len(context["reports"]) == 4
    assert [m["code"] for m in context["memberships"]] == ["W2"]
    assert [post["title"] for post in context["posts"]] == ["Ward Manager, Ward 1"]


def test_reports_who_have_left_are_not_listed(client_for, trust):
    trust["nurse_person"].leaving_date = datetime.date(2026, 2, 28)
    trust["nurse_person"].save()
    reports = client_for("od").get(person_url("M1")).context_data["reports"]
    assert "Sam Nurse" not in {report["name"] for report in reports}
    assert len(reports) == 3


def test_a_leaver_is_shown_as_having_left(client_for, trust):
    trust["nurse_person"].leaving_date = datetime.date(2026, 2, 28)
    trust["nurse_person"].save()
    response = client_for("admin").get(person_url("S1"))
    rows = {row["key"]: row["value"] for row in response.context_data["summary_rows"]}
    assert rows["Status"] == "Left on 28 February 2026"
    assert "Sam Nurse left on 28 February 2026." in response.content.decode()


def test_history_shows_changes_but_never_protected_values(client_for, trust):
    run = ImportRun.objects.create(
        organisation=trust["org"], kind="workforce", filename="march.csv", sha256="0" * 64
    )
    person = trust["nurse_person"]
    PersonChange.objects.create(person=person, import_run=run, kind="added")
    PersonChange.objects.create(
        person=person,
        import_run=run,
        kind="updated",
        fields={"band": ["band_5", "band_6"], "disability": ["No", "Yes, a secret"]},
    )
    response = client_for("admin").get(person_url("S1"))
    history = response.context_data["history"]
    assert [row["kind"] for row in history] == ["Updated", "Added"]
    assert history[0]["details"] == [{"field": "Band", "old": "Band 5", "new": "Band 6"}]
    assert history[0]["source"] == "march.csv"
    html = response.content.decode()
    assert "Band: Band 5 to Band 6" in html
    assert "Yes, a secret" not in html


def test_the_page_view_is_audited(client_for, trust):
    client_for("board").get(person_url("S1"), REMOTE_ADDR="10.1.2.3")
    [event] = events("person.view", trust["nurse_person"])
    assert event.actor.email == "board@test.test"
    assert event.organisation == trust["org"]
    assert event.ip_address == "10.1.2.3"
    assert event.object_repr == "Sam Nurse (S1)"


def test_admin_sees_protected_characteristics_and_the_view_is_audited(
    client_for, trust, sam_protected
):
    response = client_for("admin").get(person_url("S1"))
    assert response.context_data["shows_protected"]
    values = {row["key"]: row["value"] for row in response.context_data["protected_rows"]}
    assert values["Ethnicity"] == "Any other Asian background"
    assert "Any other Asian background" in response.content.decode()
    [event] = events("person.view_protected", trust["nurse_person"])
    assert event.actor.email == "admin@test.test"
    assert event.detail == {"own_record": False, "recorded": True}


def test_the_person_themselves_sees_their_protected_characteristics(
    client_for, trust, sam_protected
):
    response = client_for("staff").get(person_url("S1"))
    assert response.status_code == 200
    assert response.context_data["is_self"]
    assert "Any other Asian background" in response.content.decode()
    [event] = events("person.view_protected", trust["nurse_person"])
    assert event.detail["own_record"] is True


@pytest.mark.parametrize("persona", ["board", "od", "manager"])
def test_others_who_may_see_the_person_never_see_protected_characteristics(
    persona, client_for, trust, sam_protected
):
    response = client_for(persona).get(person_url("S1"))
    assert response.status_code == 200
    assert not response.context_data["shows_protected"]
    assert "protected_rows" not in response.context_data
    html = response.content.decode()
    assert "Any other Asian background" not in html
    assert "Protected characteristics" not in html
    assert events("person.view_protected") == []
    assert len(events("person.view", trust["nurse_person"])) == 1


def test_manager_sees_their_own_record_and_their_units_people_only(client_for, trust):
    client = client_for("manager")
    own = client.get(person_url("M1"))
    assert own.status_code == 200 and own.context_data["is_self"]
    assert client.get(person_url("S1")).status_code == 200
    assert client.get(person_url("W2-0")).status_code == 403
    assert client.get(person_url("T1-0")).status_code == 403


@pytest.mark.parametrize("persona", ["staff", "change", "safety"])
def test_without_person_view_other_people_are_forbidden_and_not_audited(persona, client_for, trust):
    assert client_for(persona).get(person_url("M1")).status_code == 403
    assert events("person.view") == []


def test_people_of_other_organisations_and_unknown_numbers_are_not_found(client_for):
    client = client_for("admin")
    assert client.get(person_url("X1")).status_code == 404
    assert client.get(person_url("NOPE")).status_code == 404
    assert client_for("outsider").get(person_url("S1")).status_code == 404
    assert events("person.view") == []


def test_links_to_people_appear_only_where_the_viewer_may_follow_them(client_for, trust):
    # Staff see their own page; their line manager is named but not linked.
    response = client_for("staff").get(person_url("S1"))
    rows = {row["key"]: row for row in response.context_data["summary_rows"]}
    assert rows["Line manager"]["value"] == "Mary Manager"
    assert rows["Line manager"]["href"] is None
    assert f'href="{person_url("M1")}"' not in response.content.decode()
