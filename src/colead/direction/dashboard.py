"""The coverage dashboard for the board and OD leads: how far the golden thread
reaches, for the organisation or one division or directorate, with the lists behind each
figure, the trend from the daily snapshots, and, where a survey wave has closed, how each
unit's coverage goes with its staff's "goals and performance" score.

Only shaping: ``colead.direction.queries`` checks the scope and hands over what is read,
the organisation's facts and coverage (``Loaded``) and a ``queries.CoverageSource`` for the
rest (one query of snapshots, the latest scored wave and the results service's cached
tables, a few queries), so the page costs the same number of queries whatever the
organisation's size. Survey scores come only from ``colead.insights.results`` tables, which
are disclosure-controlled: a suppressed cell has no score, and such units are left out of
the comparison and counted.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from colead.direction import charts, facts
from colead.direction.coverage import CoverageReport, GroupCoverage, share
from colead.direction.models import CoverageSnapshot
from colead.direction.reference import LIVE_STATUSES, STATUSES
from colead.lib import tree
from colead.lib.errors import Invalid
from colead.lib.formatting import percent, thousands, uk_date

GOALS = "goals_performance"
LEVELS = {"division": "divisions", "directorate": "directorates"}
TREND_DAYS = 731  # the trend covers the last two years
# Coverage for the comparison is taken from the latest snapshot on or before the wave
# closed, if one is this recent; otherwise today's figures are used.
SNAPSHOT_NEAR_CLOSE_DAYS = 92
LIST_KINDS = {
    "orphans": "Orphan objectives",
    "stale": "Stale objectives",
    "thickets": "Priority thickets",
    "uncovered": "Teams without an agreed, aligned objective",
}
PER_PAGE = 100
SINGULAR = {"teams": "team"}


def coverage_href(unit_code: str | None = None, **params) -> str:
    query = {"unit": unit_code, **params}
    pairs = "&".join(f"{key}={value}" for key, value in query.items() if value)
    return reverse("direction:coverage") + (f"?{pairs}" if pairs else "")


def list_href(kind: str, unit_code: str | None = None) -> str:
    href = reverse("direction:coverage_list", args=[kind])
    return f"{href}?unit={unit_code}" if unit_code else href


def share_text(part: int, whole: int, noun: str) -> str:
    """ "62% (31 of 50 teams)", or "no teams" when there are none."""
    if not whole:
        return f"no {noun}"
    if whole == 1:
        noun = SINGULAR.get(noun, noun)
    return f"{percent(share(part, whole))} ({thousands(part)} of {thousands(whole)} {noun})"


def _depth(path: str) -> int:
    return path.count("/") - 2


# -- Loading and scope ---------------------------------------------------------------------


@dataclass
class Scope:
    """The organisation, or one division or directorate, and what falls inside it."""

    group: GroupCoverage | None  # None: the whole organisation
    path: str  # the unit's path ("" for the organisation: every path starts with it)
    name: str

    @property
    def code(self) -> str | None:
        return self.group.code if self.group else None

    @property
    def level(self) -> str:
        return self.group.level if self.group else "organisation"


@dataclass
class Loaded:
    facts: facts.DirectionFacts
    report: CoverageReport
    groups: dict[str, GroupCoverage] = field(default_factory=dict)

    @classmethod
    def of(cls, direction_facts: facts.DirectionFacts, report: CoverageReport) -> "Loaded":
        """The organisation's facts and its coverage report, with its divisions and
        directorates by code."""
        groups = {group.code: group for group in (*report.by_division, *report.by_directorate)}
        return cls(direction_facts, report, groups)

    def contains(self, scope: Scope, unit_id: int | None) -> bool:
        path = self.facts.unit_paths.get(unit_id)
        return path is not None and tree.is_within(path, scope.path)


def find_scope(loaded: Loaded, organisation, unit_code: str) -> Scope:
    """The scope named by ``?unit=`` (blank: the organisation); Invalid otherwise."""
    unit_code = unit_code.strip()
    if not unit_code:
        return Scope(None, "", organisation.name)
    group = loaded.groups.get(unit_code)
    if group is not None:
        return Scope(group, loaded.facts.unit_paths[group.unit_id], group.name)
    unit = next((u for u in loaded.facts.units.values() if u.code == unit_code), None)
    shown = unit_code[:40]
    if unit is None:
        text = (
            f"There is no division or directorate with the code “{shown}”. Choose one from "
            "the table on this page."
        )
    elif not unit.is_active:
        text = f"{unit.name} ({unit.code}) is no longer active, so it has no coverage figures."
    else:
        text = (
            f"{unit.name} ({unit.code}) is a {unit.level}: coverage is broken down by division "
            "and directorate. Its objectives are on its own page."
        )
    raise Invalid({"unit": text}, source="query")


def figures_of(loaded: Loaded, scope: Scope) -> dict:
    """The headline counts of the scope (the report's own for the organisation)."""
    if scope.group is not None:
        group = scope.group
        return {
            "teams": group.teams,
            "teams_covered": group.teams_covered,
            "staff": group.staff,
            "staff_covered": group.staff_covered,
            "objectives": group.objectives,
            "orphans": group.orphans,
            "thickets": group.thickets,
            "stale": group.stale,
        }
    report = loaded.report
    return {
        "teams": report.teams,
        "teams_covered": report.teams_covered,
        "staff": report.staff,
        "staff_covered": report.staff_covered,
        "objectives": report.objectives,
        "orphans": len(report.orphan_ids),
        "thickets": len(report.thicket_counts),
        "stale": len(report.stale_days),
    }


def headline(figures: dict, scope: Scope, settings) -> list[dict]:
    """Rows for a summary list: each figure, with a link to what is behind it."""
    code = scope.code
    uncovered = figures["teams"] - figures["teams_covered"]
    return [
        {
            "key": "Teams with an agreed objective aligned to the organisation’s",
            "value": share_text(figures["teams_covered"], figures["teams"], "teams"),
            "href": list_href("uncovered", code) if uncovered else None,
            "link": "List",
            "hidden": f"the {thousands(uncovered)} without an agreed, aligned objective",
        },
        {
            "key": "Staff with an agreed individual objective aligned to the organisation’s",
            "value": share_text(figures["staff_covered"], figures["staff"], "staff"),
            "href": None,
        },
        {
            "key": "Open objectives (draft to active)",
            "value": thousands(figures["objectives"]),
            "href": None,
        },
        {
            "key": "Orphans: no path up to an organisation objective",
            "value": thousands(figures["orphans"]),
            "href": list_href("orphans", code) if figures["orphans"] else None,
            "link": "List",
            "hidden": "the orphan objectives",
        },
        {
            "key": f"Priority thickets: units with more than {settings.thicket_limit} active "
            "objectives",
            "value": thousands(figures["thickets"]),
            "href": list_href("thickets", code) if figures["thickets"] else None,
            "link": "List",
            "hidden": "the units with too many objectives",
        },
        {
            "key": f"Stale: agreed or active, no check-in for {settings.stale_days} days",
            "value": thousands(figures["stale"]),
            "href": list_href("stale", code) if figures["stale"] else None,
            "link": "List",
            "hidden": "the stale objectives",
        },
    ]


def group_row(group: GroupCoverage, *, drill: bool) -> dict:
    code = group.code
    return {
        "code": code,
        "name": group.name,
        "href": coverage_href(code) if drill else None,
        "teams": share_text(group.teams_covered, group.teams, "teams"),
        "team_share": group.team_coverage if group.teams else None,
        "staff": share_text(group.staff_covered, group.staff, "staff"),
        "objectives": thousands(group.objectives),
        "orphans": group.orphans,
        "orphans_href": list_href("orphans", code) if group.orphans else None,
        "thickets": group.thickets,
        "thickets_href": list_href("thickets", code) if group.thickets else None,
        "stale": group.stale,
        "stale_href": list_href("stale", code) if group.stale else None,
    }


def _in_group(loaded: Loaded, unit_id: int) -> set[str]:
    """The levels of the active divisions and directorates above a unit (itself included)."""
    path = loaded.facts.unit_paths.get(unit_id, "")
    units = loaded.facts.units
    levels = set()
    for part in path.strip("/").split("/"):
        unit = units.get(int(part)) if part else None
        if unit is not None and unit.is_active and unit.level in LEVELS:
            levels.add(unit.level)
    return levels


def team_rows(loaded: Loaded, scope: Scope, *, outside: frozenset[str] = frozenset()) -> list[dict]:
    """The active teams of the scope, with whether each is covered and its staff's coverage;
    with ``outside``, only the teams in no division or directorate of those levels (the
    ones no row of the tables above counts)."""
    objectives = loaded.facts.objectives
    paths = loaded.facts.paths
    covered_people = {
        o.owner_id
        for o in objectives.values()
        if o.is_individual and o.status in LIVE_STATUSES and o.id in paths
    }
    staff: Counter = Counter()
    staff_covered: Counter = Counter()
    for person in loaded.facts.people:
        staff[person.unit_id] += 1
        staff_covered[person.unit_id] += person.id in covered_people
    rows = []
    for unit in loaded.facts.units.values():
        if unit.level != "team" or not unit.is_active or not loaded.contains(scope, unit.id):
            continue
        if outside & _in_group(loaded, unit.id):
            continue
        rows.append(
            {
                "code": unit.code,
                "name": unit.name,
                "href": reverse("direction:unit", args=[unit.code]),
                "covered": unit.id in loaded.report.covered_team_ids,
                "staff": share_text(staff_covered[unit.id], staff[unit.id], "staff"),
            }
        )
    rows.sort(key=lambda row: (row["name"], row["code"]))
    return rows


def breakdown(loaded: Loaded, scope: Scope) -> dict:
    """The tables below the headline: the organisation's divisions (and any directorates
    and teams outside one), a division's directorates (and teams outside one), or a
    directorate's teams."""
    report = loaded.report
    if scope.group is None:
        return {
            "groups": [group_row(g, drill=True) for g in report.by_division],
            "groups_title": "By division",
            "loose_groups": [
                group_row(g, drill=True) for g in report.by_directorate if g.parent_code is None
            ],
            "teams": team_rows(loaded, scope, outside=frozenset(LEVELS)),
            "teams_title": "Teams in no division or directorate",
        }
    if scope.level == "division":
        return {
            "groups": [
                group_row(g, drill=True)
                for g in report.by_directorate
                if g.parent_code == scope.code
            ],
            "groups_title": f"Directorates of {scope.name}",
            "loose_groups": [],
            "teams": team_rows(loaded, scope, outside=frozenset({"directorate"})),
            "teams_title": f"Teams of {scope.name} in no directorate",
        }
    return {
        "groups": [],
        "groups_title": "",
        "loose_groups": [],
        "teams": team_rows(loaded, scope),
        "teams_title": f"Teams of {scope.name}",
    }


def trail(loaded: Loaded, scope: Scope) -> list[dict]:
    """Breadcrumbs from the dashboard down to the scope's parent (a directorate's division)."""
    if scope.group is None or scope.group.parent_code is None:
        return []
    parent = loaded.groups.get(scope.group.parent_code)
    if parent is None:
        return []
    return [{"text": parent.name, "href": coverage_href(parent.code)}]


# -- The trend -------------------------------------------------------------------------------

SNAPSHOT_FIELDS = (
    "teams",
    "teams_covered",
    "staff",
    "staff_covered",
    "objectives",
    "orphans",
    "thickets",
    "stale",
)


def _point(taken_on: date, figures: dict) -> dict:
    point = {"taken_on": taken_on, **{name: int(figures[name]) for name in SNAPSHOT_FIELDS}}
    point["team_coverage"] = share(point["teams_covered"], point["teams"])
    point["staff_coverage"] = share(point["staff_covered"], point["staff"])
    return point


def trend_points(source, scope: Scope, today: date) -> list[dict]:
    """The scope's figures in each snapshot of the last two years, oldest first."""
    since = today - timedelta(days=TREND_DAYS)
    return [_point(taken_on, figures) for taken_on, figures in source.snapshots(scope, since)]


def trend(source, scope: Scope, today: date) -> dict:
    from colead.lib.charts import svg_data_uri

    points = trend_points(source, scope, today)
    spec = charts.trend_spec(points, title=f"Coverage over time: {scope.name}")
    shown, thinned = charts.table_points(points)
    return {
        "count": len(points),
        "enough": len(points) >= 2,
        "first": uk_date(points[0]["taken_on"]) if points else "",
        "latest": uk_date(points[-1]["taken_on"]) if points else "",
        "chart_src": svg_data_uri(spec) if spec else None,
        "thinned": thinned,
        "rows": [
            {
                "date": uk_date(point["taken_on"]),
                "iso": point["taken_on"].isoformat(),
                "teams": share_text(point["teams_covered"], point["teams"], "teams"),
                "staff": share_text(point["staff_covered"], point["staff"], "staff"),
                "orphans": thousands(point["orphans"]),
                "thickets": thousands(point["thickets"]),
                "stale": thousands(point["stale"]),
            }
            for point in reversed(shown)
        ],
    }


# -- Coverage and the survey's goals and performance score -----------------------------------


def _p_text(p: float | None) -> str:
    if p is None:
        return ""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _r_text(r: float | None, p: float | None) -> str:
    if r is None:
        return "not computed"
    return f"{r:+.2f} ({_p_text(p)})"


def _coverage_source(source, loaded: Loaded, closed_on: date):
    """(teams covered, teams) for a unit id, and what the figures are: the latest snapshot
    taken on or up to three months before the wave closed, else today's figures."""
    snapshot = source.latest_snapshot(
        since=closed_on - timedelta(days=SNAPSHOT_NEAR_CLOSE_DAYS), until=closed_on
    )
    if snapshot is not None:
        groups = snapshot["groups"] or {}

        def from_snapshot(unit_id: int):
            figures = groups.get(CoverageSnapshot.group_key(unit_id))
            return None if figures is None else (figures["teams_covered"], figures["teams"])

        return from_snapshot, f"coverage as recorded on {uk_date(snapshot['taken_on'])}"
    by_id = {group.unit_id: group for group in loaded.groups.values()}

    def from_today(unit_id: int):
        group = by_id.get(unit_id)
        return None if group is None else (group.teams_covered, group.teams)

    return from_today, "coverage today (no snapshot was recorded near the wave’s close)"


LEFT_OUT = {
    "threshold": "fewer responses than the reporting threshold ({k})",
    "hidden": "score hidden so that a smaller group’s figures cannot be worked out",
    "no_teams": "no active teams, so no coverage",
    "no_coverage": "no coverage recorded for them in that snapshot",
}


def _level_points(results, scopes, loaded: Loaded, level: str, coverage_of) -> tuple:
    from colead.insights import results as rs

    units = {g.unit_id: g for g in loaded.groups.values() if g.level == level}
    depths = sorted({_depth(loaded.facts.unit_paths[pk]) for pk in units})
    points: list[dict] = []
    left: Counter = Counter()
    for depth in depths:
        if depth > results.max_level:
            continue
        table = results.table(level=depth)
        for row in rs.scoped_rows(table, scopes):
            group = units.get(row.unit_id)
            if group is None:
                continue
            counts = coverage_of(row.unit_id)
            if counts is None:
                left["no_coverage"] += 1
                continue
            covered, teams = counts
            if not teams:
                left["no_teams"] += 1
                continue
            cell = row.cells.get(GOALS)
            hidden = row.suppressed or (cell.suppressed if cell is not None else "primary")
            if hidden or cell.score is None:
                left["threshold" if hidden in (None, "primary") else "hidden"] += 1
                continue
            points.append(
                {
                    "code": group.code,
                    "name": group.name,
                    "href": coverage_href(group.code),
                    "coverage": share(covered, teams),
                    "coverage_text": share_text(covered, teams, "teams"),
                    "score": cell.score,
                    "score_text": f"{cell.score:.1f}",
                    "respondents": cell.n,
                }
            )
    points.sort(key=lambda point: (point["coverage"], point["score"], point["name"]))
    return points, left


def culture_link(source, scopes, loaded: Loaded, level: str) -> dict | None:
    """The latest closed wave's goals and performance score against coverage, by division
    or directorate (``level``; blank: whichever has more units to compare), within
    ``scopes`` (where the person may see survey results: units, or [None] for the whole
    organisation). None when they may see none."""
    # Imported here, not at start-up: it brings in scipy.
    from colead.direction import correlation
    from colead.lib.charts import svg_data_uri

    if not scopes:
        return None
    wave = source.latest_scored_wave(scopes)
    if wave is None:
        return {"wave": None}
    results = source.results(wave)
    info = {
        "title": wave.title,
        "closed": uk_date(timezone.localtime(wave.closed_at)) if wave.closed_at else "",
        "href": reverse("insights:heatmap", args=[wave.pk]),
        "threshold": results.threshold,
    }
    if GOALS not in results.measure_codes("dimensions"):
        return {"wave": info, "asked": False}
    closed_on = timezone.localdate(wave.closed_at) if wave.closed_at else timezone.localdate()
    coverage_of, figures_from = _coverage_source(source, loaded, closed_on)
    by_level = {name: _level_points(results, scopes, loaded, name, coverage_of) for name in LEVELS}
    if level not in LEVELS:
        # The level with more units to compare (directorates when it is a tie).
        level = max(LEVELS, key=lambda name: (len(by_level[name][0]), name == "directorate"))
    points, left = by_level[level]
    plural = LEVELS[level]
    stats = correlation.correlate([p["coverage"] for p in points], [p["score"] for p in points])
    numbered = charts.label_points(points)
    spec = charts.scatter_spec(
        points,
        title=f"Coverage and goals and performance, by {level}",
        level_label=level,
    )
    return {
        "wave": info,
        "asked": True,
        "level": level,
        "plural": plural,
        "source": figures_from,
        "switch": [
            {
                "label": f"By {name}",
                "href": coverage_href(level=name) + "#culture",
                "current": name == level,
                "count": len(by_level[name][0]),
            }
            for name in LEVELS
        ],
        "points": points,
        "numbered": numbered,
        "chart_src": svg_data_uri(spec) if spec else None,
        "stats": stats,
        "pearson": _r_text(stats.pearson, stats.pearson_p),
        "spearman": _r_text(stats.spearman, stats.spearman_p),
        "strength": correlation.strength(stats.pearson),
        "min_units": correlation.MIN_UNITS,
        "left_out": [
            {
                "count": count,
                "text": f"{count} {plural if count != 1 else level} left out: "
                + LEFT_OUT[reason].format(k=results.threshold),
            }
            for reason, count in left.most_common()
        ],
    }


# -- The pages -------------------------------------------------------------------------------


def coverage_page(
    source, loaded: Loaded, *, results_scopes, today: date, unit_code: str = "", level: str = ""
) -> dict:
    """Everything the dashboard shows, with ``errors`` for the error summary (``source``: a
    queries.CoverageSource; ``results_scopes``: where the person may see survey results,
    see culture_link)."""
    organisation = source.organisation
    errors: list[dict] = []
    try:
        scope = find_scope(loaded, organisation, unit_code)
    except Invalid as error:
        errors.extend({"text": text, "href": "#breakdown"} for text in error.errors.values())
        scope = Scope(None, "", organisation.name)
    level = level.strip()
    if level and level not in LEVELS:
        errors.append(
            {
                "text": f"There is no level “{level[:20]}” to compare. Choose division or "
                "directorate.",
                "href": "#culture",
            }
        )
        level = ""
    settings = loaded.report.settings
    figures = figures_of(loaded, scope)
    return {
        "errors": errors,
        "today": uk_date(today),
        "scope": scope,
        "scope_level": scope.level,
        "trail": trail(loaded, scope),
        "headline": headline(figures, scope, settings),
        "figures": figures,
        "settings": settings,
        "breakdown": breakdown(loaded, scope),
        "trend": trend(source, scope, today),
        "culture": culture_link(source, results_scopes, loaded, level)
        if scope.group is None
        else None,
    }


def _where(loaded: Loaded, unit_id: int) -> str:
    """ "Medicine › Cardiology": the division and directorate a unit is in."""
    path = loaded.facts.unit_paths.get(unit_id, "")
    units = loaded.facts.units
    names = []
    for part in path.strip("/").split("/"):
        unit = units.get(int(part)) if part else None
        if unit is not None and unit.level in LEVELS and unit.id != unit_id:
            names.append(unit.name)
    return " › ".join(names)


def _objective_item(loaded: Loaded, pk: int) -> dict:
    objective = loaded.facts.objectives[pk]
    unit = loaded.facts.units[objective.unit_id]
    return {
        "code": objective.code,
        "title": objective.title,
        "href": reverse("direction:objective", args=[objective.code]),
        "unit_name": unit.name,
        "unit_href": reverse("direction:unit", args=[unit.code]),
        "where": _where(loaded, unit.id),
        "owner_id": objective.owner_id,
        "owner_name": "",
        "status": STATUSES.get(objective.status, objective.status),
    }


def _unit_item(loaded: Loaded, unit_id: int, **extra) -> dict:
    unit = loaded.facts.units[unit_id]
    return {
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "href": reverse("direction:unit", args=[unit.code]),
        "where": _where(loaded, unit.id),
        **extra,
    }


def coverage_list(
    loaded: Loaded, *, organisation, kind: str, today: date, unit_code: str = ""
) -> dict:
    """What is behind one figure of the dashboard, for the organisation or a division or
    directorate: orphan or stale objectives, thicket units, or teams without coverage.
    Raises Invalid for an unknown ``?unit=``."""
    scope = find_scope(loaded, organisation, unit_code)
    report = loaded.report
    objectives = loaded.facts.objectives
    if kind == "orphans":
        items = [
            _objective_item(loaded, pk)
            for pk in report.orphan_ids
            if loaded.contains(scope, objectives[pk].unit_id)
        ]
    elif kind == "stale":
        stale = sorted(report.stale_days.items(), key=lambda item: (-item[1], item[0]))
        items = [
            {**_objective_item(loaded, pk), "days": days}
            for pk, days in stale
            if loaded.contains(scope, objectives[pk].unit_id)
        ]
    elif kind == "thickets":
        thickets = sorted(report.thicket_counts.items(), key=lambda item: (-item[1], item[0]))
        items = [
            _unit_item(loaded, unit_id, active=count)
            for unit_id, count in thickets
            if unit_id in loaded.facts.units and loaded.contains(scope, unit_id)
        ]
    elif kind == "uncovered":
        items = [
            _unit_item(loaded, unit.id)
            for unit in sorted(report.uncovered_teams(), key=lambda u: (u.name, u.code))
            if loaded.contains(scope, unit.id)
        ]
    else:
        raise KeyError(kind)
    return {
        "kind": kind,
        "title": LIST_KINDS[kind],
        "scope": scope,
        "trail": trail(loaded, scope),
        "items": items,
        "settings": report.settings,
        "today": uk_date(today),
    }


def owner_ids(items: list[dict]) -> set[int]:
    """The owners of the individual objectives among a list's items."""
    return {item["owner_id"] for item in items if item.get("owner_id")}


def name_owners(items: list[dict], names: dict[int, str]) -> list[dict]:
    """Fill in the owners' names of individual objectives (``names``: owner id to name)."""
    for item in items:
        if item.get("owner_id"):
            item["owner_name"] = names.get(item["owner_id"], "")
    return items
