"""R8: counts of events (incidents and the like) by unit and month. Plain computation (numpy,
scipy): no Django.

Events are not people, so the rule differs from a survey's (docs/privacy.md, "R8: event
counts"):

* a count of 0 is shown as 0: it says that nothing was reported, about nobody;
* a count of 1 to 4 is shown as "fewer than 5" (status ``PRIMARY``);
* a count of 5 or more is shown exactly, unless it must be hidden so that a count of 1 to 4
  cannot be worked out (``COMPLEMENTARY``);
* when the labels pin a small count (a year of "fewer than 5" with four months of "fewer
  than 5" and the rest 0 says each month was 1) and no figure of 5 or more is left to hide,
  the figures of that relation are not shown at all (``REFUSED``, zeros included, and
  whatever their size: "not shown" says nothing about the value).

The published table. For every unit of the tree -- its whole subtree, and for a unit with
sub-units its *direct group* (events recorded against the unit itself) -- one figure per
month and one for the whole period (the row total: the year). Relations anyone can read off
it: a row is the sum of its months; in every column (a month, or the whole period) a unit is
its sub-units plus its direct group. The organisation's monthly totals are the root's row.

What is guaranteed. An attacker who knows every shown figure, every relation, that "fewer
than 5" means 1 to 4, that 0 is 0, and that a complementary figure is 5 or more (it was
chosen among shown figures), cannot pin any hidden count of 1 to 4 to a single value: every
such count takes at least two whole-number values in tables consistent with everything
published (a refused figure is read as any whole number). :func:`protect_events` makes it so by auditing each candidate pattern exactly
(colead.privacy.intervals: linear programmes over the hidden figures, exact because the
relations form two laminar families) and hiding the smallest shown figure of 5 or more in a
relation of any pinned count, until none is pinned. The tests check the result against an
attacker that computes every hidden figure's range with its own linear programmes.

Not covered: the attacker is told each label's meaning, not how the rule chose the pattern
(an attacker who replays the rule on guessed tables may rule some of them out), and tables
published separately (another breakdown, another period) are audited separately.

Using it::

    table = protect_events(tree, own_counts, months)   # own_counts[unit, month]
    table.status("W1", "2026-03"), table.display("W1", "2026-03"), table.display("W1")
    rows = table.rows()   # unit, direct, period, count (None when hidden), suppressed, reason
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from colead.privacy.disclosure import Hierarchy, Status
from colead.privacy.intervals import pinned

__all__ = ["EVENT_THRESHOLD", "TOTAL", "EventTable", "protect_events"]

EVENT_THRESHOLD = 5
"""Counts below this (and above 0) are shown as "fewer than 5" (R8)."""

TOTAL = None
"""The period argument for a row's total over every month (the year)."""

_VIS, _PRI, _COMP, _REF = 0, 1, 2, 3
_STATUS = (Status.VISIBLE, Status.PRIMARY, Status.COMPLEMENTARY, Status.REFUSED)


