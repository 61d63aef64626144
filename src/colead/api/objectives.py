"""Objectives, their check-ins and agreement, coverage, and the vision.

* ``GET  /organisations/{org_code}/objectives``: the objectives the caller may see, with
  their quality (colead.direction.access: board and OD leads see all; managers their
  units' and the unit objectives above them; everyone their own, their reports' and the
  thread above their team).
* ``POST /organisations/{org_code}/objectives``: a new draft objective (managers for their
  units; staff their own individual objectives).
* ``GET``, ``PATCH /organisations/{org_code}/objectives/{objective_code}``.
* ``POST .../objectives/{objective_code}/check-ins`` and ``.../acts`` (propose, agree,
  ask for changes).
* ``GET  /organisations/{org_code}/direction/coverage``: the coverage figures (board, OD
  leads and admins: OBJECTIVES_VIEW over the whole organisation).
* ``GET  /organisations/{org_code}/direction/export?format=csv|xlsx``: every objective in
  the objectives import's columns (colead.direction.exports), for the same people.
* ``GET``, ``POST /organisations/{org_code}/direction/vision``, and ``POST .../approve``.

Every read is a colead.direction.queries function and every write a
colead.direction.services function, the same as the pages': they look up, check who may
do what and audit, and raise the colead.lib.errors kinds, which the API's one handler
answers (api/api.py): a refusal is 403, a bad value 422 naming the field, and a step out
of order (agreeing a draft) 409. Listing runs a fixed number of queries.
"""

from typing import Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from colead.accounts.roles import Permission
from colead.api.access import access, requires
from colead.api.schemas import (
    ERRORS,
    ERRORS_AND_VALIDATION,
    ActIn,
    ActOut,
    CheckInIn,
    CheckInOut,
    CoverageOut,
    CoverageQuery,
    ErrorOut,
    ObjectiveCode,
    ObjectiveDetailOut,
    ObjectiveIn,
    ObjectivePageOut,
    ObjectivePatch,
    ObjectiveQuery,
    OrgCode,
    VisionApproveIn,
    VisionIn,
    VisionStateOut,
)
from colead.core.actor import Actor
from colead.direction import queries, services
from colead.direction.models import Objective, Vision
from colead.lib.errors import Invalid
from colead.lib.spreadsheet import FORMATS
from colead.org.models import Person, Unit

router = Router(tags=["Objectives"])

VIEW = Permission.OBJECTIVES_VIEW
MANAGE = Permission.OBJECTIVES_MANAGE
AGREE = Permission.OBJECTIVES_AGREE
CONFLICT = {409: ErrorOut}


# -- what the body names ------------------------------------------------------------------


def _actor(request) -> Actor:
    return Actor.from_request(request, source="api")


def _unit(organisation, code: str, field: str = "unit") -> Unit:
    unit = None
    if "\x00" not in code:
        unit = Unit.objects.for_org(organisation).filter(code=code).first()
    if unit is None:
        raise Invalid({field: f"Unknown unit {code!r}."})
    return unit


def _person(organisation, number: str, field: str = "owner") -> Person:
    person = None
    if "\x00" not in number:
        person = (
            Person.objects.for_org(organisation)
            .select_related("primary_unit")
            .filter(employee_number=number)
            .first()
        )
    if person is None:
        raise Invalid({field: f"Unknown employee number {number!r}."})
    return person


