"""R7, rater groups in 360 feedback (colead.privacy.raters), attacked by exact linear algebra
over everything a report publishes: each block's score sum and count, the line manager's
own rating and the overall figure for all raters except self."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from colead.privacy.raters import LINE_MANAGER, SELF, rater_blocks

GROUPS = ("peers", "direct_reports", "others", "patients")


def determined(groups, published) -> set[str]:
    """Groups whose score sum follows from the published sums. ``published`` is a list of
    sets of groups whose summed scores are shown."""
    if not published:
        return set()
    col = {g: i for i, g in enumerate(groups)}
    a = np.array([[1.0 if g in block else 0.0 for g in groups] for block in published])
    _, sing, vt = np.linalg.svd(a)
    null = vt[int((sing > 1e-9).sum()) :]
    free = np.abs(null).max(axis=0) > 1e-7 if len(null) else np.zeros(len(groups), bool)
    return {g for g in groups if not free[col[g]]}


def published_sums(report, counts) -> list[set[str]]:
    """Every sum a reader can see: each block (groups with responses only: an empty group
    adds nothing) and the overall figure for all raters except self."""
    sums = [{g for g in b.groups if counts[g] > 0} for b in report.blocks if b.n]
    overall = {g for g in counts if g != SELF and counts[g] > 0}
    if report.refused is None:
        sums.append(overall)
    return [s for s in sums if s]


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.sampled_from(GROUPS), st.integers(0, 7), min_size=1),
    st.booleans(),
    st.integers(3, 4),
)
def test_no_group_below_the_minimum_can_be_worked_out(invited, with_manager, minimum):
    counts = {SELF: 1, **invited}
    if with_manager:
        counts[LINE_MANAGER] = 1
    report = rater_blocks(counts, minimum=minimum)
    # every rater is in exactly one block: nothing is left over to subtract
    listed = [g for b in report.blocks for g in b.groups]
    assert len(listed) == len(set(listed))
    if report.refused is None:
        assert set(listed) == set(counts)
    for block in report.blocks:
        if not block.attributed:
            assert block.n >= minimum
    nonzero = [g for g in counts if counts[g] > 0]
    found = determined(nonzero, published_sums(report, counts))
    small = {g for g in nonzero if g not in (SELF, LINE_MANAGER) and counts[g] < minimum}
    assert not (found & small), (counts, report.blocks)


def test_hiding_small_groups_instead_of_merging_them_gives_one_away():
    """Show every group of 3 or more and the overall figure, hide the rest: with one small
    group, the overall minus the shown groups is that group."""
    counts = {SELF: 1, LINE_MANAGER: 1, "peers": 4, "direct_reports": 2, "others": 3}
    naive = [
        {LINE_MANAGER},
        {"peers"},
        {"others"},
        {LINE_MANAGER, "peers", "direct_reports", "others"},
    ]
    assert "direct_reports" in determined(list(counts)[1:], naive)
    report = rater_blocks(counts)
    assert [b.label for b in report.blocks] == ["Self", "Line manager", "Peers", "Others"]
    assert report.block_of("direct_reports").groups == ("direct_reports", "others")
    assert report.block_of("direct_reports").n == 5


def test_the_spec_merge_order():
    # A small group joins "Others"; if that is still small, every non-manager rater pools.
    report = rater_blocks({SELF: 1, LINE_MANAGER: 1, "peers": 5, "direct_reports": 2})
    assert [(b.label, b.n) for b in report.blocks] == [
        ("Self", 1),
        ("Line manager", 1),
        ("All raters except your line manager", 7),
    ]
    # a group invited with nobody responding is merged like a small one, not shown as 0
    report = rater_blocks({SELF: 1, "peers": 4, "direct_reports": 0, "others": 3})
    assert report.block_of("direct_reports").label == "Others"
    assert report.block_of("direct_reports").n == 3


def test_self_is_for_the_person_and_the_manager_is_attributed():
    report = rater_blocks({SELF: 1, LINE_MANAGER: 1, "peers": 3, "others": 3})
    by_label = {b.label: b for b in report.blocks}
    assert by_label["Self"].audience == "subject" and by_label["Self"].attributed
    assert by_label["Line manager"].attributed and by_label["Line manager"].n == 1
    assert report.comments_shown
    means = report.means({SELF: 4.0, LINE_MANAGER: 3.0, "peers": 9.0, "others": 12.0})
    assert means == {"Self": 4.0, "Line manager": 3.0, "Peers": 3.0, "Others": 4.0}


def test_no_report_below_five_non_manager_raters():
    report = rater_blocks({SELF: 1, LINE_MANAGER: 1, "peers": 3, "others": 1})
    assert report.refused.startswith("No report until at least 5 raters")
    assert [b.label for b in report.blocks] == ["Self"]
    assert not report.comments_shown


def test_the_minimum_cannot_be_set_below_3():
    with pytest.raises(ValueError, match="cannot be below 3"):
        rater_blocks({"peers": 5}, minimum=2)
