"""The Django admin (/admin/) opened to organisation admins, scoped to their organisation."""

import json
import re

import pytest
from django.urls import reverse

from colead.audit.models import AuditEvent
from colead.org.models import Person


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def test_an_organisation_admin_reaches_the_admin(client_for):
    response = client_for("admin").get(reverse("admin:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Units" in html and "People" in html
    assert "Users" not in html  # platform-wide users are for superusers only


def test_the_admin_lists_only_their_organisations_units_and_people(client_for, trust):
    client = client_for("admin")
    units = client.get(changelist(trust["units"]["W1"]))
    assert units.status_code == 200
    shown = {unit.code for unit in units.context["cl"].result_list}
    assert shown == {"TST1-ROOT", "MED", "CARD", "W1", "W2", "SURG", "T1"}
    assert "OTH-ROOT" not in units.content.decode()

    people = client.get(changelist(Person))
    numbers = {person.employee_number for person in people.context["cl"].result_list}
    assert "X1" not in numbers and {"M1", "S1"} <= numbers


def test_another_organisations_records_cannot_be_opened(client_for, trust):
    client = client_for("admin")
    other_unit = trust["units"]["OTH-ROOT"]
    response = client.get(change_url(other_unit))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert "Other Trust" not in client.get(response["Location"]).content.decode()
    x1 = Person.objects.get(employee_number="X1")
    assert client.get(change_url(x1)).status_code == 302
    assert client.get(change_url(trust["other"])).status_code == 302


def test_autocomplete_offers_only_their_organisations_units(client_for):
    response = client_for("admin").get(
        reverse("admin:autocomplete"),
        {"app_label": "org", "model_name": "person", "field_name": "primary_unit", "term": ""},
    )
    assert response.status_code == 200
    texts = [result["text"] for result in json.loads(response.content)["results"]]
    assert "Ward 1 (W1)" in texts
    assert not any("OTH-ROOT" in text for text in texts)


def test_adding_a_role_names_the_person_by_email_and_lists_no_accounts(client_for):
    response = client_for("admin").get(reverse("admin:accounts_roleassignment_add"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="email"' in html
    assert 'name="user"' not in html
    assert "staff@test.test" not in html and "outsider@test.test" not in html


def grant(client, trust, **fields):
    data = {"organisation": trust["org"].pk, "role": "manager", "unit": "", "person": ""}
    data.update(fields)
    return client.post(reverse("admin:accounts_roleassignment_add"), data)


def test_an_organisation_admin_gives_a_newcomer_their_first_role(client_for, trust):
    from colead.accounts.models import RoleAssignment, User

    client = client_for("admin")
    response = grant(
        client,
        trust,
        email=" New.Manager@Test.TEST ",
        full_name="New Manager",
        unit=trust["units"]["W2"].pk,
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(email="new.manager@test.test")
    assert user.full_name == "New Manager"
    assert not user.has_usable_password()  # signs in through the identity provider
    role = RoleAssignment.objects.get(user=user)
    assert (role.organisation, role.role, role.unit) == (
        trust["org"],
        "manager",
        trust["units"]["W2"],
    )
    created = AuditEvent.objects.get(action="accounts.user_created")
    granted = AuditEvent.objects.get(action="accounts.role_granted")
    assert created.organisation == granted.organisation == trust["org"]
    assert granted.detail == {
        "user": "new.manager@test.test",
        "role": "manager",
        "unit": "W2",
        "new_account": True,
    }
    assert not AuditEvent.objects.filter(action="admin.add").exists()  # not twice
    page = client.get(response["Location"]).content.decode()
    assert "An account was made for new.manager@test.test" in page

    # The new manager can now use the product for their ward.
    client.force_login(user)
    assert client.get(reverse("org:unit", args=["W2"])).status_code == 200


def test_an_existing_account_gets_the_role_without_a_second_account(client_for, trust):
    from colead.accounts.models import RoleAssignment, User

    before = User.objects.count()
    response = grant(client_for("admin"), trust, email="OUTSIDER@test.test", role="board")
    assert response.status_code == 302
    assert User.objects.count() == before
    outsider = User.objects.get(email="outsider@test.test")
    assert RoleAssignment.objects.filter(
        user=outsider, organisation=trust["org"], role="board"
    ).exists()
    assert not AuditEvent.objects.filter(action="accounts.user_created").exists()
    assert AuditEvent.objects.get(action="accounts.role_granted").detail["new_account"] is False


def test_a_duplicate_role_or_a_bad_email_is_explained_and_nothing_is_stored(client_for, trust):
    from colead.accounts.models import RoleAssignment, User

    client = client_for("admin")
    roles, users = RoleAssignment.objects.count(), User.objects.count()
    duplicate = grant(client, trust, email="staff@test.test", role="staff")
    assert duplicate.status_code == 200
    assert "already holds this role" in duplicate.content.decode()
    bad = grant(client, trust, email="not an address")
    assert bad.status_code == 200
    assert bad.context["adminform"].form.errors["email"]
    forged = grant(client, trust, email="x@test.test", unit=trust["units"]["OTH-ROOT"].pk)
    assert forged.status_code == 200
    assert forged.context["adminform"].form.errors["unit"]
    other = grant(client, trust, email="y@test.test", organisation=trust["other"].pk)
    assert other.status_code == 200
    assert other.context["adminform"].form.errors["organisation"]
    assert (RoleAssignment.objects.count(), User.objects.count()) == (roles, users)


def test_editing_a_role_lists_only_users_of_their_organisation(client_for, trust):
    from colead.accounts.models import RoleAssignment

    role = RoleAssignment.objects.filter(organisation=trust["org"], role="staff").first()
    response = client_for("admin").get(change_url(role))
    assert response.status_code == 200
    options = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', response.content.decode())
    assert "staff@test.test" in options
    assert "outsider@test.test" not in options  # admin of another organisation only


def test_an_edit_is_saved_and_audited(client_for, trust):
    ward = trust["units"]["W2"]
    response = client_for("admin").post(
        change_url(ward),
        {
            "organisation": trust["org"].pk,
            "code": "W2",
            "name": "Ward 2 (renamed)",
            "parent": trust["units"]["CARD"].pk,
            "level": "team",
            "site": "Main site",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    ward.refresh_from_db()
    assert ward.name == "Ward 2 (renamed)"
    event = AuditEvent.objects.get(action="admin.change")
    assert event.organisation == trust["org"]
    assert event.object_id == str(ward.pk)


def test_a_forged_parent_from_another_organisation_is_rejected(client_for, trust):
    ward = trust["units"]["W2"]
    response = client_for("admin").post(
        change_url(ward),
        {
            "organisation": trust["org"].pk,
            "code": "W2",
            "name": "Ward 2",
            "parent": trust["units"]["OTH-ROOT"].pk,
            "level": "team",
            "site": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 200  # the form again, with an error
    assert response.context["adminform"].form.errors["parent"]
    ward.refresh_from_db()
    assert ward.parent == trust["units"]["CARD"]


@pytest.mark.parametrize("persona", ["board", "od", "change", "manager", "staff", "safety"])
def test_everyone_else_is_sent_to_the_admin_sign_in(persona, client_for, trust):
    client = client_for(persona)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    unit = client.get(change_url(trust["units"]["W1"]))
    assert unit.status_code == 302
    assert unit["Location"].startswith(reverse("admin:login"))
