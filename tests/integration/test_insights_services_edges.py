"""store_wave_scores on the waves its callers never hand it today: every caller (closing,
generalising, importing into a closed wave, ``colead waves rescore``) passes a closed wave, but
the service is public, so a draft is refused and an open wave is scored without fitting
comment themes (those wait for the wave to close)."""

import pytest

from colead.audit.models import AuditEvent
from colead.core.actor import Actor
from colead.insights.models import WaveScores
from colead.insights.services import store_wave_scores
from colead.lib.errors import Conflict
from tests.integration.insights_fixtures import add_ballots
from tests.integration.waves_fixtures import make_wave

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("tests")


def test_a_draft_wave_is_refused_and_nothing_is_stored_or_audited(trust):
    wave = make_wave(trust, title="Autumn draft")
    with pytest.raises(Conflict) as raised:
        store_wave_scores(wave=wave, actor=SYSTEM)
    assert str(raised.value) == "Autumn draft is a draft: it has no responses to score."
    assert not WaveScores.objects.filter(wave=wave).exists()
    assert not AuditEvent.objects.filter(action="insights.wave_score").exists()


def test_an_open_wave_is_scored_but_its_comment_themes_wait_for_the_close(
    trust, django_capture_on_commit_callbacks
):
    wave = make_wave(trust, launch=True)
    assert wave.is_open
    with django_capture_on_commit_callbacks(execute=False) as queued:
        scores = store_wave_scores(wave=wave, actor=SYSTEM)
    assert queued == []
    assert scores.respondents == 0
    assert WaveScores.objects.get(wave=wave).pk == scores.pk
    event = AuditEvent.objects.get(action="insights.wave_score")
    assert event.actor_label == "system (tests)"
    assert event.detail["respondents"] == 0


def test_a_closed_wave_queues_its_comment_themes_once_scored(
    trust, django_capture_on_commit_callbacks
):
    wave = make_wave(trust, units=("W1", "W2"), threshold=5, launch=True)
    add_ballots(wave, "W1", 5)
    from colead.surveys.services import close_wave

    wave = close_wave(wave=wave, actor=SYSTEM)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        scores = store_wave_scores(wave=wave, actor=SYSTEM)
    assert len(queued) == 1
    assert scores.respondents == 5
