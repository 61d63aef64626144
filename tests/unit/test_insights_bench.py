"""The insights benchmark at a small size: it runs, the engine and the pandas implementation
agree, and it reports the figures issue 4 asks for. Also: the insights modules import no
Django, so analysts can use them from a notebook."""

import json
import subprocess
import sys

import numpy as np
from bench import insights_bench, insights_pandas

from colead.insights import engine


def test_the_benchmark_reports_agreeing_results():
    result = insights_bench.run_benchmark(
        respondents=4000, units=300, items=90, runs=2, pandas_runs=1, threads=2
    )
    for key in ("engine_median_s", "pandas_median_s", "speedup", "results_agree"):
        assert key in result
    assert result["results_agree"] is True
    assert result["n_equal"] and result["suppression_equal"]
    assert result["items"] == 90 and result["units"] == 300
    json.dumps(result)  # the --json output is one JSON object


def test_the_synthetic_set_is_deterministic_and_national_in_shape():
    one = insights_bench.build_national_set(2000, 400, 90, seed=7)
    two = insights_bench.build_national_set(2000, 400, 90, seed=7)
    np.testing.assert_array_equal(one["codes"], two["codes"])
    np.testing.assert_array_equal(one["unit"], two["unit"])
    assert one["parent"].shape == (400,)
    assert set(np.unique(one["depth"])) == {0, 1, 2, 3, 4}
    assert (np.diff(one["unit"]) >= 0).all()  # grouped by reporting unit
    codes = one["codes"]
    assert (codes == 255).any() and (codes == 0).any()  # don't know and skipped answers
    assert len(one["scheme"].items) == 90


def test_the_pandas_implementation_agrees_with_the_engine_on_a_small_set():
    data = insights_bench.build_national_set(3000, 250, 60, seed=3)
    tree = engine.UnitTree.from_parent_index(data["parent"])
    stats, hidden = insights_bench.run_engine(data, tree, threads=1)
    check = insights_bench.agreement(stats, hidden, insights_pandas.run(data))
    assert check["results_agree"], check


def test_insights_modules_import_no_django():
    code = (
        "import sys\n"
        "import colead.insights, colead.insights.engine, colead.insights.scoring\n"
        "import colead.insights.statistics\n"
        "print([m for m in sys.modules if m == 'django' or m.startswith('django.')])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
