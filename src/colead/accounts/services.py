"""Writes to accounts, each in one transaction with its audit: roles given by email and
API tokens."""

from django.db import transaction
from django.utils import timezone

from colead.accounts.models import ApiToken, RoleAssignment, User
from colead.audit.services import record
from colead.core.actor import Actor
from colead.lib.errors import Conflict, Invalid, NotFound, Refused


def normalise_email(email: str) -> str:
    return User.objects.normalize_email(email.strip()).lower()


@transaction.atomic
def grant_role(
    *,
    email: str,
    organisation,
    role: str,
    unit=None,
    person=None,
    full_name: str = "",
    actor: Actor,
) -> tuple[RoleAssignment, bool]:
    """Give the person who signs in as ``email`` a role in ``organisation`` (over ``unit``'s
    subtree, or the whole organisation), creating their account when there is none yet.

    A new account has no password: they sign in with the organisation's identity provider
    (OpenID Connect matches them by this email address), or choose a password through the
    emailed link of ``accounts.passwords``. Returns (the assignment, whether the account was created). Audited as
    ``accounts.user_created`` (when created) and ``accounts.role_granted``."""
    email = normalise_email(email)
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User.objects.create_user(email, password=None, full_name=full_name.strip())
        record(
            action="accounts.user_created",
            actor=actor,
            organisation=organisation,
            obj=user,
            detail={"reason": "role granted"},
        )
    assignment = RoleAssignment.objects.create(
        user=user, organisation=organisation, role=role, unit=unit, person=person
    )
    record(
        action="accounts.role_granted",
        actor=actor,
        organisation=organisation,
        obj=assignment,
        detail={
            "user": user.email,
            "role": role,
            "unit": unit.code if unit is not None else None,
            "new_account": created,
        },
    )
    return assignment, created


TOKEN_NAME_LENGTH = ApiToken._meta.get_field("name").max_length


@transaction.atomic
def create_api_token(*, user: User, name: str, actor: Actor) -> tuple[ApiToken, str]:
    """A new API token for ``user`` and its raw value, which is shown once and never stored
    (only its hash). Refused for a deactivated user, whose token would not work. Audited as
    ``api_token.create``, without the secret."""
    if not user.is_active:
        raise Refused(f"{user.email} is deactivated; a token for them would not work.")
    name = (name or "").strip()
    if not name or len(name) > TOKEN_NAME_LENGTH:
        raise Invalid({"name": f"Give the token a name of 1 to {TOKEN_NAME_LENGTH} characters."})
    token, raw = ApiToken.generate(user=user, name=name)
    record(
        action="api_token.create",
        actor=actor,
        obj=token,
        object_repr=f"{token.name} ({user.email})",
        detail={"user": user.email, "name": token.name, "via": actor.source},
    )
    return token, raw


@transaction.atomic
def revoke_api_token(*, token_id: int, actor: Actor) -> ApiToken:
    """Revoke a token from now on. NotFound for an unknown id; Conflict if it was already
    revoked (its revocation time is unchanged). Audited as ``api_token.revoke``."""
    token = ApiToken.objects.select_for_update().select_related("user").filter(pk=token_id).first()
    if token is None:
        raise NotFound(f"No API token with id {token_id}.")
    if token.revoked_at is not None:
        when = timezone.localtime(token.revoked_at)
        raise Conflict(f"API token {token_id} was already revoked {when:%Y-%m-%d %H:%M}.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(
        action="api_token.revoke",
        actor=actor,
        obj=token,
        object_repr=f"{token.name} ({token.user.email})",
        detail={"user": token.user.email, "name": token.name, "via": actor.source},
    )
    return token
