"""The results service: what the heatmap page, the exports and the API show of a closed wave.

For a wave, a level (a kind of unit, such as every team wherever it sits in the structure,
or a unit depth: 0 the organisation, 1 divisions...) and optionally a breakdown
(``staff_group``), ``WaveResults.table`` gives one row per unit (× category) with, for
each measure: n, mean score (0–10), 95% t interval, percent positive (or its band),
the comparison with the rest of the organisation (better / worse / similar, Benjamini–
Hochberg across the units shown), and the change since the previous wave where R5 allows it.

Disclosure control (``colead.privacy.disclosure``) is applied to **every** table here,
before anything leaves this module:

* one ``protect`` over the whole organisation's unit tree, whoever is looking, with every
  breakdown offered, so that no two views (a manager's and the board's, with and without a
  staff group) can be combined; then ``refine`` per measure on that measure's own counts;
* ``redact_frame`` empties every number of a hidden row and sets ``suppressed`` to
  ``primary`` (fewer than *k*), ``complementary`` (hidden so that a smaller group cannot be
  worked out) or ``refused`` (a breakdown not shown for the group); R6 bands percent
  positive below 2*k*;
* comparisons are computed only among visible cells, and change only where
  ``disclosure.change_visible`` allows (2*k* in both waves, visible in both).

Only then are rows filtered to the viewer's scope (``scoped_rows``): the suppression pattern
is the organisation's, the same for everyone.

Caching, per process: stored scores are loaded once per (wave, scored_at); the statistics,
protections and tables are computed once per (wave, scored_at, unit tree, threshold,
previous wave) and level, breakdown and measures. A page then costs a handful of queries
(the wave, its scores' timestamp, the previous wave, the units) and no computation.

Names for the next pages (unit page, drivers, reliability): ``load_results(wave)`` gives a
``WaveResults`` with ``.scored`` (the ``ScoredWave``), ``.stats`` (``UnitStats`` for every
unit), ``.categories[breakdown]`` (``UnitStats`` per category), ``.protection`` and
``.measure_protection(code)`` (``disclosure.Protection``), ``.tree`` and ``.units`` (the
organisation's units), ``.previous`` (the previous wave's ``WaveResults`` or None) and
``.table(level=..., breakdown=..., measures=...)``.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar

import numpy as np
from django.db.models import Q

from colead.insights import engine as eng
from colead.insights import storage
from colead.insights.models import WaveScores
from colead.lib import memory
from colead.lib import tree as unit_tree
from colead.lib.errors import Conflict, Invalid
from colead.org import reference
from colead.org.models import Unit, UnitLevel
from colead.privacy import disclosure, figures
from colead.surveys.models import Wave, WaveStatus, WaveUnit

# Breakdowns offered on the pages, exports and API: name -> what a person calls it (the
# demographic fields of surveys.definitions). A wave offers those its responses carry. Every
# breakdown offered is protected together with the unit totals (one ``protect`` call).
BREAKDOWNS = {
    "staff_group": "Staff group",
    "band": "Pay band",
    "length_of_service": "Length of service",
    "ethnicity": "Ethnic group",
    "sex": "Sex",
    "disability": "Disability",
    "age_band": "Age group",
}
# R4 (docs/privacy.md, "The rules"): protected characteristics are broken down only for the
# organisation or for groups of at least this many responses.
PROTECTED_BREAKDOWNS = frozenset(reference.PROTECTED_FIELDS)
PROTECTED_MIN_GROUP = 50
MEASURE_SETS = ("dimensions", "all")
# Status codes of ``Protection.row_codes``: 0 visible, 1 primary, 2 complementary, 3 refused.
_STATUSES = (
    disclosure.Status.VISIBLE,
    disclosure.Status.PRIMARY,
    disclosure.Status.COMPLEMENTARY,
    disclosure.Status.REFUSED,
)
NOT_RECORDED_LABEL = "Not recorded"
# A heatmap level is a kind of unit (every team, wherever it sits in the structure) or a
# depth (0 the organisation, 1 its divisions...); kinds in the order of the structure.
LEVEL_KINDS = tuple(UnitLevel.values)
LEVEL_PLURALS = {
    "organisation": "organisation",
    "division": "divisions",
    "directorate": "directorates",
    "department": "departments",
    "team": "teams",
}
Level = int | str

_SCORED = memory.recent(8, f"{__name__}._SCORED")  # (wave id, scored_at) -> ScoredWave
_TREES = memory.recent(8, f"{__name__}._TREES")  # digest -> UnitTree
_CORES = memory.recent(8, f"{__name__}._CORES")  # (wave id, scored_at, k, units) -> WaveCore
# (core key, previous key, level, breakdown, measures) -> ResultsTable
_TABLES = memory.recent(64, f"{__name__}._TABLES")


class ResultsNotReady(Conflict):
    """A wave with no results to show yet: not closed, or closed and its scores not stored
    (a wave closed before scores were stored: ``colead waves rescore WAVE`` stores them)."""


# -- the organisation's units ----------------------------------------------------------------


@dataclass(frozen=True)
class UnitRef:
    id: int
    code: str
    name: str
    depth: int
    path: str
    parent_id: int | None
    level: str = ""
    is_active: bool = True


@dataclass
class OrgUnits:
    """The organisation's units now (one query), and their tree for the engine."""

    refs: dict[int, UnitRef]
    tree: eng.UnitTree
    key: str

    @property
    def max_depth(self) -> int:
        return self.tree.max_depth


