"""Response rates: invited and responded counts rolled up the unit tree, by staff group and by
day, with every count below the wave's reporting threshold hidden. No Django imports.

The rules (docs/instruments.md, "Response rates"):

* A unit's figures include every unit below it.
* Responses from a shared device have no invitation: they add to their unit's responded
  count only, never to a staff group's.
* Any count (invited or responded) below the reporting threshold is shown as
  "fewer than N", and the rate beside it is not shown.
* Responses by day are grouped into periods of consecutive days, each with at least N
  responses (a quiet day joins the days after it; a quiet tail joins the period before it).
  Showing exact counts for busy days beside "fewer than N" for quiet ones would let anyone
  subtract the running total and recover the quiet days' counts, so no period is below N.
  Only when the whole total is below N is there one period, shown as "fewer than N".
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from colead.lib import charts
from colead.lib import tree as unit_tree
from colead.lib.formatting import uk_date
from colead.privacy import disclosure

# Indentation (NHS.UK padding utility steps) for each level below the table's top unit.
INDENT_CLASSES = ("", "nhsuk-u-padding-left-3", "nhsuk-u-padding-left-5", "nhsuk-u-padding-left-7")


def fewer_than(threshold: int) -> str:
    return f"fewer than {threshold}"


def shown(count: int, threshold: int) -> str:
    """A count as it may be shown: the number, or "fewer than N" below the threshold."""
    return fewer_than(threshold) if count < threshold else f"{count:,}"


def _hidden_text(count: int, threshold: int) -> str:
    # "not shown": hidden only so that a smaller group cannot be worked out by subtraction.
    return fewer_than(threshold) if count < threshold else "not shown"


@dataclass(frozen=True)
class Count:
    invited: int = 0
    responded: int = 0

    def __add__(self, other: "Count") -> "Count":
        return Count(self.invited + other.invited, self.responded + other.responded)


@dataclass(frozen=True)
class UnitNode:
    """The little the roll-up needs to know about a unit."""

    id: int
    code: str
    name: str
    parent_id: int | None
    depth: int
    path: str  # the materialised path: sorting by it gives tree order


@dataclass(frozen=True)
class RateRow:
    key: str
    label: str
    invited: int
    responded: int
    threshold: int
    level: int = 0  # levels below the table's top unit
    has_children: bool = False
    # (invited, responded) hidden by disclosure control; None: only the threshold applies.
    hidden: tuple[bool, bool] | None = None

    @property
    def invited_hidden(self) -> bool:
        return self.hidden[0] if self.hidden is not None else self.invited < self.threshold

    @property
    def responded_hidden(self) -> bool:
        return self.hidden[1] if self.hidden is not None else self.responded < self.threshold

    @property
    def rate(self) -> float | None:
        """Responded over invited, or None when either count is hidden (or nobody was
        invited: shared-device responses alone have no rate)."""
        if self.invited_hidden or self.responded_hidden or self.invited == 0:
            return None
        return self.responded / self.invited

    @property
    def invited_text(self) -> str:
        return (
            _hidden_text(self.invited, self.threshold)
            if self.invited_hidden
            else f"{self.invited:,}"
        )

    @property
    def responded_text(self) -> str:
        if self.responded_hidden:
            return _hidden_text(self.responded, self.threshold)
        return f"{self.responded:,}"

    @property
    def rate_text(self) -> str:
        rate = self.rate
        return "not shown" if rate is None else f"{rate * 100:.0f}%"

    @property
    def indent_class(self) -> str:
        return INDENT_CLASSES[min(self.level, len(INDENT_CLASSES) - 1)]


def merge_counts(
    invitations: Iterable[tuple[int, str, int, int]], device: Mapping[int, int]
) -> tuple[dict[int, Count], dict[str, Count], int]:
    """From (unit id, staff group, invited, responded) rows and shared-device responses per
    unit: (counts per unit, counts per staff group, shared-device responses in all)."""
    per_unit: dict[int, Count] = {}
    per_group: dict[str, Count] = {}
    for unit_id, group, invited, responded in invitations:
        count = Count(invited, responded)
        per_unit[unit_id] = per_unit.get(unit_id, Count()) + count
        per_group[group] = per_group.get(group, Count()) + count
    for unit_id, responded in device.items():
        per_unit[unit_id] = per_unit.get(unit_id, Count()) + Count(0, responded)
    return per_unit, per_group, sum(device.values())


def roll_up(units: Iterable[UnitNode], own: Mapping[int, Count]) -> dict[int, Count]:
    """Each unit's own counts plus those of every unit below it. Counts of units not in
    ``units`` are ignored, and the roll-up stops at the top of ``units``."""
    by_id = {unit.id: unit for unit in units}
    totals: dict[int, Count] = {}
    for unit_id, count in own.items():
        node = by_id.get(unit_id)
        while node is not None:
            totals[node.id] = totals.get(node.id, Count()) + count
            node = by_id.get(node.parent_id)
    return totals


def unit_rows(
    units: Iterable[UnitNode],
    own: Mapping[int, Count],
    *,
    roots: Iterable[UnitNode],
    threshold: int,
    levels_below: int = 2,
) -> list[RateRow]:
    """Rows for each root and the units down to ``levels_below`` levels under it, in tree
    order, leaving out units nobody in the wave belongs to. Deeper units count in their
    ancestors' figures; ``has_children`` says a row can be drilled into."""
    units = sorted(units, key=lambda unit: unit.path)
    totals = roll_up(units, own)
    hidden = _protected(units, totals, threshold)
    with_children = {unit.parent_id for unit in units if unit.id in totals}
    rows = []
    for root in sorted(roots, key=lambda unit: unit.path):
        for unit in units:
            if not unit_tree.is_within(unit.path, root.path):
                continue
            if unit.id != root.id and unit.id not in totals:
                continue
            level = unit.depth - root.depth
            if level > levels_below:
                continue
            count = totals.get(unit.id, Count())
            rows.append(
                RateRow(
                    key=unit.code,
                    label=unit.name,
                    invited=count.invited,
                    responded=count.responded,
                    threshold=threshold,
                    level=level,
                    has_children=unit.id in with_children,
                    hidden=hidden[unit.id],
                )
            )
    return rows


