"""The quality of objectives: clear, aligned, agreed, challenging and recent (not stale),
and priority thickets (units with too many active objectives).

Pure Python (no Django): plain dataclasses in, results out. ``colead.direction.facts``
loads an organisation's objectives into ``ObjectiveFacts`` in a fixed number of queries.

The rules (docs/architecture.md, "Direction"):

* **Clear**: a measure, a baseline, a target and a due date, and a title that is not a
  vague aim ("improve", "support", "ensure", "enhance"... with no number in it).
* **Aligned**: a path up through its parents to an organisation-level objective (a unit
  objective of the organisation's top unit). Dropped objectives break the path.
* **Agreed**: agreement is recorded (and the objective has not changed in substance since).
* **Challenging**: the target is beyond the baseline, in the direction of good, by at least
  the margin (default 5% of the baseline), and beyond where the linear trend of its
  check-ins would reach by the due date. A target already met at the baseline is flagged.
* **Recent**: an agreed or active objective has had a check-in within 60 days (stale
  otherwise; counted from its agreement, or its creation, if it has had none).
* **Priority thicket**: a unit with more than 5 active objectives of its own.
"""

import re
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from colead.direction.reference import LIVE_STATUSES
from colead.lib import memory

CHECKS = ("clear", "aligned", "agreed", "challenging", "recent")
# What a failed check is called where objectives are listed.
MARKERS = {
    "clear": "Not clear",
    "aligned": "Orphan",
    "agreed": "Not agreed",
    "challenging": "Not challenging",
    "recent": "Stale",
}

# Verbs of aims that say a direction but no destination, as stems matched at the start of
# a word with any ending ("improving", "supports", "ensured", "enhancement").
VAGUE_STEMS = (
    "improv",
    "support",
    "ensur",
    "enhanc",
    "increas",
    "reduc",
    "develop",
    "promot",
    "strengthen",
    "maximi[sz]",
    "minimi[sz]",
    "optimi[sz]",
    "embed",
    "encourag",
    "foster",
    "work(?:ing)? towards",
    "continu(?:e|es|ed|ing) to",
    "aim(?:s|ing)? to",
    "striv",
)
_VAGUE_RE = re.compile(
    r"\b(?:" + "|".join(stem.replace(" ", r"\s+") for stem in VAGUE_STEMS) + r")\w*",
    re.IGNORECASE,
)
NUMBER_WORDS = {
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "fifteen",
    "twenty",
    "thirty",
    "fifty",
    "hundred",
    "thousand",
    "half",
    "halve",
    "third",
    "quarter",
    "treble",
    "triple",
    "double",
    "twice",
    "all",
    "every",
}
_DIGIT_RE = re.compile(r"\d")
_WORD_RE = re.compile(r"[a-z]+")


class CheckInPoint(NamedTuple):
    # A named tuple rather than a dataclass: tuples of dates and numbers are not tracked by
    # the garbage collector, and an organisation keeps tens of thousands of these in memory
    # (direction.facts), which a full collection would otherwise walk on every request.
    date: date
    value: float | None


@dataclass(frozen=True, slots=True)
class ObjectiveFacts:
    """What the checks need to know about one objective."""

    id: int
    code: str
    title: str
    unit_id: int
    status: str
    is_org_level: bool = False  # a unit objective of the organisation's top unit
    owner_id: int | None = None  # set for an individual objective
    parent_ids: tuple[int, ...] = ()
    measure: str = ""
    baseline: float | None = None
    target: float | None = None
    direction: str = "up"
    due_date: date | None = None
    agreed: bool = False
    started_on: date | None = None  # when agreed, or else created: stale counts from here
    check_ins: tuple[CheckInPoint, ...] = ()  # in date order (needed for the trend)
    # The latest check-in's date: given when check_ins are not loaded, or by a loader that
    # knows it already (saves finding the maximum of thousands, again and again).
    last_check_in: date | None = None

    @property
    def is_individual(self) -> bool:
        return self.owner_id is not None

    @property
    def latest_check_in(self) -> date | None:
        if self.last_check_in is not None or not self.check_ins:
            return self.last_check_in
        return max(point.date for point in self.check_ins)