def organisation_units(organisation) -> OrgUnits:
    rows = list(
        Unit.objects.for_org(organisation)
        .order_by("path")
        .values_list("id", "parent_id", "code", "name", "depth", "path", "level", "is_active")
    )
    refs = {
        row[0]: UnitRef(row[0], row[2], row[3], row[4], row[5], row[1], row[6], row[7])
        for row in rows
    }
    # The key covers names and paths too, so a renamed or moved unit gives fresh tables.
    digest = hashlib.blake2b(repr(rows).encode(), digest_size=16).hexdigest()
    tree = _TREES.get(digest)
    if tree is None:
        tree = eng.UnitTree(
            [row[0] for row in rows], [row[1] for row in rows], [row[3] for row in rows]
        )
        _TREES.put(digest, tree)
    return OrgUnits(refs, tree, digest)


# -- loading a wave's results ------------------------------------------------------------------


def check_wave(wave: Wave) -> None:
    if not wave.is_closed:
        state = "a draft" if wave.is_draft else "still open"
        raise ResultsNotReady(
            f"Wave {wave.pk} ({wave.title}) is {state}: results are shown only once a wave "
            "has closed. Close it first (colead waves close WAVE)."
        )


def _scored_at(wave: Wave):
    return (
        WaveScores.objects.for_org(wave.organisation_id)
        .filter(wave_id=wave.pk)
        .values_list("scored_at", flat=True)
        .first()
    )


def _previous_wave(wave: Wave) -> Wave | None:
    """The organisation's latest closed wave that closed before this one and surveyed every
    unit this one did (with its scores' timestamp, when it has scores, in the same query).
    A wave sent to part of the organisation (a directorate's pulse) is never the previous
    wave of a wider one: most of the wider wave's units would have nothing to compare with."""
    if wave.closed_at is None:
        return None
    earlier = Q(
        wave__organisation_id=wave.organisation_id,
        wave__status=WaveStatus.CLOSED,
        wave__closed_at__lt=wave.closed_at,
    )
    # every wave's targets in one query, whatever the number of waves (pages count queries)
    targets: dict[int, list[str]] = {}
    for wave_id, path in Wave.target_units.through.objects.filter(
        Q(wave_id=wave.pk) | earlier
    ).values_list("wave_id", "unit__path"):
        targets.setdefault(wave_id, []).append(path)
    own = targets.get(wave.pk, [])
    candidates = (
        Wave.objects.for_org(wave.organisation_id)
        .filter(status=WaveStatus.CLOSED, closed_at__lt=wave.closed_at)
        .exclude(pk=wave.pk)
        .select_related("scores")
        .defer("scores__data")
        .order_by("-closed_at", "-pk")
    )
    for candidate in candidates:
        covered = targets.get(candidate.pk, [])
        if all(unit_tree.within_any(path, covered) for path in own):
            return candidate
    return None


def load_results(wave: Wave, *, with_previous: bool = True) -> WaveResults:
    """The results of a closed wave, with the previous wave's for change. Reads only: a wave
    whose scores are not stored is ResultsNotReady (as is a wave not closed), and a previous
    wave without stored scores gives no change rather than being scored here."""
    check_wave(wave)
    scored_at = _scored_at(wave)
    if scored_at is None:
        raise ResultsNotReady(
            f"Results of {wave.title} are being prepared: its responses have not been scored "
            f"yet. Try again in a few minutes, or ask an administrator to run "
            f"colead waves rescore {wave.pk}."
        )
    units = organisation_units(wave.organisation_id)
    previous = _previous_wave(wave) if with_previous else None
    before = None
    if previous is not None:
        try:
            stored = previous.scores.scored_at  # loaded by select_related
        except WaveScores.DoesNotExist:
            stored = None
        if stored is not None:
            before = _core(previous, stored, units)
    return WaveResults(_core(wave, scored_at, units), before)


def _core(wave: Wave, scored_at, units: OrgUnits) -> WaveCore:
    key = (wave.pk, scored_at, wave.reporting_threshold, units.key)
    core = _CORES.get(key)
    if core is None:
        from colead.insights import scoring
        from colead.surveys.services import wave_instruments

        scored = _SCORED.get((wave.pk, scored_at))
        if scored is None:
            data = (
                WaveScores.objects.for_org(wave.organisation_id)
                .filter(wave_id=wave.pk)
                .values_list("data", flat=True)
                .first()
            )
            scheme = scoring.scoring_scheme(wave_instruments(wave))
            scored = storage.unpack(data, scheme, wave=str(wave.pk))
            _SCORED.put((wave.pk, scored_at), scored)
        core = WaveCore(
            key=key,
            wave_id=wave.pk,
            title=wave.title,
            threshold=wave.reporting_threshold,
            scored=scored,
            units=units,
            target_paths=tuple(wave.target_units.values_list("path", flat=True)),
            category_names=_category_names(wave_instruments(wave)),
            invited=dict(WaveUnit.objects.filter(wave=wave).values_list("unit_id", "invited")),
        )
        _CORES.put(key, core)
    return core


