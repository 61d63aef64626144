"""colead.privacy refuses inputs that are not counts of people, and says why; and the edges
of its rules (no positive answers, gaps in a scale, unrecorded bands) give the safe answer."""

import math

import numpy as np
import pytest

from colead.privacy.disclosure import REMAINDER, Breakdown, Hierarchy, Status, protect, reason
from colead.privacy.events import protect_events
from colead.privacy.figures import (
    NOT_SHOWN,
    AnswerScale,
    MeanFigures,
    counts_in_band,
    mean_band_width,
    publishable_mean,
)
from colead.privacy.intervals import pinned
from colead.privacy.periods import PERIOD, protect_periods
from colead.privacy.raters import LINE_MANAGER, SELF, rater_blocks
from colead.privacy.representation import relative_likelihood
from colead.privacy.roster import age_band_code
from tests.unit.test_privacy_events import run as run_events
from tests.unit.test_privacy_events import small_and_pinned


@pytest.mark.parametrize(
    ("scale", "message"),
    [
        (dict(points=1, positive=frozenset()), "at least 2 points, not 1"),
        (dict(points=5, positive=frozenset({4}), answers_per_person=0), "answers_per_person"),
        (dict(points=5, positive=frozenset({5})), r"Positive steps \[5\] are not steps 0 to 4"),
    ],
)
def test_an_answer_scale_that_cannot_be_is_refused(scale, message):
    with pytest.raises(ValueError, match=message):
        AnswerScale(**scale)


def test_a_mean_is_banded_when_no_answer_counts_as_positive():
    # every percent positive is 0, so no band of the mean can narrow it: the finest band
    assert mean_band_width(4, None, AnswerScale(5, frozenset())) == 0.5


def test_no_mean_band_when_the_positive_steps_have_a_gap():
    assert mean_band_width(4, None, AnswerScale(5, frozenset({0, 4}))) is None


def test_no_mean_band_beside_an_exact_percent_positive_of_a_small_group():
    scale = AnswerScale(5, frozenset({3, 4}))
    assert mean_band_width(5, None, scale) is None
    assert publishable_mean(6.2, 5.0, 7.0, n=5, k=5, pct_band=None, scale=scale) == MeanFigures(
        None, None, None, None
    )


@pytest.mark.parametrize("band", [None, NOT_SHOWN])
def test_an_unbanded_or_hidden_percent_leaves_every_count_open(band):
    assert counts_in_band(band, 5, 3) == frozenset({0, 1, 2, 3})


@pytest.mark.parametrize("mean", [None, math.nan])
def test_no_mean_publishes_nothing(mean):
    figures = publishable_mean(mean, 1.0, 2.0, n=40, k=5, pct_band=None, scale=None)
    assert figures == MeanFigures(None, None, None, None)


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        (dict(appointed_a=-1, total_a=20, appointed_b=5, total_b=20), "appointed_a: -1"),
        (dict(appointed_a=5, total_a=20.5, appointed_b=5, total_b=20), "total_a: 20.5"),
        (dict(appointed_a=25, total_a=20, appointed_b=5, total_b=20), "more people counted"),
    ],
)
def test_a_likelihood_of_counts_that_are_not_people_is_refused(counts, message):
    with pytest.raises(ValueError, match=message):
        relative_likelihood(**counts, k=11)


@pytest.mark.parametrize("n", [-1, 2.5])
def test_a_rater_group_count_that_is_not_a_count_is_refused(n):
    with pytest.raises(ValueError, match="'peers'.* is not a count of responses"):
        rater_blocks({SELF: 1, "peers": n})


def test_a_report_without_a_self_rating_shows_the_line_manager_and_the_others():
    report = rater_blocks({LINE_MANAGER: 1, "peers": 4, "direct_reports": 3})
    assert [block.label for block in report.blocks] == [
        "Line manager",
        "Peers",
        "Direct reports",
    ]
    assert report.block_of(SELF) is None
    assert report.block_of("peers").n == 4
    means = report.means({LINE_MANAGER: 4.0, "peers": 30.0, "direct_reports": 21.0})
    assert means == {"Line manager": 4.0, "Peers": 7.5, "Direct reports": 7.0}


def test_a_rater_block_with_no_responses_has_no_mean():
    report = rater_blocks({SELF: 0, LINE_MANAGER: 0, "peers": 5})
    assert report.means({"peers": 40.0})["Self"] is None