@dataclass(frozen=True)
class QualitySettings:
    challenge_margin: float = 0.05  # the target must beat the baseline by 5% of it
    thicket_limit: int = 5  # more active objectives than this in one unit is a thicket
    stale_days: int = 60
    trend_min_points: int = 3  # check-ins (on different dates) needed to judge a trend

    def as_dict(self) -> dict:
        return {
            "challenge_margin": self.challenge_margin,
            "thicket_limit": self.thicket_limit,
            "stale_days": self.stale_days,
            "trend_min_points": self.trend_min_points,
        }


DEFAULT_SETTINGS = QualitySettings()


@dataclass(frozen=True, slots=True)
class Check:
    """One check of one objective. ``passed`` is None when it cannot be judged (no
    baseline for the challenge, or a draft for staleness)."""

    name: str
    passed: bool | None
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ObjectiveQuality:
    objective_id: int
    clear: Check
    aligned: Check
    agreed: Check
    challenging: Check
    recent: Check
    path: tuple[int, ...] | None = None  # ids up to an organisation objective, self first

    def checks(self) -> tuple[Check, ...]:
        return (self.clear, self.aligned, self.agreed, self.challenging, self.recent)

    @property
    def failed(self) -> tuple[str, ...]:
        return tuple(check.name for check in self.checks() if check.passed is False)

    @property
    def markers(self) -> tuple[str, ...]:
        return tuple(MARKERS[name] for name in self.failed)

    @property
    def is_stale(self) -> bool:
        return self.recent.passed is False


_PLAIN_CHECKS: dict[tuple[str, bool | None], Check] = memory.register(
    {}, f"{__name__}._PLAIN_CHECKS"
)
_NEEDS_BASELINE = Check("challenging", None, ("It needs a baseline and a target to judge.",))


def _check(name: str, passed: bool | None, reasons: tuple[str, ...] = ()) -> Check:
    """A check's result; those with no reasons (most of them) are shared instances, so that
    an organisation's assessment (five checks for each of 20,000 objectives, kept in memory)
    is not a hundred thousand objects for the garbage collector to walk."""
    if reasons:
        return Check(name, passed, reasons)
    shared = _PLAIN_CHECKS.get((name, passed))
    if shared is None:
        shared = _PLAIN_CHECKS[(name, passed)] = Check(name, passed)
    return shared


# --- Clear ------------------------------------------------------------------------------


def has_number(text: str) -> bool:
    if _DIGIT_RE.search(text):
        return True
    return any(word in NUMBER_WORDS for word in _WORD_RE.findall(text.lower()))


def vague_words(text: str) -> list[str]:
    """The vague verbs in an aim that has no number in it ([] when it is specific)."""
    if not text or has_number(text):
        return []
    return [" ".join(match.group(0).lower().split()) for match in _VAGUE_RE.finditer(text)]


def check_clear(objective: ObjectiveFacts) -> Check:
    reasons = []
    missing = [
        name
        for name, present in (
            ("measure", bool(objective.measure.strip())),
            ("baseline", objective.baseline is not None),
            ("target", objective.target is not None),
            ("due date", objective.due_date is not None),
        )
        if not present
    ]
    if missing:
        reasons.append(f"No {_join(missing)}.")
    vague = vague_words(objective.title)
    if vague:
        reasons.append(
            f'The title is a vague aim ("{vague[0]}" with no number): say how much, of what, '
            "by when."
        )
    return _check("clear", not reasons, tuple(reasons))


def _join(words: list[str]) -> str:
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


# --- Aligned ----------------------------------------------------------------------------