def _category_names(instruments) -> dict[str, dict[str, str]]:
    """Per breakdown, the answer options (code -> label) in the order the survey asked them,
    from the wave's demographic questions (the first question asking each), else from the
    built-in demographics instrument (demographics imported with responses from a file)."""
    names: dict[str, dict[str, str]] = {}
    for instrument in instruments:
        for item in instrument.items:
            if item.demographic and item.demographic not in names:
                names[item.demographic] = {option.code: option.label for option in item.options}
    for breakdown, options in _builtin_category_names().items():
        names.setdefault(breakdown, options)
    return names


@memory.cached
def _builtin_category_names() -> dict[str, dict[str, str]]:
    from colead.surveys.definitions import BUILTIN_DIR, load_instrument

    demographics = load_instrument(BUILTIN_DIR / "demographics.yaml")
    return {
        item.demographic: {option.code: option.label for option in item.options}
        for item in demographics.items
        if item.demographic
    }


# -- one wave, whoever is looking --------------------------------------------------------------


class WaveCore:
    """Everything about one wave's results that does not depend on who is looking or on
    other waves: statistics for every unit, per category, and the protections. Cached per
    process; every figure is computed on first use, once."""

    def __init__(
        self,
        *,
        key,
        wave_id,
        title,
        threshold,
        scored,
        units,
        target_paths,
        category_names=None,
        invited=None,
    ):
        self.key = key
        self.wave_id = wave_id
        self.title = title
        self.threshold = threshold
        self.scored = scored
        self.units = units
        self.tree = units.tree
        self.target_paths = target_paths
        self.category_names = category_names or {}
        # people invited per reporting unit (unit id -> count): a group with people and no
        # responses is protected as a small group, not treated as empty
        self.invited = invited or {}
        self._lock = threading.RLock()
        self._built: dict = {}
        self._measure_protections: dict[str, disclosure.Protection] = {}

    def _once(self, name, build):
        with self._lock:
            if name not in self._built:
                self._built[name] = build()
            return self._built[name]

    @property
    def stats(self) -> eng.UnitStats:
        def build():
            stats = eng.unit_statistics(self.scored, self.tree)
            stats.figures(threads=1)
            stats.intervals()
            return stats

        return self._once("stats", build)

    @property
    def measures(self) -> tuple[eng.Measure, ...]:
        return self.stats.measures

    @property
    def categories(self) -> dict[str, list[eng.UnitStats]]:
        """Per offered breakdown the responses carry: one ``UnitStats`` per category in
        label order, then ``disclosure.REMAINDER`` (people with no category) when any."""
        return self._once("categories", self._build_categories)

    def _build_categories(self) -> dict[str, list[eng.UnitStats]]:
        out = {}
        stats = self.stats
        for name in BREAKDOWNS:
            if name not in self.scored.breakdowns or not self.scored.breakdowns[name][1]:
                continue
            groups = eng.unit_statistics(self.scored, self.tree, breakdown=name)
            sums = {
                attr: sum(getattr(g, attr) for g in groups)
                for attr in ("respondents", "n", "total", "total_sq", "positive")
            }
            if (stats.respondents - sums["respondents"] > 0.5).any():
                groups.append(
                    eng.UnitStats(
                        tree=self.tree,
                        scheme=stats.scheme,
                        measures=stats.measures,
                        # counts are whole numbers: round away the float sums' noise
                        respondents=np.rint(stats.respondents - sums["respondents"]),
                        n=np.rint(stats.n - sums["n"]),
                        total=stats.total - sums["total"],
                        total_sq=stats.total_sq - sums["total_sq"],
                        positive=np.rint(stats.positive - sums["positive"]),
                        wave=stats.wave,
                        breakdown=name,
                        category=disclosure.REMAINDER,
                    )
                )
            out[name] = groups
        return out

    @property
    def protection(self) -> disclosure.Protection:
        """Respondent counts of the whole organisation, with every offered breakdown, in
        one ``protect`` so that every view shares one suppression pattern."""

        def build():
            breakdowns = {}
            for name, groups in self.categories.items():
                given = [g for g in groups if g.category != disclosure.REMAINDER]
                breakdowns[name] = disclosure.Breakdown(
                    [g.category for g in given],
                    np.column_stack([np.rint(g.respondents) for g in given]).astype(np.int64),
                    min_group_n=PROTECTED_MIN_GROUP if name in PROTECTED_BREAKDOWNS else 0,
                )
            hierarchy = disclosure.Hierarchy.of(self.tree)
            return disclosure.protect(
                hierarchy,
                np.rint(self.stats.respondents).astype(np.int64),
                self.threshold,
                breakdowns,
                population=hierarchy.subtree_totals(self.invited),
            )

        return self._once("protection", build)

    def measure_protection(self, measure: str) -> disclosure.Protection:
        """The protection of one measure, refined on its own counts (computed once)."""
        with self._lock:
            cached = self._measure_protections.get(measure)
            if cached is None:
                column = self.stats.measure_index[measure]
                counts = {}
                for name, groups in self.categories.items():
                    given = [g for g in groups if g.category != disclosure.REMAINDER]
                    counts[name] = np.column_stack([np.rint(g.n[:, column]) for g in given]).astype(
                        np.int64
                    )
                cached = self.protection.refine(
                    np.rint(self.stats.n[:, column]).astype(np.int64), counts
                )
                self._measure_protections[measure] = cached
            return cached

    def measure_scale(self, measure: str) -> figures.AnswerScale | None:
        """The answer scale a measure's mean is made of, for ``figures.publishable_mean``:
        a question's own scale; a dimension's questions' one scale (None when they differ);
        yes/no for a share."""
        return self._once(("scale", measure), lambda: measure_scale(self.scored.scheme, measure))

    def group(self, breakdown: str | None, category: str | None) -> eng.UnitStats | None:
        """The statistics of the whole units (no breakdown) or of one category."""
        if breakdown is None:
            return self.stats
        for stats in self.categories.get(breakdown, []):
            if stats.category == category:
                return stats
        return None

    def level_positions(self, level: Level) -> np.ndarray:
        """Tree positions of the units at ``level`` (a depth, or a kind of unit at any
        depth) the wave surveyed (or holds responses of), in the order of the
        organisation's structure."""
        return self._once(("level", level), lambda: self._level_positions(level))

    def _level_positions(self, level: Level) -> np.ndarray:
        tree, refs = self.tree, self.units.refs
        if isinstance(level, str):
            candidates = range(len(tree.ids))
        elif level > tree.max_depth:
            return np.zeros(0, dtype=np.int64)
        else:
            candidates = range(*tree.level_bounds[level])
        respondents = self.stats.respondents
        keep = []
        for position in candidates:
            unit = refs[int(tree.ids[position])]
            if isinstance(level, str) and unit.level != level:
                continue
            if respondents[position] > 0 or (
                unit.is_active and unit_tree.overlap([unit.path], self.target_paths)
            ):
                keep.append(position)
        keep.sort(key=lambda p: refs[int(tree.ids[p])].path)
        return np.array(keep, dtype=np.int64)