def test_period_counts_may_be_given_by_unit_id():
    tree = Hierarchy.build(["ORG", "A", "B"], [None, "ORG", "ORG"])
    by_id = protect_periods(tree, {"A": [12, 3], "B": [20, 14], "ORG": [32, 17]}, ["1", "2"], 11)
    by_row = protect_periods(tree, np.array([[32, 17], [12, 3], [20, 14]]), ["1", "2"], 11)
    for unit in ("ORG", "A", "B"):
        for period in ("1", "2"):
            assert by_id.category_status(unit, PERIOD, period) == by_row.category_status(
                unit, PERIOD, period
            )
    assert by_id.category_status("A", PERIOD, "2").hidden


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", None),
        ("not recorded", None),
        ("66", None),  # a single age, not a band
        ("66+", "age_66_plus"),
        ("70-75", "age_66_plus"),
        ("21-25", "age_16_30"),
        ("25-35", None),  # straddles two of the survey's bands
    ],
)
def test_recorded_age_bands_map_to_the_surveys_bands_or_to_nothing(text, code):
    assert age_band_code(text) == code


INF = np.inf


def test_a_hidden_figure_outside_its_labels_bounds_is_refused():
    with pytest.raises(ValueError, match="outside the bounds its label gives"):
        pinned([5], [True], [10], [20], [])


@pytest.mark.parametrize(("lower", "upper", "is_pinned"), [(5, 5, True), (1, 10, False)])
def test_a_hidden_figure_in_no_sum_is_pinned_only_by_bounds_that_meet(lower, upper, is_pinned):
    assert pinned([5, 7], [True, False], [lower, 0], [upper, 10], []).tolist() == [
        is_pinned,
        False,
    ]


def test_a_figure_pinned_by_its_bounds_pins_the_figures_the_sums_tie_to_it():
    # T1 = A + B and T2 = B + C are shown; A, B and C are hidden.
    values, hidden = [10, 4, 6, 15, 9], [False, True, True, False, True]
    relations = [(0, [1, 2]), (3, [2, 4])]
    free = pinned(values, hidden, [0] * 5, [INF] * 5, relations)
    assert free.tolist() == [False] * 5
    fixed = pinned(values, hidden, [0, 4, 0, 0, 0], [INF, 4, INF, INF, INF], relations)
    assert fixed.tolist() == [False, True, True, False, True]


def test_a_component_audited_once_is_answered_from_the_cache(monkeypatch):
    from colead.privacy import intervals

    values, hidden = [10, 4, 6, 15, 9], [False, True, True, False, True]
    relations = [(0, [1, 2]), (3, [2, 4])]
    lower, upper = [0, 4, 0, 0, 0], [INF, 4, INF, INF, INF]
    cache = {}
    first = pinned(values, hidden, lower, upper, relations, cache=cache)
    assert first.tolist() == [False, True, True, False, True]

    def audit_again(*args):
        raise AssertionError("audited again")

    monkeypatch.setattr(intervals, "_pinned_in_component", audit_again)
    again = pinned(values, hidden, lower, upper, relations, cache=cache)
    assert again.tolist() == first.tolist()


def test_the_null_space_test_finds_the_columns_the_sums_fix():
    from scipy import sparse

    from colead.privacy.intervals import _moves_on_null_space

    # a + b and b + c known: each can move (a, -a, a). a and a + b known: c alone moves.
    chain = sparse.csr_matrix([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]])
    assert _moves_on_null_space(chain).tolist() == [True, True, True]
    nested = sparse.csr_matrix([[1.0, 0.0, 0.0], [1.0, 1.0, 0.0]])
    assert _moves_on_null_space(nested).tolist() == [False, False, True]


def test_a_system_of_no_sums_leaves_every_figure_free():
    from scipy import sparse

    from colead.privacy.intervals import _moves_on_null_space

    assert _moves_on_null_space(sparse.csr_matrix((0, 3))).tolist() == [True, True, True]


EVENT_TREE = Hierarchy.build(["ORG", "A", "B"], [None, "ORG", "ORG"])


def test_event_counts_may_be_given_by_unit_id_or_as_whole_floats():
    by_id = protect_events(EVENT_TREE, {"A": [3, 0], "B": [1, 2]}, ["1", "2"], threshold=3)
    floats = protect_events(
        EVENT_TREE, np.array([[0, 0], [3.0, 0], [1, 2]]), ["1", "2"], threshold=3
    )
    assert by_id.rows() == floats.rows()
    assert by_id.display("B", "1") == "Fewer than 3"
    # B's 1 and 2, ORG's 2, and ORG's 4 (which would give B's 1 from A's 3): 4 of 8 non-zero
    assert by_id.hidden_share == 0.5


@pytest.mark.parametrize(
    ("counts", "threshold", "message"),
    [
        ([[0, 0], [1.5, 0], [1, 2]], 3, "whole numbers"),
        ([[0, 0], [1, 0], [1, 2]], 1, "whole number of 2 or more"),
        ([[0, 0], [1, 0], [1, 2]], 2.5, "whole number of 2 or more"),
    ],
)
def test_event_counts_or_thresholds_that_cannot_be_are_refused(counts, threshold, message):
    with pytest.raises(ValueError, match=message):
        protect_events(EVENT_TREE, np.array(counts), ["1", "2"], threshold=threshold)


