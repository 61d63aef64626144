"""The objective forms: write a new objective, edit one and change its status (the
vision's forms are in ``views/vision.py``).

Every write is a colead.direction.services function, the same as the API's, so the forms
keep exactly the API's rules: a refusal there (Refused) is a 403 here, and a bad value
(Invalid) or a step out of order (Conflict) is shown on the form (core.pages), with the
NHS.UK error summary linking to its field and what was typed kept. The pages only offer what the rules allow (the units and people a user may write
for, the objectives above the unit to align to); the services check again. Every lookup
goes through the current organisation, so another organisation's code is a 404."""

import re
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from colead.accounts.permissions import own_person_ids, require_permission
from colead.accounts.roles import Permission
from colead.core import pages
from colead.direction import access, forms, services
from colead.direction.models import Objective, ObjectiveStatus, objective_limits
from colead.direction.reference import ELEMENTS, OPEN_STATUSES, STATUSES
from colead.direction.views.common import (
    actor_of,
    crumbs,
    thread_crumb,
    visible_objective,
)
from colead.lib.errors import ColeadError, Invalid
from colead.org.models import Person, TeamMembership, Unit

# Up to this many people in a unit's subtree are offered as a list; beyond it, the
# person writing the objective types the owner's employee number.
OWNER_SELECT_LIMIT = 40
# Changing these sends a proposed, agreed or active objective back to draft.
MATERIAL_LABELS = "title, measure, unit of measure, baseline, target, direction or due date"


# --- Helpers ---------------------------------------------------------------------------------


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def _unit_label(unit: Unit) -> str:
    return f"{unit.name} ({unit.get_level_display().lower()})"


@dataclass
class ParentChoices:
    """The objectives a form offers as parents, grouped by unit (top first), and the
    current parents the user cannot see (kept as they are: never dropped unseen)."""

    by_key: dict[str, Objective] = field(default_factory=dict)
    groups: list[dict] = field(default_factory=list)
    hidden: list[Objective] = field(default_factory=list)


def _parent_choices(user, organisation, unit_ids, *, objective=None) -> ParentChoices:
    """The open unit objectives of these units that the user may see and, when editing,
    the objective's current parents: a handful of units' objectives, never the whole
    organisation's."""
    current_ids = set(objective.parents.values_list("pk", flat=True)) if objective else set()
    offered = Q(owner__isnull=True, unit_id__in=unit_ids, status__in=OPEN_STATUSES)
    candidates = (
        Objective.objects.for_org(organisation)
        .filter(offered | Q(pk__in=current_ids))
        .select_related("unit")
        .order_by("unit__path", "code")
    )
    if objective is not None:
        candidates = candidates.exclude(pk=objective.pk)
    visible = set(
        Objective.objects.for_org(organisation)
        .filter(access.visible_q(user, organisation), pk__in=[o.pk for o in candidates])
        .values_list("pk", flat=True)
    )
    choices = ParentChoices()
    for candidate in candidates:
        if candidate.pk not in visible:
            if candidate.pk in current_ids:
                choices.hidden.append(candidate)
            continue
        key = str(candidate.pk)
        choices.by_key[key] = candidate
        if not choices.groups or choices.groups[-1]["unit_id"] != candidate.unit_id:
            number = len(choices.groups) + 1
            choices.groups.append(
                {
                    "unit_id": candidate.unit_id,
                    "label": _unit_label(candidate.unit),
                    "id_prefix": "parents" if number == 1 else f"parents-g{number}",
                    "objectives": [],
                }
            )
        choices.groups[-1]["objectives"].append(
            {
                "value": key,
                "title": candidate.title,
                "hint": f"{candidate.code} · {STATUSES[candidate.status]}",
            }
        )
    return choices


def _element_items() -> list[tuple[str, str]]:
    return list(ELEMENTS.items())


def _form_context(request, *, posted, errors, present, parents: ParentChoices, **extra) -> dict:
    ids = {name: anchor for name, anchor in forms.OBJECTIVE_FIELD_IDS.items() if name in present}
    if not parents.groups:
        ids["parents"] = "parents-fieldset"
    context = {
        "posted": posted,
        **pages.error_context(errors, ids),
        "parent_groups": parents.groups,
        "hidden_parents": len(parents.hidden),
        "element_items": _element_items(),
        "breadcrumbs": crumbs(thread_crumb()),
    }
    context.update(extra)
    return context


