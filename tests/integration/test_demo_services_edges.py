"""The demo services' quieter paths: the start-up message lists only the demo users who
still hold their demo role, generated data the importer refuses stops the build with
the importer's problems, keeping nothing, and a phase of the direction's history in which
nothing happened writes nothing but its coverage snapshot."""

from datetime import date

import pytest

from colead.accounts.models import RoleAssignment
from colead.audit.models import AuditEvent
from colead.core.actor import Actor
from colead.demo import services
from colead.demo.generator import DemoTrust
from colead.demo.objectives import DesignedGaps, PlannedVision, TrustDirection
from colead.direction.models import CheckIn, CoverageSnapshot, Objective
from colead.org.models import Organisation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_no_demo_users_means_no_sign_ins():
    assert services.demo_sign_ins() == []


def test_a_demo_user_without_their_demo_role_is_not_offered(trust):
    admin, board = services.DEMO_USERS[0], services.DEMO_USERS[1]
    UserFactory(email=admin.email)  # the user is there, their role was taken away
    user = UserFactory(email=board.email)
    RoleAssignment.objects.create(user=user, organisation=trust["org"], role=board.role)
    assert services.demo_sign_ins() == [(board.email, f"{board.role.label} in TST1")]


def test_a_generated_workforce_the_importer_refuses_stops_the_build(monkeypatch):
    monkeypatch.setattr(DemoTrust, "workforce_csv", lambda self: b"employee_number\nE1\n")
    with pytest.raises(services.DemoBuildError) as raised:
        services.build_demo(seed=11, staff=600, actor=Actor.system("tests"), password="x")
    message = str(raised.value)
    assert message.startswith(f"The generated {services.MAIN_CODE} data did not import:\n")
    assert "first_name" in message  # the importer's own problem, naming a missing column
    assert not Organisation.objects.filter(code=services.MAIN_CODE).exists()


def test_generated_objectives_the_importer_refuses_stop_the_build(monkeypatch):
    monkeypatch.setattr(
        TrustDirection, "csv", lambda self, objectives, day: b"objective_code\nX1\n"
    )
    with pytest.raises(services.DemoBuildError) as raised:
        services.build_demo(seed=11, staff=600, actor=Actor.system("tests"), password="x")
    message = str(raised.value)
    assert message.startswith(f"The generated {services.MAIN_CODE} objectives did not import:\n")
    assert "title" in message  # the importer's own problem, naming a missing column
    assert not Organisation.objects.filter(code=services.MAIN_CODE).exists()


def test_phases_in_which_nothing_happened_import_and_record_no_check_ins(trust):
    # The generator gives every phase objectives and check-ins; a plan without any still
    # builds: each phase is only its coverage snapshot.
    vision = PlannedVision(
        vision="Care close to home.",
        mission="Every team, every day.",
        values=(("Kindness", "We listen first."),),
        drafted_on=date(2026, 1, 5),
        approved_on=date(2026, 1, 10),
        note="Approved by the board.",
    )
    plan = TrustDirection(
        code="TST1",
        today=date(2026, 6, 30),
        vision=vision,
        objectives=[],
        gaps=DesignedGaps(),
        uptake={},
        personas={},
    )
    summary = services._direction(plan, trust["org"], users={}, actor=Actor.system("tests"))
    assert summary["phases"] == [
        {"on": day.isoformat(), "imported": 0, "dated": 0, "check_ins": 0} for day in plan.phases
    ]
    assert not Objective.objects.filter(organisation=trust["org"]).exists()
    assert not CheckIn.objects.filter(organisation=trust["org"]).exists()
    actions = AuditEvent.objects.filter(organisation=trust["org"]).values_list("action", flat=True)
    assert "import.objectives" not in actions
    assert "demo.check_ins" not in actions
    snapshots = CoverageSnapshot.objects.filter(organisation=trust["org"])
    assert sorted(snapshots.values_list("taken_on", flat=True)) == list(plan.phases)
