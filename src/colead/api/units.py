"""The organisation's structure: units as a flat list, a tree, or one unit's subtree.

Everything is limited to the subtrees where the caller holds ``ORG_VIEW``, and each
endpoint runs a fixed number of queries whatever the size of the structure: one for the
units, one for the headcounts, and the tree is assembled in Python.
"""

from ninja import Query, Router

from colead.accounts.roles import Permission
from colead.api.access import access, requires
from colead.api.schemas import (
    ERRORS,
    ERRORS_AND_VALIDATION,
    OrgCode,
    UnitCode,
    UnitListQuery,
    UnitNodeOut,
    UnitOut,
)
from colead.core.actor import Actor
from colead.org import queries

router = Router(tags=["Units"])


def _unit_rows(listing: queries.UnitListing) -> list[dict]:
    """The listing's units as dicts, with parent codes only where the parent is itself in
    the listing."""
    by_id = {unit.pk: unit for unit in listing.units}
    rows = []
    for unit in listing.units:
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
                "headcount": listing.totals[unit.pk],
                "headcount_direct": listing.direct[unit.pk],
            }
        )
    return rows


def _actor(request) -> Actor:
    return Actor.from_request(request, source="api")


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
    rows = _unit_rows(queries.units(_actor(request), access(request).organisation))
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
    rows = _unit_rows(queries.units(_actor(request), access(request).organisation))
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
    actor, organisation = _actor(request), access(request).organisation
    unit = queries.unit(actor, organisation, unit_code)
    counts = queries.unit_headcount(unit)
    parent = queries.visible_parent(actor, organisation, unit)
    return {
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "site": unit.site,
        "parent_code": parent.code if parent is not None else None,
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
    actor, organisation = _actor(request), access(request).organisation
    listing = queries.subtree(actor, organisation, unit_code)
    rows = _unit_rows(listing)
    parent = queries.visible_parent(actor, organisation, listing.units[0])
    rows[0]["parent_code"] = parent.code if parent is not None else None
    return rows
