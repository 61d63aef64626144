"""What the direction pages show: the golden thread, "my objectives", a unit's objectives
and one objective, shaped from ``facts`` (a fixed number of queries whatever the size of
the organisation) and limited to what the user may see (``access.visible_q``)."""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from colead.accounts.permissions import own_person_ids
from colead.core.formatting import uk_date
from colead.direction import access, facts
from colead.direction.models import Objective
from colead.direction.quality import (
    DEFAULT_SETTINGS,
    MARKERS,
    ObjectiveFacts,
    ObjectiveQuality,
    gain,
    unit_summaries,
)
from colead.direction.reference import CONFIDENCE, ELEMENTS, STATUSES
from colead.direction.services import current_vision
from colead.org.models import Person, UnitLevel

LEVEL_LABELS = {**dict(UnitLevel.choices), "individual": "Individual"}
LEVEL_ORDER = {level: n for n, level in enumerate([*UnitLevel.values, "individual"])}
OPEN_DEPTH = 2  # the organisation objectives and the level below start expanded
SEARCH_LIMIT = 100
# The colour of each marker's tag (nhsuk-tag--...).
MARKER_COLOURS = {
    "clear": "yellow",
    "aligned": "red",
    "agreed": "orange",
    "challenging": "purple",
    "recent": "grey",
}
STATUS_COLOURS = {
    "draft": "grey",
    "proposed": "blue",
    "agreed": "aqua-green",
    "active": "green",
    "achieved": "white",
    "dropped": "grey",
}


def objective_href(code: str) -> str:
    return reverse("direction:objective", args=[code])


def unit_objectives_href(code: str) -> str:
    return reverse("direction:unit", args=[code])


def vision_context(organisation) -> dict | None:
    vision = current_vision(organisation)
    if vision is None:
        return None
    return {
        "version": vision.version,
        "vision": vision.vision,
        "mission": vision.mission,
        "core_values": vision.values,  # (not "values": that is a dict's method in Jinja)
        "approved_on": uk_date(vision.approved_on),
    }


@dataclass
class Node:
    id: int
    code: str
    title: str
    href: str
    level: str
    level_label: str
    unit_name: str
    unit_code: str
    owner_name: str
    status: str
    status_label: str
    status_colour: str
    markers: list[dict]
    reasons: list[str]
    elements: list[str]
    sort_key: tuple = ()
    open: bool = False
    children: list["Node"] = field(default_factory=list)
    also_serves: list[str] = field(default_factory=list)
    trail: list[str] = field(default_factory=list)

    @property
    def descendants(self) -> int:
        return sum(1 + child.descendants for child in self.children)


def _markers(quality: ObjectiveQuality) -> list[dict]:
    return [
        {"text": MARKERS[name], "colour": MARKER_COLOURS[name], "name": name}
        for name in quality.failed
    ]


def _reasons(quality: ObjectiveQuality) -> list[str]:
    return [reason for check in quality.checks() for reason in check.reasons if not check.passed]


class _Loaded:
    """An organisation's facts, the user's visible objectives and the owners' names."""

    def __init__(self, user, organisation, *, with_check_ins=True):
        self.organisation = organisation
        self.facts = facts.load(organisation, with_check_ins=with_check_ins, with_people=False)
        self.qualities = self.facts.assess(timezone.localdate())
        self.elements: dict[int, list[str]] = {}
        for pk, codes in (
            Objective.objects.for_org(organisation)
            .filter(access.visible_q(user, organisation))
            .values_list("id", "elements")
        ):
            self.elements[pk] = [ELEMENTS.get(code, code) for code in codes or ()]
        self.visible = set(self.elements)
        owner_ids = {
            o.owner_id
            for pk, o in self.facts.objectives.items()
            if o.owner_id is not None and pk in self.visible
        }
        self.owner_names = {
            pk: f"{first} {last}"
            for pk, first, last in Person.objects.filter(pk__in=owner_ids).values_list(
                "id", "first_name", "last_name"
            )
        }

    def node(self, pk: int) -> Node:
        objective = self.facts.objectives[pk]
        unit = self.facts.units[objective.unit_id]
        level = "individual" if objective.is_individual else unit.level
        owner = self.owner_names.get(objective.owner_id, "") if objective.owner_id else ""
        quality = self.qualities[pk]
        return Node(
            id=pk,
            code=objective.code,
            title=objective.title,
            href=objective_href(objective.code),
            level=level,
            level_label=LEVEL_LABELS.get(level, level.title()),
            unit_name=unit.name,
            unit_code=unit.code,
            owner_name=owner,
            status=objective.status,
            status_label=STATUSES[objective.status],
            status_colour=STATUS_COLOURS[objective.status],
            markers=_markers(quality),
            reasons=_reasons(quality),
            elements=self.elements.get(pk, []),
            sort_key=(LEVEL_ORDER.get(level, 99), unit.name, objective.code),
        )

    def trail(self, pk: int) -> list[str]:
        """Titles of the visible objectives above this one, top first."""
        path = self.facts.paths.get(pk) or ()
        return [self.facts.objectives[up].title for up in reversed(path[1:]) if up in self.visible]


