"""Writes for direction: the vision, objectives, agreement, check-ins and the objectives
import.

Every function takes keyword-only arguments and an explicit ``actor`` (a
colead.core.actor.Actor: a user, or the system with a reason), runs in one transaction and
writes its audit event there. Who may do what is part of the rules here
(colead.direction.access), because agreement is a recorded act between particular people:
a function refuses (Refused) what the acting user may not do. Only the system (the command
line, tasks, the demo: ``actor.is_system``) is not checked; an anonymous visitor may do
nothing. A bad value is Invalid, naming its field; a step out of order is a Conflict.

Two rules no table can keep are kept here and in the import: no objective is its own
ancestor, and an individual objective sits in its owner's unit tree.
"""

import hashlib
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from colead.accounts.permissions import has_permission
from colead.accounts.roles import Permission
from colead.audit.services import record
from colead.core.actor import Actor
from colead.core.bulk import bulk_insert
from colead.direction import access, imports
from colead.direction.models import (
    OBJECTIVE_CODE_RE,
    OBJECTIVE_FILE_FIELDS,
    Act,
    AgreementAct,
    Alignment,
    CheckIn,
    Confidence,
    Direction,
    DirectionRevision,
    Objective,
    ObjectiveStatus,
    QualityPolicy,
    Vision,
    VisionStatus,
    objective_limits,
)
from colead.direction.quality import DEFAULT_SETTINGS, QualitySettings
from colead.direction.reference import AGREED_STATUSES, ELEMENTS, RESERVED_OBJECTIVE_CODES
from colead.lib import tree
from colead.lib.errors import Conflict, Invalid, Refused
from colead.lib.problems import ImportRejected
from colead.lib.table import read_table
from colead.org.models import Organisation, Person, TeamMembership, Unit

__all__ = [
    "ImportRejected",
    "note_change",
    "save_vision_draft",
    "approve_vision",
    "create_objective",
    "update_objective",
    "set_status",
    "propose",
    "agree",
    "request_changes",
    "record_act",
    "check_in",
    "import_objectives",
    "save_quality_settings",
]

BATCH = 1000
# Changing any of these after agreement means the objective must be agreed again.
MATERIAL_FIELDS = (
    "title",
    "unit",
    "owner",
    "parents",
    "measure",
    "unit_of_measure",
    "baseline",
    "target",
    "direction",
    "due_date",
)
EDITABLE_FIELDS = MATERIAL_FIELDS + ("description", "elements")
MAX_NUMBER = 1e15


def _check(actor: Actor, allowed: Callable[[object], bool], refusal: str) -> None:
    """Refuse unless the system acts or the acting user is ``allowed`` (an anonymous
    visitor never is)."""
    if actor.is_system:
        return
    if actor.user is None or not allowed(actor.user):
        raise Refused(refusal)


# --- The vision ---------------------------------------------------------------------------


def note_change(organisation_id: int) -> None:
    """Count a change to the organisation's objectives, alignments or check-ins, in the
    caller's transaction (``DirectionRevision``: what ``facts`` keeps in memory is reused
    while the count stands still). Every write here calls it; so must anything else that
    writes those tables (the demo's bulk writes)."""
    updated = DirectionRevision.objects.filter(organisation_id=organisation_id).update(
        revision=F("revision") + 1
    )
    if not updated:
        # The organisation's first change: the row's creation is the change (a concurrent
        # first change finds the row and counts itself).
        _, created = DirectionRevision.objects.get_or_create(
            organisation_id=organisation_id, defaults={"revision": 1}
        )
        if not created:
            DirectionRevision.objects.filter(organisation_id=organisation_id).update(
                revision=F("revision") + 1
            )


def _clean_values(values) -> list[dict]:
    cleaned = []
    for item in values or []:
        if isinstance(item, str):
            name, description = item, ""
        else:
            name, description = item.get("name", ""), item.get("description", "")
        name, description = str(name).strip(), str(description).strip()
        if not name:
            raise Invalid({"values": "Each value needs a name."})
        if len(name) > 100 or len(description) > 1000:
            raise Invalid(
                {"values": "A value's name can be 100 characters and its description 1,000."}
            )
        cleaned.append({"name": name, "description": description})
    return cleaned


def save_vision_draft(
    *,
    organisation: Organisation,
    vision: str,
    mission: str = "",
    values: Iterable = (),
    actor: Actor,
    draft: Vision | None = None,
) -> Vision:
    """A new draft version of the vision (or, with ``draft``, changes to an existing one).
    Approved versions never change: the next version starts as a draft."""
    _check(
        actor,
        lambda user: has_permission(user, Permission.VISION_MANAGE, organisation=organisation),
        "Only the board and OD leads draft the vision.",
    )
    vision, mission = (vision or "").strip(), (mission or "").strip()
    if not vision:
        raise Invalid({"vision": "Write the vision."})
    cleaned = _clean_values(values)
    with transaction.atomic():
        if draft is not None:
            draft = Vision.objects.select_for_update().get(pk=draft.pk)
            if draft.organisation_id != organisation.pk:
                raise Refused("That draft belongs to another organisation.")
            if draft.status != VisionStatus.DRAFT:
                raise Conflict(
                    f"Version {draft.version} has been approved and cannot change: save a new "
                    "draft instead."
                )
            draft.vision, draft.mission, draft.values = vision, mission, cleaned
            draft.save()
            saved, action = draft, "vision.update"
        else:
            latest = Vision.objects.for_org(organisation).aggregate(n=Max("version"))["n"] or 0
            saved = Vision.objects.create(
                organisation=organisation,
                version=latest + 1,
                vision=vision,
                mission=mission,
                values=cleaned,
                created_by=actor.user,
            )
            action = "vision.draft"
        record(
            action=action,
            actor=actor,
            organisation=organisation,
            obj=saved,
            detail={"version": saved.version},
        )
    return saved


