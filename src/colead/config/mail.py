"""Email backends that write messages out (console, file) with personal links redacted.

An invitation, a reminder and a password email each carry a link that is as good as the
person's key (``/take/<token>/``, ``/accounts/password/set/<uid>/<token>/``). The console
and file backends would write them in full to the server output or a directory, where
logs already never show them (colead.surveys.logging). These backends pass the subject,
body and any alternative parts through the same ``redact`` before writing, so the output
shows ``/take/[token]/``. Delivery backends (SMTP) and the test backend (locmem) are
untouched: people still receive their link.
"""

import copy

from django.core.mail.backends import console, filebased

from colead.surveys.logging import redact


def redacted_copy(message):
    """A copy of an EmailMessage with every link that carries a token redacted."""
    shown = copy.copy(message)
    shown.subject = redact(str(message.subject))
    # str() too: a lazy translation string is not a str, and its links must go as well
    shown.body = redact(str(message.body or ""))
    alternatives = getattr(message, "alternatives", None)
    if alternatives:
        parts = []
        for part in alternatives:
            content, *rest = part
            fields = (redact(content) if isinstance(content, str) else content, *rest)
            parts.append(type(part)(*fields) if hasattr(part, "_fields") else fields)
        shown.alternatives = parts
    return shown


class RedactingConsoleBackend(console.EmailBackend):
    """Django's console backend, with personal links redacted."""

    def write_message(self, message):
        super().write_message(redacted_copy(message))


class RedactingFileBackend(filebased.EmailBackend):
    """Django's file backend (EMAIL_FILE_PATH), with personal links redacted."""

    def write_message(self, message):
        super().write_message(redacted_copy(message))
