"""Survey tokens and their digests.

A personal invitation's token is derived from the invitation's id and a random nonce with a
server-side key (SURVEY_TOKEN_KEY, never stored in the database), so reminders can carry the
same link without the token being stored. The database holds only SHA-256 of the token (to
find the invitation) and, for an unfinished form, a differently keyed digest (to find the
draft): neither leads to the other without the key and the token.
"""

import base64
import hashlib
import hmac
import secrets

from django.conf import settings


def _key() -> bytes:
    return settings.SURVEY_TOKEN_KEY.encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def new_nonce() -> str:
    return secrets.token_hex(16)


def invitation_token(invitation_id: int, nonce: str) -> str:
    mac = hmac.new(_key(), f"invitation:{invitation_id}:{nonce}".encode(), hashlib.sha256)
    return "i" + _b64(mac.digest())[:32]


def device_token() -> str:
    return "d" + secrets.token_urlsafe(24)


def lookup_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def draft_digest(token: str) -> str:
    return hmac.new(_key(), f"draft:{token}".encode(), hashlib.sha256).hexdigest()


def looks_like_token(token: str) -> bool:
    return (
        isinstance(token, str)
        and 20 <= len(token) <= 64
        and token[0] in "id"
        and all(c.isalnum() or c in "-_" for c in token)
    )
