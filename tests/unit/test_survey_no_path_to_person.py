"""Code-level checks that the respondent's side never touches anything that identifies
them: no signed-in user, no session, no audit event, no time of day. The schema-level checks
are in tests/integration/test_survey_lifecycle.py."""

import ast
import inspect
from pathlib import Path

import pytest

from colead.api import surveys as survey_api
from colead.surveys import services, take_pages
from colead.surveys.views import take as views_take

RESPONDENT_MODULES = [views_take, take_pages]
RESPONDENT_FUNCTIONS = [
    services.start_with_invitation_token,
    services.start_on_device,
    services.resume,
    services.choose_reporting_unit,
    services.save_answers,
    services.submit,
    services.submit_answers,
    services._store_ballot,
    survey_api.take_form,
    survey_api.take_submit,
    survey_api.take_device_start,
]
FORBIDDEN_ATTRIBUTES = {"user", "session", "META"}


def _attribute_uses(tree, base_name):
    return [
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == base_name
    ]


@pytest.mark.parametrize("module", RESPONDENT_MODULES, ids=lambda m: m.__name__)
def test_respondent_pages_never_read_the_user_or_the_session(module):
    tree = ast.parse(Path(module.__file__).read_text())
    used = set(_attribute_uses(tree, "request"))
    assert not used & {"user", "session"}, used & {"user", "session"}


@pytest.mark.parametrize("function", RESPONDENT_FUNCTIONS, ids=lambda f: f.__qualname__)
def test_respondent_actions_neither_audit_nor_read_identity(function):
    source = inspect.getsource(inspect.unwrap(function))
    tree = ast.parse(source.replace("\n    ", "\n") if source.startswith(" ") else source)
    assert not set(_attribute_uses(tree, "request")) & FORBIDDEN_ATTRIBUTES
    called = {
        node.func.id if isinstance(node.func, ast.Name) else node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute)
    }
    assert not called & {"record"}, "respondent actions must not write audit events"


def test_ballots_are_dated_by_day_only():
    source = inspect.getsource(services._store_ballot)
    assert '"submitted_on": timezone.localdate()' in source
    assert "timezone.now()" not in source