def test_a_unit_without_sub_units_has_no_direct_group():
    table = protect_events(EVENT_TREE, {"A": [3, 0]}, ["1", "2"], threshold=3)
    with pytest.raises(KeyError, match="'A' has no sub-units, so no direct group"):
        table.status("A", direct=True)
    assert table.count("ORG", direct=True) == 0


@pytest.mark.parametrize(
    ("parents", "own"),
    [
        # a relation left with one hidden figure and no shown figure of 5 or more to hide
        ([-1, 0], [[0, 4, 0], [2, 2, 0]]),
        # a repair that walks past a relation with nothing to refuse
        ([-1, 0, 0, 1, 1], [[4, 5], [1, 1], [0, 3], [0, 1], [0, 1]]),
    ],
)
def test_no_small_event_count_can_be_worked_out_in_these_corners(parents, own):
    table, _result, statuses = run_events(parents, np.array(own))
    assert small_and_pinned(table, statuses) == []


@pytest.mark.parametrize(
    ("parents", "own", "threshold"),
    [
        ([-1, 0], [[0, 2, 2], [0, 1, 1]], 3),
        ([-1, 0, 1], [[1, 4], [1, 1], [2, 2]], 3),
        ([-1, 0, 0, 0], [[2, 2, 4], [2, 2, 2], [2, 2, 1], [2, 4, 4]], 3),
        # "fewer than 2" is exactly 1: a count is pinned by its own label, so once a
        # relation's members are refused its total must be refused too
        ([-1, 0], [[1], [2]], 2),
    ],
)
def test_small_counts_everywhere_are_protected_at_low_thresholds(parents, own, threshold):
    """Every figure ends up hidden here, and a refused figure used to be read as 0 to k-1,
    which kept a row of small counts under a "fewer than k" total pinned: the rule could
    make no progress. A refused figure now says nothing of its size."""
    table, result, statuses = run_events(parents, np.array(own), threshold)
    assert small_and_pinned(table, statuses, threshold) == []
    assert result.status(1, 0).hidden


