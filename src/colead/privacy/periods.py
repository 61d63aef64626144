"""Counts of people by unit and period (staff in a group each month, starters, leavers):
a unit x month table protected with the survey rules. Plain computation: no Django.

A month is modelled as a category of a breakdown of every unit, so the table is exactly
what colead.privacy.disclosure already protects and audits: the row total is the unit's
figure over the whole period, each month is a category, and each month rolls up the tree
(a unit's month = its sub-units' month + its direct group's month). The line rules then
stop a hidden month or unit being worked out from row totals (the year), column totals
(the organisation's month) or the tree, and the exact audit catches combinations of rows
and columns (a hidden cell between two blocks of hidden cells). R1 applies to every month,
to every unit's period total and to every direct group.

Where the period total is not a count of different people (the same person is in the
group every month), the relations still hold for the figures as published, so the
protection still holds; the total itself need not be shown.

Using it::

    prot = protect_periods(tree, counts, ["2026-01", "2026-02", ...], k=wave_or_policy_k)
    prot.category_status("W1", PERIOD, "2026-02")       # one unit, one month
    prot.unit_status("W1")                              # the unit over the whole period
    rows = redact_rows(rows_with_breakdown_PERIOD_and_category_month, prot)

Counts of events rather than people (incidents) follow R8 instead: colead.privacy.events.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np

from colead.privacy.disclosure import Breakdown, Hierarchy, Protection, protect

__all__ = ["PERIOD", "protect_periods"]

PERIOD = "period"
"""The breakdown name under which the periods' statuses are looked up."""


def protect_periods(
    tree,
    counts: np.ndarray | Sequence[Sequence[int]] | Mapping[Hashable, Sequence[int]],
    periods: Sequence[str],
    k: int,
) -> Protection:
    """What may be shown of a unit x period table of counts of people.

    ``counts[u][p]`` is the number of people in unit ``u``'s whole subtree in period ``p``
    (by tree position, or a mapping from unit id to its row; missing units count zero).
    Returns a :class:`~colead.privacy.disclosure.Protection` with one breakdown, ``PERIOD``,
    whose categories are ``periods``; ``unit_status`` is the unit's figure over the period.
    """
    tree = Hierarchy.of(tree)
    periods = tuple(str(p) for p in periods)
    if isinstance(counts, Mapping):
        table = np.zeros((tree.size, len(periods)), dtype=np.int64)
        for unit, row in counts.items():
            table[tree.position(unit)] = row
    else:
        table = np.asarray(counts)
        if table.shape != (tree.size, len(periods)):
            raise ValueError(
                f"period counts: expected shape {(tree.size, len(periods))}, got {table.shape}"
            )
    table = table.astype(np.int64)
    return protect(tree, table.sum(axis=1), k, {PERIOD: Breakdown(periods, table)})
