"""The home pages at their edges: a user with no organisation, switching to an organisation
that is not theirs, an unreachable database, a headline with nothing to show, and the to-do
list read once a request."""

import html as htmllib
import re

import pytest
from django.db import OperationalError
from django.test.client import RequestFactory

from colead.accounts.middleware import SESSION_ORG_KEY
from colead.accounts.models import RoleAssignment
from colead.home import todo, views
from colead.home.context_processors import navigation_for
from colead.insights.models import WaveScores
from tests.factories import OrganisationFactory, UserFactory
from tests.integration.insights_fixtures import closed_wave

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def without_organisation(client, db):
    client.force_login(UserFactory(email="nobody@test.test"))
    return client


@pytest.mark.parametrize("address", ["/", "/to-do/"])
def test_a_user_without_a_role_is_told_to_ask_for_one_and_sees_only_home(
    without_organisation, address
):
    response = without_organisation.get(address)
    assert response.status_code == 403
    assert "You do not have a role in any organisation yet" in page_text(response)
    request = RequestFactory().get(address)
    request.user, request.organisation = response.wsgi_request.user, None
    assert [item["text"] for item in navigation_for(request)] == ["Home"]


def test_switching_to_an_organisation_that_is_not_yours_is_refused(client, trust, persona_users):
    user = persona_users["board"]
    RoleAssignment.objects.create(user=user, organisation=trust["other"], role="board")
    stranger = OrganisationFactory(code="STR1", name="Stranger Trust")
    client.force_login(user)
    refused = client.post("/organisation/choose/", {"organisation": str(stranger.pk)})
    assert refused.status_code == 403
    assert client.session.get(SESSION_ORG_KEY) is None
    # The second of the user's two organisations is found past the first.
    chosen = sorted([trust["org"], trust["other"]], key=lambda org: org.pk)[-1]
    moved = client.post("/organisation/choose/", {"organisation": str(chosen.pk)})
    assert moved.status_code == 302 and moved["Location"] == "/"
    assert client.session[SESSION_ORG_KEY] == chosen.pk


def test_healthz_reports_an_unreachable_database_as_unavailable(client, db, monkeypatch):
    def unreachable():
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(views, "_migrations_applied", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "unreachable",
        "migrations_applied": False,
    }


def test_a_survey_without_the_engagement_questions_says_so_on_the_headline(client_for, trust):
    wave = closed_wave(
        trust, {"W1": 14, "W2": 12, "T1": 12}, title="Culture pulse", instruments=["culture-pulse"]
    )
    response = client_for("board").get("/")
    headline = response.context_data["headline"]
    assert headline.engagement is None
    assert "Culture pulse did not ask about staff engagement." in headline.missing
    assert headline.response_rate["href"] == f"/surveys/{wave.pk}/rates/"
    assert "Culture pulse did not ask about staff engagement." in page_text(response)


def test_an_organisation_with_no_units_yet_says_so_on_the_headline(client, db):
    empty = OrganisationFactory(code="NEW1", name="New Trust")
    user = UserFactory(email="new-board@test.test")
    RoleAssignment.objects.create(user=user, organisation=empty, role="board")
    client.force_login(user)
    response = client.get("/")
    headline = response.context_data["headline"]
    assert headline.engagement is None and headline.response_rate is None
    assert "New Trust has no units yet." in headline.missing
    assert "New Trust has no units yet." in page_text(response)


def test_a_kind_without_its_own_count_is_counted_by_reading_it(trust, persona_users):
    listed = [object(), object(), object()]
    kind = todo.ToDoKind("reading", "Read by listing", lambda **_: listed)
    request = RequestFactory().get("/")
    request.user, request.organisation = persona_users["staff"], trust["org"]
    actor = views.Actor.from_request(request)
    assert kind.how_many(actor=actor, organisation=trust["org"]) == 3


def test_the_to_do_list_is_read_once_a_request(trust, persona_users, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user, request.organisation = persona_users["manager"], trust["org"]
    first = todo.for_request(request)
    with django_assert_num_queries(0):
        assert todo.for_request(request) is first


def test_a_survey_whose_results_are_being_prepared_says_so_on_the_headline(client_for, trust):
    wave = closed_wave(trust, {"W1": 14, "W2": 12, "T1": 12}, title="Winter survey")
    WaveScores.objects.filter(wave_id=wave.pk).delete()  # closed, not scored yet
    response = client_for("board").get("/")
    headline = response.context_data["headline"]
    assert headline.engagement is None and headline.response_rate is None
    assert headline.missing == [
        "Staff engagement is not shown: Results of Winter survey are being prepared: its "
        "responses have not been scored yet. Try again in a few minutes, or ask an "
        f"administrator to run colead waves rescore {wave.pk}."
    ]
    assert "Results of Winter survey are being prepared" in page_text(response)
