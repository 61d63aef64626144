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
   dropping each bound found slack and repeating until none is; only the bounds the true
   table sits on are in question, since the true table is itself consistent;
3. a figure is pinned when one of its bounds is implicit, or when the relations, with the
   implicit bounds fixed, leave it no freedom (its coordinate vanishes on the null space):
   a figure two of the tables met so far disagree on is free; each other one is tested by a
   linear programme of its own, or all at once by an eigen decomposition when they are many.

A repair loop passes the same ``cache`` to every round, so that a component unchanged since
the last round is not audited again, and the figures found free (they stay free while labels
only ever say less).

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
# Up to this many figures left in question after the linear programmes of the bounds, each
# is tested with a linear programme of its own; more, and with one eigen decomposition.
_FEW_SUSPECTS = 16


def pinned(
    values: np.ndarray | Sequence[int],
    hidden: np.ndarray | Sequence[bool],
    lower: np.ndarray | Sequence[float],
    upper: np.ndarray | Sequence[float],
    relations: Sequence[tuple[int, Sequence[int]]],
    *,
    cache: dict | None = None,
    known_free: np.ndarray | None = None,
) -> np.ndarray:
    """Which hidden figures have a single value consistent with everything published.

    ``values`` are the true figures (used only for the shown ones and to check that the
    true table is consistent); ``hidden`` flags the figures not shown; ``lower`` and
    ``upper`` bound each hidden figure as its label says (``np.inf`` for no upper bound);
    ``relations`` are ``(total, members)`` index pairs: ``figure[total] = sum(figure[m])``.
    Returns a boolean array over the figures (False for every shown figure).

    ``cache``, a dict kept across calls on the same ``values`` and ``relations`` (say the
    rounds of a repair loop), keeps each component's answer: a component is the same problem
    whenever its hidden figures and their bounds are (the shown figures of its relations are
    then the same too), so only the components a repair changed are audited again.
    ``known_free`` flags figures already shown to take two values under labels that said no
    less (an earlier round, before more figures were hidden or refused: every table
    consistent then is consistent now), so neither their bounds nor they need a test.
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
    cache = {} if cache is None else cache
    order = np.argsort(comp, kind="stable")
    starts = np.flatnonzero(np.r_[True, comp[order][1:] != comp[order][:-1]])
    for members in np.split(order, starts[1:]):
        figures = hidden_idx[members]
        key = (figures.tobytes(), lower[figures].tobytes(), upper[figures].tobytes())
        if key not in cache:
            cache[key] = _pinned_in_component(
                members,
                [rows[r] for r in rows_by_comp.get(int(comp[members[0]]), [])],
                values[figures],
                (lower[figures], upper[figures]),
                np.zeros(len(figures), bool) if known_free is None else known_free[figures],
            )
        out[figures[cache[key]]] = True
    return out


def _pinned_in_component(members, rows, values, limits, known_free) -> np.ndarray:
    """Pinned flags for the hidden figures of one component (positions in ``members``):
    ``values``, the ``(lower, upper)`` bounds and the ``known_free`` flags are theirs."""
    lower, upper = limits
    m = len(members)
    local = {int(j): i for i, j in enumerate(members.tolist())}
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
    # The true table is consistent, so a bound it leaves slack is no implicit equality: only
    # the bounds the true figures sit on need a linear programme.
    open_t = np.concatenate([values[low_idx] - lower[low_idx], upper[up_idx] - values[up_idx]])
    open_t = (open_t <= _TOL) & ~np.concatenate([known_free[low_idx], known_free[up_idx]])
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
    moved = known_free.copy()  # figures two consistent tables give different values
    while open_t.any():
        c = np.concatenate([np.zeros(m), -open_t.astype(np.float64)])
        bounds = x_bounds + [(0.0, 1.0 if o else 0.0) for o in open_t.tolist()]
        res = optimize.linprog(c, A_ub=G, b_ub=h, A_eq=A_eq, b_eq=b, bounds=bounds, method="highs")
        if res.status != 0:  # pragma: no cover - the true table is always feasible
            raise RuntimeError(f"interval audit: linear programme failed ({res.message})")
        x = res.x[:m]
        moved |= np.abs(x - values) > _TOL
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
    # Only a free figure with one value in every table seen so far needs a test.
    suspects = np.flatnonzero(~fixed & ~moved)
    if len(suspects) > _FEW_SUSPECTS:
        fixed[free[~_moves_on_null_space(A[:, free])]] = True
    else:
        A_free, at = A[:, free], {int(j): i for i, j in enumerate(free.tolist())}
        for j in suspects.tolist():
            fixed[j] = not _moves_along_relations(A_free, at[j])
    return fixed


def _moves_along_relations(A, j: int) -> bool:
    """Whether column ``j`` of ``A`` is non-zero in some vector of its null space: the largest
    ``z_j`` with ``A z = 0`` and ``-1 <= z <= 1`` is positive then (1, the matrix being
    totally unimodular), 0 otherwise."""
    c = np.zeros(A.shape[1])
    c[j] = -1.0
    res = optimize.linprog(c, A_eq=A, b_eq=np.zeros(A.shape[0]), bounds=(-1.0, 1.0), method="highs")
    return -res.fun > _TOL


def _moves_on_null_space(A) -> np.ndarray:
    """For each column of ``A``, whether some vector of its null space has a non-zero entry
    there, that is whether the column's unit vector lies outside the row space.

    The row space's orthonormal basis comes from the eigenvectors of ``A A^T``, which has one
    row and column per relation (about half as many as there are figures, so the eigen
    decomposition costs about an eighth of that of ``A^T A``); a column's squared length on
    that basis is 1 when the relations fix it. The matrix is totally unimodular (module
    docstring), so a null-space direction through a column includes a circuit: a vector of
    0 and +-1 with at most as many entries as columns. A moving column's squared length off
    the row space is then at least 1 / columns, far above rounding: half that is the cut."""
    A = sparse.csr_matrix(A, dtype=np.float64)
    n_rows, n = A.shape
    if n_rows == 0:
        return np.ones(n, dtype=bool)
    values, vectors = linalg.eigh((A @ A.T).toarray())
    keep = values > 1e-9 * max(1.0, float(values[-1]))
    basis = (A.T @ vectors[:, keep]) / np.sqrt(values[keep])
    return 1.0 - (basis * basis).sum(axis=1) > 0.5 / n