@dataclass(frozen=True, eq=False)
class EventTable:
    """What may be shown of an events table. Figures are indexed by group (units by tree
    position, then the direct groups of units with sub-units, in ``tree.internal`` order)
    and column (the periods, then the row total)."""

    tree: Hierarchy
    periods: tuple[str, ...]
    threshold: int
    counts: np.ndarray
    codes: np.ndarray

    def _figure(self, unit: Hashable, period, direct: bool) -> tuple[int, int]:
        u = self.tree.position(unit)
        if direct:
            i = int(self.tree.internal_of[u])
            if i < 0:
                raise KeyError(f"unit {unit!r} has no sub-units, so no direct group")
            u = self.tree.size + i
        if period is TOTAL:
            return u, len(self.periods)
        try:
            return u, self.periods.index(period)
        except ValueError:
            raise KeyError(f"unknown period {period!r}") from None

    def status(self, unit: Hashable, period=TOTAL, *, direct: bool = False) -> Status:
        """A figure's status: the unit's subtree (or with ``direct`` the events recorded
        against the unit itself) in one period, or over all of them (``TOTAL``)."""
        return _STATUS[int(self.codes[self._figure(unit, period, direct)])]

    def count(self, unit: Hashable, period=TOTAL, *, direct: bool = False) -> int | None:
        """The count to publish, or None when it is hidden."""
        g, c = self._figure(unit, period, direct)
        return int(self.counts[g, c]) if self.codes[g, c] == _VIS else None

    def reason(self, status: Status) -> str | None:
        if status is Status.PRIMARY:
            return f"Fewer than {self.threshold}"
        if status is Status.COMPLEMENTARY:
            return f"Hidden so that a count below {self.threshold} cannot be worked out"
        if status is Status.REFUSED:
            return f"Not shown, so that a count below {self.threshold} cannot be worked out"
        return None

    def display(self, unit: Hashable, period=TOTAL, *, direct: bool = False) -> str:
        """The text a page shows: the count (0 included) or the reason it is hidden."""
        status = self.status(unit, period, direct=direct)
        if status is Status.VISIBLE:
            return f"{self.count(unit, period, direct=direct):,}"
        return self.reason(status)

    def rows(self) -> list[dict]:
        """Every figure as a row for pages, exports and the API: ``count`` is None when
        hidden, ``suppressed`` the status (None when shown), ``suppressed_reason`` why."""
        out = []
        U = self.tree.size
        cols = [*self.periods, TOTAL]
        for g in range(self.counts.shape[0]):
            unit = self.tree.ids[g if g < U else int(self.tree.internal[g - U])]
            for c, period in enumerate(cols):
                code = int(self.codes[g, c])
                status = _STATUS[code]
                out.append(
                    {
                        "unit": unit,
                        "direct": g >= U,
                        "period": period,
                        "count": int(self.counts[g, c]) if code == _VIS else None,
                        "suppressed": None if code == _VIS else status.value,
                        "suppressed_reason": self.reason(status),
                    }
                )
        return out

    @property
    def hidden_share(self) -> float:
        """The share of non-zero figures not shown."""
        nonzero = self.counts > 0
        return float((nonzero & (self.codes != _VIS)).sum() / max(1, nonzero.sum()))


def event_figures(tree: Hierarchy, own: np.ndarray) -> np.ndarray:
    """Every figure from the counts recorded against each unit itself: units (subtrees),
    then direct groups, by column (periods, then the row total)."""
    U = tree.size
    sub = own.astype(np.int64).copy()
    for u in tree.topo[::-1].tolist():  # children before parents
        p = int(tree.parent[u])
        if p >= 0:
            sub[p] += sub[u]
    groups = np.concatenate([sub, own[tree.internal]]) if len(tree.internal) else sub
    del U
    return np.concatenate([groups, groups.sum(axis=1, keepdims=True)], axis=1)


def table_relations(tree: Hierarchy, n_columns: int) -> list[tuple[int, list[int]]]:
    """The relations of a unit x column table with row totals, over figure indexes
    ``group * (n_columns + 1) + column`` (the last column is the row total)."""
    U, C = tree.size, n_columns + 1
    n_groups = U + len(tree.internal)
    rels: list[tuple[int, list[int]]] = []
    for g in range(n_groups):
        rels.append((g * C + n_columns, [g * C + c for c in range(n_columns)]))
    order, ptr = tree.child_order.tolist(), tree.child_ptr.tolist()
    for i, u in enumerate(tree.internal.tolist()):
        line = [*order[ptr[i] : ptr[i + 1]], U + i]
        for c in range(C):
            rels.append((u * C + c, [v * C + c for v in line]))
    return rels


