"""The insights benchmark (bench/insights_bench.py) at a small size: it runs, the engine and
the pandas implementation agree, and it reports the engine and pandas medians, the speedup and
whether they agree, from ``colead bench insights`` too. Also: the insights modules import no
Django, so analysts can use them from a notebook."""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from bench import insights_bench as bench
from bench import insights_pandas as bench_pandas
from django.core.management import call_command
from django.core.management.base import CommandError

from colead.insights import engine
from colead.insights.management.commands import bench as bench_command_module

ROOT = Path(__file__).resolve().parents[2]
REPORTED = ("engine_median_s", "pandas_median_s", "speedup", "results_agree")


def test_the_benchmark_reports_agreeing_results():
    result = bench.run_benchmark(
        respondents=4000, units=300, items=90, runs=2, pandas_runs=1, threads=2
    )
    for key in REPORTED:
        assert key in result
    assert result["results_agree"] is True
    assert result["n_equal"] and result["suppression_equal"]
    assert result["items"] == 90 and result["units"] == 300
    assert result["speedup"] == pytest.approx(
        result["pandas_median_s"] / result["engine_median_s"], rel=0.1, abs=0.1
    )
    json.dumps(result)  # the --json output is one JSON object


def test_the_synthetic_set_is_deterministic_and_national_in_shape():
    one = bench.build_national_set(2000, 400, 90, seed=7)
    two = bench.build_national_set(2000, 400, 90, seed=7)
    np.testing.assert_array_equal(one["codes"], two["codes"])
    np.testing.assert_array_equal(one["unit"], two["unit"])
    assert one["parent"].shape == (400,)
    assert set(np.unique(one["depth"])) == {0, 1, 2, 3, 4}
    assert (np.diff(one["unit"]) >= 0).all()  # grouped by reporting unit
    codes = one["codes"]
    assert (codes == 255).any() and (codes == 0).any()  # don't know and skipped answers
    assert len(one["scheme"].items) == 90


@pytest.mark.parametrize("items", [10, 53, 60])
def test_the_scheme_has_exactly_the_items_asked_for(items):
    assert len(bench.build_scheme(items).items) == items


def test_the_pandas_implementation_agrees_with_the_engine_on_a_small_set():
    data = bench.build_national_set(3000, 250, 60, seed=3)
    tree = engine.UnitTree.from_parent_index(data["parent"])
    stats, hidden = bench.run_engine(data, tree, threads=1)
    check = bench.agreement(stats, hidden, bench_pandas.run(data))
    assert check["results_agree"], check
    # and the comparison can fail: one changed count is caught
    n, mean, pct, hidden_ref = bench_pandas.run(data)
    n = n.copy()
    n[0, 0] += 1
    assert not bench.agreement(stats, hidden, (n, mean, pct, hidden_ref))["results_agree"]


def test_the_bench_script_runs_from_a_checkout():
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "insights_bench.py"), "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--respondents" in out


def bench_command(*args):
    out, err = StringIO(), StringIO()
    call_command("bench", "insights", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


SMALL = ("--respondents", "2000", "--units", "50", "--items", "10", "--repeats", "2")


def test_colead_bench_insights_prints_one_json_object():
    out, err = bench_command(*SMALL, "--pandas-repeats", "1", "--json")
    result = json.loads(out)  # exactly one JSON object and nothing else
    for key in REPORTED:
        assert key in result
    assert result["results_agree"] is True
    assert (result["respondents"], result["units"], result["items"]) == (2000, 50, 10)
    assert len(result["engine_runs_s"]) == 2 and len(result["pandas_runs_s"]) == 1
    assert result["engine_median_s"] > 0 and result["pandas_median_s"] > 0
    assert err == ""


def test_colead_bench_insights_prints_a_readable_summary():
    out, err = bench_command(*SMALL, "--pandas-repeats", "1")
    assert "engine_median_s" in out and "results agree." in out
    assert "Building 2,000 respondents in 50 units" in err


def test_colead_bench_insights_fails_when_the_results_disagree(monkeypatch):
    def wrong(data):
        n, mean, pct, hidden = real(data)
        return n + 1, mean, pct, hidden

    real = bench_pandas.run
    monkeypatch.setattr(bench_pandas, "run", wrong)
    out = StringIO()
    with pytest.raises(CommandError, match="do not agree"):
        call_command("bench", "insights", *SMALL, "--pandas-repeats", "1", "--json", stdout=out)
    assert json.loads(out.getvalue())["results_agree"] is False


def test_colead_bench_insights_says_how_to_install_pandas(monkeypatch):
    monkeypatch.delitem(sys.modules, "bench.insights_pandas")
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas fails
    with pytest.raises(CommandError) as error:
        bench_command(*SMALL)
    assert str(error.value) == (
        "pandas is needed for the reference implementation: pip install -e '.[dev]'"
    )


def test_colead_bench_says_how_to_install_the_benchmarks_when_bench_is_missing(
    monkeypatch, tmp_path
):
    monkeypatch.setattr(bench_command_module, "CHECKOUT", tmp_path)  # an installed package
    monkeypatch.setitem(sys.modules, "bench.insights_bench", None)  # bench/ not importable
    with pytest.raises(CommandError) as error:
        bench_command(*SMALL)
    assert "pip install -e '.[dev]'" in str(error.value)
    assert "bench/ of a colead checkout" in str(error.value)


@pytest.mark.parametrize("args", [("--units", "0"), ("--respondents", "many"), ("--repeats", "-1")])
def test_colead_bench_insights_refuses_bad_sizes(args):
    with pytest.raises(CommandError, match="positive whole number"):
        bench_command(*args)


def test_colead_bench_needs_a_benchmark_name():
    with pytest.raises(CommandError):
        call_command("bench", stdout=StringIO(), stderr=StringIO())


def test_insights_modules_import_no_django():
    code = (
        "import sys\n"
        "import colead.insights, colead.insights.engine, colead.insights.scoring\n"
        "import colead.insights.statistics, colead.privacy.disclosure\n"
        "import colead.insights.themes, bench.insights_bench, bench.insights_pandas\n"
        "print([m for m in sys.modules if m == 'django' or m.startswith('django.')])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out.strip() == "[]"
