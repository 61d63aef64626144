"""audit.services.record: every event is written by an Actor."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from colead.audit.services import record
from colead.core.actor import Actor
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _request(user, address="198.51.100.4"):
    return SimpleNamespace(user=user, META={"REMOTE_ADDR": address})


def test_an_actor_from_a_request_gives_the_user_label_and_address():
    user = UserFactory(email="lead@example.test")
    event = record(action="thing.do", actor=Actor.from_request(_request(user)))
    assert event.actor == user
    assert event.actor_label == "lead@example.test"
    assert event.ip_address == "198.51.100.4"


def test_the_system_is_named_with_its_reason():
    event = record(action="thing.do", actor=Actor.system("task: close due waves", source="task"))
    assert event.actor is None
    assert event.actor_label == "system (task: close due waves)"
    assert event.ip_address is None


def test_an_anonymous_visitor_is_not_written_as_the_system():
    event = record(action="thing.do", actor=Actor.from_request(_request(AnonymousUser())))
    assert event.actor is None
    assert event.actor_label == "anonymous"
    assert event.ip_address == "198.51.100.4"


def test_a_user_or_nothing_is_refused_so_no_event_goes_unnamed():
    user = UserFactory(email="old@example.test")
    with pytest.raises(TypeError, match="takes an Actor"):
        record(action="thing.do", actor=user)
    with pytest.raises(TypeError, match="takes an Actor"):
        record(action="thing.do", actor=None)


def test_a_sign_in_names_the_user_the_request_does_not_have_yet():
    user = UserFactory(email="new@example.test")
    actor = Actor.from_request(_request(AnonymousUser(), "192.0.2.9"), user=user)
    event = record(action="auth.sign_in", actor=actor)
    assert event.actor == user and event.actor_label == "new@example.test"
    assert event.ip_address == "192.0.2.9"
