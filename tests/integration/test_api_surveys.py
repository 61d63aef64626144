"""/api/v1 survey waves for staff: list, create, get, form, launch, close and rates.

Personas (tests/conftest.py): od and admin manage waves; board, change and the W1 manager
may see response rates (the manager for W1 only); staff may do neither; the outsider holds
a role only in OTH1, so every TST1 wave is 404 to them.
"""

import json

import pytest
from django.test import Client
from django.urls import reverse

from colead.accounts.models import ApiToken
from colead.audit.models import AuditEvent
from colead.core.actor import Actor
from colead.surveys import services
from colead.surveys.models import (
    InstrumentVersion,
    Invitation,
    Wave,
    WaveInstrument,
)
from colead.surveys.services import WaveSettings
from tests.integration.waves_fixtures import device_responses, make_wave, respond, staff_surgery

SYSTEM = Actor.system("tests")

pytestmark = pytest.mark.django_db

MANAGERS = ["od", "admin"]
READERS = ["board", "change", "manager"]


@pytest.fixture
def api(client, persona_users):
    """api(persona, method, path, body=None): a call with that persona's API token."""
    tokens = {}

    def call(persona, method, path, body=None, **extra):
        user = persona_users[persona]
        if user.pk not in tokens:
            tokens[user.pk] = ApiToken.generate(user=user, name="test")[1]
        headers = {"Authorization": f"Bearer {tokens[user.pk]}"}
        if method == "get":
            return client.get(f"/api/v1{path}", body or {}, headers=headers, **extra)
        return client.post(
            f"/api/v1{path}",
            json.dumps(body) if not isinstance(body, str | bytes) else body,
            content_type="application/json",
            headers=headers,
            **extra,
        )

    return call


@pytest.fixture
def waves(trust):
    """A draft on MED, an open wave on MED (W1 and W2), and an open wave on SURG only."""
    staff_surgery(trust)
    return {
        "draft": make_wave(trust, title="Draft on MED"),
        "med": make_wave(trust, title="Open on MED", launch=True),
        "surg": make_wave(trust, units=("SURG",), title="Open on SURG", launch=True),
    }


def new_wave_body(**changes):
    body = {"title": "Autumn pulse", "instruments": ["culture-pulse"], "units": ["MED"]}
    body.update(changes)
    return body


def counts():
    """What a refused request must not change (its refusal is audited, nothing else)."""
    return (
        Wave.objects.count(),
        WaveInstrument.objects.count(),
        InstrumentVersion.objects.count(),
        AuditEvent.objects.exclude(action="api.refused").count(),
    )


# -- listing --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", MANAGERS)
def test_wave_managers_list_every_wave_with_its_settings(api, waves, persona):
    response = api(persona, "get", "/organisations/TST1/waves")
    assert response.status_code == 200, response.content
    rows = {row["title"]: row for row in response.json()}
    assert set(rows) == {"Draft on MED", "Open on MED", "Open on SURG"}
    med = rows["Open on MED"]
    assert med["id"] == waves["med"].pk
    assert med["status"] == "open"
    assert med["instruments"] == ["culture-pulse@1", "team-working@1"]
    assert med["units"] == ["MED"]
    assert med["reporting_threshold"] == 11
    assert med["opens_on"] is not None and med["closes_on"] is None
    assert rows["Draft on MED"]["status"] == "draft"


def test_board_sees_launched_waves_only(api, waves):
    rows = api("board", "get", "/organisations/TST1/waves").json()
    assert {row["title"] for row in rows} == {"Open on MED", "Open on SURG"}
    assert all(row["units"] is not None for row in rows)


def test_a_manager_sees_only_waves_surveying_their_subtree(api, waves):
    rows = api("manager", "get", "/organisations/TST1/waves").json()
    assert [row["title"] for row in rows] == ["Open on MED"]
    # The units surveyed are the whole organisation's business, not a ward manager's.
    assert rows[0]["units"] is None


