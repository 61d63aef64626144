"""/api/v1/take/: a respondent's form and submission with a survey token, for kiosks and
other front ends. No staff sign-in; the token is the credential, and nothing about the
respondent is stored, audited or logged."""

import json
import logging
import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from colead.audit.models import AuditEvent
from colead.core.actor import Actor
from colead.surveys import definitions, sealing, services, tokens
from colead.surveys.models import Ballot, Draft, Invitation, Response
from tests.factories import WaveFactory
from tests.integration.waves_fixtures import make_wave, staff_surgery

SYSTEM = Actor.system("tests")

pytestmark = pytest.mark.django_db

FORM = "/api/v1/take/form"
SUBMIT = "/api/v1/take/submit"

# An instrument with every kind of item, for the checks the built-in ones cannot show.
CHECKS_YAML = """
code: api-checks
version: 1
title: API checks
scales:
  agree3: {points: 3, labels: ["Not really", "Maybe", "Very much"], dont_know: true}
sections:
  - {code: first, title: First}
  - {code: second, title: Second}
items:
  - {code: must, section: first, type: yes_no, required: true, text: "Must answer"}
  - {code: why, section: first, type: free_text, max_length: 20, text: "Why?",
     show_if: {item: must, equals: "no"}}
  - {code: years, section: first, type: number, min: 0, max: 60, text: "Years"}
  - {code: colours, section: second, type: multiple_choice, text: "Colours",
     options: [{code: red, label: Red}, {code: blue, label: Blue}, {code: green, label: Green}]}
  - {code: pick, section: second, type: single_choice, text: "Pick",
     options: [{code: a, label: A}, {code: b, label: B}]}
  - {code: mood, section: second, scale: agree3, text: "Mood"}
"""


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def wave(trust):
    return make_wave(trust, launch=True)


def invitation_tokens(wave):
    return [
        tokens.invitation_token(invitation.pk, invitation.nonce)
        for invitation in Invitation.objects.filter(wave=wave).order_by("pk")
    ]


@pytest.fixture
def token(wave):
    return invitation_tokens(wave)[0]


@pytest.fixture
def checks_wave(trust):
    instrument = definitions.parse_instrument(CHECKS_YAML)
    services.import_instrument(organisation=trust["org"], instrument=instrument, actor=SYSTEM)
    return WaveFactory(
        organisation=trust["org"], title="Checks", instruments=["api-checks"], units=["W1"]
    )


def submit(client, token, body, **extra):
    payload = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(
        SUBMIT,
        payload,
        content_type="application/json",
        headers={"X-Survey-Token": token} if token is not None else {},
        **extra,
    )


def full_answers(wave):
    answers = {}
    for instrument in services.wave_instruments(wave):
        for item in instrument.items:
            answers[item.code] = {
                "scale": "4",
                "yes_no": "yes",
                "free_text": "Sam Nurse is brilliant",
            }.get(item.type)
    return answers


def stored():
    return (
        Ballot.objects.count(),
        Draft.objects.count(),
        Invitation.objects.filter(responded=True).count(),
        AuditEvent.objects.count(),
    )


# -- the form ---------------------------------------------------------------------------------


def test_a_token_reads_its_waves_form_and_starts_nothing(client, wave, token):
    before = stored()
    response = client.get(FORM, headers={"X-Survey-Token": token})
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    form = response.json()
    assert form["wave_id"] == wave.pk
    assert [i["code"] for i in form["instruments"]] == ["culture-pulse", "team-working"]
    assert stored() == before
    assert token not in response.content.decode()


def test_the_token_form_is_the_staff_form(client, wave, token, persona_users):
    staff = Client()
    staff.force_login(persona_users["od"])
    assert (
        client.get(FORM, headers={"X-Survey-Token": token}).json()
        == staff.get(f"/api/v1/waves/{wave.pk}/form").json()
    )


def test_no_token_is_401(client, wave):
    response = client.get(FORM)
    assert response.status_code == 401
    assert submit(client, None, {"answers": {}}).status_code == 401


def test_a_signed_in_session_is_no_survey_token(wave, persona_users):
    browser = Client()
    browser.force_login(persona_users["admin"])
    assert browser.get(FORM).status_code == 401


