"""Logs never join a person to answers: /take/<token>/ paths are redacted in Django's and
gunicorn's logs."""

import logging
import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from colead.surveys.logging import RedactSurveyTokens, redact
from tests.integration.test_take_pages import invitation_of, make_wave, token_for

REPO = Path(__file__).resolve().parents[2]
TOKEN = "iAbCdEfGhIjKlMnOpQrStUvWxYz012345"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"/take/{TOKEN}/", "/take/[token]/"),
        (f'"GET /take/{TOKEN}/ HTTP/1.1" 302 0', '"GET /take/[token]/ HTTP/1.1" 302 0'),
        (f"https://colead.example/take/{TOKEN}/?x=1", "https://colead.example/take/[token]/?x=1"),
        (f"/take/{TOKEN}", "/take/[token]"),
        ("/take/<script>alert(1)<-script>/", "/take/[token]/"),
        ("/take/", "/take/"),
        ("/take/section/3/", "/take/section/3/"),
        ("/take/check/", "/take/check/"),
        ("/take/device/Xy_12-ab/", "/take/device/Xy_12-ab/"),
        ("/org/units/W1/", "/org/units/W1/"),
        (
            '"GET /accounts/password/set/MTI/cf3k2-1a2b3c4d5e6f/ HTTP/1.1" 302 0',
            '"GET /accounts/password/set/[user]/[token]/ HTTP/1.1" 302 0',
        ),
        ("/accounts/password/set/MTI/set-password/", "/accounts/password/set/[user]/set-password/"),
        ("/accounts/password/set/done/", "/accounts/password/set/done/"),
        (
            "csrftoken=abc; colead_take_token=iAbC:1uX:sig; other=1",
            "csrftoken=abc; colead_take_token=[redacted]; other=1",
        ),
    ],
)
def test_redact(text, expected):
    assert redact(text) == expected


def test_the_filter_rewrites_message_and_arguments_and_keeps_the_record():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /take/{TOKEN}/ HTTP/1.1", "302", "0"),
        None,
    )
    assert RedactSurveyTokens().filter(record) is True
    assert record.getMessage() == '"GET /take/[token]/ HTTP/1.1" 302 0'
    mapping = logging.LogRecord(
        "x", logging.INFO, __file__, 1, f"at /take/{TOKEN}/ %(path)s", None, None
    )
    mapping.args = {"path": f"/take/{TOKEN}/"}
    RedactSurveyTokens().filter(mapping)
    assert TOKEN not in mapping.getMessage()


def test_settings_wire_the_filter_into_django_server_and_django_request():
    for name in ("django.server", "django.request"):
        filters = logging.getLogger(name).filters
        assert any(isinstance(f, RedactSurveyTokens) for f in filters), name


@pytest.mark.django_db
def test_refused_links_are_logged_without_their_token(trust, caplog):
    wave = make_wave(trust)
    token = token_for(invitation_of(wave, trust["nurse_person"]))
    client = Client()
    client.get(reverse("take:start", args=[token]))
    client.post(reverse("take:check"))  # sent
    forged = "i" + "Z" * 32
    with caplog.at_level(logging.INFO, logger="django.request"):
        assert Client().get(f"/take/{forged}/").status_code == 404
        assert Client().get(f"/take/{token}/").status_code == 410
    messages = [record.getMessage() for record in caplog.records]
    assert "Not Found: /take/[token]/" in messages
    assert "Gone: /take/[token]/" in messages
    assert token not in caplog.text and forged not in caplog.text


def test_gunicorn_access_and_error_logs_redact_tokens():
    from gunicorn.config import Config

    conf = runpy.run_path(str(REPO / "gunicorn.conf.py"))
    logger_class = conf["logger_class"]
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", conf["access_log_format"])
    logger = logger_class(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/take/{TOKEN}/",
        "PATH_INFO": f"/take/{TOKEN}/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.1",
        "HTTP_REFERER": f"https://mail.example/?u=/take/{TOKEN}/",
    }
    response = SimpleNamespace(status="302 Found", sent=0, headers=[("Location", "/take/")])
    request = SimpleNamespace(headers=[("COOKIE", f"colead_take_token={TOKEN}:x:y")])
    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=5))
    line = conf["access_log_format"] % atoms
    assert TOKEN not in line
    assert '"GET /take/[token]/ HTTP/1.1" 302' in line
    assert all(TOKEN not in str(value) for value in atoms.values())
    assert any(isinstance(f, RedactSurveyTokens) for f in logger.error_log.filters)
