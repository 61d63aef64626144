"""What the organisation pages show, shaped from organisation-scoped querysets.

Each page is built in a fixed number of queries whatever the size of the trust: counts are
grouped in the database and rolled up the tree in Python using the materialised path."""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from colead.accounts.permissions import has_permission
from colead.accounts.roles import Permission
from colead.lib.formatting import uk_date
from colead.org import reference
from colead.org.models import LeadershipPost, Person, PersonChange, Unit, UnitLevel

PATH_SEGMENT_LENGTH = len(Unit.path_segment(1))
TREE_OPEN_DEPTH = 2  # the top unit and the level below it start expanded
SEARCH_LIMIT = 100
PEOPLE_PER_PAGE = 50
LEVEL_LABELS = dict(UnitLevel.choices)


def path_ids(path: str) -> list[int]:
    """Unit ids along a materialised path, root first."""
    return [int(part) for part in path.strip("/").split("/") if part]


def rolled_up_headcounts(paths: dict[int, str], direct: dict[int, int]) -> dict[int, int]:
    """Headcount of each unit's subtree: ``direct`` counts people by primary unit; each count
    is added to every ancestor on the unit's path that is in ``paths``."""
    totals = dict.fromkeys(paths, 0)
    for unit_id, count in direct.items():
        path = paths.get(unit_id)
        if path is None:
            continue
        for ancestor_id in path_ids(path):
            if ancestor_id in totals:
                totals[ancestor_id] += count
    return totals


def outermost(units) -> list[Unit]:
    """Drop units that lie inside another unit of the list."""
    units = sorted({unit.pk: unit for unit in units}.values(), key=lambda unit: unit.path)
    kept: list[Unit] = []
    for unit in units:
        if not any(unit.path.startswith(other.path) for other in kept):
            kept.append(unit)
    return kept


def unit_href(code: str) -> str:
    return reverse("org:unit", args=[code])


def person_href(employee_number: str) -> str:
    return reverse("org:person", args=[employee_number])


# The structure tree -------------------------------------------------------------------


@dataclass
class TreeNode:
    id: int
    code: str
    name: str
    level: str
    path: str
    depth: int
    is_active: bool
    headcount: int = 0
    open: bool = False
    children: list["TreeNode"] = field(default_factory=list)
    trail: list[str] = field(default_factory=list)

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level, self.level)

    @property
    def href(self) -> str:
        return unit_href(self.code)


def structure_tree(organisation, scopes, query: str = "") -> dict:
    """The units a user may see (``scopes`` from ``permitted_scopes``; ``[None]`` for the
    whole organisation) as a nested tree with subtree headcounts, in two queries. With a
    ``query``, also the units whose name or code contains it, each with its trail."""
    units = Unit.objects.for_org(organisation)
    if scopes != [None]:
        roots = outermost(scope for scope in scopes if scope is not None)
        if not roots:
            return {"roots": [], "unit_count": 0, "matches": None, "match_count": 0}
        within = Q()
        for root in roots:
            within |= Q(path__startswith=root.path)
        units = units.filter(within)
    rows = units.order_by("path").values_list(
        "id", "code", "name", "level", "parent_id", "path", "depth", "is_active"
    )
    direct = dict(
        Person.objects.for_org(organisation)
        .current()
        .order_by()
        .values_list("primary_unit_id")
        .annotate(n=Count("id"))
        .values_list("primary_unit_id", "n")
    )

    nodes: dict[int, TreeNode] = {}
    roots_: list[TreeNode] = []
    parents: dict[int, int | None] = {}
    for unit_id, code, name, level, parent_id, path, depth, is_active in rows:
        node = TreeNode(unit_id, code, name, level, path, depth, is_active)
        nodes[unit_id] = node
        parents[unit_id] = parent_id
        parent = nodes.get(parent_id)
        if parent is None:
            roots_.append(node)
        else:
            parent.children.append(node)

    totals = rolled_up_headcounts({n.id: n.path for n in nodes.values()}, direct)
    for node in nodes.values():
        node.headcount = totals[node.id]
        node.children.sort(key=lambda child: (child.name.lower(), child.code))

    def mark_open(node: TreeNode, relative_depth: int) -> None:
        node.open = relative_depth < TREE_OPEN_DEPTH
        for child in node.children:
            mark_open(child, relative_depth + 1)

    for root in roots_:
        mark_open(root, 0)

    matches = None
    match_count = 0
    needle = query.strip().lower()
    if needle:
        found = [
            node
            for node in nodes.values()
            if needle in node.name.lower() or needle in node.code.lower()
        ]
        found.sort(key=lambda node: (node.depth, node.name.lower(), node.code))
        match_count = len(found)
        matches = found[:SEARCH_LIMIT]
        for node in matches:
            node.trail = [
                nodes[ancestor_id].name
                for ancestor_id in path_ids(node.path)[:-1]
                if ancestor_id in nodes
            ]

    return {
        "roots": roots_,
        "unit_count": len(nodes),
        "matches": matches,
        "match_count": match_count,
        "search_limit": SEARCH_LIMIT,
    }