@pytest.mark.parametrize(
    "forged",
    [
        "x",
        "x" * 30,
        "i" + "A" * 31,
        "i../../etc/passwd-aaaaaaaaaaaaaaaaaa",
        "i" + "a" * 200,
        "colead_an-api-token-is-not-a-survey-token",
        "i%00" + "a" * 30,
    ],
)
def test_forged_and_garbled_tokens_are_404(client, wave, forged):
    before = stored()
    response = client.get(FORM, headers={"X-Survey-Token": forged})
    assert response.status_code == 404
    assert response.json()["reason"] == "invalid"
    refused = submit(client, forged, {"answers": full_answers(wave)})
    assert refused.status_code == 404
    assert refused.json()["reason"] == "invalid"
    assert forged not in refused.content.decode()
    assert stored() == before


def test_a_closed_wave_is_410(client, wave, token):
    services.close_wave(wave=wave, actor=SYSTEM)
    response = client.get(FORM, headers={"X-Survey-Token": token})
    assert response.status_code == 410
    assert response.json()["reason"] == "closed"
    before = stored()
    refused = submit(client, token, {"answers": full_answers(wave)})
    assert refused.status_code == 410
    assert stored() == before


# -- submitting -------------------------------------------------------------------------------


def test_a_submission_is_stored_once(client, wave, token):
    before_events = AuditEvent.objects.count()
    response = submit(client, token, {"answers": full_answers(wave)})
    assert response.status_code == 201, response.content
    assert response.json() == {"status": "stored"}
    assert response["Cache-Control"] == "no-store"
    ballot = Ballot.objects.get(wave=wave)
    assert ballot.answers["vv1"] == "4"
    assert ballot.answers["in_team"] == "yes"
    assert ballot.comments == {"comment": "[name removed] is brilliant"}
    assert ballot.source == "online"
    assert ballot.reporting_unit.code in {"W1", "W2"}
    assert Invitation.objects.filter(wave=wave, responded=True).count() == 1
    assert not Draft.objects.exists()
    # The respondent's own actions are never audited.
    assert AuditEvent.objects.count() == before_events

    before = stored()
    again = submit(client, token, {"answers": full_answers(wave)})
    assert again.status_code == 409
    assert again.json()["reason"] == "used"
    assert "already" in again.json()["detail"]
    assert stored() == before
    form = client.get(FORM, headers={"X-Survey-Token": token})
    assert form.status_code == 409 and form.json()["reason"] == "used"


def test_answers_to_hidden_questions_are_dropped(client, wave, token):
    answers = full_answers(wave) | {"in_team": "no"}
    assert submit(client, token, {"answers": answers}).status_code == 201
    ballot = Ballot.objects.get()
    assert ballot.answers["in_team"] == "no"
    assert not {"rt_objectives", "tc1", "tc5"} & set(ballot.answers)


def test_a_partial_response_is_fine_and_numbers_are_accepted_for_options(client, wave, token):
    response = submit(client, token, {"answers": {"vv1": 5, "vv2": None, "in_team": "yes"}})
    assert response.status_code == 201, response.content
    assert Ballot.objects.get().answers == {"vv1": "5", "in_team": "yes"}


def test_the_submission_replaces_answers_saved_earlier_on_the_web(client, wave, token):
    _, draft = services.start_with_invitation_token(token)
    draft.answers = {"vv1": "1", "vv2": "1"}
    draft.save()
    assert submit(client, token, {"answers": {"vv1": "3"}}).status_code == 201
    assert Ballot.objects.get().answers == {"vv1": "3"}


BAD_ANSWERS = [
    ({"nonsense": "1"}, "nonsense", "Unknown item 'nonsense'"),
    ({"vv1": "7"}, "vv1", "Select one of the options"),
    ({"vv1": "dk", "in_team": "maybe"}, "in_team", "Select one of the options"),
    ({"vv1": True}, "vv1", "string or a number"),
    ({"vv1": ["4"]}, "vv1", "not a list"),
    ({"vv1": {"value": "4"}}, "vv1", "string or a number"),
    ({"comment": "x" * 2001}, "comment", "2,000 characters or fewer"),
    ({"comment": 12}, "comment", "as a string"),
    ({"comment": {"text": "hello"}}, "comment", "as a string"),
    ({"comment": "nul\x00here"}, "comment", "NUL"),
]