def _protected(
    units: list[UnitNode], totals: Mapping[int, Count], threshold: int
) -> dict[int, tuple[bool, bool]]:
    """Which invited and responded counts may be shown: the disclosure-control rules
    (colead.privacy.disclosure) over the whole tree given, so that no count below the
    threshold can be recovered by subtracting visible units from their parent. Callers pass
    the whole organisation, whoever is looking, so views cannot be combined either."""
    ids = [unit.id for unit in units]
    known = set(ids)
    tree = disclosure.Hierarchy.build(
        ids, [unit.parent_id if unit.parent_id in known else None for unit in units]
    )
    visible = disclosure.Status.VISIBLE
    invited = {i: totals.get(i, Count()).invited for i in ids}
    statuses = [
        disclosure.protect(tree, invited, threshold),
        # a unit with people invited and nobody responding is a small count, not an empty one
        disclosure.protect(
            tree,
            {i: totals.get(i, Count()).responded for i in ids},
            threshold,
            population=invited,
        ),
    ]
    return {
        i: (statuses[0].unit_status(i) != visible, statuses[1].unit_status(i) != visible)
        for i in ids
    }


def in_subtrees(units: Iterable[UnitNode], root_ids: Iterable[int] | None) -> set[int]:
    """Ids of the units in the subtrees of ``root_ids`` (every unit when None)."""
    units = list(units)
    if root_ids is None:
        return {unit.id for unit in units}
    wanted = set(root_ids)
    paths = [unit.path for unit in units if unit.id in wanted]
    return {unit.id for unit in units if unit_tree.within_any(unit.path, paths)}


def staff_group_rows(
    per_group: Mapping[str, Count],
    *,
    names: Mapping[str, str],
    threshold: int,
    total_hidden: tuple[bool, bool] = (False, False),
) -> list[RateRow]:
    """A row per staff group, in the order of ``names`` (unknown groups last, by code)."""
    order = {code: index for index, code in enumerate(names)}
    groups = sorted(per_group, key=lambda code: (order.get(code, len(order)), code))
    hidden = _protected_partition(per_group, threshold, total_hidden)
    return [
        RateRow(
            key=code,
            label=names.get(code, code),
            invited=per_group[code].invited,
            responded=per_group[code].responded,
            threshold=threshold,
            hidden=hidden[code],
        )
        for code in groups
    ]


