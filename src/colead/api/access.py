"""Every API operation declares the permission it needs, with ``@requires``.

``@requires(Permission.X)`` on an operation whose path has ``{org_code}``:

* finds the organisation among those where the caller holds any role; any other code,
  whether it exists or not, is 404, so the API never reveals another organisation;
* works out the units under which the caller holds ``X`` there (``permitted_scopes``) and
  refuses with 403 when there are none (unless ``check_in_view=True``: the view then
  decides, as the person endpoint does for a caller's own record);
* hands the view an ``Access`` (``access(request)``).

``@requires(SIGNED_IN)`` marks the few operations about the caller themselves
(``/me``, their organisations): any authenticated caller may use them.

An operation whose path names an object rather than an organisation (``/waves/{wave_id}``)
passes ``organisation_of``: a function of the path parameters giving the id of the
organisation the object belongs to (None if there is no such object). The organisation is
then judged exactly as for ``{org_code}``: one where the caller holds no role is 404.

``org_wide=True`` insists that the permission is held over the whole organisation, not
just a unit (creating, launching and closing survey waves): anything less is 403.

``@requires(SURVEY_TOKEN)`` marks the respondent's operations under ``/take/``: they have no
user at all. A survey token in the ``X-Survey-Token`` header (or, to start a form on a
shared device, the device link's slug in the path) is the only credential, and the survey
services decide what it opens. These operations never use the session, so a member of staff
who is also signed in is never linked to what they answer.

The declared permission is kept on the view as ``required_permission``;
tests/unit/test_api_declarations.py walks every operation and insists on one.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import wraps

from django.db.models import Q

from colead.accounts.permissions import has_permission, organisations_of, permitted_scopes
from colead.accounts.roles import Permission
from colead.audit.services import record
from colead.core.actor import Actor
from colead.lib import errors, tree

SIGNED_IN = "signed_in"
SURVEY_TOKEN = "survey_token"
ORG_CODE_PARAM = "org_code"


# The API's own refusals are the service kinds, answered by the one handler in api/api.py.
class NotFound(errors.NotFound):
    def __init__(self, message: str = "Not found."):
        super().__init__(message)


class Forbidden(errors.Refused):
    def __init__(self, message: str = "You do not have permission to do that."):
        super().__init__(message)


def clean_code(value: str, max_length: int) -> str:
    """A code from a URL: anything that could not be stored is simply not found (this
    also keeps NUL characters, which PostgreSQL refuses, out of queries)."""
    if not value or len(value) > max_length or "\x00" in value:
        raise NotFound()
    return value


@dataclass
class Access:
    user: object
    organisation: object
    permission: Permission
    # Units under which the caller holds the permission; [None] means organisation-wide.
    scopes: list = field(default_factory=list)

    @property
    def org_wide(self) -> bool:
        return self.scopes == [None]

    def allows(self, unit) -> bool:
        return has_permission(self.user, self.permission, unit)

    def unit_q(self, prefix: str = "") -> Q:
        """A filter for units (``prefix=""``) or for rows with a unit foreign key
        (``prefix="primary_unit__"``) inside the caller's scopes."""
        return scope_q(self.scopes, prefix)


def scope_q(scopes: Iterable, prefix: str = "") -> Q:
    scopes = list(scopes)
    if None in scopes:
        return Q()
    if not scopes:
        return Q(pk__in=[])
    query = Q()
    # Scopes nested inside another scope are left out: the outer one already covers them.
    for path in tree.outermost(unit.path for unit in scopes):
        query |= Q(**{f"{prefix}path__startswith": path})
    return query


def visible_organisation(user, code: str):
    """The organisation with this code, if the caller holds any role in it; else 404."""
    code = clean_code(code, 10)
    for organisation in organisations_of(user):
        if organisation.code == code:
            return organisation
    raise NotFound()


def visible_organisation_by_id(user, organisation_id):
    """The organisation with this id, if the caller holds any role in it; else 404."""
    if organisation_id is not None:
        for organisation in organisations_of(user):
            if organisation.pk == organisation_id:
                return organisation
    raise NotFound()


def requires(
    permission,
    *,
    check_in_view: bool = False,
    organisation_of=None,
    org_wide: bool = False,
):
    if permission not in (SIGNED_IN, SURVEY_TOKEN) and not isinstance(permission, Permission):
        raise TypeError(
            f"@requires needs a Permission, SIGNED_IN or SURVEY_TOKEN, not {permission!r}."
        )

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not isinstance(permission, Permission):
                return view(request, *args, **kwargs)
            user = request.auth
            if ORG_CODE_PARAM in kwargs:
                organisation = visible_organisation(user, kwargs[ORG_CODE_PARAM])
            elif organisation_of is not None:
                organisation = visible_organisation_by_id(user, organisation_of(kwargs))
            else:
                raise TypeError(
                    f"{view.__name__}: a permission needs an {{org_code}} or organisation_of."
                )
            try:
                scopes = permitted_scopes(user, permission, organisation)
                if org_wide and scopes != [None]:
                    raise Forbidden()
                if not scopes and not check_in_view:
                    raise Forbidden()
                request.colead_access = Access(user, organisation, permission, scopes)
                return view(request, *args, **kwargs)
            except errors.Refused:
                # A refusal inside an organisation where the caller holds a role is worth
                # knowing about (someone probing what they cannot see): audit it.
                record(
                    action="api.refused",
                    actor=Actor.from_request(request, source="api"),
                    organisation=organisation,
                    object_type="api",
                    object_repr=f"{request.method} {request.path}"[:255],
                    detail={"permission": str(permission), "operation": view.__name__},
                )
                raise

        wrapped.required_permission = permission
        wrapped.required_org_wide = org_wide
        return wrapped

    return decorator


def access(request) -> Access:
    return request.colead_access