@pytest.mark.parametrize(
    ("answers", "item", "message"), BAD_ANSWERS, ids=[f"{i}-{m[:12]}" for _, i, m in BAD_ANSWERS]
)
def test_a_bad_answer_is_422_naming_the_item_and_stores_nothing(
    client, wave, token, answers, item, message
):
    before = stored()
    response = submit(client, token, {"answers": full_answers(wave) | answers})
    assert response.status_code == 422, response.content
    errors = response.json()["detail"]
    assert [e["loc"] for e in errors] == [["body", "data", "answers", item]]
    assert message in errors[0]["msg"]
    assert item in errors[0]["msg"]
    assert stored() == before  # not even the draft that reading the token would start
    # The token is not used up: a corrected submission goes through.
    assert submit(client, token, {"answers": full_answers(wave)}).status_code == 201


def test_every_bad_answer_is_reported_at_once(client, wave, token):
    answers = full_answers(wave) | {"vv1": "9", "zz": "1", "comment": "y" * 3000}
    errors = submit(client, token, {"answers": answers}).json()["detail"]
    assert {e["loc"][-1] for e in errors} == {"vv1", "zz", "comment"}


@pytest.mark.parametrize(
    "body",
    [
        "[1, 2, 3]",
        '"answers"',
        "null",
        "{}",
        '{"answers": ["vv1", "4"]}',
        '{"answers": "vv1=4"}',
        '{"answers": {}, "extra": 1}',
        '{"answers": {}, "reporting_unit": 12}',
    ],
)
def test_a_body_that_is_not_a_submission_is_422(client, wave, token, body):
    before = stored()
    response = submit(client, token, body)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][:2] == ["body", "data"]
    assert stored() == before


def test_a_body_that_is_not_json_is_400(client, wave, token):
    before = stored()
    assert submit(client, token, "{answers: }").status_code == 400
    assert stored() == before


def test_every_kind_of_item_is_checked(client, checks_wave):
    token = invitation_tokens(checks_wave)[0]
    cases = [
        ({}, "must", "Answer this question"),
        ({"must": "no", "why": "x" * 21}, "why", "20 characters or fewer"),
        ({"must": "yes", "years": 61}, "years", "60 or less"),
        ({"must": "yes", "years": -1}, "years", "0 or more"),
        ({"must": "yes", "years": "ten"}, "years", "Enter a number"),
        ({"must": "yes", "years": "NaN"}, "years", "Enter a number"),
        ({"must": "yes", "years": 1e400}, "years", "Enter a number"),
        ({"must": "yes", "colours": ["red", "pink"]}, "colours", "not pink"),
        ({"must": "yes", "colours": [1]}, "colours", "option codes"),
        ({"must": "yes", "pick": "c"}, "pick", "Select one of the options"),
        ({"must": "yes", "mood": "4"}, "mood", "Select one of the options"),
    ]
    for answers, item, message in cases:
        before = stored()
        response = submit(client, token, {"answers": answers})
        assert response.status_code == 422, (answers, response.content)
        errors = response.json()["detail"]
        assert [e["loc"][-1] for e in errors] == [item], (answers, errors)
        assert message in errors[0]["msg"], (answers, errors)
        assert stored() == before

    good = {
        "must": "yes",
        "why": "hidden, so dropped even though it is far too long to be accepted",
        "years": "12.5",
        "colours": ["green", "red", "green"],
        "pick": "b",
        "mood": "dk",
    }
    response = submit(client, token, {"answers": good})
    assert response.status_code == 422  # the hidden answer is still checked against its item
    del good["why"]
    response = submit(client, token, {"answers": good})
    assert response.status_code == 201, response.content
    ballot = Ballot.objects.get()
    assert ballot.answers == {
        "must": "yes",
        "years": 12.5,
        "colours": ["red", "green"],
        "pick": "b",
        "mood": "dk",
    }


