"""colead.direction.services: the vision, objectives, agreement and check-ins, with the
rules on who may do what and the audit events they write."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from colead.audit.models import AuditEvent
from colead.core.actor import Actor
from colead.direction import access, facts, queries, services
from colead.direction.models import AgreementAct, CheckIn, Objective
from colead.direction.tasks import record_coverage_snapshot_task
from colead.lib.errors import ColeadError, Refused
from tests.factories import PersonFactory
from tests.integration.direction_fixtures import SYSTEM, as_user, golden_thread, make

TODAY = timezone.localdate()


@pytest.fixture
def thread(trust):
    return golden_thread(trust)


def actions():
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


# --- The vision ---------------------------------------------------------------------------


def test_vision_is_drafted_then_approved_by_the_board(trust, persona_users):
    org = trust["org"]
    assert queries.current_vision(org) is None
    draft = services.save_vision_draft(
        organisation=org,
        vision="Outstanding, compassionate care for every patient, every time.",
        mission="Acute care for the people of Testshire.",
        values=[{"name": "Compassion", "description": "We care."}, "Openness"],
        actor=as_user(persona_users["od"]),
    )
    assert (draft.version, draft.status) == (1, "draft")
    assert draft.values == [
        {"name": "Compassion", "description": "We care."},
        {"name": "Openness", "description": ""},
    ]
    assert queries.current_vision(org) is None
    edited = services.save_vision_draft(
        organisation=org,
        vision="Outstanding care.",
        actor=as_user(persona_users["od"]),
        draft=draft,
    )
    assert (edited.pk, edited.vision, edited.values) == (draft.pk, "Outstanding care.", [])

    with pytest.raises(Refused):
        services.approve_vision(vision=draft, approved_on=TODAY, actor=as_user(persona_users["od"]))
    approved = services.approve_vision(
        vision=draft,
        approved_on=TODAY,
        actor=as_user(persona_users["board"]),
        note="Board, minute 4.2",
    )
    assert approved.status == "approved"
    assert approved.approved_by == persona_users["board"]
    assert approved.approved_on == TODAY
    assert queries.current_vision(org) == approved
    assert actions() == ["vision.draft", "vision.update", "vision.approve"]


def test_an_approved_vision_never_changes_and_the_next_is_a_new_version(trust, persona_users):
    org, board = trust["org"], persona_users["board"]
    first = services.save_vision_draft(organisation=org, vision="One", actor=as_user(board))
    services.approve_vision(vision=first, approved_on=TODAY, actor=as_user(board))
    with pytest.raises(ColeadError, match="cannot change"):
        services.save_vision_draft(
            organisation=org, vision="Changed", actor=as_user(board), draft=first
        )
    with pytest.raises(ColeadError, match="already approved"):
        services.approve_vision(vision=first, approved_on=TODAY, actor=as_user(board))
    second = services.save_vision_draft(organisation=org, vision="Two", actor=as_user(board))
    assert second.version == 2
    assert queries.current_vision(org).vision == "One"  # the draft is not current yet
    services.approve_vision(vision=second, approved_on=TODAY, actor=as_user(board))
    assert queries.current_vision(org).vision == "Two"


def test_vision_rules(trust, persona_users):
    org = trust["org"]
    with pytest.raises(Refused):
        services.save_vision_draft(
            organisation=org, vision="x", actor=as_user(persona_users["staff"])
        )
    with pytest.raises(ColeadError, match="Write the vision"):
        services.save_vision_draft(organisation=org, vision="  ", actor=SYSTEM)
    with pytest.raises(ColeadError, match="needs a name"):
        services.save_vision_draft(
            organisation=org, vision="x", values=[{"name": ""}], actor=SYSTEM
        )
    draft = services.save_vision_draft(organisation=org, vision="x", actor=SYSTEM)
    with pytest.raises(ColeadError, match="not in the future"):
        services.approve_vision(vision=draft, approved_on=TODAY + timedelta(days=1), actor=SYSTEM)


# --- Creating objectives --------------------------------------------------------------------


def test_managers_write_objectives_for_their_units_only(trust, persona_users, thread):
    manager = persona_users["manager"]
    units = trust["units"]
    made = services.create_objective(
        organisation=trust["org"],
        code="W1-B",
        title="Zero pressure ulcers acquired on the ward",
        unit=units["W1"],
        parents=[thread["CARD1"]],
        elements=["teamwork", "goals_performance", "teamwork"],
        actor=as_user(manager),
    )
    assert made.status == "draft"
    assert made.elements == ["goals_performance", "teamwork"]
    assert list(made.parents.all()) == [thread["CARD1"]]
    assert made.created_by == manager
    for unit in ("W2", "CARD"):
        with pytest.raises(Refused):
            services.create_objective(
                organisation=trust["org"],
                code=f"X-{unit}",
                title="x",
                unit=units[unit],
                actor=as_user(manager),
            )
    event = AuditEvent.objects.filter(action="objective.create").order_by("id").last()
    assert event.detail["parents"] == ["CARD1"]


def test_staff_write_their_own_individual_objectives_in_their_unit_tree(trust, persona_users):
    staff, nurse = persona_users["staff"], trust["nurse_person"]
    units = trust["units"]
    for code, unit in (("S1-1", "W1"), ("S1-2", "CARD"), ("S1-3", "TST1-ROOT")):
        made = services.create_objective(
            organisation=trust["org"],
            code=code,
            title="Complete the preceptorship by March",
            unit=units[unit],
            owner=nurse,
            actor=as_user(staff),
        )
        assert made.owner == nurse
    for unit in ("W2", "SURG", "T1"):
        with pytest.raises(ColeadError, match="owner's unit tree"):
            services.create_objective(
                organisation=trust["org"],
                code=f"S1-{unit}",
                title="x",
                unit=units[unit],
                owner=nurse,
                actor=SYSTEM,
            )
    with pytest.raises(Refused):  # not their own, and they manage no unit
        services.create_objective(
            organisation=trust["org"],
            code="M1-1",
            title="x",
            unit=units["W1"],
            owner=trust["manager_person"],
            actor=as_user(staff),
        )
    with pytest.raises(Refused):  # staff write no unit objectives
        services.create_objective(
            organisation=trust["org"],
            code="W1-Z",
            title="x",
            unit=units["W1"],
            actor=as_user(staff),
        )


def test_a_further_team_counts_as_the_owners_unit_tree(trust):
    from colead.org.models import TeamMembership

    nurse = trust["nurse_person"]
    TeamMembership.objects.create(person=nurse, unit=trust["units"]["T1"])
    made = make(trust, "S1-T1", "T1", owner=nurse)
    assert made.unit.code == "T1"
    made = make(trust, "S1-SURG", "SURG", owner=nurse)
    assert made.unit.code == "SURG"


def test_a_leaver_cannot_own_an_objective(trust):
    leaver = PersonFactory(
        organisation=trust["org"], primary_unit=trust["units"]["W1"], leaving_date=date(2025, 1, 1)
    )
    with pytest.raises(ColeadError, match="has left"):
        make(trust, "L-1", "W1", owner=leaver)


def test_codes_and_fields_are_checked(trust, thread):
    units = trust["units"]
    for code in ("", "has space", "x" * 41):
        with pytest.raises(ColeadError, match="not a valid objective code"):
            make(trust, code, "W1")
    with pytest.raises(ColeadError, match="already an objective"):
        make(trust, "ORG1", "W1")
    with pytest.raises(ColeadError, match="kept for the address of a page"):
        make(trust, "new", "W1")  # /direction/objectives/new/ is the form
    with pytest.raises(ColeadError) as error:
        services.create_objective(
            organisation=trust["org"],
            code="BAD",
            title="",
            unit=units["W1"],
            elements=["happiness"],
            baseline="lots",
            direction="sideways",
            actor=SYSTEM,
        )
    assert set(error.value.errors) == {"title", "elements", "baseline", "direction"}
    with pytest.raises(ColeadError):
        make(trust, "OTHER", "OTH-ROOT")


# --- Alignment --------------------------------------------------------------------------------


def test_no_objective_can_be_its_own_ancestor(trust, thread):
    with pytest.raises(ColeadError, match="ORG1 → W1-A → CARD1 → MED1 → ORG1"):
        services.update_objective(
            objective=thread["ORG1"], changes={"parents": [thread["W1-A"]]}, actor=SYSTEM
        )
    with pytest.raises(ColeadError, match="CARD1 → CARD1"):
        services.update_objective(
            objective=thread["CARD1"], changes={"parents": [thread["CARD1"]]}, actor=SYSTEM
        )
    # Another parent that leads up elsewhere is fine: several parents are allowed.
    services.update_objective(
        objective=thread["W1-A"],
        changes={"parents": [thread["CARD1"], thread["SURG1"]]},
        actor=SYSTEM,
    )
    assert set(thread["W1-A"].parents.values_list("code", flat=True)) == {"CARD1", "SURG1"}


def test_parents_from_another_organisation_are_refused(trust, thread):
    from colead.org.models import Unit

    other_org = trust["other"]
    other = services.create_objective(
        organisation=other_org,
        code="O-1",
        title="x",
        unit=Unit.objects.get(code="OTH-ROOT"),
        actor=SYSTEM,
    )
    with pytest.raises(ColeadError, match="another organisation"):
        services.update_objective(
            objective=thread["W1-A"], changes={"parents": [other]}, actor=SYSTEM
        )


# --- Updating ---------------------------------------------------------------------------------


def test_changing_the_substance_of_an_agreed_objective_needs_agreement_again(trust, thread):
    objective = thread["W1-A"]
    assert objective.agreed_at is not None
    services.update_objective(
        objective=objective,
        changes={"description": "Context.", "elements": ["teamwork"]},
        actor=SYSTEM,
    )
    objective.refresh_from_db()
    assert (objective.status, objective.description) == ("active", "Context.")
    assert objective.agreed_at is not None

    services.update_objective(objective=objective, changes={"target": 4}, actor=SYSTEM)
    objective.refresh_from_db()
    assert (objective.status, objective.target, objective.agreed_at) == ("draft", 4.0, None)
    event = AuditEvent.objects.filter(action="objective.update").order_by("id").last()
    assert event.detail["agreement_cleared"] is True
    assert event.detail["before"]["target"] == 5.0


def test_an_unchanged_update_writes_nothing(trust, thread):
    before = AuditEvent.objects.count()
    services.update_objective(objective=thread["W1-A"], changes={"target": 5.0}, actor=SYSTEM)
    assert AuditEvent.objects.count() == before


def test_who_may_update(trust, persona_users, thread):
    staff, manager = persona_users["staff"], persona_users["manager"]
    services.update_objective(objective=thread["S1-A"], changes={"target": 3}, actor=as_user(staff))
    services.update_objective(
        objective=thread["S1-A"], changes={"target": 2}, actor=as_user(manager)
    )
    for objective in ("W1-A", "W2-A"):
        with pytest.raises(Refused):
            services.update_objective(
                objective=thread[objective], changes={"target": 1}, actor=as_user(staff)
            )
    with pytest.raises(Refused):
        services.update_objective(
            objective=thread["W2-A"], changes={"target": 1}, actor=as_user(manager)
        )
    with pytest.raises(Refused):  # moving it out of the manager's units
        services.update_objective(
            objective=thread["W1-A"], changes={"unit": trust["units"]["W2"]}, actor=as_user(manager)
        )
    with pytest.raises(ColeadError, match="owner's unit tree"):
        services.update_objective(
            objective=thread["S1-A"], changes={"unit": trust["units"]["W2"]}, actor=SYSTEM
        )
    with pytest.raises(ColeadError, match="cannot be changed here"):
        services.update_objective(
            objective=thread["S1-A"], changes={"status": "agreed"}, actor=SYSTEM
        )


# --- Agreement ------------------------------------------------------------------------------


def test_the_owner_proposes_and_the_line_manager_agrees(trust, persona_users, thread):
    staff, manager = persona_users["staff"], persona_users["manager"]
    objective = thread["S1-A"]
    services.propose(
        objective=objective, actor=as_user(staff), comment="Discussed at my appraisal."
    )
    with pytest.raises(Refused, match="not by the owner"):
        services.agree(objective=objective, actor=as_user(staff))
    act = services.agree(objective=objective, actor=as_user(manager), comment="Agreed.")
    objective.refresh_from_db()
    assert objective.status == "agreed"
    assert objective.agreed_by == manager
    assert objective.agreed_at == act.at
    acts = list(
        AgreementAct.objects.filter(objective=objective).values_list("act", "by__email", "comment")
    )
    assert acts == [
        ("proposed", "staff@test.test", "Discussed at my appraisal."),
        ("agreed", "manager@test.test", "Agreed."),
    ]
    assert actions()[-2:] == ["objective.proposed", "objective.agreed"]


def test_asking_for_changes_needs_a_comment_and_returns_it_to_draft(trust, persona_users, thread):
    manager = persona_users["manager"]
    objective = thread["S1-A"]
    services.propose(objective=objective, actor=as_user(persona_users["staff"]))
    with pytest.raises(ColeadError, match="Say what should change"):
        services.request_changes(objective=objective, actor=as_user(manager), comment=" ")
    services.request_changes(objective=objective, actor=as_user(manager), comment="Add a baseline.")
    objective.refresh_from_db()
    assert objective.status == "draft"
    assert objective.agreed_at is None
    last = AgreementAct.objects.filter(objective=objective).last()
    assert (last.act, last.by, last.comment) == ("changes_requested", manager, "Add a baseline.")


def test_agreement_follows_the_steps(trust, thread):
    with pytest.raises(ColeadError, match="propose it first"):
        services.agree(objective=thread["S1-A"], actor=SYSTEM)
    with pytest.raises(ColeadError, match="Only a draft"):
        services.propose(objective=thread["W1-A"], actor=SYSTEM)
    with pytest.raises(ColeadError, match="only while an objective is proposed"):
        services.request_changes(objective=thread["S1-A"], actor=SYSTEM, comment="x")
    with pytest.raises(ColeadError, match="Unknown act"):
        services.record_act(objective=thread["S1-A"], act="vetoed", actor=SYSTEM)


def test_who_agrees_a_units_objective(trust, persona_users, thread):
    manager, board = persona_users["manager"], persona_users["board"]
    w1 = make(trust, "W1-N", "W1", parents=["CARD1"], status="proposed")
    card = make(trust, "CARD-N", "CARD", parents=["MED1"], status="proposed")
    org = make(trust, "ORG-N", "TST1-ROOT", status="proposed")
    services.agree(objective=w1, actor=as_user(manager), comment="Agreed at the team meeting.")
    with pytest.raises(Refused, match="manager of the unit or above"):
        services.agree(objective=card, actor=as_user(manager))
    with pytest.raises(Refused):
        services.agree(objective=org, actor=as_user(persona_users["od"]))  # OD leads facilitate
    services.agree(objective=org, actor=as_user(board))
    services.request_changes(objective=card, actor=as_user(board), comment="Too many measures.")


def test_a_manager_of_the_unit_may_agree_when_the_line_manager_has_no_account(trust, persona_users):
    person = PersonFactory(organisation=trust["org"], primary_unit=trust["units"]["W1"])
    objective = make(trust, "P-1", "W1", owner=person, status="proposed")
    assert access.can_agree(persona_users["manager"], objective)
    assert not access.can_agree(persona_users["staff"], objective)


# --- Status ----------------------------------------------------------------------------------


def test_status_changes_that_are_not_agreement(trust, thread):
    w2 = thread["W2-A"]
    services.set_status(objective=w2, status="active", actor=SYSTEM)
    services.set_status(objective=w2, status="achieved", actor=SYSTEM)
    with pytest.raises(ColeadError, match="cannot become active"):
        services.set_status(objective=w2, status="active", actor=SYSTEM)
    services.set_status(objective=thread["SURG1"], status="dropped", actor=SYSTEM)
    services.set_status(objective=thread["SURG1"], status="draft", actor=SYSTEM)
    for status in ("agreed", "proposed", "nonsense"):
        with pytest.raises(ColeadError, match="propose, agree or request changes"):
            services.set_status(objective=w2, status=status, actor=SYSTEM)
    with pytest.raises(ColeadError, match="cannot become active"):
        services.set_status(objective=thread["S1-A"], status="active", actor=SYSTEM)


# --- Check-ins --------------------------------------------------------------------------------


def test_owners_and_managers_check_in(trust, persona_users, thread):
    objective = thread["S1-A"]
    made = services.check_in(
        objective=objective,
        on=TODAY,
        value=8,
        confidence="medium",
        comment="Halfway.",
        actor=as_user(persona_users["staff"]),
    )
    assert (made.value, made.confidence, made.by_label) == (8.0, "medium", "staff@test.test")
    services.check_in(
        objective=thread["W1-A"], on=TODAY, value=7, actor=as_user(persona_users["manager"])
    )
    with pytest.raises(Refused):  # the board reads, but does not report progress
        services.check_in(
            objective=thread["W1-A"], on=TODAY, value=1, actor=as_user(persona_users["board"])
        )
    services.check_in(
        objective=thread["W1-A"], on=TODAY, value=6, actor=as_user(persona_users["od"])
    )
    with pytest.raises(Refused):
        services.check_in(
            objective=thread["W2-A"], on=TODAY, value=1, actor=as_user(persona_users["manager"])
        )
    assert CheckIn.objects.count() == 3
    assert AuditEvent.objects.filter(action="objective.check_in").count() == 3


def test_check_in_rules(trust, thread):
    objective = thread["W1-A"]
    with pytest.raises(ColeadError) as error:
        services.check_in(
            objective=objective,
            on=TODAY + timedelta(days=1),
            value="nan",
            confidence="certain",
            actor=SYSTEM,
        )
    assert set(error.value.errors) == {"date", "value", "confidence"}
    with pytest.raises(ColeadError, match="a value, a comment, or both"):
        services.check_in(objective=objective, on=TODAY, actor=SYSTEM)
    services.set_status(objective=objective, status="dropped", actor=SYSTEM)
    with pytest.raises(ColeadError, match="dropped"):
        services.check_in(objective=objective, on=TODAY, value=1, actor=SYSTEM)


# --- Who sees what ----------------------------------------------------------------------------


def visible_codes(user, trust):
    org = trust["org"]
    return set(
        Objective.objects.for_org(org)
        .filter(access.visible_q(user, org))
        .values_list("code", flat=True)
    )


def test_who_sees_which_objectives(trust, persona_users, thread):
    everything = set(thread)
    for persona in ("admin", "board", "od"):
        assert visible_codes(persona_users[persona], trust) == everything
    # The staff nurse: their own, their team's and the thread above them.
    assert visible_codes(persona_users["staff"], trust) == {"S1-A", "W1-A", "CARD1", "MED1", "ORG1"}
    # The manager of Ward 1: everything in Ward 1 and the unit objectives above it.
    assert visible_codes(persona_users["manager"], trust) == {
        "S1-A",
        "W1-A",
        "CARD1",
        "MED1",
        "ORG1",
    }
    for persona in ("change", "safety", "outsider"):
        assert visible_codes(persona_users[persona], trust) == set()


def test_someone_sees_the_objectives_of_the_people_they_line_manage(trust, persona_users, thread):
    from colead.accounts.models import RoleAssignment

    w2_lead = PersonFactory(organisation=trust["org"], primary_unit=trust["units"]["W2"])
    report = PersonFactory(
        organisation=trust["org"], primary_unit=trust["units"]["W2"], line_manager=w2_lead
    )
    make(trust, "R-1", "W2", owner=report, parents=["W2-A"])
    user = persona_users["change"]
    RoleAssignment.objects.create(
        user=user, organisation=trust["org"], role="staff", person=w2_lead
    )
    user = type(user).objects.get(pk=user.pk)  # forget the cached roles
    assert visible_codes(user, trust) == {"R-1", "W2-A", "CARD1", "MED1", "ORG1"}


# --- Loading facts ----------------------------------------------------------------------------


def test_loading_facts_takes_the_same_queries_whatever_the_size(trust, thread):
    org = trust["org"]
    with CaptureQueriesContext(connection) as small:
        facts.load(org).coverage()
    for n in range(30):
        make(trust, f"MORE-{n}", "W2", parents=["W2-A"], status="active")
        services.check_in(
            objective=Objective.objects.get(code=f"MORE-{n}"), on=TODAY, value=n, actor=SYSTEM
        )
    with CaptureQueriesContext(connection) as large:
        loaded = facts.load(org)
        loaded.coverage()
        loaded.assess()
    with CaptureQueriesContext(connection) as unchanged:
        facts.load(org).coverage()
    # Units, the direction revision, alignments, check-ins, objectives, staff; unchanged
    # objectives come from memory.
    assert len(large) == len(small) == 6
    assert len(unchanged) == 3


def test_facts_match_the_thread(trust, thread):
    loaded = facts.load(trust["org"])
    by_code = {o.code: o for o in loaded.objectives.values()}
    assert by_code["ORG1"].is_org_level
    assert not by_code["MED1"].is_org_level
    assert by_code["S1-A"].owner_id == trust["nurse_person"].pk
    paths = loaded.paths
    assert [loaded.objectives[pk].code for pk in paths[by_code["S1-A"].id]] == [
        "S1-A",
        "W1-A",
        "CARD1",
        "MED1",
        "ORG1",
    ]
    assert by_code["T1-X"].id not in paths
    report = loaded.coverage()
    assert (report.teams, report.teams_covered) == (3, 2)  # W1 and W2; T1's is an orphan
    assert report.staff == 12
    assert report.staff_covered == 0  # S1-A is a draft


def test_every_write_raises_the_direction_revision_and_the_thread_follows(trust, thread):
    """What facts keeps in memory is reused while the revision stands still, so every
    write must raise it (and reading alone must not)."""
    org = trust["org"]
    seen = [facts.fingerprint(org)]

    def changed() -> bool:
        now = facts.fingerprint(org)
        moved = now != seen[-1]
        seen.append(now)
        return moved

    loaded = facts.load(org)
    assert not changed()
    new = make(trust, "REV-1", "W1", parents=["W1-A"])
    assert changed()
    services.update_objective(objective=new, changes={"title": "Cut waits to 4 days"}, actor=SYSTEM)
    assert changed()
    services.propose(objective=new, actor=SYSTEM)
    assert changed()
    services.agree(objective=new, actor=SYSTEM)
    assert changed()
    services.set_status(objective=new, status="active", actor=SYSTEM)
    assert changed()
    services.check_in(objective=new, on=TODAY, value=6, actor=SYSTEM)
    assert changed()
    facts.load(org).coverage()
    assert not changed()
    # The memory follows: the new objective, its title and check-in are there.
    fresh = facts.load(org)
    assert fresh.state is not loaded.state
    objective = next(o for o in fresh.objectives.values() if o.code == "REV-1")
    assert objective.title == "Cut waits to 4 days" and objective.status == "active"
    assert [point.value for point in objective.check_ins] == [6]
    assert facts.load(org).state is fresh.state  # unchanged: the same memory


def test_the_system_is_named_with_its_reason_and_only_the_system_skips_the_rules(trust, thread):
    services.check_in(objective=thread["W1-A"], on=TODAY, value=3, actor=Actor.system("demo"))
    made = CheckIn.objects.latest("pk")
    assert (made.by, made.by_label) == (None, "system (demo)")
    event = AuditEvent.objects.filter(action="objective.check_in").latest("pk")
    assert event.actor_label == "system (demo)"
    record_coverage_snapshot_task.enqueue(trust["org"].pk)
    event = AuditEvent.objects.get(action="objectives.coverage_snapshot")
    assert event.actor_label == "system (task: coverage snapshot)"
    # Someone not signed in is nobody, not the system: refused like anyone without a role.
    visitor = Actor(address="192.0.2.1")
    with pytest.raises(Refused):
        services.check_in(objective=thread["W1-A"], on=TODAY, value=4, actor=visitor)
    with pytest.raises(Refused):
        services.save_vision_draft(organisation=trust["org"], vision="Ours", actor=visitor)
