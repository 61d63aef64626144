"""Console and file email backends write messages out with personal links redacted, as the
logs do; the test backend (locmem) still holds the full link for the tests that follow it."""

import re

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives, get_connection
from django.urls import reverse

from tests.integration.test_settings_and_health import _colead

TOKEN = "iAbCdEfGhIjKlMnOpQrStUvWxYz012345"
BODY = f"Start here (this link is personal):\nhttps://colead.example/take/{TOKEN}/\n"
CONSOLE = "colead.config.mail.RedactingConsoleBackend"
FILE = "colead.config.mail.RedactingFileBackend"


def invitation():
    message = EmailMultiAlternatives(
        subject="Spring pulse", body=BODY, to=["sam@test.test"], from_email="colead@test.test"
    )
    message.attach_alternative(f'<a href="/take/{TOKEN}/">Start</a>', "text/html")
    return message


def test_the_console_backend_writes_survey_links_redacted(capsys):
    message = invitation()
    get_connection(CONSOLE).send_messages([message])
    out = capsys.readouterr().out
    assert TOKEN not in out
    assert out.count("/take/[token]/") == 2  # the text and the HTML part
    assert TOKEN in message.body  # the message itself is left as it was


def test_a_lazy_body_is_redacted_too(capsys):
    """A body given as a lazy (translatable) string is not a str; its link goes all the same."""
    from django.utils.functional import lazy

    message = invitation()
    message.body = lazy(lambda: BODY, str)()
    get_connection(CONSOLE).send_messages([message])
    out = capsys.readouterr().out
    assert TOKEN not in out and "/take/[token]/" in out


def test_the_file_backend_writes_survey_links_redacted(tmp_path):
    get_connection(FILE, file_path=str(tmp_path)).send_messages([invitation()])
    [written] = tmp_path.iterdir()
    text = written.read_text()
    assert TOKEN not in text and "/take/[token]/" in text


@pytest.mark.django_db
def test_a_password_link_printed_by_the_console_backend_is_redacted(
    client, persona_users, settings, capsys
):
    settings.EMAIL_BACKEND = CONSOLE
    settings.COLEAD_BASE_URL = "https://colead.example.nhs.uk"
    response = client.post(reverse("accounts:password_reset"), {"email": "staff@test.test"})
    assert response.status_code == 302
    out = capsys.readouterr().out
    assert "Set your colead password" in out
    assert "/accounts/password/set/[user]/[token]/" in out
    assert not re.search(r"/accounts/password/set/(?!\[user\]/\[token\])", out)


@pytest.mark.django_db
def test_the_test_backend_still_holds_the_full_link(client, persona_users, settings):
    settings.COLEAD_BASE_URL = "https://colead.example.nhs.uk"
    client.post(reverse("accounts:password_reset"), {"email": "staff@test.test"})
    assert re.search(r"/accounts/password/set/[^\[/]+/[^\[/]+/", mail.outbox[0].body)


def test_outside_production_the_default_and_the_stock_backends_redact(tmp_path):
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    default = _colead(
        ["shell", "--no-imports", "-c", code], {"COLEAD_ENV": "development"}, tmp_path
    )
    assert default.stdout.strip() == CONSOLE, default.stderr
    stock = _colead(
        ["shell", "--no-imports", "-c", code],
        {
            "COLEAD_ENV": "development",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        },
        tmp_path,
    )
    assert stock.stdout.strip() == FILE, stock.stderr