# A unit's page ------------------------------------------------------------------------


def breadcrumbs_for(user, ancestors) -> list[dict]:
    """Home, the structure, then each ancestor the user may open (root first)."""
    crumbs = [
        {"text": "Home", "href": reverse("home:home")},
        {"text": "Organisation structure", "href": reverse("org:tree")},
    ]
    for ancestor in ancestors:
        if has_permission(user, Permission.ORG_VIEW, ancestor):
            crumbs.append({"text": ancestor.name, "href": unit_href(ancestor.code)})
    return crumbs


def ordered_counts(counts: Counter, reference_items) -> list[dict]:
    """Rows in reference order (codes not in the reference data last), non-zero only."""
    rows = []
    known = set()
    for item in reference_items:
        known.add(item.code)
        if counts.get(item.code):
            rows.append({"code": item.code, "name": item.name, "count": counts[item.code]})
    for code in sorted(set(counts) - known):
        if counts[code]:
            rows.append({"code": code, "name": code or "Not recorded", "count": counts[code]})
    return rows


def headcount_breakdown(unit) -> dict:
    """Current headcount of the unit's subtree by staff group and by band (one query)."""
    by_group: Counter = Counter()
    by_band: Counter = Counter()
    for staff_group, band, count in (
        Person.objects.in_subtree(unit)
        .current()
        .order_by()
        .values_list("staff_group", "band")
        .annotate(n=Count("id"))
        .values_list("staff_group", "band", "n")
    ):
        by_group[staff_group] += count
        by_band[band] += count
    return {
        "total": sum(by_group.values()),
        "by_staff_group": ordered_counts(by_group, reference.staff_groups()),
        "by_band": ordered_counts(by_band, reference.bands()),
    }


def subunits_with_headcounts(unit, children) -> tuple[list[dict], int]:
    """Each direct child with the headcount of its subtree, and the number of people whose
    primary unit is the unit itself (one query)."""
    start = len(unit.path)
    per_child: Counter = Counter()
    direct = 0
    for path, count in (
        Person.objects.in_subtree(unit)
        .current()
        .order_by()
        .values_list("primary_unit__path")
        .annotate(n=Count("id"))
        .values_list("primary_unit__path", "n")
    ):
        if path == unit.path:
            direct += count
        else:
            per_child[int(path[start : start + PATH_SEGMENT_LENGTH - 1])] += count
    rows = [
        {
            "code": child.code,
            "name": child.name,
            "level": child.get_level_display(),
            "is_active": child.is_active,
            "headcount": per_child.get(child.pk, 0),
            "href": unit_href(child.code),
        }
        for child in children
    ]
    return rows, direct


def person_link(user, person) -> str | None:
    """The person page's address if the user may open it, else None."""
    if person is not None and has_permission(user, Permission.PERSON_VIEW, person.primary_unit):
        return person_href(person.employee_number)
    return None


