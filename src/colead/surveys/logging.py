"""Keep survey tokens out of logs (docs/privacy.md).

A personal link, ``/take/<token>/``, is the one URL that carries a token: the first request
moves it into a cookie and redirects to ``/take/``. Web server and Django request logs would
still record that first path, next to an address and a time, so every log record of
``django.server`` and ``django.request`` (and gunicorn's, see gunicorn.conf.py) passes through
``redact``, which replaces the token with ``[token]``. The survey cookie's value is blanked
too, should a log format ever include the Cookie header.

No Django imports: gunicorn.conf.py imports this before Django is set up.
"""

import logging
import re

# Paths under /take/ that are pages, not tokens. Device link slugs name a ward's shared
# link (printed on a poster), not a person, so they are kept.
FIXED_SEGMENTS = frozenset({"section", "check", "saved", "done", "device", "start"})
SURVEY_COOKIE = "colead_take_token"

_TOKEN_PATH = re.compile(r"(/take/)([^/?#\s\"']+)")
_COOKIE = re.compile(rf"({SURVEY_COOKIE}=)[^;\s\"]*")


def _path(match: re.Match) -> str:
    if match.group(2) in FIXED_SEGMENTS:
        return match.group(0)
    return match.group(1) + "[token]"


def redact(text: str) -> str:
    """``text`` with the token of any /take/<token> path, and the survey cookie, replaced."""
    if "/take/" not in text and SURVEY_COOKIE not in text:
        return text
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
