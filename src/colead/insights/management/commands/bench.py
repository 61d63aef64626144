"""``colead bench insights``: the national-scale insights benchmark.

Builds a synthetic national wave, scores and aggregates it at every level with suppression,
times a straightforward pandas implementation of the same computation in the same run and
checks the two agree. With ``--json`` it prints exactly one JSON object (``engine_median_s``,
``pandas_median_s``, ``speedup``, ``results_agree`` and more).

The benchmark code is not shipped in the package: it lives in ``bench/`` of a colead
checkout, with pandas among the development extras (``pip install -e '.[dev]'``).
"""

import importlib
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

# Where an editable install from a checkout finds bench/ (src/colead/insights/management/...).
CHECKOUT = Path(__file__).resolve().parents[5]
BENCH_MISSING = (
    "colead bench runs the benchmarks in bench/ of a colead checkout, which are not part of "
    "the installed package: clone the repository, install it with the development extras "
    "(pip install -e '.[dev]' in the checkout) and run colead bench from that installation."
)


def _insights_bench():
    if (CHECKOUT / "bench" / "insights_bench.py").is_file() and str(CHECKOUT) not in sys.path:
        sys.path.append(str(CHECKOUT))
    try:
        return importlib.import_module("bench.insights_bench")
    except ModuleNotFoundError as error:
        if error.name not in ("bench", "bench.insights_bench"):
            raise
        raise CommandError(BENCH_MISSING) from None


def _positive(text):
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        value = 0
    if value < 1:
        from argparse import ArgumentTypeError

        raise ArgumentTypeError(f"{text!r} is not a positive whole number")
    return value


class Command(BaseCommand):
    help = "Benchmarks: colead bench insights [--respondents N] [--units N] [--items N] [--json]"

    def add_arguments(self, parser):
        benchmarks = parser.add_subparsers(dest="benchmark", required=True, metavar="BENCHMARK")
        insights = benchmarks.add_parser(
            "insights",
            help="Score and aggregate a synthetic national wave; compare with pandas.",
        )
        insights.add_argument("--respondents", type=_positive, default=1_400_000, metavar="N")
        insights.add_argument("--units", type=_positive, default=50_000, metavar="N")
        insights.add_argument("--items", type=_positive, default=90, metavar="N")
        insights.add_argument(
            "--repeats",
            type=_positive,
            default=5,
            metavar="N",
            help="Timed runs of the engine after a warm-up (default 5).",
        )
        insights.add_argument(
            "--pandas-repeats",
            type=_positive,
            default=3,
            metavar="N",
            help="Timed runs of the pandas implementation (default 3).",
        )
        insights.add_argument("--threads", type=_positive, default=2, metavar="N")
        insights.add_argument("--seed", type=int, default=2026)
        insights.add_argument(
            "--json", action="store_true", help="Print one JSON object and nothing else."
        )

    def handle(self, *args, benchmark, **options):
        return getattr(self, f"handle_{benchmark}")(**options)

    def handle_insights(self, **options):
        bench = _insights_bench()
        if not options["json"]:
            self.stderr.write(
                f"Building {options['respondents']:,} respondents in {options['units']:,} units "
                f"with {options['items']} items, then timing the engine and pandas..."
            )
        try:
            result = bench.run_benchmark(
                respondents=options["respondents"],
                units=options["units"],
                items=options["items"],
                runs=options["repeats"],
                pandas_runs=options["pandas_repeats"],
                threads=options["threads"],
                seed=options["seed"],
            )
        except ImportError as error:
            message = str(error)
            if "pandas" not in message:
                raise
            raise CommandError(bench.PANDAS_MISSING) from None
        except ValueError as error:
            raise CommandError(str(error)) from None
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key:28} {value}")
            verdict = "agree" if result["results_agree"] else "DO NOT AGREE"
            self.stdout.write(
                f"Engine {result['engine_median_s']} s, pandas {result['pandas_median_s']} s "
                f"({result['speedup']}x); results {verdict}."
            )
        if not result["results_agree"]:  # after the JSON: exit status 1
            raise CommandError("The engine and the pandas implementation do not agree.")
