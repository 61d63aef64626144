"""Setting or resetting a password by email (colead.accounts.passwords)."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from colead.accounts import services
from colead.accounts.models import User
from colead.audit.models import AuditEvent
from colead.core.actor import Actor

pytestmark = pytest.mark.django_db
RESET = reverse("accounts:password_reset")
GOOD = "a-long-and-unusual-passphrase"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_the_sign_in_page_links_to_it(client):
    assert RESET in client.get(reverse("accounts:login")).content.decode()


def test_a_newcomer_sets_their_first_password_and_signs_in(client, trust, persona_users, settings):
    settings.COLEAD_BASE_URL = "https://colead.example.nhs.uk"
    assignment, created = services.grant_role(
        email="newcomer@test.test",
        organisation=trust["org"],
        role="board",
        actor=Actor.of_user(persona_users["admin"], source="web"),
    )
    assert created and not assignment.user.has_usable_password()

    response = client.post(RESET, {"email": "Newcomer@Test.test"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["newcomer@test.test"]
    link = link_in(message)
    # Built from COLEAD_BASE_URL, never from the request's Host header.
    assert link.startswith("https://colead.example.nhs.uk/accounts/password/set/")
    assert "testserver" not in message.body

    path = link.removeprefix("https://colead.example.nhs.uk")
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    assert "Choose your password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "password", "new_password2": "password"})
    assert weak.status_code == 200
    assert "nhsuk-error-summary" in weak.content.decode()
    assert 'id="id_new_password2-error"' in weak.content.decode()  # against the field
    assert weak.content.decode().split("</title>")[0].count("Error:") == 1
    done = client.post(set_url, {"new_password1": GOOD, "new_password2": GOOD})
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    user = User.objects.get(email="newcomer@test.test")
    assert user.check_password(GOOD)
    signed_in = client.post(
        reverse("accounts:login"), {"username": "newcomer@test.test", "password": GOOD}
    )
    assert signed_in.status_code == 302

    # The link works once.
    client.logout()
    again = client.get(path, follow=True)
    assert "This link has expired" in again.content.decode()
    actions = list(
        AuditEvent.objects.filter(actor=user, action__startswith="auth.password").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["auth.password_reset_requested", "auth.password_set"]


def test_an_unknown_address_gets_the_same_reply_and_no_email(client):
    response = client.post(RESET, {"email": "nobody@test.test"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="auth.password_reset_requested").exists()


def test_a_bad_address_is_explained(client):
    response = client.post(RESET, {"email": "not an address"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter your email address, like name@nhs.net" in page
    assert 'id="id_email-error"' in page
    assert page.split("</title>")[0].count("Error:") == 1


def test_an_inactive_account_gets_no_link(client, persona_users):
    user = persona_users["staff"]
    user.is_active = False
    user.save()
    client.post(RESET, {"email": "staff@test.test"})
    assert mail.outbox == []


def test_requests_are_limited_per_address_without_saying_so(client, persona_users):
    for _ in range(7):
        response = client.post(RESET, {"email": "staff@test.test"})
        assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 5


def test_a_forged_link_is_refused(client, persona_users):
    response = client.get(
        reverse("accounts:password_reset_confirm", args=["MTIz", "abc-def"]), follow=True
    )
    assert response.status_code == 200
    assert "This link has expired" in response.content.decode()
