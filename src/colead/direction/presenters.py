"""What the direction pages show: the golden thread, "my objectives", a unit's objectives
and one objective, shaped from ``facts`` (a fixed number of queries whatever the size of
the organisation). Only shaping: which objectives the person may see (``visible``, the
ids, or None for every one) and who they are come from ``colead.direction.queries``,
which checks the scope before calling here, and so do the rows read while shaping
(``source``, a queries.PageSource: the facts, the rules, owners' names, check-ins)."""

from collections import Counter
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from colead.accounts.names import actor_name
from colead.direction import charts
from colead.direction.quality import (
    MARKERS,
    ObjectiveFacts,
    ObjectiveQuality,
    gain,
    unit_summaries,
)
from colead.direction.reference import CONFIDENCE, ELEMENTS, STATUSES
from colead.lib import memory
from colead.lib.formatting import uk_date
from colead.org.models import UnitLevel

LEVEL_LABELS = {**dict(UnitLevel.choices), "individual": "Individual"}
LEVEL_ORDER = {level: n for n, level in enumerate([*UnitLevel.values, "individual"])}
OPEN_DEPTH = 2  # the organisation objectives and the level below start expanded
# ...but only objectives of these levels: the thread below directorates starts collapsed
# (a directorate's objective serving the organisation's directly would otherwise open on
# every team's, which made the demo trust's page about 30,000 px tall).
OPEN_LEVELS = frozenset({"organisation", "division"})
SEARCH_LIMIT = 100
# Above this many visible objectives the thread folds individual objectives (see golden_thread).
INLINE_LIMIT = 1500
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
    # Objective codes are letters, digits, "." "-" and "_" (models.OBJECTIVE_CODE_RE), which
    # need no quoting in a path: building the link from a template is 30 times quicker than
    # reverse(), which matters on a thread of 20,000 objectives.
    return _href_template("direction:objective").replace(_CODE_SLOT, code)


def branch_href(code: str) -> str:
    return _href_template("direction:branch").replace(_CODE_SLOT, code)


_CODE_SLOT = "objective-code-slot"
_templates: dict[str, str] = memory.register({}, f"{__name__}._templates")


def _href_template(name: str) -> str:
    template = _templates.get(name)
    if template is None:
        template = _templates[name] = reverse(name, args=[_CODE_SLOT])
    return template


def unit_objectives_href(code: str) -> str:
    return reverse("direction:unit", args=[code])


def vision_summary(vision) -> dict | None:
    """The approved vision of the organisation (queries.current_vision), as the pages show
    it; None before the board's first approval."""
    if vision is None:
        return None
    return {
        "version": vision.version,
        "vision": vision.vision,
        "mission": vision.mission,
        "core_values": vision.values,  # (not "values": that is a dict's method in Jinja)
        "approved_on": uk_date(vision.approved_on),
    }


@dataclass(slots=True)
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
    markers: tuple[dict, ...]
    reasons: tuple[str, ...]
    elements: tuple[str, ...]
    sort_key: tuple = ()
    open: bool = False
    children: list["Node"] = field(default_factory=list)
    also_serves: tuple[str, ...] = ()
    trail: tuple[str, ...] = ()
    hidden: int = 0  # objectives below this one not on the page (loaded on demand)
    total: int = 0  # objectives below this one, shown or not

    @property
    def descendants(self) -> int:
        return self.total

    @property
    def branch_href(self) -> str:
        return branch_href(self.code)


# The thread draws thousands of nodes per request; what they carry is shared or immutable
# where it can be (the markers of each combination of failed checks are made once; tuples
# of strings are left alone by the garbage collector), so that a request leaves little for
# full collections to walk (docs/adr/0007).
_MARKER_SETS: dict[tuple[str, ...], tuple[dict, ...]] = memory.register(
    {}, f"{__name__}._MARKER_SETS"
)


