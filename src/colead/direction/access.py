"""Who may see, edit and agree objectives (docs/access.md, "Objectives").

* **See**: OBJECTIVES_VIEW over the objective's unit (board and OD leads: everything;
  managers: their subtree); and anyone with a staff record sees their own individual
  objectives, those of the people they line-manage, and the unit objectives of their own
  teams and every unit above them (the thread from their work up to the vision). Someone
  who may see a subtree also sees the unit objectives above it.
* **Edit, propose and check in**: OBJECTIVES_MANAGE over the objective's unit (managers
  for their units, OD leads everywhere), or the owner of an individual objective.
* **Agree or ask for changes**: for a unit's objective, OBJECTIVES_AGREE over its unit
  (the team's manager or anyone above; the board for organisation objectives); for an
  individual objective, the owner's line manager or OBJECTIVES_AGREE over its unit, but
  never the owner themselves.
"""

from django.db.models import Q

from colead.accounts.permissions import has_permission, own_person_ids, permitted_scopes
from colead.accounts.roles import Permission
from colead.org.models import Person, TeamMembership, Unit

VIEW = Permission.OBJECTIVES_VIEW
MANAGE = Permission.OBJECTIVES_MANAGE
AGREE = Permission.OBJECTIVES_AGREE


def _paths_q(paths, prefix: str) -> Q:
    query = Q(pk__in=[])
    for path in sorted(set(paths)):
        query |= Q(**{f"{prefix}path__startswith": path})
    return query


def own_unit_paths(person_ids) -> list[str]:
    """The paths of the primary units and teams of these people (one query)."""
    if not person_ids:
        return []
    return list(
        Unit.objects.filter(
            Q(people__id__in=person_ids)
            | Q(pk__in=TeamMembership.objects.filter(person_id__in=person_ids).values("unit_id"))
        )
        .values_list("path", flat=True)
        .distinct()
    )


def _ancestor_ids(paths) -> set[int]:
    return {int(part) for path in paths for part in path.strip("/").split("/") if part}


def sees_everything(user, organisation) -> bool:
    """May the user see every objective of the organisation (board, OD leads)?"""
    return permitted_scopes(user, VIEW, organisation) == [None]


def visible_q(user, organisation) -> Q:
    """A filter of Objective rows the user may see (apply it to ``for_org(organisation)``)."""
    scopes = permitted_scopes(user, VIEW, organisation)
    if scopes == [None]:
        return Q()
    own = own_person_ids(user, organisation)
    scope_paths = [unit.path for unit in scopes]
    thread_paths = scope_paths + own_unit_paths(own)
    query = _paths_q(scope_paths, "unit__")
    query |= Q(owner__isnull=True, unit_id__in=_ancestor_ids(thread_paths))
    if own:
        query |= Q(owner_id__in=own) | Q(owner__line_manager_id__in=own)
    return query


def is_owner(user, objective) -> bool:
    return objective.owner_id is not None and objective.owner_id in own_person_ids(
        user, objective.organisation
    )


def can_manage_unit(user, unit) -> bool:
    return has_permission(user, MANAGE, unit)


def can_edit(user, objective) -> bool:
    return can_manage_unit(user, objective.unit) or is_owner(user, objective)


def can_create(user, *, unit, owner=None) -> bool:
    """May the user write an objective for this unit (and owner)?"""
    if can_manage_unit(user, unit):
        return True
    return owner is not None and owner.pk in own_person_ids(user, unit.organisation)


def is_line_manager(user, objective) -> bool:
    if objective.owner_id is None:
        return False
    manager_id = (
        Person.objects.filter(pk=objective.owner_id).values_list("line_manager_id", flat=True)
    ).first()
    return manager_id is not None and manager_id in own_person_ids(user, objective.organisation)


def can_agree(user, objective) -> bool:
    if objective.owner_id is None:
        return has_permission(user, AGREE, objective.unit)
    if is_owner(user, objective):
        return False
    return is_line_manager(user, objective) or has_permission(user, AGREE, objective.unit)
