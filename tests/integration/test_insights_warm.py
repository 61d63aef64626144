"""Warming a web process: ``run`` logs what it built and never raises; ``warm_wave`` fits
the comment themes of an organisation's latest wave only; ``_latest_waves`` keeps the latest
few closed waves of each organisation, the latest first."""

import logging
import threading

import pytest
from django.core.cache import cache

from colead.insights import results as rs
from colead.insights import themes, warm
from colead.insights import unit_results as ur
from colead.surveys.services import wave_instruments
from tests.integration.insights_fixtures import closed_wave
from tests.integration.test_insights_unit_page import (
    SPRING,
    SPRING_COMMENTERS,
    wave_with_comments,
)

COUNTS = {"W1": 14, "W2": 12, "T1": 12, "SURG": 6}


class ClosedConnection:
    def __init__(self):
        self.closed = 0

    def close(self):
        self.closed += 1


@pytest.fixture
def connection(monkeypatch):
    recorder = ClosedConnection()
    monkeypatch.setattr(warm, "connection", recorder)
    return recorder


def test_run_logs_how_long_warming_took_and_closes_its_connection(monkeypatch, connection, caplog):
    calls = []

    def warmed(**kwargs):
        calls.append(kwargs)
        return {"charts": 1.0, "wave 7": 0.5}

    monkeypatch.setattr(warm, "warm", warmed)
    with caplog.at_level(logging.INFO, logger=warm.__name__):
        assert warm.run() is None
    assert calls == [{"prepared": True}]  # prepare ran already: not again
    [record] = caplog.records
    assert record.levelno == logging.INFO
    assert record.getMessage() == "Results caches warmed in 1.5 s (charts 1.0 s, wave 7 0.5 s)"
    assert connection.closed == 1


def test_a_failure_while_warming_is_logged_not_raised_and_the_connection_closed(
    monkeypatch, connection, caplog
):
    def broken(**kwargs):
        raise RuntimeError("the chart renderer would not start")

    monkeypatch.setattr(warm, "warm", broken)
    with caplog.at_level(logging.INFO, logger=warm.__name__):
        warm.run()  # a cold page is slower, never wrong: nothing is raised
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert "Warming the results caches failed" in record.getMessage()
    assert isinstance(record.exc_info[1], RuntimeError)
    assert "the chart renderer would not start" in caplog.text
    assert connection.closed == 1


@pytest.fixture
def fits(monkeypatch):
    """Each time the comment themes are fitted (not taken from a cache)."""
    fitted = []
    real = themes.fit_themes

    def counted(records, **kwargs):
        fitted.append(len(records))
        return real(records, **kwargs)

    monkeypatch.setattr(themes, "fit_themes", counted)
    rs.memory.clear_all()
    cache.clear()
    return fitted


@pytest.mark.django_db
def test_warming_the_latest_wave_fits_its_comment_themes_once(trust, fits):
    spring = wave_with_comments(trust, SPRING, SPRING_COMMENTERS, title="Spring")
    rs.memory.clear_all()
    cache.clear()
    fits.clear()  # closing the wave may fit them already
    warm.warm_wave(spring, latest=True)
    commenters = sum(SPRING_COMMENTERS.values())
    assert fits == [commenters]
    records = ur.comment_records(spring, wave_instruments(spring))
    ur.wave_themes(spring, records)  # the first page: already fitted
    assert fits == [commenters]


@pytest.mark.django_db
def test_warming_an_earlier_wave_builds_only_what_its_trend_lines_need(trust, fits, monkeypatch):
    spring = wave_with_comments(trust, SPRING, SPRING_COMMENTERS, title="Spring")
    rs.memory.clear_all()
    cache.clear()
    fits.clear()
    warm.warm_wave(spring, latest=False)  # only the tables its trend lines need
    assert fits == []
    built = []
    real = rs._build_table

    def recorded(*args, **kwargs):
        built.append(args[2])  # the level
        return real(*args, **kwargs)

    monkeypatch.setattr(rs, "_build_table", recorded)
    results = rs.load_results(spring)
    for depth in range(results.max_level + 1):
        results.table(level=depth)  # warmed: each depth
    assert built == []
    results.table(level="team")  # the heatmap's kinds are the latest wave's only
    assert built != []


@pytest.mark.django_db
def test_latest_waves_keeps_the_latest_few_of_an_organisation_the_latest_first(trust, monkeypatch):
    first, second, third = (
        closed_wave(trust, COUNTS, title=title) for title in ("Winter", "Spring", "Summer")
    )
    assert warm._latest_waves(2) == [(third, True), (second, False)]
    assert warm._latest_waves(1) == [(third, True)]
    assert warm._latest_waves(5) == [(third, True), (second, False), (first, False)]
    monkeypatch.setattr(warm, "MOST_WAVES", 2)  # the cap over every organisation
    assert warm._latest_waves(5) == [(third, True), (second, False)]


def test_start_warms_in_a_daemon_thread_so_the_worker_serves_at_once(monkeypatch):
    ran_in = []
    monkeypatch.setattr(warm, "run", lambda: ran_in.append(threading.current_thread().name))
    thread = warm.start()
    thread.join(timeout=10)
    assert ran_in == ["colead-warm"]
    assert thread.daemon  # a worker that stops does not wait for it
    assert thread is not threading.current_thread()