def approve_vision(*, vision: Vision, approved_on: date, actor: Actor, note: str = "") -> Vision:
    """The board approves a draft: it becomes the current vision, and never changes."""
    organisation = vision.organisation
    _check(
        actor,
        lambda user: has_permission(user, Permission.VISION_APPROVE, organisation=organisation),
        "Only the board approves the vision.",
    )
    if approved_on is None or approved_on > timezone.localdate():
        raise Invalid(
            {
                "approved_on": "Give the date of the board meeting that approved it (not in the future)."
            }
        )
    limit = Vision._meta.get_field("approval_note").max_length
    if len(note) > limit:
        raise Invalid({"note": f"The note can be at most {limit} characters."})
    with transaction.atomic():
        vision = Vision.objects.select_for_update().get(pk=vision.pk)
        if vision.status != VisionStatus.DRAFT:
            raise Conflict(f"Version {vision.version} is already approved.")
        vision.status = VisionStatus.APPROVED
        vision.approved_on = approved_on
        vision.approved_at = timezone.now()
        vision.approved_by = actor.user
        vision.approval_note = note.strip()
        vision.save()
        record(
            action="vision.approve",
            actor=actor,
            organisation=organisation,
            obj=vision,
            detail={"version": vision.version, "approved_on": approved_on.isoformat()},
        )
    return vision


# --- Objectives: rules ----------------------------------------------------------------------


def owner_unit_paths(person: Person) -> list[str]:
    """The paths of a person's primary unit and further teams."""
    paths = [person.primary_unit.path]
    paths += TeamMembership.objects.filter(person=person).values_list("unit__path", flat=True)
    return paths


def check_owner_tree(unit: Unit, owner: Person | None) -> None:
    """An individual objective's unit is one of its owner's teams or above it."""
    if owner is None:
        return
    if owner.organisation_id != unit.organisation_id:
        raise Invalid({"owner": "The owner works in another organisation."})
    if owner.leaving_date is not None:
        raise Invalid({"owner": f"{owner.full_name} has left the organisation."})
    if not any(tree.is_within(path, unit.path) for path in owner_unit_paths(owner)):
        message = (
            f"An individual objective must sit in its owner's unit tree: {unit.name} is "
            f"neither {owner.full_name}'s team nor above it. Use their team, or a unit above it."
        )
        raise Invalid({"unit": message})


def parent_map(organisation) -> dict[int, set[int]]:
    """Every objective's parents in the organisation (one query)."""
    parents: dict[int, set[int]] = defaultdict(set)
    for child_id, parent_id in Alignment.objects.filter(
        child__organisation=organisation
    ).values_list("child_id", "parent_id"):
        parents[child_id].add(parent_id)
    return parents


def find_loop(objective_id: int | None, new_parent_ids: Iterable[int], parents) -> list[int]:
    """If giving the objective these parents would make it its own ancestor, the loop (the
    objective, then the chain of parents leading back to it); else []."""
    if objective_id is None:
        return []
    previous: dict[int, int] = {}
    frontier = []
    for parent_id in new_parent_ids:
        if parent_id == objective_id:
            return [objective_id]
        if parent_id not in previous:
            previous[parent_id] = objective_id
            frontier.append(parent_id)
    while frontier:
        following = []
        for node in frontier:
            for parent_id in parents.get(node, ()):
                if parent_id == objective_id:
                    chain = [node]
                    while chain[-1] != objective_id:
                        chain.append(previous[chain[-1]])
                    return list(reversed(chain))
                if parent_id not in previous:
                    previous[parent_id] = node
                    following.append(parent_id)
        frontier = following
    return []


def _check_parents(objective: Objective | None, organisation, parents: list[Objective]) -> None:
    for parent in parents:
        if parent.organisation_id != organisation.pk:
            raise Invalid({"parents": f"{parent.code} belongs to another organisation."})
    loop = find_loop(
        objective.pk if objective is not None else None,
        [p.pk for p in parents],
        parent_map(organisation),
    )
    if loop:
        codes = dict(Objective.objects.filter(pk__in=loop).values_list("pk", "code"))
        chain = " → ".join(codes[pk] for pk in [*loop, loop[0]])
        raise Invalid({"parents": f"That would make the objective its own ancestor: {chain}."})