def unit_leaders(user, unit) -> list[dict]:
    leaders = (
        Person.objects.for_org(unit.organisation_id)
        .current()
        .filter(is_leader=True)
        .filter(Q(primary_unit=unit) | Q(primary_unit__parent=unit))
        .select_related("primary_unit")
        .order_by("last_name", "first_name", "pk")
    )
    return [
        {
            "name": leader.full_name,
            "href": person_link(user, leader),
            "job_title": leader.job_title,
            "band": leader.band_name,
            "unit": leader.primary_unit.name,
            "unit_href": unit_href(leader.primary_unit.code),
        }
        for leader in leaders
    ]


def unit_posts(user, unit) -> list[dict]:
    posts = (
        LeadershipPost.objects.for_org(unit.organisation_id)
        .filter(Q(unit=unit) | Q(unit__parent=unit))
        .select_related("unit", "holder__primary_unit")
        .order_by("unit__path", "title", "pk")
    )
    rows = []
    for post in posts:
        holder = post.holder
        rows.append(
            {
                "title": post.title,
                "level": post.get_level_display(),
                "unit": post.unit.name,
                "unit_href": unit_href(post.unit.code),
                "holder": holder.full_name if holder else None,
                "holder_href": person_link(user, holder),
                "holder_left": bool(holder and not holder.is_current),
                "is_vacant": holder is None,
                "is_interim": post.is_interim,
                "is_critical": post.is_critical,
            }
        )
    return rows


def unit_people(unit):
    """People whose primary unit is this unit, for paging."""
    return (
        Person.objects.for_org(unit.organisation_id)
        .current()
        .filter(primary_unit=unit)
        .order_by("last_name", "first_name", "pk")
    )


def person_rows(people) -> list[dict]:
    return [
        {
            "name": person.full_name,
            "href": person_href(person.employee_number),
            "employee_number": person.employee_number,
            "job_title": person.job_title,
            "band": person.band_name,
        }
        for person in people
    ]


def unit_summary_rows(unit, parent, direct_headcount: int, total: int) -> list[dict]:
    rows = [
        {"key": "Level", "value": unit.get_level_display()},
        {"key": "Code", "value": unit.code},
        {"key": "Site", "value": unit.site or "Not recorded"},
        {
            "key": "Part of",
            "value": parent.name if parent else "Top of the organisation",
            "href": unit_href(parent.code) if parent else None,
        },
        {"key": "Status", "value": "Active" if unit.is_active else "Inactive"},
        {"key": "Staff in post (this unit and below)", "value": f"{total:,}"},
        {"key": "Staff whose primary unit is this unit", "value": f"{direct_headcount:,}"},
    ]
    return rows


def unit_page(user, unit, ancestors, children) -> dict:
    """Everything on a unit page but the paged people list; ``ancestors`` root first,
    excluding the unit; ``children`` the unit's direct children."""
    breakdown = headcount_breakdown(unit)
    subunits, direct = subunits_with_headcounts(unit, children)
    parent = ancestors[-1] if ancestors else None
    return {
        "unit": unit,
        "breadcrumbs": breadcrumbs_for(user, ancestors),
        "summary_rows": unit_summary_rows(unit, parent, direct, breakdown["total"]),
        "headcount": breakdown,
        "subunits": subunits,
        "leaders": unit_leaders(user, unit),
        "posts": unit_posts(user, unit),
    }


# A person's page ----------------------------------------------------------------------

CHANGE_FIELD_LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "primary_unit": "Primary unit",
    "staff_group": "Staff group",
    "band": "Band",
    "job_title": "Job title",
    "line_manager": "Line manager",
    "start_date": "Start date",
    "leaving_date": "Leaving date",
    "leader_flag": "Flagged as a leader",
    "is_leader": "Leader",
}
CHANGE_VALUE_NAMES = {"staff_group": reference.staff_group_name, "band": reference.band_name}


def _change_value(field_name: str, value) -> str:
    if value is None or value == "":
        return "blank"
    if isinstance(value, bool):
        return "yes" if value else "no"
    convert = CHANGE_VALUE_NAMES.get(field_name)
    return convert(str(value)) if convert else str(value)


