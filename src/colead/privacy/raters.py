"""R7: rater groups in 360 feedback (docs/privacy.md, "R7: rater groups"). Plain computation:
no Django.

A 360 report shows one person how others rate them, by rater group: self, line manager,
peers, direct reports, others (and any group an organisation adds). The rules:

* **Self** is the person's own rating, shown to them (``audience="subject"``).
* **The line manager** is shown as a single attributed rater, whatever the count: the
  person knows who their manager is, and the manager knows their rating is attributed.
* **Every other group** is shown separately only with at least ``minimum`` responses (3,
  configurable, never below 3). Smaller groups -- including invited groups with no
  responses, which would otherwise say that nobody in the group answered -- are merged,
  with the group called "others" when there is one, into one block, "Others". If that block
  still has fewer than ``minimum``, every non-manager rater is pooled into one block,
  "All raters except your line manager", and no group is shown separately.
* **No report** until at least ``min_report`` (5) non-manager raters have responded.
* **Comments** are pooled across the non-manager groups and shown only when the pool has
  at least ``minimum`` responses (unattributed).

Why no merged group can be worked out: the blocks shown (line manager, each group of 3 or
more, the merged block) partition the raters, so the overall figure ("all raters except
self") is exactly the sum of the published blocks and subtracting them leaves nobody. A
group below ``minimum`` is only ever inside a block with others, and a block's total (of
scores or counts) says nothing about how it splits. The tests attack every report with
exact linear algebra over all published sums, and show the naive alternative -- hide the
small groups and show the rest with the overall mean -- gives a hidden group away.

What this does not hide: how many people responded in each invited group, from the person
who nominated the raters and can count the responses they expect; what is protected is
what a small group said.

Using it::

    report = rater_blocks({"self": 1, "line_manager": 1, "peers": 4, "direct_reports": 2,
                           "others": 2})
    report.blocks        # RaterBlock(label, groups, n, attributed, audience) for each shown block
    report.means({"peers": 14.0, ...})   # score sums by group -> mean per block (None if none)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "LINE_MANAGER",
    "MIN_GROUP",
    "MIN_REPORT",
    "OTHERS",
    "SELF",
    "RaterBlock",
    "RaterReport",
    "rater_blocks",
]

SELF = "self"
LINE_MANAGER = "line_manager"
OTHERS = "others"
MIN_GROUP = 3
MIN_REPORT = 5

_LABELS = {
    SELF: "Self",
    LINE_MANAGER: "Line manager",
    "peers": "Peers",
    "direct_reports": "Direct reports",
    OTHERS: "Others",
}


@dataclass(frozen=True)
class RaterBlock:
    """One figure a report shows: the groups it pools and how many responded."""

    label: str
    groups: tuple[str, ...]
    n: int
    attributed: bool = False
    audience: str = "everyone"  # "subject": only the person rated sees it


@dataclass(frozen=True)
class RaterReport:
    blocks: tuple[RaterBlock, ...]
    refused: str | None
    """Why no report is shown (too few non-manager raters), or None."""
    comments_shown: bool
    minimum: int

    def block_of(self, group: str) -> RaterBlock | None:
        for block in self.blocks:
            if group in block.groups:
                return block
        return None

    def means(self, sums: Mapping[str, float]) -> dict[str, float | None]:
        """Each block's mean from each group's sum of scores (a group's total over its
        raters): blocks pool sums and counts, never groups' means."""
        out: dict[str, float | None] = {}
        for block in self.blocks:
            total = sum(float(sums.get(g, 0.0)) for g in block.groups)
            out[block.label] = total / block.n if block.n else None
        return out


def rater_blocks(
    counts: Mapping[str, int], *, minimum: int = MIN_GROUP, min_report: int = MIN_REPORT
) -> RaterReport:
    """Decide the blocks a 360 report shows from the number of responses in each invited
    rater group (a group with no responses is still listed, with 0)."""
    if int(minimum) != minimum or minimum < MIN_GROUP:
        raise ValueError(f"the smallest rater group shown separately cannot be below {MIN_GROUP}")
    for group, n in counts.items():
        if int(n) != n or n < 0:
            raise ValueError(f"rater group {group!r}: {n!r} is not a count of responses")
    others = [g for g in counts if g not in (SELF, LINE_MANAGER)]
    pooled_n = sum(int(counts[g]) for g in others)
    head: list[RaterBlock] = []
    if SELF in counts:
        head.append(RaterBlock("Self", (SELF,), int(counts[SELF]), True, "subject"))
    if LINE_MANAGER in counts:
        head.append(RaterBlock("Line manager", (LINE_MANAGER,), int(counts[LINE_MANAGER]), True))
    if pooled_n < min_report:
        return RaterReport(
            tuple(b for b in head if b.audience == "subject"),
            f"No report until at least {min_report} raters other than the line manager "
            f"have responded ({pooled_n} so far).",
            False,
            int(minimum),
        )
    shown = [g for g in others if g != OTHERS and counts[g] >= minimum]
    merged = [g for g in others if g not in shown]
    merged_n = sum(int(counts[g]) for g in merged)
    blocks = list(head)
    if merged and merged_n < minimum:
        # Merging into "Others" is not enough: pool every non-manager rater.
        blocks.append(RaterBlock("All raters except your line manager", tuple(others), pooled_n))
    else:
        blocks.extend(RaterBlock(_label(g), (g,), int(counts[g])) for g in shown)
        if merged:
            blocks.append(RaterBlock("Others", tuple(merged), merged_n))
    return RaterReport(tuple(blocks), None, pooled_n >= minimum, int(minimum))


def _label(group: str) -> str:
    return _LABELS.get(group, group.replace("_", " ").capitalize())
