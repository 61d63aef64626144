"""The organisation's structure: units as a flat list, a tree, or one unit's subtree.

Everything is limited to the subtrees where the caller holds ``ORG_VIEW``, and each
endpoint runs a fixed number of queries whatever the size of the structure: one for the
units, one for the headcounts, and the tree is assembled in Python.
"""

from collections import Counter

from django.db.models import Count, Q
from ninja import Query, Router

from colead.accounts.roles import Permission
from colead.api.access import access, clean_code, requires
from colead.api.schemas import (
    ERRORS,
    ERRORS_AND_VALIDATION,
    OrgCode,
    UnitCode,
    UnitListQuery,
    UnitNodeOut,
    UnitOut,
)
from colead.core.errors import NotFound, Refused
from colead.org.models import Person, Unit

router = Router(tags=["Units"])

UNIT_FIELDS = ("id", "code", "name", "level", "site", "parent_id", "path", "depth", "is_active")


def _headcounts(organisation, people_filter) -> Counter:
    """Current staff per primary unit id, for people matching ``people_filter``."""
    rows = (
        Person.objects.for_org(organisation)
        .current()
        .filter(people_filter)
        .values("primary_unit_id")
        .annotate(n=Count("id"))
        .values_list("primary_unit_id", "n")
    )
    return Counter(dict(rows))


def _unit_rows(units, direct: Counter) -> list[dict]:
    """Units (ordered by path) as dicts, with headcounts rolled up the visible tree and
    parent codes only where the parent is itself among ``units``."""
    by_id = {unit.pk: unit for unit in units}
    totals = Counter()
    for unit_id, n in direct.items():
        unit = by_id.get(unit_id)
        if unit is None:
            continue
        for ancestor_id in unit.ancestor_ids():
            if ancestor_id in by_id:
                totals[ancestor_id] += n
    rows = []
    for unit in units:
        parent = by_id.get(unit.parent_id)
        rows.append(
            {
                "id": unit.pk,
                "parent_id": parent.pk if parent is not None else None,
                "code": unit.code,
                "name": unit.name,
                "level": unit.level,
                "site": unit.site,
                "parent_code": parent.code if parent is not None else None,
                "depth": unit.depth,
                "is_active": unit.is_active,
                "headcount": totals[unit.pk],
                "headcount_direct": direct[unit.pk],
            }
        )
    return rows


def _visible_units(granted):
    return list(
        Unit.objects.for_org(granted.organisation)
        .filter(granted.unit_q())
        .only(*UNIT_FIELDS)
        .order_by("path")
    )


def _find_unit(granted, unit_code: UnitCode) -> Unit:
    unit = (
        Unit.objects.for_org(granted.organisation)
        .filter(code=clean_code(unit_code, 40))
        .select_related("parent")
        .first()
    )
    if unit is None:
        raise NotFound(f"No unit {unit_code!r} in {granted.organisation.code}.")
    if not granted.allows(unit):
        raise Refused(f"You may not see unit {unit_code!r}: your roles cover other units.")
    return unit


@router.get(
    "/organisations/{org_code}/units",
    response={200: list[UnitOut], **ERRORS_AND_VALIDATION},
    summary="List units",
    operation_id="list_units",
)
@requires(Permission.ORG_VIEW)
def list_units(request, org_code: OrgCode, filters: Query[UnitListQuery]):
    """Every unit the caller may see, in tree order (parents before their children).

    Headcounts count current staff in the unit and below it, within what the caller may
    see. `parent_code` is null at the top of the caller's view."""
    granted = access(request)
    units = _visible_units(granted)
    rows = _unit_rows(units, _headcounts(granted.organisation, granted.unit_q("primary_unit__")))
    if filters.level:
        rows = [row for row in rows if row["level"] == filters.level]
    return rows


@router.get(
    "/organisations/{org_code}/units/tree",
    response={200: list[UnitNodeOut], **ERRORS},
    summary="Get the unit tree",
    operation_id="unit_tree",
)
@requires(Permission.ORG_VIEW)
def unit_tree(request, org_code: OrgCode):
    """The units the caller may see, nested: each unit has a `children` array.

    A caller who may see the whole organisation gets one root; a caller who may see
    several separate subtrees gets one root for each."""
    granted = access(request)
    units = _visible_units(granted)
    rows = _unit_rows(units, _headcounts(granted.organisation, granted.unit_q("primary_unit__")))
    nodes = {row["id"]: {**row, "children": []} for row in rows}
    roots = []
    for row in rows:  # ordered by path, so parents come before children
        node = nodes[row["id"]]
        if row["parent_id"] is None:
            roots.append(node)
        else:
            nodes[row["parent_id"]]["children"].append(node)
    return roots


@router.get(
    "/organisations/{org_code}/units/{unit_code}",
    response={200: UnitOut, **ERRORS},
    summary="Get a unit",
    operation_id="get_unit",
)
@requires(Permission.ORG_VIEW)
def get_unit(request, org_code: OrgCode, unit_code: UnitCode):
    """One unit, with headcounts for it and everything below it."""
    granted = access(request)
    unit = _find_unit(granted, unit_code)
    counts = (
        Person.objects.for_org(granted.organisation)
        .current()
        .filter(_people_under(unit))
        .aggregate(total=Count("id"), direct=Count("id", filter=Q(primary_unit=unit)))
    )
    return {
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "site": unit.site,
        "parent_code": _visible_parent_code(granted, unit),
        "depth": unit.depth,
        "is_active": unit.is_active,
        "headcount": counts["total"],
        "headcount_direct": counts["direct"],
    }


@router.get(
    "/organisations/{org_code}/units/{unit_code}/subtree",
    response={200: list[UnitOut], **ERRORS},
    summary="Get a unit's subtree",
    operation_id="unit_subtree",
)
@requires(Permission.ORG_VIEW)
def unit_subtree(request, org_code: OrgCode, unit_code: UnitCode):
    """The unit and every unit below it, flat, in tree order, with headcounts."""
    granted = access(request)
    unit = _find_unit(granted, unit_code)
    units = list(Unit.objects.subtree(unit).only(*UNIT_FIELDS).order_by("path"))
    rows = _unit_rows(units, _headcounts(granted.organisation, _people_under(unit)))
    rows[0]["parent_code"] = _visible_parent_code(granted, unit)
    return rows


def _people_under(unit) -> Q:
    return Q(primary_unit__path__startswith=unit.path)


def _visible_parent_code(granted, unit) -> str | None:
    if unit.parent_id and granted.allows(unit.parent):
        return unit.parent.code
    return None