def test_a_wave_where_respondents_choose_their_team(client, trust):
    staff_surgery(trust)
    wave = make_wave(trust, units=("SURG",), respondent_chooses_unit=True, launch=True)
    token = invitation_tokens(wave)[0]
    before = stored()
    missing = submit(client, token, {"answers": {"vv1": "4"}})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "data", "reporting_unit"]
    wrong = submit(client, token, {"answers": {"vv1": "4"}, "reporting_unit": "W1"})
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["loc"] == ["body", "data", "reporting_unit"]
    assert stored() == before
    chosen = submit(client, token, {"answers": {"vv1": "4"}, "reporting_unit": "SURG"})
    assert chosen.status_code == 201, chosen.content
    assert Ballot.objects.get().reporting_unit.code == "SURG"


def test_a_reporting_unit_is_refused_where_the_wave_does_not_offer_a_choice(client, wave, token):
    response = submit(client, token, {"answers": {"vv1": "4"}, "reporting_unit": "W1"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "data", "reporting_unit"]
    assert "does not let respondents choose" in response.json()["detail"][0]["msg"]


def test_answers_saved_on_the_web_pages_are_replaced_by_an_api_submission(client, wave, token):
    """A respondent who began on the web form and then sent everything through the API
    leaves no draft behind: the draft's answers exist only until the ballot is stored."""
    services.start_with_invitation_token(token)
    assert Draft.objects.filter(wave=wave).count() == 1
    assert submit(client, token, {"answers": full_answers(wave)}).status_code == 201
    assert not Draft.objects.exists()
    assert Ballot.objects.filter(wave=wave).count() == 1
    assert Invitation.objects.filter(wave=wave, responded=True).count() == 1


def test_nothing_is_kept_if_storing_fails_before_the_commit(client, wave, token, monkeypatch):
    """The ballot, the invitation's mark and the draft are written in one transaction with
    the answers: if anything fails before it commits, nothing is kept and no 201 is sent."""
    real_store = services._store_ballot

    def store_then_fail(*args, **kwargs):
        real_store(*args, **kwargs)
        assert Ballot.objects.count() == 1  # written inside the transaction...
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_store_ballot", store_then_fail)
    before = stored()
    with pytest.raises(RuntimeError):
        submit(client, token, {"answers": full_answers(wave)})
    assert stored() == before  # ...and rolled back with it
    monkeypatch.undo()
    assert submit(client, token, {"answers": full_answers(wave)}).status_code == 201


def test_a_signed_in_member_of_staff_is_not_linked_to_their_answers(wave, token, persona_users):
    """The session plays no part: no CSRF is asked for, and no audit event names the user.
    The ballot holds only its wave, unit, day and source in the clear, with a random id; the
    answers are in its sealed bytes, which read as no answer, and nothing names the user."""
    user = persona_users["staff"]
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    before = AuditEvent.objects.count()
    answers = full_answers(wave)
    assert submit(browser, token, {"answers": answers}).status_code == 201
    assert AuditEvent.objects.count() == before
    ballot = Ballot.objects.values().get()
    assert set(ballot) == {
        "id", "wave_id", "reporting_unit_id", "submitted_on", "source", "sealed",
    }  # fmt: skip
    assert isinstance(ballot["id"], uuid.UUID)
    with connection.cursor() as cursor:  # the bytes as a database holder reads them
        cursor.execute(f"SELECT sealed FROM {Ballot._meta.db_table}")
        (stored,) = cursor.fetchone()
    stored = bytes(stored)
    for code, value in answers.items():
        assert f'"{code}"'.encode() not in stored
        assert f'"{value}"'.encode() not in stored
    for plain in [b"brilliant", b"answers", b"demographics", user.email.encode()]:
        assert plain not in stored
    # Opened with the server key: the answers themselves, and nothing about who gave them.
    opened = sealing.unseal(stored)
    assert set(opened) == {"answers", "comments", "demographics"}
    assert opened["answers"] == {code: v for code, v in answers.items() if code != "comment"}
    assert user.email not in json.dumps(opened)


def test_the_token_is_never_logged_or_audited(client, wave, token, caplog, persona_users):
    caplog.set_level(logging.DEBUG)
    client.get(FORM, headers={"X-Survey-Token": token})
    submit(client, token, {"answers": {"nonsense": 1}})
    submit(client, token, {"answers": full_answers(wave)})
    submit(client, token, {"answers": full_answers(wave)})
    client.get(FORM, headers={"X-Survey-Token": token})
    services.close_wave(wave=wave, actor=Actor.of_user(persona_users["od"], source="web"))
    assert caplog.records  # the refusals were logged (as paths only)
    assert token not in caplog.text
    digests = {tokens.lookup_digest(token), tokens.draft_digest(token)}
    for event in AuditEvent.objects.all():
        text = json.dumps(
            [event.action, event.object_type, event.object_id, event.object_repr, event.detail]
        )
        assert token not in text
        assert not any(digest in text for digest in digests)


# -- shared devices ----------------------------------------------------------------------------


@pytest.fixture
def device_link(wave, trust):
    return services.device_link_for(wave=wave, unit=trust["units"]["W2"], actor=SYSTEM)


def device_start(client, slug, address="10.0.0.1"):
    return client.post(f"/api/v1/take/device/{slug}/start", REMOTE_ADDR=address)


def test_a_shared_device_gets_a_fresh_token_for_each_response(client, wave, device_link):
    before_events = AuditEvent.objects.count()
    started = device_start(client, device_link.slug)
    assert started.status_code == 201, started.content
    assert started["Cache-Control"] == "no-store"
    body = started.json()
    assert body["wave_id"] == wave.pk and body["title"] == wave.title
    token = body["token"]
    assert token.startswith("d") and tokens.looks_like_token(token)

    form = client.get(FORM, headers={"X-Survey-Token": token})
    assert form.status_code == 200 and form.json()["wave_id"] == wave.pk
    assert submit(client, token, {"answers": full_answers(wave)}).status_code == 201
    ballot = Ballot.objects.get()
    assert ballot.source == "device" and ballot.reporting_unit.code == "W2"
    again = submit(client, token, {"answers": full_answers(wave)})
    assert again.status_code == 409 and again.json()["reason"] == "used"
    assert Ballot.objects.count() == 1

    second = device_start(client, device_link.slug).json()["token"]
    assert second != token
    assert AuditEvent.objects.count() == before_events


def test_unknown_device_links_are_404(client, wave):
    for slug in ("no-such-link", "x" * 200, "%00"):
        response = device_start(client, slug)
        assert response.status_code == 404, slug
        assert response.json()["reason"] == "invalid"
    assert not Draft.objects.exists()


def test_a_closed_waves_device_link_is_410(client, wave, device_link):
    services.close_wave(wave=wave, actor=SYSTEM)
    response = device_start(client, device_link.slug)
    assert response.status_code == 410
    assert response.json()["reason"] == "closed"
    assert not Draft.objects.exists()


def test_device_starts_are_rate_limited_per_link_and_address(
    client, wave, device_link, settings, trust
):
    settings.COLEAD_DEVICE_START_LIMIT = 3
    for _ in range(3):
        assert device_start(client, device_link.slug).status_code == 201
    limited = device_start(client, device_link.slug)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
    assert Draft.objects.count() == 3
    # Another address, or another ward's link, has its own allowance.
    assert device_start(client, device_link.slug, address="10.0.0.2").status_code == 201
    other = services.device_link_for(wave=wave, unit=trust["units"]["W1"], actor=SYSTEM)
    assert device_start(client, other.slug).status_code == 201


def test_the_rate_limit_is_shared_with_the_device_web_page(client, wave, device_link, settings):
    settings.COLEAD_DEVICE_START_LIMIT = 2
    web = Client(REMOTE_ADDR="10.0.0.1")
    assert web.post(f"/take/device/{device_link.slug}/").status_code == 302
    assert device_start(client, device_link.slug).status_code == 201
    assert device_start(client, device_link.slug).status_code == 429


def test_a_forged_device_token_is_refused(client, wave):
    """A device token that was never handed out cannot be told from one already used (its
    form is deleted when the answers are sent): either way it is refused, storing nothing."""
    before = stored()
    forged = "d" + "b" * 32
    response = submit(client, forged, {"answers": full_answers(wave)})
    assert response.status_code == 409
    assert response.json()["reason"] == "used"
    assert stored() == before
    assert not Response.objects.exists()