def protect_events(
    tree,
    own_counts: np.ndarray | Sequence[Sequence[int]] | Mapping[Hashable, Sequence[int]],
    periods: Sequence[str],
    *,
    threshold: int = EVENT_THRESHOLD,
) -> EventTable:
    """Decide what may be shown of events by unit and period (R8).

    ``own_counts[u][p]`` is the number of events recorded against unit ``u`` itself (not its
    sub-units) in period ``p``, by tree position, or a mapping from unit id to its row
    (missing units count zero). ``periods`` names the columns (months: "2026-01"...).
    """
    tree = Hierarchy.of(tree)
    periods = tuple(periods)
    if len(set(periods)) != len(periods):
        raise ValueError("periods must be unique")
    if int(threshold) != threshold or threshold < 2:
        raise ValueError("the events threshold must be a whole number of 2 or more")
    P = len(periods)
    if isinstance(own_counts, Mapping):
        own = np.zeros((tree.size, P), dtype=np.int64)
        for unit, row in own_counts.items():
            own[tree.position(unit)] = row
    else:
        own = np.asarray(own_counts)
        if own.shape != (tree.size, P):
            raise ValueError(f"event counts: expected shape {(tree.size, P)}, got {own.shape}")
        if own.size and not np.issubdtype(own.dtype, np.integer):
            if not np.all(np.equal(np.mod(own, 1), 0)):
                raise ValueError("event counts must be whole numbers")
        own = own.astype(np.int64)
    if own.size and own.min() < 0:
        raise ValueError("event counts cannot be negative")
    F = event_figures(tree, own)
    codes = np.where((F > 0) & (F < threshold), _PRI, _VIS).astype(np.int8)
    codes = _protect(F, codes, table_relations(tree, P), threshold)
    return EventTable(tree, periods, int(threshold), F, codes)


def bounds(values: np.ndarray, codes: np.ndarray, threshold: int):
    """What each label tells an attacker who knows the rule: shown figures are exact;
    "fewer than k" is 1 to k-1; a complementary figure is k or more (chosen among shown
    ones); a refused one is any whole number (whole relations are refused, large figures
    included)."""
    lower = np.where(codes == _PRI, 1.0, np.where(codes == _COMP, float(threshold), 0.0))
    upper = np.where(codes == _PRI, float(threshold - 1), np.inf)
    shown = codes == _VIS
    lower = np.where(shown, values, lower)
    upper = np.where(shown, values, upper)
    return lower, upper


