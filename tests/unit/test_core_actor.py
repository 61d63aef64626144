"""Actor: who acts, from where, and that nobody is the system by accident."""

from types import SimpleNamespace

import pytest

from colead.core.actor import Actor


def _request(user=None, auth=None, address="203.0.113.7"):
    return SimpleNamespace(user=user, auth=auth, META={"REMOTE_ADDR": address})


SIGNED_IN = SimpleNamespace(email="manager@test.test", is_authenticated=True)
ANONYMOUS = SimpleNamespace(email="", is_authenticated=False)


def test_from_request_takes_the_signed_in_user_and_the_address():
    actor = Actor.from_request(_request(SIGNED_IN))
    assert actor.user is SIGNED_IN
    assert actor.address == "203.0.113.7"
    assert actor.source == "web"
    assert actor.label == "manager@test.test"
    assert not actor.is_system


def test_from_an_api_request_takes_the_token_user():
    actor = Actor.from_request(_request(user=ANONYMOUS, auth=SIGNED_IN), source="api")
    assert actor.user is SIGNED_IN and actor.source == "api"


def test_an_anonymous_visitor_is_not_the_system():
    actor = Actor.from_request(_request(ANONYMOUS, address=""))
    assert actor.user is None and actor.address is None
    assert not actor.is_system
    assert actor.is_anonymous
    assert actor.label == "anonymous"


def test_the_system_says_why_it_acts():
    actor = Actor.system("task: close due waves", source="task")
    assert actor.is_system and not actor.is_anonymous
    assert actor.user is None
    assert actor.label == "system (task: close due waves)"
    assert actor.source == "task"


def test_the_system_needs_a_reason():
    with pytest.raises(ValueError, match="needs a reason"):
        Actor.system(" ")


def test_a_named_user_at_the_command_line():
    actor = Actor.of_user(SIGNED_IN, source="cli")
    assert actor.user is SIGNED_IN and actor.source == "cli" and actor.address is None
    assert not actor.is_system
    with pytest.raises(ValueError, match="Actor.system"):
        Actor.of_user(None, source="cli")


def test_an_unknown_source_or_a_user_with_a_reason_is_refused():
    with pytest.raises(ValueError, match="use one of web, api, cli, task"):
        Actor.system("cli", source="cron")
    with pytest.raises(ValueError, match="not both"):
        Actor(user=SIGNED_IN, reason="cli")


def test_an_actor_cannot_be_changed():
    actor = Actor.system("cli")
    with pytest.raises(AttributeError):
        actor.reason = "something else"
