"""The direction services' refusals and quieter paths, each through its public function: the
error kind and message, what is stored, and the audit event written (or not)."""

import csv
import io
from datetime import date
from unittest.mock import patch

import pytest

from colead.audit.models import AuditEvent
from colead.direction import exports, services
from colead.direction.imports import COLUMNS
from colead.direction.models import (
    Alignment,
    DirectionRevision,
    Objective,
    QualityPolicy,
    Vision,
    VisionStatus,
)
from colead.lib.errors import Invalid, Refused
from colead.org.models import Person
from tests.integration.direction_fixtures import SYSTEM, golden_thread, make

pytestmark = pytest.mark.django_db


def test_a_draft_of_another_organisation_cannot_be_changed_through_this_one(trust):
    theirs = services.save_vision_draft(
        organisation=trust["other"], vision="Care close to home.", actor=SYSTEM
    )
    with pytest.raises(Refused) as raised:
        services.save_vision_draft(
            organisation=trust["org"], vision="Ours now.", actor=SYSTEM, draft=theirs
        )
    assert str(raised.value) == "That draft belongs to another organisation."
    theirs.refresh_from_db()
    assert theirs.vision == "Care close to home."
    assert not Vision.objects.filter(organisation=trust["org"]).exists()


def test_an_approval_note_over_the_limit_is_refused_and_the_draft_stays_a_draft(trust):
    draft = services.save_vision_draft(
        organisation=trust["org"], vision="Safe, kind care.", actor=SYSTEM
    )
    limit = Vision._meta.get_field("approval_note").max_length
    with pytest.raises(Invalid) as raised:
        services.approve_vision(
            vision=draft, approved_on=date(2026, 11, 1), actor=SYSTEM, note="x" * (limit + 1)
        )
    assert raised.value.errors == {"note": f"The note can be at most {limit} characters."}
    draft.refresh_from_db()
    assert draft.status == VisionStatus.DRAFT
    assert not AuditEvent.objects.filter(action="vision.approve").exists()


def test_an_owner_from_another_organisation_is_refused(trust):
    outsider = Person.objects.get(employee_number="X1")
    with pytest.raises(Invalid) as raised:
        services.create_objective(
            organisation=trust["org"],
            code="W1-OUT",
            title="Cut waits",
            unit=trust["units"]["W1"],
            owner=outsider,
            actor=SYSTEM,
        )
    assert raised.value.errors == {"owner": "The owner works in another organisation."}
    assert not Objective.objects.filter(code="W1-OUT").exists()


def test_a_title_with_a_nul_character_is_refused(trust):
    with pytest.raises(Invalid) as raised:
        services.create_objective(
            organisation=trust["org"],
            code="W1-NUL",
            title="Cut\x00waits",
            unit=trust["units"]["W1"],
            actor=SYSTEM,
        )
    assert raised.value.errors == {"title": "Remove the NUL character."}
    assert not Objective.objects.filter(code="W1-NUL").exists()


def test_naming_a_parent_twice_aligns_the_objective_once(trust):
    thread = golden_thread(trust)
    objective = services.create_objective(
        organisation=trust["org"],
        code="W2-B",
        title="Fewer falls",
        unit=trust["units"]["W2"],
        parents=[thread["CARD1"], thread["CARD1"]],
        actor=SYSTEM,
    )
    assert list(objective.parents.values_list("code", flat=True)) == ["CARD1"]


def test_repeating_an_agreed_objectives_parent_is_no_change_and_keeps_its_agreement(trust):
    thread = golden_thread(trust)
    before = AuditEvent.objects.count()
    same = services.update_objective(
        objective=thread["W2-A"],
        changes={"parents": [thread["CARD1"], thread["CARD1"]]},
        actor=SYSTEM,
    )
    assert same.status == "agreed"
    assert Objective.objects.get(code="W2-A").status == "agreed"
    assert AuditEvent.objects.count() == before


def test_moving_an_active_objective_audits_the_unit_codes_and_clears_its_agreement(trust):
    thread = golden_thread(trust)
    moved = services.update_objective(
        objective=thread["W1-A"], changes={"unit": trust["units"]["W2"]}, actor=SYSTEM
    )
    assert moved.unit == trust["units"]["W2"]
    assert moved.status == "draft"
    event = AuditEvent.objects.filter(action="objective.update").latest("pk")
    assert event.actor_label == "system (tests)"
    assert event.detail == {
        "before": {"unit": "W1", "status": "active"},
        "after": {"unit": "W2", "status": "draft"},
        "agreement_cleared": True,
    }


def test_handing_an_individual_objective_to_another_person_audits_employee_numbers(trust):
    thread = golden_thread(trust)
    services.update_objective(
        objective=thread["S1-A"], changes={"owner": trust["manager_person"]}, actor=SYSTEM
    )
    event = AuditEvent.objects.filter(action="objective.update").latest("pk")
    assert event.detail["before"] == {"owner": "S1"}
    assert event.detail["after"] == {"owner": "M1"}
    assert Objective.objects.get(code="S1-A").owner == trust["manager_person"]


def test_an_objective_cannot_move_to_a_unit_of_another_organisation(trust):
    objective = make(trust, "W1-B", "W1")
    with pytest.raises(Invalid) as raised:
        services.update_objective(
            objective=objective, changes={"unit": trust["units"]["OTH-ROOT"]}, actor=SYSTEM
        )
    assert raised.value.errors == {"unit": "The unit OTH-ROOT belongs to another organisation."}
    assert Objective.objects.get(pk=objective.pk).unit == trust["units"]["W1"]
    assert not AuditEvent.objects.filter(action="objective.update").exists()


