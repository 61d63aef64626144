"""Shared-device (ward) links: /take/device/<slug>/ starts a fresh anonymous form for each
completion, rate-limited per link and address, with a one-response-per-device guard."""

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from colead.core.actor import Actor
from colead.surveys import services
from colead.surveys.models import Ballot, Draft
from colead.surveys.views.take import DEVICE_COOKIE, TOKEN_COOKIE
from tests.integration.test_take_pages import make_wave, section_url

SYSTEM = Actor.system("tests")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def wave(trust):
    return make_wave(trust)


@pytest.fixture
def link(wave, trust):
    return services.device_link_for(wave=wave, unit=trust["units"]["W1"], actor=SYSTEM)


def device_url(link):
    return reverse("take:device", args=[link.slug])


def complete(client, link):
    response = client.get(device_url(link))
    assert response["Location"] == reverse("take:form")
    client.post(section_url(1), {"vv1": "5"})
    response = client.post(reverse("take:check"))
    assert response["Location"] == reverse("take:done")
    return response


def test_the_link_starts_a_fresh_anonymous_form(client, link, trust):
    response = client.get(device_url(link))
    assert response.status_code == 302
    assert response["Location"] == "/take/"
    cookie = response.cookies[TOKEN_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/take/"
    draft = Draft.objects.get()
    assert draft.reporting_unit == trust["units"]["W1"]
    assert draft.answers == {}
    start = client.get(reverse("take:form"))
    assert "Spring pulse" in start.text
    assert "Ward 1" in start.text


def test_no_save_for_later_on_a_shared_device(client, link):
    client.get(device_url(link))
    text = client.get(section_url(1)).text
    assert "Save and come back later" not in text
    response = client.post(section_url(1), {"vv1": "4", "_action": "save"})
    assert response["Location"] == section_url(2)  # carries on instead


def test_a_refresh_mid_form_keeps_the_same_form(client, link):
    client.get(device_url(link))
    client.post(section_url(1), {"vv1": "4"})
    response = client.get(device_url(link))
    assert response["Location"] == reverse("take:form")
    assert Draft.objects.count() == 1
    assert Draft.objects.get().answers == {"vv1": "4"}


def test_a_completion_stores_one_device_ballot_and_marks_the_device(client, link, wave):
    response = complete(client, link)
    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and int(cookie["max-age"]) > 30 * 24 * 60 * 60
    ballot = Ballot.objects.get()
    assert ballot.source == "device"
    assert ballot.answers == {"vv1": "5"}
    assert not Draft.objects.exists()


def test_the_same_device_is_told_it_has_responded_and_can_start_for_someone_else(
    client, link, wave
):
    complete(client, link)
    again = client.get(device_url(link))
    assert again.status_code == 200
    assert "This device has already been used to respond to Spring pulse" in again.text
    assert "Start a new response for someone else" in again.text
    assert not Draft.objects.exists()  # a refresh or a second scan starts nothing
    response = client.post(device_url(link))
    assert response["Location"] == reverse("take:form")
    assert Draft.objects.count() == 1
    client.post(section_url(1), {"vv1": "2"})
    client.post(reverse("take:check"))
    assert Ballot.objects.count() == 2


def test_the_guard_is_per_wave(client, link, trust):
    complete(client, link)
    other_wave = make_wave(trust, instruments=["psychological-safety"])
    other_link = services.device_link_for(wave=other_wave, unit=trust["units"]["W1"], actor=SYSTEM)
    assert client.get(device_url(other_link))["Location"] == reverse("take:form")


def test_the_new_response_button_needs_csrf(link):
    client = Client(enforce_csrf_checks=True)
    assert client.post(device_url(link)).status_code == 403
    assert not Draft.objects.exists()


@override_settings(COLEAD_DEVICE_START_LIMIT=3)
def test_starts_are_rate_limited_per_link_and_address(link, wave, trust):
    for _ in range(3):
        assert Client().get(device_url(link)).status_code == 302
    limited = Client().get(device_url(link))
    assert limited.status_code == 429
    assert "Too many new forms have been started" in limited.text
    assert Draft.objects.count() == 3
    # The button on a shared kiosk counts too.
    assert Client().post(device_url(link)).status_code == 429
    # Another address, or another ward's link, has its own allowance.
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.get(device_url(link)).status_code == 302
    other_link = services.device_link_for(wave=wave, unit=trust["units"]["W2"], actor=SYSTEM)
    assert Client().get(device_url(other_link)).status_code == 302


def test_the_address_is_used_only_as_a_hashed_cache_key(link):
    address = "198.51.100.23"
    client = Client(REMOTE_ADDR=address)
    complete(client, link)
    keys = list(cache._cache.keys())  # LocMemCache, as in tests
    assert keys and not any(address in key for key in keys)
    ballot = Ballot.objects.get()
    stored = repr([ballot.demographics, ballot.answers, ballot.comments, ballot.source, ballot.pk])
    assert address not in stored


def test_an_unknown_link_is_not_found(client, wave):
    response = client.get(reverse("take:device", args=["no-such-link"]))
    assert response.status_code == 404
    assert "This link is not valid" in response.text


def test_a_closed_wave_starts_nothing(client, link, wave):
    services.close_wave(wave=wave, actor=SYSTEM)
    response = client.get(device_url(link))
    assert response.status_code == 410
    assert "This survey has closed" in response.text
    assert not Draft.objects.exists()
