"""The WSGI entry point: it gives Django's handler, with every URL module imported, and
warms the process: ``prepare`` always (before gunicorn forks its workers), ``run`` only when
gunicorn is not the server (runserver, the demo); gunicorn's workers run it after the fork."""

import importlib
import sys

import django.utils.log
import pytest
from django.core.handlers.wsgi import WSGIHandler

from colead.insights import warm

MODULE = "colead.config.wsgi"


@pytest.fixture
def started(monkeypatch):
    """Import the WSGI module afresh with the warming steps recorded, and leave sys.modules
    as it was."""
    calls = []
    monkeypatch.setattr(warm, "prepare", lambda: calls.append("prepare"))
    monkeypatch.setattr(warm, "run", lambda: calls.append("run"))
    # Django's setup, run again by get_wsgi_application, would reconfigure logging under
    # the tests' log capture.
    monkeypatch.setattr(django.utils.log, "configure_logging", lambda *args: None)
    package = sys.modules["colead.config"]
    monkeypatch.delitem(sys.modules, MODULE, raising=False)
    if hasattr(package, "wsgi"):
        monkeypatch.delattr(package, "wsgi")

    def start():
        module = importlib.import_module(MODULE)
        sys.modules.pop(MODULE)  # each start imports it again
        return module, list(calls)

    yield start
    # monkeypatch then puts back whatever was imported before.
    sys.modules.pop(MODULE, None)
    vars(package).pop("wsgi", None)


def test_without_gunicorn_the_process_is_prepared_and_warmed_before_it_serves(started, monkeypatch):
    monkeypatch.delitem(sys.modules, "gunicorn", raising=False)
    module, calls = started()
    assert isinstance(module.application, WSGIHandler)
    assert calls == ["prepare", "run"]


def test_under_gunicorn_the_process_is_only_prepared_and_the_workers_warm_later(
    started, monkeypatch
):
    monkeypatch.setitem(sys.modules, "gunicorn", type(sys)("gunicorn"))
    module, calls = started()
    assert isinstance(module.application, WSGIHandler)
    assert calls == ["prepare"]