def _markers(quality: ObjectiveQuality) -> tuple[dict, ...]:
    failed = quality.failed
    shared = _MARKER_SETS.get(failed)
    if shared is None:
        shared = _MARKER_SETS[failed] = tuple(
            {"text": MARKERS[name], "colour": MARKER_COLOURS[name], "name": name} for name in failed
        )
    return shared


def _reasons(quality: ObjectiveQuality) -> tuple[str, ...]:
    return tuple(
        reason for check in quality.checks() for reason in check.reasons if not check.passed
    )


class _Loaded:
    """An organisation's facts, which of its objectives are shown (``visible``: their
    ids, or None for every one), and the owners' names (read once, for the objectives about
    to be shown). Objectives are judged by the organisation's own quality rules
    (``queries.quality_settings``)."""

    def __init__(self, source, visible: set[int] | None):
        self.source = source
        self.settings = source.settings()
        self.facts = source.facts()
        self.qualities = self.facts.assess(timezone.localdate(), self.settings)
        self.everything = visible is None
        self.visible = self.facts.objectives.keys() if visible is None else visible
        self.owner_names: dict[int, str] = {}
        self._all_names = False

    def read_names(self, pks=None) -> None:
        """Read the owners' names of these objectives (all the visible ones by default)."""
        objectives = self.facts.objectives
        if pks is None:
            self._all_names = True
            pks = self.visible
        owner_ids = {
            objectives[pk].owner_id
            for pk in pks
            if pk in objectives and objectives[pk].owner_id is not None
        } - self.owner_names.keys()
        if owner_ids:
            self.owner_names.update(self.source.owner_names(owner_ids))

    def owner_name(self, owner_id: int | None) -> str:
        if owner_id is None:
            return ""
        if owner_id not in self.owner_names and not self._all_names:
            self.read_names()
        return self.owner_names.get(owner_id, "")

    def node(self, pk: int) -> Node:
        objective = self.facts.objectives[pk]
        unit = self.facts.units[objective.unit_id]
        level = "individual" if objective.is_individual else unit.level
        owner = self.owner_name(objective.owner_id)
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
            elements=tuple(ELEMENTS.get(code, code) for code in self.facts.elements.get(pk, ())),
            sort_key=(LEVEL_ORDER.get(level, 99), unit.name, objective.code),
        )

    def trail(self, pk: int) -> tuple[str, ...]:
        """Titles of the visible objectives above this one, top first."""
        path = self.facts.paths.get(pk) or ()
        return tuple(
            self.facts.objectives[up].title for up in reversed(path[1:]) if up in self.visible
        )

    def placement(self, pk: int) -> int | None:
        """The visible objective to show this one under in the thread (None: at the top)."""
        path = self.facts.paths.get(pk)
        if path is not None:
            return next((up for up in path[1:] if up in self.visible), None)
        return next((up for up in self.facts.objectives[pk].parent_ids if up in self.visible), None)

    def thread(self) -> "Thread":
        """The visible objectives as a tree. For those who see everything it is the same
        for everyone, so it is kept with the organisation's facts until they change."""
        if self.everything:
            today = timezone.localdate()
            # The failed-check counts depend on the rules, so they are part of the key.
            key = ("thread", today, self.settings)
            return self.facts.state.memo(key, lambda: _thread(self))
        return _thread(self)


@dataclass
class Thread:
    """The golden thread's shape: each visible objective under one parent (the first
    visible one along its shortest path up, or among its parents), the roots (organisation
    objectives and the highest visible objective of each aligned branch), the orphans, how
    many objectives sit below each, and how many of the visible objectives fail each check."""

    parent_of: dict[int, int | None]
    children: dict[int, list[int]]
    roots: list[int]
    orphans: list[int]
    counts: dict[int, int]
    failed: Counter


