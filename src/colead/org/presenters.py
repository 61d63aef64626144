"""What the organisation pages show, shaped for the templates from what ``queries`` read.

No queries and no access decisions here: ``queries`` looks up, decides what the actor may
see (a ``Sight``) and audits; these functions only arrange the result and draw a link
where the sight allows one."""

from collections import Counter
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from colead.lib.formatting import uk_date
from colead.org import reference
from colead.org.models import Unit, UnitLevel
from colead.org.queries import PersonPage, Sight, UnitListing, UnitPage

PATH_SEGMENT_LENGTH = len(Unit.path_segment(1))
TREE_OPEN_DEPTH = 2  # the top unit and the level below it start expanded
SEARCH_LIMIT = 100
LEVEL_LABELS = dict(UnitLevel.choices)


def path_ids(path: str) -> list[int]:
    """Unit ids along a materialised path, root first."""
    return [int(part) for part in path.strip("/").split("/") if part]


def unit_href(code: str) -> str:
    return reverse("org:unit", args=[code])


def person_href(employee_number: str) -> str:
    return reverse("org:person", args=[employee_number])


def _structure_crumbs() -> list[dict]:
    return [
        {"text": "Home", "href": reverse("home:home")},
        {"text": "Organisation structure", "href": reverse("org:tree")},
    ]


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


def structure_tree(listing: UnitListing, query: str = "") -> dict:
    """The units the actor may see as a nested tree with subtree headcounts; with a
    ``query``, also the units whose name or code contains it, each with its trail."""
    nodes: dict[int, TreeNode] = {}
    roots: list[TreeNode] = []
    for unit in listing.units:
        node = TreeNode(
            unit.pk, unit.code, unit.name, unit.level, unit.path, unit.depth, unit.is_active
        )
        node.headcount = listing.totals[unit.pk]
        nodes[unit.pk] = node
        parent = nodes.get(unit.parent_id)
        if parent is None:
            roots.append(node)
        else:
            parent.children.append(node)
    for node in nodes.values():
        node.children.sort(key=lambda child: (child.name.lower(), child.code))
    for root in roots:
        _mark_open(root, 0)
    matches, match_count = _matches(nodes, query)
    return {
        "roots": roots,
        "unit_count": len(nodes),
        "matches": matches,
        "match_count": match_count,
        "search_limit": SEARCH_LIMIT,
    }


def _mark_open(node: TreeNode, relative_depth: int) -> None:
    node.open = relative_depth < TREE_OPEN_DEPTH
    for child in node.children:
        _mark_open(child, relative_depth + 1)


def _matches(nodes: dict[int, TreeNode], query: str) -> tuple[list[TreeNode] | None, int]:
    needle = query.strip().lower()
    if not needle:
        return None, 0
    found = [
        node
        for node in nodes.values()
        if needle in node.name.lower() or needle in node.code.lower()
    ]
    found.sort(key=lambda node: (node.depth, node.name.lower(), node.code))
    for node in found[:SEARCH_LIMIT]:
        node.trail = [
            nodes[ancestor_id].name
            for ancestor_id in path_ids(node.path)[:-1]
            if ancestor_id in nodes
        ]
    return found[:SEARCH_LIMIT], len(found)


# A unit's page ------------------------------------------------------------------------


def ordered_counts(counts: Counter, reference_items, name_of) -> list[dict]:
    """Rows in reference order (codes not in the reference data last), non-zero only, each
    named by ``name_of(code)``."""
    rows = []
    known = set()
    for item in reference_items:
        known.add(item.code)
        if counts.get(item.code):
            rows.append({"code": item.code, "name": name_of(item.code), "count": counts[item.code]})
    for code in sorted(set(counts) - known):
        if counts[code]:
            rows.append({"code": code, "name": code or "Not recorded", "count": counts[code]})
    return rows


def headcount_breakdown(staff_by_group_and_band) -> dict:
    """The subtree's headcount by staff group and by band."""
    by_group: Counter = Counter()
    by_band: Counter = Counter()
    for staff_group, band, count in staff_by_group_and_band:
        by_group[staff_group] += count
        by_band[band] += count
    return {
        "total": sum(by_group.values()),
        "by_staff_group": ordered_counts(
            by_group, reference.staff_groups(), reference.staff_group_name
        ),
        "by_band": ordered_counts(by_band, reference.bands(), reference.band_name),
    }


