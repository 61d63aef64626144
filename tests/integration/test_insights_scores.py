"""Stored scores: every respondent is scored once, when a wave closes or responses are
imported into a closed wave, stored compactly, and loaded once per process."""

import csv
import io

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from colead.audit.models import AuditEvent
from colead.core.actor import Actor
from colead.insights import engine, scoring, storage
from colead.insights import results as rs
from colead.insights.models import WaveScores
from colead.insights.services import scored_from_responses
from colead.surveys import services
from colead.surveys.imports import import_responses
from colead.surveys.models import Response
from tests.integration.insights_fixtures import add_ballots, closed_wave
from tests.integration.waves_fixtures import make_wave

pytestmark = pytest.mark.django_db


def stored(wave):
    scores = WaveScores.objects.get(wave=wave)
    scheme = scoring.scoring_scheme(services.wave_instruments(wave))
    return scores, storage.unpack(scores.data, scheme)


def reference_scored(wave):
    """What the pure engine makes of the stored responses, straight from their JSON."""
    scheme = scoring.scoring_scheme(services.wave_instruments(wave))
    rows = [
        {"unit": r.reporting_unit_id, "answers": r.answers, "demographics": r.demographics}
        for r in Response.objects.filter(wave=wave)
    ]
    frame = engine.responses_frame(rows)
    return engine.compute_wave_scores(scheme, frame, breakdowns=["staff_group"])


def test_closing_a_wave_scores_every_response_in_the_same_transaction(trust):
    wave = closed_wave(trust, {"W1": 14, "W2": 3, "T1": 12})
    scores, scored = stored(wave)
    assert scores.organisation_id == trust["org"].pk
    assert scores.respondents == 29 == Response.objects.filter(wave=wave).count()
    assert scores.items == len(scored.scheme.items)
    reference = reference_scored(wave)
    # the same respondents: compare per reporting unit, as sorted multisets of code rows
    for unit in np.unique(reference.units):
        mine = scored.codes[scored.units == unit]
        theirs = reference.codes[reference.units == unit]
        assert sorted(map(bytes, mine)) == sorted(map(bytes, theirs))
    index, labels = scored.breakdowns["staff_group"]
    assert set(labels) == {
        "nursing_midwifery_registered",
        "medical_dental",
        "additional_clinical_services",
    }
    assert (index >= 0).all()
    event = AuditEvent.objects.get(action="insights.wave_score")
    assert event.detail["respondents"] == 29
    assert AuditEvent.objects.filter(action="survey.wave_close").count() == 1


def test_the_stored_form_is_compact_and_says_nothing_but_codes_units_and_groups(trust):
    wave = closed_wave(trust, {"W1": 40, "T1": 30})
    scores, scored = stored(wave)
    raw = scored.codes.nbytes + scored.units.nbytes
    assert len(bytes(scores.data)) < raw  # compressed
    with np.load(io.BytesIO(bytes(scores.data)), allow_pickle=False) as archive:
        assert sorted(archive.files) == [
            "breakdown.staff_group.index",
            "breakdown.staff_group.labels",
            "codes",
            "items",
            "units",
        ]
    # rows are in reporting-unit order (nothing of the order of submission)
    assert (np.diff(scored.units) >= 0).all()


def test_an_empty_wave_is_scored_too(trust):
    wave = make_wave(trust, units=("TST1-ROOT",), launch=True)
    wave = services.close_wave(wave=wave, actor=Actor.system("tests"))
    scores, scored = stored(wave)
    assert scores.respondents == 0 and scored.codes.shape == (0, len(scored.scheme.items))
    table = rs.load_results(wave).table(level=1)
    assert {row.unit_code for row in table.rows} == {"MED", "SURG"}
    assert all(row.suppressed == "primary" and row.respondents is None for row in table.rows)


def responses_file(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["unit_code", "staff_group", "mo1", "mo2", "mo3", "in1", "ad1"])
    writer.writerows(rows)
    return buffer.getvalue().encode()


def test_importing_into_a_closed_wave_scores_it_again(trust):
    wave = closed_wave(trust, {"W1": 12, "T1": 12})
    first, _ = stored(wave)
    content = responses_file([["T1", "Medical and Dental", "4", "4", "5", "3", "4"]] * 6)
    import_responses(wave=wave, content=content, filename="paper.csv", actor=Actor.system("tests"))
    second, scored = stored(wave)
    assert second.respondents == 30
    assert second.scored_at > first.scored_at
    assert AuditEvent.objects.filter(action="insights.wave_score").count() == 2
    # the new responses are in the results (loaded afresh: the cache key is scored_at)
    t1 = next(r for r in rs.load_results(wave).table(level=2).rows if r.unit_code == "T1")
    assert t1.respondents == 18


