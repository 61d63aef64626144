"""The compact stored form of a scored wave (``colead.insights.storage``): a lossless round
trip, a refusal when the instruments changed, and no Django in the pure modules."""

import subprocess
import sys

import numpy as np
import pytest

from colead.insights import engine, scoring, storage
from colead.surveys.definitions import builtin_instruments


def scheme(codes=("culture-pulse", "staff-engagement")):
    return scoring.scoring_scheme([i for i in builtin_instruments() if i.code in codes])


def test_a_scored_wave_survives_the_round_trip():
    s = scheme()
    rng = np.random.default_rng(4)
    codes = rng.integers(0, 6, size=(500, len(s.items))).astype(np.uint8)
    codes[rng.random(codes.shape) < 0.02] = scoring.DONT_KNOW
    units = rng.integers(1, 40, size=500)
    groups = rng.choice(["medical_dental", "students", None], size=500).tolist()
    scored = engine.ScoredWave.from_codes(s, codes, units, {"staff_group": groups}, wave="w")
    back = storage.unpack(storage.pack(scored), s, wave="w")
    np.testing.assert_array_equal(back.codes, scored.codes)
    np.testing.assert_array_equal(back.units, scored.units)
    index, labels = back.breakdowns["staff_group"]
    np.testing.assert_array_equal(index, scored.breakdowns["staff_group"][0])
    assert labels == scored.breakdowns["staff_group"][1] == ("medical_dental", "students")
    assert back.codes.flags.f_contiguous
    tree = engine.UnitTree(list(range(1, 40)), [None] + [1] * 38)
    a, b = engine.unit_statistics(scored, tree), engine.unit_statistics(back, tree)
    np.testing.assert_array_equal(a.n, b.n)
    np.testing.assert_array_equal(a.total, b.total)


def test_an_empty_wave_survives_too():
    s = scheme()
    empty = engine.ScoredWave(
        s, scoring.empty_codes(0, len(s.items)), np.zeros(0, dtype=np.int64), {}
    )
    back = storage.unpack(storage.pack(empty), s)
    assert back.codes.shape == (0, len(s.items)) and back.respondents == 0


def test_scores_made_with_other_items_are_refused():
    s = scheme()
    scored = engine.ScoredWave(s, scoring.empty_codes(3, len(s.items)), np.array([1, 1, 2]), {})
    with pytest.raises(ValueError, match="score the wave again"):
        storage.unpack(storage.pack(scored), scheme(("culture-pulse",)))


def test_loading_the_package_does_not_load_the_engine():
    """Django imports every app's package at start-up: ``colead.insights`` must not pull in
    polars and scipy until something uses them."""
    code = (
        "import sys\n"
        "import colead.insights\n"
        "print('polars' in sys.modules, 'scipy' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False False"
