"""Representation figures (colead.privacy.representation): counts by protected
characteristic through the disclosure rules, and relative likelihoods only where both
groups pass the threshold."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from colead.privacy.disclosure import REMAINDER, Hierarchy, Status
from colead.privacy.representation import (
    REPRESENTATION,
    protect_representation,
    relative_likelihood,
)


def test_counts_by_characteristic_are_protected_and_limited_to_large_groups():
    # Trust of 130: division A 80 (wards A1 60, A2 20), division B 50; k = 11.
    tree = Hierarchy.from_parent_index([-1, 0, 0, 1, 1])
    headcount = [130, 80, 50, 60, 20]
    counts = [[100, 30], [60, 20], [40, 10], [46, 14], [14, 6]]  # White, BME
    prot = protect_representation(tree, headcount, counts, ["White", "BME"], 11)
    assert prot.breakdown_statuses(0, REPRESENTATION) == {
        "White": Status.VISIBLE,
        "BME": Status.VISIBLE,
    }
    assert prot.category_status(2, REPRESENTATION, "BME") is Status.PRIMARY  # 10 < 11
    # R2: division B's White would give its BME back (50 - 40), and division A's BME the
    # organisation's minus A's; neither is shown
    assert prot.category_status(2, REPRESENTATION, "White").hidden
    assert prot.category_status(1, REPRESENTATION, "BME").hidden
    # R4: below the organisation only groups of 50 or more; ward A2 (20) is refused whole
    assert not prot.breakdown_allowed(4, REPRESENTATION)
    assert prot.breakdown_statuses(4, REPRESENTATION)["BME"].hidden


def test_people_whose_category_is_not_recorded_are_a_category_too():
    tree = Hierarchy.from_parent_index([-1])
    prot = protect_representation(tree, [100], [[60, 36]], ["White", "BME"], 11)
    # 4 not recorded: hidden, and so is the smallest shown category beside it
    assert prot.category_status(0, REPRESENTATION, REMAINDER) is Status.PRIMARY
    assert prot.category_status(0, REPRESENTATION, "BME").hidden


def test_relative_likelihood_as_in_wres():
    rl = relative_likelihood(appointed_a=40, total_a=120, appointed_b=12, total_b=60, k=11)
    assert rl.value == round((40 / 120) / (12 / 60), 2) == 1.67
    assert rl.reason is None


def test_relative_likelihood_is_refused_with_the_group_that_is_too_small():
    rl = relative_likelihood(
        appointed_a=40, total_a=120, appointed_b=10, total_b=60, k=11, label_b="BME staff"
    )
    assert rl.value is None
    assert rl.reason == "Not shown: fewer than 11 people counted in BME staff"
    rl = relative_likelihood(
        appointed_a=40, total_a=45, appointed_b=20, total_b=60, k=11, label_a="white staff"
    )
    assert rl.reason == "Not shown: fewer than 11 people not counted in white staff"


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 60),
    st.integers(0, 60),
    st.integers(0, 60),
    st.integers(0, 60),
    st.integers(5, 15),
)
def test_a_likelihood_shown_never_rests_on_a_small_group(a, rest_a, b, rest_b, k):
    rl = relative_likelihood(
        appointed_a=a, total_a=a + rest_a, appointed_b=b, total_b=b + rest_b, k=k
    )
    if rl.value is not None:
        assert min(a, rest_a, b, rest_b) >= k
        assert np.isclose(rl.value, (a / (a + rest_a)) / (b / (b + rest_b)), atol=0.005)
    else:
        assert min(a, rest_a, b, rest_b) < k and rl.reason.startswith("Not shown: fewer than")