# --- A new objective -----------------------------------------------------------------------


@dataclass
class Place:
    """Where a new objective goes. For a unit (``?unit=CODE``): the unit, and the people
    who may own an individual objective in it (None when too many to list). For oneself
    (``?mine=1``): one's own staff records and their teams."""

    mine: bool
    unit: Unit | None = None
    owner_choices: list[Person] | None = None
    unit_choices: list[Unit] = field(default_factory=list)

    def fields(self) -> set[str]:
        present = set(forms.OBJECTIVE_FIELD_IDS) - {"owner", "unit"}
        if not self.mine or len(self.owner_choices) > 1:
            present.add("owner")
        if self.mine and len(self.unit_choices) > 1:
            present.add("unit")
        return present

    def parent_unit_ids(self) -> list[int]:
        if not self.mine:
            return _path_ids(self.unit.path)
        return sorted({pk for unit in self.unit_choices for pk in _path_ids(unit.path)})


def _place(request) -> Place:
    organisation = request.organisation
    user = request.user
    code = request.GET.get("unit", "")
    if code:
        unit = Unit.objects.for_org(organisation).filter(code=code[:40]).first()
        if unit is None:
            raise Http404("No such unit.")
        if not access.can_manage_unit(user, unit):
            raise PermissionDenied
        people = Person.objects.for_org(organisation).current().in_subtree(unit)
        owner_choices = None
        if people.count() <= OWNER_SELECT_LIMIT:
            owner_choices = list(people.order_by("last_name", "first_name", "employee_number"))
        return Place(mine=False, unit=unit, owner_choices=owner_choices)
    # Without a unit, the user's own individual objective (so it needs a staff record).
    owners = list(
        Person.objects.for_org(organisation)
        .current()
        .filter(pk__in=own_person_ids(user, organisation))
        .select_related("primary_unit")
        .order_by("pk")
    )
    if not owners:
        raise PermissionDenied
    teams = {person.primary_unit.pk: person.primary_unit for person in owners}
    for membership in TeamMembership.objects.filter(person__in=owners).select_related("unit"):
        teams.setdefault(membership.unit.pk, membership.unit)
    unit_choices = sorted(teams.values(), key=lambda unit: unit.path)
    return Place(mine=True, owner_choices=owners, unit_choices=unit_choices)


def _read_owner_and_unit(place: Place, post, organisation, errors) -> tuple:
    """The owner (None for a unit's objective) and the unit chosen on the form."""
    owner_key = post.get("owner", "").strip()
    if place.mine:
        owners = {person.employee_number: person for person in place.owner_choices}
        owner = place.owner_choices[0] if len(owners) == 1 else owners.get(owner_key)
        if owner is None:
            errors["owner"] = "Select which of your staff records the objective is for"
        units = {unit.code: unit for unit in place.unit_choices}
        if len(units) == 1:
            unit = place.unit_choices[0]
        else:
            unit = units.get(post.get("unit", ""))
            if unit is None:
                errors["unit"] = "Select which of your teams the objective belongs to"
        return owner, unit
    if not owner_key:
        return None, place.unit
    if place.owner_choices is not None:
        owner = next((p for p in place.owner_choices if p.employee_number == owner_key), None)
        if owner is None:
            errors["owner"] = "Select whose objective it is from the list"
        return owner, place.unit
    owner = (
        Person.objects.for_org(organisation)
        .select_related("primary_unit")
        .filter(employee_number=owner_key[:30])
        .first()
    )
    if owner is None:
        errors["owner"] = (
            f"There is no one with the employee number {owner_key[:30]} in "
            f"{organisation.name}: check the number, or leave it blank for "
            f"{place.unit.name}’s own objective"
        )
    return owner, place.unit


def _code_stem(text: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.\-]+", "-", text).strip("-._")[:30]
    return stem or "OBJ"


