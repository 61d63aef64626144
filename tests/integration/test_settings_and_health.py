import json
import os
import subprocess
import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


def _colead(args, env_overrides, tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into these processes.
        if k
        not in {
            "SECRET_KEY",
            "COLEAD_ENV",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
            "COLEAD_BASE_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3", **env_overrides})
    return subprocess.run(
        [sys.executable, "-m", "colead", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = _colead(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {
            "COLEAD_ENV": "production",
            "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-value-0123456789",
            "ALLOWED_HOSTS": "colead.example.nhs.uk",
            "COLEAD_BASE_URL": "https://colead.example.nhs.uk",
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _colead(["check"], {"COLEAD_ENV": "production"}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_production_refuses_to_start_without_its_base_url(tmp_path):
    result = _colead(
        ["check"],
        {
            "COLEAD_ENV": "production",
            "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-value-0123456789",
            "ALLOWED_HOSTS": "colead.example.nhs.uk",
        },
        tmp_path,
    )
    assert result.returncode != 0
    assert "COLEAD_BASE_URL is required when COLEAD_ENV=production" in result.stderr


def test_the_deploy_check_fails_on_a_local_base_url(tmp_path):
    env = {"COLEAD_ENV": "development", "COLEAD_SECRET_KEY_FILE": str(tmp_path / "key")}
    result = _colead(["check", "--deploy"], env, tmp_path)
    assert result.returncode != 0
    assert "(colead.E001) COLEAD_BASE_URL is http://127.0.0.1:8000" in result.stderr
    # Without --deploy a developer's machine is not held to it.
    assert _colead(["check"], env, tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("base_url", "check_id"),
    [
        ("", "colead.E001"),
        ("colead.example.nhs.uk", "colead.E001"),
        ("http://localhost:8000", "colead.E001"),
        ("http://127.0.0.1:8080/", "colead.E001"),
        ("http://colead.example.nhs.uk", "colead.W001"),
        ("https://colead.example.nhs.uk", None),
    ],
)
def test_the_base_url_check_names_each_problem(settings, base_url, check_id):
    from colead.core.checks import base_url_is_public

    settings.COLEAD_BASE_URL = base_url
    assert [message.id for message in base_url_is_public()] == ([check_id] if check_id else [])


def test_development_generates_and_keeps_a_secret_key(tmp_path):
    env = {"COLEAD_ENV": "development", "COLEAD_SECRET_KEY_FILE": str(tmp_path / "key")}
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = _colead(["shell", "--no-imports", "-c", code], env, tmp_path)
    second = _colead(["shell", "--no-imports", "-c", code], env, tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == second.stdout.strip() == (tmp_path / "key").read_text()


def test_django_management_commands_pass_through(tmp_path):
    result = _colead(["migrate", "--plan"], {"COLEAD_ENV": "test"}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "accounts.0001_initial" in result.stdout


@pytest.mark.django_db
def test_healthz_reports_database_and_migrations(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "ok",
        "database": "ok",
        "migrations_applied": True,
    }


@pytest.mark.django_db
def test_healthz_is_unavailable_when_migrations_are_pending(client, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    # A fresh process: the tests' fixture has emptied the memory of migrations confirmed.
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("x", False)])
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["migrations_applied"] is False


@pytest.mark.django_db
def test_healthz_builds_the_migration_graph_only_until_it_finds_none_pending(client, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    plans = []
    real_plan = MigrationExecutor.migration_plan

    def counting_plan(self, targets, **kwargs):
        plans.append(targets)
        return real_plan(self, targets, **kwargs)

    monkeypatch.setattr(MigrationExecutor, "migration_plan", counting_plan)
    for _probe in range(5):
        assert client.get("/healthz").status_code == 200
    assert len(plans) == 1


@pytest.mark.django_db
def test_pages_send_a_strict_content_security_policy(client):
    response = client.get("/accounts/sign-in/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"'.encode() in response.content


@pytest.mark.django_db
def test_failed_sign_ins_are_throttled(client, persona_users):
    for _ in range(5):
        client.post("/accounts/sign-in/", {"username": "admin@test.test", "password": "wrong"})
    locked = client.post(
        "/accounts/sign-in/",
        {"username": "admin@test.test", "password": "correct-horse-battery"},
    )
    assert locked.status_code == 429
    assert b"Too many failed sign-in attempts" in locked.content


@pytest.mark.django_db
def test_sign_in_is_audited(client, persona_users):
    from colead.audit.models import AuditEvent

    client.post(
        "/accounts/sign-in/", {"username": "admin@test.test", "password": "correct-horse-battery"}
    )
    event = AuditEvent.objects.get(action="auth.sign_in")
    assert event.actor == persona_users["admin"]
    assert event.ip_address == "127.0.0.1"


@pytest.mark.django_db
def test_home_page_query_count_does_not_grow_with_the_organisation(client_for, trust):
    from tests.factories import PersonFactory

    client = client_for("board")
    client.get("/")  # warm the session
    with CaptureQueriesContext(connection) as small:
        assert client.get("/").status_code == 200
    for i in range(30):
        PersonFactory(
            organisation=trust["org"], primary_unit=trust["units"]["W2"], employee_number=f"N{i}"
        )
    with CaptureQueriesContext(connection) as large:
        assert client.get("/").status_code == 200
    assert len(large) == len(small)


def test_openid_connect_sign_in_can_be_switched_on_by_environment(tmp_path):
    code = (
        "from django.urls import reverse; from django.test import Client;"
        "print(reverse('oidc_authentication_init'));"
        "print('NHSmail' in Client().get('/accounts/sign-in/').content.decode())"
    )
    env = {
        "COLEAD_ENV": "test",
        "SECRET_KEY": "x",
        "OIDC_ENABLED": "true",
        "OIDC_RP_CLIENT_ID": "colead",
        "OIDC_RP_CLIENT_SECRET": "s3cret",
        "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://login.example.test/authorize",
        "OIDC_OP_TOKEN_ENDPOINT": "https://login.example.test/token",
        "OIDC_OP_USER_ENDPOINT": "https://login.example.test/userinfo",
        "OIDC_OP_JWKS_ENDPOINT": "https://login.example.test/jwks",
    }
    _colead(["migrate", "-v", "0"], env, tmp_path)
    result = _colead(["shell", "--no-imports", "-c", code], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["/oidc/authenticate/", "True"]


def test_openid_connect_is_off_by_default(client, db):
    from django.urls import NoReverseMatch, reverse

    with pytest.raises(NoReverseMatch):
        reverse("oidc_authentication_init")
    assert b"NHSmail" not in client.get("/accounts/sign-in/").content


@pytest.mark.django_db
def test_the_favicon_browsers_ask_for_is_the_nhs_one_and_htmx_injects_no_style(client):
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 302
    assert favicon["Location"].endswith(".ico") and "/static/assets/images/" in favicon["Location"]
    page = client.get("/accounts/sign-in/").content.decode()
    # htmx's own indicator styles would be an inline <style>, which the CSP blocks.
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles":false}'>""" in page
