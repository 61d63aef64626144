"""The to-do list (/to-do/ and the home page) and its count in the header."""

from datetime import datetime, time, timedelta

import pytest
from django.test.client import RequestFactory
from django.utils import timezone

from colead.accounts.permissions import own_person_ids
from colead.core.actor import Actor
from colead.core.todo import ToDo
from colead.direction import facts, services
from colead.direction.models import Objective
from colead.home import todo
from tests.integration.direction_fixtures import SYSTEM, as_user, golden_thread, make

TODAY = timezone.localdate()


@pytest.fixture
def waiting(trust, persona_users):
    """Sam Nurse proposes S1-A (Mary Manager is her line manager); Ward 1 and Ward 2 each
    propose an objective; the board has an organisation objective to agree; Ward 1's W1-A
    had its last check-in 90 days ago."""
    made = golden_thread(trust)
    persona_users["staff"].full_name = "Sam Nurse"
    persona_users["staff"].save()
    services.propose(objective=made["S1-A"], actor=as_user(persona_users["staff"]))
    make(trust, "W1-B", "W1", parents=["W1-A"], status="proposed")
    make(trust, "W2-B", "W2", parents=["W2-A"], status="proposed")
    make(trust, "ORG2", "TST1-ROOT", status="proposed")
    services.check_in(objective=made["W1-A"], on=TODAY - timedelta(days=90), value=8, actor=SYSTEM)
    return made


def listed(response):
    return {
        section.kind.heading: [(item.title.split(":")[0], item.detail) for item in section.items]
        for section in response.context_data["sections"]
    }


def header(response) -> str:
    html = response.content.decode()
    return html[html.index("<header") : html.index("</header>")]


def test_a_manager_sees_what_waits_for_them_with_the_count_in_the_header(client_for, waiting):
    response = client_for("manager").get("/to-do/")
    assert listed(response) == {
        "Objectives to agree": [
            ("S1-A", f"Individual objective of Sam Nurse (Ward 1), proposed on {TODAY:%-d %B %Y}"),
            ("W1-B", f"Objective of Ward 1, proposed by colead (tests) on {TODAY:%-d %B %Y}"),
        ],
        "Check-ins due": [("W1-A", "No check-in for 90 days (the rule is 60)")],
    }
    assert "To do (3)" in header(response)
    html = response.content.decode()
    assert 'href="/direction/objectives/S1-A/"' in html
    home = client_for("manager").get("/")
    assert "Waiting for you" in home.content.decode()
    assert [s.kind.key for s in home.context_data["to_do"]] == [
        "objectives-to-agree",
        "check-ins-due",
    ]


def test_the_board_agrees_organisation_objectives_and_staff_have_nothing_waiting(
    client_for, waiting
):
    assert listed(client_for("board").get("/to-do/")) == {
        "Objectives to agree": [
            ("ORG2", f"Objective of Test Trust, proposed by colead (tests) on {TODAY:%-d %B %Y}")
        ]
    }
    staff = client_for("staff").get("/to-do/")
    assert listed(staff) == {}
    assert "Nothing waits for you" in staff.content.decode()
    assert "To do" in header(staff) and "To do (" not in header(staff)
    assert "Waiting for you" not in client_for("staff").get("/").content.decode()


def test_agreeing_takes_the_objective_off_the_list(client_for, persona_users, waiting):
    services.agree(objective=waiting["S1-A"], actor=as_user(persona_users["manager"]))
    titles = [t for t, _ in listed(client_for("manager").get("/to-do/"))["Objectives to agree"]]
    assert titles == ["W1-B"]


def test_a_new_kind_of_to_do_needs_only_a_line_in_the_registry(client_for, waiting, monkeypatch):
    def reports_to_review(*, actor, organisation):
        return [ToDo(title="360 report: Mary Manager", href="/reports/1/", detail="Due Friday")]

    kind = todo.ToDoKind("reports-to-review", "Reports to review", reports_to_review)
    monkeypatch.setattr(todo, "KINDS", [*todo.KINDS, kind])
    response = client_for("staff").get("/to-do/")
    assert listed(response) == {"Reports to review": [("360 report", "Due Friday")]}
    assert "To do (1)" in header(response)


