"""The insights engine: scores a wave and aggregates it for every unit at every level.

No Django imports; see README.md in this package for the notebook-facing API.

How it works
------------
A wave is a respondents × items matrix of ``uint8`` answer codes (``scoring``), rows grouped
by reporting unit, with each respondent's breakdown categories (``ScoredWave``). The
organisation structure is a ``UnitTree`` (ids and parent ids), held in breadth-first order so
that each level is one contiguous block, grouped by parent.

``unit_statistics`` computes, for each reporting unit, the sufficient statistics of every
measure (dimensions, items, real-team share): count, sum and sum of squares of the 0–10
scores, and positive answers. Per item it looks up a packed 64-bit value per answer (answered,
positive, q, q² in separate bit fields; see ``scoring.PACKED_ROWS``) and sums those per unit
with ``np.add.reduceat``; the same packed values, summed across a dimension's items, give each
respondent's answered count and score numerator, hence their dimension score. Respondents
are scored in cache-sized blocks, shared between threads. The per-unit sums are then rolled up
the tree one level at a time (a sparse product adding each level's rows into their parents),
so every unit at every level has its figures in O(units + respondents): a respondent counts
in every ancestor of their reporting unit. Breakdowns (staff group and the like) repeat this
for each category's respondents.

From the sufficient statistics ``UnitStats`` derives means, SDs, 95% t intervals, percent
positive with Wilson intervals, and ``compare_with_rest`` / ``compare_waves`` test units
against the rest of their organisation (the organisation total minus the unit) and against the
previous wave with Welch's t-test, a minimum practical difference and Benjamini–Hochberg.
Suppression (``disclosure``) is applied to these tables afterwards; this module never hides
anything itself.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import polars as pl
from scipy import sparse

from colead.insights import scoring
from colead.insights import statistics as st
from colead.insights.scoring import ScoringScheme
from colead.surveys.definitions import Instrument

DIMENSION, ITEM, SHARE = "dimension", "item", "share"
REAL_TEAM_MEASURE = "real_team"
NO_CATEGORY = -1

# -- the unit tree ------------------------------------------------------------------------


class UnitTree:
    """An organisation structure (or a forest of them): unit ids and parent ids.

    Units are held in breadth-first order (``ids[i]`` is unit *i*): roots first, then each
    level in turn, children grouped by parent. ``parent[i]`` is the position of the parent
    (−1 for a root), ``depth[i]`` the level (0 for a root), ``root[i]`` the position of the
    root above (the organisation, for "the rest of the organisation").
    """

    def __init__(self, ids: Sequence, parents: Sequence, names: Sequence[str] | None = None):
        ids_in = np.asarray(ids)
        count = ids_in.shape[0]
        if len(parents) != count:
            raise ValueError("ids and parents must have the same length")
        lookup = {key: i for i, key in enumerate(ids_in.tolist())}
        if len(lookup) != count:
            raise ValueError("unit ids must be unique")
        parent_in = np.empty(count, dtype=np.int64)
        for i, parent in enumerate(parents):
            if parent is None or (isinstance(parent, float) and math.isnan(parent)):
                parent_in[i] = -1
            else:
                try:
                    parent_in[i] = lookup[parent.item() if hasattr(parent, "item") else parent]
                except KeyError:
                    raise ValueError(f"unit {ids_in[i]!r} has unknown parent {parent!r}") from None
        self._from_parent_index(ids_in, parent_in, names)

    @classmethod
    def from_nodes(cls, nodes: Iterable) -> UnitTree:
        """From objects with ``id``, ``parent_id`` and optionally ``name`` (e.g. UnitNode)."""
        nodes = list(nodes)
        return cls(
            [n.id for n in nodes],
            [n.parent_id for n in nodes],
            [getattr(n, "name", str(n.id)) for n in nodes],
        )

    @classmethod
    def from_parent_index(
        cls, parent: np.ndarray, ids: np.ndarray | None = None, names=None
    ) -> UnitTree:
        """From an array of parent positions (−1 for roots); ids default to 0..n − 1."""
        tree = cls.__new__(cls)
        parent = np.asarray(parent, dtype=np.int64)
        ids = np.arange(parent.shape[0]) if ids is None else np.asarray(ids)
        if ((parent < -1) | (parent >= parent.shape[0])).any():
            raise ValueError("parent positions must be −1 or a valid position")
        tree._from_parent_index(ids, parent, names)
        return tree

    def _from_parent_index(self, ids_in, parent_in, names) -> None:
        count = parent_in.shape[0]
        roots = np.flatnonzero(parent_in < 0)
        non_roots = np.flatnonzero(parent_in >= 0)
        by_parent = non_roots[np.argsort(parent_in[non_roots], kind="stable")]
        child_count = np.bincount(parent_in[non_roots], minlength=count)
        child_start = np.concatenate([[0], np.cumsum(child_count)[:-1]])
        levels = []
        level = roots
        seen = 0
        while level.size:
            levels.append(level)
            seen += level.size
            if seen > count:
                break
            counts = child_count[level]
            total = int(counts.sum())
            if total == 0:
                break
            offsets = np.repeat(child_start[level] - np.cumsum(counts) + counts, counts)
            level = by_parent[offsets + np.arange(total)]
        order = np.concatenate(levels) if levels else np.zeros(0, dtype=np.int64)
        if order.size != count:
            raise ValueError("the unit tree has a cycle (some units are not below any root)")
        position = np.empty(count, dtype=np.int64)
        position[order] = np.arange(count)
        self.order = order  # breadth-first position -> index in the input
        self.ids = ids_in[order]
        self.parent = np.where(parent_in[order] >= 0, position[parent_in[order]], -1)
        self.names = None if names is None else np.asarray(names, dtype=object)[order]
        self.level_bounds = []
        depth = np.empty(count, dtype=np.int16)
        start = 0
        for d, lv in enumerate(levels):
            depth[start : start + lv.size] = d
            self.level_bounds.append((start, start + lv.size))
            start += lv.size
        self.depth = depth
        root = np.arange(count)
        for lo, hi in self.level_bounds[1:]:
            root[lo:hi] = root[self.parent[lo:hi]]
        self.root = root
        # per level below the roots: a sparse (parent level × this level) matrix adding each
        # unit's row into its parent's
        self._rollup = []
        for d, (lo, hi) in enumerate(self.level_bounds[1:], start=1):
            plo, phi = self.level_bounds[d - 1]
            matrix = sparse.csr_matrix(
                (np.ones(hi - lo), (self.parent[lo:hi] - plo, np.arange(hi - lo))),
                shape=(phi - plo, hi - lo),
            )
            self._rollup.append((lo, hi, plo, phi, matrix))
        self._index = None

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    @property
    def max_depth(self) -> int:
        return len(self.level_bounds) - 1

    def positions(self, ids) -> np.ndarray:
        """Positions of the given unit ids (ValueError for an unknown id)."""
        ids = np.asarray(ids)
        if self._index is None:
            if self.ids.dtype.kind in "iu":
                sorter = np.argsort(self.ids, kind="stable")
                self._index = ("sorted", self.ids[sorter], sorter)
            else:
                self._index = ("dict", {k: i for i, k in enumerate(self.ids.tolist())}, None)
        kind, keys, sorter = self._index
        if kind == "sorted" and ids.dtype.kind in "iu":
            at = np.searchsorted(keys, ids)
            at = np.clip(at, 0, max(len(keys) - 1, 0))
            if len(keys) == 0 or (keys[at] != ids).any():
                unknown = ids[(len(keys) == 0) | (keys[at] != ids)][0]
                raise ValueError(f"unit {unknown!r} is not in the unit tree")
            return sorter[at]
        if kind == "sorted":
            keys = {k: int(sorter[i]) for i, k in enumerate(keys.tolist())}
            self._index = ("dict", keys, None)
        try:
            return np.array([keys[k] for k in ids.tolist()], dtype=np.int64)
        except KeyError as error:
            raise ValueError(f"unit {error.args[0]!r} is not in the unit tree") from None

    def children(self, unit) -> np.ndarray:
        """Ids of a unit's children."""
        return self.ids[self.parent == self.positions([unit])[0]]

    def ancestor_at_depth(self, depth: int) -> np.ndarray:
        """For every unit, the position of its ancestor (or itself) at ``depth``; −1 for
        units above that depth."""
        out = np.full(len(self), -1, dtype=np.int64)
        if depth > self.max_depth:
            return out
        lo, hi = self.level_bounds[depth]
        out[lo:hi] = np.arange(lo, hi)
        for lo, hi in self.level_bounds[depth + 1 :]:
            out[lo:hi] = out[self.parent[lo:hi]]
        return out

    def roll_up(self, values: np.ndarray) -> np.ndarray:
        """Add every unit's rows into all its ancestors, in place (rows = units in tree
        order), and return the array. One sparse product per level, deepest first:
        O(units × columns)."""
        for lo, hi, plo, phi, matrix in reversed(self._rollup):
            values[plo:phi] += matrix @ values[lo:hi]
        return values

    def placement(self, positions: np.ndarray) -> sparse.csr_matrix:
        """Sparse (units × len(positions)) matrix putting row i at unit ``positions[i]``."""
        count = positions.shape[0]
        return sparse.csr_matrix(
            (np.ones(count), (positions, np.arange(count))), shape=(len(self), count)
        )


