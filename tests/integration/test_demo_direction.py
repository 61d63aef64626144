"""The demo's direction in the database: built once for the module (DEMO1 with 3,000
staff), read back through the product's own facts, quality and coverage checks, to show
that the designed gaps (colead.demo.objectives) are what the pages will show: the vision
approved and on a staff member's home page, orphans, thickets, stale and unagreed
objectives, and divisions with clearly different coverage, with a coverage history."""

from collections import Counter

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from colead.accounts.models import User
from colead.audit.models import AuditEvent
from colead.core.actor import Actor
from colead.demo.generator import generate
from colead.demo.objectives import PHASES, generate_directions
from colead.demo.services import build_demo
from colead.direction import facts
from colead.direction.models import AgreementAct, CheckIn, CoverageSnapshot, Objective
from colead.direction.queries import current_vision
from colead.lib import memory
from colead.org.models import Organisation

SEED, STAFF = 2026, 3000
# The module's fixture builds in its own transaction; the marker makes pytest-django set
# up the test database even when only these tests run.
pytestmark = pytest.mark.django_db


def _read(organisation, today) -> dict:
    """What the checks find in the organisation's stored direction."""
    loaded = facts.load(organisation)
    report = loaded.coverage(today)
    quality = loaded.assess(today)
    units = {unit.id: unit.code for unit in loaded.units.values()}
    code = {pk: objective.code for pk, objective in loaded.objectives.items()}
    return {
        "orphans": sorted(code[pk] for pk in report.orphan_ids),
        "thickets": sorted(units[pk] for pk in report.thicket_counts),
        "stale": sorted(code[pk] for pk in report.stale_days),
        "unclear": sorted(code[pk] for pk, q in quality.items() if q.clear.passed is False),
        "met_at_baseline": sorted(
            code[pk]
            for pk, q in quality.items()
            if any("already met at the baseline" in r for r in q.challenging.reasons)
        ),
        "team_coverage": report.team_coverage,
        "staff_coverage": report.staff_coverage,
        "divisions": {g.code: (g.team_coverage, g.staff_coverage) for g in report.by_division},
        "statuses": dict(Objective.objects.for_org(organisation).values_list("code", "status")),
        "agreed_on": {
            o.code: o.agreed_at.date()
            for o in Objective.objects.for_org(organisation).exclude(agreed_at=None)
        },
        "check_ins": CheckIn.objects.for_org(organisation).count(),
        # Every act dated in the past as planned (none left stamped with the build's time).
        "acts_not_past": AgreementAct.objects.for_org(organisation)
        .filter(at__date__gte=today)
        .count(),
        "acts": AgreementAct.objects.for_org(organisation).count(),
        "changes_requested": sorted(
            AgreementAct.objects.for_org(organisation)
            .filter(act="changes_requested")
            .values_list("objective__code", flat=True)
        ),
        "snapshots": [
            (s.taken_on, s.teams_covered / s.teams, s.staff_covered / s.staff, s.orphans)
            for s in CoverageSnapshot.objects.for_org(organisation).order_by("taken_on")
        ],
        "vision": current_vision(organisation),
        "vision_people": _vision_people(organisation),
        "audit": Counter(
            AuditEvent.objects.filter(organisation=organisation).values_list("action", flat=True)
        ),
        "build": AuditEvent.objects.get(organisation=organisation, action="demo.build").detail,
    }


def _vision_people(organisation) -> tuple[str | None, str | None]:
    vision = current_vision(organisation)
    return tuple(user.email if user else None for user in (vision.created_by, vision.approved_by))