@dataclass
class WaveResults:
    """A wave's results as the pages, exports and API use them: ``core`` (this wave) and
    ``previous`` (the previous wave's core, for change; None when there is none)."""

    core: WaveCore
    previous: WaveCore | None = None

    # the core's figures, for callers
    @property
    def wave_id(self) -> int:
        return self.core.wave_id

    @property
    def title(self) -> str:
        return self.core.title

    @property
    def threshold(self) -> int:
        return self.core.threshold

    @property
    def scored(self) -> eng.ScoredWave:
        return self.core.scored

    @property
    def tree(self) -> eng.UnitTree:
        return self.core.tree

    @property
    def units(self) -> OrgUnits:
        return self.core.units

    @property
    def stats(self) -> eng.UnitStats:
        return self.core.stats

    @property
    def measures(self) -> tuple[eng.Measure, ...]:
        return self.core.measures

    @property
    def categories(self) -> dict[str, list[eng.UnitStats]]:
        return self.core.categories

    @property
    def protection(self) -> disclosure.Protection:
        return self.core.protection

    def measure_protection(self, measure: str) -> disclosure.Protection:
        return self.core.measure_protection(measure)

    @property
    def max_level(self) -> int:
        return self.core.tree.max_depth

    def breakdowns(self) -> list[str]:
        """The offered breakdowns this wave's responses carry."""
        return [name for name in BREAKDOWNS if name in self.categories]

    def category_labels(self, breakdown: str) -> list[tuple[str, str]]:
        """(category code, label) of a breakdown, in display order."""
        self.require_breakdown(breakdown)
        names = self.core.category_names
        return [
            (g.category, category_label(breakdown, g.category, names))
            for g in _display_order(self.core, breakdown, self.categories[breakdown])
        ]

    def require_breakdown(self, breakdown: str | None) -> None:
        if breakdown is None:
            return
        offered = self.breakdowns()
        if offered:
            use = (
                f"Use {_or_list(offered)} (the breakdowns this wave's responses carry), or "
                "leave it out for whole units."
            )
        else:
            use = "This wave's responses carry no breakdown: leave it out for whole units."
        if breakdown not in BREAKDOWNS:
            raise Invalid({"by": f"There is no breakdown {breakdown!r}. {use}"}, source="query")
        if breakdown not in self.categories:
            raise Invalid(
                {
                    "by": f"Wave {self.wave_id} ({self.title}) has no "
                    f"{BREAKDOWNS[breakdown].lower()} recorded with its responses, so it cannot "
                    f"be broken down by {breakdown}. {use}"
                },
                source="query",
            )

    def level_kinds(self) -> list[str]:
        """The kinds of unit the organisation has, in the order of the structure."""
        present = {unit.level for unit in self.units.refs.values()}
        return [kind for kind in LEVEL_KINDS if kind in present]

    def require_level(self, level: Level, allowed: Sequence[Level] | None = None) -> None:
        """Refuses a level not in ``allowed`` (every depth and kind when None), naming the
        depths and kinds that are."""
        if allowed is None:
            allowed = [*range(self.max_level + 1), *self.level_kinds()]
        if level in allowed:
            return
        depths = [a for a in allowed if isinstance(a, int)]
        kinds = [a for a in allowed if isinstance(a, str)]
        shown = f"{level!r}" if isinstance(level, str) else str(level)
        if not depths and not kinds:
            message = f"There is no level {shown} you may see in this wave."
        else:
            span = str(depths[0]) if len(depths) == 1 else f"{depths[0]} to {depths[-1]}"
            message = (
                f"There is no level {shown} to show. Choose a level from {span} "
                "(0 is the organisation, 1 its divisions, and so on down)"
                + (f" or a kind of unit: {_or_list(kinds)}." if kinds else ".")
            )
        raise Invalid({"level": message}, source="query")

    def measure_codes(self, measures: str = "dimensions") -> list[str]:
        if measures not in MEASURE_SETS:
            raise Invalid(
                {"measures": f"There is no measure set {measures!r}. Use dimensions or all."},
                source="query",
            )
        if measures == "dimensions":
            return [m.code for m in self.measures if m.kind == eng.DIMENSION]
        return [m.code for m in self.measures]

    def table(
        self, *, level: Level, breakdown: str | None = None, measures: str = "dimensions"
    ) -> ResultsTable:
        """The whole organisation's protected table at ``level`` (cached per process).
        Filter it to the viewer with ``scoped_rows``."""
        self.require_level(level)
        self.require_breakdown(breakdown)
        codes = self.measure_codes(measures)
        previous = self.previous
        key = (self.core.key, previous.key if previous else None, level, breakdown, measures)
        table = _TABLES.get(key)
        if table is None:
            table = _build_table(self.core, previous, level, breakdown, codes)
            _TABLES.put(key, table)
        return table


