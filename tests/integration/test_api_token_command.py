"""`colead token create|list|revoke`."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from colead.accounts import services
from colead.accounts.models import ApiToken
from colead.audit.models import AuditEvent
from colead.core.actor import Actor
from colead.lib.errors import Conflict, Invalid, NotFound
from tests.factories import UserFactory


def run(*args) -> str:
    out = StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue()


def test_create_prints_the_token_once_on_its_last_line_and_it_works(client, persona_users):
    output = run("create", "--user", "Manager@Test.Test", "--name", "nightly export")
    raw = output.rstrip("\n").splitlines()[-1]
    assert raw.startswith("colead_")
    assert raw == raw.strip() and " " not in raw
    token = ApiToken.objects.get()
    assert token.user == persona_users["manager"]
    assert token.name == "nightly export"
    assert raw not in token.key_hash  # only the hash is stored
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()["email"] == "manager@test.test"


def test_create_is_audited_without_the_secret(persona_users):
    output = run("create", "--user", "manager@test.test")
    raw = output.splitlines()[-1]
    event = AuditEvent.objects.get(action="api_token.create")
    token = ApiToken.objects.get()
    assert event.object_id == str(token.pk)
    assert event.detail["user"] == "manager@test.test"
    assert event.actor_label == "system (cli)"
    assert raw not in str(event.detail) and raw not in event.object_repr


def test_create_for_an_unknown_email_fails_clearly(db):
    with pytest.raises(CommandError, match="No user with email 'ghost@test.test'"):
        run("create", "--user", "ghost@test.test")
    assert not ApiToken.objects.exists()


def test_create_for_a_deactivated_user_fails(db):
    UserFactory(email="gone@test.test", is_active=False)
    with pytest.raises(CommandError, match="deactivated"):
        run("create", "--user", "gone@test.test")
    assert not ApiToken.objects.exists()


def test_unknown_email_exits_non_zero_from_the_command_line(db):
    from django.core.management import ManagementUtility

    utility = ManagementUtility(["colead", "token", "list", "--user", "ghost@test.test"])
    with pytest.raises(SystemExit) as exited:
        utility.execute()
    assert exited.value.code != 0


def test_list_shows_tokens_without_their_values(persona_users):
    first = run("create", "--user", "admin@test.test", "--name", "first").splitlines()[-1]
    run("create", "--user", "admin@test.test", "--name", "second")
    run("create", "--user", "board@test.test", "--name", "someone-else")
    listing = run("list", "--user", "admin@test.test")
    assert "first" in listing and "second" in listing
    assert "someone-else" not in listing
    assert "colead_" not in listing and first not in listing
    for token in ApiToken.objects.filter(user=persona_users["admin"]):
        assert token.key_hash not in listing
    assert listing.count("active") == 2


def test_list_for_a_user_without_tokens(persona_users):
    assert "no API tokens" in run("list", "--user", "staff@test.test")


def test_revoke_stops_the_token_working_and_is_audited(client, persona_users):
    raw = run("create", "--user", "admin@test.test").splitlines()[-1]
    token = ApiToken.objects.get()
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200

    assert "Revoked API token" in run("revoke", str(token.pk))
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    event = AuditEvent.objects.get(action="api_token.revoke", object_id=str(token.pk))
    assert event.actor_label == "system (cli)"
    assert "revoked" in run("list", "--user", "admin@test.test")
    assert "already revoked" in run("revoke", str(token.pk))


def test_revoke_an_unknown_token_fails(db):
    with pytest.raises(CommandError, match="No API token with id 999"):
        run("revoke", "999")


def test_a_token_name_must_be_short_and_not_blank(persona_users):
    with pytest.raises(CommandError, match="--name: Give the token a name of 1 to 100"):
        run("create", "--user", "manager@test.test", "--name", "x" * 101)
    assert not ApiToken.objects.exists()


def test_the_token_services_refuse_clearly_and_audit_their_actor(persona_users):
    admin = Actor.of_user(persona_users["admin"], source="web")
    with pytest.raises(Invalid, match="name"):
        services.create_api_token(user=persona_users["manager"], name="  ", actor=admin)
    token, _ = services.create_api_token(user=persona_users["manager"], name="sync", actor=admin)
    services.revoke_api_token(token_id=token.pk, actor=admin)
    with pytest.raises(Conflict, match="already revoked"):
        services.revoke_api_token(token_id=token.pk, actor=admin)
    with pytest.raises(NotFound, match="No API token with id 999"):
        services.revoke_api_token(token_id=999, actor=admin)
    events = AuditEvent.objects.filter(action__startswith="api_token.")
    assert set(events.values_list("action", "actor_label", "detail__via")) == {
        ("api_token.create", "admin@test.test", "web"),
        ("api_token.revoke", "admin@test.test", "web"),
    }
