"""Failed sign-ins are limited per account (django-axes) and, against password spraying,
per client address across accounts; the limits' counters are shared by every web worker."""

import pytest
from django.core.cache import cache
from django.test import Client

from tests.integration.test_settings_and_health import _colead

SIGN_IN = "/accounts/sign-in/"
GOOD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def spray(client, accounts: int, password="Winter2026!"):
    return [
        client.post(SIGN_IN, {"username": f"person{n}@test.test", "password": password})
        for n in range(accounts)
    ]


@pytest.mark.django_db
def test_one_address_trying_one_password_across_many_accounts_is_paused(client, persona_users):
    # Each account fails once: far below the per-account limit of 5.
    assert all(response.status_code == 200 for response in spray(client, 15))
    paused = spray(client, 5)
    assert [response.status_code for response in paused] == [429] * 5
    text = paused[-1].content.decode()
    assert "too many failed sign-ins from your network" in text
    # Even the right password is not tried from this address until the window ends...
    response = client.post(SIGN_IN, {"username": "admin@test.test", "password": GOOD})
    assert response.status_code == 429
    # ...while another address signs in as usual.
    other = Client(REMOTE_ADDR="192.0.2.7")
    response = other.post(SIGN_IN, {"username": "admin@test.test", "password": GOOD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_person_mistyping_a_few_times_is_not_paused_for_the_address(client, persona_users):
    for _ in range(3):
        client.post(SIGN_IN, {"username": "admin@test.test", "password": "wrong"})
    response = client.post(SIGN_IN, {"username": "admin@test.test", "password": GOOD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_address_limit_follows_the_settings(client, persona_users, settings):
    settings.COLEAD_SIGN_IN_ADDRESS_LIMIT = 3
    assert [r.status_code for r in spray(client, 4)] == [200, 200, 200, 429]


def test_production_shares_the_cache_between_workers_and_migrate_makes_its_table(tmp_path):
    env = {
        "COLEAD_ENV": "production",
        "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-value-0123456789",
        "ALLOWED_HOSTS": "colead.example.nhs.uk",
        "COLEAD_BASE_URL": "https://colead.example.nhs.uk",
    }
    migrated = _colead(["migrate", "-v", "0"], env, tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    code = (
        "from django.conf import settings; from django.db import connection;"
        "print(settings.CACHES['default']['BACKEND']);"
        "print('colead_cache' in connection.introspection.table_names())"
    )
    result = _colead(["shell", "--no-imports", "-c", code], env, tmp_path)
    assert result.stdout.split() == ["django.core.cache.backends.db.DatabaseCache", "True"], (
        result.stderr
    )


@pytest.mark.django_db
def test_sign_in_matches_the_email_address_without_regard_to_case(client, persona_users):
    signed_in = client.post(SIGN_IN, {"username": " Od@Test.TEST ", "password": GOOD})
    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"] == str(persona_users["od"].pk)


@pytest.mark.django_db
def test_an_exact_match_wins_over_an_account_differing_only_in_case(client, persona_users):
    from colead.accounts.models import User

    # Made outside create_user (which lowers case), as an old row or the admin might have.
    other = User(email="Od@test.test")
    other.set_password("another-password-entirely")
    other.save()
    assert User.objects.get_by_natural_key("Od@test.test") == other
    assert User.objects.get_by_natural_key("od@test.test") == persona_users["od"]
    # Neither matches exactly: no single account is meant, so nobody signs in.
    refused = client.post(SIGN_IN, {"username": "OD@TEST.TEST", "password": GOOD})
    assert refused.status_code == 200 and "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_case_variants_of_one_address_share_the_per_account_limit(client, persona_users):
    for variant in ["admin@test.test", "Admin@test.test", "ADMIN@test.test", "aDmin@test.test"]:
        client.post(SIGN_IN, {"username": variant, "password": "wrong"})
    client.post(SIGN_IN, {"username": "admin@TEST.test", "password": "wrong"})
    locked = client.post(SIGN_IN, {"username": "admin@test.test", "password": GOOD})
    assert locked.status_code == 429