# -- a scored wave -------------------------------------------------------------------------


@dataclass
class ScoredWave:
    """One wave's answers, coded and grouped by reporting unit.

    ``codes`` is respondents × ``scheme.items`` (uint8, see ``scoring``), ``units`` the
    reporting unit id of each respondent (rows are grouped so each unit's respondents are
    contiguous), ``breakdowns`` maps a breakdown name (e.g. ``staff_group``) to
    (category index per respondent, −1 for none; category labels).
    """

    scheme: ScoringScheme
    codes: np.ndarray
    units: np.ndarray
    breakdowns: dict[str, tuple[np.ndarray, tuple[str, ...]]] = field(default_factory=dict)
    wave: str | None = None

    def __post_init__(self):
        n = self.codes.shape[0]
        if self.codes.shape[1] != len(self.scheme.items) or self.units.shape[0] != n:
            raise ValueError("codes must be respondents × scheme items, units one per row")
        if n and not _is_grouped(self.units):
            order = np.argsort(self.units, kind="stable")
            self.codes = np.asfortranarray(self.codes[order])
            self.units = self.units[order]
            self.breakdowns = {
                name: (index[order], labels) for name, (index, labels) in self.breakdowns.items()
            }
        elif not self.codes.flags.f_contiguous:
            self.codes = np.asfortranarray(self.codes)
        if n:
            starts = np.flatnonzero(np.concatenate([[True], self.units[1:] != self.units[:-1]]))
        else:
            starts = np.zeros(0, dtype=np.int64)
        self.unit_starts = starts
        self.unit_ids = self.units[starts]

    @property
    def respondents(self) -> int:
        return int(self.codes.shape[0])

    @cached_property
    def unit_index(self) -> np.ndarray:
        """Each respondent's reporting unit as a position in ``unit_ids``."""
        lengths = np.diff(np.concatenate([self.unit_starts, [self.respondents]]))
        return np.repeat(np.arange(self.unit_starts.shape[0]), lengths)

    @classmethod
    def from_codes(
        cls,
        scheme: ScoringScheme,
        codes: np.ndarray,
        units,
        breakdowns: Mapping[str, Sequence] | None = None,
        wave: str | None = None,
    ) -> ScoredWave:
        """From an already-coded matrix; breakdowns as one label (or None) per respondent."""
        coded = {name: _categorise(values) for name, values in (breakdowns or {}).items()}
        return cls(scheme, codes, np.asarray(units), coded, wave)

    @cached_property
    def item_scores(self) -> np.ndarray:
        """Respondents × items float32 scores on 0–10 (NaN missing)."""
        return scoring.item_scores(self.scheme, self.codes)

    @cached_property
    def dimension_scores(self) -> np.ndarray:
        """Respondents × dimensions float64 scores (NaN missing)."""
        return scoring.dimension_scores(self.scheme, self.codes)

    def respondent_table(self) -> pl.DataFrame:
        """One row per respondent: unit, breakdown categories, dimension scores, real team."""
        columns = {"unit": self.units}
        for name, (index, labels) in self.breakdowns.items():
            columns[name] = pl.Series(name, _labels_of(index, labels), dtype=pl.String)
        for d, dim in enumerate(self.scheme.dimensions):
            columns[dim.code] = self.dimension_scores[:, d]
        flags = scoring.real_team_flags(self.scheme, self.codes)
        if flags is not None:
            columns[REAL_TEAM_MEASURE] = flags
        return pl.DataFrame(columns).fill_nan(None)


def _plain(value):
    """A numpy scalar as a plain Python value."""
    return value.item() if isinstance(value, np.generic) else value


def _is_grouped(units: np.ndarray) -> bool:
    if units.dtype.kind in "iuf":
        return bool((units[1:] >= units[:-1]).all())
    changes = int((units[1:] != units[:-1]).sum()) + 1
    return changes == np.unique(units).shape[0]


def _categorise(values: Sequence) -> tuple[np.ndarray, tuple[str, ...]]:
    values = ["" if v is None else str(v) for v in values]
    labels = tuple(sorted({v for v in values if v}))
    lookup = {label: i for i, label in enumerate(labels)}
    index = np.array([lookup.get(v, NO_CATEGORY) for v in values], dtype=np.int16)
    return index, labels


def _labels_of(index: np.ndarray, labels: tuple[str, ...]) -> list[str | None]:
    table = np.array([*labels, None], dtype=object)
    return table[np.where(index < 0, len(labels), index)].tolist()


