"""People by unit and month (colead.privacy.periods): months as a breakdown of every unit,
protected and audited by colead.privacy.disclosure.

The attacker, written here independently, rebuilds every figure from the people attached
to each unit in each month, writes down every relation of the published table (a unit's
row is its months; in every month, and over the period, a unit is its sub-units plus its
direct group) and solves all of them at once with exact linear algebra: a hidden figure is
worked out when its unit vector lies in the row space of the relations restricted to the
hidden figures. Invariant proved: no hidden, non-empty figure below k -- a month of a unit,
a unit's period total, a direct group's month -- can be worked out from rows, columns or
the tree.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from colead.privacy.disclosure import Hierarchy, Status, redact_rows
from colead.privacy.periods import PERIOD, protect_periods


class Table:
    """Figures keyed ("u"|"d", unit, month or None for the period), from the people attached
    to each unit itself in each month."""

    def __init__(self, parents, own):
        self.parents = parents
        self.months = [f"m{i}" for i in range(own.shape[1])]
        self.children = {
            u: [v for v, p in enumerate(parents) if p == u] for u in range(len(parents))
        }
        self.internal = [u for u in range(len(parents)) if self.children[u]]
        self.value = {}

        def subtree(u, m):
            return int(own[u, m]) + sum(subtree(v, m) for v in self.children[u])

        for u in range(len(parents)):
            row = [subtree(u, m) for m in range(own.shape[1])]
            for m, name in enumerate(self.months):
                self.value[("u", u, name)] = row[m]
            self.value[("u", u, None)] = sum(row)
        for u in self.internal:
            for m, name in enumerate(self.months):
                self.value[("d", u, name)] = int(own[u, m])
            self.value[("d", u, None)] = int(own[u].sum())
        self.subtree_counts = np.array(
            [[self.value[("u", u, name)] for name in self.months] for u in range(len(parents))]
        )

    def relations(self):
        groups = [("u", u) for u in range(len(self.parents))] + [("d", u) for u in self.internal]
        rels = [((kind, u, None), [(kind, u, m) for m in self.months]) for kind, u in groups]
        for u in self.internal:
            for m in [*self.months, None]:
                rels.append((("u", u, m), [("u", v, m) for v in self.children[u]] + [("d", u, m)]))
        return rels


def status(prot, key) -> Status:
    kind, u, m = key
    if m is None:
        return prot.unit_status(u, direct=kind == "d")
    return prot.category_status(u, PERIOD, m, direct=kind == "d")


def worked_out(table: Table, prot, k: int) -> list:
    hidden = [key for key, value in table.value.items() if value > 0 and status(prot, key).hidden]
    if not hidden:
        return []
    col = {key: i for i, key in enumerate(hidden)}
    rows = []
    for total, members in table.relations():
        row = np.zeros(len(hidden))
        for key, sign in [(total, 1.0)] + [(m, -1.0) for m in members]:
            if key in col:
                row[col[key]] += sign
        if row.any():
            rows.append(row)
    if not rows:
        return [key for key in hidden if table.value[key] < k]
    _, sing, vt = np.linalg.svd(np.array(rows))
    null = vt[int((sing > 1e-9).sum()) :]
    free = np.abs(null).max(axis=0) > 1e-7 if len(null) else np.zeros(len(hidden), bool)
    return [key for key, ok in zip(hidden, free, strict=True) if not ok and table.value[key] < k]


def run(parents, own, k):
    table = Table(parents, own)
    tree = Hierarchy.from_parent_index(parents)
    return table, protect_periods(tree, table.subtree_counts, table.months, k)


@st.composite
def worlds(draw, max_units=10, max_months=4):
    parents = [-1]
    for _ in range(draw(st.integers(0, max_units - 1))):
        parents.append(draw(st.integers(0, len(parents) - 1)))
    months = draw(st.integers(2, max_months))
    k = draw(st.integers(5, 11))
    cell = st.one_of(st.just(0), st.integers(1, k - 1), st.integers(k, 3 * k))
    own = np.array([[draw(cell) for _ in range(months)] for _ in parents]).reshape(
        len(parents), months
    )
    return parents, own, k


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_no_hidden_month_or_unit_below_k_can_be_worked_out(world):
    parents, own, k = world
    table, prot = run(parents, own, k)
    for key, value in table.value.items():
        if 0 < value < k:
            assert status(prot, key).hidden, key  # R1 on every month and period total
    assert worked_out(table, prot, k) == []


def test_a_month_cannot_be_read_off_the_year_and_the_other_months():
    """A ward of 30 staff a month but 3 in March (k = 5): hiding March alone lets the year
    give it back, so another month goes too; and the directorate's March, the ward's
    sibling's March and the ward's year do not give it away either."""
    parents = [-1, 0, 0]
    own = np.array([[0, 0, 0], [30, 3, 30], [20, 20, 20]])
    table, prot = run(parents, own, 5)
    assert prot.category_status(1, PERIOD, "m1") is Status.PRIMARY
    shown_months = [m for m in table.months if not prot.category_status(1, PERIOD, m).hidden]
    assert "m1" not in shown_months and len(shown_months) < 2 or prot.unit_status(1).hidden
    assert worked_out(table, prot, 5) == []


def test_rows_are_redacted_with_the_period_as_their_category():
    parents = [-1, 0, 0]
    own = np.array([[0, 0], [12, 2], [12, 12]])
    table, prot = run(parents, own, 5)
    rows = [
        {"unit": u, "breakdown": PERIOD, "category": m, "n": table.value[("u", u, m)]}
        for u in range(3)
        for m in table.months
    ]
    out = redact_rows(rows, prot)
    hidden = {(r["unit"], r["category"]) for r in out if r["suppressed"]}
    assert (1, "m1") in hidden
    assert all(r["n"] is None for r in out if r["suppressed"])
    assert worked_out(table, prot, 5) == []


def test_counts_must_match_the_tree():
    tree = Hierarchy.from_parent_index([-1, 0])
    with pytest.raises(ValueError, match="expected shape"):
        protect_periods(tree, np.zeros((2, 3), dtype=int), ["a", "b"], 5)
