"""Warming a web process when it starts, so that the first person to open a results page
does not wait for what every page needs once per process.

The first results page after a start used to take several seconds (7 s for a unit page of
the demo trust): importing scikit-learn, SciPy and polars, compiling the templates, starting
the chart renderer, then decoding each wave's stored scores and building its protected
tables and comment themes. Two steps, both called as the web process starts:

- ``prepare`` imports the libraries and compiles the templates: no database, no thread, so
  gunicorn can run it in the master before it forks the workers (``colead.config.wsgi``);
- ``run`` starts the chart renderer and builds the latest closed waves of each
  organisation: under ``runserver`` (the demo) before it serves, so that the first page is
  as quick as the rest (a page arriving while a background thread warmed took longer than
  a cold one: they share two cores); ``start`` does the same in a background thread, in
  each gunicorn worker after the fork (``post_fork`` in gunicorn.conf.py), so that workers
  start serving at once. A page that arrives meanwhile waits for the part it needs (the
  caches build each thing once) rather than building it again.

Warming only reads and fills the per-process caches (``colead.lib.memory``); it shows no
figure to anyone, so it writes no audit event. Any failure is logged and ignored: a cold
page is slower, never wrong.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import connection

from colead.insights import results as rs
from colead.insights import unit_results as ur
from colead.surveys.services import wave_instruments

log = logging.getLogger(__name__)

WAVES_PER_ORGANISATION = 2  # the latest closed waves, and with them the waves before them
MOST_WAVES = 6  # in all, so that warming many organisations does not push out what it built
UNIT_PAGE_DEPTHS = 3  # the organisation's, divisions' and directorates' unit pages


def prepare() -> dict[str, float]:
    """The libraries and templates, with no database and no thread (safe before a fork).
    Returns the seconds each step took."""
    timings: dict[str, float] = {}
    _timed(timings, "libraries", _import_libraries)
    _timed(timings, "templates", _compile_templates)
    return timings


def start() -> threading.Thread:
    """``run`` in a background (daemon) thread; returns the thread."""
    thread = threading.Thread(target=run, name="colead-warm", daemon=True)
    thread.start()
    return thread


def run() -> None:
    """Warm the rest (``warm``, after ``prepare``), logging how long it took; a failure is
    logged, never raised. Closes this thread's database connection."""
    try:
        timings = warm(prepared=True)
        log.info("Results caches warmed in %s", _described(timings))
    except Exception:  # a cold page is slower, never wrong: log and carry on
        log.exception("Warming the results caches failed; pages will build them on first use.")
    finally:
        connection.close()  # this thread's own connection


def warm(
    *, prepared: bool = False, waves_per_organisation: int = WAVES_PER_ORGANISATION
) -> dict[str, float]:
    """Everything a first results page would otherwise do once: the libraries and the
    templates (unless ``prepared`` already), the chart renderer, then each organisation's
    latest closed, scored waves. Returns the seconds each step took."""
    timings = {} if prepared else prepare()
    _timed(timings, "charts", _start_charts)
    for wave, latest in _latest_waves(waves_per_organisation):
        _timed(timings, f"wave {wave.pk}", lambda w=wave, x=latest: warm_wave(w, latest=x))
    return timings


def warm_wave(wave, *, latest: bool = True) -> None:
    """A closed wave's results (and its previous wave's) and its tables: for the latest
    wave of an organisation, those of the heatmap at every kind of unit and depth, of the
    unit pages of the top levels (every question), of the organisation by each breakdown
    (the weighted score's) and its comment themes; for an earlier wave, those its trend
    lines need (each depth). About 20 and 5 tables: the cache keeps 64."""
    results = rs.load_results(wave)
    depths = range(results.max_level + 1)
    for depth in depths:
        results.table(level=depth)
    if not latest:
        return
    for kind in results.level_kinds():
        results.table(level=kind)
    for depth in depths[:UNIT_PAGE_DEPTHS]:
        results.table(level=depth, measures="all")
    for breakdown in results.breakdowns():
        results.table(level=0, breakdown=breakdown)
    records = ur.comment_records(wave, wave_instruments(wave))
    if records:
        ur.wave_themes(wave, records)


def _latest_waves(count: int) -> list:
    """(wave, whether it is its organisation's latest) for the latest ``count`` closed
    waves with stored scores of each organisation: every organisation's latest first, then
    the ones before; ``MOST_WAVES`` at most."""
    from colead.surveys.models import Wave, WaveStatus

    waves = (
        Wave.objects.filter(status=WaveStatus.CLOSED, scores__isnull=False)
        .select_related("organisation")
        .order_by("organisation_id", "-closed_at", "-pk")
    )
    chosen: dict[int, list] = {}
    for wave in waves:
        kept = chosen.setdefault(wave.organisation_id, [])
        if len(kept) < count:
            kept.append(wave)
    ordered = [(kept[i], i == 0) for i in range(count) for kept in chosen.values() if i < len(kept)]
    return ordered[:MOST_WAVES]


def _import_libraries() -> None:
    """The libraries the results pages load on first use (seconds for scikit-learn alone)."""
    import polars  # noqa: F401
    import scipy.stats  # noqa: F401
    import sklearn.decomposition  # noqa: F401
    import sklearn.feature_extraction.text  # noqa: F401


def _compile_templates() -> None:
    """Every Jinja template, compiled once now rather than by the first page using it."""
    from django.template import engines

    env = engines["jinja2"].env
    for name in env.list_templates(extensions=["jinja", "html"]):
        env.get_template(name)


def _start_charts() -> None:
    """The chart renderer starts its JavaScript engine on its first chart (about 1 s)."""
    from colead.lib import charts

    charts.svg(
        {
            "$schema": charts.SCHEMA,
            "data": {"values": [{"x": 0}]},
            "mark": "point",
            "encoding": {"x": {"field": "x", "type": "quantitative"}},
        }
    )


def _timed(timings: dict[str, float], name: str, step) -> None:
    started = time.perf_counter()
    step()
    timings[name] = round(time.perf_counter() - started, 2)


def _described(timings: dict[str, float]) -> str:
    total = sum(timings.values())
    return f"{total:.1f} s (" + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()) + ")"