def test_staff_may_not_list_waves_and_outsiders_find_nothing(api, waves, client):
    assert api("staff", "get", "/organisations/TST1/waves").status_code == 403
    assert api("outsider", "get", "/organisations/TST1/waves").status_code == 404
    assert api("outsider", "get", "/organisations/OTH1/waves").json() == []
    assert client.get("/api/v1/organisations/TST1/waves").status_code == 401


# -- creating -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", MANAGERS)
def test_wave_managers_create_a_draft_wave(api, trust, persona_users, persona):
    response = api(
        persona,
        "post",
        "/organisations/TST1/waves",
        new_wave_body(
            instruments=["culture-pulse@1", "team-working"],
            units=["W1", "SURG"],
            staff_groups=["Nursing and midwifery registered"],
            opens_on="2030-03-01",
            closes_on="2030-03-31",
            reporting_threshold=7,
            respondent_chooses_unit=True,
        ),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    wave = Wave.objects.get(pk=body["id"])
    assert wave.organisation == trust["org"] and wave.is_draft
    assert body["status"] == "draft"
    assert body["title"] == "Autumn pulse"
    assert body["instruments"] == ["culture-pulse@1", "team-working@1"]
    assert body["units"] == ["SURG", "W1"]
    assert body["staff_groups"] == ["nursing_midwifery_registered"]
    assert (body["opens_on"], body["closes_on"]) == ("2030-03-01", "2030-03-31")
    assert body["reporting_threshold"] == 7
    assert body["comment_threshold"] == 10
    assert body["respondent_chooses_unit"] is True
    event = AuditEvent.objects.get(action="survey.wave_create")
    assert event.actor == persona_users[persona]
    assert event.object_id == str(wave.pk)


def test_the_reporting_threshold_defaults_to_eleven(api, trust):
    body = api("od", "post", "/organisations/TST1/waves", new_wave_body()).json()
    assert body["reporting_threshold"] == 11


@pytest.mark.parametrize("persona", ["board", "change", "manager", "staff"])
def test_others_may_not_create_waves(api, trust, persona):
    before = counts()
    response = api(persona, "post", "/organisations/TST1/waves", new_wave_body())
    assert response.status_code == 403
    assert counts() == before


def test_outsiders_cannot_create_waves_in_another_organisation(api, trust):
    before = counts()
    assert api("outsider", "post", "/organisations/TST1/waves", new_wave_body()).status_code == 404
    assert counts() == before


BAD_WAVES = [
    ({"title": ""}, ["title"], "Enter a title"),
    ({"title": "   "}, ["title"], "Enter a title"),
    ({"title": "x" * 201}, ["title"], "200"),
    ({"title": "a\x00b"}, ["title"], "NUL"),
    ({"instruments": []}, ["instruments"], "at least 1"),
    ({"instruments": ["culture-pulse", "no-such"]}, ["instruments", 1], "no instrument 'no-such'"),
    ({"instruments": ["culture-pulse@x"]}, ["instruments", 0], "not an instrument code"),
    ({"instruments": ["culture-pulse@9"]}, ["instruments", 0], "no instrument"),
    ({"instruments": ["culture-pulse", "culture-pulse@1"]}, ["instruments"], "once"),
    ({"units": []}, ["units"], "at least 1"),
    ({"units": ["MED", "NOPE"]}, ["units", 1], "no unit 'NOPE' in TST1"),
    ({"units": ["OTH-ROOT"]}, ["units", 0], "no unit 'OTH-ROOT'"),
    ({"units": ["MED\x00"]}, ["units"], "NUL"),
    ({"staff_groups": ["wizards"]}, ["staff_groups", 0], "Unknown staff group 'wizards'"),
    ({"reporting_threshold": 4}, ["reporting_threshold"], "greater than or equal to 5"),
    ({"comment_threshold": 2}, ["comment_threshold"], "greater than or equal to 5"),
    ({"reporting_threshold": "many"}, ["reporting_threshold"], "integer"),
    ({"opens_on": "2030-03-31", "closes_on": "2030-03-01"}, ["closes_on"], "on or after"),
    ({"opens_on": "31/03/2030"}, ["opens_on"], "date"),
    ({"colour": "blue"}, ["colour"], "Extra inputs"),
]


@pytest.mark.parametrize(
    ("changes", "loc", "message"), BAD_WAVES, ids=[str(loc) for _, loc, _ in BAD_WAVES]
)
def test_bad_wave_settings_are_422_naming_the_field_and_store_nothing(
    api, trust, changes, loc, message
):
    before = counts()
    response = api("od", "post", "/organisations/TST1/waves", new_wave_body(**changes))
    assert response.status_code == 422, response.content
    errors = response.json()["detail"]
    matching = [e for e in errors if e["loc"] == ["body", "data", *loc]]
    assert matching, errors
    assert any(message in e["msg"] for e in matching), errors
    # Nothing stored: no wave, not even the built-in instruments imported on the way.
    assert counts() == before


def test_every_bad_wave_setting_is_reported_at_once(api, trust):
    response = api(
        "od",
        "post",
        "/organisations/TST1/waves",
        new_wave_body(title=" ", instruments=["nope"], units=["NOPE"], staff_groups=["x"]),
    )
    assert response.status_code == 422
    locs = {tuple(e["loc"][2:]) for e in response.json()["detail"]}
    assert locs == {("title",), ("instruments", 0), ("units", 0), ("staff_groups", 0)}


@pytest.mark.parametrize("body", ["[1, 2]", '"a wave"', "null", "{}"])
def test_a_body_that_is_not_a_wave_is_422(api, trust, body):
    before = counts()
    response = api("od", "post", "/organisations/TST1/waves", body)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][0] == "body"
    assert counts() == before


