"""Password spraying: one client address trying a password across many accounts.

django-axes pauses an account after AXES_FAILURE_LIMIT failures from one address (guessing
one person's password). A sprayer tries one or two common passwords on many accounts, so
no account reaches that limit; this counts failed sign-ins per client address, whatever
the account, and pauses sign-in from the address once COLEAD_SIGN_IN_ADDRESS_LIMIT fail
within COLEAD_SIGN_IN_ADDRESS_WINDOW seconds. The count lives in the shared cache
(core.ratelimit: the address only ever appears hashed, in a cache key that expires).
"""

from django.conf import settings

from colead.core import ratelimit

SCOPE = "sign-in-failures"


def sign_in_username(request, credentials) -> str:
    """The account name django-axes counts failures against (AXES_USERNAME_CALLABLE): the
    email address as accounts match it, without regard to case, so that ``OD@demo.test``
    and ``od@demo.test`` share one count rather than each allowing its own guesses."""
    name = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(name).strip().lower()


def address_paused(request) -> bool:
    """Whether sign-in from this request's address is paused for too many failures."""
    return (
        ratelimit.counted(request, scope=SCOPE, window=settings.COLEAD_SIGN_IN_ADDRESS_WINDOW)
        >= settings.COLEAD_SIGN_IN_ADDRESS_LIMIT
    )


def count_failure(sender, credentials=None, request=None, **kwargs) -> None:
    """user_login_failed receiver: one more failure from the request's address."""
    if request is None:
        return
    ratelimit.allow(
        request,
        scope=SCOPE,
        limit=settings.COLEAD_SIGN_IN_ADDRESS_LIMIT,
        window=settings.COLEAD_SIGN_IN_ADDRESS_WINDOW,
    )