def _persona_pages_and_acts(organisation, plan) -> dict:
    staff = User.objects.get(email="staff@demo.test")
    client = Client()
    client.force_login(staff)
    own = Objective.objects.for_org(organisation).filter(
        owner__employee_number=plan.personas["staff"]
    )
    return {
        "home": client.get(reverse("home:home")).content.decode(),
        "mine": client.get(reverse("direction:mine")).content.decode(),
        "own": {
            o.code: (
                o.status,
                [
                    (a.act, a.by_label, timezone.localtime(a.at).replace(tzinfo=None))
                    for a in o.agreement_acts.all()
                ],
                sorted({c.by_label for c in o.check_ins.all()}),
            )
            for o in own
        },
        "ward_requests": list(
            AgreementAct.objects.for_org(organisation)
            .filter(act="changes_requested", by_label="manager@demo.test")
            .values_list("objective__code", "comment")
        ),
    }


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Build the demo once, read what the tests need into memory, then roll back."""
    memory.clear_all()
    with django_db_blocker.unblock(), transaction.atomic():
        build_demo(seed=SEED, staff=STAFF, password="demo-password", actor=Actor.system("demo"))
        read = {}
        for organisation in Organisation.objects.filter(code__in=["DEMO1", "DEMO2"]):
            as_of = AuditEvent.objects.get(organisation=organisation, action="demo.build")
            today = type(as_of.created_at.date()).fromisoformat(as_of.detail["direction"]["as_of"])
            read[organisation.code] = _read(organisation, today)
            read[organisation.code]["today"] = today
        trusts = generate(seed=SEED, staff=STAFF)
        plans = {
            plan.code: plan
            for plan in generate_directions(trusts, seed=SEED, today=read["DEMO1"]["today"])
        }
        acute = Organisation.objects.get(code="DEMO1")
        read["persona"] = _persona_pages_and_acts(acute, plans["DEMO1"])
        transaction.set_rollback(True)
    memory.clear_all()
    read["plans"] = plans
    return read


def test_the_vision_is_approved_and_on_a_staff_members_home_page(demo):
    plan = demo["plans"]["DEMO1"]
    vision = demo["DEMO1"]["vision"]
    assert vision is not None and vision.is_approved and vision.version == 1
    assert vision.approved_on == plan.vision.approved_on < demo["DEMO1"]["today"]
    assert demo["DEMO1"]["vision_people"] == ("od@demo.test", "board@demo.test")
    assert [v["name"] for v in vision.values] == [name for name, _ in plan.vision.values]
    home = demo["persona"]["home"]
    assert "Our vision" in home and plan.vision.vision in home
    assert "Compassion" in home and "Inclusion" in home
    assert demo["DEMO2"]["vision"].is_approved  # by the system: no DEMO2 board user


def test_the_stored_objectives_are_the_generated_ones(demo):
    for code in ("DEMO1", "DEMO2"):
        plan, stored = demo["plans"][code], demo[code]
        assert stored["statuses"] == {o.code: o.status for o in plan.objectives}
        assert stored["agreed_on"] == {
            o.code: o.agreed_at().date() for o in plan.objectives if o.agreed_at()
        }
        assert stored["check_ins"] == plan.check_in_count()
        assert stored["acts"] > len(plan.objectives) / 2 and stored["acts_not_past"] == 0
        # Through the import (one per phase with something to write), in bulk for the
        # check-ins (one audit event per phase), the rest through the services.
        audit = stored["audit"]
        assert audit["import.objectives"] == len(PHASES)
        assert audit["demo.check_ins"] == len(PHASES)  # the board's began before the first
        assert audit["vision.approve"] == 1
        assert audit["objective.changes_requested"] == len(plan.gaps.changes_requested)
        assert audit["objective.create"] == sum(o.through_services for o in plan.objectives)
        assert stored["build"]["direction"]["objectives"] == len(plan.objectives)


def test_the_designed_gaps_are_found_by_the_products_checks(demo):
    for code in ("DEMO1", "DEMO2"):
        gaps, found = demo["plans"][code].gaps, demo[code]
        assert found["orphans"] == gaps.orphans and len(gaps.orphans) >= 3
        assert found["thickets"] == gaps.thickets and gaps.thickets
        assert found["stale"] == gaps.stale and gaps.stale
        assert found["unclear"] == gaps.vague and gaps.vague
        assert found["met_at_baseline"] == gaps.met_at_baseline and gaps.met_at_baseline
        unagreed = sorted(c for c, s in found["statuses"].items() if s in ("draft", "proposed"))
        assert unagreed == gaps.unagreed
        assert found["changes_requested"] == gaps.changes_requested
        assert set(gaps.changes_requested) <= set(gaps.unagreed)
    assert len(demo["plans"]["DEMO1"].gaps.dropped_parent) == 2


def test_divisions_differ_in_coverage_as_designed(demo):
    plan, found = demo["plans"]["DEMO1"], demo["DEMO1"]
    divisions = found["divisions"]
    best, weakest = divisions[plan.gaps.best_division], divisions[plan.gaps.weakest_division]
    assert (plan.gaps.best_division, plan.gaps.weakest_division) == ("WAC", "MED")
    assert best[0] >= weakest[0] + 0.3  # teams
    assert best[1] >= weakest[1] + 0.2  # staff
    assert 0.40 <= found["staff_coverage"] <= 0.65


def test_coverage_was_recorded_after_each_phase_and_grows(demo):
    for code in ("DEMO1", "DEMO2"):
        found = demo[code]
        snapshots = found["snapshots"]
        assert [s[0] for s in snapshots] == list(demo["plans"][code].phases)
        teams = [s[1] for s in snapshots]
        staff = [s[2] for s in snapshots]
        assert teams == sorted(teams) and staff == sorted(staff)
        assert teams[-1] - teams[0] > 0.3
        # The last is today's state.
        assert teams[-1] == pytest.approx(found["team_coverage"])
        assert staff[-1] == pytest.approx(found["staff_coverage"])
        assert snapshots[-1][3] == len(found["orphans"])
        assert found["audit"]["objectives.coverage_snapshot"] == len(PHASES)


def test_the_demo_staff_member_has_objectives_agreed_by_the_demo_manager(demo):
    plan, persona = demo["plans"]["DEMO1"], demo["persona"]
    number = plan.personas["staff"]
    agreed, waiting = persona["own"][f"{number}-1"], persona["own"][f"{number}-2"]
    steps = plan.by_code()[f"{number}-1"].steps
    assert agreed[0] == "active"
    # Through the services, dated in the past with their ``at``.
    assert agreed[1] == [
        ("proposed", "staff@demo.test", steps[0].at),
        ("agreed", "manager@demo.test", steps[1].at),
    ]
    assert agreed[2] == ["staff@demo.test"]  # checked in through the service, by them
    assert waiting[0] == "proposed"
    assert [act[:2] for act in waiting[1]] == [("proposed", "staff@demo.test")]
    for objective in (f"{number}-1", f"{number}-2"):
        assert plan.by_code()[objective].title in persona["mine"]
    # In the ward, the manager asked for changes to a vague objective.
    (requested,) = persona["ward_requests"]
    assert requested[0] in plan.gaps.vague and "measure" in requested[1]