def _parents(organisation, codes: list[str]) -> list[Objective]:
    codes = list(dict.fromkeys(codes))
    found = {o.code: o for o in Objective.objects.for_org(organisation).filter(code__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise Invalid({"parents": f"Unknown objectives: {', '.join(unknown[:10])}."})
    return [found[code] for code in codes]


def _find(request, granted, objective_code: str) -> Objective:
    return queries.find_objective(
        actor=_actor(request), organisation=granted.organisation, code=objective_code
    )


def _detail(request, objective: Objective) -> dict:
    return queries.objective_detail(actor=_actor(request), objective=objective)


# -- objectives -----------------------------------------------------------------------------


@router.get(
    "/organisations/{org_code}/objectives",
    response={200: ObjectivePageOut, **ERRORS_AND_VALIDATION},
    summary="List objectives",
    operation_id="list_objectives",
)
@requires(VIEW, check_in_view=True)
def list_objectives(request, org_code: OrgCode, filters: Query[ObjectiveQuery]):
    """The objectives the caller may see, by code, a page at a time, each with its quality
    checks (clear, aligned, agreed, challenging, recent) and its path up to an
    organisation objective.

    Board members and OD leads see every objective; managers those of their units and the
    unit objectives above them; everyone their own individual objectives, their reports',
    and the unit objectives of their teams and above. `unit` filters to a unit's subtree
    (an unknown unit is a 422)."""
    return queries.objectives_list(
        actor=_actor(request),
        organisation=access(request).organisation,
        filters=queries.ObjectiveFilters(**filters.dict()),
    )


@router.post(
    "/organisations/{org_code}/objectives",
    response={201: ObjectiveDetailOut, **ERRORS_AND_VALIDATION, **CONFLICT},
    summary="Create an objective",
    operation_id="create_objective",
)
@requires(MANAGE, check_in_view=True)
def create_objective(request, org_code: OrgCode, data: ObjectiveIn):
    """A new draft objective of a unit or, with `owner`, of a person (its unit must be the
    owner's team or above it). Managers write objectives for their units; everyone may
    write their own individual objectives. Parents must not make it its own ancestor.
    Audited as `objective.create`."""
    granted = access(request)
    organisation = granted.organisation
    unit = _unit(organisation, data.unit)
    owner = _person(organisation, data.owner) if data.owner else None
    parents = _parents(organisation, data.parents)
    objective = services.create_objective(
        organisation=organisation,
        code=data.code,
        title=data.title,
        unit=unit,
        owner=owner,
        parents=parents,
        description=data.description,
        elements=data.elements,
        measure=data.measure,
        unit_of_measure=data.unit_of_measure,
        baseline=data.baseline,
        target=data.target,
        direction=data.direction,
        due_date=data.due_date,
        actor=_actor(request),
    )
    return Status(201, _detail(request, objective))


@router.get(
    "/organisations/{org_code}/objectives/{objective_code}",
    response={200: ObjectiveDetailOut, **ERRORS},
    summary="Get an objective",
    operation_id="get_objective",
)
@requires(VIEW, check_in_view=True)
def get_objective(request, org_code: OrgCode, objective_code: ObjectiveCode):
    """One objective with its quality, the objectives it serves and that serve it, its
    check-ins and its acts of agreement."""
    return _detail(request, _find(request, access(request), objective_code))


@router.patch(
    "/organisations/{org_code}/objectives/{objective_code}",
    response={200: ObjectiveDetailOut, **ERRORS_AND_VALIDATION, **CONFLICT},
    summary="Change an objective",
    operation_id="update_objective",
)
@requires(MANAGE, check_in_view=True)
def update_objective(
    request, org_code: OrgCode, objective_code: ObjectiveCode, data: ObjectivePatch
):
    """Change the fields sent (null clears an optional one). Changing the substance of a
    proposed or agreed objective (title, unit, owner, parents, measure, baseline, target,
    direction or due date) sends it back to draft, to be proposed and agreed again.
    `status` starts, achieves or drops it. Managers of its unit, and the owner of an
    individual objective, may change it; audited."""
    granted = access(request)
    organisation = granted.organisation
    objective = _find(request, granted, objective_code)
    sent = data.model_fields_set
    changes = {}
    for name in ("title", "description", "measure", "unit_of_measure", "direction"):
        if name in sent:
            value = getattr(data, name)
            if value is None:
                if name in ("title", "direction"):
                    raise Invalid({name: f"The {name} cannot be null."})
                value = ""
            changes[name] = value
    for name in ("baseline", "target", "due_date"):
        if name in sent:
            changes[name] = getattr(data, name)
    if "elements" in sent:
        changes["elements"] = data.elements or []
    if "parents" in sent:
        changes["parents"] = _parents(organisation, data.parents or [])
    if "unit" in sent:
        if data.unit is None:
            raise Invalid({"unit": "The unit cannot be null."})
        changes["unit"] = _unit(organisation, data.unit)
    if "owner" in sent:
        changes["owner"] = _person(organisation, data.owner) if data.owner else None
    actor = _actor(request)
    if changes:
        objective = services.update_objective(objective=objective, changes=changes, actor=actor)
    if "status" in sent and data.status is not None:
        objective = services.set_status(objective=objective, status=data.status, actor=actor)
    return _detail(request, objective)


@router.post(
    "/organisations/{org_code}/objectives/{objective_code}/check-ins",
    response={201: CheckInOut, **ERRORS_AND_VALIDATION, **CONFLICT},
    summary="Check in on an objective",
    operation_id="check_in",
)
@requires(MANAGE, check_in_view=True)
def check_in(request, org_code: OrgCode, objective_code: ObjectiveCode, data: CheckInIn):
    """Progress: the measure's value on a date (not in the future), how confident you are
    (`high` on track, `medium` at risk, `low` off track) and a comment. A value, a
    comment or both. For the owner and managers of its unit; audited."""
    made = services.check_in(
        objective=_find(request, access(request), objective_code),
        on=data.date,
        value=data.value,
        confidence=data.confidence or "",
        comment=data.comment,
        actor=_actor(request),
    )
    return Status(
        201,
        {
            "date": made.date,
            "value": made.value,
            "confidence": made.confidence or None,
            "comment": made.comment,
            "by": made.by_label,
        },
    )


@router.post(
    "/organisations/{org_code}/objectives/{objective_code}/acts",
    response={201: ActOut, **ERRORS_AND_VALIDATION, **CONFLICT},
    summary="Propose, agree or ask for changes",
    operation_id="record_act",
)
@requires(AGREE, check_in_view=True)
def record_act(request, org_code: OrgCode, objective_code: ObjectiveCode, data: ActIn):
    """An act of agreement, stored with who and when. The owner (or a manager of the unit)
    proposes a draft; a manager of the unit (for an individual objective: the owner's line
    manager, never the owner) agrees, or asks for changes with a comment, which sends it
    back to draft. A step out of order is 409."""
    made = services.record_act(
        objective=_find(request, access(request), objective_code),
        act=data.act,
        comment=data.comment,
        actor=_actor(request),
    )
    return Status(
        201, {"act": made.act, "comment": made.comment, "by": made.by_label, "at": made.at}
    )


# -- coverage and the vision -------------------------------------------------------------


@router.get(
    "/organisations/{org_code}/direction/coverage",
    response={200: CoverageOut, **ERRORS_AND_VALIDATION},
    summary="Objectives coverage",
    operation_id="objectives_coverage",
)
@requires(VIEW, org_wide=True)
def coverage(request, org_code: OrgCode, options: Query[CoverageQuery]):
    """The share of teams with an agreed or active objective aligned to an organisation
    objective (`team_coverage`, 0 to 1), the share of staff with such an individual
    objective (`staff_coverage`), orphans, priority thickets and stale objectives, for the
    organisation and by division and directorate. For those who may see every objective
    (board, OD leads, admins)."""
    # The organisation's own rules (its quality settings), with whichever the query gives
    # in their place.
    report = queries.coverage(
        actor=_actor(request),
        organisation=access(request).organisation,
        thicket_limit=options.thicket_limit,
        stale_days=options.stale_days,
    )
    return report.as_dict()


class ExportQuery(Schema):
    format: Literal[tuple(FORMATS)] = Field("csv", description="csv (the default) or xlsx.")


EXPORT_CONTENT = {
    "text/csv": {"schema": {"type": "string"}},
    FORMATS["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
}


@router.get(
    "/organisations/{org_code}/direction/export",
    response={200: None, **ERRORS_AND_VALIDATION},
    summary="Export the objectives",
    operation_id="export_objectives",
    openapi_extra={
        "responses": {200: {"description": "The objectives file.", "content": EXPORT_CONTENT}}
    },
)
@requires(VIEW, org_wide=True)
def export_objectives(request, org_code: OrgCode, query: Query[ExportQuery]):
    """Every objective of the organisation as a CSV or XLSX file in the columns of the
    objectives import (`objective_code,title,level_unit_code,owner_employee_number,
    parent_codes,measure,baseline,target,direction,due_date,status,elements`), parents
    first, so that it imports back unchanged. For those who may see every objective
    (board, OD leads, admins); audited as `objectives.export`."""
    made = queries.objectives_export(
        actor=_actor(request), organisation=access(request).organisation, fmt=query.format
    )
    response = HttpResponse(made.content, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _vision_row(vision: Vision | None) -> dict | None:
    if vision is None:
        return None
    approver = vision.approved_by
    return {
        "version": vision.version,
        "status": vision.status,
        "vision": vision.vision,
        "mission": vision.mission,
        "values": vision.values,
        "approved_on": vision.approved_on,
        "approved_by": (approver.get_full_name() if approver is not None else None),
        "approval_note": vision.approval_note,
    }


def _vision_state(request) -> dict:
    state = queries.vision(actor=_actor(request), organisation=access(request).organisation)
    return {"current": _vision_row(state.current), "draft": _vision_row(state.draft)}


@router.get(
    "/organisations/{org_code}/direction/vision",
    response={200: VisionStateOut, **ERRORS},
    summary="Get the vision",
    operation_id="get_vision",
)
@requires(Permission.ORG_VIEW)
def get_vision(request, org_code: OrgCode):
    """The organisation's vision, mission and values as the board last approved them, for
    everyone in the organisation; and, for those who draft or approve it, a newer draft."""
    return _vision_state(request)


@router.post(
    "/organisations/{org_code}/direction/vision",
    response={201: VisionStateOut, **ERRORS_AND_VALIDATION, **CONFLICT},
    summary="Draft the vision",
    operation_id="draft_vision",
)
@requires(Permission.VISION_MANAGE, org_wide=True)
def draft_vision(request, org_code: OrgCode, data: VisionIn):
    """Save a draft of the vision, mission and values: changes to the latest draft, or a
    new version when the latest is approved. Approved versions never change. Audited."""
    organisation = access(request).organisation
    services.save_vision_draft(
        organisation=organisation,
        vision=data.vision,
        mission=data.mission,
        values=[value.model_dump() for value in data.values],
        draft=queries.latest_draft(organisation),
        actor=_actor(request),
    )
    return Status(201, _vision_state(request))


@router.post(
    "/organisations/{org_code}/direction/vision/approve",
    response={200: VisionStateOut, **ERRORS_AND_VALIDATION, **CONFLICT},
    summary="Approve the vision",
    operation_id="approve_vision",
)
@requires(Permission.VISION_APPROVE, org_wide=True)
def approve_vision(request, org_code: OrgCode, data: VisionApproveIn):
    """The board approves a draft version on the date of its meeting (not in the future):
    it becomes the current vision, shown on every member of staff's home page. Audited."""
    organisation = access(request).organisation
    vision = Vision.objects.for_org(organisation).filter(version=data.version).first()
    if vision is None:
        raise Invalid({"version": f"There is no version {data.version}."})
    services.approve_vision(
        vision=vision,
        approved_on=data.approved_on,
        note=data.note,
        actor=_actor(request),
    )
    return _vision_state(request)
