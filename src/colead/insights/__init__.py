"""Survey insights: scoring, aggregation up the unit tree, statistics. No Django imports.

The notebook-facing API (see README.md in this package)::

    from colead.insights import UnitTree, score_wave, unit_statistics, compare_with_rest

``scoring`` turns instruments into a scoring scheme and answers into scores, ``statistics``
holds the formulas (intervals, tests, reliability, agreement, key drivers) and ``engine``
aggregates a wave for every unit at every level. Disclosure control (suppression) lives in
``colead.insights.disclosure`` and is applied to the engine's tables afterwards.
"""

from colead.insights.engine import (
    Measure,
    ScoredWave,
    UnitStats,
    UnitTree,
    aggregate,
    compare_waves,
    compare_with_rest,
    key_drivers,
    measures_of,
    reliability,
    responses_frame,
    score_wave,
    team_agreement,
    unit_statistics,
    wave_statistics,
)
from colead.insights.scoring import (
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

__all__ = [
    "DONT_KNOW",
    "MISSING",
    "Measure",
    "ScoredWave",
    "ScoringScheme",
    "UnitStats",
    "UnitTree",
    "aggregate",
    "compare_waves",
    "compare_with_rest",
    "dimension_scores",
    "encode_answers",
    "encode_frame",
    "item_scores",
    "key_drivers",
    "measures_of",
    "positive_flags",
    "real_team_flags",
    "reliability",
    "responses_frame",
    "score_wave",
    "scoring_scheme",
    "team_agreement",
    "team_status",
    "unit_statistics",
    "wave_statistics",
]
