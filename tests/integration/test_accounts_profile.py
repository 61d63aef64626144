"""/accounts/profile/: a user's own roles and staff records (accounts.queries.own_profile)."""

import pytest
from django.urls import reverse

from colead.accounts import queries
from colead.audit.models import AuditEvent
from colead.core.actor import Actor
from colead.lib.errors import Refused
from colead.org.models import ProtectedCharacteristics

pytestmark = pytest.mark.django_db


def test_own_protected_characteristics_are_shown_and_each_view_is_audited(client_for, trust):
    nurse = trust["nurse_person"]
    ProtectedCharacteristics.objects.create(person=nurse, sex="Female", age_band="35-44")
    response = client_for("staff").get(reverse("accounts:profile"), REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 200
    assert response.context_data["protected"] == {nurse.pk: nurse.protected.as_dict()}
    assert "35-44" in response.content.decode()
    event = AuditEvent.objects.get(action="person.view_protected")
    assert (event.object_id, event.actor_label, event.ip_address) == (
        str(nurse.pk),
        "staff@test.test",
        "192.0.2.7",
    )
    assert event.detail == {"own_record": True}


def test_without_recorded_characteristics_nothing_is_audited(client_for):
    assert client_for("staff").get(reverse("accounts:profile")).status_code == 200
    assert not AuditEvent.objects.filter(action="person.view_protected").exists()


def test_only_a_user_has_a_profile():
    with pytest.raises(Refused, match="Sign in"):
        queries.own_profile(Actor.system("cli"))
