"""Property tests for disclosure control (colead.privacy.disclosure): random unit trees and
counts, checked by an attacker written independently of the module.

The attacker knows every published relation -- unit = sub-units + direct group, group = its
categories, unit's category = sub-units' category + direct group's category -- every visible
figure, and which figures are empty. When the world has a population (people invited per
group, public to staff), a group with people and no responses is not known to be empty: its
zero, and the zero categories of its breakdown, are unknown unless published, like any small
figure. Without a population every zero is known to be empty. It then tries

* every linear combination of those relations (exact linear algebra: a hidden figure is worked
  out exactly when its unit vector lies in the row space of the relations restricted to the
  unknown figures), and
* every subtraction along the hierarchy: a visible unit minus any set of its descendants'
  published totals (all connected expansions of the tree below it).

Invariant proved: no hidden figure that is not known to be empty can be worked out (counts, and
so score totals, which obey the same relations), and every subtraction along the hierarchy
leaves either no hidden group (nobody) or at least k people unaccounted for -- never a single
hidden group, and never "nobody" in a group with people.
"""

from __future__ import annotations

import itertools
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from colead.privacy import disclosure
from colead.privacy.disclosure import Breakdown, Hierarchy, Status, protect

# ---------------------------------------------------------------------------------------------
# Random trees


@st.composite
def shapes(draw, max_units: int = 30):
    """(parents by position, max depth): depth 1-5, branching 0-6, at most ``max_units``."""
    max_depth = draw(st.integers(1, 5))
    parents = [-1]
    depth = [0]
    i = 0
    while i < len(parents):
        if depth[i] < max_depth:
            room = max_units - len(parents)
            kids = draw(st.integers(0, min(6, room))) if room > 0 else 0
            for _ in range(kids):
                parents.append(i)
                depth.append(depth[i] + 1)
        i += 1
    return parents


def counts(k: int):
    """Counts with zeros, small groups and large ones all likely."""
    return st.one_of(
        st.just(0), st.integers(1, max(1, k - 1)), st.integers(k, 3 * k), st.integers(0, 60)
    )


class World:
    """A tree with counts for every leaf group (leaf units and direct groups), optionally by
    category, and optionally the number of people in each leaf group, from which every figure
    is computed -- independently of the module."""

    def __init__(self, parents, leaf_cells, k, categories=(), leaf_population=None):
        self.parents = parents
        self.k = k
        self.leaf_population = leaf_population
        self.size = len(parents)
        self.children = {u: [v for v, p in enumerate(parents) if p == u] for u in range(self.size)}
        self.internal = [u for u in range(self.size) if self.children[u]]
        self.categories = list(categories)
        # leaf_cells[g] is a tuple of category counts (one entry when there is no breakdown)
        self.cells = {}  # group -> np.array over categories; groups: ("u", u) or ("d", u)
        for g, cells in leaf_cells.items():
            self.cells[g] = np.asarray(cells, dtype=np.int64)

        def subtree(u):
            total = self.cells.get(("d", u), 0) + 0
            if not self.children[u]:
                return self.cells[("u", u)]
            for v in self.children[u]:
                total = total + subtree(v)
            self.cells[("u", u)] = total
            return total

        for u in range(self.size):
            if parents[u] == -1:
                subtree(u)
        self.population = None
        if leaf_population is not None:
            self.population = dict(leaf_population)

            def people(u):
                total = self.population.get(("d", u), 0)
                if not self.children[u]:
                    return self.population[("u", u)]
                for v in self.children[u]:
                    total += people(v)
                self.population[("u", u)] = total
                return total

            for u in range(self.size):
                if parents[u] == -1:
                    people(u)

    def __repr__(self) -> str:
        leaves = {
            g: tuple(int(x) for x in v)
            for g, v in self.cells.items()
            if g[0] == "d" or not self.children[g[1]]
        }
        return (
            f"World({self.parents}, {leaves}, {self.k}, {self.categories}, {self.leaf_population})"
        )

    def n(self, g) -> int:
        return int(self.cells[g].sum())

    def has_people(self, g) -> bool:
        return self.population is not None and self.population[g] > 0

    def present(self, g) -> bool:
        """Not known to be empty: responses, or people who might have responded."""
        return self.n(g) > 0 or self.has_people(g)

    def groups(self):
        yield from (("u", u) for u in range(self.size))
        yield from (("d", u) for u in self.internal)

    def line_members(self, u):
        return [("u", v) for v in self.children[u]] + [("d", u)]


