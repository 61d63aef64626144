"""How API callers prove who they are.

Two ways, tried in this order:

* ``Authorization: Bearer colead_...``: an API token for scripts (``colead token create``).
  A request that presents a bearer token is judged by that token alone: a wrong, revoked
  or expired one is refused (401) even if the browser also sends a session cookie.
* the browser's Django session (signed in on the web). Ninja's ``SessionAuth`` checks
  CSRF on unsafe methods (POST, PUT, PATCH, DELETE), as Django's middleware would.

Both hand the endpoint the signed-in ``User`` as ``request.auth``.
"""

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from colead.accounts.models import ApiToken

# last_used_at is a hint for people tidying up old tokens, not an access log: writing it
# on every request would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenAuth(HttpBearer):
    """Bearer API tokens (``colead_...``); only their SHA-256 hash is stored."""

    openapi_description = "An API token from `colead token create --user EMAIL`."

    def __call__(self, request: HttpRequest):
        header = request.headers.get(self.header, "")
        if header[:7].lower() == "bearer ":
            user = self.authenticate(request, header[7:].strip())
            if user is None:
                # Presented a token and it is no good: do not fall back to the session.
                raise AuthenticationError(message="Invalid or revoked API token.")
            return user
        return None

    def authenticate(self, request: HttpRequest, token: str):
        api_token = ApiToken.find_active(token)
        if api_token is None:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
            api_token.last_used_at = now
        request.api_token = api_token
        return api_token.user


class BrowserSessionAuth(SessionAuth):
    """The web session, with CSRF enforced on unsafe methods."""

    openapi_description = "The session of a user signed in on the web (CSRF on unsafe methods)."

    def authenticate(self, request: HttpRequest, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


token_auth = TokenAuth()
session_auth = BrowserSessionAuth()
api_auth = [token_auth, session_auth]
