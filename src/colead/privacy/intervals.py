"""The interval audit: which hidden figures the published ones pin to a single value, when the
attacker knows bounds as well as equalities. Plain computation (numpy, scipy): no Django.

The linear-algebra attack of colead.privacy.disclosure uses only the published relations
(a unit is its sub-units plus its direct group; a row is its months). A hidden figure's
label can also carry bounds: "fewer than 5" says 1 to 4 where zeros are shown as 0, and a
figure hidden to protect another ("complementary") was chosen among shown figures, so it is
5 or more. Bounds can pin a figure that no equality pins. The simplest case: a parent of 7
shows, one child of 5 is hidden to protect two children shown as "fewer than 5"; then
7 = (5 or more) + (1 to 4) + (1 to 4) leaves only 5 + 1 + 1.

:func:`pinned` finds exactly the hidden figures whose value is the same in every table
consistent with the published figures, relations and bounds. It works on the polyhedron
``{x : A x = b, lower <= x <= upper}`` over the hidden figures:

1. hidden figures are split into independent components (two hidden figures are linked
   when a relation holds both);
2. per component, the *implicit equalities* -- bounds that hold with equality at every
   point -- are found by linear programmes that maximise each bound's slack (capped at 1),
   dropping each bound found slack and repeating until none is;
3. a figure is pinned when one of its bounds is implicit, or when the relations, with the
   implicit bounds fixed, leave it no freedom (its coordinate vanishes on the null space).

Exact for the tables colead publishes: the relations of a unit tree crossed with columns
and their row totals are two laminar families of sums over the leaf cells, so the
constraint matrix is totally unimodular and every vertex of the polyhedron is a whole-number
table. A figure that is not pinned therefore takes at least two whole-number values in
tables consistent with everything published (the extreme points), not just two fractions.
The tests check this against an attacker that computes every hidden figure's range with two
linear programmes of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import linalg, optimize, sparse

__all__ = ["pinned"]

_TOL = 1e-7


def pinned(
    values: np.ndarray | Sequence[int],
    hidden: np.ndarray | Sequence[bool],
    lower: np.ndarray | Sequence[float],
    upper: np.ndarray | Sequence[float],
    relations: Sequence[tuple[int, Sequence[int]]],
) -> np.ndarray:
    """Which hidden figures have a single value consistent with everything published.

    ``values`` are the true figures (used only for the shown ones and to check that the
    true table is consistent); ``hidden`` flags the figures not shown; ``lower`` and
    ``upper`` bound each hidden figure as its label says (``np.inf`` for no upper bound);
    ``relations`` are ``(total, members)`` index pairs: ``figure[total] = sum(figure[m])``.
    Returns a boolean array over the figures (False for every shown figure).
    """
    values = np.asarray(values, dtype=np.float64)
    hidden = np.asarray(hidden, dtype=bool)
    lower = np.asarray(lower, dtype=np.float64)
    upper = np.asarray(upper, dtype=np.float64)
    n = values.shape[0]
    out = np.zeros(n, dtype=bool)
    if not hidden.any():
        return out
    if (hidden & ((values < lower - _TOL) | (values > upper + _TOL))).any():
        raise ValueError("a hidden figure lies outside the bounds its label gives")
    var_of = np.full(n, -1, dtype=np.int64)
    hidden_idx = np.flatnonzero(hidden)
    var_of[hidden_idx] = np.arange(len(hidden_idx))

    # Relations restricted to hidden figures: sum(sign * x) = -(sum of shown, signed).
    rows: list[tuple[list[int], list[float], float]] = []
    parent = list(range(len(hidden_idx)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for total, members in relations:
        cols, signs, rhs = [], [], 0.0
        for figure, sign in ((total, 1.0), *((m, -1.0) for m in members)):
            j = var_of[figure]
            if j >= 0:
                cols.append(int(j))
                signs.append(sign)
            else:
                rhs -= sign * values[figure]
        if not cols:
            continue
        rows.append((cols, signs, rhs))
        root = find(cols[0])
        for j in cols[1:]:
            other = find(j)
            if other != root:
                parent[other] = root

    comp = np.fromiter((find(j) for j in range(len(hidden_idx))), dtype=np.int64)
    rows_by_comp: dict[int, list[int]] = {}
    for r, (cols, _, _) in enumerate(rows):
        rows_by_comp.setdefault(int(comp[cols[0]]), []).append(r)
    for root in np.unique(comp).tolist():
        members = np.flatnonzero(comp == root)
        fixed = _pinned_in_component(
            members, [rows[r] for r in rows_by_comp.get(root, [])], lower, upper, hidden_idx
        )
        out[hidden_idx[members[fixed]]] = True
    return out


def _pinned_in_component(members, rows, lower_all, upper_all, hidden_idx) -> np.ndarray:
    """Pinned flags for the hidden figures of one component (positions in ``members``)."""
    m = len(members)
    local = {int(j): i for i, j in enumerate(members.tolist())}
    figures = hidden_idx[members]
    lower, upper = lower_all[figures], upper_all[figures]
    if not rows:  # only bounds: pinned when they meet
        return upper - lower < _TOL
    data, ri, ci, b = [], [], [], []
    for r, (cols, signs, rhs) in enumerate(rows):
        for j, s in zip(cols, signs, strict=True):
            ri.append(r)
            ci.append(local[j])
            data.append(s)
        b.append(rhs)
    A = sparse.csr_matrix((data, (ri, ci)), shape=(len(rows), m))
    b = np.asarray(b)

    # Bounds to test: every finite lower and upper bound. Variables: x (m), then one slack
    # reward t per tested bound, 0 <= t <= 1 while the bound is still in question.
    has_low = np.isfinite(lower)
    has_up = np.isfinite(upper)
    low_idx, up_idx = np.flatnonzero(has_low), np.flatnonzero(has_up)
    n_t = len(low_idx) + len(up_idx)
    open_t = np.ones(n_t, dtype=bool)
    # x_j - t >= l_j  ->  -x_j + t <= -l_j ;  x_j + t <= u_j
    G = sparse.vstack(
        [
            sparse.csr_matrix(
                (-np.ones(len(low_idx)), (np.arange(len(low_idx)), low_idx)),
                shape=(len(low_idx), m),
            ),
            sparse.csr_matrix(
                (np.ones(len(up_idx)), (np.arange(len(up_idx)), up_idx)),
                shape=(len(up_idx), m),
            ),
        ]
    )
    G = sparse.hstack([G, sparse.identity(n_t, format="csr")]).tocsr()
    h = np.concatenate([-lower[low_idx], upper[up_idx]])
    A_eq = sparse.hstack([A, sparse.csr_matrix((A.shape[0], n_t))]).tocsr()
    x_bounds = [(None, None)] * m
    while open_t.any():
        c = np.concatenate([np.zeros(m), -open_t.astype(np.float64)])
        bounds = x_bounds + [(0.0, 1.0 if o else 0.0) for o in open_t.tolist()]
        res = optimize.linprog(c, A_ub=G, b_ub=h, A_eq=A_eq, b_eq=b, bounds=bounds, method="highs")
        if res.status != 0:  # pragma: no cover - the true table is always feasible
            raise RuntimeError(f"interval audit: linear programme failed ({res.message})")
        x = res.x[:m]
        slack = np.concatenate([x[low_idx] - lower[low_idx], upper[up_idx] - x[up_idx]])
        loose = open_t & (slack > _TOL)
        if not loose.any():
            break
        open_t &= ~loose
    implicit = open_t  # bounds no consistent table can leave
    fixed = np.zeros(m, dtype=bool)
    fixed[low_idx[implicit[: len(low_idx)]]] = True
    fixed[up_idx[implicit[len(low_idx) :]]] = True
    free = np.flatnonzero(~fixed)
    if len(free):
        fixed[free[~_moves_on_null_space(A[:, free])]] = True
    return fixed


def _moves_on_null_space(A) -> np.ndarray:
    """For each column of ``A``, whether some vector of its null space has a non-zero entry
    there.

    Most relations of a tree are peeled away first: a column in a single row can absorb any
    change of the row's other columns, so the row constrains nothing else and the column's
    entry is minus the row's combination of the others. What is left (the core, where every
    column is in two rows or more) is solved through the eigenvectors of its Gram matrix
    ``A^T A`` (entries are small whole numbers, so zero eigenvalues stand clearly apart);
    each column left in no row is a free direction of its own; then the peeled columns'
    entries are rebuilt in reverse order, as vectors over those directions."""
    A = sparse.csr_matrix(A)
    n_rows, n = A.shape
    if n_rows == 0:
        return np.ones(n, dtype=bool)
    rows = [
        dict(
            zip(
                A.indices[A.indptr[r] : A.indptr[r + 1]].tolist(),
                A.data[A.indptr[r] : A.indptr[r + 1]].tolist(),
                strict=True,
            )
        )
        for r in range(n_rows)
    ]
    rows = [{j: a for j, a in row.items() if a != 0} for row in rows]
    rows_of: list[set[int]] = [set() for _ in range(n)]
    for r, row in enumerate(rows):
        for j in row:
            rows_of[j].add(r)
    active = [bool(row) for row in rows]
    peeled: list[tuple[int, int]] = []
    queue = [j for j in range(n) if len(rows_of[j]) == 1]
    while queue:
        v = queue.pop()
        if len(rows_of[v]) != 1:
            continue
        (r,) = rows_of[v]
        peeled.append((v, r))
        active[r] = False
        for j in rows[r]:
            rows_of[j].discard(r)
            if j != v and len(rows_of[j]) == 1:
                queue.append(j)
    is_peeled = np.zeros(n, dtype=bool)
    is_peeled[[v for v, _ in peeled]] = True
    core_rows = [r for r in range(n_rows) if active[r]]
    core_cols = sorted({j for r in core_rows for j in rows[r]})
    loose = [j for j in range(n) if not is_peeled[j] and not rows_of[j]]
    # Directions: the core's null space, then one per column left in no row.
    basis_core = np.zeros((len(core_cols), 0))
    if core_cols:
        pos = {j: i for i, j in enumerate(core_cols)}
        dense = np.zeros((len(core_rows), len(core_cols)))
        for i, r in enumerate(core_rows):
            for j, a in rows[r].items():
                dense[i, pos[j]] = a
        values, vectors = linalg.eigh(dense.T @ dense)
        basis_core = vectors[:, values < 1e-8 * max(1.0, float(values[-1]))]
    dims = basis_core.shape[1] + len(loose)
    vec = np.zeros((n, dims))
    for i, j in enumerate(core_cols):
        vec[j, : basis_core.shape[1]] = basis_core[i]
    for i, j in enumerate(loose):
        vec[j, basis_core.shape[1] + i] = 1.0
    for v, r in reversed(peeled):
        row = rows[r]
        acc = np.zeros(dims)
        for j, a in row.items():
            if j != v:
                acc += a * vec[j]
        vec[v] = -acc / row[v]
    return (vec * vec).sum(axis=1) > 1e-12