# -- disclosure: inputs that cannot be a table of people are refused, naming the fault


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Hierarchy.build(["A", "B"], [None]), "differ in length"),
        (lambda: Hierarchy.build(["A", "A"], [None, "A"]), "not unique"),
        (lambda: Hierarchy.from_parent_index([-1, 0], ids=["A"]), "differ in length"),
        (lambda: Hierarchy.from_parent_index([-1, 5]), "-1 or a valid position"),
        (lambda: Hierarchy.from_parent_index([-1, 0], ids=["A", "A"]), "not unique"),
    ],
)
def test_a_tree_that_cannot_be_is_refused(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_subtree_totals_need_one_value_per_unit():
    tree = Hierarchy.build(["ORG", "A"], [None, "ORG"])
    assert tree.subtree_totals([3, 4]).tolist() == [7, 4]
    with pytest.raises(ValueError, match="expected 2 values, got shape"):
        tree.subtree_totals([3, 4, 5])


TWO_WARDS = Hierarchy.build(["ORG", "A", "B"], [None, "ORG", "ORG"])


@pytest.mark.parametrize(
    ("n", "breakdown", "message"),
    [
        ([30, 12, 18], Breakdown(["x"], [[30], [12.5], [17.5]]), "whole numbers"),
        ([30, 12, 18], Breakdown(["x"], [[30], [-1], [18]]), "cannot be negative"),
        ([30, 12, 18], Breakdown(["x", "x"], [[15, 15], [6, 6], [9, 9]]), "must be unique"),
        ([30, 12, 18], Breakdown([REMAINDER], [[1], [0], [1]]), "must be unique"),
        ([30, 12, 18], Breakdown(["x"], [[10], [6], [9]]), "'ORG' has fewer in a category"),
        (
            [30, 12, 18],
            Breakdown([f"c{i}" for i in range(63)], np.zeros((3, 63), dtype=int)),
            "more than 62 categories",
        ),
    ],
)
def test_a_breakdown_that_cannot_be_is_refused(n, breakdown, message):
    with pytest.raises(ValueError, match=message):
        protect(TWO_WARDS, n, 11, {"b": breakdown})


def test_no_status_has_no_reason():
    assert reason(None, 11) is None
    assert reason(Status.PRIMARY, 11) == "Fewer than 11 responses"


def pinned_small_figures(tree_ids, parents, n, breakdowns, k, prot) -> list:
    """Hidden non-zero figures below ``k`` that the published figures pin, found by linear
    algebra over every relation a reader knows: a unit is its sub-units plus its direct group
    (in total and in each category), and a group is the sum of each breakdown's categories."""
    children = {u: [v for v, p in zip(tree_ids, parents, strict=True) if p == u] for u in tree_ids}
    internal = [u for u in tree_ids if children[u]]
    rows = {u: i for i, u in enumerate(tree_ids)}
    values = {}
    for u in tree_ids:
        values[("T", u, False)] = int(n[rows[u]])
        for b, bd in breakdowns.items():
            for c in range(len(bd.categories)):
                values[("B", b, c, u, False)] = int(bd.counts[rows[u]][c])
    for u in internal:
        for key in [k_ for k_ in list(values) if k_[-2] == u and not k_[-1]]:
            below = sum(values[(*key[:-2], v, False)] for v in children[u])
            values[(*key[:-2], u, True)] = values[key] - below

    def hidden(key):
        if key[0] == "T":
            return prot.unit_status(key[1], direct=key[2]).hidden
        _, b, c, u, direct = key
        return prot.category_status(u, b, breakdowns[b].categories[c], direct=direct).hidden

    unknown = [key for key, value in values.items() if value > 0 and hidden(key)]
    col = {key: i for i, key in enumerate(unknown)}
    relations = []
    for u in internal:
        for key in [k_ for k_ in values if k_[-2] == u and not k_[-1]]:
            members = [(*key[:-2], v, False) for v in children[u]] + [(*key[:-2], u, True)]
            relations.append((key, members))
    for key in [k_ for k_ in values if k_[0] == "T"]:
        for b, bd in breakdowns.items():
            relations.append((key, [("B", b, c, *key[1:]) for c in range(len(bd.categories))]))
    matrix = []
    for total, members in relations:
        row = np.zeros(len(unknown))
        for key, sign in [(total, 1.0)] + [(m, -1.0) for m in members]:
            if key in col:
                row[col[key]] += sign
        if row.any():
            matrix.append(row)
    if not matrix:
        return []
    _, singular, vt = np.linalg.svd(np.array(matrix))
    null = vt[int((singular > 1e-9).sum()) :]
    free = np.abs(null).max(axis=0) > 1e-7 if len(null) else np.zeros(len(unknown), bool)
    return [key for key, ok in zip(unknown, free, strict=True) if not ok and values[key] < k]


def test_two_breakdowns_whose_hidden_cells_meet_give_nothing_away():
    """Two breakdowns of one trust whose hidden cells share units: the exact audit checks
    what their intersection lets a reader work out (the general case of combining them)."""
    ids = ["ORG", "D0", "D0T0", "D0T1", "D1", "D2", "D2T0", "D2T1", "D2T2"]
    parents = [None, "ORG", "D0", "D0", "ORG", "ORG", "D2", "D2", "D2"]
    tree = Hierarchy.build(ids, parents)
    n = tree.subtree_totals([1, 4, 0, 6, 20, 20, 0, 12, 0])
    breakdowns = {
        "b0": Breakdown(
            ["c0", "c1", "c2", "c3"],
            [[12, 13, 19, 19], [2, 2, 4, 2], [0, 0, 0, 0], [0, 0, 4, 2], [7, 3, 5, 5]]
            + [[3, 8, 10, 11], [0, 0, 0, 0], [1, 3, 6, 2], [0, 0, 0, 0]],
        ),
        "b1": Breakdown(
            ["c0", "c1", "c2"],
            [[25, 18, 20], [3, 2, 5], [0, 0, 0], [2, 1, 3], [5, 7, 8]]
            + [[16, 9, 7], [0, 0, 0], [7, 1, 4], [0, 0, 0]],
        ),
    }
    prot = protect(tree, n, 3, breakdowns)
    assert pinned_small_figures(ids, parents, n, breakdowns, 3, prot) == []


class OneCellHidden:
    """A protection that hides only ward A's 2 in category x: A's total minus its y gives it."""

    def unit_status(self, unit, direct=False):
        return Status.VISIBLE

    def category_status(self, unit, breakdown, category, direct=False):
        return Status.PRIMARY if (unit, category, direct) == ("A", "x", False) else Status.VISIBLE


def test_the_attacker_of_two_breakdowns_finds_a_cell_given_away():
    ids, parents = ["ORG", "A", "B"], [None, "ORG", "ORG"]
    breakdowns = {"b": Breakdown(["x", "y"], [[7, 23], [2, 10], [5, 13]])}
    found = pinned_small_figures(ids, parents, [30, 12, 18], breakdowns, 3, OneCellHidden())
    assert found == [("B", "b", 0, "A", False)]
