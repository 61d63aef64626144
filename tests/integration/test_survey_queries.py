"""surveys.queries: one read each for the wave list, a wave, its rates and its device links,
deciding once what each actor may see, so that the pages, the API and the command line
answer alike."""

import pytest
from django.urls import reverse

from colead.accounts.models import ApiToken
from colead.audit.models import AuditEvent
from colead.core.actor import Actor
from colead.lib.errors import Conflict, Invalid, NotFound, Refused
from colead.surveys import queries, services
from tests.integration.waves_fixtures import make_wave, respond, staff_surgery

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("tests")


def as_user(user) -> Actor:
    return Actor.of_user(user, source="web")


@pytest.fixture
def waves(trust):
    """A draft on MED, an open wave on MED and an open wave on SURG only (threshold 5)."""
    staff_surgery(trust)
    return {
        "draft": make_wave(trust, title="Draft on MED", threshold=5),
        "med": make_wave(trust, title="Open on MED", threshold=5, launch=True),
        "surg": make_wave(trust, units=("SURG",), title="Open on SURG", threshold=5, launch=True),
    }


def titles(listing) -> list[str]:
    return [summary.wave.title for summary in listing.waves]


def test_each_actor_lists_the_waves_they_may_see(trust, persona_users, waves):
    org = trust["org"]
    everything = ["Open on SURG", "Open on MED", "Draft on MED"]
    assert titles(queries.wave_list(actor=SYSTEM, organisation=org)) == everything
    od = queries.wave_list(actor=as_user(persona_users["od"]), organisation=org)
    assert titles(od) == everything and od.reach.can_manage
    board = queries.wave_list(actor=as_user(persona_users["board"]), organisation=org)
    assert titles(board) == ["Open on SURG", "Open on MED"] and not board.reach.can_manage
    manager = queries.wave_list(actor=as_user(persona_users["manager"]), organisation=org)
    assert titles(manager) == ["Open on MED"]
    assert [unit.code for unit in manager.reach.roots] == ["W1"]
    with pytest.raises(Refused, match="may not see the survey waves of TST1"):
        queries.wave_list(actor=as_user(persona_users["staff"]), organisation=org)
    with pytest.raises(Refused):
        queries.wave_list(actor=Actor(), organisation=org)


def test_listed_counts_are_for_the_scope_and_small_ones_are_none(trust, persona_users, waves):
    respond(waves["med"], "W1", 5)
    org = trust["org"]
    whole = {s.wave.title: s for s in queries.wave_list(actor=SYSTEM, organisation=org).waves}
    assert (whole["Open on MED"].invited, whole["Open on MED"].responded) == (8, 5)
    assert (whole["Draft on MED"].invited, whole["Draft on MED"].responded) == (None, None)
    ward = queries.wave_list(actor=as_user(persona_users["manager"]), organisation=org).waves
    # Ward 1: 5 invited, all 5 responded; Ward 2's 3 are outside the manager's view.
    assert [(s.invited, s.responded) for s in ward] == [(5, 5)]


def test_a_wave_out_of_sight_is_not_found_and_managing_needs_the_whole_organisation(
    trust, persona_users, waves
):
    org = trust["org"]
    board, manager = as_user(persona_users["board"]), as_user(persona_users["manager"])
    with pytest.raises(NotFound):
        queries.find_wave(actor=board, organisation=org, wave_id=waves["draft"].pk)
    with pytest.raises(NotFound):
        queries.find_wave(actor=manager, organisation=org, wave_id=waves["surg"].pk)
    with pytest.raises(NotFound):
        queries.find_wave(actor=SYSTEM, organisation=trust["other"], wave_id=waves["med"].pk)
    with pytest.raises(Refused, match="SURVEY_MANAGE over the whole organisation"):
        queries.find_wave(actor=board, organisation=org, wave_id=waves["med"].pk, manage=True)
    found = queries.find_wave(actor=manager, organisation=org, wave_id=waves["med"].pk)
    assert found == waves["med"]


def test_response_rates_check_the_unit_the_scope_and_the_state(trust, persona_users, waves):
    org, manager = trust["org"], as_user(persona_users["manager"])
    med = waves["med"].pk
    with pytest.raises(Invalid) as unknown:
        queries.response_rates(actor=SYSTEM, organisation=org, wave_id=med, unit_code="NOPE")
    assert (unknown.value.source, list(unknown.value.errors)) == ("query", ["unit"])
    with pytest.raises(Refused, match="Ward 2"):
        queries.response_rates(actor=manager, organisation=org, wave_id=med, unit_code="W2")
    draft = waves["draft"].pk
    with pytest.raises(Conflict, match="has not been launched"):
        queries.response_rates(actor=SYSTEM, organisation=org, wave_id=draft)
    shown = queries.response_rates(actor=SYSTEM, organisation=org, wave_id=draft, draft_ok=True)
    assert shown.tables is None
    ward = queries.response_rates(actor=manager, organisation=org, wave_id=med, unit_code="W1")
    assert [unit.code for unit in ward.roots] == ["W1"]
    assert ward.up is None  # Cardiology is outside the manager's view
    assert (
        queries.response_rates(actor=SYSTEM, organisation=org, wave_id=med, unit_code="W1").up
        == (trust["units"]["CARD"])
    )


def test_a_poster_read_is_audited_once_as_its_reader(trust, persona_users, waves):
    link = services.device_link_for(wave=waves["med"], unit=trust["units"]["W1"], actor=SYSTEM)
    od = Actor(user=persona_users["od"], address="192.0.2.7")
    read = queries.device_link(
        actor=od, organisation=trust["org"], wave_id=waves["med"].pk, slug=link.slug
    )
    assert read == link
    event = AuditEvent.objects.get(action="survey.device_poster_download")
    assert (event.actor_label, event.ip_address, event.detail) == (
        "od@test.test",
        "192.0.2.7",
        {"unit": "W1"},
    )
    services.close_wave(wave=waves["med"], actor=SYSTEM)
    with pytest.raises(Conflict, match="no longer work"):
        queries.device_link(
            actor=od, organisation=trust["org"], wave_id=waves["med"].pk, slug=link.slug
        )


def test_the_page_and_the_api_hide_a_draft_from_the_board_alike(
    client, client_for, persona_users, waves
):
    draft = waves["draft"]
    token = ApiToken.generate(user=persona_users["board"], name="test")[1]
    from_api = client.get(
        f"/api/v1/waves/{draft.pk}/rates", headers={"Authorization": f"Bearer {token}"}
    )
    assert from_api.status_code == 404
    from_page = client_for("board").get(reverse("surveys:rates", args=[draft.pk]))
    assert from_page.status_code == 404