def test_a_body_that_is_not_json_is_400(api, trust):
    before = counts()
    response = api("od", "post", "/organisations/TST1/waves", "{title: oops")
    assert response.status_code == 400
    assert counts() == before


def test_the_session_needs_csrf_to_create_a_wave_and_a_token_does_not(trust, persona_users):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(persona_users["od"])
    url = "/api/v1/organisations/TST1/waves"
    body = json.dumps(new_wave_body())
    refused = browser.post(url, body, content_type="application/json")
    assert refused.status_code == 403
    assert Wave.objects.count() == 0

    secret = "a" * 32
    browser.cookies["csrftoken"] = secret
    allowed = browser.post(
        url, body, content_type="application/json", headers={"X-CSRFToken": secret}
    )
    assert allowed.status_code == 201, allowed.content

    _, raw = ApiToken.generate(user=persona_users["od"])
    script = Client(enforce_csrf_checks=True)
    response = script.post(
        url, body, content_type="application/json", headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 201
    assert Wave.objects.count() == 2


# -- one wave and its form --------------------------------------------------------------------


@pytest.mark.parametrize("persona", [*MANAGERS, *READERS])
def test_rate_viewers_get_a_launched_wave(api, waves, persona):
    response = api(persona, "get", f"/waves/{waves['med'].pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Open on MED" and body["status"] == "open"
    assert (body["units"] is None) == (persona == "manager")


def test_who_gets_which_wave(api, waves, trust):
    draft, med, surg = waves["draft"].pk, waves["med"].pk, waves["surg"].pk
    assert api("od", "get", f"/waves/{draft}").status_code == 200
    assert api("board", "get", f"/waves/{draft}").status_code == 404  # drafts: managers only
    assert api("manager", "get", f"/waves/{surg}").status_code == 404  # not their subtree
    assert api("staff", "get", f"/waves/{med}").status_code == 403
    assert api("outsider", "get", f"/waves/{med}").status_code == 404
    assert api("od", "get", "/waves/999999").status_code == 404
    assert api("od", "get", "/waves/0").status_code == 422
    assert api("od", "get", "/waves/not-a-number").status_code == 422


def test_another_organisations_wave_is_404_even_to_its_admin_elsewhere(api, trust):
    services.ensure_builtin_instruments(organisation=trust["other"], actor=SYSTEM)
    other = services.create_wave(
        organisation=trust["other"],
        settings=WaveSettings(
            title="Theirs", instruments=["culture-pulse"], unit_codes=["OTH-ROOT"]
        ),
        actor=SYSTEM,
    )
    for path in ("", "/form", "/rates"):
        assert api("admin", "get", f"/waves/{other.pk}{path}").status_code == 404
    assert api("admin", "post", f"/waves/{other.pk}/launch").status_code == 404
    assert api("outsider", "get", f"/waves/{other.pk}").status_code == 200


def test_the_form_lists_instruments_sections_and_items_in_order(api, waves):
    response = api("board", "get", f"/waves/{waves['med'].pk}/form")
    assert response.status_code == 200, response.content
    form = response.json()
    assert form["wave_id"] == waves["med"].pk
    assert form["respondent_chooses_unit"] is False and form["reporting_units"] == []
    assert [i["code"] for i in form["instruments"]] == ["culture-pulse", "team-working"]
    team = form["instruments"][1]
    assert [s["code"] for s in team["sections"]] == ["your_team", "climate"]
    items = {item["code"]: item for s in team["sections"] for item in s["items"]}
    assert items["in_team"]["type"] == "yes_no"
    assert items["in_team"]["options"] == [
        {"code": "yes", "label": "Yes"},
        {"code": "no", "label": "No"},
    ]
    assert items["rt_objectives"]["show_if"] == {"item": "in_team", "values": ["yes"]}
    assert items["tc1"]["options"][0] == {"code": "1", "label": "Strongly disagree"}
    assert len(items["tc1"]["options"]) == 5
    assert items["tc1"]["dont_know"] is True
    assert items["in_team"]["show_if"] is None
    pulse = {item["code"]: item for s in form["instruments"][0]["sections"] for item in s["items"]}
    assert pulse["comment"]["type"] == "free_text"
    assert pulse["comment"]["max_length"] == 2000
    assert pulse["comment"]["options"] == []
    assert set(pulse["comment"]) == {
        "code", "text", "hint", "type", "options", "dont_know", "required", "show_if",
        "min", "max", "max_length",
    }  # fmt: skip


def test_the_form_offers_teams_when_respondents_choose(api, trust):
    wave = make_wave(trust, units=("SURG",), respondent_chooses_unit=True)
    form = api("od", "get", f"/waves/{wave.pk}/form").json()
    assert form["respondent_chooses_unit"] is True
    assert {u["code"] for u in form["reporting_units"]} == {"SURG", "T1"}


def test_staff_and_outsiders_get_no_form(api, waves):
    assert api("staff", "get", f"/waves/{waves['med'].pk}/form").status_code == 403
    assert api("outsider", "get", f"/waves/{waves['med'].pk}/form").status_code == 404


# -- launching and closing ----------------------------------------------------------------


@pytest.mark.parametrize("persona", MANAGERS)
def test_wave_managers_launch_a_draft(api, waves, persona_users, persona):
    wave = waves["draft"]
    response = api(persona, "post", f"/waves/{wave.pk}/launch")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "open"
    assert response.json()["launched_at"] is not None
    wave.refresh_from_db()
    assert wave.is_open
    assert Invitation.objects.filter(wave=wave).count() == 8
    for action in ("survey.wave_launch", "survey.invitations_queue"):
        event = AuditEvent.objects.get(action=action, object_id=str(wave.pk))
        assert event.actor == persona_users[persona]

    again = api(persona, "post", f"/waves/{wave.pk}/launch")
    assert again.status_code == 409
    assert "already been launched" in again.json()["detail"]
    assert Invitation.objects.filter(wave=wave).count() == 8


def test_the_api_and_the_page_refuse_a_second_launch_alike(api, client_for, waves):
    wave = waves["med"]
    launches = AuditEvent.objects.filter(action="survey.wave_launch").count()
    from_api = api("od", "post", f"/waves/{wave.pk}/launch")
    from_page = client_for("od").post(reverse("surveys:launch", args=[wave.pk]))
    assert from_api.status_code == 409
    assert from_api.json() == {"detail": "Open on MED has already been launched."}
    assert from_page.status_code == 400
    assert from_page.context_data["error_list"] == [
        {"text": "Open on MED has already been launched.", "href": "#launch"}
    ]
    assert "nhsuk-error-summary" in from_page.content.decode()
    assert AuditEvent.objects.filter(action="survey.wave_launch").count() == launches


def test_a_wave_that_would_invite_nobody_is_not_launched(api, trust):
    wave = make_wave(trust, staff_groups=["estates_ancillary"])
    response = api("od", "post", f"/waves/{wave.pk}/launch")
    assert response.status_code == 409
    assert "Nobody matches" in response.json()["detail"]
    wave.refresh_from_db()
    assert wave.is_draft
    assert not Invitation.objects.filter(wave=wave).exists()


@pytest.mark.parametrize("action", ["launch", "close"])
@pytest.mark.parametrize(("persona", "status"), [*[(p, 403) for p in READERS], ("staff", 403), ("outsider", 404)])  # fmt: skip
def test_only_wave_managers_launch_and_close(api, waves, action, persona, status):
    wave = waves["draft"] if action == "launch" else waves["med"]
    before = (
        wave.status,
        AuditEvent.objects.exclude(action="api.refused").count(),
        Invitation.objects.count(),
    )
    assert api(persona, "post", f"/waves/{wave.pk}/{action}").status_code == status
    wave.refresh_from_db()
    assert (
        wave.status,
        AuditEvent.objects.exclude(action="api.refused").count(),
        Invitation.objects.count(),
    ) == before


def test_wave_managers_close_an_open_wave(api, waves, persona_users):
    wave = waves["med"]
    respond(wave, "W1", 2)
    response = api("od", "post", f"/waves/{wave.pk}/close")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    wave.refresh_from_db()
    assert wave.is_closed and wave.responses.count() == 2
    event = AuditEvent.objects.get(action="survey.wave_close")
    assert event.actor == persona_users["od"]

    again = api("od", "post", f"/waves/{wave.pk}/close")
    assert again.status_code == 409
    assert "Only an open wave" in again.json()["detail"]
    draft = api("od", "post", f"/waves/{waves['draft'].pk}/close")
    assert draft.status_code == 409


# -- response rates ----------------------------------------------------------------------------


@pytest.fixture
def whole_trust_wave(trust):
    """Everyone invited (W1 5, W2 3, T1 4: 12 in all), threshold 5; all of W1 answered, and
    two people on T1's shared device."""
    wave = make_wave(trust, units=("TST1-ROOT",), threshold=5, launch=True)
    respond(wave, "W1", 5)
    device_responses(wave, trust["units"]["T1"], 2)
    return wave


def assert_nothing_small_is_shown(body):
    threshold = body["threshold"]
    for row in body["units"] + body["staff_groups"]:
        for key in ("invited", "responded"):
            value = row[key]
            assert value is None or value >= threshold, row
            hidden_texts = (f"fewer than {threshold}", "not shown")
            assert (value is None) == (row[f"{key}_text"] in hidden_texts), row
        assert row["suppressed"] == (row["invited"] is None or row["responded"] is None)
        if row["suppressed"]:
            assert row["rate"] is None
    for period in body["by_day"]:
        assert period["responses"] is None or period["responses"] >= threshold


@pytest.mark.parametrize("persona", ["board", "change", "od", "admin"])
def test_whole_organisation_rates_rolled_up_with_small_counts_hidden(
    api, whole_trust_wave, persona
):
    response = api(persona, "get", f"/waves/{whole_trust_wave.pk}/rates")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["threshold"] == 5 and body["fewer_than"] == "fewer than 5"
    assert body["scope"] == ["TST1-ROOT"]
    units = {row["code"]: row for row in body["units"]}
    assert set(units) == {"TST1-ROOT", "MED", "CARD", "W1", "W2", "SURG", "T1"}
    root = units["TST1-ROOT"]
    assert (root["invited"], root["responded"], root["rate"]) == (12, 7, round(7 / 12, 4))
    assert root["parent_code"] is None and root["depth"] == 0
    # Medicine, Cardiology and Ward 1 are hidden too: the trust's figures minus theirs
    # would reveal Surgery's small counts.
    assert (units["MED"]["invited"], units["MED"]["responded"]) == (None, None)
    assert units["MED"]["invited_text"] == "not shown"
    assert (units["W1"]["invited"], units["W1"]["responded"], units["W1"]["rate"]) == (
        None,
        None,
        None,
    )
    assert units["W1"]["parent_code"] == "CARD" and units["W1"]["depth"] == 3
    for code in ("W2", "SURG", "T1"):
        assert units[code]["suppressed"] is True, code
        assert units[code]["rate"] is None
    assert units["W2"]["invited"] is None and units["W2"]["invited_text"] == "fewer than 5"
    groups = {row["code"]: row for row in body["staff_groups"]}
    nurses = groups["nursing_midwifery_registered"]
    # nurses' 5 responses are all the staff groups' 5: shown, they would say that none of
    # Theatres' 4 people answered by email (issue 11: nobody responding is a small count)
    assert (nurses["invited"], nurses["responded"]) == (None, None)
    assert groups["additional_clinical_services"]["invited"] is None
    assert body["shared_device_responses"] is None  # 2 < 5
    assert [p["responses"] for p in body["by_day"]] == [7]
    assert_nothing_small_is_shown(body)


def test_a_manager_gets_their_subtree_only(api, whole_trust_wave):
    body = api("manager", "get", f"/waves/{whole_trust_wave.pk}/rates").json()
    assert body["scope"] == ["W1"]
    assert [row["code"] for row in body["units"]] == ["W1"]
    assert body["units"][0]["parent_code"] is None
    # Ward 1's totals are hidden, so its one staff group (which would equal them) is too.
    assert [(g["code"], g["invited"]) for g in body["staff_groups"]] == [
        ("nursing_midwifery_registered", None)
    ]
    assert_nothing_small_is_shown(body)
    assert api("manager", "get", f"/waves/{whole_trust_wave.pk}/rates", {"unit": "CARD"}).status_code == 403  # fmt: skip


def test_rates_narrow_to_a_unit(api, whole_trust_wave):
    body = api("board", "get", f"/waves/{whole_trust_wave.pk}/rates", {"unit": "CARD"}).json()
    assert body["scope"] == ["CARD"]
    assert [row["code"] for row in body["units"]] == ["CARD", "W1", "W2"]
    unknown = api("board", "get", f"/waves/{whole_trust_wave.pk}/rates", {"unit": "NOPE"})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["query", "unit"]


def test_rates_refusals(api, waves, whole_trust_wave):
    assert api("staff", "get", f"/waves/{whole_trust_wave.pk}/rates").status_code == 403
    assert api("outsider", "get", f"/waves/{whole_trust_wave.pk}/rates").status_code == 404
    draft = api("od", "get", f"/waves/{waves['draft'].pk}/rates")
    assert draft.status_code == 409
    assert "not been launched" in draft.json()["detail"]


def test_rates_of_a_closed_wave_count_its_responses(api, whole_trust_wave):
    services.close_wave(wave=whole_trust_wave, actor=SYSTEM)
    body = api("board", "get", f"/waves/{whole_trust_wave.pk}/rates").json()
    assert body["status"] == "closed"
    root = body["units"][0]
    assert (root["invited"], root["responded"]) == (12, 7)


STAFF_OPERATIONS = [
    ("get", "/organisations/TST1/waves"),
    ("post", "/organisations/TST1/waves"),
    ("get", "/waves/{id}"),
    ("get", "/waves/{id}/form"),
    ("get", "/waves/{id}/rates"),
    ("post", "/waves/{id}/launch"),
    ("post", "/waves/{id}/close"),
]


@pytest.mark.parametrize(("method", "path"), STAFF_OPERATIONS)
@pytest.mark.parametrize("auth", [None, "Bearer colead_not-a-real-token"])
def test_staff_operations_need_sign_in(client, waves, method, path, auth):
    before = counts()
    headers = {"Authorization": auth} if auth else {}
    url = "/api/v1" + path.format(id=waves["draft"].pk)
    if method == "get":
        response = client.get(url, headers=headers)
    else:
        response = client.post(
            url, json.dumps(new_wave_body()), content_type="application/json", headers=headers
        )
    assert response.status_code == 401
    assert counts() == before
