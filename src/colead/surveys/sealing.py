"""Sealed ballots: a submitted response's answers, demographics and comments stored encrypted
while its wave is open (docs/privacy.md, "What a database holder can learn").

A ballot row is written in the same transaction that marks its invitation as responded, so
anyone holding the database could join the two (by physical order, PostgreSQL's ``xmin``, or
the time of the update). Sealing leaves them nothing to join to: the payload is AES-256-GCM
under a key derived with HKDF from the server key ``SURVEY_TOKEN_KEY`` (from the
environment, never in the database) with a label of its own, a random 96-bit nonce per
ballot and no timestamp inside (unlike Fernet tokens, which carry the time of encryption).
The plaintext is padded to a multiple of ``PAD_TO`` bytes so the ciphertext's length says
little about which questions were answered.
"""

import json
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

from colead.lib import memory

VERSION = b"\x01"
NONCE_BYTES = 12
PAD_TO = 256
_LABEL = b"colead survey ballot seal v1"


class SealError(Exception):
    """A sealed ballot that cannot be opened: the server key changed, or the row was altered."""


@memory.cached
def _cipher(server_key: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_LABEL).derive(
        server_key.encode()
    )
    return AESGCM(key)


def seal(payload: dict) -> bytes:
    """Encrypt ``payload`` (JSON-serialisable) for storage: version, nonce, ciphertext."""
    text = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    # JSON ignores trailing spaces, so padding needs no length prefix.
    text += b" " * (-len(text) % PAD_TO)
    nonce = os.urandom(NONCE_BYTES)
    return VERSION + nonce + _cipher(settings.SURVEY_TOKEN_KEY).encrypt(nonce, text, VERSION)


def unseal(blob: bytes) -> dict:
    blob = bytes(blob)
    if blob[:1] != VERSION:
        raise SealError("A sealed ballot has an unknown format version.")
    nonce, ciphertext = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        text = _cipher(settings.SURVEY_TOKEN_KEY).decrypt(nonce, ciphertext, VERSION)
    except Exception as error:  # cryptography raises InvalidTag, with no message
        raise SealError(
            "A sealed ballot cannot be opened with this server's SURVEY_TOKEN_KEY. The key "
            "must stay the same from a wave's launch to its close: restore the key the "
            "wave was launched with, then close the wave again."
        ) from error
    return json.loads(text)


class SealedJSONField(models.BinaryField):
    """A dict in Python, sealed bytes in the database. Not queryable by content, by design."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def get_db_prep_value(self, value, connection, prepared=False):
        if isinstance(value, dict):
            value = seal(value)
        return super().get_db_prep_value(value, connection, prepared)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return unseal(value)

    def to_python(self, value):
        if isinstance(value, dict) or value is None:
            return value
        return unseal(super().to_python(value))
