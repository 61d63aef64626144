"""Survey insights: scoring, aggregation up the unit tree, statistics. No Django imports.

The notebook-facing API (see README.md in this package)::

    from colead.insights import UnitTree, compute_wave_scores, unit_statistics, compare_with_rest

``scoring`` turns instruments into a scoring scheme and answers into scores, ``statistics``
holds the formulas (intervals, tests, reliability, agreement, key drivers) and ``engine``
aggregates a wave for every unit at every level. Disclosure control (suppression) lives in
``colead.privacy.disclosure`` and is applied to the engine's tables afterwards.

``compute_wave_scores`` computes (codes answers, stores nothing); the Django app's
``services.store_wave_scores`` stores a wave's scores.

This package is also a Django app (``apps.py``, ``models.py``, ``services.py``,
``results.py``, ``queries.py``, ``views/``, ``exports.py``): the stored scores, the
results, the published reads and the pages. Those modules use Django; the four pure modules above never do. The names below
are loaded on first use, so that Django loading the app does not import polars and scipy
before anything needs them.
"""

from importlib import import_module
from typing import TYPE_CHECKING

_ENGINE = (
    "Measure",
    "ScoredWave",
    "UnitStats",
    "UnitTree",
    "aggregate",
    "compare_waves",
    "compare_with_rest",
    "compute_wave_scores",
    "key_drivers",
    "measures_of",
    "reliability",
    "responses_frame",
    "team_agreement",
    "unit_statistics",
    "wave_statistics",
)
_SCORING = (
    "DONT_KNOW",
    "MISSING",
    "ScoringScheme",
    "dimension_scores",
    "encode_answers",
    "encode_frame",
    "item_scores",
    "positive_flags",
    "real_team_flags",
    "scoring_scheme",
    "team_status",
)
_HOME = {
    **{name: "colead.insights.engine" for name in _ENGINE},
    **{name: "colead.insights.scoring" for name in _SCORING},
}

__all__ = sorted(_HOME)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from colead.insights.engine import (  # noqa: F401
        Measure,
        ScoredWave,
        UnitStats,
        UnitTree,
        aggregate,
        compare_waves,
        compare_with_rest,
        compute_wave_scores,
        key_drivers,
        measures_of,
        reliability,
        responses_frame,
        team_agreement,
        unit_statistics,
        wave_statistics,
    )
    from colead.insights.scoring import (  # noqa: F401
        DONT_KNOW,
        MISSING,
        ScoringScheme,
        dimension_scores,
        encode_answers,
        encode_frame,
        item_scores,
        positive_flags,
        real_team_flags,
        scoring_scheme,
        team_status,
    )


def __getattr__(name: str):
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'colead.insights' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_HOME))