def golden_thread(user, organisation, *, query: str = "") -> dict:
    """The vision, then the organisation objectives with everything below them, as a tree
    of what the user may see; objectives with no path up are listed apart (orphans).
    With ``query``, the objectives whose code, title, unit or owner contains it."""
    loaded = _Loaded(user, organisation)
    objectives = loaded.facts.objectives
    paths = loaded.facts.paths
    nodes = {pk: loaded.node(pk) for pk in sorted(loaded.visible) if pk in objectives}

    def placement(pk: int) -> int | None:
        """The visible objective to show this one under (None: at the top)."""
        path = paths.get(pk)
        if path is not None:
            return next((up for up in path[1:] if up in nodes), None)
        return next((up for up in objectives[pk].parent_ids if up in nodes), None)

    roots, orphans = [], []
    for pk, node in nodes.items():
        parent = placement(pk)
        node.also_serves = [
            objectives[up].code
            for up in objectives[pk].parent_ids
            if up != parent and up in objectives
        ]
        if parent is not None:
            nodes[parent].children.append(node)
        elif objectives[pk].is_org_level or pk in paths:
            roots.append(node)
        else:
            orphans.append(node)

    def arrange(items: list[Node], depth: int) -> None:
        items.sort(key=lambda n: n.sort_key)
        for item in items:
            item.open = depth < OPEN_DEPTH
            arrange(item.children, depth + 1)

    arrange(roots, 0)
    arrange(orphans, OPEN_DEPTH)
    matches = None
    match_count = 0
    if query:
        needle = query.casefold()
        found = [
            node
            for node in sorted(nodes.values(), key=lambda n: n.sort_key)
            if needle in node.code.casefold()
            or needle in node.title.casefold()
            or needle in node.unit_name.casefold()
            or needle in node.owner_name.casefold()
        ]
        match_count = len(found)
        matches = found[:SEARCH_LIMIT]
        for node in matches:
            node.trail = loaded.trail(node.id)
    failed = [q for pk, q in loaded.qualities.items() if pk in nodes]
    return {
        "vision": vision_context(organisation),
        "roots": roots,
        "orphans": orphans,
        "objective_count": len(nodes),
        "marker_counts": [
            {"text": MARKERS[name], "count": sum(name in q.failed for q in failed)}
            for name in MARKERS
        ],
        "matches": matches,
        "match_count": match_count,
    }


def my_objectives(user, organisation) -> dict:
    """The user's own individual objectives and their teams' objectives, each with the
    thread of objectives above it up to the vision."""
    own = own_person_ids(user, organisation)
    people = list(Person.objects.filter(pk__in=own).select_related("primary_unit"))
    unit_paths = access.own_unit_paths(own)
    loaded = _Loaded(user, organisation)
    objectives = loaded.facts.objectives
    unit_path = loaded.facts.unit_paths
    own_units = {pk for pk, path in unit_path.items() if path in set(unit_paths)}

    def with_thread(pk: int) -> dict:
        node = loaded.node(pk)
        path = loaded.facts.paths.get(pk)
        thread = [loaded.node(up) for up in reversed(path[1:])] if path else []
        return {"objective": node, "thread": thread, "aligned": path is not None}

    mine = [
        with_thread(pk)
        for pk, o in sorted(objectives.items(), key=lambda item: item[1].code)
        if o.owner_id in own and o.status != "dropped"
    ]
    teams = [
        with_thread(pk)
        for pk, o in sorted(objectives.items(), key=lambda item: item[1].code)
        if o.owner_id is None and o.unit_id in own_units and o.status != "dropped"
    ]
    return {
        "vision": vision_context(organisation),
        "people": people,
        "mine": mine,
        "team_objectives": teams,
    }


def _progress(objective, check_ins) -> dict:
    """Where the measure stands: the latest value, and how far from baseline to target."""
    valued = [c for c in check_ins if c.value is not None]
    latest = valued[-1] if valued else None
    share = None
    if latest is not None and objective.baseline is not None and objective.target is not None:
        shape = ObjectiveFacts(
            id=objective.pk,
            code=objective.code,
            title="",
            unit_id=0,
            status=objective.status,
            baseline=objective.baseline,
            direction=objective.direction,
        )
        whole = gain(shape, objective.target)
        if whole > 0:
            share = max(0.0, min(1.0, gain(shape, latest.value) / whole))
    return {
        "latest": latest.value if latest else None,
        "latest_on": uk_date(latest.date) if latest else "",
        "share": share,
        "chart": sparkline(objective, valued),
    }