def compute_wave_scores(
    instruments: Iterable[Instrument] | ScoringScheme,
    responses: pl.DataFrame,
    *,
    unit: str = "unit",
    breakdowns: Sequence[str] = (),
    wave: str | None = None,
) -> ScoredWave:
    """Code a wave's responses for scoring.

    ``responses`` has one row per respondent: a ``unit`` column (reporting unit id), the
    breakdown columns named in ``breakdowns`` (e.g. ``staff_group``; null for no answer),
    and one column per item code holding the stored answers ("1".."p", "dk", "yes"/"no",
    null). ``responses_frame`` builds such a frame from stored responses.
    """
    scheme = (
        instruments
        if isinstance(instruments, ScoringScheme)
        else scoring.scoring_scheme(instruments)
    )
    codes = scoring.encode_frame(scheme, responses)
    coded = {name: _categorise(responses.get_column(name).to_list()) for name in breakdowns}
    return ScoredWave(scheme, codes, responses.get_column(unit).to_numpy(), coded, wave)


def responses_frame(responses: Iterable[Mapping], *, unit_key: str = "unit") -> pl.DataFrame:
    """A responses DataFrame from stored responses: mappings with the reporting unit
    (``unit``), ``answers`` ({item: value}) and optionally ``demographics`` ({field: value}).
    """
    rows = []
    for response in responses:
        row = {"unit": response[unit_key]}
        row.update({k: v for k, v in (response.get("demographics") or {}).items()})
        for code, value in (response.get("answers") or {}).items():
            if not isinstance(value, list | dict):
                row[code] = None if value is None else str(value)
        rows.append(row)
    return pl.DataFrame(rows, infer_schema_length=None)


# -- measures and unit statistics ------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    code: str
    kind: str  # "dimension", "item" or "share"
    title: str
    instrument: str


def measures_of(scheme: ScoringScheme) -> tuple[Measure, ...]:
    """Dimensions, then items, then the real-team share (when the wave asks about teams)."""
    out = [Measure(d.code, DIMENSION, d.title, d.instrument) for d in scheme.dimensions]
    out += [Measure(i.code, ITEM, i.text, i.instrument) for i in scheme.items]
    if scheme.has_real_team_items():
        out.append(Measure(REAL_TEAM_MEASURE, SHARE, "Staff in real teams", "team-working"))
    return tuple(out)