def _or_list(words: Sequence[str]) -> str:
    """Words joined as "a", "a or b", "a, b or c"."""
    words = list(words)
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def category_label(
    breakdown: str, code: str | None, names: dict[str, dict[str, str]] | None = None
) -> str | None:
    """What a person calls a category: a staff group's display name, else the wave's
    answer option (``names``: ``WaveCore.category_names``), else the code itself."""
    if code is None:
        return None
    if code == disclosure.REMAINDER:
        return NOT_RECORDED_LABEL
    if code == "prefer_not":
        return "Prefer not to say"
    if breakdown == "staff_group" and reference.find_staff_group(code):
        return reference.staff_group_name(code)
    known = (names or {}).get(breakdown, {})
    if code in known:
        return known[code]
    if breakdown == "band" and reference.find_band(code):
        return reference.band_name(code)
    return code


def _display_order(core: WaveCore, breakdown: str, groups: list[eng.UnitStats]):
    """A breakdown's categories in the order the survey asked them (codes it did not ask
    after, alphabetically), then "prefer not to say", then people not recorded."""
    asked = list(core.category_names.get(breakdown, {}))

    def rank(stats: eng.UnitStats):
        code = stats.category
        if code == disclosure.REMAINDER:
            return (3, 0, "")
        if code == "prefer_not":
            return (2, 0, "")
        if code in asked:
            return (0, asked.index(code), code)
        return (1, 0, code)

    return sorted(groups, key=rank)


# -- tables --------------------------------------------------------------------------------------


def _item_scale(item) -> figures.AnswerScale:
    """A question's answer scale in score steps (0 the lowest score, after turning a reverse
    question round)."""
    steps = frozenset(
        (item.points - option if item.reverse else option - 1) for option in item.positive
    )
    return figures.AnswerScale(item.points, steps)


def measure_scale(scheme, measure: str) -> figures.AnswerScale | None:
    """See ``WaveCore.measure_scale``."""
    if measure in scheme.item_index:
        return _item_scale(scheme.item(measure))
    if measure in scheme.dimension_index:
        items = [scheme.items[j] for j in scheme.dimension_items(measure)]
        scales = {_item_scale(item) for item in items}
        if len(scales) != 1:
            return None
        (scale,) = scales
        return figures.AnswerScale(scale.points, scale.positive, len(items))
    return figures.AnswerScale(2, frozenset({1}))  # a share: yes or no per person


FIGURE_FIELDS = (
    "n",
    "score",
    "score_band",
    "ci_low",
    "ci_high",
    "pct_positive",
    "pct_low",
    "pct_high",
    "pct_positive_band",
    "comparison",
    "suppressed",
    "suppressed_reason",
)


def published_figures(cell: Cell | None, threshold: int, *, rounded: bool = True) -> dict:
    """The one record of a cell's figures that the unit page, the heatmap's exports and the
    API publish (``FIGURE_FIELDS``; ``rounded`` as the exports and the API give them: scores
    and intervals to 2 decimals, percentages to 1; the page rounds further for display from
    the unrounded record). A hidden cell has only ``suppressed`` and its reason; a cell the
    table does not hold (no answers to the measure) is hidden as too few responses."""
    out = dict.fromkeys(FIGURE_FIELDS)
    if cell is None or cell.suppressed is not None:
        status = cell.suppressed if cell is not None else disclosure.Status.PRIMARY.value
        out["suppressed"] = status
        out["suppressed_reason"] = (
            cell.reason if cell is not None else disclosure.reason(status, threshold)
        )
        return out
    score_places, pct_places = (2, 1) if rounded else (None, None)
    out.update(
        n=cell.n,
        score=_rounded(cell.score, score_places),
        score_band=cell.score_band,
        ci_low=_rounded(cell.ci_low, score_places),
        ci_high=_rounded(cell.ci_high, score_places),
        pct_positive=_rounded(cell.pct_positive, pct_places),
        pct_low=_rounded(cell.pct_low, pct_places),
        pct_high=_rounded(cell.pct_high, pct_places),
        pct_positive_band=cell.pct_band,
        comparison=cell.comparison,
    )
    return out