def _thread(loaded: _Loaded) -> Thread:
    objectives = loaded.facts.objectives
    paths = loaded.facts.paths
    parent_of: dict[int, int | None] = {}
    children: dict[int, list[int]] = {}
    roots, orphans = [], []
    for pk in loaded.visible:
        parent = parent_of[pk] = loaded.placement(pk)
        if parent is not None:
            children.setdefault(parent, []).append(pk)
        elif objectives[pk].is_org_level or pk in paths:
            roots.append(pk)
        else:
            orphans.append(pk)
    visible = loaded.visible
    failed = Counter(
        name for pk, quality in loaded.qualities.items() if pk in visible for name in quality.failed
    )
    return Thread(parent_of, children, roots, orphans, _descendants(children), failed)


def _descendants(children: dict[int, list[int]]) -> dict[int, int]:
    """How many objectives sit below each one (the tree has no cycles: _thread places each
    objective under one parent, found along its shortest path up or among its parents)."""
    counts: dict[int, int] = {}

    def count(pk: int) -> int:
        known = counts.get(pk)
        if known is None:
            # Thread depth is bounded by the unit levels plus individuals (under 10), so
            # recursion is safe here.
            known = counts[pk] = sum(1 + count(child) for child in children.get(pk, ()))
        return known

    for pk in children:
        count(pk)
    return counts


def _arrange(loaded: _Loaded, pks, thread: Thread, *, depth: int, inline) -> list[Node]:
    """Nodes for these objectives and (where ``inline`` allows) everything below them,
    sorted, the first levels open. Individual objectives not shown inline are counted on
    their parent, with a link to load them."""
    objectives = loaded.facts.objectives
    counts = thread.counts
    nodes = []
    for pk in pks:
        node = loaded.node(pk)
        node.open = depth < OPEN_DEPTH and node.level in OPEN_LEVELS
        below = thread.children.get(pk, ())
        shown = [child for child in below if inline(objectives[child])]
        node.children = _arrange(loaded, shown, thread, depth=depth + 1, inline=inline)
        node.total = counts.get(pk, 0)
        node.hidden = node.total - sum(1 + counts.get(child, 0) for child in shown)
        placed_under = thread.parent_of.get(pk)
        node.also_serves = tuple(
            objectives[up].code
            for up in objectives[pk].parent_ids
            if up != placed_under and up in objectives
        )
        nodes.append(node)
    nodes.sort(key=lambda n: n.sort_key)
    return nodes


def golden_thread(source, visible: set[int] | None, *, query: str = "") -> dict:
    """The vision, then the organisation objectives with everything below them, as a tree
    of what the user may see; objectives with no path up are listed apart (orphans).
    Above ``INLINE_LIMIT`` visible objectives, individual objectives are not put on the
    page but counted under the objective they serve, with a link that loads them.
    With ``query``, the objectives whose code, title, unit or owner contains it."""
    loaded = _Loaded(source, visible)
    objectives = loaded.facts.objectives
    visible = loaded.visible
    thread = loaded.thread()
    everything = len(visible) <= INLINE_LIMIT

    def inline(objective: ObjectiveFacts) -> bool:
        return everything or not objective.is_individual

    matches = None
    match_count = 0
    if query:
        needle = query.casefold()
        units = loaded.facts.units
        loaded.read_names()
        names = loaded.owner_names
        found = sorted(
            (
                pk
                for pk in visible
                if needle in objectives[pk].code.casefold()
                or needle in objectives[pk].title.casefold()
                or needle in units[objectives[pk].unit_id].name.casefold()
                or needle in names.get(objectives[pk].owner_id, "").casefold()
            ),
            key=lambda pk: _sort_key(loaded, pk),
        )
        match_count = len(found)
        matches = []
        for pk in found[:SEARCH_LIMIT]:
            node = loaded.node(pk)
            node.trail = loaded.trail(pk)
            matches.append(node)
        roots_nodes, orphan_nodes = [], []
    else:
        if not everything:
            loaded.read_names(thread.orphans)
        roots_nodes = _arrange(loaded, thread.roots, thread, depth=0, inline=inline)
        orphan_nodes = _arrange(loaded, thread.orphans, thread, depth=OPEN_DEPTH, inline=inline)
    return {
        "vision": vision_summary(source.vision()),
        "roots": roots_nodes,
        "orphans": orphan_nodes,
        "objective_count": len(visible),
        "marker_counts": [
            {"text": MARKERS[name], "count": thread.failed[name]} for name in MARKERS
        ],
        "matches": matches,
        "match_count": match_count,
        "individuals_folded": not everything,
    }