def change_rows(changes) -> list[dict]:
    """A person's history. Protected characteristics are never recorded in it; any such
    field is still dropped here rather than shown."""
    rows = []
    for change in changes:
        details = []
        fields = change.fields if isinstance(change.fields, dict) else {}
        for name, values in fields.items():
            if name in reference.PROTECTED_FIELDS:
                continue
            old, new = (values + [None, None])[:2] if isinstance(values, list) else (None, values)
            details.append(
                {
                    "field": CHANGE_FIELD_LABELS.get(name, name.replace("_", " ").capitalize()),
                    "old": _change_value(name, old),
                    "new": _change_value(name, new),
                }
            )
        rows.append(
            {
                "when": timezone.localtime(change.created_at),
                "kind": change.get_kind_display(),
                "source": change.import_run.filename if change.import_run_id else "",
                "details": details,
            }
        )
    return rows


def person_summary_rows(user, person) -> list[dict]:
    manager = person.line_manager
    return [
        {"key": "Employee number", "value": person.employee_number},
        {"key": "Job title", "value": person.job_title or "Not recorded"},
        {
            "key": "Primary unit",
            "value": person.primary_unit.name,
            "href": unit_href(person.primary_unit.code)
            if has_permission(user, Permission.ORG_VIEW, person.primary_unit)
            else None,
        },
        {"key": "Staff group", "value": person.staff_group_name},
        {"key": "Band", "value": person.band_name},
        {
            "key": "Line manager",
            "value": manager.full_name if manager else "None recorded",
            "href": person_link(user, manager),
        },
        {"key": "Email", "value": person.email or "Not recorded"},
        {"key": "Start date", "value": uk_date(person.start_date) or "Not recorded"},
        {"key": "Leader", "value": "Yes" if person.is_leader else "No"},
        {
            "key": "Status",
            "value": f"Left on {uk_date(person.leaving_date)}"
            if person.leaving_date
            else "In post",
        },
    ]


def person_page(user, person) -> dict:
    reports = (
        person.reports.current()
        .select_related("primary_unit")
        .order_by("last_name", "first_name", "pk")
    )
    memberships = person.memberships.select_related("unit").order_by("unit__name", "unit__code")
    posts = person.posts.select_related("unit").order_by("unit__path", "title")
    changes = PersonChange.objects.filter(person=person).select_related("import_run")[:100]
    crumbs = [
        {"text": "Home", "href": reverse("home:home")},
        {"text": "Organisation structure", "href": reverse("org:tree")},
    ]
    if has_permission(user, Permission.ORG_VIEW, person.primary_unit):
        crumbs.append(
            {"text": person.primary_unit.name, "href": unit_href(person.primary_unit.code)}
        )
    return {
        "person": person,
        "breadcrumbs": crumbs,
        "summary_rows": person_summary_rows(user, person),
        "reports": [
            {
                "name": report.full_name,
                "href": person_link(user, report),
                "job_title": report.job_title,
                "unit": report.primary_unit.name,
            }
            for report in reports
        ],
        "memberships": [
            {
                "name": membership.unit.name,
                "code": membership.unit.code,
                "href": unit_href(membership.unit.code)
                if has_permission(user, Permission.ORG_VIEW, membership.unit)
                else None,
            }
            for membership in memberships
        ],
        "posts": [
            {
                "title": post.title,
                "level": post.get_level_display(),
                "unit": post.unit.name,
                "unit_href": unit_href(post.unit.code)
                if has_permission(user, Permission.ORG_VIEW, post.unit)
                else None,
                "is_interim": post.is_interim,
                "is_critical": post.is_critical,
            }
            for post in posts
        ],
        "history": change_rows(changes),
    }


PROTECTED_LABELS = {
    "ethnicity": "Ethnicity",
    "sex": "Sex",
    "disability": "Disability",
    "age_band": "Age band",
}


def protected_rows(characteristics) -> list[dict]:
    values = characteristics.as_dict() if characteristics is not None else {}
    return [
        {"key": PROTECTED_LABELS[name], "value": values.get(name) or "Not recorded"}
        for name in reference.PROTECTED_FIELDS
    ]