def _rounded(value: float | None, places: int | None) -> float | None:
    if value is None:
        return None
    return float(value) if places is None else round(float(value), places)


@dataclass
class Cell:
    """One unit (× category) × measure, as it may be shown. A hidden cell has only
    ``suppressed`` and ``reason``."""

    measure: str
    n: int | None = None
    score: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    pct_positive: float | None = None
    pct_low: float | None = None  # 95% Wilson interval of percent positive (none when banded)
    pct_high: float | None = None
    pct_band: str | None = None
    score_band: str | None = None  # below 2k: the mean as a band of the 0–10 scale, or None
    score_band_range: tuple[float, float] | None = None
    comparison: str | None = None
    pct_comparison: str | None = None
    change: float | None = None
    change_label: str | None = None
    suppressed: str | None = None
    reason: str | None = None


@dataclass
class Row:
    unit_id: int
    unit_code: str
    unit_name: str
    level: int
    path: str
    breakdown: str | None
    category: str | None
    category_label: str | None
    respondents: int | None
    suppressed: str | None
    reason: str | None
    cells: dict[str, Cell]


@dataclass
class ResultsTable:
    wave_id: int
    title: str
    threshold: int
    level: Level
    breakdown: str | None
    measures: tuple[eng.Measure, ...]
    rows: list[Row]
    previous_wave_id: int | None = None
    previous_title: str | None = None
    # For presenters: anything derived from this (immutable) table, kept as long as it is.
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def measure_titles(self) -> dict[str, str]:
        return {m.code: m.title for m in self.measures}


def _visible_codes(prot: disclosure.Protection, ids, breakdown, categories, n, k) -> np.ndarray:
    """Status codes as ``redact_frame`` decides them: the protection's, then primary for any
    figure whose own count is below k."""
    bds = None if breakdown is None else [breakdown] * len(ids)
    cats = None if breakdown is None else list(categories)
    codes = prot.row_codes(ids, bds, cats)
    return np.where((codes == 0) & (n < k), 1, codes)


def _build_table(
    results: WaveCore,
    previous: WaveCore | None,
    level: Level,
    breakdown: str | None,
    codes: list[str],
) -> ResultsTable:
    import polars as pl

    tree, k = results.tree, results.threshold
    positions = results.level_positions(level)
    groups = (
        [results.stats]
        if breakdown is None
        else _display_order(results, breakdown, results.categories[breakdown])
    )
    unit_ids = tree.ids[positions]
    measures = tuple(m for m in results.measures if m.code in set(codes))
    order = {code: i for i, code in enumerate(codes)}
    measures = tuple(sorted(measures, key=lambda m: order[m.code]))

    # Group (row) figures: respondents, protected by the base protection.
    frames = []
    group_rows = []
    for stats in groups:
        category = stats.category if breakdown else None
        respondents = stats.respondents[positions]
        status = _visible_codes(
            results.protection, unit_ids, breakdown, [category] * len(unit_ids), respondents, k
        )
        group_rows.append((category, respondents, status))
        for measure in measures:
            frames.append(
                _measure_frame(results, previous, stats, breakdown, category, measure, positions)
            )
    frame = pl.concat(frames, how="vertical") if frames else None
    protections = {m.code: results.measure_protection(m.code) for m in measures}
    redacted = None
    if frame is not None:
        redacted = disclosure.redact_frame(frame, protections, keep=("_visible",))
        _check_consistent(redacted)

    cells = _cells(redacted, results, k) if redacted is not None else {}
    rows = _rows(results, positions, breakdown, group_rows, cells)
    return ResultsTable(
        wave_id=results.wave_id,
        title=results.title,
        threshold=k,
        level=level,
        breakdown=breakdown,
        measures=measures,
        rows=rows,
        previous_wave_id=previous.wave_id if previous else None,
        previous_title=previous.title if previous else None,
    )


def _cells(redacted, results: WaveCore, k: int) -> dict[tuple, dict[str, Cell]]:
    """(unit id, category) -> measure code -> its cell, from the redacted figures."""
    cells: dict[tuple, dict[str, Cell]] = {}
    for record in redacted.iter_rows(named=True):
        key = (record["unit"], record["category"])
        hidden = record["suppressed"]
        cell = Cell(
            measure=record["measure"],
            suppressed=hidden,
            reason=record["suppressed_reason"],
        )
        if hidden is None:
            cell.n = record["n"]
            # R6 for the mean and its interval: below 2k nothing that narrows the
            # percent band (``privacy.figures``)
            mean = figures.publishable_mean(
                record["mean"],
                record["ci_low"],
                record["ci_high"],
                n=record["n"],
                k=k,
                pct_band=record["pct_positive_band"],
                scale=results.measure_scale(record["measure"]),
            )
            cell.score, cell.ci_low, cell.ci_high = mean.score, mean.ci_low, mean.ci_high
            cell.score_band, cell.score_band_range = mean.score_band, mean.band
            cell.pct_positive = record["pct_positive"]
            cell.pct_low, cell.pct_high = record["pct_low"], record["pct_high"]
            cell.pct_band = record["pct_positive_band"]
            cell.comparison = record["comparison"]
            cell.pct_comparison = record["pct_comparison"]
            cell.change = record["change"]
            cell.change_label = record["change_label"]
        cells.setdefault(key, {})[cell.measure] = cell
    return cells


