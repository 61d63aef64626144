"""Keep survey tokens out of logs (docs/privacy.md).

A personal link, ``/take/<token>/``, is the one URL that carries a token: the first request
moves it into a cookie and redirects to ``/take/``. Web server and Django request logs would
still record that first path, next to an address and a time, so every log record of
``django.server`` and ``django.request`` (and gunicorn's, see gunicorn.conf.py) passes through
``redact``, which replaces the token with ``[token]``. The survey cookie's value is blanked
too, should a log format ever include the Cookie header. The link of a password-reset email,
``/accounts/password/set/<uid>/<token>/``, is redacted the same way.

No Django imports: gunicorn.conf.py imports this before Django is set up.
"""

import logging
import re

# Paths under /take/ that are pages, not tokens. Device link slugs name a ward's shared
# link (printed on a poster), not a person, so they are kept.
FIXED_SEGMENTS = frozenset({"section", "check", "saved", "done", "device", "start"})
SURVEY_COOKIE = "colead_take_token"

_TOKEN_PATH = re.compile(r"(/take/)([^/?#\s\"']+)")
PASSWORD_LINK = "/accounts/password/set/"
# Django moves the reset token into the session and redirects to this segment.
_PASSWORD_PATH = re.compile(r"(/accounts/password/set/)([^/?#\s\"']+)/([^/?#\s\"']+)")
_COOKIE = re.compile(rf"({SURVEY_COOKIE}=)[^;\s\"]*")


def _path(match: re.Match) -> str:
    if match.group(2) in FIXED_SEGMENTS:
        return match.group(0)
    return match.group(1) + "[token]"


def _password_path(match: re.Match) -> str:
    token = match.group(3) if match.group(3) == "set-password" else "[token]"
    return f"{match.group(1)}[user]/{token}"


def redact(text: str) -> str:
    """``text`` with the token of any /take/<token> path, the survey cookie and the parts
    of a password-reset link replaced."""
    if "/take/" not in text and SURVEY_COOKIE not in text and PASSWORD_LINK not in text:
        return text
    text = _PASSWORD_PATH.sub(_password_path, text)
    return _COOKIE.sub(r"\1[redacted]", _TOKEN_PATH.sub(_path, text))


def _redact_value(value):
    return redact(value) if isinstance(value, str) else value


class RedactSurveyTokens(logging.Filter):
    """A logging filter that rewrites a record's message and arguments with ``redact``.
    It never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_value(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redact_value(value) for key, value in record.args.items()}
        return True