def test_an_htmx_fragment_draws_no_header_and_counts_nothing(client_for, waiting, monkeypatch):
    def must_not_count(*args, **kwargs):
        raise AssertionError("the to-do list was read for a fragment")

    monkeypatch.setattr(todo, "to_do", must_not_count)
    monkeypatch.setattr(todo, "count_for_request", must_not_count)
    response = client_for("manager").get(
        "/direction/objectives/W1-A/branch/?folded=1", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "<header" not in response.content.decode()
    with pytest.raises(AssertionError, match="read for a fragment"):
        client_for("manager").get("/direction/objectives/W1-A/branch/?folded=1")


def _request_of(user, organisation):
    request = RequestFactory().get("/org/")
    request.user, request.organisation, request.organisations = user, organisation, [organisation]
    return request


def test_the_header_counts_in_at_most_two_queries_without_reading_every_objective(
    client_for, persona_users, trust, waiting, monkeypatch, django_assert_max_num_queries
):
    def must_not_load(*args, **kwargs):
        raise AssertionError("the header read every objective of the organisation")

    monkeypatch.setattr(facts, "load", must_not_load)
    user = persona_users["manager"]
    request = _request_of(user, trust["org"])
    own_person_ids(user, trust["org"])  # the roles, read once a request by every page
    with django_assert_max_num_queries(2):
        assert todo.count_for_request(request) == 3
    # The page shows the same count, and so does a page that never reads the list.
    assert "To do (3)" in header(client_for("manager").get("/org/"))


def test_the_counts_agree_with_the_lists_on_the_day_an_objective_becomes_due(
    trust, persona_users, waiting
):
    """Stale means more than the rule's 60 days without a check-in: 61 days is due, 60 is
    not, whether counted from the latest check-in or from the day it was agreed."""
    objective_at = {  # W1's unit objectives, which the manager checks in on
        "W1-C": ("agreed", TODAY - timedelta(days=61), None),
        "W1-D": ("agreed", TODAY - timedelta(days=60), None),
        "W1-E": ("active", TODAY - timedelta(days=200), TODAY - timedelta(days=60)),
        "W1-F": ("active", TODAY - timedelta(days=200), TODAY - timedelta(days=61)),
        "W1-G": ("achieved", TODAY - timedelta(days=200), None),
    }
    zone = timezone.get_current_timezone()
    for code, (status, agreed_on, checked_on) in objective_at.items():
        made = make(trust, code, "W1", parents=["W1-A"], status=status)
        # Late in the evening, local time: the day is the organisation's, not UTC's.
        Objective.objects.filter(pk=made.pk).update(
            agreed_at=datetime.combine(agreed_on, time(23, 30), tzinfo=zone)
        )
        if checked_on is not None:
            services.check_in(objective=made, on=checked_on, value=1, actor=SYSTEM)
    actor = Actor.from_request(_request_of(persona_users["manager"], trust["org"]))
    due = todo.KINDS[1]
    titles = [item.title.split(":")[0] for item in due.read(actor=actor, organisation=trust["org"])]
    assert sorted(titles) == ["W1-A", "W1-C", "W1-F"]
    assert due.count(actor=actor, organisation=trust["org"]) == 3
    for kind in todo.KINDS:
        for persona in ("manager", "board", "staff"):
            someone = Actor.from_request(_request_of(persona_users[persona], trust["org"]))
            listed_now = kind.read(actor=someone, organisation=trust["org"])
            assert kind.count(actor=someone, organisation=trust["org"]) == len(listed_now)
    # The organisation's own rule decides: at 61 days, only W1-A (90 days) is due.
    services.save_quality_settings(
        organisation=trust["org"],
        actor=SYSTEM,
        challenge_margin=0.05,
        thicket_limit=5,
        stale_days=61,
    )
    items = due.read(actor=actor, organisation=trust["org"])
    assert [(i.title.split(":")[0], i.detail) for i in items] == [
        ("W1-A", "No check-in for 90 days (the rule is 61)")
    ]
    assert due.count(actor=actor, organisation=trust["org"]) == 1