def _rows(
    results: WaveCore,
    positions,
    breakdown: str | None,
    group_rows: list[tuple],
    cells: dict[tuple, dict[str, Cell]],
) -> list[Row]:
    """For each unit in tree order, its whole-group row or one row per category."""
    tree, refs, k = results.tree, results.units.refs, results.threshold
    rows = []
    for i, position in enumerate(positions.tolist()):
        unit = refs[int(tree.ids[position])]
        for category, respondents, status in group_rows:
            code = int(status[i])
            hidden = _STATUSES[code]
            rows.append(
                Row(
                    unit_id=unit.id,
                    unit_code=unit.code,
                    unit_name=unit.name,
                    level=unit.depth,  # the unit's depth, whichever level was asked for
                    path=unit.path,
                    breakdown=breakdown,
                    category=category,
                    category_label=category_label(breakdown, category, results.category_names),
                    respondents=None if hidden.hidden else int(respondents[i]),
                    suppressed=hidden.value if hidden.hidden else None,
                    reason=disclosure.reason(hidden, k) if hidden.hidden else None,
                    cells=cells.get((unit.id, category), {}),
                )
            )
    return rows


def _check_consistent(redacted) -> None:
    """The comparisons were computed among the cells ``_visible_codes`` let through; make
    sure ``redact_frame`` (the one that decides) let through exactly those."""
    import polars as pl

    bad = redacted.filter(
        pl.col("suppressed").is_not_null() & pl.col("_visible")
        | pl.col("suppressed").is_null() & ~pl.col("_visible")
    )
    if bad.height:  # pragma: no cover - a programming error, never a user's
        raise AssertionError("disclosure decisions disagree between the table and redaction")


def _measure_frame(results, previous, stats, breakdown, category, measure, positions):
    """The figures of one measure for the units at ``positions`` in one group (the whole
    unit, or one category), with comparisons among the visible ones, as a polars frame for
    ``redact_frame``."""
    import polars as pl

    k = results.threshold
    tree = results.tree
    column = stats.measure_index[measure.code]
    unit_ids = tree.ids[positions]
    count = len(positions)
    n = stats.n[positions, column]
    prot = results.measure_protection(measure.code)
    status = _visible_codes(prot, unit_ids, breakdown, [category] * count, n, k)
    visible = status == 0
    mean = stats.mean[positions, column]
    low, high = stats.ci[0][positions, column], stats.ci[1][positions, column]
    prop, base = stats.proportion
    wilson_low, wilson_high = stats.wilson
    pct = 100 * prop[positions, column]

    comparison = np.full(count, None, dtype=object)
    pct_comparison = np.full(count, None, dtype=object)
    not_root = tree.parent[positions] >= 0
    compare_at = visible & not_root
    if compare_at.any():
        compared = eng.compare_with_rest(
            stats, units=unit_ids[compare_at].tolist(), measures=[measure.code]
        )
        comparison[compare_at] = np.asarray(compared["label"].to_list(), dtype=object)
        pct_comparison[compare_at] = np.asarray(compared["pct_label"].to_list(), dtype=object)

    change = np.full(count, np.nan)
    change_label = np.full(count, None, dtype=object)
    if previous is not None and measure.kind != eng.SHARE:
        before = previous.group(breakdown, category)
        if before is not None and measure.code in before.measure_index:
            prev_prot = previous.measure_protection(measure.code)
            prev_column = before.measure_index[measure.code]
            prev_n = before.n[positions, prev_column]
            prev_status = _visible_codes(
                prev_prot, unit_ids, breakdown, [category] * count, prev_n, previous.threshold
            )
            k_both = max(k, previous.threshold)
            allowed = np.array(
                [
                    disclosure.change_visible(
                        int(a),
                        int(b),
                        k_both,
                        visible_now=bool(v),
                        visible_before=bool(w == 0),
                    )
                    for a, b, v, w in zip(n, prev_n, visible, prev_status, strict=True)
                ],
                dtype=bool,
            )
            if allowed.any():
                changed = eng.compare_waves(
                    stats, before, units=unit_ids[allowed].tolist(), measures=[measure.code]
                )
                lookup = dict(
                    zip(
                        changed["unit"].to_list(),
                        zip(
                            changed["difference"].to_list(), changed["label"].to_list(), strict=True
                        ),
                        strict=True,
                    )
                )
                for i in np.flatnonzero(allowed):
                    difference, label = lookup.get(unit_ids[i].item(), (None, None))
                    change[i] = np.nan if difference is None else difference
                    change_label[i] = label

    return pl.DataFrame(
        {
            "unit": pl.Series(unit_ids.tolist(), dtype=pl.Int64),
            "breakdown": pl.Series([breakdown] * count, dtype=pl.String),
            "category": pl.Series([category] * count, dtype=pl.String),
            "measure": pl.Series([measure.code] * count, dtype=pl.String),
            "n": pl.Series(np.rint(n).astype(np.int64)),
            "mean": mean,
            "ci_low": low,
            "ci_high": high,
            "pct_positive": pct,
            "pct_low": 100 * wilson_low[positions, column],
            "pct_high": 100 * wilson_high[positions, column],
            "comparison": pl.Series(comparison.tolist(), dtype=pl.String),
            "pct_comparison": pl.Series(pct_comparison.tolist(), dtype=pl.String),
            "change": change,
            "change_label": pl.Series(change_label.tolist(), dtype=pl.String),
            "_visible": pl.Series(visible),
        }
    ).fill_nan(None)


