"""The to-do list (/to-do/ and the home page) and its count in the header."""

from datetime import timedelta

import pytest
from django.utils import timezone

from colead.core.todo import ToDo
from colead.direction import services
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
    response = client_for("manager").get(
        "/direction/objectives/W1-A/branch/?folded=1", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "<header" not in response.content.decode()
    with pytest.raises(AssertionError, match="read for a fragment"):
        client_for("manager").get("/direction/objectives/W1-A/branch/?folded=1")