def _sort_key(loaded: _Loaded, pk: int) -> tuple:
    objective = loaded.facts.objectives[pk]
    unit = loaded.facts.units[objective.unit_id]
    level = "individual" if objective.is_individual else unit.level
    return (LEVEL_ORDER.get(level, 99), unit.name, objective.code)


def branch(source, objective, visible: set[int] | None, *, folded_only: bool = False) -> dict:
    """Everything visible below one objective, as a tree; with ``folded_only``, only what
    the golden thread folds away (the individual objectives directly below)."""
    loaded = _Loaded(source, visible)
    thread = loaded.thread()
    below = thread.children.get(objective.pk, [])
    if folded_only:
        below = [pk for pk in below if loaded.facts.objectives[pk].is_individual]
    loaded.read_names()
    nodes = _arrange(loaded, below, thread, depth=OPEN_DEPTH, inline=lambda _: True)
    return {
        "node": loaded.node(objective.pk),
        "children": nodes,
        "total": thread.counts.get(objective.pk, 0),
        "vision": vision_summary(source.vision()),
    }


def my_objectives(source, visible: set[int] | None, *, own, people, unit_paths) -> dict:
    """The individual objectives of ``own`` (the ids of the person's staff records,
    ``people``) and the objectives of their teams (``unit_paths``), each with the thread of
    objectives above it up to the vision."""
    loaded = _Loaded(source, visible)
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
        "vision": vision_summary(source.vision()),
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
        "chart": progress_chart(objective, valued),
    }


def progress_chart(objective, check_ins) -> dict | None:
    """The chart of the check-ins' values against the baseline and target, with axes and
    titles (``direction.charts.progress_spec``, drawn on the server; the table of check-ins
    beside it carries the same figures). None with fewer than two values."""
    from colead.lib.charts import svg_data_uri

    measure, unit = objective.measure, objective.unit_of_measure
    spec = charts.progress_spec(
        [(c.date, c.value) for c in check_ins],
        baseline=objective.baseline,
        target=objective.target,
        measure=f"{measure} ({unit})" if measure and unit else measure or unit,
    )
    return {"spec": spec, "src": svg_data_uri(spec)} if spec else None


def unit_page(source, unit, visible: set[int] | None) -> dict:
    """A unit's own objectives with their progress, and its staff's individual objectives
    (those the user may see), with the unit's quality summary."""
    loaded = _Loaded(source, visible)
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
    records = source.objectives_with_check_ins(own)
    rows = []
    for pk in sorted(own, key=lambda pk: objectives[pk].code):
        objective, check_ins = records[pk]
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
    summary = unit_summaries(objectives, loaded.qualities, loaded.settings).get(unit.pk)
    return {
        "unit": unit,
        "vision": vision_summary(source.vision()),
        "rows": rows,
        "individual": [
            loaded.node(pk)
            for pk in sorted(individual, key=lambda pk: (loaded.node(pk).owner_name, pk))
        ],
        "summary": summary,
        "thicket_limit": loaded.settings.thicket_limit,
    }


def objective_page(source, objective, visible: set[int] | None) -> dict:
    loaded = _Loaded(source, visible)
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
    check_ins, acts = source.check_ins_and_acts(objective)
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
                "by": actor_name(c.by, c.by_label),
            }
            for c in check_ins
        ],
        "acts": [
            {
                "act": a.get_act_display(),
                "comment": a.comment,
                "by": actor_name(a.by, a.by_label),
                "at": timezone.localtime(a.at),
            }
            for a in acts
        ],
        "vision": vision_summary(source.vision()),
    }