# -- the viewer's scope ------------------------------------------------------------------------


def parse_level(raw) -> Level | None:
    """A level as a person or a script writes it: a depth (``3``, ``"3"``) or a kind of
    unit (``"team"``, ``"Teams"``); None when not given. Anything else is Invalid, naming
    the values accepted."""
    if raw is None or isinstance(raw, int):
        return raw
    text = str(raw).strip().lower()
    if not text:
        return None
    if text.isdecimal():
        return int(text)
    for kind in LEVEL_KINDS:
        if text in (kind, LEVEL_PLURALS[kind]):
            return kind
    raise Invalid(
        {
            "level": f"There is no level {str(raw)[:30]!r}. Use a kind of unit: "
            f"{_or_list(LEVEL_KINDS)}, or a depth (0 the organisation, 1 its divisions, "
            "and so on down)."
        },
        source="query",
    )


def level_label(level: Level) -> str:
    """What a level is called on a page: "Teams", "Level 3"."""
    if isinstance(level, str):
        return LEVEL_PLURALS[level].capitalize()
    return f"Level {level}"


@dataclass(frozen=True)
class OwnUnit:
    """A scope of one unit alone, not the units below it: every member of staff sees the
    results of the organisation and of their own unit and its ancestors, as published to
    everyone. (Other scopes are ``None``, the organisation, or a unit with its subtree.)"""

    id: int
    path: str
    depth: int
    level: str
    name: str
    code: str
    exact: ClassVar[bool] = True  # what analysis.sees_drivers reads


def is_own_unit(scope) -> bool:
    return isinstance(scope, OwnUnit)


def scope_holds(path: str, scopes: Sequence) -> bool:
    """Whether the viewer's scopes hold the unit at ``path``: ``None`` holds every unit, a
    unit its subtree, an ``OwnUnit`` itself alone."""
    return None in scopes or any(
        path == scope.path if is_own_unit(scope) else unit_tree.is_within(path, scope.path)
        for scope in scopes
    )


def allowed_levels(results: WaveResults, scopes: Sequence) -> list[int]:
    """Levels with units inside the viewer's scopes (``[None]``: the whole organisation);
    with only ``OwnUnit`` scopes, the depths of those units."""
    top = 0 if None in scopes else min(unit.depth for unit in scopes) if scopes else None
    if top is None:
        return []
    if all(is_own_unit(scope) for scope in scopes):
        return sorted({scope.depth for scope in scopes})
    return list(range(top, results.max_level + 1))


def allowed_kinds(results: WaveResults, scopes: Sequence) -> list[str]:
    """The kinds of unit inside the viewer's scopes (every kind for ``[None]``), in the
    order of the structure."""
    if None in scopes:
        return results.level_kinds()
    present = {unit.level for unit in results.units.refs.values() if scope_holds(unit.path, scopes)}
    return [kind for kind in LEVEL_KINDS if kind in present]


def scoped_rows(table: ResultsTable, scopes: Sequence) -> list[Row]:
    """The rows of units inside the viewer's scopes (all of them for ``[None]``)."""
    if None in scopes:
        return list(table.rows)
    return [row for row in table.rows if scope_holds(row.path, scopes)]


def default_level(results: WaveResults, scopes: Sequence) -> Level:
    """The kind of unit most common one level below the organisation (divisions), or the
    kind of the viewer's own top unit; a depth only for units that record no kind."""
    levels = allowed_levels(results, scopes)
    if not levels:
        return 0
    depth = min(1, results.max_level) if None in scopes else levels[0]
    kinds: dict[str, int] = {}
    for unit in results.units.refs.values():
        if unit.depth == depth and unit.level in LEVEL_KINDS:
            kinds[unit.level] = kinds.get(unit.level, 0) + 1
    if None not in scopes:
        kinds = {unit.level: 1 for unit in scopes if unit.level in LEVEL_KINDS} or kinds
    return max(kinds.items(), key=lambda kv: kv[1])[0] if kinds else depth


def closed_wave_queryset(organisation):
    return Wave.objects.for_org(organisation).filter(status=WaveStatus.CLOSED)


def overlaps(target_paths: Iterable[str], scopes: Sequence) -> bool:
    if None in scopes:
        return True
    return unit_tree.overlap(target_paths, [scope.path for scope in scopes])
