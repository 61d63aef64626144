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

Every write is a colead.direction.services function, which audits it and applies the
rules on who may do what: a refusal there is 403, a bad value 422 naming the field, and a
step out of order (agreeing a draft) 409. Listing runs a fixed number of queries.
"""

from dataclasses import replace
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError

from colead.accounts.permissions import has_permission
from colead.accounts.roles import Permission
from colead.api.access import Forbidden, NotFound, access, clean_code, requires
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
from colead.direction import access as rules
from colead.direction import exports, facts, services
from colead.direction.models import Alignment, Objective, Vision, VisionStatus
from colead.direction.services import DirectionError, NotAllowed
from colead.org.models import Person, Unit

router = Router(tags=["Objectives"])

VIEW = Permission.OBJECTIVES_VIEW
MANAGE = Permission.OBJECTIVES_MANAGE
AGREE = Permission.OBJECTIVES_AGREE
BODY = "data"
CONFLICT = {409: ErrorOut}


# -- helpers ------------------------------------------------------------------------------


def _invalid(field: str, message: str, source: str = "body") -> ValidationError:
    loc = ["body", BODY, field] if source == "body" else [source, field]
    return ValidationError([{"type": "value_error", "loc": loc, "msg": message}])


def _refusal(error: DirectionError):
    """A service's refusal as an HTTP error: 403 not allowed, 422 a bad value, 409 a step
    out of order."""
    if isinstance(error, NotAllowed):
        return Forbidden(str(error))
    if error.errors:
        return ValidationError(
            [
                {"type": "value_error", "loc": ["body", BODY, name], "msg": message}
                for name, message in error.errors.items()
            ]
        )
    return None


def _conflict(error: DirectionError) -> Status:
    """Raise the refusal (403 or 422) a service error stands for; otherwise it is a step
    out of order: 409."""
    refusal = _refusal(error)
    if refusal is not None:
        raise refusal from None
    return Status(409, {"detail": str(error)})


def _unit(organisation, code: str, field: str = "unit", source: str = "body") -> Unit:
    unit = None
    if "\x00" not in code:
        unit = Unit.objects.for_org(organisation).filter(code=code).first()
    if unit is None:
        raise _invalid(field, f"Unknown unit {code!r}.", source)
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
        raise _invalid(field, f"Unknown employee number {number!r}.")
    return person


def _parents(organisation, codes: list[str]) -> list[Objective]:
    codes = list(dict.fromkeys(codes))
    found = {o.code: o for o in Objective.objects.for_org(organisation).filter(code__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise _invalid("parents", f"Unknown objectives: {', '.join(unknown[:10])}.")
    return [found[code] for code in codes]


def _visible(granted):
    return Objective.objects.for_org(granted.organisation).filter(
        rules.visible_q(granted.user, granted.organisation)
    )


def _find(granted, objective_code: str) -> Objective:
    objective = (
        Objective.objects.for_org(granted.organisation)
        .select_related("unit", "owner", "organisation")
        .filter(code=clean_code(objective_code, 40))
        .first()
    )
    if objective is None:
        raise NotFound()
    if not has_permission(granted.user, VIEW, objective.unit) and not (
        _visible(granted).filter(pk=objective.pk).exists()
    ):
        raise Forbidden()
    return objective


def _rows(organisation, objectives: list[Objective]) -> list[dict]:
    """Objectives as ObjectiveOut dicts, with quality, in a fixed number of queries."""
    ids = [o.pk for o in objectives]
    parent_codes: dict[int, list[str]] = {pk: [] for pk in ids}
    for child_id, code in (
        Alignment.objects.filter(child_id__in=ids)
        .order_by("parent__code")
        .values_list("child_id", "parent__code")
    ):
        parent_codes[child_id].append(code)
    settings = services.quality_settings(organisation)
    loaded = facts.load(organisation, with_people=False)
    qualities = {pk: q for pk, q in loaded.assess(settings=settings).items() if pk in parent_codes}
    code_of = {pk: o.code for pk, o in loaded.objectives.items()}
    rows = []
    for objective in objectives:
        quality = qualities[objective.pk]
        rows.append(
            {
                "code": objective.code,
                "title": objective.title,
                "description": objective.description,
                "level": "individual" if objective.owner_id else objective.unit.level,
                "unit_code": objective.unit.code,
                "unit_name": objective.unit.name,
                "owner": objective.owner.employee_number if objective.owner_id else None,
                "owner_name": objective.owner.full_name if objective.owner_id else None,
                "parent_codes": parent_codes[objective.pk],
                "elements": objective.elements,
                "measure": objective.measure,
                "unit_of_measure": objective.unit_of_measure,
                "baseline": objective.baseline,
                "target": objective.target,
                "direction": objective.direction,
                "due_date": objective.due_date,
                "status": objective.status,
                "agreed_at": objective.agreed_at,
                "quality": [
                    {"name": c.name, "passed": c.passed, "reasons": list(c.reasons)}
                    for c in quality.checks()
                ],
                "markers": list(quality.markers),
                "aligned_path": [code_of[pk] for pk in quality.path or ()],
            }
        )
    return rows


def _detail(granted, objective: Objective) -> dict:
    objective = Objective.objects.select_related("unit", "owner", "organisation").get(
        pk=objective.pk
    )
    (row,) = _rows(granted.organisation, [objective])
    children = (
        _visible(granted)
        .filter(pk__in=Alignment.objects.filter(parent=objective).values("child_id"))
        .order_by("code")
        .values_list("code", flat=True)
    )
    row["child_codes"] = list(children)
    row["check_ins"] = [
        {
            "date": c.date,
            "value": c.value,
            "confidence": c.confidence or None,
            "comment": c.comment,
            "by": c.by_label,
        }
        for c in objective.check_ins.order_by("date", "id")
    ]
    row["acts"] = [
        {"act": a.act, "comment": a.comment, "by": a.by_label, "at": a.at}
        for a in objective.agreement_acts.order_by("at", "id")
    ]
    return row


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
    granted = access(request)
    organisation = granted.organisation
    objectives = _visible(granted)
    if filters.unit is not None:
        unit = _unit(organisation, filters.unit, source="query")
        objectives = objectives.filter(unit__path__startswith=unit.path)
    if filters.status is not None:
        objectives = objectives.filter(status=filters.status)
    if filters.owner is not None:
        objectives = objectives.filter(owner__employee_number=filters.owner)
    if filters.individual is not None:
        objectives = objectives.filter(owner__isnull=not filters.individual)
    objectives = objectives.select_related("unit", "owner").order_by("code")
    count = objectives.count()
    page = list(objectives[filters.offset : filters.offset + filters.limit])
    return {
        "count": count,
        "limit": filters.limit,
        "offset": filters.offset,
        "items": _rows(organisation, page) if page else [],
    }


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
    try:
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
            actor=granted.user,
            request=request,
        )
    except DirectionError as error:
        raise _refusal(error) or ValidationError(
            [{"type": "value_error", "loc": ["body", BODY], "msg": str(error)}]
        ) from None
    return Status(201, _detail(granted, objective))


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
    granted = access(request)
    return _detail(granted, _find(granted, objective_code))


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
    objective = _find(granted, objective_code)
    sent = data.model_fields_set
    changes = {}
    for name in ("title", "description", "measure", "unit_of_measure", "direction"):
        if name in sent:
            value = getattr(data, name)
            if value is None:
                if name in ("title", "direction"):
                    raise _invalid(name, f"The {name} cannot be null.")
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
            raise _invalid("unit", "The unit cannot be null.")
        changes["unit"] = _unit(organisation, data.unit)
    if "owner" in sent:
        changes["owner"] = _person(organisation, data.owner) if data.owner else None
    try:
        if changes:
            objective = services.update_objective(
                objective=objective, changes=changes, actor=granted.user, request=request
            )
        if "status" in sent and data.status is not None:
            objective = services.set_status(
                objective=objective, status=data.status, actor=granted.user, request=request
            )
    except DirectionError as error:
        refusal = _refusal(error)
        if refusal is not None and not (
            isinstance(refusal, ValidationError) and "status" in error.errors
        ):
            raise refusal from None
        return Status(409, {"detail": str(error)})
    return _detail(granted, objective)


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
    granted = access(request)
    objective = _find(granted, objective_code)
    try:
        made = services.check_in(
            objective=objective,
            on=data.date,
            value=data.value,
            confidence=data.confidence or "",
            comment=data.comment,
            actor=granted.user,
            request=request,
        )
    except DirectionError as error:
        return _conflict(error)
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
    granted = access(request)
    objective = _find(granted, objective_code)
    try:
        made = services.record_act(
            objective=objective,
            act=data.act,
            comment=data.comment,
            actor=granted.user,
            request=request,
        )
    except DirectionError as error:
        return _conflict(error)
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
    granted = access(request)
    # The organisation's own rules (colead.direction.services.quality_settings), with
    # whichever the query gives in their place.
    settings = services.quality_settings(granted.organisation)
    settings = replace(
        settings,
        thicket_limit=options.thicket_limit or settings.thicket_limit,
        stale_days=options.stale_days or settings.stale_days,
    )
    return facts.load(granted.organisation).coverage(settings=settings).as_dict()


class ExportQuery(Schema):
    format: Literal[tuple(exports.FORMATS)] = Field("csv", description="csv (the default) or xlsx.")


EXPORT_CONTENT = {
    "text/csv": {"schema": {"type": "string"}},
    exports.FORMATS["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
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
    granted = access(request)
    made = exports.objectives_export(
        organisation=granted.organisation,
        fmt=query.format,
        actor=granted.user,
        viewer=granted.user,
        request=request,
        source="api",
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


def _latest_draft(organisation) -> Vision | None:
    latest = Vision.objects.for_org(organisation).order_by("-version").first()
    return latest if latest is not None and latest.status == VisionStatus.DRAFT else None


def _vision_state(granted) -> dict:
    organisation = granted.organisation
    user = granted.user
    drafts_visible = has_permission(
        user, Permission.VISION_MANAGE, organisation=organisation
    ) or has_permission(user, Permission.VISION_APPROVE, organisation=organisation)
    return {
        "current": _vision_row(services.current_vision(organisation)),
        "draft": _vision_row(_latest_draft(organisation)) if drafts_visible else None,
    }


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
    return _vision_state(access(request))


@router.post(
    "/organisations/{org_code}/direction/vision",
    response={201: VisionStateOut, **ERRORS_AND_VALIDATION},
    summary="Draft the vision",
    operation_id="draft_vision",
)
@requires(Permission.VISION_MANAGE, org_wide=True)
def draft_vision(request, org_code: OrgCode, data: VisionIn):
    """Save a draft of the vision, mission and values: changes to the latest draft, or a
    new version when the latest is approved. Approved versions never change. Audited."""
    granted = access(request)
    organisation = granted.organisation
    try:
        services.save_vision_draft(
            organisation=organisation,
            vision=data.vision,
            mission=data.mission,
            values=[value.model_dump() for value in data.values],
            draft=_latest_draft(organisation),
            actor=granted.user,
            request=request,
        )
    except DirectionError as error:
        raise _refusal(error) or _invalid("vision", str(error)) from None
    return Status(201, _vision_state(granted))


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
    granted = access(request)
    vision = Vision.objects.for_org(granted.organisation).filter(version=data.version).first()
    if vision is None:
        raise _invalid("version", f"There is no version {data.version}.")
    try:
        services.approve_vision(
            vision=vision,
            approved_on=data.approved_on,
            note=data.note,
            actor=granted.user,
            request=request,
        )
    except DirectionError as error:
        return _conflict(error)
    return _vision_state(granted)