def alignment_paths(objectives: Mapping[int, ObjectiveFacts]) -> dict[int, tuple[int, ...]]:
    """For every aligned objective, its shortest path up to an organisation-level objective
    (its own id first, the organisation objective's last). Objectives missing from the
    result are not aligned. Dropped objectives do not carry alignment to their children;
    parents not in ``objectives`` are ignored. Safe on cyclic data (which the services and
    the import never store): one breadth-first pass down from the organisation objectives."""
    children: dict[int, list[int]] = {}
    for objective in objectives.values():
        for parent_id in objective.parent_ids:
            children.setdefault(parent_id, []).append(objective.id)
    paths: dict[int, tuple[int, ...]] = {}
    queue = deque()
    for objective in objectives.values():
        if objective.is_org_level:
            paths[objective.id] = (objective.id,)
            queue.append(objective.id)
    while queue:
        node = queue.popleft()
        if objectives[node].status == "dropped":
            continue
        path = paths[node]
        for child in children.get(node, ()):
            if child not in paths:
                paths[child] = (child, *path)
                queue.append(child)
    return paths


def check_aligned(objective: ObjectiveFacts, path: tuple[int, ...] | None) -> Check:
    if path is not None:
        return _check("aligned", True)
    if not objective.parent_ids:
        reason = "It serves no other objective: link it to the objective above it."
    else:
        reason = (
            "Its parents do not lead up to an organisation objective: link it, or one of "
            "them, to an objective that does."
        )
    return _check("aligned", False, (reason,))


# --- Agreed -----------------------------------------------------------------------------


def check_agreed(objective: ObjectiveFacts) -> Check:
    if objective.agreed:
        return _check("agreed", True)
    if objective.status == "proposed":
        reason = "Proposed, waiting for agreement."
    else:
        reason = "Agreement is not recorded: propose it for agreement."
    return _check("agreed", False, (reason,))


# --- Challenging ------------------------------------------------------------------------


def gain(objective: ObjectiveFacts, value: float) -> float:
    """How far ``value`` is beyond the baseline in the direction of good (negative: worse)."""
    baseline = objective.baseline or 0.0
    return value - baseline if objective.direction != "down" else baseline - value


def trend_projection(
    points: Iterable[CheckInPoint], on: date, *, min_points: int = 3
) -> float | None:
    """The value on ``on`` of the least-squares line through the check-ins (value against
    date), or None with fewer than ``min_points`` valued check-ins on different dates."""
    valued = [(p.date.toordinal(), p.value) for p in points if p.value is not None]
    if len({x for x, _ in valued}) < max(2, min_points):
        return None
    n = len(valued)
    mean_x = sum(x for x, _ in valued) / n
    mean_y = sum(y for _, y in valued) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in valued)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in valued)
    slope = sxy / sxx
    return mean_y + slope * (on.toordinal() - mean_x)


def _number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def check_challenging(
    objective: ObjectiveFacts, settings: QualitySettings = DEFAULT_SETTINGS
) -> Check:
    if objective.baseline is None or objective.target is None:
        return _NEEDS_BASELINE
    baseline, target = objective.baseline, objective.target
    beyond = gain(objective, target)
    if beyond <= 0:
        return _check(
            "challenging",
            False,
            (
                f"The target ({_number(target)}) is already met at the baseline "
                f"({_number(baseline)}): set a target beyond it.",
            ),
        )
    reasons = []
    needed = settings.challenge_margin * abs(baseline)
    if baseline != 0 and beyond < needed - 1e-9 * max(1.0, needed):
        reasons.append(
            f"The target is only {100 * beyond / abs(baseline):.1f}% beyond the baseline; a "
            f"challenging target is at least {100 * settings.challenge_margin:g}% beyond it."
        )
    if objective.due_date is not None and len(objective.check_ins) >= max(
        2, settings.trend_min_points
    ):
        projected = trend_projection(
            objective.check_ins, objective.due_date, min_points=settings.trend_min_points
        )
        if projected is not None and gain(objective, projected) >= beyond:
            reasons.append(
                f"On the trend of its check-ins it would reach {_number(projected)} by the due "
                f"date, which already meets the target ({_number(target)}): aim beyond it."
            )
    return _check("challenging", not reasons, tuple(reasons))


# --- Recent (not stale) -----------------------------------------------------------------


