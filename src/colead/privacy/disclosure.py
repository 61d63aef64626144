"""Disclosure control: the one module every survey output goes through (pages, exports, API,
charts, reports). Pure computation: no Django, only numpy.

The rules, written up for users in docs/privacy.md ("Disclosure control of results"):

* **R1 primary** -- a group with fewer than ``k`` responses is hidden, its count included.
* **R2 complementary** -- in every published partition (a unit's sub-units plus the people
  attached to the unit itself; the categories of a breakdown; the same category across a unit's
  sub-units), hidden groups must not be recoverable by subtraction.
* **R3 remainder** -- a breakdown that would leave a remainder below ``k`` is refused.
* **R4 fixed groups** -- breakdowns can be limited to larger groups (``Breakdown.min_group_n``);
  two-way cross-tabs are refused below the organisation level.
* **R5 temporal** -- change since the last wave is hidden unless both waves have ``2k``.
* **R6 attribute** -- below ``2k`` responses a percent positive is shown as a band.
* **Comments** -- shown only for groups at or above the comment threshold, with the same
  protection against subtracting one unit's comments from its parent's.

Using it::

    tree = Hierarchy.build(unit_codes, parent_codes)       # or Hierarchy.of(engine_tree)
    prot = protect(tree, respondents_by_unit, k=wave.reporting_threshold,
                   breakdowns={"staff_group": Breakdown(categories, counts_by_unit)},
                   population=tree.subtree_totals(invited_by_unit))
    prot.unit_status("W1"), prot.direct_status("MED"), prot.breakdown_allowed("W1", "staff_group")
    measure = prot.refine(measure_n_by_unit, {"staff_group": measure_counts})  # per measure
    rows = redact_rows(engine_rows, {None: prot, "engagement": measure})      # what to show
    table = redact_frame(engine_table, {None: prot, "engagement": measure})   # polars, vectorised
    comments = protect_comments(tree, commenters_by_unit, wave.comment_threshold)

The model
---------

A *figure* is a published count (and the scores computed from the same people): a unit's
total (everyone in its subtree), the *direct group* of a unit with sub-units (people whose
reporting unit is the unit itself: ``n_direct = n_unit - sum(n_children)``, a group of its own
whether or not a page shows it) and, for each breakdown, each group's count in each category
(when the categories add up to fewer than the group, the rest -- people who did not say -- is
a category too, ``REMAINDER``). A hidden group's breakdown is never shown.
Figures are tied by *lines*, exact linear relations anyone can read off the published tables:

* hierarchy: ``unit = sub-units + direct group``;
* breakdown: ``group = its categories``;
* roll-up: ``unit's category c = sub-units' category c + direct group's category c``.

A figure is *unknown* to an attacker when it is hidden and *present*: not zero, or a zero in a
group that has people (``population``: those invited). A unit's headcount is public to staff,
so "nobody responded" in a group with people is a small count like any from 1 to ``k - 1``:
it is hidden (R1 counts zero), protected and, being unknown, it protects others. Only a group
with nobody in it is *empty*: the attacker may know it (a directorate with nobody attached
directly is common knowledge), so it never protects another figure and is never protected
itself. A breakdown's categories are self-reported, so their populations are unknown: every
category of a group with people is present, zero or not (the only choice consistent with the
lines: a unit's zero category is unknown exactly when one of its groups' is, and a group's
total exactly when one of its categories'). Without ``population`` every zero is empty.

The line rules, applied to a fixed point over every line:

(a) if the line's total has ``k`` or more responses, its unknown members are either none or
    add up to at least ``k`` (the Glint rule, spec R2; unknown zeros alone add up to 0);
(b) a line never has exactly one unknown figure, counting its total.

A violation hides the smallest visible member of the line ("complementary"); only when no
member is left does the total itself become hidden. Because every visible non-empty figure has
at least ``k`` responses, one more member always restores (a). Every violated line chooses at
once, so one line's choice can make another's unneeded (a unit's category hidden for its
parent's column already gives the unit's row the second unknown a sub-unit was hidden for).
So after the fixed point and the audit, :meth:`_State.release` shows again, largest first,
each figure of ``k`` or more hidden only for others whose lines all keep (a) and (b) without
it; the audit then runs again (it only hides). On the demo waves this gives back 7 % of the
hidden breakdown cells of ``k`` or more (docs/benchmarks.md); it gives back no unit total
there: the directorates still hidden (Critical Care, Neonatal Services...) are the smallest
member of a division's line whose own direct group of 1 to 3 people is hidden, and no smaller
figure is in that line.

What is guaranteed (proved by the property tests in tests/unit/test_privacy_disclosure*.py,
against an attacker written independently of this module):

1. **No hidden figure below k can be worked out.** For the unit hierarchy alone, rules (a) and
   (b) are enough, for every hidden figure: the lines form a tree, and a linear combination of
   tree-shaped lines each holding two or more unknowns always leaves at least two unknowns.
   Breakdowns add roll-up lines, the lines then form cycles (a 2x2 table is the simplest), and
   rule (b) alone is not enough (a hidden cell can be the "bridge" between two blocks of hidden
   cells). So every breakdown is also *audited* exactly: a dynamic programme over the unit
   tree (``_audit``) computes, for every group, the space of changes to its figures consistent
   with everything published; a hidden figure below ``k`` that cannot change is protected by
   hiding one more figure next to it, and the rules and the audit run again until nothing is
   found. The audit is exact linear algebra, linear in the number of units, and the tests
   check it reports exactly what a brute-force linear-algebra attacker finds. (A figure of
   ``k`` or more hidden only to protect others may still be fixed by the published ones, for
   example a category equal to the difference of two visible totals; that discloses nothing
   about fewer than ``k`` people.)
2. **Subtraction along the hierarchy never isolates fewer than k people.** For any visible unit
   and any set of its descendants' published totals, the people left unaccounted for are at
   least ``k``, or none when every hidden group left is empty; never one hidden group, and
   never "nobody" from a group with people (induction over rule (a), which also holds below
   hidden totals of ``k`` or more).
3. Means and percentages are sums over the same people divided by the same counts, so the same
   lines hold for score totals: (1) and (2) hold for them too.

Speed (56,200 units in 200 organisations, development machine shared with other work, best of
three; tests/unit/test_privacy_disclosure.py describes the tree): unit totals alone ~3 ms;
with random breakdowns of 8, 6 and 5 categories ~0.3 s for the line rules and ~2.7-3 s with
the audit, about half of it the second audit after :meth:`_State.release` (the same inputs
took ~0.2 s and ~1.7 s before it). Most groups are settled by vectorised checks; the
programme runs only around the rest, and release checks one by one only the figures a
vectorised test finds likely.

Per-measure counts. A respondent may have no score for a measure, so a measure's ``n`` can be
smaller than the group's response count. :func:`protect` decides on response counts, which are
what pages show beside every score; :meth:`Protection.refine` then takes one measure's counts,
hides figures whose own count is below ``k`` and re-runs the rules and the audit on those counts
(the pattern only ever grows). So R1 holds literally ("valid responses to that measure") and
the guarantees hold per measure, while the common case (every respondent scored) costs one
check. :func:`redact_rows` also hides any row whose own ``n`` is below ``k``, whatever it is
given.

Not covered: different breakdowns are audited separately, each with the unit totals they share;
combining two breakdowns' relations on hidden unit totals is not audited (the joint distribution
is never published). Cross-tabs are only allowed at organisation level (:func:`crosstab_allowed`).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

__all__ = [
    "BANDED_FIELDS",
    "IDENTITY_FIELDS",
    "REMAINDER",
    "Breakdown",
    "Protection",
    "Status",
    "Hierarchy",
    "change_visible",
    "comments_visible",
    "crosstab_allowed",
    "filter_allowed",
    "percent_band",
    "banded_percent",
    "protect",
    "protect_comments",
    "reason",
    "redact_frame",
    "redact_rows",
]

REMAINDER = "(not recorded)"
"""The category added when a breakdown's categories add up to fewer than the group: people
who did not say, or whose category is not recorded. A group of its own like any other."""


class Status(StrEnum):
    """What may be shown of a figure."""

    VISIBLE = "visible"
    PRIMARY = "primary"  # fewer than k responses (R1), including none
    COMPLEMENTARY = "complementary"  # hidden so that a smaller group cannot be worked out (R2)
    REFUSED = "refused"  # the group's breakdown is not shown at all (R3, R4)

    @property
    def hidden(self) -> bool:
        return self is not Status.VISIBLE


_VIS, _PRI, _COMP, _REF = 0, 1, 2, 3
_STATUS = (Status.VISIBLE, Status.PRIMARY, Status.COMPLEMENTARY, Status.REFUSED)


def reason(status: Status | str | None, k: int) -> str | None:
    """The sentence shown in place of a hidden figure."""
    if status is None:
        return None
    status = Status(status)
    if status is Status.PRIMARY:
        return f"Fewer than {k} responses"
    if status is Status.COMPLEMENTARY:
        return "Hidden so that a smaller group cannot be worked out"
    if status is Status.REFUSED:
        return "This breakdown is not shown for this group, so that a smaller group cannot be worked out"
    return None


# --------------------------------------------------------------------------------------------
# Inputs


@dataclass(frozen=True, eq=False)
class Hierarchy:
    """Reporting units as parallel arrays. Build with :meth:`build`.

    ``internal`` lists the units with sub-units (each has a direct group); ``child_order`` lists
    every non-root unit grouped by parent, the parent of segment ``i`` being ``internal[i]``.
    """

    ids: tuple[Hashable, ...]
    index: Mapping[Hashable, int]
    parent: np.ndarray  # unit -> parent position, -1 for a root
    depth: np.ndarray
    topo: np.ndarray  # positions, parents before children
    internal: np.ndarray  # positions of units with sub-units, ascending
    internal_of: np.ndarray  # unit -> its position in ``internal``, -1 for a leaf
    child_order: np.ndarray
    child_ptr: np.ndarray  # len(internal) + 1 offsets into child_order
    child_seg: np.ndarray  # for each entry of child_order, its parent's position in ``internal``

    @classmethod
    def build(cls, ids: Sequence[Hashable], parents: Sequence[Hashable | None]) -> Hierarchy:
        """From unit ids and their parents' ids (None for a root)."""
        ids = tuple(ids)
        if len(parents) != len(ids):
            raise ValueError("ids and parents differ in length")
        index = {u: i for i, u in enumerate(ids)}
        if len(index) != len(ids):
            raise ValueError("unit ids are not unique")
        try:
            parent = np.fromiter(
                (-1 if p is None else index[p] for p in parents), dtype=np.int64, count=len(ids)
            )
        except KeyError as exc:
            raise ValueError(f"unknown parent unit {exc.args[0]!r}") from None
        return cls.from_parent_index(parent, ids)

    @classmethod
    def from_parent_index(cls, parent, ids: Sequence[Hashable] | None = None) -> Hierarchy:
        """From parent positions (-1 for a root); ids default to the positions."""
        parent = np.asarray(parent, dtype=np.int64)
        n_units = parent.shape[0]
        ids = tuple(range(n_units)) if ids is None else tuple(np.asarray(ids).tolist())
        if len(ids) != n_units:
            raise ValueError("ids and parents differ in length")
        if ((parent < -1) | (parent >= n_units)).any():
            raise ValueError("parent positions must be -1 or a valid position")
        index = {u: i for i, u in enumerate(ids)}
        if len(index) != n_units:
            raise ValueError("unit ids are not unique")
        depth = np.zeros(n_units, dtype=np.int64)
        up = parent.copy()
        steps = 0
        while (up >= 0).any():
            steps += 1
            if steps > n_units:
                raise ValueError("the unit parents form a cycle")
            has = up >= 0
            depth[has] += 1
            up = np.where(has, parent[np.maximum(up, 0)], -1)
        topo = np.argsort(depth, kind="stable")
        nonroot = np.flatnonzero(parent >= 0)
        child_order = nonroot[np.argsort(parent[nonroot], kind="stable")]
        has_children = np.zeros(n_units, dtype=bool)
        has_children[parent[nonroot]] = True
        internal = np.flatnonzero(has_children)
        internal_of = np.full(n_units, -1, dtype=np.int64)
        internal_of[internal] = np.arange(len(internal))
        child_seg = internal_of[parent[child_order]]
        child_ptr = np.searchsorted(child_seg, np.arange(len(internal) + 1))
        return cls(
            ids,
            index,
            parent,
            depth,
            topo,
            internal,
            internal_of,
            child_order,
            child_ptr,
            child_seg,
        )

    @classmethod
    def of(cls, tree) -> Hierarchy:
        """A Hierarchy as it is, or from any tree with ``ids`` and ``parent`` positions (such as
        ``colead.insights.engine.UnitTree``): positions and ids are kept."""
        if isinstance(tree, Hierarchy):
            return tree
        return cls.from_parent_index(tree.parent, tree.ids)

    @property
    def size(self) -> int:
        return len(self.ids)

    def position(self, unit: Hashable) -> int:
        try:
            return self.index[unit]
        except KeyError:
            raise KeyError(f"unknown unit {unit!r}") from None

    def subtree_totals(self, own) -> np.ndarray:
        """Each unit's value plus those of every unit below it, from per-unit values (by
        position, or a mapping from unit id, missing units counting zero): for example the
        people invited with each unit as their own, summed into the population ``protect``
        takes."""
        if isinstance(own, Mapping):
            values = np.zeros(self.size, dtype=np.int64)
            for unit, value in own.items():
                values[self.position(unit)] += value
        else:
            values = np.asarray(own, dtype=np.int64).copy()
            if values.shape != (self.size,):
                raise ValueError(f"expected {self.size} values, got shape {values.shape}")
        for depth in range(int(self.depth.max(initial=0)), 0, -1):  # children first
            units = np.flatnonzero(self.depth == depth)
            np.add.at(values, self.parent[units], values[units])
        return values

    def children_sum(self, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` (indexed by unit, any trailing shape) over each internal unit's
        children."""
        if len(self.internal) == 0:
            return np.zeros((0, *values.shape[1:]), dtype=values.dtype)
        return np.add.reduceat(values[self.child_order], self.child_ptr[:-1], axis=0)


@dataclass(frozen=True)
class Breakdown:
    """Counts of one breakdown (staff group, age band...) for every unit.

    ``counts[u, c]`` is the number of respondents in unit ``u``'s subtree in category ``c``
    (a unit without the breakdown has a row of zeros: everyone then counts in ``REMAINDER``).
    ``min_group_n`` limits the breakdown to groups of at least that size, except at
    organisation level (R4: protected characteristics at 50).
    """

    categories: Sequence[str]
    counts: np.ndarray | Sequence[Sequence[int]]
    min_group_n: int = 0


# --------------------------------------------------------------------------------------------
# The solver state


class _Cut:
    """One breakdown inside the solver: counts, hidden flags and presence (non-empty, or a
    zero in a group with people) for every group (units, then direct groups), categories
    along the second axis."""

    __slots__ = ("name", "given", "categories", "N", "H", "P", "min_group_n")

    def __init__(self, name, given, categories, N, H, min_group_n, people):
        self.name = name
        self.given = given
        self.categories = categories
        self.N = N
        self.H = H
        self.P = (N > 0) | people[:, None]
        self.min_group_n = min_group_n


def _as_counts(values, shape, what) -> np.ndarray:
    arr = np.asarray(values)
    if arr.shape != shape:
        raise ValueError(f"{what}: expected shape {shape}, got {arr.shape}")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        if not np.all(np.equal(np.mod(arr, 1), 0)):
            raise ValueError(f"{what}: counts must be whole numbers")
    arr = arr.astype(np.int64, copy=True)
    if arr.size and arr.min() < 0:
        raise ValueError(f"{what}: counts cannot be negative")
    return arr


def _direct_part(tree: Hierarchy, totals: np.ndarray) -> np.ndarray:
    """Each internal unit's own part of per-subtree ``totals`` (the direct group's): its
    total minus its sub-units'."""
    return totals[tree.internal] - tree.children_sum(totals)


def _first_negative_unit(tree: Hierarchy, direct: np.ndarray) -> Hashable | None:
    """The unit whose direct part is the most negative (rows of ``direct`` by internal unit,
    its minimum over any columns), or None when no part is negative."""
    if not direct.size or direct.min() >= 0:
        return None
    per_unit = direct.min(axis=1) if direct.ndim > 1 else direct
    return tree.ids[int(tree.internal[int(np.argmin(per_unit))])]


def _people_in_groups(tree: Hierarchy, population, shape) -> tuple[np.ndarray | None, np.ndarray]:
    """The checked population by unit (or None) and, for every group, whether it has people
    in it: a zero there is unknown, not empty."""
    if population is None:
        return None, np.zeros(shape, dtype=bool)
    pop = _as_counts(population, (tree.size,), "unit population")
    pop_direct = _direct_part(tree, pop)
    bad = _first_negative_unit(tree, pop_direct)
    if bad is not None:
        raise ValueError(
            f"unit {bad!r} has fewer people than its sub-units: give each unit's "
            "population in its whole subtree (Hierarchy.subtree_totals)"
        )
    return pop, np.concatenate([pop, pop_direct]) > 0


def _leafy_units(tree: Hierarchy) -> np.ndarray:
    """Units whose sub-units are all leaves."""
    leafy = np.zeros(tree.size, dtype=bool)
    if len(tree.internal):
        inner_child = (tree.internal_of[tree.child_order] >= 0).astype(np.int32)
        leafy[tree.internal] = np.add.reduceat(inner_child, tree.child_ptr[:-1]) == 0
    return leafy


def _cut_of(
    tree: Hierarchy,
    name: str,
    bd: Breakdown,
    n: np.ndarray,
    not_stated: bool,
    people: np.ndarray,
) -> _Cut:
    """One breakdown's counts checked against the unit counts ``n``, with the ``REMAINDER``
    category added where the categories add up to fewer (or always, with ``not_stated``)."""
    given = tuple(bd.categories)
    if len(set(given)) != len(given) or REMAINDER in given:
        raise ValueError(f"breakdown {name!r}: categories must be unique, not {REMAINDER!r}")
    cats = list(given)
    N = _as_counts(bd.counts, (tree.size, len(cats)), f"breakdown {name!r}")
    short = n - N.sum(axis=1)
    if short.min(initial=0) < 0:
        bad = tree.ids[int(np.argmin(short))]
        raise ValueError(f"breakdown {name!r}: unit {bad!r} has more in its categories")
    if short.any() or not_stated:
        cats.append(REMAINDER)
        N = np.concatenate([N, short[:, None]], axis=1)
    Nd = _direct_part(tree, N)
    bad = _first_negative_unit(tree, Nd)
    if bad is not None:
        raise ValueError(
            f"breakdown {name!r}: unit {bad!r} has fewer in a category than its sub-units"
        )
    NG = np.concatenate([N, Nd])
    if len(cats) > 62:
        raise ValueError(f"breakdown {name!r} has more than 62 categories")
    return _Cut(
        name, given, tuple(cats), NG, np.zeros(NG.shape, dtype=bool), int(bd.min_group_n), people
    )


class _TreeLineCounts:
    """The counts and presence flags the tree-shaped lines read, sliced once per
    :meth:`_State.line_rules`: totals (internal units), members (sub-units in
    ``child_order``) and direct groups, for the unit totals and for every breakdown."""

    def __init__(self, state: _State):
        tree, U = state.tree, state.tree.size
        internal, order = tree.internal, tree.child_order
        self.any = len(internal) > 0
        self.n_int, self.n_ord, self.n_dir = (
            state.nG[internal][:, None],
            state.nG[order][:, None],
            state.nG[U:][:, None],
        )
        self.p_int, self.p_ord, self.p_dir = (
            state.pG[internal][:, None],
            state.pG[order][:, None],
            state.pG[U:][:, None],
        )
        self.cut_n = [(cut.N[internal], cut.N[order], cut.N[U:]) for cut in state.cuts]
        self.cut_p = [(cut.P[internal], cut.P[order], cut.P[U:]) for cut in state.cuts]


class _Versions:
    """A version per set of hidden flags ("G" for the group totals, a breakdown's index for
    its cells), so that a family of lines is looked at again only after what it reads has
    changed."""

    def __init__(self, n_cuts: int):
        self._version: dict[Hashable, int] = {"G": 1, **{i: 1 for i in range(n_cuts)}}
        self._seen: dict[tuple, int] = {}

    def now(self) -> dict[Hashable, int]:
        return dict(self._version)

    def bump(self, flags: Hashable) -> None:
        self._version[flags] += 1

    def stale(self, family: str, *inputs: Hashable) -> bool:
        """Whether ``family`` has not yet read these versions of ``inputs`` (and note that it
        now has)."""
        key = (family, *inputs)
        now = sum(self._version[i] for i in inputs)
        if self._seen.get(key) == now:
            return False
        self._seen[key] = now
        return True


class _State:
    def __init__(
        self,
        tree: Hierarchy,
        k: int,
        n_units,
        breakdowns: Mapping[str, Breakdown],
        force_not_stated: Iterable[str] = (),
        population=None,
    ):
        force_not_stated = set(force_not_stated)
        if int(k) != k or k < 1:
            raise ValueError("the threshold k must be a positive whole number")
        self.tree = tree
        self.k = int(k)
        n = _as_counts(n_units, (tree.size,), "unit counts")
        n_direct = _direct_part(tree, n)
        bad = _first_negative_unit(tree, n_direct)
        if bad is not None:
            raise ValueError(f"unit {bad!r} counts fewer respondents than its sub-units")
        self.nG = np.concatenate([n, n_direct])  # groups: units, then direct groups
        self.hG = np.zeros(self.nG.shape, dtype=bool)
        # Groups with people in them (population > 0): their zero is unknown, not empty.
        self.population, self.people = _people_in_groups(tree, population, self.nG.shape)
        self.pG = (self.nG > 0) | self.people  # present: not known to be empty
        self.is_root = np.zeros(self.nG.shape, dtype=bool)
        self.is_root[: tree.size] = tree.parent < 0
        self.parent_group = np.concatenate([tree.parent, tree.internal])
        self.leaf_group = np.ones(self.nG.shape, dtype=bool)
        self.leaf_group[tree.internal] = False
        self._kids: list[list[int]] | None = None
        self.leafy = _leafy_units(tree)
        self.cuts: list[_Cut] = [
            _cut_of(tree, name, bd, n, name in force_not_stated, self.people)
            for name, bd in breakdowns.items()
        ]

    @property
    def kids(self) -> list[list[int]]:
        """For each unit, the groups in the line below it: sub-units, then the direct group."""
        if self._kids is None:
            tree, U = self.tree, self.tree.size
            kids: list[list[int]] = [[] for _ in range(U)]
            order, ptr = tree.child_order.tolist(), tree.child_ptr.tolist()
            for i, u in enumerate(tree.internal.tolist()):
                kids[u] = [*order[ptr[i] : ptr[i + 1]], U + i]
            self._kids = kids
        return self._kids

    # ---- the line rules -------------------------------------------------------------------

    def _refused_rows(self, cut: _Cut) -> np.ndarray:
        """Groups whose breakdown is hidden whole: hidden total or below the R4 minimum."""
        rows = self.hG.copy()
        if cut.min_group_n:
            rows |= (self.nG < cut.min_group_n) & ~self.is_root
        return rows

    def line_rules(self) -> None:
        """Apply rules (a) and (b) to every line until nothing changes. A family of lines is
        looked at again only when the hidden flags it reads have changed."""
        lines = _TreeLineCounts(self)
        versions = _Versions(len(self.cuts))
        while True:
            start = versions.now()
            for b, cut in enumerate(self.cuts):
                if versions.stale("policy", "G", b) and self._refuse_rows(cut):
                    versions.bump(b)
            if lines.any and versions.stale("tree", "G") and self._hierarchy_rules(lines):
                versions.bump("G")
            for b, cut in enumerate(self.cuts):
                if versions.stale("rows", "G", b):
                    cells_hidden, totals_hidden = self._breakdown_row_rules(cut)
                    if cells_hidden:
                        versions.bump(b)
                    if totals_hidden:
                        versions.bump("G")
                if lines.any and versions.stale("roll", b) and self._roll_up_rules(lines, b, cut):
                    versions.bump(b)
            if versions.now() == start:
                return

    def _refuse_rows(self, cut: _Cut) -> bool:
        """Hide the present cells of every refused row; whether any was newly hidden."""
        add = self._refused_rows(cut)[:, None] & cut.P & ~cut.H
        if not add.any():
            return False
        cut.H |= add
        return True

    def _hierarchy_rules(self, lines: _TreeLineCounts) -> bool:
        """The lines ``unit = sub-units + direct group``; whether any total was hidden."""
        tree, U, hG = self.tree, self.tree.size, self.hG
        internal, order = tree.internal, tree.child_order
        res = _tree_lines(
            (lines.n_int, hG[internal][:, None], lines.p_int),
            (lines.n_ord, hG[order][:, None], lines.p_ord),
            (lines.n_dir, hG[U:][:, None], lines.p_dir),
            tree.child_ptr,
            self.k,
        )
        if res is None:
            return False
        sup_ch, sup_d, sup_tot = res
        hG[order[sup_ch[:, 0]]] = True
        hG[U:][sup_d[:, 0]] = True
        hG[internal[sup_tot[:, 0]]] = True
        return True

    def _breakdown_row_rules(self, cut: _Cut) -> tuple[bool, bool]:
        """The lines ``group = its categories``: whether any cell and whether any group total
        was hidden."""
        res = _row_lines(self.nG, self.hG, self.pG, cut.N, cut.H, cut.P, self.k)
        if res is None:
            return False, False
        sup_cells, sup_tot = res
        cells_hidden, totals_hidden = bool(sup_cells.any()), bool(sup_tot.any())
        if cells_hidden:
            cut.H |= sup_cells
        if totals_hidden:
            self.hG |= sup_tot
        return cells_hidden, totals_hidden

    def _roll_up_rules(self, lines: _TreeLineCounts, b: int, cut: _Cut) -> bool:
        """The lines ``unit's category = sub-units' category + direct group's category`` of
        breakdown ``b``; whether any cell was hidden."""
        tree, U, H = self.tree, self.tree.size, cut.H
        internal, order = tree.internal, tree.child_order
        N_int, N_ord, N_dir = lines.cut_n[b]
        P_int, P_ord, P_dir = lines.cut_p[b]
        res = _tree_lines(
            (N_int, H[internal], P_int),
            (N_ord, H[order], P_ord),
            (N_dir, H[U:], P_dir),
            tree.child_ptr,
            self.k,
        )
        if res is None:
            return False
        sup_ch, sup_d, sup_tot = res
        rows, cols = np.nonzero(sup_ch)
        H[order[rows], cols] = True
        H[U:] |= sup_d
        rows, cols = np.nonzero(sup_tot)
        H[internal[rows], cols] = True
        return True

    # ---- the exact audit and its repair ---------------------------------------------------

    def protect(self, audit: bool = True) -> None:
        """Line rules to a fixed point, then the audit; repair what it finds and repeat."""
        while True:
            self.line_rules()
            if not audit:
                return
            found = progress = False
            for cut in self.cuts:
                touched: set[int] = set()
                for kind, g, c in _audit(self, cut):
                    found = True
                    near = {g, self._parent_group(g)}
                    if touched & near:
                        continue  # an earlier repair in this table may have fixed it
                    touched |= near
                    progress |= self._repair(cut, kind, g, c)
            if not found:
                return
            if not progress:  # pragma: no cover - every repair hides something
                raise AssertionError("disclosure audit could not make progress")

    # ---- giving back what the choices hid for nothing --------------------------------------

    def release(self) -> bool:
        """Show again, largest first, each group total hidden only to protect others
        (``k`` or more responses) whose every line still satisfies rules (a) and (b) without
        it. The line rules choose for all violated lines at once, so one line's choice can
        make another's unneeded (a unit hidden in its parent's line already gives its own line
        the second unknown figure its sub-unit was hidden for). Returns whether anything was
        shown again; the caller then runs the audit again, which only hides."""
        k, U = self.k, self.tree.size
        candidates = np.flatnonzero(self.hG & (self.nG >= k))
        if len(candidates):
            ok = self._may_release(self.nG, self.hG & self.pG, candidates, None)
            for cut in self.cuts:
                rows = cut.H & cut.P
                ok &= rows.sum(axis=1)[candidates] != 1  # rule (b) on its row, total shown
            candidates = candidates[ok]
        released = False
        for cut in self.cuts:
            released |= self._release_cells(cut)
        if not len(candidates):
            return released
        kids = self.kids
        internal_of = self.tree.internal_of
        nG, hG, pG = self.nG, self.hG, self.pG

        def tree_line_ok(u: int) -> bool:
            members = kids[u]
            unknown = [m for m in members if hG[m] and pG[m]]
            s = int(nG[unknown].sum()) if unknown else 0
            if nG[u] >= k and unknown and s < k:
                return False
            return len(unknown) + bool(hG[u] and pG[u]) != 1

        def row_ok(cut: _Cut, g: int) -> bool:
            # Only rule (b) can break here: rule (a) on a row does not depend on whether its
            # total is hidden, and the rows kept both rules through the line rules and
            # _release_cells; showing totals changes no cell.
            cnt = int((cut.H[g] & cut.P[g]).sum())
            return cnt + bool(hG[g] and pG[g]) != 1

        for g in candidates[np.argsort(-nG[candidates], kind="stable")].tolist():
            hG[g] = False
            p = self._parent_group(g)
            ok = p < 0 or tree_line_ok(p)
            if ok and g < U and internal_of[g] >= 0:
                ok = tree_line_ok(g)
            # its breakdown cells, hidden while the total was, stay hidden: only the total's
            # own row needs checking
            if ok:
                ok = all(row_ok(cut, g) for cut in self.cuts)
            if ok:
                released = True
            else:
                hG[g] = True
        return released

    def _may_release(self, n, unknown, groups, col) -> np.ndarray:
        """For figures ``groups`` (in column ``col``, or of the unit totals when None),
        hidden with ``k`` or more: whether showing each one alone would keep rules (a) and
        (b) in the tree line it is a member of and in the one it is the total of. Vectorised,
        to leave the exact, one-by-one check in :meth:`release` only the likely ones."""
        tree, U, k = self.tree, self.tree.size, self.k
        if col is not None:
            n, unknown = n[:, col], unknown[:, col]
        ok = np.ones(len(groups), dtype=bool)
        if not len(tree.internal):
            return ok
        cnt = tree.children_sum(unknown[:U].astype(np.int64)) + unknown[U:]
        s = tree.children_sum(np.where(unknown[:U], n[:U], 0)) + np.where(unknown[U:], n[U:], 0)
        n_tot, unk_tot = n[tree.internal], unknown[tree.internal]
        parent = self.parent_group[groups]
        member = parent >= 0
        line = tree.internal_of[parent[member]]
        c2 = cnt[line] - 1
        s2 = s[line] - n[groups[member]]
        ok[member] = ~((n_tot[line] >= k) & (c2 > 0) & (s2 < k)) & ((c2 + unk_tot[line]) != 1)
        own = tree.internal_of[np.where(groups < U, groups, 0)]
        total = (groups < U) & (own >= 0)
        ok[total] &= cnt[own[total]] != 1
        return ok

    def _release_cells(self, cut: _Cut) -> bool:
        """:meth:`release` for one breakdown's cells of ``k`` or more, in groups whose
        breakdown is shown: each cell's row and its two roll-up lines (as a member of its
        parent's column, and as the total of its own sub-groups' column)."""
        k, U = self.k, self.tree.size
        N, H, P = cut.N, cut.H, cut.P
        open_rows = ~self._refused_rows(cut)
        rows, cols = np.nonzero(H & (N >= k) & open_rows[:, None])
        if not len(rows):
            return False
        unknown = H & P
        row_cnt = unknown.sum(axis=1)[rows] - 1
        row_s = np.where(unknown, N, 0).sum(axis=1)[rows] - N[rows, cols]
        likely = ~((self.nG[rows] >= k) & (row_cnt > 0) & (row_s < k))
        likely &= (row_cnt + (self.hG & self.pG)[rows]) != 1
        for c in np.unique(cols).tolist():
            at = np.flatnonzero(cols == c)
            likely[at] &= self._may_release(N, unknown, rows[at], c)
        rows, cols = rows[likely], cols[likely]
        if not len(rows):
            return False
        kids, internal_of = self.kids, self.tree.internal_of
        nG, hG, pG = self.nG, self.hG, self.pG

        def violated(n_tot, unknown_tot, values, unknown) -> bool:
            cnt = int(unknown.sum())
            s = int(values[unknown].sum())
            return bool((n_tot >= k and cnt and s < k) or cnt + unknown_tot == 1)

        def column_ok(u: int, c: int) -> bool:
            members = kids[u]
            return not violated(
                N[u, c], bool(H[u, c] and P[u, c]), N[members, c], H[members, c] & P[members, c]
            )

        released = False
        for i in np.argsort(-N[rows, cols], kind="stable").tolist():
            g, c = int(rows[i]), int(cols[i])
            H[g, c] = False
            ok = not violated(nG[g], bool(hG[g] and pG[g]), N[g], H[g] & P[g])
            p = self._parent_group(g)
            if ok and p >= 0:
                ok = column_ok(p, c)
            if ok and g < U and internal_of[g] >= 0:
                ok = column_ok(g, c)
            if ok:
                released = True
            else:
                H[g, c] = True
        return released

    def _repair(self, cut: _Cut, kind: str, g: int, c: int) -> bool:
        """Hide one more figure next to a hidden figure the audit could work out: the smallest
        visible figure in its row, else in the line above, else in the line below; when all
        of those are hidden or empty the figure equals its parent's (or an aggregate of hidden
        ones), so repair the parent's figure the same way. Returns whether anything was
        hidden."""
        N, H, P = cut.N, cut.H, cut.P
        nG, hG, pG = self.nG, self.hG, self.pG
        while True:
            above, below = self._line_members(g), self._children(g)
            if kind == "cell":
                options = [(N[g], H[g], P[g], g, None)]
                options.append((N[above, c], H[above, c], P[above, c], above, c))
                options.append((N[below, c], H[below, c], P[below, c], below, c))
            else:
                options = [(N[g], H[g], P[g], g, None)]
                options.append((nG[above], hG[above], pG[above], above, None))
                options.append((nG[below], hG[below], pG[below], below, None))
            for i, (values, hidden, present, where, col) in enumerate(options):
                cand = np.where(~hidden & present, values, _BIG)
                if not cand.size or cand.min() == _BIG:
                    continue
                j = int(np.argmin(cand))
                if i == 0:
                    H[g, j] = True
                elif kind == "cell":
                    H[where[j], col] = True
                else:
                    self.hG[where[j]] = True
                return True
            p = self._parent_group(g)
            if p < 0:
                break
            g = p
        # Nothing visible anywhere up to the root (not seen in the tests): hide the figure's
        # whole breakdown table.
        before = int(H.sum()) + int(self.hG.sum())
        H |= P
        return int(H.sum()) + int(self.hG.sum()) > before

    def _parent_group(self, g: int) -> int:
        U = self.tree.size
        if g >= U:
            return int(self.tree.internal[g - U])
        return int(self.tree.parent[g])

    def _children(self, g: int) -> np.ndarray:
        """Groups in the line under unit ``g``: its sub-units and its direct group."""
        tree, U = self.tree, self.tree.size
        if g >= U or tree.internal_of[g] < 0:
            return np.zeros(0, dtype=np.int64)
        i = int(tree.internal_of[g])
        kids = tree.child_order[tree.child_ptr[i] : tree.child_ptr[i + 1]]
        return np.concatenate([kids, [U + i]])

    def _line_members(self, g: int) -> np.ndarray:
        """The other groups in the line above ``g``."""
        p = self._parent_group(g)
        if p < 0:
            return np.zeros(0, dtype=np.int64)
        grp = self._children(p)
        return grp[grp != g]

    # ---- results ---------------------------------------------------------------------------

    def statuses(self) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
        k = self.k
        st = np.where(self.nG < k, _PRI, np.where(self.hG, _COMP, _VIS)).astype(np.int8)
        cells, refused = {}, {}
        for cut in self.cuts:
            rows = self._refused_rows(cut)
            visible = ~cut.H & (cut.N >= k)
            rows = rows | ~visible.any(axis=1)
            s = np.where(cut.N < k, _PRI, np.where(cut.H, _COMP, _VIS)).astype(np.int8)
            s[rows[:, None] & (s == _COMP)] = _REF
            cells[cut.name] = s
            refused[cut.name] = rows
        return st, cells, refused


# --------------------------------------------------------------------------------------------
# Vectorised line rules

_BIG = np.iinfo(np.int64).max


def _violations(n_tot, h_tot, p_tot, cnt, s, k):
    # ``cnt > 0`` rather than ``s > 0``: an unknown zero (a group with people and no
    # responses) is a small figure too, so a line holding only it breaks rule (a).
    unk_tot = h_tot & p_tot
    return ((n_tot >= k) & (cnt > 0) & (s < k)) | ((cnt + unk_tot) == 1)


def _check_progress(sup_tot, h_tot) -> None:
    """A violated line with no visible member left and its total already hidden cannot be
    repaired: it would mean counts and populations that do not add up (a figure known to be
    empty above one that is not). Fail rather than loop."""
    if (sup_tot & h_tot).any():  # pragma: no cover - the inputs are checked in _State
        raise AssertionError("disclosure line rules: a line cannot be repaired")


def _tree_lines(tot, ch, d, ptr, k):
    """Lines ``total = children + direct`` for every internal unit (rows) and column.

    Each of ``tot``, ``ch`` and ``d`` is (counts, hidden, present). Shapes: totals and direct
    groups (I, C); children (M, C) in ``child_order``, segment ``i`` being ``ptr[i]:ptr[i+1]``.
    Returns boolean arrays of figures to hide (children, direct, totals), or None when every
    line already satisfies the rules.
    """
    (n_tot, h_tot, p_tot), (n_ch, h_ch, p_ch), (n_d, h_d, p_d) = tot, ch, d
    starts = ptr[:-1]
    u_ch = h_ch & p_ch
    u_d = h_d & p_d
    cnt = np.add.reduceat(u_ch.astype(np.int32), starts, axis=0) + u_d
    s = np.add.reduceat(np.where(u_ch, n_ch, 0), starts, axis=0) + np.where(u_d, n_d, 0)
    viol = _violations(n_tot, h_tot, p_tot, cnt, s, k)
    if not viol.any():
        return None
    # Choose within the violating segments only.
    segs = np.flatnonzero(viol.any(axis=1))
    lengths = ptr[segs + 1] - ptr[segs]
    sub_ptr = np.concatenate([[0], np.cumsum(lengths)])
    rows = np.repeat(ptr[segs] - sub_ptr[:-1], lengths) + np.arange(sub_ptr[-1])
    v = viol[segs]
    cand_ch = np.where(~h_ch[rows] & (n_ch[rows] > 0), n_ch[rows], _BIG)
    cand_d = np.where(~h_d[segs] & (n_d[segs] > 0), n_d[segs], _BIG)
    min_ch = np.minimum.reduceat(cand_ch, sub_ptr[:-1], axis=0)
    has = np.minimum(min_ch, cand_d) < _BIG
    use_d = v & has & (cand_d < min_ch)
    use_ch = v & has & ~use_d
    seg_of = np.repeat(np.arange(len(segs)), lengths)
    match = use_ch[seg_of] & (cand_ch == min_ch[seg_of])
    local = np.arange(len(rows))[:, None]
    first = np.minimum.reduceat(np.where(match, local, _BIG), sub_ptr[:-1], axis=0)
    sup_ch = np.zeros(n_ch.shape, dtype=bool)
    i, c = np.nonzero(first < _BIG)
    sup_ch[rows[first[i, c]], c] = True
    sup_d = np.zeros(n_d.shape, dtype=bool)
    sup_d[segs] = use_d
    sup_tot = np.zeros(n_tot.shape, dtype=bool)
    sup_tot[segs] = v & ~has
    _check_progress(sup_tot, h_tot)
    return sup_ch, sup_d, sup_tot


def _row_lines(n_tot, h_tot, p_tot, N, H, P, k):
    """Lines ``group = its categories`` for every group of one breakdown."""
    U_ = H & P
    cnt = U_.sum(axis=1)
    s = np.where(U_, N, 0).sum(axis=1)
    viol = _violations(n_tot, h_tot, p_tot, cnt, s, k)
    if not viol.any():
        return None
    rows = np.flatnonzero(viol)
    cand = np.where(~H[rows] & (N[rows] > 0), N[rows], _BIG)
    j = cand.argmin(axis=1)
    has = cand[np.arange(len(rows)), j] < _BIG
    sup_cells = np.zeros(N.shape, dtype=bool)
    sup_cells[rows[has], j[has]] = True
    sup_tot = np.zeros(n_tot.shape, dtype=bool)
    sup_tot[rows[~has]] = True
    _check_progress(sup_tot, h_tot)
    return sup_cells, sup_tot


# --------------------------------------------------------------------------------------------
# The exact audit
#
# Think of the unknowns as the counts of "atoms" (a leaf group's count in one category); every
# figure is a sum of atoms. A hidden figure can be worked out exactly when no change to the
# atoms that keeps every visible figure (and every empty one) unchanged can change it. For a
# group g, the changes of its figures ``x = (change in category c)_c`` that its own subtree can
# produce form a subspace D_g, and those the rest of the tree can absorb form E_g; a hidden
# category c of g is safe when some x in D_g ∩ E_g has x_c != 0, its hidden total when some x
# has sum(x) != 0.
#
# Every D_g and E_g belongs to a small family of subspaces: a set of coordinates split into
# blocks, each either free or constrained to sum to zero. The family is closed under the two
# operations the programme needs: sum of subspaces (merge overlapping blocks; a block touching
# a free one is free) and intersection with a group's own constraints (drop visible or empty
# categories; a visible total makes the free coordinates sum to zero). A space is
# ``(free_mask, (zero_block_mask, ...))`` over category bits, or None for {0}.
#
# The final intersection D ∩ E is answered on a small graph: one node per block of D and per
# block of E (free blocks of D merged into one node, of E into another), an edge per category in
# both supports joining its two blocks, plus a virtual edge joining the two free nodes. Flows on
# this graph are exactly the vectors of D ∩ E (conservation at a zero-sum block is its
# constraint), and a flow can use an edge exactly when the edge lies on a cycle: category c can
# change unless its edge is a bridge, the total unless the virtual edge is.


def _cons(space, mask: int, sum_zero: bool):
    if space is None:
        return None
    free, zeros = space
    free &= mask
    zs = []
    for z in zeros:
        z &= mask
        if z.bit_count() >= 2:
            zs.append(z)
    if sum_zero and free:
        if free.bit_count() >= 2:
            zs.append(free)
        free = 0
    if not free and not zs:
        return None
    return free, tuple(zs)


def _add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    free = a[0] | b[0]
    az, bz = a[1], b[1]
    if not az or not bz:
        zs = az or bz
        if not zs:
            return free, ()
        out = []
        for z in zs:  # disjoint blocks: those touching a free coordinate become free
            if z & free:
                free |= z
            else:
                out.append(z)
        return free, tuple(out)
    merged: list[int] = []
    for z in (*a[1], *b[1]):
        rest = []
        for o in merged:
            if o & z:
                z |= o
            else:
                rest.append(o)
        rest.append(z)
        merged = rest
    out = []
    for z in merged:
        if z & free:
            free |= z
        else:
            out.append(z)
    return free, tuple(out)


def _support(space) -> int:
    m = space[0]
    for z in space[1]:
        m |= z
    return m


def _one_sided(free: int, zeros, edges: int):
    """D ∩ E when the other side is free on all its support."""
    mov = free & edges
    for z in zeros:
        m = z & edges
        if m.bit_count() >= 2:
            mov |= m
    return mov, bool(free & edges)


def _single_block(other, edges: int) -> int:
    """D ∩ E when one side is a single zero-sum block and nothing free: every edge joins that
    block to a block of the other side, so an edge is on a cycle exactly when its other block
    has a second edge (the total cannot change: the single block's side has no free node)."""
    mov = 0
    for z in (other[0], *other[1]):
        m = z & edges
        if m.bit_count() >= 2:
            mov |= m
    return mov


def _query(D, E):
    """(categories that can change, whether the total can change) for D ∩ E."""
    if D is None or E is None:
        return 0, False
    edges = _support(D) & _support(E)
    if not edges:
        return 0, False
    if not D[1]:
        return _one_sided(E[0], E[1], edges)
    if not E[1]:
        return _one_sided(D[0], D[1], edges)
    if not D[0] and len(D[1]) == 1:
        return _single_block(E, edges), False
    if not E[0] and len(E[1]) == 1:
        return _single_block(D, edges), False
    d_node, e_node = {}, {}
    for side, nodes, offset in ((D, d_node, 0), (E, e_node, len(D[1]) + 1)):
        for i, z in enumerate(side[1]):
            nodes[z] = offset + 1 + i
    n_nodes = len(D[1]) + len(E[1]) + 2
    g_e = len(D[1]) + 1
    edge_list = [(0, g_e)]  # the virtual edge
    cats = []
    bits = edges
    while bits:
        low = bits & -bits
        bits ^= low
        a = 0 if low & D[0] else next(v for z, v in d_node.items() if z & low)
        b = g_e if low & E[0] else next(v for z, v in e_node.items() if z & low)
        edge_list.append((a, b))
        cats.append(low)
    bridge = _bridges(n_nodes, edge_list)
    mov = 0
    for low, br in zip(cats, bridge[1:], strict=True):
        if not br:
            mov |= low
    return mov, not bridge[0]


def _bridges(n_nodes: int, edges: list[tuple[int, int]]) -> list[bool]:
    """Which edges of a small multigraph are bridges (Tarjan, iterative)."""
    adj: list[list[tuple[int, int]]] = [[] for _ in range(n_nodes)]
    for i, (a, b) in enumerate(edges):
        adj[a].append((b, i))
        adj[b].append((a, i))
    disc = [-1] * n_nodes
    low = [0] * n_nodes
    out = [False] * len(edges)
    t = 0
    for s in range(n_nodes):
        if disc[s] != -1:
            continue
        disc[s] = low[s] = t
        t += 1
        stack = [(s, -1, iter(adj[s]))]
        while stack:
            v, pe, it = stack[-1]
            for w, ei in it:
                if ei == pe:
                    continue
                if disc[w] == -1:
                    disc[w] = low[w] = t
                    t += 1
                    stack.append((w, ei, iter(adj[w])))
                    break
                low[v] = min(low[v], disc[w])
            else:
                stack.pop()
                if stack:
                    u = stack[-1][0]
                    low[u] = min(low[u], low[v])
                    if low[v] > disc[u]:
                        out[pe] = True
    return out


def _sum_by(keys: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Sum boolean or integer rows of ``values`` by ``keys`` (0 <= key < size)."""
    out = np.zeros((size, *values.shape[1:]), dtype=np.int32)
    if keys.size:
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
        out[keys[starts]] = np.add.reduceat(values[order].astype(np.int32), starts, axis=0)
    return out


def _leafy_spaces(units: np.ndarray, cover: np.ndarray, pairs: np.ndarray, weights: np.ndarray):
    """The sum of the leaf groups' spaces under each unit whose sub-units are all leaves, from
    per-unit counts: categories hidden in a leaf group with a hidden total are free; those
    hidden together in a leaf group with a visible total are joined (transitively) into
    zero-sum blocks; a block touching a free category is free."""
    if not len(units):
        return
    free = cover[units] > 0
    linked = pairs[units] > 0
    reach = linked.copy()
    while True:
        more = reach | (np.matmul(reach.astype(np.int32), linked.astype(np.int32)) > 0)
        if np.array_equal(more, reach):
            break
        reach = more
    free_int = (free * weights).sum(axis=1).tolist()
    comp = (reach * weights).sum(axis=2).tolist()
    for u, f, blocks in zip(units.tolist(), free_int, comp, strict=True):
        zeros = []
        for z in set(blocks):
            if not z:
                continue
            if z & f:
                f |= z
            else:
                zeros.append(z)
        yield u, ((f, tuple(zeros)) if f or zeros else None)


def _audit(state: _State, cut: _Cut) -> list[tuple[str, int, int]]:
    """Hidden figures below ``k`` of one breakdown (with the unit totals) that can be worked
    out exactly: ("cell", group, category) or ("total", group, -1).

    Figures of ``k`` or more hidden to protect others are not reported: one of them can be
    fixed by the published figures (a unit's only hidden category may be the difference of
    two visible totals), which gives away nothing about fewer than ``k`` people, and any
    small figure it would expose is reported itself.

    Most groups are settled without the programme: a leaf group's hidden category is safe when
    a sibling leaf group with a hidden total also has that category hidden (the two can trade
    people), so the programme is run only above groups that this does not settle.
    """
    audit = _Audit(state, cut)
    if not audit.masks_arr.any():
        return []
    cover, pairs = audit.sibling_leaves()
    need = audit.groups_to_query(cover, pairs)
    if not need.any():
        return []
    need_e = audit.units_needing_outside(need)
    has_target = audit.units_with_a_target(need, need_e)
    need_d = audit.groups_needing_inside(need, has_target)
    inside = audit.inside_spaces(need_d, cover, pairs)
    return audit.outside_checks(need, need_e, has_target, inside)


class _Audit:
    """The steps of :func:`_audit` for one breakdown, over the figures unknown to an attacker:
    which groups need a query, which units need their inside space D and their outside space
    E, then D bottom-up and E top-down, querying D ∩ E where needed."""

    def __init__(self, state: _State, cut: _Cut):
        self.state, self.tree, self.U, self.k = state, state.tree, state.tree.size, state.k
        self.N = cut.N
        self.C = cut.N.shape[1]
        self.unknown = cut.H & cut.P
        self.weights = np.left_shift(np.int64(1), np.arange(self.C, dtype=np.int64))
        self.masks_arr = (self.unknown * self.weights).sum(axis=1)  # unknown categories
        self.small_arr = ((self.unknown & (cut.N < self.k)) * self.weights).sum(axis=1)
        self.t_unk = state.hG & state.pG
        self.t_small = self.t_unk & (state.nG < self.k)
        self.wants = (self.small_arr != 0) | self.t_small  # a small unknown figure

    def sibling_leaves(self) -> tuple[np.ndarray, np.ndarray]:
        """Per unit, from its leaf groups: ``cover[u, c]``, how many with a hidden total have
        category c hidden (free in E), and ``pairs[u, c, d]``, how many with a visible total
        have both c and d hidden (the two categories are in one block of E)."""
        state, unknown, t_unk = self.state, self.unknown, self.t_unk
        parent_g, leaf_g = state.parent_group, state.leaf_group
        free_leaf = leaf_g & t_unk & (parent_g >= 0)
        cover = _sum_by(parent_g[free_leaf], unknown[free_leaf], self.U)
        zero_leaf = leaf_g & ~t_unk & (parent_g >= 0) & (unknown.sum(axis=1) >= 2)
        zl = unknown[zero_leaf]
        pairs = _sum_by(parent_g[zero_leaf], zl[:, :, None] & zl[:, None, :], self.U)
        return cover, pairs

    def groups_to_query(self, cover: np.ndarray, pairs: np.ndarray) -> np.ndarray:
        """Groups with a small unknown figure that a sibling leaf group does not settle: every
        such group with sub-units or without a parent, and the leaf groups left over."""
        state, wants = self.state, self.wants
        parent_g, leaf_g = state.parent_group, state.leaf_group
        lg = np.flatnonzero(leaf_g & (parent_g >= 0) & wants)
        settled = self._settled_by_siblings(lg, cover[parent_g[lg]], pairs[parent_g[lg]])
        need = wants & ~leaf_g
        need |= wants & leaf_g & (parent_g < 0)
        need[lg[~settled]] = True
        return need

    def _settled_by_siblings(self, lg: np.ndarray, cov: np.ndarray, pairs: np.ndarray):
        """For leaf groups ``lg`` (with their parent's ``cover`` and ``pairs`` rows): whether
        every small unknown figure can trade people with a sibling leaf group's."""
        unk = self.unknown[lg]
        sm = unk & (self.N[lg] < self.k)
        tu = self.t_unk[lg]
        pair = pairs - (unk[:, :, None] & unk[:, None, :] & ~tu[:, None, None])
        one = (cov >= 1) & unk
        off_diagonal = ~np.eye(self.C, dtype=bool)
        linked = ((pair > 0) & unk[:, None, :] & off_diagonal).any(axis=2)
        linked |= np.where(tu[:, None], False, one & (one.sum(axis=1) >= 2)[:, None])
        two = (cov >= 2) & unk
        ok = np.where(tu[:, None], two, False) | (linked & unk)
        return ~(sm & ~ok).any(axis=1) & (~self.t_small[lg] | two.any(axis=1))

    def units_needing_outside(self, need: np.ndarray) -> np.ndarray:
        """Units whose outside space E is needed: those needing a query and their
        ancestors."""
        tree, U = self.tree, self.U
        need_e = need[:U].copy()
        if len(tree.internal):
            need_e[tree.internal] |= need[U:]
        for depth in range(int(tree.depth.max(initial=0)), 0, -1):
            kids = np.flatnonzero((tree.depth == depth) & need_e)
            need_e[tree.parent[kids]] = True
        return need_e

    def units_with_a_target(self, need: np.ndarray, need_e: np.ndarray) -> np.ndarray:
        """Units one of whose sub-units or whose direct group needs its outside space."""
        tree = self.tree
        has_target = np.zeros(self.U, dtype=bool)
        if len(tree.internal):
            below = np.add.reduceat(need_e[tree.child_order].astype(np.int32), tree.child_ptr[:-1])
            has_target[tree.internal] = (below > 0) | need[self.U :]
        return has_target

    def groups_needing_inside(self, need: np.ndarray, has_target: np.ndarray) -> np.ndarray:
        """Groups whose inside space D is needed: for groups queried, for every child of a
        unit whose children's outside spaces are needed, and below those (except under units
        whose sub-units are all leaves: theirs come from the sibling counts)."""
        tree, U, leafy = self.tree, self.U, self.state.leafy
        need_d = need.copy()
        need_d |= np.concatenate([np.zeros(U, dtype=bool), has_target[tree.internal]])
        need_d[:U] |= np.where(tree.parent >= 0, has_target[np.maximum(tree.parent, 0)], False)
        for depth in range(1, int(tree.depth.max(initial=0)) + 1):
            kids = np.flatnonzero(tree.depth == depth)
            need_d[kids] |= need_d[tree.parent[kids]] & ~leafy[tree.parent[kids]]
        if len(tree.internal):
            need_d[U:] |= need_d[tree.internal] & ~leafy[tree.internal]
        need_d &= (self.masks_arr != 0) | ~self.state.leaf_group
        return need_d

    def inside_spaces(self, need_d: np.ndarray, cover: np.ndarray, pairs: np.ndarray) -> list:
        """D for every group in ``need_d`` (None elsewhere), bottom-up. Units whose sub-units
        are all leaves get theirs from the sibling counts, without the programme."""
        tree, U, state = self.tree, self.U, self.state
        leaf_g, leafy = state.leaf_group, state.leafy
        masks, t_unknown = self.masks_arr.tolist(), self.t_unk.tolist()
        D: list = [None] * len(masks)
        for g in np.flatnonzero(need_d & leaf_g).tolist():
            m = masks[g]
            if t_unknown[g]:
                D[g] = (m, ())
            else:  # two or more categories: one unknown beside a shown total breaks rule (b)
                D[g] = (0, (m,))
        units = np.flatnonzero(need_d[:U] & leafy)
        for u, space in _leafy_spaces(units, cover, pairs, self.weights):
            D[u] = _cons(space, masks[u], not t_unknown[u])
        kids_of = state.kids
        up = tree.topo[::-1]
        for u in up[need_d[up] & ~leaf_g[up] & ~leafy[up]].tolist():
            space = None
            for v in kids_of[u]:
                dv = D[v]
                if dv is not None:
                    space = _add(space, dv)
            D[u] = _cons(space, masks[u], not t_unknown[u])
        return D

    def outside_checks(
        self, need: np.ndarray, need_e: np.ndarray, has_target: np.ndarray, D: list
    ) -> list[tuple[str, int, int]]:
        """E top-down from the roots (everything can change above a root), each group in
        ``need`` queried against its D as it is reached."""
        tree, U = self.tree, self.U
        masks, t_unknown = self.masks_arr.tolist(), self.t_unk.tolist()
        findings = _Findings(D, self.small_arr.tolist(), t_unknown, self.state.nG, self.k)
        full = ((1 << self.C) - 1, ())
        need_l, need_e_l, has_target_l = need.tolist(), need_e.tolist(), has_target.tolist()
        kids_of = self.state.kids
        E: dict[int, object] = {}
        for u in tree.topo[need_e[tree.topo]].tolist():
            e_u = E.pop(u) if tree.parent[u] >= 0 else full
            if need_l[u]:
                findings.check(u, e_u)
            if not has_target_l[u]:
                continue
            ks = kids_of[u]
            targets = [i for i, v in enumerate(ks) if (need_e_l[v] if v < U else need_l[v])]
            base = _cons(e_u, masks[u], not t_unknown[u])
            for i, e_v in _outside_of_children(base, [D[v] for v in ks], targets):
                v = ks[i]
                if v >= U:
                    findings.check(v, e_v)
                else:
                    E[v] = e_v
        return findings.found


def _outside_of_children(base, spaces: list, targets: list[int]):
    """For each target child ``i`` of a unit, its outside space: the unit's own (``base``)
    plus every other child's inside space. With more than two targets, through prefix and
    suffix sums rather than one sum per target."""
    if len(targets) <= 2:
        for i in targets:
            e_v = base
            for j, sp in enumerate(spaces):
                if j != i and sp is not None:
                    e_v = _add(e_v, sp)
            yield i, e_v
        return
    pre = [None]
    for sp in spaces[:-1]:
        pre.append(_add(pre[-1], sp))
    suf = [None] * (len(spaces) + 1)
    for j in range(len(spaces) - 1, 0, -1):
        suf[j] = _add(suf[j + 1], spaces[j])
    for i in targets:
        yield i, _add(base, _add(pre[i], suf[i + 1]))


class _Findings:
    """The figures below ``k`` the audit finds fixed, in the order it queries them."""

    def __init__(self, D: list, small: list[int], t_unknown: list[bool], n_groups, k: int):
        self.D, self.small, self.t_unknown, self.n_groups, self.k = D, small, t_unknown, n_groups, k
        self.found: list[tuple[str, int, int]] = []

    def check(self, g: int, e_space) -> None:
        """Query D ∩ E for group ``g``: report each small hidden category that cannot change,
        and its small hidden total when that cannot."""
        mov, t_mov = _query(self.D[g], e_space)
        stuck = self.small[g] & ~mov
        while stuck:
            low = stuck & -stuck
            stuck ^= low
            self.found.append(("cell", g, low.bit_length() - 1))
        if self.t_unknown[g] and not t_mov and self.n_groups[g] < self.k:
            self.found.append(("total", g, -1))


# --------------------------------------------------------------------------------------------
# The public result


class Protection:
    """What may be shown of every figure, for one set of counts. Returned by :func:`protect`."""

    def __init__(self, state: _State, audit: bool):
        self._state = state
        self._audit_on = audit
        self.tree = state.tree
        self.k = state.k
        st, cells, refused = state.statuses()
        U = self.tree.size
        self._group_status = st
        self.unit_statuses = st[:U]
        """``Status`` codes per unit position (0 visible, 1 primary, 2 complementary)."""
        self._cells = cells
        self._refused = refused
        self._cats = {cut.name: {c: i for i, c in enumerate(cut.categories)} for cut in state.cuts}

    # -- lookups ---------------------------------------------------------------------------

    def _group(self, unit: Hashable, direct: bool) -> int:
        u = self.tree.position(unit)
        if not direct:
            return u
        i = int(self.tree.internal_of[u])
        if i < 0:
            raise KeyError(f"unit {unit!r} has no sub-units, so no direct group")
        return self.tree.size + i

    def unit_status(self, unit: Hashable, *, direct: bool = False) -> Status:
        """A unit's total (everyone in its subtree), or with ``direct`` the people attached to
        the unit itself."""
        return _STATUS[int(self._group_status[self._group(unit, direct)])]

    def direct_status(self, unit: Hashable) -> Status:
        return self.unit_status(unit, direct=True)

    def categories(self, breakdown: str) -> tuple[str, ...]:
        return tuple(self._cats[breakdown])

    def category_status(
        self, unit: Hashable, breakdown: str, category: str, *, direct: bool = False
    ) -> Status:
        try:
            c = self._cats[breakdown][category]
        except KeyError:
            raise KeyError(f"unknown breakdown category {breakdown!r}/{category!r}") from None
        return _STATUS[int(self._cells[breakdown][self._group(unit, direct), c])]

    def breakdown_statuses(
        self, unit: Hashable, breakdown: str, *, direct: bool = False
    ) -> dict[str, Status]:
        """Every category of one group's breakdown."""
        row = self._cells[breakdown][self._group(unit, direct)]
        return {c: _STATUS[int(row[i])] for c, i in self._cats[breakdown].items()}

    def breakdown_allowed(self, unit: Hashable, breakdown: str, *, direct: bool = False) -> bool:
        """R3: False when the breakdown is refused for this group -- its total is hidden, it is
        below the breakdown's minimum group size, or no category could be shown without letting
        a smaller one be worked out."""
        return not bool(self._refused[breakdown][self._group(unit, direct)])

    def status(
        self,
        unit: Hashable,
        breakdown: str | None = None,
        category: str | None = None,
        *,
        direct: bool = False,
    ) -> Status:
        if breakdown:
            if category is None:
                raise ValueError("a breakdown row needs its category")
            return self.category_status(unit, breakdown, category, direct=direct)
        return self.unit_status(unit, direct=direct)

    def reason(self, status: Status | str | None) -> str | None:
        return reason(status, self.k)

    def row_codes(self, units, breakdowns=None, categories=None, direct=None) -> np.ndarray:
        """Status codes (0 visible, 1 primary, 2 complementary, 3 refused) for many rows at
        once: parallel sequences of unit ids, breakdown names (None or "" for the whole
        group), categories and direct flags."""
        group = self._positions(units)
        if direct is not None:
            flags = np.asarray([bool(d) for d in direct], dtype=bool).reshape(-1)
            if flags.any():
                inner = self.tree.internal_of[group]
                if (flags & (inner < 0)).any():
                    raise KeyError("a direct-group row for a unit without sub-units")
                group = np.where(flags, self.tree.size + inner, group)
        codes = self._group_status[group].copy()
        if breakdowns is None:
            return codes
        cats = list(categories) if categories is not None else [None] * len(group)
        keys = [(b or "", c if b else None) for b, c in zip(breakdowns, cats, strict=True)]
        lookup: dict = {}
        for key in dict.fromkeys(keys):
            name, cat = key
            if not name:
                lookup[key] = (None, -1)
            elif name not in self._cats or cat not in self._cats[name]:
                raise KeyError(f"unknown breakdown category {name!r}/{cat!r}")
            else:
                lookup[key] = (name, self._cats[name][cat])
        names = [lookup[key][0] for key in keys]
        cols = np.fromiter((lookup[key][1] for key in keys), dtype=np.int64, count=len(keys))
        names_arr = np.asarray(names, dtype=object)
        for name in {n for n in names if n}:
            sel = np.flatnonzero(names_arr == name)
            codes[sel] = self._cells[name][group[sel], cols[sel]]
        return codes

    def _positions(self, units) -> np.ndarray:
        arr = np.asarray(list(units) if not isinstance(units, np.ndarray) else units)
        if arr.size == 0:
            return np.zeros(0, dtype=np.int64)
        uniq, inverse = np.unique(arr, return_inverse=True)
        pos = np.fromiter(
            (self.tree.position(u) for u in uniq.tolist()), dtype=np.int64, count=len(uniq)
        )
        return pos[inverse.reshape(-1)]

    # -- per measure -----------------------------------------------------------------------

    def refine(
        self, n_units, breakdowns: Mapping[str, np.ndarray | Sequence[Sequence[int]]] | None = None
    ) -> Protection:
        """The protection for one measure, from that measure's own counts (respondents with a
        score). Starts from this protection's hidden figures, hides any whose own count is
        below ``k`` and re-applies the rules and the audit on the measure's counts.

        ``breakdowns`` gives the measure's counts per breakdown, for the categories given to
        :func:`protect` (the "not stated" remainder is derived). A breakdown left out is not
        available for the measure: looking it up raises ``KeyError``, so nothing is shown.
        """
        base = self._state
        given = breakdowns or {}
        if np.array_equal(np.asarray(n_units), base.nG[: base.tree.size]) and all(
            cut.name in given
            and np.array_equal(
                np.asarray(given[cut.name]), cut.N[: base.tree.size, : len(cut.given)]
            )
            for cut in base.cuts
        ):
            return self  # every respondent has a score for this measure
        bds, old_cuts = {}, []
        for cut in base.cuts:
            if cut.name in given:
                bds[cut.name] = Breakdown(cut.given, given[cut.name], cut.min_group_n)
                old_cuts.append(cut)
        forced = {cut.name for cut in old_cuts if len(cut.categories) > len(cut.given)}
        state = _State(
            base.tree, base.k, n_units, bds, force_not_stated=forced, population=base.population
        )
        state.hG |= base.hG | (state.pG & (state.nG < base.k))
        for new, old in zip(state.cuts, old_cuts, strict=True):
            if new.N.shape != old.N.shape:
                raise ValueError(
                    f"breakdown {new.name!r}: the measure's counts leave people uncategorised "
                    "where the response counts do not"
                )
            new.H |= old.H | (new.P & (new.N < base.k))
        state.line_rules()
        if self._audit_on and not self._same_audit(state, old_cuts):
            state.protect(True)
        return Protection(state, self._audit_on)

    def _same_audit(self, state: _State, old_cuts: list[_Cut]) -> bool:
        """Whether this protection's audit still holds for a measure's state: the same hidden
        figures, none of them newly below ``k`` and none newly empty."""
        base, k = self._state, self.k

        def same(h_new, h_old, n_new, n_old, p_new, p_old) -> bool:
            if not np.array_equal(h_new, h_old):
                return False
            newly_small = h_new & (n_new < k) & (n_old >= k)
            newly_empty = h_new & ~p_new & p_old
            return not (newly_small.any() or newly_empty.any())

        if not same(state.hG, base.hG, state.nG, base.nG, state.pG, base.pG):
            return False
        return all(
            same(new.H, old.H, new.N, old.N, new.P, old.P)
            for new, old in zip(state.cuts, old_cuts, strict=True)
        )


def protect(
    tree,
    n: Sequence[int] | np.ndarray | Mapping[Hashable, int],
    k: int,
    breakdowns: Mapping[str, Breakdown] | None = None,
    *,
    population: Sequence[int] | np.ndarray | Mapping[Hashable, int] | None = None,
    audit: bool = True,
) -> Protection:
    """Decide what may be shown for one wave.

    ``n`` is each unit's count of respondents in its whole subtree (by position in ``tree``,
    or a mapping from unit id, missing units counting zero); ``breakdowns`` maps a breakdown's
    name to its counts. ``population`` is each unit's number of people in its whole subtree
    (those invited; :meth:`Hierarchy.subtree_totals` sums per-unit counts), in the same
    form: a group with people and no responses is then a small figure like any from 1 to
    ``k - 1``, hidden and protected, and so is each zero category of its breakdowns. Without
    it every zero counts as known to be empty (right only for counts of events or where
    nobody can tell who was there). ``audit=False`` skips the exact audit of breakdowns (for
    measuring it; never for output).
    """
    tree = Hierarchy.of(tree)
    n = _by_position(tree, n)
    if population is not None:
        population = _by_position(tree, population)
    breakdowns = dict(breakdowns or {})
    state = _State(tree, k, n, breakdowns, population=population)
    state.hG |= state.pG & (state.nG < state.k)
    for cut in state.cuts:
        cut.H |= cut.P & (cut.N < state.k)
    state.protect(audit)
    if state.release():
        state.protect(audit)
    return Protection(state, audit)


def _by_position(tree: Hierarchy, values):
    if not isinstance(values, Mapping):
        return values
    arr = np.zeros(tree.size, dtype=np.int64)
    for unit, value in values.items():
        arr[tree.position(unit)] = value
    return arr


def protect_comments(tree, n_comments, comment_threshold: int, *, population=None) -> Protection:
    """Comments by unit: shown where ``unit_status`` is visible. A unit's comments are the
    union of its sub-units' and its direct group's, so the same rules keep anyone from
    subtracting the visible sub-units' comments from the parent's to read a small group's.
    ``population`` (people in each unit's subtree, as for ``protect``) makes "nobody here
    commented" a small count wherever the group has people."""
    return protect(tree, n_comments, comment_threshold, population=population)


# --------------------------------------------------------------------------------------------
# Simple rules


def comments_visible(n: int, comment_threshold: int) -> bool:
    """Comments are shown for a group only with at least ``comment_threshold`` of them (or of
    respondents, whichever the caller counts); spec default 10."""
    return n >= comment_threshold


def change_visible(
    n_now: int, n_before: int, k: int, *, visible_now: bool = True, visible_before: bool = True
) -> bool:
    """R5: change since the last wave is shown only when the group had at least ``2k``
    responses in both waves (and is shown in both), so that one person joining or leaving
    cannot be read off the difference."""
    return visible_now and visible_before and n_now >= 2 * k and n_before >= 2 * k


def filter_allowed(n_selected: int, n_total: int, k: int) -> bool:
    """R3 for a single filter: the selection and what it leaves out of the group both need
    ``k`` (a selection of the whole group leaves nothing out and is allowed)."""
    remainder = n_total - n_selected
    return n_selected >= k and (remainder == 0 or remainder >= k)


def crosstab_allowed(counts, k: int, *, at_organisation_level: bool) -> bool:
    """Two-way breakdowns (e.g. staff group x age band): only at organisation level, and only
    when every cell, every row and column total and every remainder (total minus a cell, a row
    or a column) has at least ``k``. Zero cells count as small."""
    if not at_organisation_level:
        return False
    table = np.asarray(counts, dtype=np.int64)
    if table.ndim != 2 or table.size == 0:
        return False
    total = int(table.sum())
    parts = np.concatenate([table.ravel(), table.sum(axis=0), table.sum(axis=1)])
    rest = total - parts
    return bool((parts >= k).all() and ((rest == 0) | (rest >= k)).all())


def percent_band(pct: float, n: int) -> str | None:
    """A band for a percentage from ``n`` people that never pins down a unanimous answer: the
    top band reaches down to at least (n-1)/n, the bottom one up to at least 1/n, the others
    are ten points wide."""
    if n < 3:
        return None
    # From 3 people low is at most 40 and high at least 60, so the two never meet.
    low = math.ceil(100 / n / 10) * 10
    high = math.floor(100 * (n - 1) / n / 10) * 10
    if pct <= low:
        return f"≤{low}%"
    if pct >= high:
        return f"≥{high}%"
    start = math.floor(pct / 10) * 10
    return f"{start}–{start + 10}%"


def banded_percent(pct: float | None, n: int, k: int) -> str | None:
    """R6: the band to show instead of an exact percent positive when ``n < 2k``; None when
    the exact figure may be shown (or there is none)."""
    if pct is None or n >= 2 * k:
        return None
    return percent_band(pct, n) or "Not shown"


# --------------------------------------------------------------------------------------------
# Tables

IDENTITY_FIELDS = frozenset(
    {
        "wave",
        "wave_code",
        "unit",
        "unit_code",
        "unit_name",
        "parent",
        "depth",
        "level",
        "label",
        "breakdown",
        "category",
        "direct",
        "measure",
        "measure_name",
        "kind",
    }
)
"""Fields kept in a hidden row. Every other field of a hidden row is emptied, so a number
added to a table later is hidden by default."""

BANDED_FIELDS = ("pct_positive", "pct_low", "pct_high", "n_positive", "positive")
"""Fields emptied when a percent positive is shown as a band (R6): each would give the exact
figure back."""


def redact_rows(
    rows: Iterable[Mapping],
    protection: Protection | Mapping[str | None, Protection],
    *,
    band_percent_positive: bool = True,
    keep: Iterable[str] = (),
) -> list[dict]:
    """The one function pages, exports, the API and charts call before showing numbers.

    Each row names its group: ``unit_code`` (or ``unit``, as in the engine's tables);
    ``breakdown`` and ``category`` for a breakdown row; ``direct=True`` for the people
    attached to a unit itself. It may name a ``measure``: ``protection`` is one
    :class:`Protection` or a mapping from measure to protection (key None for the default).

    A hidden row keeps only its identifying fields (``IDENTITY_FIELDS`` and ``keep``); every
    other field becomes None. A row whose own ``n`` is below ``k`` is hidden whatever the
    protection says (so is a row with no ``n`` or ``respondents``). A visible row with fewer than ``2k`` responses has its percent positive
    replaced by a band (R6) unless ``band_percent_positive`` is False. Every row gains
    ``suppressed`` (None or the status), ``suppressed_reason`` and ``pct_positive_band``.
    """
    keep_fields = IDENTITY_FIELDS | frozenset(keep)
    out = []
    for row in rows:
        if isinstance(protection, Protection):
            prot = protection
        else:
            prot = protection.get(row.get("measure"), protection.get(None))
            if prot is None:
                raise KeyError(f"no protection for measure {row.get('measure')!r}")
        unit = row["unit_code"] if "unit_code" in row else row["unit"]
        status = prot.status(
            unit,
            row.get("breakdown") or None,
            row.get("category"),
            direct=bool(row.get("direct", False)),
        )
        n = row.get("n", row.get("respondents"))
        if status is Status.VISIBLE and (n is None or n < prot.k):
            status = Status.PRIMARY
        new = dict(row)
        if status.hidden:
            for key in new:
                if key not in keep_fields:
                    new[key] = None
            new["suppressed"] = status.value
            new["suppressed_reason"] = prot.reason(status)
            new["pct_positive_band"] = None
        else:
            new["suppressed"] = None
            new["suppressed_reason"] = None
            band = None
            if band_percent_positive:
                band = banded_percent(row.get("pct_positive"), n, prot.k)
                if band is not None:
                    for key in BANDED_FIELDS:
                        if key in new:
                            new[key] = None
            new["pct_positive_band"] = band
        out.append(new)
    return out


def redact_frame(
    frame,
    protection: Protection | Mapping[str | None, Protection],
    *,
    band_percent_positive: bool = True,
    keep: Iterable[str] = (),
):
    """:func:`redact_rows` for a polars DataFrame (the engine's tables, exports): the same
    rules, vectorised. Returns a new frame with hidden rows' numbers emptied and the columns
    ``suppressed``, ``suppressed_reason`` and ``pct_positive_band`` added."""
    import polars as pl

    cols = frame.columns
    height = frame.height
    codes, ks = _frame_codes(frame, protection)
    n_col = "n" if "n" in cols else ("respondents" if "respondents" in cols else None)
    n = frame[n_col].cast(pl.Float64).fill_null(-1).to_numpy() if n_col else np.full(height, -1.0)
    codes = np.where((codes == _VIS) & (n < ks), _PRI, codes).astype(np.int8)
    hidden = codes != _VIS
    band = pl.Series("pct_positive_band", [None] * height, dtype=pl.String)
    banded = np.zeros(height, dtype=bool)
    if band_percent_positive and "pct_positive" in cols:
        pct = frame["pct_positive"].cast(pl.Float64).fill_nan(None)
        banded = ~hidden & (n < 2 * ks) & pct.is_not_null().to_numpy()
        band = _bands(pct, n, banded).alias("pct_positive_band")
    keep_fields = IDENTITY_FIELDS | frozenset(keep)
    hide = pl.Series(hidden)
    hide_band = pl.Series(hidden | banded)
    exprs = []
    for name in cols:
        if name in keep_fields:
            continue
        mask = hide_band if name in BANDED_FIELDS else hide
        exprs.append(pl.when(mask).then(None).otherwise(pl.col(name)).alias(name))
    status_names = np.array([None, "primary", "complementary", "refused"], dtype=object)
    return frame.with_columns(exprs).with_columns(
        pl.Series("suppressed", status_names[codes].tolist(), dtype=pl.String),
        pl.Series("suppressed_reason", _frame_reasons(codes, ks), dtype=pl.String),
        band,
    )


def _frame_codes(frame, protection) -> tuple[np.ndarray, np.ndarray]:
    """:func:`redact_frame`'s status code and threshold ``k`` for every row, from the
    protection for the row's measure (before the row's own ``n`` is looked at)."""
    cols = frame.columns
    unit_col = "unit_code" if "unit_code" in cols else "unit"
    height = frame.height
    units = frame[unit_col].to_numpy()
    bds = frame["breakdown"].to_list() if "breakdown" in cols else None
    cats = frame["category"].to_list() if "category" in cols else None
    direct = frame["direct"].fill_null(False).to_list() if "direct" in cols else None
    codes = np.zeros(height, dtype=np.int8)
    ks = np.zeros(height, dtype=np.int64)
    for prot, idx in _protections_by_measure(frame, protection):
        if idx is None:
            codes[:] = prot.row_codes(units, bds, cats, direct)
            ks[:] = prot.k
            continue
        pick = idx.tolist()
        codes[idx] = prot.row_codes(
            units[idx],
            None if bds is None else [bds[i] for i in pick],
            None if cats is None else [cats[i] for i in pick],
            None if direct is None else [direct[i] for i in pick],
        )
        ks[idx] = prot.k
    return codes, ks


def _protections_by_measure(frame, protection) -> list[tuple[Protection, np.ndarray | None]]:
    """Each protection :func:`redact_frame` uses with the positions of its rows (None for
    every row, when one protection is given): by the rows' ``measure``, in the order of the
    measures' names as text."""
    if isinstance(protection, Protection):
        return [(protection, None)]
    height = frame.height
    measures = frame["measure"].to_list() if "measure" in frame.columns else [None] * height
    values, inverse = np.unique(np.asarray(measures, dtype=object).astype(str), return_inverse=True)
    firsts = {v: measures[int(np.argmax(inverse == i))] for i, v in enumerate(values)}
    parts = []
    for i, v in enumerate(values):
        m = firsts[v]
        prot = protection.get(m, protection.get(None))
        if prot is None:
            raise KeyError(f"no protection for measure {m!r}")
        parts.append((prot, np.flatnonzero(inverse.reshape(-1) == i)))
    return parts


def _frame_reasons(codes: np.ndarray, ks: np.ndarray) -> list[str | None]:
    """The sentence for each row's status code, with the row's own ``k``."""
    if len(set(ks.tolist())) <= 1:
        k0 = int(ks[0]) if len(ks) else 0
        texts = np.array([reason(_STATUS[c], k0) for c in range(4)], dtype=object)
        return texts[codes].tolist()
    return [reason(_STATUS[c], k) for c, k in zip(codes.tolist(), ks.tolist(), strict=True)]


def _bands(pct, n: np.ndarray, where: np.ndarray):
    """:func:`percent_band` for a column (None where ``where`` is False)."""
    import polars as pl

    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.ceil(100 / n / 10) * 10
        high = np.floor(100 * (n - 1) / n / 10) * 10
    frame = pl.DataFrame(
        {
            "pct": pct,
            # n = 0 or missing (hidden rows) gives ±inf here: never used, but must cast
            "low": pl.Series(np.nan_to_num(low, posinf=0, neginf=0), dtype=pl.Int64),
            "high": pl.Series(np.nan_to_num(high, posinf=0, neginf=0), dtype=pl.Int64),
            "ok": pl.Series(where & (n >= 3) & (low < high)),
            "on": pl.Series(where),
        }
    )
    start = (pl.col("pct") / 10).floor().cast(pl.Int64) * 10
    label = (
        pl.when(~pl.col("on"))
        .then(None)
        .when(~pl.col("ok"))
        .then(pl.lit("Not shown"))
        .when(pl.col("pct") <= pl.col("low"))
        .then(pl.format("≤{}%", pl.col("low")))
        .when(pl.col("pct") >= pl.col("high"))
        .then(pl.format("≥{}%", pl.col("high")))
        .otherwise(pl.format("{}–{}%", start, start + 10))
    )
    return frame.select(label.alias("band"))["band"]