def test_setting_the_status_an_objective_already_has_changes_and_audits_nothing(trust):
    objective = make(trust, "W1-C", "W1", status="active")
    before = AuditEvent.objects.count()
    same = services.set_status(objective=objective, status="active", actor=SYSTEM)
    assert same.status == "active"
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("margin", "thicket", "stale", "field", "message"),
    [
        (
            "a lot",
            10,
            90,
            "challenge_margin",
            "Enter a challenge margin between 0% and 100% of the baseline.",
        ),
        (
            0.2,
            True,
            90,
            "thicket_limit",
            "Enter a thicket limit as a whole number from 1 to 50 active objectives.",
        ),
    ],
)
def test_quality_rules_that_are_not_numbers_are_refused(
    trust, margin, thicket, stale, field, message
):
    with pytest.raises(Invalid) as raised:
        services.save_quality_settings(
            organisation=trust["org"],
            actor=SYSTEM,
            challenge_margin=margin,
            thicket_limit=thicket,
            stale_days=stale,
        )
    assert raised.value.errors == {field: message}
    assert not QualityPolicy.objects.filter(organisation=trust["org"]).exists()


def test_a_new_parent_named_twice_is_audited_once(trust):
    thread = golden_thread(trust)
    services.update_objective(
        objective=thread["W2-A"],
        changes={"parents": [thread["MED1"], thread["MED1"]]},
        actor=SYSTEM,
    )
    assert list(Objective.objects.get(code="W2-A").parents.values_list("code", flat=True)) == [
        "MED1"
    ]
    event = AuditEvent.objects.filter(action="objective.update").latest("pk")
    assert event.detail["before"] == {"parents": ["CARD1"], "status": "agreed"}
    assert event.detail["after"] == {"parents": ["MED1"], "status": "draft"}


def exported_rows(organisation) -> list[dict]:
    text = exports.to_csv(exports.load(organisation))
    return list(csv.DictReader(io.StringIO(text)))


def as_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def import_rows(trust, rows, *, dry_run=False):
    return services.import_objectives(
        organisation=trust["org"],
        content=as_csv(rows),
        filename="objectives.csv",
        actor=SYSTEM,
        dry_run=dry_run,
    )


def test_an_import_changing_no_parents_leaves_every_alignment_as_it_was(trust):
    golden_thread(trust)
    aligned = set(Alignment.objects.values_list("child__code", "parent__code"))
    rows = exported_rows(trust["org"])
    next(r for r in rows if r["objective_code"] == "T1-X")["title"] = "Theatre starts on time"
    result = import_rows(trust, rows)
    assert (result.added, result.updated) == (0, 1)
    assert Objective.objects.get(code="T1-X").title == "Theatre starts on time"
    assert set(Alignment.objects.values_list("child__code", "parent__code")) == aligned


def test_an_import_moving_an_objective_to_another_parent_removes_the_old_alignment(trust):
    golden_thread(trust)
    rows = exported_rows(trust["org"])
    next(r for r in rows if r["objective_code"] == "W2-A")["parent_codes"] = "MED1"
    import_rows(trust, rows)
    parents = Objective.objects.get(code="W2-A").parents.values_list("code", flat=True)
    assert list(parents) == ["MED1"]
    event = AuditEvent.objects.get(action="import.objectives")
    assert event.actor_label == "system (tests)"
    assert event.detail["updated"] == 1


def test_an_import_preview_shows_a_date_that_was_empty_as_blank(trust):
    make(trust, "T1-D", "T1", due_date=None)
    rows = exported_rows(trust["org"])
    next(r for r in rows if r["objective_code"] == "T1-D")["due_date"] = "2027-06-30"
    plan = import_rows(trust, rows, dry_run=True)
    assert plan.updated_items == [
        {
            "code": "T1-D",
            "title": Objective.objects.get(code="T1-D").title,
            "changes": [("due_date", "", "2027-06-30")],
        }
    ]
    assert Objective.objects.get(code="T1-D").due_date is None


def test_an_import_adding_a_second_parent_keeps_the_first_alignment_row(trust):
    golden_thread(trust)
    kept = Alignment.objects.get(child__code="W2-A", parent__code="CARD1").pk
    rows = exported_rows(trust["org"])
    next(r for r in rows if r["objective_code"] == "W2-A")["parent_codes"] = "CARD1;MED1"
    import_rows(trust, rows)
    alignments = dict(
        Alignment.objects.filter(child__code="W2-A").values_list("parent__code", "pk")
    )
    assert set(alignments) == {"CARD1", "MED1"}
    assert alignments["CARD1"] == kept


def test_a_first_change_racing_another_first_change_counts_both(trust):
    # Between this change finding no revision row and creating one, a concurrent first
    # change creates it: this change must then count itself on that row, not be lost.
    organisation = trust["org"]
    DirectionRevision.objects.filter(organisation=organisation).delete()
    real_get_or_create = DirectionRevision.objects.get_or_create

    def competitor_first(**kwargs):
        DirectionRevision.objects.create(organisation=organisation, revision=1)
        return real_get_or_create(**kwargs)

    with patch.object(DirectionRevision.objects, "get_or_create", side_effect=competitor_first):
        services.note_change(organisation.pk)
    assert DirectionRevision.objects.get(organisation=organisation).revision == 2