def stale_for(
    objective: ObjectiveFacts, today: date, settings: QualitySettings = DEFAULT_SETTINGS
) -> int | None:
    """Days since the last check-in (or the start) of a stale objective; None otherwise."""
    if objective.status not in LIVE_STATUSES:
        return None
    since = objective.latest_check_in or objective.started_on
    if since is None:
        return None
    days = (today - since).days
    return days if days > settings.stale_days else None


def check_recent(
    objective: ObjectiveFacts, today: date, settings: QualitySettings = DEFAULT_SETTINGS
) -> Check:
    if objective.status not in LIVE_STATUSES:
        return _check("recent", None)
    latest = objective.latest_check_in
    since = latest or objective.started_on
    if since is None:
        return _check("recent", None)
    days = (today - since).days
    if days <= settings.stale_days:
        return _check("recent", True)
    if latest is None:
        reason = f"No check-in in the {days} days since it started."
    else:
        reason = f"No check-in for {days} days (the last was on {latest.isoformat()})."
    return _check("recent", False, (reason,))


# --- All checks, thickets and summaries -------------------------------------------------


def assess(
    objectives: Mapping[int, ObjectiveFacts],
    today: date,
    settings: QualitySettings = DEFAULT_SETTINGS,
    *,
    paths: Mapping[int, tuple[int, ...]] | None = None,
) -> dict[int, ObjectiveQuality]:
    """Every check of every objective (alignment needs them all, to follow the parents)."""
    if paths is None:
        paths = alignment_paths(objectives)
    return {
        objective.id: ObjectiveQuality(
            objective.id,
            clear=check_clear(objective),
            aligned=check_aligned(objective, paths.get(objective.id)),
            agreed=check_agreed(objective),
            challenging=check_challenging(objective, settings),
            recent=check_recent(objective, today, settings),
            path=paths.get(objective.id),
        )
        for objective in objectives.values()
    }


def active_counts(objectives: Iterable[ObjectiveFacts]) -> Counter:
    """Active objectives of each unit's own (individual objectives are not counted)."""
    return Counter(o.unit_id for o in objectives if o.status == "active" and not o.is_individual)


def thickets(
    objectives: Iterable[ObjectiveFacts], settings: QualitySettings = DEFAULT_SETTINGS
) -> dict[int, int]:
    """Units with more than ``thicket_limit`` active objectives: {unit id: how many}."""
    return {
        unit_id: n
        for unit_id, n in sorted(active_counts(objectives).items())
        if n > settings.thicket_limit
    }


@dataclass
class UnitSummary:
    """The quality of one unit's own open objectives (not those of units below it, and not
    its staff's individual objectives, which are counted apart)."""

    unit_id: int
    objectives: int = 0
    active: int = 0
    clear: int = 0
    aligned: int = 0
    agreed: int = 0
    challenging: int = 0
    stale: int = 0
    individual: int = 0
    is_thicket: bool = False
    failed: Counter = field(default_factory=Counter)


def unit_summaries(
    objectives: Mapping[int, ObjectiveFacts],
    qualities: Mapping[int, ObjectiveQuality],
    settings: QualitySettings = DEFAULT_SETTINGS,
) -> dict[int, UnitSummary]:
    summaries: dict[int, UnitSummary] = {}
    for objective in objectives.values():
        if objective.status in ("achieved", "dropped"):
            continue
        summary = summaries.setdefault(objective.unit_id, UnitSummary(objective.unit_id))
        if objective.is_individual:
            summary.individual += 1
            continue
        quality = qualities[objective.id]
        summary.objectives += 1
        summary.active += objective.status == "active"
        summary.clear += quality.clear.passed is True
        summary.aligned += quality.aligned.passed is True
        summary.agreed += quality.agreed.passed is True
        summary.challenging += quality.challenging.passed is True
        summary.stale += quality.is_stale
        summary.failed.update(quality.failed)
    for summary in summaries.values():
        summary.is_thicket = summary.active > settings.thicket_limit
    return summaries
