"""The one place access is decided: ``has_permission(user, permission, unit=None)``.

A role assignment grants its role's permissions over a unit subtree, or over the whole
organisation when it has no unit. With ``unit`` given, the permission must be held on a
subtree that contains it; with only ``organisation``, it must be held organisation-wide.
Anything else is denied.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied

from colead.accounts.roles import ROLE_PERMISSIONS, Permission, Role
from colead.lib import tree


def _assignments(user):
    """Role assignments of a user, cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ()
    cached = getattr(user, "_colead_assignments", None)
    if cached is None:
        cached = tuple(user.role_assignments.select_related("unit", "organisation"))
        user._colead_assignments = cached
    return cached


def forget_cached_roles(user) -> None:
    if hasattr(user, "_colead_assignments"):
        del user._colead_assignments


def has_permission(user, permission: Permission, unit=None, *, organisation=None) -> bool:
    if unit is None and organisation is None:
        raise TypeError("has_permission needs a unit or an organisation to check against.")
    org_id = unit.organisation_id if unit is not None else organisation.pk
    for assignment in _assignments(user):
        if assignment.organisation_id != org_id:
            continue
        if permission not in ROLE_PERMISSIONS[Role(assignment.role)]:
            continue
        if assignment.unit_id is None:
            return True
        if unit is not None and tree.is_within(unit.path, assignment.unit.path):
            return True
    return False


def permitted_scopes(user, permission: Permission, organisation):
    """The units under which the user holds a permission; [None] means organisation-wide."""
    scopes = []
    for assignment in _assignments(user):
        if assignment.organisation_id != organisation.pk:
            continue
        if permission not in ROLE_PERMISSIONS[Role(assignment.role)]:
            continue
        if assignment.unit_id is None:
            return [None]
        scopes.append(assignment.unit)
    return scopes


def own_person_ids(user, organisation) -> set[int]:
    """The ids of the user's own staff records in the organisation (usually one)."""
    return {
        a.person_id
        for a in _assignments(user)
        if a.organisation_id == organisation.pk and a.person_id is not None
    }


def roles_in(user, organisation) -> set[Role]:
    return {Role(a.role) for a in _assignments(user) if a.organisation_id == organisation.pk}


def organisations_of(user):
    seen = {}
    for assignment in _assignments(user):
        seen.setdefault(assignment.organisation_id, assignment.organisation)
    return sorted(seen.values(), key=lambda org: org.name)


def require_permission(permission: Permission, *alternatives: Permission):
    """View decorator: the signed-in user must hold ``permission`` (or one of the
    ``alternatives``) somewhere in the current organisation. Unit-level checks happen inside
    the view."""

    def decorator(view):
        view.required_permission = permission

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            organisation = getattr(request, "organisation", None)
            if organisation is None:
                raise PermissionDenied
            if not any(
                permitted_scopes(request.user, held, organisation)
                for held in (permission, *alternatives)
            ):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