def subunits_with_headcounts(unit, children, staff_by_path) -> tuple[list[dict], int]:
    """Each direct child with the headcount of its subtree, and the number of people whose
    primary unit is the unit itself."""
    start = len(unit.path)
    per_child: Counter = Counter()
    direct = 0
    for path, count in staff_by_path:
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


def person_link(sight: Sight, person) -> str | None:
    """The person page's address if the actor may open it, else None."""
    if sight.sees_person(person):
        return person_href(person.employee_number)
    return None


def unit_link(sight: Sight, unit) -> str | None:
    return unit_href(unit.code) if sight.sees_unit(unit) else None


def leader_rows(sight: Sight, leaders) -> list[dict]:
    return [
        {
            "name": leader.full_name,
            "href": person_link(sight, leader),
            "job_title": leader.job_title,
            "band": leader.band_name,
            "unit": leader.primary_unit.name,
            "unit_href": unit_href(leader.primary_unit.code),
        }
        for leader in leaders
    ]


def post_rows(sight: Sight, posts) -> list[dict]:
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
                "holder_href": person_link(sight, holder),
                "holder_left": bool(holder and not holder.is_current),
                "is_vacant": holder is None,
                "is_interim": post.is_interim,
                "is_critical": post.is_critical,
            }
        )
    return rows


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
    return [
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


def unit_page(page: UnitPage) -> dict:
    """Everything on a unit page but the paged people list."""
    unit, sight = page.unit, page.sight
    breakdown = headcount_breakdown(page.staff_by_group_and_band)
    subunits, direct = subunits_with_headcounts(unit, page.children, page.staff_by_path)
    parent = page.ancestors[-1] if page.ancestors else None
    crumbs = _structure_crumbs() + [
        {"text": ancestor.name, "href": unit_href(ancestor.code)}
        for ancestor in page.ancestors
        if sight.sees_unit(ancestor)
    ]
    return {
        "unit": unit,
        "breadcrumbs": crumbs,
        "summary_rows": unit_summary_rows(unit, parent, direct, breakdown["total"]),
        "headcount": breakdown,
        "subunits": subunits,
        "leaders": leader_rows(sight, page.leaders),
        "posts": post_rows(sight, page.posts),
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


def person_summary_rows(sight: Sight, person) -> list[dict]:
    manager = person.line_manager
    return [
        {"key": "Employee number", "value": person.employee_number},
        {"key": "Job title", "value": person.job_title or "Not recorded"},
        {
            "key": "Primary unit",
            "value": person.primary_unit.name,
            "href": unit_link(sight, person.primary_unit),
        },
        {"key": "Staff group", "value": person.staff_group_name},
        {"key": "Band", "value": person.band_name},
        {
            "key": "Line manager",
            "value": manager.full_name if manager else "None recorded",
            "href": person_link(sight, manager),
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


def person_page(page: PersonPage) -> dict:
    person, sight = page.person, page.sight
    crumbs = _structure_crumbs()
    if sight.sees_unit(person.primary_unit):
        crumbs.append(
            {"text": person.primary_unit.name, "href": unit_href(person.primary_unit.code)}
        )
    context = {
        "person": person,
        "is_self": page.is_self,
        "shows_protected": page.shows_protected,
        "breadcrumbs": crumbs,
        "summary_rows": person_summary_rows(sight, person),
        "reports": [
            {
                "name": report.full_name,
                "href": person_link(sight, report),
                "job_title": report.job_title,
                "unit": report.primary_unit.name,
            }
            for report in page.reports
        ],
        "memberships": [
            {
                "name": membership.unit.name,
                "code": membership.unit.code,
                "href": unit_link(sight, membership.unit),
            }
            for membership in page.memberships
        ],
        "posts": [
            {
                "title": post.title,
                "level": post.get_level_display(),
                "unit": post.unit.name,
                "unit_href": unit_link(sight, post.unit),
                "is_interim": post.is_interim,
                "is_critical": post.is_critical,
            }
            for post in page.posts
        ],
        "history": change_rows(page.history),
    }
    if page.shows_protected:
        context["protected_rows"] = protected_rows(page.protected)
    return context


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