@dataclass
class UnitStats:
    """Sufficient statistics of every measure for every unit (rows in tree order).

    For each unit × measure: ``n`` (respondents with a score, or valid answers), ``total``
    and ``total_sq`` (sum and sum of squares of the 0–10 scores; for a share, of the 0/1
    flags), ``positive`` (positive answers; 0 for a dimension, see ``proportion``) and
    ``respondents`` per unit. Derived figures (``mean``, ``sd``, ``ci``, ``proportion``,
    ``wilson``) are computed for every unit on first use.
    """

    tree: UnitTree
    scheme: ScoringScheme
    measures: tuple[Measure, ...]
    respondents: np.ndarray  # (units,)
    n: np.ndarray  # (units, measures), float64 holding whole numbers
    total: np.ndarray
    total_sq: np.ndarray
    positive: np.ndarray
    wave: str | None = None
    breakdown: str | None = None
    category: str | None = None

    @cached_property
    def measure_index(self) -> dict[str, int]:
        return {m.code: k for k, m in enumerate(self.measures)}

    @cached_property
    def _kinds(self) -> np.ndarray:
        return np.array([m.kind for m in self.measures])

    @cached_property
    def mean(self) -> np.ndarray:
        """Mean 0–10 score (for a share, the proportion); NaN where n = 0."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.n > 0, self.total / self.n, np.nan)

    @cached_property
    def sd(self) -> np.ndarray:
        """Sample SD; NaN where n < 2."""
        with np.errstate(divide="ignore", invalid="ignore"):
            var = (self.total_sq - self.total * self.mean) / (self.n - 1)
            return np.where(self.n > 1, np.sqrt(np.clip(var, 0.0, None)), np.nan)

    @cached_property
    def ci(self) -> tuple[np.ndarray, np.ndarray]:
        """95% t interval of the mean (NaN where n < 2)."""
        return _t_interval_fast(self.mean, self.sd, self.n)

    @cached_property
    def proportion(self) -> tuple[np.ndarray, np.ndarray]:
        """(proportion positive 0–1, the n it rests on) per unit × measure.

        Items and shares: positive/valid. Dimensions: the unweighted mean of their items'
        proportions (AHRQ SOPS composites; a parent dimension averages its
        sub-dimensions'), resting on the mean number of valid answers per item.
        """
        return _proportions(self.scheme, self.n, self.positive)

    @cached_property
    def wilson(self) -> tuple[np.ndarray, np.ndarray]:
        prop, base = self.proportion
        return st.wilson_interval(prop * base, base)

    def figures(self, threads: int = 2) -> None:
        """Compute the headline figures for every unit now: mean and percent positive (side
        by side on two threads: numpy releases the GIL)."""
        if threads > 1:
            with ThreadPoolExecutor(2) as pool:
                list(pool.map(lambda name: getattr(self, name), ("mean", "proportion")))
        _ = self.mean, self.proportion

    def intervals(self) -> None:
        """Compute SDs, t intervals and Wilson intervals for every unit now (``table``
        computes them only for the cells it shows)."""
        _ = self.ci, self.wilson

    def table(self, *, units: Sequence | None = None, measures: Sequence[str] | None = None):
        """One row per unit × measure (units with at least one respondent), as a polars
        DataFrame: ids, depth, measure, counts, sums (what disclosure control needs), mean,
        SD, 95% CI, percent positive (0–100) with its Wilson interval."""
        rows = np.flatnonzero(self.respondents > 0)
        if units is not None:
            rows = np.intersect1d(rows, self.tree.positions(units))
        cols = (
            np.arange(len(self.measures))
            if measures is None
            else np.array([self.measure_index[m] for m in measures], dtype=np.int64)
        )
        r = np.repeat(rows, cols.size)
        c = np.tile(cols, rows.size)
        n, total, total_sq = self.n[r, c], self.total[r, c], self.total_sq[r, c]
        mean, sd = st.mean_sd_from_sums(n, total, total_sq)
        low, high = _t_interval_fast(mean, sd, n)
        prop, base = self.proportion
        prop, base = prop[r, c], base[r, c]
        wilson_low, wilson_high = st.wilson_interval(prop * base, base)
        tree = self.tree
        parent = tree.parent[r]
        measure_codes = pl.Series([m.code for m in self.measures], dtype=pl.String)
        kinds = pl.Series([m.kind for m in self.measures], dtype=pl.String)
        frame = pl.DataFrame(
            {
                "wave": pl.Series([self.wave] * r.size, dtype=pl.String),
                "breakdown": pl.Series([self.breakdown] * r.size, dtype=pl.String),
                "category": pl.Series([self.category] * r.size, dtype=pl.String),
                "unit": tree.ids[r],
                "parent": np.where(parent >= 0, tree.ids[np.maximum(parent, 0)], tree.ids[r]),
                "depth": tree.depth[r],
                "measure": measure_codes.gather(c),
                "kind": kinds.gather(c),
                "respondents": self.respondents[r].astype(np.int64),
                "n": n.astype(np.int64),
                "sum": total,
                "sum_sq": total_sq,
                "mean": mean,
                "sd": sd,
                "ci_low": low,
                "ci_high": high,
                "n_valid": base,
                "n_positive": self.positive[r, c],
                "pct_positive": 100 * prop,
                "pct_low": 100 * wilson_low,
                "pct_high": 100 * wilson_high,
            }
        )
        frame = frame.with_columns(
            pl.when(pl.col("depth") == 0).then(None).otherwise(pl.col("parent")).alias("parent")
        )
        return frame.fill_nan(None)


def _proportions(scheme: ScoringScheme, n: np.ndarray, positive: np.ndarray):
    """(proportion positive, the n it rests on) for (rows × measures) counts; see
    ``UnitStats.proportion``."""
    dims, items = len(scheme.dimensions), len(scheme.items)
    prop = np.empty(n.shape)
    base = np.array(n, dtype=np.float64)
    items_at = slice(dims, dims + items)
    item_n = n[:, items_at]
    valid = item_n > 0
    ratio = np.zeros(item_n.shape)
    np.divide(positive[:, items_at], item_n, out=ratio, where=valid)
    leaf, parent = _composite_weights(scheme)
    count = valid.astype(np.float64) @ leaf
    with np.errstate(divide="ignore", invalid="ignore"):
        prop[:, :dims] = (ratio @ leaf) / count
        base[:, :dims] = (item_n @ leaf) / count
    base[:, :dims][count == 0] = 0.0
    ratio[~valid] = np.nan
    prop[:, items_at] = ratio
    others = slice(dims + items, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        prop[:, others] = positive[:, others] / n[:, others]
    parents = parent.any(axis=0)
    if parents.any():  # parents average their sub-dimensions' composites
        w = parent[:, parents]
        have = ~np.isnan(prop[:, :dims])
        sub_count = have.astype(np.float64) @ w
        with np.errstate(divide="ignore", invalid="ignore"):
            prop[:, :dims][:, parents] = (np.where(have, prop[:, :dims], 0.0) @ w) / sub_count
            base[:, :dims][:, parents] = np.where(
                sub_count > 0, (np.where(have, base[:, :dims], 0.0) @ w) / sub_count, 0.0
            )
    return prop, base


def _composite_weights(scheme: ScoringScheme) -> tuple[np.ndarray, np.ndarray]:
    """Membership matrices: items × dimensions (item feeds dimension) and dimensions ×
    dimensions (sub-dimension of parent)."""
    dims, items = len(scheme.dimensions), len(scheme.items)
    leaf = np.zeros((items, dims))
    parent = np.zeros((dims, dims))
    for d, dim in enumerate(scheme.dimensions):
        for code in dim.items:
            leaf[scheme.item_index[code], d] = 1.0
        for sub in dim.subdimensions:
            parent[scheme.dimension_index[sub], d] = 1.0
    return leaf, parent


def _t_interval_fast(mean, sd, n) -> tuple[np.ndarray, np.ndarray]:
    """The t interval with one quantile per distinct n (a lookup table indexed by n)."""
    counts = n.astype(np.int64)
    top = int(counts.max()) if counts.size else 0
    present = np.zeros(top + 1, dtype=bool)
    present[counts.ravel()] = True
    present[:2] = False
    table = np.full(top + 1, np.nan)
    wanted = np.flatnonzero(present)
    table[wanted] = st.t_quantile(wanted - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = table[counts] * sd / np.sqrt(n)
    return mean - half, mean + half


# -- leaf sums: the scoring-and-summing pass ----------------------------------------------------


@dataclass
class _Plan:
    """How a scheme is scored: dimensions in order (sub-dimensions before parents), which
    dimension sums each item (its first), items in no dimension, and score tables."""

    order: list[int]
    owner: dict[int, int]  # item position -> dimension position that sums it per unit
    unowned: list[int]  # items in no dimension
    subs: set[int]  # dimensions that are some parent's sub-dimension
    uniform_points: dict[int, int]  # dimension -> points when all its items agree
    score_tables: dict[int, np.ndarray]  # dimension -> table[answered + 4096·Σq] (−1 = none)


def _plan(scheme: ScoringScheme) -> _Plan:
    owner: dict[int, int] = {}
    for d, dim in enumerate(scheme.dimensions):
        for code in dim.items:
            owner.setdefault(scheme.item_index[code], d)
    subs = {scheme.dimension_index[s] for dim in scheme.dimensions for s in dim.subdimensions}
    order = [d for d, dim in enumerate(scheme.dimensions) if not dim.subdimensions]
    order += [d for d, dim in enumerate(scheme.dimensions) if dim.subdimensions]
    unowned = [j for j in range(len(scheme.items)) if j not in owner]
    owner_full = {j: owner.get(j, -1) for j in range(len(scheme.items))}
    uniform, tables = {}, {}
    for d, dim in enumerate(scheme.dimensions):
        if dim.subdimensions:
            continue
        points = {scheme.item(c).points for c in dim.items}
        if len(points) == 1:
            # table[answered + 4096·Σq] = the dimension score, or −1 for no score
            p = points.pop()
            k = len(dim.items)
            answered = np.arange(scoring.FIELD_12 + 1)[None, :]
            q_sum = np.arange(k * (p - 1) + 1)[:, None]
            with np.errstate(divide="ignore", invalid="ignore"):
                table = 10.0 * q_sum / ((p - 1) * answered)
            possible = (answered >= dim.min_answered) & (answered <= k)
            possible = possible & (q_sum <= answered * (p - 1))
            uniform[d], tables[d] = p, np.where(possible, table, -1.0).ravel()
    return _Plan(order, owner_full, unowned, subs, uniform, tables)


@dataclass
class _Segments:
    starts: np.ndarray  # first row of each reporting-unit segment
    chunk_starts: np.ndarray  # segments split so none has more than PACKED_ROWS rows
    chunk_to_segment: np.ndarray | None  # first chunk of each segment (None if chunks = segments)
    rows: int


def _segments(starts: np.ndarray, rows: int) -> _Segments:
    ends = np.concatenate([starts[1:], [rows]])
    lengths = ends - starts
    if lengths.size == 0 or lengths.max() <= scoring.PACKED_ROWS:
        return _Segments(starts, starts, None, rows)
    pieces = -(-lengths // scoring.PACKED_ROWS)
    first = np.concatenate([[0], np.cumsum(pieces)[:-1]])
    within = np.arange(int(pieces.sum())) - np.repeat(first, pieces)
    chunk_starts = np.repeat(starts, pieces) + within * scoring.PACKED_ROWS
    return _Segments(starts, chunk_starts, first, rows)


BLOCK_ROWS = 32_768  # respondents scored at a time: the scratch arrays stay in cache


class _Workspace:
    """Per-thread scratch arrays for one block of respondents, reused block after block."""

    def __init__(self, rows: int):
        self.packed = np.empty(rows, dtype=np.uint64)
        self.acc = np.empty(rows, dtype=np.uint64)
        self.count = np.empty(rows, dtype=np.uint64)
        self.numerator = np.empty(rows, dtype=np.uint64)
        self.score = np.empty(rows, dtype=np.float64)
        self.square = np.empty(rows, dtype=np.float64)
        self.has = np.empty(rows, dtype=bool)
        self.index = np.empty(rows, dtype=np.intp)

    def view(self, rows: int) -> _Workspace:
        out = _Workspace.__new__(_Workspace)
        for name, value in self.__dict__.items():
            setattr(out, name, value[:rows])
        return out


_U64 = {
    "f12": np.uint64(scoring.FIELD_12),
    "f16": np.uint64(scoring.FIELD_16),
    "f28": np.uint64(scoring.FIELD_28),
    "pos": np.uint64(scoring.POSITIVE_SHIFT),
    "q": np.uint64(scoring.Q_SHIFT),
    "q2": np.uint64(scoring.Q2_SHIFT),
    "one": np.uint64(1),
}


def _gather(table: np.ndarray, codes: np.ndarray, out: np.ndarray, ws: _Workspace):
    """table[codes] into ``out`` (through a reused index buffer: numpy would otherwise make
    a fresh intp copy of the codes for every lookup)."""
    ws.index[:] = codes
    return np.take(table, ws.index, out=out, mode="clip")


def _score_sums(score: np.ndarray, starts: np.ndarray, ws: _Workspace):
    """(n, Σ, Σ²) per chunk of respondent scores where a negative score means none.
    Overwrites ``score`` (negative scores become 0)."""
    has = np.greater_equal(score, 0.0, out=ws.has)
    n = np.add.reduceat(has.view(np.uint8), starts, dtype=np.int64)
    np.maximum(score, 0.0, out=score)
    total = np.add.reduceat(score, starts)
    np.multiply(score, score, out=ws.square)
    return n, total, np.add.reduceat(ws.square, starts)


@dataclass
class _Sums:
    """Per-chunk sums filled block by block: packed item sums and dimension/share sums."""

    items: np.ndarray  # (items, chunks) uint64, packed fields
    dims: np.ndarray  # (3, dimensions, chunks): n, Σ, Σ²
    share: np.ndarray  # (2, chunks): valid, real team


def _score_block(scheme, plan: _Plan, codes, rows: slice, chunks: slice, starts, ws, sums):
    """Score respondents ``rows`` (whose chunks are ``chunks``, starting at ``starts``
    within the block) and write their per-chunk sums into ``sums``."""
    sub_scores: dict[int, np.ndarray] = {}
    done: set[int] = set()
    for d in plan.order:
        dim = scheme.dimensions[d]
        if dim.subdimensions:
            score = ws.score
            score[:] = 0.0
            for sub in dim.subdimensions:
                np.add(score, sub_scores[scheme.dimension_index[sub]], out=score)
            score /= len(dim.subdimensions)
            score[np.isnan(score)] = -1.0  # a missing sub-score leaves the parent missing
        else:
            score = _dimension_block(scheme, plan, d, codes, rows, chunks, starts, ws, sums, done)
            if d in plan.subs:
                sub_scores[d] = score[1]
            score = score[0]
        n, total, total_sq = _score_sums(score, starts, ws)
        sums.dims[0, d, chunks] = n
        sums.dims[1, d, chunks] = total
        sums.dims[2, d, chunks] = total_sq
    for j in plan.unowned:
        packed = _gather(scheme.packed[j], codes[rows, j], ws.packed, ws)
        sums.items[j, chunks] = np.add.reduceat(packed, starts)
    if scheme.has_real_team_items():
        flags = scoring.real_team_flags(scheme, codes[rows])
        sums.share[0, chunks] = np.add.reduceat((~np.isnan(flags)).view(np.uint8), starts)
        sums.share[1, chunks] = np.add.reduceat(np.nan_to_num(flags), starts)


def _dimension_block(scheme, plan, d, codes, rows, chunks, starts, ws, sums, done):
    """Respondent scores of one dimension in a block: (score or −1, score with at least one
    answer or NaN — only for sub-dimensions); sums the items the dimension owns on the way."""
    dim = scheme.dimensions[d]
    uniform = d in plan.uniform_points
    fsum = fcount = None
    for i, code in enumerate(dim.items):
        j = scheme.item_index[code]
        target = ws.acc if (uniform and i == 0) else ws.packed
        packed = _gather(scheme.packed[j], codes[rows, j], target, ws)
        if plan.owner[j] == d and j not in done:
            sums.items[j, chunks] = np.add.reduceat(packed, starts)
            done.add(j)
        if uniform:
            if i:
                np.add(ws.acc, packed, out=ws.acc)
        else:
            answered = (packed & _U64["one"]).astype(np.float64)
            score = np.nan_to_num(scheme.scores[j][codes[rows, j]])
            fsum = score if fsum is None else fsum + score
            fcount = answered if fcount is None else fcount + answered
    sub = None
    if uniform:
        if d in plan.subs:
            count = np.bitwise_and(ws.acc, _U64["f12"], out=ws.count)
            numerator = np.right_shift(ws.acc, _U64["q"], out=ws.numerator)
            np.bitwise_and(numerator, _U64["f16"], out=numerator)
            p = plan.uniform_points[d]
            with np.errstate(divide="ignore", invalid="ignore"):
                sub = np.where(
                    count > 0, 10.0 * numerator / ((p - 1) * count.astype(float)), np.nan
                )
        index = np.bitwise_and(ws.acc, _U64["f28"], out=ws.acc)
        return np.take(plan.score_tables[d], index, out=ws.score, mode="clip"), sub
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = fsum / fcount
    if d in plan.subs:
        sub = np.where(fcount > 0, mean, np.nan)
    return np.where(fcount >= dim.min_answered, mean, -1.0), sub


def _blocks(seg: _Segments, rows: int, size: int) -> list[tuple[slice, slice, np.ndarray]]:
    """Blocks of about ``size`` respondents, cut at chunk starts: (rows, chunks, starts of
    the block's chunks relative to its first row)."""
    chunk_starts = seg.chunk_starts
    count = chunk_starts.shape[0]
    cuts = np.unique(np.searchsorted(chunk_starts, np.arange(0, rows, size), side="left"))
    edges = np.concatenate([cuts[cuts < count], [count]])
    out = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        first = int(chunk_starts[lo])
        last = int(chunk_starts[hi]) if hi < count else rows
        out.append((slice(first, last), slice(int(lo), int(hi)), chunk_starts[lo:hi] - first))
    return out


def _leaf_block(
    scheme: ScoringScheme,
    measures: tuple[Measure, ...],
    codes: np.ndarray,
    starts: np.ndarray,
    threads: int,
    plan: _Plan,
) -> np.ndarray:
    """Sufficient statistics per reporting-unit segment as a (columns × segments) array,
    columns respondents | n (K) | total (K) | total_sq (K) | positive (K), K = len(measures).

    Respondents are scored a block at a time so the scratch arrays stay in cache; blocks are
    shared between ``threads``."""
    rows = codes.shape[0]
    seg = _segments(starts, rows)
    k = len(measures)
    count = starts.shape[0]
    leaf_t = np.empty((1 + 4 * k, count))
    dims, items = len(scheme.dimensions), len(scheme.items)
    leaf_t[1 + 3 * k : 1 + 3 * k + dims] = 0.0  # dimensions have no positive count of their own
    if count == 0:
        return leaf_t
    leaf_t[0] = np.diff(np.concatenate([starts, [rows]]))
    chunks = seg.chunk_starts.shape[0]
    sums = _Sums(
        np.zeros((items, chunks), dtype=np.uint64),
        np.zeros((3, dims, chunks)),
        np.zeros((2, chunks)),
    )
    blocks = _blocks(seg, rows, BLOCK_ROWS)
    capacity = max(b[0].stop - b[0].start for b in blocks)
    local = threading.local()

    def run(block):
        if not hasattr(local, "ws"):
            local.ws = _Workspace(capacity)
        row_slice, chunk_slice, block_starts = block
        ws = local.ws.view(row_slice.stop - row_slice.start)
        _score_block(scheme, plan, codes, row_slice, chunk_slice, block_starts, ws, sums)

    if threads > 1 and len(blocks) > 1:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(run, blocks))
    else:
        for block in blocks:
            run(block)
    packed = sums.items
    step = np.array([10.0 / (item.points - 1) for item in scheme.items])[:, None]
    field = np.empty_like(packed)
    for at, shift, mask, scale in (
        (1, None, _U64["f12"], None),
        (1 + k, _U64["q"], _U64["f16"], step),
        (1 + 2 * k, _U64["q2"], None, step * step),
        (1 + 3 * k, _U64["pos"], _U64["f12"], None),
    ):
        values = packed
        if shift is not None:
            values = np.right_shift(values, shift, out=field)
        if mask is not None:
            values = np.bitwise_and(values, mask, out=field)
        target = leaf_t[at + dims : at + dims + items]
        target[:] = _to_segments(values, seg)
        if scale is not None:
            target *= scale
    for i, at in enumerate((1, 1 + k, 1 + 2 * k)):
        leaf_t[at : at + dims] = _to_segments(sums.dims[i], seg)
    if scheme.has_real_team_items():
        column = k - 1
        leaf_t[1 + column] = _to_segments(sums.share[0], seg)
        positives = _to_segments(sums.share[1], seg)
        for at in (1 + k, 1 + 2 * k, 1 + 3 * k):
            leaf_t[at + column] = positives
    return leaf_t


def _to_segments(values: np.ndarray, seg: _Segments) -> np.ndarray:
    """Per-chunk sums (last axis) added up per segment."""
    if seg.chunk_to_segment is None:
        return values
    return np.add.reduceat(values, seg.chunk_to_segment, axis=-1)


def unit_statistics(
    scored: ScoredWave,
    tree: UnitTree,
    *,
    breakdown: str | None = None,
    threads: int = 2,
) -> list[UnitStats] | UnitStats:
    """Sufficient statistics of every measure for every unit of ``tree``, each unit counting
    every respondent in its subtree.

    Without ``breakdown`` returns one ``UnitStats``; with one (e.g. ``"staff_group"``)
    returns a ``UnitStats`` per category of that breakdown, in label order. ``threads``
    splits the scoring pass across threads (numpy releases the GIL in it).
    """
    measures = measures_of(scored.scheme)
    plan = _plan(scored.scheme)
    if breakdown is None:
        return _unit_stats(scored, tree, measures, plan, scored.codes, scored.units, threads)
    index, labels = scored.breakdowns[breakdown]
    out = []
    for g, label in enumerate(labels):
        rows = np.flatnonzero(index == g)
        codes = np.asfortranarray(scored.codes[rows])
        stats = _unit_stats(scored, tree, measures, plan, codes, scored.units[rows], threads)
        stats.breakdown, stats.category = breakdown, label
        out.append(stats)
    return out


def _unit_stats(scored, tree, measures, plan, codes, units, threads) -> UnitStats:
    if units.shape[0]:
        starts = np.flatnonzero(np.concatenate([[True], units[1:] != units[:-1]]))
    else:
        starts = np.zeros(0, dtype=np.int64)
    leaf_t = _leaf_block(scored.scheme, measures, codes, starts, threads, plan)
    block = np.zeros((len(tree), leaf_t.shape[0]))
    if starts.size:
        block[tree.positions(units[starts])] = leaf_t.T
    tree.roll_up(block)
    k = len(measures)
    return UnitStats(
        tree=tree,
        scheme=scored.scheme,
        measures=measures,
        respondents=block[:, 0],
        n=block[:, 1 : 1 + k],
        total=block[:, 1 + k : 1 + 2 * k],
        total_sq=block[:, 1 + 2 * k : 1 + 3 * k],
        positive=block[:, 1 + 3 * k :],
        wave=scored.wave,
    )


def wave_statistics(
    waves: Mapping[str, ScoredWave], tree: UnitTree, **options
) -> dict[str, UnitStats | list[UnitStats]]:
    """``unit_statistics`` for every wave (in the order given), keyed by wave; pass
    consecutive pairs to ``compare_waves`` for the change since the previous wave."""
    return {name: unit_statistics(scored, tree, **options) for name, scored in waves.items()}


def aggregate(
    scored: ScoredWave, tree: UnitTree, breakdown: str | None = None, **options
) -> pl.DataFrame:
    """One row per unit × measure (× breakdown category), every unit at every level."""
    stats = unit_statistics(scored, tree, breakdown=breakdown, **options)
    if isinstance(stats, UnitStats):
        return stats.table()
    return pl.concat([s.table() for s in stats]) if stats else pl.DataFrame()


# -- comparisons ------------------------------------------------------------------------------


def _measure_columns(stats: UnitStats, measures: Sequence[str] | None) -> np.ndarray:
    if measures is None:
        return np.arange(len(stats.measures))
    return np.array([stats.measure_index[m] for m in measures], dtype=np.int64)


@dataclass
class _Side:
    """One side of a comparison, (cells,) arrays: n, mean, SD, proportion and its n."""

    n: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    prop: np.ndarray
    base: np.ndarray


def _side(scheme, n, total, total_sq, positive, cols) -> _Side:
    """A comparison side from (rows × measures) sums, flattened for the columns ``cols``."""
    prop, base = _proportions(scheme, n, positive)
    mean, sd = st.mean_sd_from_sums(n[:, cols], total[:, cols], total_sq[:, cols])
    return _Side(
        n=n[:, cols].ravel(),
        mean=mean.ravel(),
        sd=sd.ravel(),
        prop=prop[:, cols].ravel(),
        base=base[:, cols].ravel(),
    )


def _compare(one: _Side, other: _Side, kinds, measures, alpha, min_score, min_pct) -> dict:
    """Welch tests of scores and of percent positive, BH across the units for each measure
    (cells are unit-major: ``measures`` columns per unit), and the labels."""
    score = st.welch_test(one.mean, one.sd, one.n, other.mean, other.sd, other.n)
    # percent positive: Welch on 0/1 answers (sd² = p(1 − p)·n/(n − 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        sd1 = np.sqrt(np.clip(one.prop * (1 - one.prop) * one.base / (one.base - 1), 0, None))
        sd2 = np.sqrt(
            np.clip(other.prop * (1 - other.prop) * other.base / (other.base - 1), 0, None)
        )
    pct = st.welch_test(one.prop, sd1, one.base, other.prop, sd2, other.base)
    share = kinds == SHARE
    score_p = np.where(share, np.nan, score.p)
    shape = (-1, max(measures, 1))
    score_q = st.benjamini_hochberg(score_p.reshape(shape), axis=0).ravel()
    pct_q = st.benjamini_hochberg(pct.p.reshape(shape), axis=0).ravel()
    labels = st.label_difference(score.difference, score_q, min_score, alpha).astype(object)
    labels[share] = None
    return {
        "difference": np.where(share, np.nan, score.difference),
        "t": np.where(share, np.nan, score.t),
        "df": np.where(share, np.nan, score.df),
        "p": score_p,
        "p_adjusted": score_q,
        "label": labels,
        "pct_difference": 100 * pct.difference,
        "pct_p": pct.p,
        "pct_p_adjusted": pct_q,
        "pct_label": st.label_difference(pct.difference, pct_q, min_pct, alpha),
    }


def compare_with_rest(
    stats: UnitStats,
    units: Sequence | None = None,
    measures: Sequence[str] | None = None,
    *,
    alpha: float = 0.05,
    min_difference: float = st.MIN_DIFFERENCE_SCORE,
    min_pct_difference: float = st.MIN_DIFFERENCE_PROPORTION,
) -> pl.DataFrame:
    """Each unit against the rest of its organisation (the organisation's total minus the
    unit), for each measure: Welch's t-test on the 0–10 scores and on percent positive.

    ``units`` are the units shown together (default: every unit with respondents below an
    organisation root); p-values are Benjamini–Hochberg adjusted across them, separately for
    each measure. A difference is labelled better/worse only when the adjusted p < ``alpha``
    and it is at least ``min_difference`` points (``min_pct_difference`` as a proportion);
    otherwise similar. A dimension's percent positive is compared as a proportion resting on
    its mean number of valid answers per item (an approximation).
    """
    tree = stats.tree
    rows = np.flatnonzero((tree.depth > 0) & (stats.respondents > 0))
    if units is not None:
        rows = tree.positions(units)
    cols = _measure_columns(stats, measures)
    roots = tree.root[rows]
    sums = (stats.n, stats.total, stats.total_sq, stats.positive)
    unit = _side(stats.scheme, *(a[rows] for a in sums), cols)
    rest = _side(stats.scheme, *(a[roots] - a[rows] for a in sums), cols)
    r, c = np.repeat(rows, cols.size), np.tile(cols, rows.size)
    result = _compare(
        unit, rest, stats._kinds[c], cols.size, alpha, min_difference, min_pct_difference
    )
    extra = {"rest_n": rest.n, "rest_mean": rest.mean, "rest_pct": 100 * rest.prop}
    return _comparison_frame(stats, r, c, unit, extra, result)


def compare_waves(
    current: UnitStats,
    previous: UnitStats,
    units: Sequence | None = None,
    measures: Sequence[str] | None = None,
    *,
    alpha: float = 0.05,
    min_difference: float = st.MIN_DIFFERENCE_SCORE,
    min_pct_difference: float = st.MIN_DIFFERENCE_PROPORTION,
) -> pl.DataFrame:
    """Change since the previous wave for the same units and measures (matched by unit id
    and measure code), by the same tests and rules as ``compare_with_rest``. Units missing
    from the previous wave's tree are left out."""
    tree = current.tree
    rows = np.flatnonzero(current.respondents > 0) if units is None else tree.positions(units)
    ids = tree.ids[rows]
    kept = np.isin(ids, previous.tree.ids)
    rows, ids = rows[kept], ids[kept]
    before = previous.tree.positions(ids) if ids.size else np.zeros(0, dtype=np.int64)
    codes = [m.code for m in current.measures] if measures is None else list(measures)
    codes = [m for m in codes if m in previous.measure_index]
    cols = np.array([current.measure_index[m] for m in codes], dtype=np.int64)
    previous_cols = np.array([previous.measure_index[m] for m in codes], dtype=np.int64)
    now = _side(
        current.scheme,
        *(a[rows] for a in (current.n, current.total, current.total_sq, current.positive)),
        cols,
    )
    then = _side(
        previous.scheme,
        *(a[before] for a in (previous.n, previous.total, previous.total_sq, previous.positive)),
        previous_cols,
    )
    r, c = np.repeat(rows, cols.size), np.tile(cols, rows.size)
    result = _compare(
        now, then, current._kinds[c], cols.size, alpha, min_difference, min_pct_difference
    )
    extra = {"previous_n": then.n, "previous_mean": then.mean, "previous_pct": 100 * then.prop}
    return _comparison_frame(current, r, c, now, extra, result)


def _comparison_frame(stats, r, c, unit: _Side, extra: dict, result: dict) -> pl.DataFrame:
    columns = {
        "wave": pl.Series([stats.wave] * r.size, dtype=pl.String),
        "category": pl.Series([stats.category] * r.size, dtype=pl.String),
        "unit": stats.tree.ids[r],
        "measure": pl.Series([m.code for m in stats.measures], dtype=pl.String).gather(c),
        "kind": pl.Series([m.kind for m in stats.measures], dtype=pl.String).gather(c),
        "n": unit.n.astype(np.int64),
        "mean": unit.mean,
        "pct_positive": 100 * unit.prop,
    }
    for name, values in extra.items():
        columns[name] = values.astype(np.int64) if name.endswith("_n") else values
    for name, values in result.items():
        if values.dtype == object:
            columns[name] = pl.Series(name, values.tolist(), dtype=pl.String)
        else:
            columns[name] = values
    return pl.DataFrame(columns).fill_nan(None)


# -- teams, reliability and key drivers -------------------------------------------------------


def team_agreement(
    stats: UnitStats, dimension: str = "psychological_safety", threshold: float = st.RWG_THRESHOLD
) -> pl.DataFrame:
    """rwg(J) of a dimension for every unit, from its items' within-unit variances.

    ``shown`` is True where rwg(J) ≥ ``threshold`` (0.70): only then is the unit's score a
    team property. Variances are converted from 0–10 scores to option
    units, and σ²EU = (A² − 1)/12 for A options. Items need at least two answers in the unit.
    """
    scheme = stats.scheme
    items = scheme.dimension_items(dimension)
    points = {scheme.items[j].points for j in items}
    if len(points) != 1:
        raise ValueError(f"{dimension}: rwg(J) needs items on one scale")
    options = points.pop()
    cols = len(scheme.dimensions) + np.array(items)
    n, total, total_sq = stats.n[:, cols], stats.total[:, cols], stats.total_sq[:, cols]
    _, sd = st.mean_sd_from_sums(n, total, total_sq)
    variance = (sd * (options - 1) / 10.0) ** 2  # in option units
    ok = ~np.isnan(variance)
    j_items = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_variance = np.where(ok, variance, 0).sum(axis=1) / j_items
    rwg = np.where(
        j_items > 0,
        st.rwg_j_from_variances(mean_variance, j_items, st.expected_variance_uniform(options)),
        np.nan,
    )
    d = stats.measure_index[dimension]
    keep = stats.respondents > 0
    is_leaf = np.ones(len(stats.tree), dtype=bool)
    is_leaf[stats.tree.parent[stats.tree.parent >= 0]] = False
    return pl.DataFrame(
        {
            "unit": stats.tree.ids[keep],
            "depth": stats.tree.depth[keep],
            "is_leaf": is_leaf[keep],
            "n": stats.n[keep, d].astype(np.int64),
            "mean": stats.mean[keep, d],
            "rwg_j": rwg[keep],
            "shown": np.nan_to_num(rwg[keep], nan=-1.0) >= threshold,
        }
    ).fill_nan(None)


def reliability(
    scored: ScoredWave, tree: UnitTree | None = None, *, team_depth: int | None = None
) -> pl.DataFrame:
    """Per dimension: Cronbach's alpha across respondents (listwise, items' 0–10 scores),
    and ICC(1)/ICC(2) of the respondent dimension scores across teams.

    Teams are the reporting units (or, with ``team_depth``, the units at that depth of
    ``tree`` that respondents' reporting units fall under).
    """
    scheme = scored.scheme
    groups = scored.unit_index if scored.respondents else None
    if team_depth is not None:
        if tree is None:
            raise ValueError("team_depth needs the unit tree")
        ancestor = tree.ancestor_at_depth(team_depth)[tree.positions(scored.unit_ids)]
        groups = ancestor[groups]
    rows = []
    for d, dim in enumerate(scheme.dimensions):
        items = scheme.dimension_items(dim.code)
        block = np.column_stack([scheme.scores[j][scored.codes[:, j]] for j in items])
        alpha = st.cronbach_alpha(block) if len(items) > 1 else float("nan")
        complete = int((~np.isnan(block).any(axis=1)).sum())
        values = scored.dimension_scores[:, d]
        keep = ~np.isnan(values) & (groups >= 0 if groups is not None else True)
        icc = st.icc_oneway(values[keep], groups[keep]) if groups is not None else None
        rows.append(
            {
                "dimension": dim.code,
                "items": len(items),
                "alpha": alpha,
                "alpha_n": complete,
                "icc1": icc.icc1 if icc else None,
                "icc2": icc.icc2 if icc else None,
                "f": icc.f if icc else None,
                "p": icc.p if icc else None,
                "groups": icc.groups if icc else 0,
                "n": icc.n if icc else 0,
            }
        )
    return pl.DataFrame(rows).fill_nan(None)


def key_drivers(
    scored: ScoredWave,
    tree: UnitTree,
    *,
    outcome: str = "engagement",
    drivers: Sequence[str] | None = None,
    depths: Sequence[int] = (0, 1),
    min_n: int = 30,
) -> pl.DataFrame:
    """Correlation and standardised regression weight of each driver dimension with the
    outcome across respondents, for every unit at the given depths (0 = organisation,
    1 = division), from complete cases. Units with fewer than ``min_n`` complete cases are
    left out.

    Drivers default to the culture-pulse elements (every dimension of ``culture-pulse``).
    """
    scheme = scored.scheme
    if drivers is None:
        drivers = [d.code for d in scheme.dimensions if d.instrument == "culture-pulse"]
    columns = [scheme.dimension_index[c] for c in (*drivers, outcome)]
    values = scored.dimension_scores[:, columns]
    complete = ~np.isnan(values).any(axis=1)
    unit_pos = tree.positions(scored.unit_ids)[scored.unit_index]
    v = values[complete]
    k = v.shape[1]
    # per reporting unit: count, Σv, Σvvᵀ; then roll up so every unit has its subtree's
    leaf = unit_pos[complete]
    moments = np.zeros((len(tree), 1 + k + k * k))
    moments[:, 0] = np.bincount(leaf, minlength=len(tree))
    for a in range(k):
        moments[:, 1 + a] = np.bincount(leaf, weights=v[:, a], minlength=len(tree))
        for b in range(a, k):
            products = np.bincount(leaf, weights=v[:, a] * v[:, b], minlength=len(tree))
            moments[:, 1 + k + a * k + b] = moments[:, 1 + k + b * k + a] = products
    tree.roll_up(moments)
    rows = []
    for depth in depths:
        if depth > tree.max_depth:
            continue
        lo, hi = tree.level_bounds[depth]
        for u in range(lo, hi):
            n = int(moments[u, 0])
            if n < max(min_n, k + 2):
                continue
            result = st.key_drivers_from_moments(
                n, moments[u, 1 : 1 + k], moments[u, 1 + k :].reshape(k, k)
            )
            for i, driver in enumerate(drivers):
                rows.append(
                    {
                        "unit": _plain(tree.ids[u]),
                        "depth": depth,
                        "driver": driver,
                        "outcome": outcome,
                        "n": n,
                        "correlation": float(result.correlation[i]),
                        "beta": float(result.beta[i]),
                        "r_squared": result.r_squared,
                    }
                )
    columns = ("unit", "depth", "driver", "outcome", "n", "correlation", "beta", "r_squared")
    frame = pl.DataFrame(rows) if rows else pl.DataFrame({c: [] for c in columns})
    return frame.fill_nan(None)