def next_code(organisation, unit: Unit, owner: Person | None) -> str:
    """A free code for a new objective: the unit's code (and the owner's employee number)
    and the next number, like W1-3 or W1-S1-1."""
    stem = _code_stem(unit.code if owner is None else f"{unit.code}-{owner.employee_number}")
    taken = Objective.objects.for_org(organisation).filter(code__startswith=f"{stem}-")
    numbers = [
        int(suffix)
        for code in taken.values_list("code", flat=True)
        for suffix in [code[len(stem) + 1 :]]
        if suffix.isdecimal() and len(suffix) < 9
    ]
    return f"{stem}-{max(numbers, default=0) + 1}"


def _new_context(request, place: Place, *, posted, errors, parents) -> dict:
    if place.mine:
        heading = "Add an objective of your own"
        caption = "Your objectives"
    else:
        heading = f"Add an objective for {place.unit.name}"
        caption = _unit_label(place.unit)
    return _form_context(
        request,
        posted=posted,
        errors=errors,
        present=place.fields(),
        parents=parents,
        mode="new",
        heading=heading,
        caption=caption,
        place=place,
        action=request.get_full_path(),
        submit_text="Save as a draft",
    )


@login_required
@require_http_methods(["GET", "POST"])
@require_permission(Permission.ORG_VIEW)
def objective_new(request):
    """A new draft objective: of a unit (``?unit=CODE``: its managers, OD leads and
    admins), or of oneself (``?mine=1``, the default: anyone with a staff record)."""
    organisation = request.organisation
    place = _place(request)
    parents = _parent_choices(request.user, organisation, place.parent_unit_ids())
    if request.method != "POST":
        posted = forms.blank_objective_posted()
        if place.mine:
            posted["unit"] = place.unit_choices[0].code
        return TemplateResponse(
            request,
            "direction/objective_form.jinja",
            _new_context(request, place, posted=posted, errors={}, parents=parents),
        )
    reading = forms.read_objective(
        request.POST, parent_choices=parents.by_key, limits=objective_limits(), with_code=True
    )
    errors = dict(reading.errors)
    owner, unit = _read_owner_and_unit(place, request.POST, organisation, errors)
    posted = {
        **reading.posted,
        "owner": request.POST.get("owner", ""),
        "unit": request.POST.get("unit", ""),
    }
    objective = None
    if not errors:
        given_code = reading.values["code"]
        values = {k: v for k, v in reading.values.items() if k != "code"}
        # A made-up code can be taken by someone saving at the same moment: try the next.
        for _attempt in range(3):
            code = given_code or next_code(organisation, unit, owner)
            try:
                objective = services.create_objective(
                    organisation=organisation,
                    code=code,
                    unit=unit,
                    owner=owner,
                    actor=actor_of(request),
                    **values,
                )
            except ColeadError as error:
                if not given_code and isinstance(error, Invalid) and "code" in error.errors:
                    continue
                fallback = "owner" if "owner" in place.fields() else "title"
                errors = pages.form_errors(error, fallback=fallback, shown=place.fields())
            break
    if objective is None:
        errors = errors or {"title": "The objective could not be saved: try again"}
        context = _new_context(request, place, posted=posted, errors=errors, parents=parents)
        return TemplateResponse(request, "direction/objective_form.jinja", context)
    messages.success(
        request,
        f"Objective {objective.code} saved as a draft. Propose it for agreement when it is ready.",
    )
    return redirect("direction:objective", objective.code)


# --- Editing an objective ------------------------------------------------------------------


def _editable_objective(request, code) -> Objective:
    objective = visible_objective(request, code[:40])
    if not access.can_edit(request.user, objective):
        raise PermissionDenied
    return objective


def _edit_parent_unit_ids(objective) -> list[int]:
    """An individual objective may serve objectives of its owner's teams and above; a
    unit's, those of its unit and above."""
    if objective.owner_id is None:
        return _path_ids(objective.unit.path)
    paths = [objective.unit.path, *services.owner_unit_paths(objective.owner)]
    return sorted({pk for path in paths for pk in _path_ids(path)})


def _status_choices(objective) -> list[dict]:
    allowed = [
        status
        for status in forms.STATUS_CHOICES
        if objective.status in services.TRANSITIONS[ObjectiveStatus(status)]
    ]
    return [
        {
            "value": status,
            "text": forms.STATUS_CHOICES[status][0],
            "hint": forms.STATUS_CHOICES[status][1],
        }
        for status in allowed
    ]