def _protected_partition(
    parts: Mapping[str, Count], threshold: int, total_hidden: tuple[bool, bool]
) -> dict[str, tuple[bool, bool]]:
    """Staff groups partition their scope's total: the same rules on a one-level tree, so no
    small group is the difference; and when the unit table hides the scope's total, the
    groups (which would add up to it) are hidden too."""
    total = "\0total"
    ids = [total, *parts]
    tree = disclosure.Hierarchy.build(ids, [None, *[total] * len(parts)])
    visible = disclosure.Status.VISIBLE
    flags = {code: [False, False] for code in parts}
    invited = {code: count.invited for code, count in parts.items()}
    invited[total] = sum(invited.values())
    for position, field in enumerate(("invited", "responded")):
        counts = {code: getattr(count, field) for code, count in parts.items()}
        counts[total] = sum(counts.values())
        # a staff group with people invited and nobody responding is a small count
        population = invited if field == "responded" else None
        protection = disclosure.protect(tree, counts, threshold, population=population)
        for code in parts:
            flags[code][position] = (
                total_hidden[position] or protection.unit_status(code) != visible
            )
    return {code: (pair[0], pair[1]) for code, pair in flags.items()}


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    responses: int
    cumulative: int
    threshold: int
    withheld: bool = False  # the scope's total is hidden by the unit table's rules

    @property
    def hidden(self) -> bool:
        return self.withheld or self.responses < self.threshold

    @property
    def label(self) -> str:
        if self.first == self.last:
            return uk_date(self.first)
        if (self.first.year, self.first.month) == (self.last.year, self.last.month):
            return f"{self.first.day} to {uk_date(self.last)}"
        if self.first.year == self.last.year:
            return f"{self.first.day} {self.first:%B} to {uk_date(self.last)}"
        return f"{uk_date(self.first)} to {uk_date(self.last)}"

    @property
    def short_label(self) -> str:
        if self.first == self.last:
            return f"{self.first.day} {self.first:%b}"
        return f"{self.first.day} {self.first:%b} – {self.last.day} {self.last:%b}"

    @property
    def responses_text(self) -> str:
        if self.withheld:
            return _hidden_text(self.responses, self.threshold)
        return shown(self.responses, self.threshold)

    @property
    def cumulative_text(self) -> str:
        if self.withheld:
            return _hidden_text(self.cumulative, self.threshold)
        return shown(self.cumulative, self.threshold)


def day_periods(
    day_counts: Mapping[date, int], *, threshold: int, total_hidden: bool = False
) -> list[Period]:
    """Consecutive days with responses grouped so that every period has at least
    ``threshold`` responses; one hidden period when the total is below it."""
    days = sorted(day for day, count in day_counts.items() if count > 0)
    if not days:
        return []
    total = sum(day_counts[day] for day in days)
    if total < threshold or total_hidden:
        return [Period(days[0], days[-1], total, total, threshold, withheld=total_hidden)]
    periods: list[Period] = []
    start, pending, running = None, 0, 0
    for day in days:
        start = start or day
        pending += day_counts[day]
        if pending >= threshold:
            running += pending
            periods.append(Period(start, day, pending, running, threshold))
            start, pending = None, 0
    if pending:
        last = periods.pop()
        running += pending
        periods.append(Period(last.first, days[-1], last.responses + pending, running, threshold))
    return periods


def chart_spec(periods: list[Period], *, title: str) -> dict | None:
    """The shared chart of counts with a running total (``lib.charts``): responses in each
    period as bars, the total so far as a dashed line. Each point also carries the period's
    full label, as the table beside the chart names it. None when there is nothing that may
    be shown (no period at or above the threshold)."""
    visible = [period for period in periods if not period.hidden]
    if not visible:
        return None
    points = [
        {
            "category": period.short_label,
            "label": period.label,
            "count": period.responses,
            "total": period.cumulative,
        }
        for period in visible
    ]
    return charts.counts_with_total_spec(
        points,
        title=title,
        x_title="Day or days",
        y_title="Responses",
        total_title="Total so far (dashed line)",
    )
