"""People and events in plain words: actor labels, audit actions and object types."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from colead.accounts.audit_log.words import ACTIONS, action_label, object_type_label
from colead.accounts.names import actor_name, display_name
from colead.core.actor import Actor, label_in_words

SOURCE = Path(__file__).resolve().parents[2] / "src" / "colead"


@pytest.mark.parametrize(
    "actor, words",
    [
        (Actor.system("cli"), "colead (command line)"),
        (Actor.system("demo"), "colead (demo)"),
        (
            Actor.system("task: coverage snapshot", source="task"),
            "colead (background job: coverage snapshot)",
        ),
        (Actor.system("nightly tidy"), "colead (nightly tidy)"),
        (Actor(), "Someone not signed in"),
    ],
)
def test_the_system_and_anonymous_visitors_are_named_in_plain_words(actor, words):
    assert label_in_words(actor.label) == words
    assert actor_name(None, actor.label) == words


def test_people_are_named_by_their_name_else_their_email():
    named = SimpleNamespace(full_name="Sam Nurse", email="sam@test.test")
    unnamed = SimpleNamespace(full_name=" ", email="kim@test.test")
    assert display_name(named) == "Sam Nurse"
    assert display_name(unnamed) == "kim@test.test"
    assert actor_name(named, "sam@test.test") == "Sam Nurse"
    # A user since removed leaves only the label they acted under.
    assert actor_name(None, "gone@test.test") == "gone@test.test"


def _recorded_actions() -> set[str]:
    """Every literal action code the source passes to the audit log."""
    found = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', text))
        found |= set(re.findall(r'action = "([a-z_]+\.[a-z_]+)"', text))
        found |= set(re.findall(r'_audit\(request, obj, "([a-z_]+\.[a-z_]+)"\)', text))
        found |= set(re.findall(r'saved, action = draft, "([a-z_]+\.[a-z_]+)"', text))
    return found


def test_every_action_the_source_records_has_plain_words():
    recorded = _recorded_actions()
    assert {"auth.sign_in", "admin.add", "vision.update", "survey.wave_launch"} <= recorded
    assert sorted(recorded - set(ACTIONS)) == []
    # The codes made with f-strings: one per import kind and per agreement act.
    for code in ("import.units", "import.workforce", "import.responses", "import.objectives"):
        assert code in ACTIONS
    for act in ("proposed", "agreed", "changes_requested"):
        assert f"objective.{act}" in ACTIONS


def test_actions_and_object_types_read_as_words():
    assert action_label("survey.wave_launch") == "Survey wave launched"
    assert action_label("import.apply") == "Import: apply"  # not in the table
    assert object_type_label("org.pendingupload") == "Pending upload"
    assert object_type_label("org.unit") == "Unit"  # a model's own verbose name
    assert object_type_label("something.else") == "Something: else"
    assert object_type_label("") == ""