def _protect(F: np.ndarray, codes: np.ndarray, rels, k: int) -> np.ndarray:
    """Audit and repair until no hidden count from 1 to k-1 is pinned (module docstring)."""
    shape = F.shape
    values = F.ravel().astype(np.float64)
    st = codes.ravel().copy()
    small = (values > 0) & (values < k)
    # Each figure's relations, in the order repairs look at them: its row, then the column
    # line it belongs to (its siblings and parent), then the one it heads (its sub-units).
    C = shape[1]
    row_of: dict[int, int] = {}
    up_of: dict[int, int] = {}
    down_of: dict[int, int] = {}
    for r, (total, members) in enumerate(rels):
        if total % C == C - 1 and all(m // C == total // C for m in members):
            row_of[total] = r
            for m in members:
                row_of[m] = r
        else:
            down_of[total] = r
            for m in members:
                up_of[m] = r
    rels_of = [
        [r for r in (row_of.get(f), up_of.get(f), down_of.get(f)) if r is not None]
        for f in range(st.size)
    ]
    # Every round hides or refuses at least one more figure, and a table with every figure
    # refused pins nothing (all zeros is as consistent as the truth), so this ends.
    # Each component's answer, audited again only once a repair changes it; and the figures
    # found free, which stay free: repairs only hide or refuse, so labels only say less.
    audited: dict = {}
    free = np.zeros(st.size, dtype=bool)
    for _ in range(2 * st.size + 1):
        _single_unknowns(rels, values, st, k)
        lower, upper = bounds(values, st, k)
        pin = pinned(values, st != _VIS, lower, upper, rels, cache=audited, known_free=free)
        free = (st != _VIS) & ~pin
        hit = pin & small
        if not hit.any():
            return st.reshape(shape)
        touched: set[int] = set()
        for f in np.flatnonzero(hit).tolist():
            if touched & set(rels_of[f]):
                continue  # a repair this round may already free it
            touched.update(rels_of[f])
            _repair(f, pin, rels, rels_of, values, st, k)
    raise AssertionError("events audit could not make progress")  # pragma: no cover


def _single_unknowns(rels, values: np.ndarray, st: np.ndarray, k: int) -> None:
    """The cheap part of the audit, to a fixed point: a relation with exactly one hidden
    figure gives it away, so hide the smallest shown figure of k or more beside it."""
    changed = True
    while changed:
        changed = False
        for total, members in rels:
            figs = (total, *members)
            hidden = [g for g in figs if st[g] != _VIS]
            if len(hidden) != 1:
                continue
            cand = [g for g in figs if st[g] == _VIS and values[g] >= k]
            if cand:
                st[min(cand, key=lambda g: (values[g], g))] = _COMP
                changed = True


def _pinned_by(rel, f: int, lower: np.ndarray, upper: np.ndarray) -> bool:
    """Whether one relation on its own, with the bounds of its figures, pins figure ``f``
    (then only a change inside that relation can free it)."""
    total, members = rel
    if f == total:
        lo = max(lower[total], sum(lower[m] for m in members))
        hi = min(upper[total], sum(upper[m] for m in members))
    else:
        others = [m for m in members if m != f]
        lo = max(lower[f], lower[total] - sum(upper[m] for m in others))
        hi = min(upper[f], upper[total] - sum(lower[m] for m in others))
    return hi - lo < 0.5


def _smallest_shown(figs, values: np.ndarray, st: np.ndarray, k: int) -> int | None:
    cand = [g for g in figs if st[g] == _VIS and values[g] >= k]
    return min(cand, key=lambda g: (values[g], g)) if cand else None


def _repair(f: int, pin, rels, rels_of, values: np.ndarray, st: np.ndarray, k: int) -> None:
    """Free a pinned count ``f`` by hiding one more figure, or refusing some.

    1. A relation that pins ``f`` by its bounds alone (a row of four "fewer than 5" months
       under a "fewer than 5" year) can only be freed inside it: hide its smallest shown
       figure of k or more, else refuse its members (and, when they are all refused, its
       total). A refused figure can be any whole number, so the relation no longer pins.
    2. Otherwise walk out from ``f`` through the pinned hidden figures that share a
       relation with it (a figure is pinned by others that are pinned) and hide the smallest
       shown figure of k or more in the nearest relation that has one.
    3. When there is none, refuse the members (then the totals) of ``f``'s relations.
    """
    lower, upper = bounds(values, st, k)
    local = [r for r in rels_of[f] if _pinned_by(rels[r], f, lower, upper)]
    for r in local:
        g = _smallest_shown((rels[r][0], *rels[r][1]), values, st, k)
        if g is not None:
            st[g] = _COMP
            return
    if not local:
        seen, queue = {f}, [f]
        while queue:
            x = queue.pop(0)
            for r in rels_of[x]:
                g = _smallest_shown((rels[r][0], *rels[r][1]), values, st, k)
                if g is not None:
                    st[g] = _COMP
                    return
            for r in rels_of[x]:
                for g in (rels[r][0], *rels[r][1]):
                    if g not in seen and st[g] != _VIS and pin[g]:
                        seen.add(g)
                        queue.append(g)
    chosen = local or rels_of[f]
    if _refuse([m for r in chosen for m in rels[r][1]], st):
        return
    if _refuse([rels[r][0] for r in chosen], st):
        return
    # Every figure of f's relations is refused, yet f is pinned: refuse the whole table,
    # which pins nothing. No table of the tests or of a search of random ones gets here;
    # it keeps the loop's promise of progress.
    st[:] = _REF  # pragma: no cover


def _refuse(figures, st: np.ndarray) -> bool:
    """Refuse every figure of ``figures`` not refused yet; whether any was."""
    todo = [g for g in figures if st[g] != _REF]
    st[todo] = _REF
    return bool(todo)
