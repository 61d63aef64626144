"""The settings refuse to start on a missing or misspelt setting, naming it and the fix.
The settings file is run again here as a module of its own under a changed environment
(the settings the tests run with are left as they are); the subprocess tests in
test_settings_and_health.py start whole processes the same way."""

import importlib.util
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

import colead.config

SETTINGS_FILE = Path(colead.config.__file__).with_name("settings.py")
PRODUCTION = {"COLEAD_ENV": "production", "SECRET_KEY": "x", "ALLOWED_HOSTS": "colead.test"}


def loaded_settings(monkeypatch, **environment):
    """colead.config.settings run afresh with ``environment`` (None removes a variable)."""
    for name, value in environment.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("colead_settings_under_test", SETTINGS_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_production_refuses_to_start_without_the_address_people_use(monkeypatch):
    with pytest.raises(ImproperlyConfigured) as refused:
        loaded_settings(monkeypatch, **PRODUCTION, COLEAD_BASE_URL=None)
    assert "COLEAD_BASE_URL is required when COLEAD_ENV=production" in str(refused.value)
    assert "COLEAD_BASE_URL=https://colead.example.nhs.uk" in str(refused.value)


def test_production_with_the_address_starts_and_keeps_it(monkeypatch):
    settings = loaded_settings(
        monkeypatch, **PRODUCTION, COLEAD_BASE_URL=" https://colead.example.nhs.uk "
    )
    assert settings.PRODUCTION and not settings.DEBUG
    assert settings.COLEAD_BASE_URL == "https://colead.example.nhs.uk"


def test_an_unknown_environment_is_refused(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="COLEAD_ENV must be development, test or"):
        loaded_settings(monkeypatch, COLEAD_ENV="staging")


def test_an_unknown_cache_backend_is_refused(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="CACHE_BACKEND must be database or locmem"):
        loaded_settings(monkeypatch, COLEAD_ENV="test", SECRET_KEY="x", CACHE_BACKEND="redis")