def test_importing_into_an_open_wave_leaves_scoring_to_the_close(trust):
    wave = make_wave(trust, units=("TST1-ROOT",), launch=True, instruments=["staff-engagement"])
    content = responses_file([["W1", "Students", "4", "4", "5", "3", "4"]] * 3)
    import_responses(wave=wave, content=content, filename="paper.csv", actor=Actor.system("tests"))
    assert not WaveScores.objects.filter(wave=wave).exists()
    add_ballots(wave, "W1", 2)
    wave = services.close_wave(wave=wave, actor=Actor.system("tests"))
    assert WaveScores.objects.get(wave=wave).respondents == 5


def test_a_dry_run_import_scores_nothing(trust):
    wave = closed_wave(trust, {"W1": 12})
    before = WaveScores.objects.get(wave=wave).scored_at
    content = responses_file([["W1", "", "4", "4", "5", "3", "4"]])
    import_responses(
        wave=wave, content=content, filename="p.csv", actor=Actor.system("tests"), dry_run=True
    )
    assert WaveScores.objects.get(wave=wave).scored_at == before


def test_results_are_read_from_the_stored_scores_not_the_answers(trust):
    # Ward 2's people answer too: had they all stayed silent, Ward 2 would be a small group
    # and Ward 1 hidden so that Cardiology minus Ward 1 could not give it away.
    wave = closed_wave(trust, {"W1": 12, "W2": 12, "T1": 12})
    Response.objects.filter(wave=wave).update(answers={})  # answers no longer readable
    table = rs.load_results(wave).table(level=3)
    w1 = next(r for r in table.rows if r.unit_code == "W1")
    assert w1.cells["engagement"].score is not None


def test_stored_scores_are_loaded_once_per_process_and_again_after_rescoring(
    trust, django_assert_num_queries
):
    wave = closed_wave(trust, {"W1": 12, "T1": 12})
    rs.load_results(wave).table(level=1)
    (key,) = rs._SCORED.keys()
    assert key[0] == wave.pk
    scored_before = rs._SCORED.get(key)
    rs.load_results(wave).table(level=1)
    assert rs._SCORED.get(key) is scored_before  # not loaded again
    call_command("waves", "rescore", str(wave.pk), stdout=io.StringIO())
    rs.load_results(wave).table(level=1)
    assert len(rs._SCORED) == 2  # a new (wave, scored_at) entry


def test_rescore_command(trust):
    wave = closed_wave(trust, {"W1": 12})
    out = io.StringIO()
    call_command("waves", "rescore", str(wave.pk), stdout=out)
    assert f"Scored wave {wave.pk}: 12 respondents" in out.getvalue()
    open_wave = make_wave(trust, title="Still open", launch=True)
    with pytest.raises(CommandError, match="only a closed wave has scores"):
        call_command("waves", "rescore", str(open_wave.pk))
    with pytest.raises(CommandError, match="There is no wave 999999"):
        call_command("waves", "rescore", "999999")


def test_a_wave_closed_before_scoring_existed_is_not_ready_until_rescored(trust):
    # every unit with people answers, so none is a silent small group that hides Ward 1
    wave = closed_wave(trust, {"W1": 12, "W2": 12, "T1": 12})
    WaveScores.objects.filter(wave=wave).delete()
    with pytest.raises(
        rs.ResultsNotReady, match=rf"being prepared.*colead waves rescore {wave.pk}"
    ):
        rs.load_results(wave)
    assert not WaveScores.objects.filter(wave=wave).exists()  # reading stored nothing
    call_command("waves", "rescore", str(wave.pk), stdout=io.StringIO())
    table = rs.load_results(wave).table(level=3)
    assert next(r for r in table.rows if r.unit_code == "W1").respondents == 12


def test_scored_from_responses_matches_the_engine_on_the_same_frame(trust):
    wave = closed_wave(trust, {"W1": 14, "W2": 6, "T1": 11})
    mine = scored_from_responses(wave)
    reference = reference_scored(wave)
    tree = engine.UnitTree.from_nodes(
        type("N", (), {"id": u.pk, "parent_id": u.parent_id, "name": u.name})
        for u in trust["units"].values()
        if u.organisation_id == trust["org"].pk
    )
    a = engine.unit_statistics(mine, tree)
    b = engine.unit_statistics(reference, tree)
    np.testing.assert_array_equal(a.n, b.n)
    np.testing.assert_allclose(a.total, b.total)
    np.testing.assert_array_equal(a.positive, b.positive)
