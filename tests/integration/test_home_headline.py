"""The board's headline on the home page: engagement and its trend, the latest response
rate, objective coverage and what changed, each taken from the published read behind its
own page (so the same figures, hidden where they are hidden) and linking to it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from colead.accounts.audit_log.words import action_label
from colead.audit.models import AuditEvent
from colead.direction import services as direction_services
from colead.surveys import services as wave_services
from tests.integration.direction_fixtures import SYSTEM, golden_thread
from tests.integration.insights_fixtures import INSTRUMENTS, add_ballots, closed_wave, staff_roster
from tests.integration.waves_fixtures import make_wave

pytestmark = pytest.mark.django_db

COUNTS = {"W1": 14, "W2": 12, "T1": (12, 0.8), "SURG": 6}


@pytest.fixture
def trust_with_results(trust):
    autumn = closed_wave(trust, COUNTS, title="Autumn survey")
    spring = closed_wave(trust, {**COUNTS, "W1": (14, 0.6)}, title="Spring survey", seed=1)
    golden_thread(trust)
    today = timezone.localdate()
    for days in (30, 0):
        direction_services.record_coverage_snapshot(
            organisation=trust["org"], actor=SYSTEM, taken_on=today - timedelta(days=days)
        )
    return autumn, spring


def test_the_board_sees_the_headline_each_figure_as_on_its_own_page(
    client_for, trust, trust_with_results
):
    autumn, spring = trust_with_results
    board = client_for("board")
    headline = board.get("/").context_data["headline"]
    engagement = headline.engagement
    assert engagement["href"] == f"/insights/waves/{spring.pk}/units/TST1-ROOT/"
    unit_page = board.get(engagement["href"]).context_data
    shown = next(line for line in unit_page["dimensions"] if line.code == "engagement")
    assert (engagement["score"], engagement["interval"], engagement["change"]) == (
        shown.score,
        shown.score_interval,
        shown.change,
    )
    assert [point["wave"] for point in engagement["trend"]] == ["Autumn survey", "Spring survey"]
    assert engagement["trend"][-1]["current"]

    rate = headline.response_rate
    assert rate["href"] == f"/surveys/{spring.pk}/rates/"
    rates_page = board.get(rate["href"]).content.decode()
    assert rate["rate"] in rates_page and rate["responded"] in rates_page

    coverage = headline.coverage
    assert coverage["href"] == "/direction/coverage/"
    assert coverage["teams"] in board.get(coverage["href"]).content.decode()
    assert [change["href"] for change in headline.changes] == [
        engagement["href"],
        coverage["href"],
    ]

    html = board.get("/").content.decode()
    for href in (engagement["href"], rate["href"], coverage["href"]):
        assert f'href="{href}"' in html
    assert "What changed" in html


def test_the_headline_is_audited_as_its_own_read_not_as_a_unit_page_with_comments(
    client_for, trust_with_results
):
    _, spring = trust_with_results
    client_for("board").get("/")
    event = AuditEvent.objects.get(action="insights.headline_view")
    assert (event.object_id, event.detail) == (
        str(spring.pk),
        {"unit": "TST1-ROOT", "engagement_shown": True},
    )
    assert not AuditEvent.objects.filter(action="insights.unit_view").exists()
    assert action_label("insights.headline_view") == "The organisation's headline results viewed"


def test_the_headline_equals_the_organisation_row_of_its_unit_page_hidden_where_it_is(
    client_for, trust
):
    """Too few answers for the organisation's score to be shown: hidden on both alike."""
    wave = closed_wave(trust, {"W1": 6, "W2": 4}, threshold=11, title="Small survey")
    board = client_for("board")
    engagement = board.get("/").context_data["headline"].engagement
    unit_page = board.get(f"/insights/waves/{wave.pk}/units/TST1-ROOT/").context_data
    shown = next(line for line in unit_page["dimensions"] if line.code == "engagement")
    assert (engagement["score"], engagement["interval"], engagement["hidden"]) == (
        shown.score,
        shown.score_interval,
        shown.hidden,
    )
    assert engagement["hidden"] and not engagement["score"]


def _closed_wave_to(trust, units, counts, title):
    staff_roster(trust, counts)
    wave = make_wave(
        trust, units=units, threshold=5, title=title, instruments=INSTRUMENTS, launch=True
    )
    for code, count in counts.items():
        add_ballots(wave, code, count)
    return wave_services.close_wave(wave=wave, actor=SYSTEM)


def test_a_pulse_sent_to_part_of_the_organisation_is_not_its_headline(client_for, trust):
    """The main survey went to every division (the organisation as a whole); the ward's
    pulse closed later, to one ward."""
    main = _closed_wave_to(trust, ("MED", "SURG"), {"W1": 14, "W2": 12, "T1": 12}, "Main survey")
    _closed_wave_to(trust, ("W1",), {"W1": 14}, "Ward pulse")
    engagement = client_for("board").get("/").context_data["headline"].engagement
    assert engagement["wave"] == "Main survey"
    assert engagement["href"] == f"/insights/waves/{main.pk}/units/TST1-ROOT/"


def test_no_headline_for_managers_and_staff_and_none_before_a_survey(client_for, trust):
    for persona in ("manager", "staff"):
        assert client_for(persona).get("/").context_data["headline"] is None
    golden_thread(trust)
    headline = client_for("board").get("/").context_data["headline"]
    assert headline.engagement is None and headline.response_rate is None
    assert headline.coverage is not None
    assert headline.missing == [
        "No survey of the whole of Test Trust has closed yet: staff engagement follows when "
        "one has."
    ]