def _clean_number(name: str, value) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or abs(number) > MAX_NUMBER:
        raise Invalid({name: f"Enter the {name} as a number."})
    return number


def _clean_fields(values: dict) -> dict:
    """Check and tidy the editable fields present in ``values``."""
    errors = {}
    cleaned = dict(values)
    limits = objective_limits()  # the model's max_length (the description has none)
    for name in ("title", "measure", "unit_of_measure", "description"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
            limit = getattr(limits, name, None)
            if limit and len(cleaned[name]) > limit:
                errors[name] = f"The {name.replace('_', ' ')} can be at most {limit} characters."
            if "\x00" in cleaned[name]:
                errors[name] = "Remove the NUL character."
    if "title" in cleaned and not cleaned["title"]:
        errors["title"] = "Give the objective a title."
    if "direction" in cleaned and cleaned["direction"] not in Direction.values:
        errors["direction"] = "The direction must be up or down."
    if "elements" in cleaned:
        unknown = [code for code in cleaned["elements"] if code not in ELEMENTS]
        if unknown:
            errors["elements"] = f"Unknown cultural elements: {', '.join(unknown)}."
        cleaned["elements"] = [code for code in ELEMENTS if code in set(cleaned["elements"])]
    for name in ("baseline", "target"):
        if name in cleaned:
            try:
                cleaned[name] = _clean_number(name, cleaned[name])
            except Invalid as error:
                errors.update(error.errors)
    if errors:
        raise Invalid(errors)
    return cleaned


def _audit_value(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Unit):
        return value.code
    if isinstance(value, Person):
        return value.employee_number
    if isinstance(value, list | tuple):
        return [_audit_value(v) for v in value]
    return value


# --- Objectives: writes ---------------------------------------------------------------------


def create_objective(
    *,
    organisation: Organisation,
    code: str,
    title: str,
    unit: Unit,
    actor: Actor,
    owner: Person | None = None,
    parents: Iterable[Objective] = (),
    description: str = "",
    elements: Iterable[str] = (),
    measure: str = "",
    unit_of_measure: str = "",
    baseline: float | None = None,
    target: float | None = None,
    direction: str = Direction.UP,
    due_date: date | None = None,
) -> Objective:
    """A new draft objective of a unit, or (with ``owner``) of a person."""
    code = (code or "").strip()
    most = objective_limits().code
    if len(code) > most or not OBJECTIVE_CODE_RE.match(code):
        message = (
            f'"{code}" is not a valid objective code: use up to {most} letters, digits, dots, '
            "hyphens and underscores, starting with a letter or digit."
        )
        raise Invalid({"code": message})
    if code in RESERVED_OBJECTIVE_CODES:
        raise Invalid({"code": f'"{code}" is kept for the address of a page: choose another code.'})
    if unit.organisation_id != organisation.pk:
        raise Invalid({"unit": f"The unit {unit.code} belongs to another organisation."})
    _check(
        actor,
        lambda user: access.can_create(user, unit=unit, owner=owner),
        "You may write objectives only for units you manage, or individual objectives of your own.",
    )
    values = _clean_fields(
        {
            "title": title,
            "description": description,
            "elements": list(elements),
            "measure": measure,
            "unit_of_measure": unit_of_measure,
            "baseline": baseline,
            "target": target,
            "direction": direction,
        }
    )
    parents = list(parents)
    check_owner_tree(unit, owner)
    with transaction.atomic():
        if Objective.objects.for_org(organisation).filter(code=code).exists():
            raise Invalid({"code": f"There is already an objective with the code {code}."})
        _check_parents(None, organisation, parents)
        objective = Objective.objects.create(
            organisation=organisation,
            code=code,
            unit=unit,
            owner=owner,
            due_date=due_date,
            created_by=actor.user,
            **values,
        )
        objective.parents.set(parents)
        note_change(organisation.pk)
        record(
            action="objective.create",
            actor=actor,
            organisation=organisation,
            obj=objective,
            detail={
                "code": code,
                "unit": unit.code,
                "owner": owner.employee_number if owner else None,
                "parents": [p.code for p in parents],
            },
        )
    return objective


def update_objective(*, objective: Objective, changes: dict, actor: Actor) -> Objective:
    """Change some of an objective's fields (``changes``: field name -> new value; for
    ``parents`` a list of objectives, for ``unit`` a Unit, for ``owner`` a Person or None).

    Changing its substance (title, unit, owner, parents, measure, baseline, target,
    direction or due date) after it was proposed or agreed sends it back to draft: it must
    be proposed and agreed again."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise Invalid({name: f"The {name} cannot be changed here." for name in sorted(unknown)})
    organisation = objective.organisation
    _check(
        actor, lambda user: access.can_edit(user, objective), "You may not change this objective."
    )
    changes = _clean_fields(changes)
    with transaction.atomic():
        objective = (
            # of=("self",): PostgreSQL cannot lock the nullable side of the owner's outer join.
            Objective.objects.select_for_update(of=("self",))
            .select_related("unit", "owner__primary_unit", "organisation")
            .get(pk=objective.pk)
        )
        unit = changes.get("unit", objective.unit)
        owner = changes.get("owner", objective.owner)
        if unit.organisation_id != organisation.pk:
            raise Invalid({"unit": f"The unit {unit.code} belongs to another organisation."})
        if "unit" in changes or "owner" in changes:
            _check(
                actor,
                lambda user: access.can_create(user, unit=unit, owner=owner),
                "You may not move the objective there.",
            )
            check_owner_tree(unit, owner)
        before = {}
        after = {}
        old_parents = None
        for name, value in changes.items():
            if name == "parents":
                value = list(value)
                old_parents = sorted(objective.parents.values_list("code", flat=True))
                new_codes = sorted({p.code for p in value})
                if old_parents != new_codes:
                    _check_parents(objective, organisation, value)
                    before[name], after[name] = old_parents, new_codes
                continue
            current = getattr(objective, name)
            if current != value:
                before[name], after[name] = _audit_value(current), _audit_value(value)
                setattr(objective, name, value)
        if not after:
            return objective
        if "parents" in after:
            objective.parents.set(changes["parents"])
        reset = bool(set(after) & set(MATERIAL_FIELDS)) and objective.status in (
            ObjectiveStatus.PROPOSED,
            ObjectiveStatus.AGREED,
            ObjectiveStatus.ACTIVE,
        )
        if reset:
            after["status"], before["status"] = ObjectiveStatus.DRAFT.value, objective.status
            objective.status = ObjectiveStatus.DRAFT
            objective.agreed_at = None
            objective.agreed_by = None
        objective.save()
        note_change(organisation.pk)
        record(
            action="objective.update",
            actor=actor,
            organisation=organisation,
            obj=objective,
            detail={"before": before, "after": after, "agreement_cleared": reset},
        )
    return objective


# Status changes that are not acts of agreement (those go through propose/agree/...).
TRANSITIONS = {
    ObjectiveStatus.ACTIVE: {ObjectiveStatus.AGREED},
    ObjectiveStatus.ACHIEVED: {ObjectiveStatus.AGREED, ObjectiveStatus.ACTIVE},
    ObjectiveStatus.DROPPED: {
        ObjectiveStatus.DRAFT,
        ObjectiveStatus.PROPOSED,
        ObjectiveStatus.AGREED,
        ObjectiveStatus.ACTIVE,
    },
    ObjectiveStatus.DRAFT: {ObjectiveStatus.DROPPED},
}


def set_status(*, objective: Objective, status: str, actor: Actor) -> Objective:
    """Start (agreed → active), achieve, drop, or take up again (dropped → draft)."""
    status = ObjectiveStatus(status) if status in ObjectiveStatus.values else None
    if status is None or status not in TRANSITIONS:
        raise Invalid(
            {
                "status": "Use propose, agree or request changes for those steps; a status can "
                "be set to active, achieved, dropped, or back to draft from dropped."
            }
        )
    _check(
        actor, lambda user: access.can_edit(user, objective), "You may not change this objective."
    )
    with transaction.atomic():
        objective = Objective.objects.select_for_update().get(pk=objective.pk)
        if objective.status == status:
            return objective
        if objective.status not in TRANSITIONS[status]:
            raise Conflict(
                f"An objective that is {objective.get_status_display().lower()} cannot "
                f"become {status.label.lower()}."
            )
        old = objective.status
        objective.status = status
        if status == ObjectiveStatus.DRAFT:
            objective.agreed_at = objective.agreed_by = None
        objective.save(update_fields=["status", "agreed_at", "agreed_by", "updated_at"])
        note_change(objective.organisation_id)
        record(
            action="objective.status",
            actor=actor,
            organisation=objective.organisation,
            obj=objective,
            detail={"from": old, "to": status.value},
        )
    return objective


def _act(objective, act: str, *, actor: Actor, comment: str, status, at=None) -> AgreementAct:
    now = at or timezone.now()
    made = AgreementAct.objects.create(
        organisation_id=objective.organisation_id,
        objective=objective,
        act=act,
        comment=comment,
        by=actor.user,
        by_label=actor.label,
        at=now,
    )
    old = objective.status
    objective.status = status
    if act == Act.AGREED:
        objective.agreed_at, objective.agreed_by = now, actor.user
    objective.save(update_fields=["status", "agreed_at", "agreed_by", "updated_at"])
    note_change(objective.organisation_id)
    record(
        action=f"objective.{act}",
        actor=actor,
        organisation=objective.organisation,
        obj=objective,
        detail={"from": old, "to": status, "comment": comment},
    )
    return made


def _locked(objective: Objective) -> Objective:
    return (
        Objective.objects.select_for_update(of=("self",))
        .select_related("organisation", "unit")
        .get(pk=objective.pk)
    )


def _clean_comment(comment: str) -> str:
    comment = (comment or "").strip()
    if len(comment) > 2000 or "\x00" in comment:
        raise Invalid({"comment": "A comment can be at most 2,000 characters."})
    return comment


def propose(
    *, objective: Objective, actor: Actor, comment: str = "", at: datetime | None = None
) -> AgreementAct:
    """The owner (or a manager of its unit) proposes a draft objective for agreement.
    ``at`` dates the act in the past (the demo's history); default now."""
    comment = _clean_comment(comment)
    _check(
        actor,
        lambda user: access.can_edit(user, objective),
        "Only the objective's owner or a manager of its unit may propose it.",
    )
    with transaction.atomic():
        objective = _locked(objective)
        if objective.status != ObjectiveStatus.DRAFT:
            raise Conflict(
                f"Only a draft can be proposed; this one is "
                f"{objective.get_status_display().lower()}."
            )
        return _act(
            objective,
            Act.PROPOSED,
            actor=actor,
            comment=comment,
            status="proposed",
            at=at,
        )


def _check_may_agree(actor: Actor, objective) -> None:
    if objective.owner_id is not None:
        refusal = (
            "An individual objective is agreed by the owner's line manager or a manager of "
            "their unit, not by the owner."
        )
    else:
        refusal = "A unit's objective is agreed by a manager of the unit or above it."
    _check(actor, lambda user: access.can_agree(user, objective), refusal)


def agree(
    *, objective: Objective, actor: Actor, comment: str = "", at: datetime | None = None
) -> AgreementAct:
    """The team's manager (or, for an individual objective, the line manager) agrees.
    ``at`` dates the act in the past (the demo's history); default now."""
    comment = _clean_comment(comment)
    _check_may_agree(actor, objective)
    with transaction.atomic():
        objective = _locked(objective)
        if objective.status != ObjectiveStatus.PROPOSED:
            raise Conflict("Only a proposed objective can be agreed: propose it first.")
        return _act(
            objective,
            Act.AGREED,
            actor=actor,
            comment=comment,
            status="agreed",
            at=at,
        )


def request_changes(
    *, objective: Objective, actor: Actor, comment: str, at: datetime | None = None
) -> AgreementAct:
    """Ask for changes to a proposed objective, saying what (it goes back to draft).
    ``at`` dates the act in the past (the demo's history); default now."""
    comment = _clean_comment(comment)
    if not comment:
        raise Invalid({"comment": "Say what should change."})
    _check_may_agree(actor, objective)
    with transaction.atomic():
        objective = _locked(objective)
        if objective.status != ObjectiveStatus.PROPOSED:
            raise Conflict("Changes can be asked for only while an objective is proposed.")
        return _act(
            objective,
            Act.CHANGES_REQUESTED,
            actor=actor,
            comment=comment,
            status="draft",
            at=at,
        )


def record_act(*, objective: Objective, act: str, actor: Actor, comment: str = ""):
    """propose, agree or request_changes, by the act's name."""
    functions = {"proposed": propose, "agreed": agree, "changes_requested": request_changes}
    if act not in functions:
        raise Invalid({"act": f"Unknown act {act!r}: use proposed, agreed or changes_requested."})
    return functions[act](objective=objective, actor=actor, comment=comment)


def check_in(
    *,
    objective: Objective,
    on: date,
    actor: Actor,
    value: float | None = None,
    confidence: str = "",
    comment: str = "",
) -> CheckIn:
    """Record progress: the measure's value on a date, confidence and a comment."""
    _check(
        actor,
        lambda user: access.can_edit(user, objective),
        "Only the objective's owner or a manager of its unit may check in.",
    )
    errors = {}
    if on is None or on > timezone.localdate():
        errors["date"] = "Give the date of the check-in (not in the future)."
    try:
        value = _clean_number("value", value)
    except Invalid as error:
        errors.update(error.errors)
    if confidence and confidence not in Confidence.values:
        errors["confidence"] = f"Use one of: {', '.join(Confidence.values)}."
    try:
        comment = _clean_comment(comment)
    except Invalid as error:
        errors.update(error.errors)
    if value is None and not comment:
        errors.setdefault("value", "Give a value, a comment, or both.")
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        objective = _locked(objective)
        if objective.status == ObjectiveStatus.DROPPED:
            raise Conflict("This objective has been dropped: take it up again to check in.")
        made = CheckIn.objects.create(
            organisation_id=objective.organisation_id,
            objective=objective,
            date=on,
            value=value,
            confidence=confidence or "",
            comment=comment,
            by=actor.user,
            by_label=actor.label,
        )
        note_change(objective.organisation_id)
        record(
            action="objective.check_in",
            actor=actor,
            organisation=objective.organisation,
            obj=objective,
            detail={"date": on.isoformat(), "value": value, "confidence": confidence},
        )
    return made


# --- The objectives import -----------------------------------------------------------------


@dataclass
class ObjectivesImportResult:
    filename: str
    sha256: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    agreements_recorded: int = 0
    dry_run: bool = False
    added_items: list[dict] = field(default_factory=list)
    updated_items: list[dict] = field(default_factory=list)

    @property
    def no_changes(self) -> bool:
        return not (self.added or self.updated)

    def counts(self) -> dict[str, int]:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged}

    def summary_line(self) -> str:
        return f"Added {self.added:,}, updated {self.updated:,}, unchanged {self.unchanged:,}."


def _import_state(organisation):
    units = {
        code: imports.KnownUnit(code, path, active)
        for code, path, active in Unit.objects.for_org(organisation).values_list(
            "code", "path", "is_active"
        )
    }
    teams: dict[int, list[str]] = defaultdict(list)
    for person_id, unit_code in TeamMembership.objects.filter(
        person__organisation=organisation
    ).values_list("person_id", "unit__code"):
        teams[person_id].append(unit_code)
    people, person_ids = {}, {}
    for pk, number, first, last, unit_code, leaving in Person.objects.for_org(
        organisation
    ).values_list(
        "id", "employee_number", "first_name", "last_name", "primary_unit__code", "leaving_date"
    ):
        people[number] = imports.KnownPerson(
            number, f"{first} {last}", (unit_code, *teams.get(pk, ())), leaving is None
        )
        person_ids[number] = pk
    parent_codes: dict[int, list[str]] = defaultdict(list)
    for child_id, parent_code in Alignment.objects.filter(
        child__organisation=organisation
    ).values_list("child_id", "parent__code"):
        parent_codes[child_id].append(parent_code)
    existing, rows = {}, {}
    for row in Objective.objects.for_org(organisation).values(
        "id", *OBJECTIVE_FILE_FIELDS, "agreed_at"
    ):
        existing[row["code"]] = imports.ObjectiveValues(
            code=row["code"],
            title=row["title"],
            unit_code=row["unit__code"],
            owner=row["owner__employee_number"] or "",
            parent_codes=tuple(sorted(parent_codes.get(row["id"], ()))),
            measure=row["measure"],
            baseline=row["baseline"],
            target=row["target"],
            direction=row["direction"],
            due_date=row["due_date"],
            status=row["status"],
            elements=tuple(code for code in ELEMENTS if code in set(row["elements"] or ())),
        )
        rows[row["code"]] = row
    return units, people, person_ids, existing, rows


IMPORT_MATERIAL = set(imports.FIELDS) - {"status", "elements"}


def import_objectives(
    *,
    organisation: Organisation,
    content: bytes,
    filename: str,
    actor: Actor,
    dry_run: bool = False,
) -> ObjectivesImportResult:
    """Add and update objectives from a CSV/XLSX file (docs/data-formats.md). All or
    nothing: raises ImportRejected with every problem found.

    A row whose status is agreed, active or achieved records the agreement (an agreed act
    by the importer, naming the file) unless the objective was already agreed and its
    substance is unchanged; a row whose status is proposed records the proposal."""
    table = read_table(content, filename)
    result = ObjectivesImportResult(
        filename=filename, sha256=hashlib.sha256(content).hexdigest(), dry_run=dry_run
    )
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        units, people, person_ids, existing, rows = _import_state(organisation)
        plan = imports.validate_objectives(
            table, units=units, people=people, existing=existing, limits=objective_limits()
        )
        del table
        result.added = len(plan.adds)
        result.updated = len(plan.updates)
        result.unchanged = plan.unchanged
        result.added_items = [
            {"code": code, "title": plan.records[code].title} for code in plan.adds[:200]
        ]
        result.updated_items = [
            {
                "code": u.code,
                "title": plan.records[u.code].title,
                "changes": [
                    (name, _shown(old), _shown(new)) for name, (old, new) in u.changes.items()
                ],
            }
            for u in plan.updates[:200]
        ]
        if dry_run or plan.no_changes:
            return result
        result.agreements_recorded = _apply_import(
            organisation, plan, existing, rows, person_ids, actor=actor, filename=filename
        )
        note_change(organisation.pk)
        record(
            action="import.objectives",
            actor=actor,
            organisation=organisation,
            object_type="direction.objective",
            object_repr=f"objectives import of {filename}",
            detail={
                "filename": filename,
                "sha256": result.sha256,
                **result.counts(),
                "agreements_recorded": result.agreements_recorded,
                "source": actor.source,
            },
        )
    return result


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ";".join(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _apply_import(organisation, plan, existing, rows, person_ids, *, actor, filename) -> int:
    """Write the import's plan in four steps (new objectives, the agreement the file's
    statuses record, the changed objectives, their alignment); the number of agreements
    recorded."""
    unit_ids = dict(Unit.objects.for_org(organisation).values_list("code", "id"))
    now = timezone.now()

    def fields(values) -> dict:
        return {
            "title": values.title,
            "unit_id": unit_ids[values.unit_code],
            "owner_id": person_ids[values.owner] if values.owner else None,
            "measure": values.measure,
            "baseline": values.baseline,
            "target": values.target,
            "direction": values.direction,
            "due_date": values.due_date,
            "status": values.status,
            "elements": list(values.elements),
        }

    # The imports' fast inserts (core.bulk): a trust's first file has thousands of rows.
    bulk_insert(
        Objective,
        (
            {
                "organisation_id": organisation.pk,
                "code": code,
                "created_by_id": actor.user.pk if actor.user else None,
                "updated_at": now,
                **fields(plan.records[code]),
            }
            for code in plan.adds
        ),
    )
    ids = dict(Objective.objects.for_org(organisation).values_list("code", "id"))
    agreed_ids = _record_import_agreement(
        organisation, plan, existing, rows, ids, actor=actor, filename=filename, now=now
    )
    _update_imported(organisation, plan, ids, fields, now=now)
    _align_imported(organisation, plan, existing, ids)
    return len(agreed_ids)


def _record_import_agreement(
    organisation, plan, existing, rows, ids, *, actor, filename, now
) -> list[int]:
    """What the file's statuses say of agreement, recorded as acts by the importer: an
    agreed, active or achieved objective whose substance is new or changed is agreed; a
    newly proposed one proposed; a draft or proposed one that was agreed loses its
    agreement. The ids of the objectives agreed."""
    changed_codes = {u.code: u for u in plan.updates}
    acts, agreed_ids, cleared_ids = [], [], []
    comment_for = f"Recorded as {{}} by the import of {filename}."
    for code, values in plan.records.items():
        update = changed_codes.get(code)
        is_new = code not in existing
        if not is_new and update is None:
            continue
        old_status = None if is_new else existing[code].status
        material = is_new or bool(set(update.changes) & IMPORT_MATERIAL)
        was_agreed = not is_new and rows[code]["agreed_at"] is not None
        if values.status in AGREED_STATUSES and (material or not was_agreed):
            acts.append((ids[code], Act.AGREED, comment_for.format(values.status)))
            agreed_ids.append(ids[code])
        elif values.status == "proposed" and old_status != "proposed":
            acts.append((ids[code], Act.PROPOSED, comment_for.format("proposed")))
            cleared_ids.append(ids[code])
        elif values.status in ("draft", "proposed") and was_agreed:
            cleared_ids.append(ids[code])
    bulk_insert(
        AgreementAct,
        (
            {
                "organisation_id": organisation.pk,
                "objective_id": pk,
                "act": act,
                "comment": comment,
                "by_id": actor.user.pk if actor.user else None,
                "by_label": actor.label,
                "at": now,
            }
            for pk, act, comment in acts
        ),
    )
    for start in range(0, len(agreed_ids), 500):
        Objective.objects.filter(pk__in=agreed_ids[start : start + 500]).update(
            agreed_at=now, agreed_by=actor.user, updated_at=now
        )
    for start in range(0, len(cleared_ids), 500):
        Objective.objects.filter(pk__in=cleared_ids[start : start + 500]).update(
            agreed_at=None, agreed_by=None, updated_at=now
        )
    return agreed_ids


def _update_imported(organisation, plan, ids, fields, *, now) -> None:
    """Every imported field of the changed objectives, in bulk."""
    updated = []
    for update in plan.updates:
        objective = Objective(pk=ids[update.code], organisation=organisation, code=update.code)
        for name, value in fields(plan.records[update.code]).items():
            setattr(objective, name, value)
        objective.updated_at = now
        updated.append(objective)
    Objective.objects.bulk_update(
        updated,
        [
            "title",
            "unit",
            "owner",
            "measure",
            "baseline",
            "target",
            "direction",
            "due_date",
            "status",
            "elements",
            "updated_at",
        ],
        batch_size=BATCH,
    )


def _align_imported(organisation, plan, existing, ids) -> None:
    """The file's parents for every new objective and every one whose parents changed."""
    changed_codes = {u.code: u for u in plan.updates}
    wanted = {
        ids[code]: {ids[parent] for parent in values.parent_codes}
        for code, values in plan.records.items()
        if code not in existing or "parent_codes" in getattr(changed_codes.get(code), "changes", {})
    }
    if not wanted:
        return
    stale = []
    have: dict[int, set[int]] = defaultdict(set)
    for pk, child_id, parent_id in Alignment.objects.filter(
        child__organisation=organisation
    ).values_list("id", "child_id", "parent_id"):
        if child_id in wanted:
            if parent_id in wanted[child_id]:
                have[child_id].add(parent_id)
            else:
                stale.append(pk)
    for start in range(0, len(stale), 500):
        Alignment.objects.filter(pk__in=stale[start : start + 500]).delete()
    bulk_insert(
        Alignment,
        (
            {"child_id": child_id, "parent_id": parent_id}
            for child_id, parents in wanted.items()
            for parent_id in sorted(parents - have[child_id])
        ),
    )


# --- Coverage snapshots (the dashboard's trend) -----------------------------------------------


def record_coverage_snapshot(*, organisation, actor: Actor, taken_on: date | None = None):
    """Record the organisation's coverage figures (and every division's and directorate's)
    as on ``taken_on`` (default today), for the coverage trend. One snapshot a day:
    recording again on the same day replaces that day's. Staleness is judged as on
    ``taken_on``, so the demo can record its dated history. Audited."""
    from colead.direction import facts
    from colead.direction.models import CoverageSnapshot
    from colead.direction.queries import quality_settings

    taken_on = taken_on or timezone.localdate()
    report = facts.load(organisation).coverage(taken_on, quality_settings(organisation))
    figures = {
        "thicket_limit": report.settings.thicket_limit,
        "stale_days": report.settings.stale_days,
        "teams": report.teams,
        "teams_covered": report.teams_covered,
        "staff": report.staff,
        "staff_covered": report.staff_covered,
        "objectives": report.objectives,
        "orphans": len(report.orphan_ids),
        "thickets": len(report.thicket_counts),
        "stale": len(report.stale_days),
        "groups": {
            CoverageSnapshot.group_key(group.unit_id): group.as_dict()
            for group in (*report.by_division, *report.by_directorate)
        },
        "taken_by": actor.user,
    }
    with transaction.atomic():
        snapshot, created = CoverageSnapshot.objects.update_or_create(
            organisation=organisation, taken_on=taken_on, defaults=figures
        )
        record(
            action="objectives.coverage_snapshot",
            actor=actor,
            organisation=organisation,
            obj=snapshot,
            detail={
                "taken_on": taken_on.isoformat(),
                "replaced": not created,
                "team_coverage": round(report.team_coverage, 4),
                "staff_coverage": round(report.staff_coverage, 4),
                "orphans": figures["orphans"],
                "thickets": figures["thickets"],
                "stale": figures["stale"],
            },
        )
    return snapshot


# --- The organisation's quality rules ----------------------------------------------------------

# The allowed range of each rule, and how it is named in an error.
MARGIN_RANGE = (0.0, 1.0)  # a fraction of the baseline (0 to 100%)
THICKET_RANGE = (1, 50)
STALE_RANGE = (7, 365)


def _whole(value) -> int | None:
    """A whole number, or None if the value is not one."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if math.isfinite(number) and number == int(number) else None


def _quality_errors(challenge_margin, thicket_limit, stale_days) -> dict[str, str]:
    errors = {}
    try:
        margin = float(challenge_margin)
    except (TypeError, ValueError):
        margin = math.nan
    low, high = MARGIN_RANGE
    if isinstance(challenge_margin, bool) or not (low <= margin <= high):
        errors["challenge_margin"] = "Enter a challenge margin between 0% and 100% of the baseline."
    limit = _whole(thicket_limit)
    if limit is None or not THICKET_RANGE[0] <= limit <= THICKET_RANGE[1]:
        errors["thicket_limit"] = (
            f"Enter a thicket limit as a whole number from {THICKET_RANGE[0]} to "
            f"{THICKET_RANGE[1]} active objectives."
        )
    days = _whole(stale_days)
    if days is None or not STALE_RANGE[0] <= days <= STALE_RANGE[1]:
        errors["stale_days"] = (
            f"Enter the days without a check-in as a whole number from {STALE_RANGE[0]} to "
            f"{STALE_RANGE[1]}."
        )
    return errors


def may_change_quality_settings(user, organisation) -> bool:
    """Those who manage objectives across the whole organisation: OD leads and the
    organisation's admins (not the board, which judges by the rules rather than sets them,
    and not managers, whose OBJECTIVES_MANAGE covers their own units only)."""
    return has_permission(user, Permission.OBJECTIVES_MANAGE, organisation=organisation)


def save_quality_settings(
    *,
    organisation: Organisation,
    actor: Actor,
    challenge_margin: float,
    thicket_limit: int,
    stale_days: int,
) -> QualitySettings:
    """Set the rules the organisation judges its objectives by: ``challenge_margin`` as a
    fraction of the baseline (0 to 1), ``thicket_limit`` (1 to 50 active objectives) and
    ``stale_days`` (7 to 365). Raises Invalid naming each bad field, Refused for an actor who
    may not (see may_change_quality_settings). Audited with before and after."""
    _check(
        actor,
        lambda user: may_change_quality_settings(user, organisation),
        "Only OD leads and the organisation's admins set the quality rules.",
    )
    errors = _quality_errors(challenge_margin, thicket_limit, stale_days)
    if errors:
        raise Invalid(errors)
    after = QualitySettings(
        challenge_margin=float(challenge_margin),
        thicket_limit=_whole(thicket_limit),
        stale_days=_whole(stale_days),
    )
    with transaction.atomic():
        policy = QualityPolicy.objects.select_for_update().filter(organisation=organisation).first()
        before = (
            DEFAULT_SETTINGS
            if policy is None
            else QualitySettings(
                challenge_margin=policy.challenge_margin,
                thicket_limit=policy.thicket_limit,
                stale_days=policy.stale_days,
            )
        )
        if policy is None:
            policy = QualityPolicy(organisation=organisation)
        policy.challenge_margin = after.challenge_margin
        policy.thicket_limit = after.thicket_limit
        policy.stale_days = after.stale_days
        policy.updated_by = actor.user
        policy.save()
        fields = ("challenge_margin", "thicket_limit", "stale_days")
        record(
            action="objectives.quality_settings",
            actor=actor,
            organisation=organisation,
            obj=policy,
            detail={
                "before": {name: getattr(before, name) for name in fields},
                "after": {name: getattr(after, name) for name in fields},
            },
        )
    return after
