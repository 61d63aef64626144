"""Writes to accounts that touch several models, each in one transaction with its audit."""

from django.db import transaction

from colead.accounts.models import RoleAssignment, User
from colead.audit.services import record
from colead.core.actor import Actor


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
