"""The organisation's scores weighted by staff group, as the NHS Staff Survey weights a
trust's results so that trusts with different staff mixes can be compared (measures.md
§1.6). No Django.

**The rule.** Each staff group *j* present among the organisation's respondents to a measure
counts by its share of the benchmark workforce, ``P(j)`` (``data/staff_group_weights.csv``),
rescaled over the groups present so that the shares add up to 1:
weighted score = Σ P(j)·mean(j) / Σ P(j). A respondent in group *j* thus carries the weight
P(j)/p(j), where p(j) is the group's share of the organisation's respondents. Respondents
with no staff group, or one the benchmark does not name, are in the unweighted score only.

**Disclosure.** Two means over the same groups with different, published weights are two
equations in the groups' means: with the unweighted score (whose weights are the groups'
respondent counts, published or nearly so) the weighted one could give away the mean of a
group too small to be shown. So the weighted score is published only when every weighting
group present has its own mean published by the disclosure control (``colead.privacy``,
through the organisation's staff-group table): it is then a fixed combination of figures
already shown, and tells nothing they do not. Otherwise it is withheld, with the reason.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

from colead.lib import memory
from colead.lib.spreadsheet import csv_text

WEIGHTS_FILE = "staff_group_weights.csv"
BREAKDOWN = "staff_group"


@memory.cached
def benchmark_shares() -> dict[str, float]:
    """Each staff group's share of the benchmark workforce (code -> share, summing to 1)."""
    text = resources.files("colead.insights").joinpath("data", WEIGHTS_FILE).read_text("utf-8")
    shares = {row["code"]: float(row["share"]) for row in csv.DictReader(text.splitlines())}
    total = sum(shares.values())
    return {code: share / total for code, share in shares.items()}


def weighted_mean(means: Mapping[str, float], shares: Mapping[str, float]) -> float | None:
    """Σ P(j)·mean(j) / Σ P(j) over the groups in ``means`` that ``shares`` names; None
    when it names none of them."""
    used = {code: shares[code] for code in means if shares.get(code, 0) > 0}
    total = sum(used.values())
    if not total:
        return None
    return sum(share * means[code] for code, share in used.items()) / total


@dataclass(frozen=True)
class WeightedScore:
    code: str
    title: str
    unweighted: float | None  # the organisation's published score (None when hidden)
    weighted: float | None  # None when withheld; then ``reason`` says why
    groups: int  # weighting groups present
    reason: str | None = None


def organisation_scores(whole, by_group, shares: Mapping[str, float]) -> list[WeightedScore]:
    """Per measure of ``whole`` (the organisation's results table, one row), its published
    score and, beside it, the weighted score from ``by_group`` (the same table broken down
    by staff group): only when every group the benchmark names that has respondents has its
    own score published (see the module's note on disclosure)."""
    if not whole.rows:
        return []
    organisation = whole.rows[0]
    groups = [row for row in by_group.rows if row.category in shares] if by_group else []
    out = []
    for measure in whole.measures:
        cell = organisation.cells.get(measure.code)
        unweighted = cell.score if cell is not None and cell.suppressed is None else None
        cells = {row.category: row.cells.get(measure.code) for row in groups}
        hidden = [
            row.category_label or row.category
            for row in groups
            if cells[row.category] is None
            or cells[row.category].suppressed is not None
            or cells[row.category].score is None
        ]
        weighted, reason = None, None
        if unweighted is None:
            reason = "Not shown: the organisation's own score is not shown."
        elif not groups:
            reason = "Not worked out: no respondent gave a staff group."
        elif hidden:
            scores, them = ("scores", "them") if len(hidden) > 1 else ("score", "it")
            reason = (
                f"Not shown: the {scores} of {_and_list(hidden)} {'are' if len(hidden) > 1 else 'is'}"
                f" hidden to protect a small group, and the weighted score would let {them} be"
                " worked out."
            )
        else:
            weighted = weighted_mean({code: c.score for code, c in cells.items()}, shares)
        out.append(
            WeightedScore(measure.code, measure.title, unweighted, weighted, len(groups), reason)
        )
    return out


def _and_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def for_wave(results) -> list[WeightedScore]:
    """The organisation's dimension scores, unweighted and weighted, from a wave's results
    (``insights.results.WaveResults``): both tables come out of its disclosure control."""
    whole = results.table(level=0, measures="dimensions")
    by_group = None
    if BREAKDOWN in results.breakdowns():
        by_group = results.table(level=0, breakdown=BREAKDOWN, measures="dimensions")
    return organisation_scores(whole, by_group, benchmark_shares())


# -- the same figures as lines and CSV, for the API and the command line ------------------------

COLUMNS = (
    "unit_code",
    "unit_name",
    "measure",
    "measure_title",
    "unweighted",
    "weighted",
    "staff_groups",
    "withheld_reason",
)
TEXT_COLUMNS = {"unit_code", "unit_name", "measure", "measure_title", "withheld_reason"}


def export_lines(unit_code: str, unit_name: str, scores: Sequence[WeightedScore]) -> list[dict]:
    """One dict per measure with exactly ``COLUMNS`` as keys: the scores the organisation's
    page shows, at 2 decimals (the page rounds them to 1), and the reason when withheld."""
    return [
        {
            "unit_code": unit_code,
            "unit_name": unit_name,
            "measure": score.code,
            "measure_title": score.title,
            "unweighted": None if score.unweighted is None else round(score.unweighted, 2),
            "weighted": None if score.weighted is None else round(score.weighted, 2),
            "staff_groups": score.groups,
            "withheld_reason": score.reason,
        }
        for score in scores
    ]


def to_csv(lines: Sequence[Mapping]) -> str:
    return csv_text(lines, COLUMNS, TEXT_COLUMNS)