def sparkline(objective, check_ins, width: int = 300, height: int = 80) -> dict | None:
    """An inline SVG line of the check-ins' values, with the baseline and target as
    horizontal lines (drawn on the server: no script). None with fewer than two values."""
    if len(check_ins) < 2:
        return None
    values = [c.value for c in check_ins]
    levels = [v for v in (objective.baseline, objective.target) if v is not None]
    low, high = min(values + levels), max(values + levels)
    if high == low:
        high = low + 1
    first, last = check_ins[0].date.toordinal(), check_ins[-1].date.toordinal()
    span = max(1, last - first)
    pad = 6

    def y(value: float) -> float:
        return round(pad + (height - 2 * pad) * (1 - (value - low) / (high - low)), 1)

    points = " ".join(
        f"{round(pad + (width - 2 * pad) * (c.date.toordinal() - first) / span, 1)},{y(c.value)}"
        for c in check_ins
    )
    return {
        "width": width,
        "height": height,
        "points": points,
        "target_y": y(objective.target) if objective.target is not None else None,
        "baseline_y": y(objective.baseline) if objective.baseline is not None else None,
    }


def unit_page(user, unit) -> dict:
    """A unit's own objectives with their progress, and its staff's individual objectives
    (those the user may see), with the unit's quality summary."""
    organisation = unit.organisation
    loaded = _Loaded(user, organisation)
    objectives = loaded.facts.objectives
    own = [
        pk
        for pk, o in objectives.items()
        if o.unit_id == unit.pk and o.owner_id is None and pk in loaded.visible
    ]
    individual = [
        pk
        for pk, o in objectives.items()
        if o.unit_id == unit.pk and o.owner_id is not None and pk in loaded.visible
    ]
    records = {o.pk: o for o in Objective.objects.filter(pk__in=own).prefetch_related("check_ins")}
    rows = []
    for pk in sorted(own, key=lambda pk: objectives[pk].code):
        objective = records[pk]
        check_ins = sorted(objective.check_ins.all(), key=lambda c: (c.date, c.pk))
        rows.append(
            {
                "node": loaded.node(pk),
                "objective": objective,
                "progress": _progress(objective, check_ins),
                "check_ins": [
                    {
                        "date": uk_date(c.date),
                        "value": c.value,
                        "confidence": CONFIDENCE.get(c.confidence, ""),
                        "comment": c.comment,
                    }
                    for c in check_ins
                ],
                "trail": loaded.trail(pk),
            }
        )
    summary = unit_summaries(objectives, loaded.qualities).get(unit.pk)
    return {
        "unit": unit,
        "vision": vision_context(organisation),
        "rows": rows,
        "individual": [
            loaded.node(pk)
            for pk in sorted(individual, key=lambda pk: (loaded.node(pk).owner_name, pk))
        ],
        "summary": summary,
        "thicket_limit": DEFAULT_SETTINGS.thicket_limit,
    }


def objective_page(user, objective) -> dict:
    organisation = objective.organisation
    loaded = _Loaded(user, organisation)
    node = loaded.node(objective.pk)
    quality = loaded.qualities[objective.pk]
    parents = [
        loaded.node(pk)
        for pk in loaded.facts.objectives[objective.pk].parent_ids
        if pk in loaded.visible
    ]
    children = sorted(
        (
            loaded.node(pk)
            for pk, o in loaded.facts.objectives.items()
            if objective.pk in o.parent_ids and pk in loaded.visible
        ),
        key=lambda n: n.sort_key,
    )
    check_ins = list(objective.check_ins.order_by("date", "id"))
    acts = list(objective.agreement_acts.order_by("at", "id"))
    path = loaded.facts.paths.get(objective.pk)
    return {
        "objective": objective,
        "node": node,
        "checks": [
            {
                "label": name.title() if name != "recent" else "Recent (not stale)",
                "passed": check.passed,
                "reasons": check.reasons,
            }
            for name, check in zip(
                ("clear", "aligned", "agreed", "challenging", "recent"),
                quality.checks(),
                strict=True,
            )
        ],
        "parents": parents,
        "children": children,
        "thread": [loaded.node(up) for up in reversed(path[1:])] if path else [],
        "progress": _progress(objective, check_ins),
        "check_ins": [
            {
                "date": uk_date(c.date),
                "value": c.value,
                "confidence": CONFIDENCE.get(c.confidence, ""),
                "comment": c.comment,
                "by": c.by_label,
            }
            for c in check_ins
        ],
        "acts": [
            {
                "act": a.get_act_display(),
                "comment": a.comment,
                "by": a.by_label,
                "at": timezone.localtime(a.at),
            }
            for a in acts
        ],
        "vision": vision_context(organisation),
    }