EDIT_FIELDS = set(forms.OBJECTIVE_FIELD_IDS) - {"code", "owner", "unit"}


def _render_edit(request, objective, *, posted, errors=None, status_errors=None, parents=None):
    errors = errors or {}
    status_errors = status_errors or {}
    if parents is None:
        parents = _parent_choices(
            request.user,
            request.organisation,
            _edit_parent_unit_ids(objective),
            objective=objective,
        )
    context = _form_context(
        request,
        posted=posted,
        errors=errors,
        present=EDIT_FIELDS,
        parents=parents,
        mode="edit",
        heading=f"Edit: {objective.title}",
        caption=f"Objective {objective.code}",
        objective=objective,
        owner_name=objective.owner.full_name if objective.owner_id else "",
        action=reverse("direction:objective_edit", args=[objective.code]),
        submit_text="Save the changes",
        resets_agreement=objective.status
        in (ObjectiveStatus.PROPOSED, ObjectiveStatus.AGREED, ObjectiveStatus.ACTIVE),
        material_labels=MATERIAL_LABELS,
        status_label=STATUSES[objective.status],
        status_items=_status_choices(objective),
        status_errors=status_errors,
    )
    if status_errors:
        context["error_list"] = [{"text": status_errors["status"], "href": "#status"}]
        context["page_has_errors"] = True
    return TemplateResponse(request, "direction/objective_form.jinja", context)


@login_required
@require_http_methods(["GET", "POST"])
@require_permission(Permission.ORG_VIEW)
@pages.answers_not_found_and_refused
def objective_edit(request, code):
    """Change an objective: for managers of its unit, OD leads, admins and, for an
    individual objective, its owner (the API's rule: access.can_edit)."""
    objective = _editable_objective(request, code)
    parent_ids = list(objective.parents.order_by("code").values_list("pk", flat=True))
    if request.method != "POST":
        posted = forms.objective_posted(objective, parent_ids)
        return _render_edit(request, objective, posted=posted)
    parents = _parent_choices(
        request.user,
        request.organisation,
        _edit_parent_unit_ids(objective),
        objective=objective,
    )
    reading = forms.read_objective(
        request.POST, parent_choices=parents.by_key, limits=objective_limits()
    )
    errors = dict(reading.errors)
    if not errors:
        changes = dict(reading.values)
        changes["parents"] = [*reading.values["parents"], *parents.hidden]
        was = objective.status
        try:
            objective = services.update_objective(
                objective=objective, changes=changes, actor=actor_of(request)
            )
        except ColeadError as error:
            errors = pages.form_errors(error, fallback="title", shown=EDIT_FIELDS)
        else:
            message = "Changes saved."
            if objective.status == ObjectiveStatus.DRAFT and was != ObjectiveStatus.DRAFT:
                message += " It is back in draft: propose it for agreement again."
            messages.success(request, message)
            return redirect("direction:objective", objective.code)
    return _render_edit(request, objective, posted=reading.posted, errors=errors, parents=parents)


@login_required
@require_POST
@require_permission(Permission.ORG_VIEW)
@pages.answers_not_found_and_refused
def objective_status(request, code):
    """Start, achieve, drop or take up again (services.set_status); agreement has its own
    form on the objective's page."""
    objective = _editable_objective(request, code)
    allowed = [item["value"] for item in _status_choices(objective)]
    reading = forms.read_status(request.POST, allowed)
    errors = dict(reading.errors)
    if not errors:
        try:
            objective = services.set_status(
                objective=objective,
                status=reading.values["status"],
                actor=actor_of(request),
            )
        except ColeadError as error:
            errors = pages.form_errors(error, fallback="status", shown=("status",))
        else:
            messages.success(request, f"It is now {STATUSES[objective.status].lower()}.")
            return redirect("direction:objective", objective.code)
    parent_ids = list(objective.parents.order_by("code").values_list("pk", flat=True))
    posted = forms.objective_posted(objective, parent_ids)
    return _render_edit(request, objective, posted=posted, status_errors=errors)