@st.composite
def worlds(draw, max_units=30, n_categories=0):
    parents = draw(shapes(max_units))
    if draw(st.integers(0, 3)) == 0:  # sometimes a forest: several organisations
        more = draw(shapes(max(1, max_units // 2)))
        parents += [p + len(parents) if p >= 0 else -1 for p in more]
    k = draw(st.integers(5, 15))
    world_cells = {}
    width = max(1, n_categories)
    children = {u: [v for v, p in enumerate(parents) if p == u] for u in range(len(parents))}
    for u in range(len(parents)):
        key = ("d", u) if children[u] else ("u", u)
        world_cells[key] = tuple(draw(counts(k)) for _ in range(width))
    population = None
    if draw(st.integers(0, 3)) > 0:  # mostly with people per group: zeros are then unknown
        # people invited; a few groups have fewer than responded (shared-device responses)
        population = {g: draw(st.integers(0, sum(c) + 4)) for g, c in world_cells.items()}
    cats = [f"c{i}" for i in range(n_categories)]
    return World(parents, world_cells, k, cats, population)


def run(world: World, audit: bool = True):
    tree = Hierarchy.from_parent_index(world.parents)
    n = [world.n(("u", u)) for u in range(world.size)]
    breakdowns = {}
    if world.categories:
        rows = [world.cells[("u", u)] for u in range(world.size)]
        breakdowns["b"] = Breakdown(world.categories, rows)
    population = None
    if world.population is not None:
        population = [world.population[("u", u)] for u in range(world.size)]
    return protect(tree, n, world.k, breakdowns, population=population, audit=audit)


# ---------------------------------------------------------------------------------------------
# The attacker


def figures(world: World, prot):
    """Every published figure: key -> (value, hidden, present). A figure is *present* (not
    known to be empty) when it is not zero or its group has people; the zero categories of a
    group with people are present too (self-reported: nobody can tell they are empty)."""
    out = {}
    for kind, u in world.groups():
        direct = kind == "d"
        people = world.has_people((kind, u))
        n = world.n((kind, u))
        out[("T", kind, u)] = (n, prot.unit_status(u, direct=direct).hidden, n > 0 or people)
        for c, cat in enumerate(world.categories):
            status = prot.category_status(u, "b", cat, direct=direct)
            value = int(world.cells[(kind, u)][c])
            out[("B", kind, u, c)] = (value, status.hidden, value > 0 or people)
    return out


def relations(world: World):
    """Each relation as (total key, member keys)."""
    rels = []
    for u in world.internal:
        members = world.line_members(u)
        rels.append((("T", "u", u), [("T", *m) for m in members]))
        for c in range(len(world.categories)):
            rels.append((("B", "u", u, c), [("B", *m, c) for m in members]))
    if world.categories:
        for kind, u in world.groups():
            rels.append((("T", kind, u), [("B", kind, u, c) for c in range(len(world.categories))]))
    return rels


def worked_out(world: World, prot, *, small_only: bool = True) -> list:
    """Hidden figures not known to be empty whose value follows from the published ones:
    those below k (zero included), or with ``small_only=False`` any."""
    figs = figures(world, prot)
    unknown = [key for key, (_, hidden, present) in figs.items() if hidden and present]
    if not unknown:
        return []
    col = {key: i for i, key in enumerate(unknown)}
    rows = []
    for total, members in relations(world):
        row = np.zeros(len(unknown))
        for key, sign in [(total, 1.0)] + [(m, -1.0) for m in members]:
            if key in col:
                row[col[key]] += sign
        if row.any():
            rows.append(row)
    if not rows:
        return []
    a = np.array(rows)
    _, sing, vt = np.linalg.svd(a)
    rank = int((sing > 1e-9).sum())
    null = vt[rank:]  # rows span the null space
    free = np.abs(null).max(axis=0) > 1e-7 if len(null) else np.zeros(len(unknown), bool)
    return [
        key
        for key, ok in zip(unknown, free, strict=True)
        if not ok and (not small_only or figs[key][0] < world.k)
    ]


def expansions(world: World, root: int, limit: int = 3000):
    """Connected sets of internal units containing ``root``, closed upwards to it."""
    found = []

    def grow(chosen, candidates):
        if len(found) >= limit:
            return
        found.append(chosen)
        for i, u in enumerate(candidates):
            new = [v for v in world.children[u] if world.children[v]]
            grow(chosen | {u}, candidates[i + 1 :] + new)

    start = [v for v in world.children[root] if world.children[v]]
    grow(frozenset({root}), start)
    return found


def check_hierarchy_subtraction(world: World, prot) -> None:
    for root in world.internal:
        if prot.unit_status(root).hidden:
            continue
        for chosen in expansions(world, root):
            frontier = [
                m
                for u in chosen
                for m in world.line_members(u)
                if m[0] == "d" or m[1] not in chosen
            ]
            hidden = [
                m
                for m in frontier
                if world.present(m) and prot.unit_status(m[1], direct=m[0] == "d").hidden
            ]
            left = world.n(("u", root)) - sum(
                world.n(m)
                for m in frontier
                if not prot.unit_status(m[1], direct=m[0] == "d").hidden
            )
            assert left == sum(world.n(m) for m in hidden)
            # "nobody is left" only when no group that might hold somebody is hidden
            assert left >= world.k if hidden else left == 0, (root, sorted(chosen), hidden)
            assert len(hidden) != 1, (root, sorted(chosen), hidden)


def check_lines(world: World, prot, figs=None) -> None:
    """Rules (a) and (b) on every relation, and R1 on every figure."""
    figs = figs or figures(world, prot)
    for key, (value, hidden, _) in figs.items():
        if 0 <= value < world.k:
            assert hidden, key
    for total, members in relations(world):
        t_value, t_hidden, t_present = figs[total]
        unknown = [m for m in members if figs[m][1] and figs[m][2]]
        s = sum(figs[m][0] for m in unknown)
        if t_value >= world.k:
            assert not unknown or s >= world.k, (total, unknown)
        assert len(unknown) + (t_hidden and t_present) != 1, (total, unknown)


# COLEAD_PROPERTY_SCALE=10 runs ten times as many examples (for a thorough local run).
SCALE = int(os.environ.get("COLEAD_PROPERTY_SCALE", "1"))


def examples(n: int):
    return settings(
        max_examples=n * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )


SETTINGS = examples(150)


# ---------------------------------------------------------------------------------------------
# Properties: the unit hierarchy


@SETTINGS
@given(worlds(max_units=40))
def test_no_subtraction_along_the_hierarchy_reveals_a_small_group(world):
    prot = run(world)
    check_lines(world, prot)
    check_hierarchy_subtraction(world, prot)


@SETTINGS
@given(worlds(max_units=40))
def test_no_hidden_unit_or_direct_group_can_be_worked_out(world):
    """In the hierarchy alone no hidden figure at all can be worked out, not even one hidden
    to protect another."""
    prot = run(world)
    assert worked_out(world, prot, small_only=False) == []


@SETTINGS
@given(worlds(max_units=25))
def test_visible_parent_minus_visible_children_is_empty_or_at_least_k(world):
    prot = run(world)
    for u in world.internal:
        if prot.unit_status(u).hidden:
            continue
        shown = sum(
            world.n(m)
            for m in world.line_members(u)
            if not prot.unit_status(m[1], direct=m[0] == "d").hidden
        )
        left = world.n(("u", u)) - shown
        # and no subset of the visible members isolates one hidden member exactly
        hidden = [
            m
            for m in world.line_members(u)
            if world.present(m) and prot.unit_status(m[1], direct=m[0] == "d").hidden
        ]
        assert left >= world.k if hidden else left == 0
        assert len(hidden) != 1


@SETTINGS
@given(worlds(max_units=40), st.randoms(use_true_random=False))
def test_means_of_hidden_groups_cannot_be_recovered(world, rnd):
    """Score totals obey the same relations as counts: the remainder after subtracting
    visible sub-units is a total over at least k people, never one hidden group's."""
    prot = run(world)
    score = {
        g: sum(rnd.uniform(0, 10) for _ in range(world.n(g)))
        for g in world.groups()
        if g[0] == "d" or not world.children[g[1]]
    }

    def total(g):
        if g in score:
            return score[g]
        return sum(total(m) for m in world.line_members(g[1]))

    for u in world.internal:
        if prot.unit_status(u).hidden:
            continue
        visible = [
            m
            for m in world.line_members(u)
            if not prot.unit_status(m[1], direct=m[0] == "d").hidden
        ]
        hidden = [m for m in world.line_members(u) if m not in visible and world.present(m)]
        left_n = world.n(("u", u)) - sum(world.n(m) for m in visible)
        left_sum = total(("u", u)) - sum(total(m) for m in visible)
        assert np.isclose(left_sum, sum(total(m) for m in hidden))
        if hidden:
            assert left_n >= world.k and len(hidden) >= 2
        else:
            assert left_n == 0


# ---------------------------------------------------------------------------------------------
# Properties: breakdowns (rows and roll-ups)


@SETTINGS
@given(worlds(max_units=14, n_categories=3))
def test_breakdowns_satisfy_the_line_rules_and_the_remainder_rule(world):
    prot = run(world)
    figs = figures(world, prot)
    check_lines(world, prot, figs)
    check_hierarchy_subtraction(world, prot)
    for kind, u in world.groups():
        direct = kind == "d"
        if not prot.breakdown_allowed(u, "b", direct=direct):
            continue
        assert not prot.unit_status(u, direct=direct).hidden
        for c, cat in enumerate(world.categories):
            if prot.category_status(u, "b", cat, direct=direct) is Status.VISIBLE:
                rest = world.n((kind, u)) - int(world.cells[(kind, u)][c])
                assert rest == 0 or rest >= world.k  # R3


@examples(250)
@given(st.integers(2, 4).flatmap(lambda c: worlds(max_units=14, n_categories=c)))
def test_no_hidden_breakdown_cell_can_be_worked_out(world):
    prot = run(world)
    assert worked_out(world, prot) == []


@examples(150)
@given(worlds(max_units=10, n_categories=4))
def test_no_hidden_cell_of_a_wide_breakdown_can_be_worked_out(world):
    prot = run(world)
    assert worked_out(world, prot) == []


@examples(250)
@given(st.integers(2, 4).flatmap(lambda c: worlds(max_units=12, n_categories=c)))
def test_the_audit_is_exact(world):
    """On the pattern the line rules leave, the module's audit (a dynamic programme over the
    tree) reports exactly the small hidden figures the linear-algebra attacker works out."""
    prot = run(world, audit=False)
    state = prot._state
    reported = set()
    for kind, g, c in disclosure._audit(state, state.cuts[0]):
        key = ("u", g) if g < world.size else ("d", int(state.tree.internal[g - world.size]))
        reported.add(("B", *key, c) if kind == "cell" else ("T", *key))
    assert reported == set(worked_out(world, prot))


def test_the_attacker_finds_what_the_line_rules_alone_miss():
    """A hidden cell that bridges two blocks of hidden cells: every line holds two or more
    unknowns, yet rows r + r2 minus columns c1 + c2 isolate it. The audit catches it."""
    found_without_audit = 0
    rng = np.random.default_rng(4)
    for _ in range(400):
        parents = [-1] + [0] * int(rng.integers(3, 6))
        k = 5
        cells = {("d", 0): tuple(int(x) for x in rng.choice([0, 0, 2, 7], size=4))}
        for u in range(1, len(parents)):
            cells[("u", u)] = tuple(int(x) for x in rng.choice([0, 1, 2, 3, 6, 9], size=4))
        world = World(parents, cells, k, ["c0", "c1", "c2", "c3"])
        if worked_out(world, run(world, audit=False)):
            found_without_audit += 1
        assert worked_out(world, run(world)) == []
    assert found_without_audit > 0


# ---------------------------------------------------------------------------------------------
# Per measure


@SETTINGS
@given(worlds(max_units=14, n_categories=2), st.randoms(use_true_random=False))
def test_a_measure_with_fewer_scores_is_protected_on_its_own_counts(world, rnd):
    prot = run(world)
    # a measure's counts: each leaf group loses some respondents
    measure_cells = {
        g: tuple(max(0, int(x) - rnd.choice([0, 0, 1, 3])) for x in world.cells[g])
        for g in world.cells
        if g[0] == "d" or not world.children[g[1]]
    }
    mworld = World(world.parents, measure_cells, world.k, world.categories, world.leaf_population)
    refined = prot.refine(
        [mworld.n(("u", u)) for u in range(world.size)],
        {"b": [mworld.cells[("u", u)] for u in range(world.size)]},
    )
    figs = figures(mworld, refined)
    check_lines(mworld, refined, figs)
    assert worked_out(mworld, refined) == []
    # the pattern only grows
    for kind, u in world.groups():
        direct = kind == "d"
        if prot.unit_status(u, direct=direct).hidden:
            assert refined.unit_status(u, direct=direct).hidden


def test_expansions_enumerate_connected_subtrees():
    world = World(
        [-1, 0, 0, 1, 1, 2],
        {
            ("d", 0): (1,),
            ("d", 1): (1,),
            ("d", 2): (1,),
            ("u", 3): (1,),
            ("u", 4): (1,),
            ("u", 5): (1,),
        },
        5,
    )
    got = {tuple(sorted(s)) for s in expansions(world, 0)}
    assert got == {(0,), (0, 1), (0, 2), (0, 1, 2)}
    assert list(itertools.chain.from_iterable(got))


# ---------------------------------------------------------------------------------------------
# Fixed worlds found by a random search, each reaching a rarer step of protect: two audit
# findings in one neighbourhood (one repair serves both), a small total worked out and
# repaired beside its siblings, and a unit total shown again only if its own line still holds.

RARE_WORLDS = {
    "one_repair_serves_two_findings": (
        [-1, 0, 0, 1, 0, 4],
        {
            ("d", 0): (0, 4, 0),
            ("d", 1): (11, 4, 4),
            ("u", 2): (0, 1, 0),
            ("u", 3): (11, 4, 0),
            ("d", 4): (2, 2, 3),
            ("u", 5): (0, 0, 0),
        },
        3,
    ),
    "a_worked_out_total_is_found": (
        [-1, 0, 1, 2, 2, 0, 4, 0, 0],
        {
            ("d", 0): (3, 0, 0),
            ("d", 1): (4, 2, 2),
            ("d", 2): (4, 4, 4),
            ("u", 3): (17, 4, 1),
            ("d", 4): (17, 1, 3),
            ("u", 5): (0, 0, 3),
            ("u", 6): (1, 10, 5),
            ("u", 7): (0, 17, 5),
            ("u", 8): (2, 0, 0),
        },
        5,
    ),
    "a_worked_out_total_is_repaired_beside_its_siblings": (
        [-1, 0, 1, 2, 3, 0, 2, 0, 3, 8, 0],
        {
            ("d", 0): (6, 7, 2),
            ("d", 1): (8, 8, 23),
            ("d", 2): (7, 0, 3),
            ("d", 3): (0, 8, 1),
            ("u", 4): (8, 0, 0),
            ("u", 5): (6, 6, 2),
            ("u", 6): (1, 6, 1),
            ("u", 7): (2, 3, 1),
            ("d", 8): (0, 3, 2),
            ("u", 9): (2, 0, 0),
            ("u", 10): (23, 8, 1),
        },
        7,
    ),
    "a_unit_total_shown_again_keeps_its_own_line": (
        [-1, 0, 1, 2],
        {("d", 0): (3, 2), ("d", 1): (0, 12), ("d", 2): (7, 0), ("u", 3): (0, 3)},
        6,
    ),
}


@pytest.mark.parametrize("name", sorted(RARE_WORLDS))
def test_rare_steps_of_protection_leave_nothing_to_work_out(name):
    parents, cells, k = RARE_WORLDS[name]
    width = len(next(iter(cells.values())))
    world = World(parents, cells, k, [f"c{i}" for i in range(width)])
    prot = run(world)
    check_lines(world, prot)
    check_hierarchy_subtraction(world, prot)
    assert worked_out(world, prot) == []
