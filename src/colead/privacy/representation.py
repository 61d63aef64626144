"""Representation figures: the workforce by protected characteristic, and relative
likelihoods between two groups (WRES-style). Plain computation: no Django.

* **Counts by category** over the unit tree are a breakdown like any other, so they go
  through colead.privacy.disclosure unchanged: R1 (fewer than ``k`` hidden), R2
  (complementary suppression along the tree and across categories, with the exact audit),
  R3 (a unit's breakdown refused when no category could be shown without exposing a smaller
  one) and R4 (below the organisation only for groups of at least ``min_group_n``, 50 by
  default). People whose category is not recorded are a category of their own.
* **A relative likelihood** compares two groups' rates, such as the likelihood of white
  staff being appointed from shortlisting relative to BME staff (WRES indicator 2):
  ``(appointed_a / shortlisted_a) / (appointed_b / shortlisted_b)``. It is computed only
  when, for both groups, the people counted (appointed) and the people not counted
  (shortlisted but not appointed) each number at least ``k``; otherwise it is refused with
  the reason. A ratio of two rates gives each rate's group away when a group is small, and
  "all but one" or "everyone" when a remainder is small, however the counts are shown.

Using it::

    prot = protect_representation(tree, headcount, counts, ["White", "BME"], k=11)
    prot.category_status("MED", REPRESENTATION, "BME")
    rl = relative_likelihood(appointed_a=40, total_a=120, appointed_b=12, total_b=60, k=11)
    rl.value   # 1.67, or None with rl.reason
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from colead.privacy.disclosure import Breakdown, Hierarchy, Protection, protect

__all__ = [
    "PROTECTED_MIN_GROUP",
    "REPRESENTATION",
    "Likelihood",
    "protect_representation",
    "relative_likelihood",
]

REPRESENTATION = "characteristic"
"""The breakdown name under which the categories' statuses are looked up."""

PROTECTED_MIN_GROUP = 50
"""R4: protected-characteristic breakdowns below the organisation only for groups this big."""


def protect_representation(
    tree,
    headcount: Sequence[int] | np.ndarray,
    counts: Sequence[Sequence[int]] | np.ndarray,
    categories: Sequence[str],
    k: int,
    *,
    min_group_n: int = PROTECTED_MIN_GROUP,
) -> Protection:
    """What may be shown of headcounts by category. ``headcount[u]`` is everyone in unit
    ``u``'s subtree; ``counts[u][c]`` those of them in category ``c`` (the rest, whose
    category is not recorded, become ``disclosure.REMAINDER``)."""
    tree = Hierarchy.of(tree)
    return protect(
        tree,
        np.asarray(headcount, dtype=np.int64),
        k,
        {REPRESENTATION: Breakdown(tuple(categories), np.asarray(counts), min_group_n)},
    )


@dataclass(frozen=True)
class Likelihood:
    value: float | None
    reason: str | None = None
    """Why no value is given (None when there is one)."""


def relative_likelihood(
    *,
    appointed_a: int,
    total_a: int,
    appointed_b: int,
    total_b: int,
    k: int,
    label_a: str = "the first group",
    label_b: str = "the second group",
) -> Likelihood:
    """The likelihood of group A being counted (appointed, promoted...) relative to group
    B, or a refusal naming the group and count that is too small."""
    for name, value in (
        ("appointed_a", appointed_a),
        ("total_a", total_a),
        ("appointed_b", appointed_b),
        ("total_b", total_b),
    ):
        if int(value) != value or value < 0:
            raise ValueError(f"{name}: {value!r} is not a count of people")
    if appointed_a > total_a or appointed_b > total_b:
        raise ValueError("a group cannot have more people counted than it has")
    for label, counted, total in ((label_a, appointed_a, total_a), (label_b, appointed_b, total_b)):
        if counted < k:
            return Likelihood(None, f"Not shown: fewer than {k} people counted in {label}")
        if total - counted < k:
            return Likelihood(None, f"Not shown: fewer than {k} people not counted in {label}")
    rate_a, rate_b = appointed_a / total_a, appointed_b / total_b
    return Likelihood(round(rate_a / rate_b, 2))
