"""The direction pages: the golden thread, my objectives, a unit's objectives, one
objective, and the vision on the home page. (Who may open which page is in
test_url_access_matrix.py.)"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from colead.core.actor import Actor
from colead.direction import presenters, services
from colead.lib import charts
from tests.integration.direction_fixtures import SYSTEM, golden_thread, make

TODAY = timezone.localdate()


@pytest.fixture
def thread(trust):
    return golden_thread(trust)


@pytest.fixture
def vision(trust):
    draft = services.save_vision_draft(
        organisation=trust["org"],
        vision="Outstanding, compassionate care for every patient.",
        mission="Acute care for Testshire.",
        values=[{"name": "Kindness", "description": "We notice and we act."}],
        actor=SYSTEM,
    )
    return services.approve_vision(vision=draft, approved_on=TODAY, actor=SYSTEM)


def tree_codes(nodes):
    return {node.code: tree_codes(node.children) for node in nodes}


def test_the_golden_thread_for_the_board(client_for, thread, vision):
    response = client_for("board").get("/direction/")
    assert response.status_code == 200
    context = response.context_data
    assert tree_codes(context["roots"]) == {
        "ORG1": {
            "MED1": {"CARD1": {"W1-A": {"S1-A": {}}, "W2-A": {}}},
            "SURG1": {},
        }
    }
    assert [node.code for node in context["orphans"]] == ["T1-X"]
    assert context["objective_count"] == 8
    assert context["roots"][0].open
    html = response.content.decode()
    assert "Outstanding, compassionate care for every patient." in html
    assert "Not connected to the organisation’s objectives" in html
    assert '<strong class="nhsuk-tag nhsuk-tag--red">Orphan</strong>' in html
    counts = {m["text"]: m["count"] for m in context["marker_counts"]}
    assert counts["Orphan"] == 1
    assert counts["Not agreed"] == 2  # S1-A and SURG1 are drafts


def test_staff_see_the_thread_above_them(client_for, thread):
    context = client_for("staff").get("/direction/").context_data
    assert tree_codes(context["roots"]) == {"ORG1": {"MED1": {"CARD1": {"W1-A": {"S1-A": {}}}}}}
    assert context["orphans"] == []


def test_an_objective_with_a_hidden_parent_is_shown_at_the_top(client_for, trust, thread):
    """A manager of Ward 2 sees W2's objectives and those above, not Ward 1's."""
    from colead.accounts.models import RoleAssignment
    from tests.factories import UserFactory

    user = UserFactory(email="w2@test.test")
    RoleAssignment.objects.create(
        user=user, organisation=trust["org"], role="manager", unit=trust["units"]["W2"]
    )
    make(trust, "W2-B", "W2", parents=["W1-A"])  # serves Ward 1's objective, unseen
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = client.get("/direction/").context_data
    assert tree_codes(context["roots"]) == {"ORG1": {"MED1": {"CARD1": {"W2-A": {}, "W2-B": {}}}}}


def test_searching_the_thread(client_for, thread):
    response = client_for("board").get("/direction/", {"q": "ward 1"})
    context = response.context_data
    assert [node.code for node in context["matches"]] == ["W1-A", "S1-A"]
    assert context["matches"][0].trail == (
        "Objective ORG1: cut waits from 10 to 5 days",
        "Objective MED1: cut waits from 10 to 5 days",
        "Objective CARD1: cut waits from 10 to 5 days",
    )
    assert client_for("board").get("/direction/", {"q": "Sam"}).context_data["match_count"] == 1
    none = client_for("board").get("/direction/", {"q": "zzz"})
    assert none.context_data["matches"] == []
    assert "No objective you can see matches" in none.content.decode()


def test_the_thread_takes_a_constant_number_of_queries(client_for, trust, thread):
    client = client_for("board")
    client.get("/direction/")
    with CaptureQueriesContext(connection) as small_warm:
        client.get("/direction/")
    make(trust, "FIRST", "W2", parents=["W2-A"], status="active")
    with CaptureQueriesContext(connection) as small_cold:
        client.get("/direction/")
    for n in range(20):
        objective = make(trust, f"MORE-{n}", "W2", parents=["W2-A"], status="active")
        services.check_in(objective=objective, on=TODAY, value=n, actor=SYSTEM)
        make(trust, f"IND-{n}", "W1", parents=["W1-A"], owner=trust["nurse_person"])
    with CaptureQueriesContext(connection) as large_cold:
        response = client.get("/direction/")
    assert response.context_data["objective_count"] == 49
    with CaptureQueriesContext(connection) as large_warm:
        client.get("/direction/")
    # After a change the objectives are read again (three more queries); unchanged, they
    # come from memory. Either way the count does not grow with the organisation.
    assert len(large_cold) == len(small_cold) == len(small_warm) + 3
    assert len(large_warm) == len(small_warm)


def test_the_thread_folds_individual_objectives_of_a_large_organisation(
    client_for, trust, thread, monkeypatch
):
    monkeypatch.setattr(presenters, "INLINE_LIMIT", 5)
    client = client_for("board")
    response = client.get("/direction/")
    page = response.content.decode()
    assert "Sam" not in page.split("Not connected to")[0]  # the nurse's objective is folded
    w1 = next(
        node
        for root in response.context_data["roots"]
        for node in _walk(root)
        if node.code == "W1-A"
    )
    assert w1.hidden == 1 and all(child.level != "individual" for child in w1.children)
    link = "/direction/objectives/W1-A/branch/?folded=1"
    assert f'hx-get="{link}"' in page
    fragment = client.get(link, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    assert [child.level for child in fragment.context_data["children"]] == ["individual"]
    assert "Sam" in fragment.content.decode()
    whole = client.get("/direction/objectives/W1-A/branch/")
    assert "<html" in whole.content.decode() and "Sam" in whole.content.decode()


def test_a_branch_is_only_for_those_who_may_see_the_objective(client_for, thread):
    assert client_for("board").get("/direction/objectives/NOPE/branch/").status_code == 404
    assert client_for("manager").get("/direction/objectives/SURG1/branch/").status_code == 403


def _walk(node):
    yield node
    for child in node.children:
        yield from _walk(child)


def test_my_objectives_connect_to_the_vision(client_for, thread, vision):
    response = client_for("staff").get("/direction/mine/")
    context = response.context_data
    (mine,) = context["mine"]
    assert mine["objective"].code == "S1-A"
    assert [node.code for node in mine["thread"]] == ["ORG1", "MED1", "CARD1", "W1-A"]
    assert [item["objective"].code for item in context["team_objectives"]] == ["W1-A"]
    html = response.content.decode()
    assert "How it connects to the vision" in html
    assert "Our vision: Outstanding, compassionate care for every patient." in html


def test_my_objectives_without_a_staff_record(client_for, thread):
    response = client_for("board").get("/direction/mine/")
    assert response.context_data["people"] == []
    assert "not linked to a staff record" in response.content.decode()


def test_an_unconnected_objective_says_so(client_for, trust, thread):
    make(trust, "S1-LOOSE", "W1", owner=trust["nurse_person"])
    html = client_for("staff").get("/direction/mine/").content.decode()
    assert "Not yet connected" in html


def test_a_units_objectives_with_progress(client_for, trust, thread):
    w1 = thread["W1-A"]
    for days, value in ((60, 10), (30, 8), (0, 7)):
        services.check_in(
            objective=w1,
            on=TODAY - timedelta(days=days),
            value=value,
            confidence="high",
            actor=SYSTEM,
        )
    response = client_for("manager").get("/direction/units/W1/")
    context = response.context_data
    (row,) = context["rows"]
    assert row["node"].code == "W1-A"
    assert row["progress"]["latest"] == 7.0
    assert row["progress"]["share"] == pytest.approx(0.6)  # 10 -> 5, now at 7
    chart = row["progress"]["chart"]
    values = [v["value"] for v in charts.data_values(chart["spec"]) if "day" in v]
    assert values == [c["value"] for c in row["check_ins"]]  # the chart is its table
    assert charts.axis_titles(chart["spec"])["x"] == {"Date of the check-in"}
    assert [node.code for node in context["individual"]] == ["S1-A"]
    assert context["summary"].objectives == 1
    html = response.content.decode()
    assert chart["src"] in html and "60% of the way to the target" in html
    assert "3 check-ins" in html


def test_a_thicket_is_called_out_on_the_unit_page(client_for, trust, thread):
    for n in range(5):
        make(trust, f"W1-T{n}", "W1", parents=["CARD1"], status="active")
    html = client_for("manager").get("/direction/units/W1/").content.decode()
    assert "Too many priorities" in html


def test_one_objective(client_for, trust, thread):
    services.check_in(objective=thread["W1-A"], on=TODAY, value=9, comment="Slow", actor=SYSTEM)
    response = client_for("staff").get("/direction/objectives/W1-A/")
    context = response.context_data
    assert [node.code for node in context["thread"]] == ["ORG1", "MED1", "CARD1"]
    assert [node.code for node in context["parents"]] == ["CARD1"]
    assert [node.code for node in context["children"]] == ["S1-A"]
    assert [act["act"] for act in context["acts"]] == ["Proposed", "Agreed"]
    assert {check["label"]: check["passed"] for check in context["checks"]}["Aligned"] is True
    html = response.content.decode()
    assert "Slow" in html
    orphan = client_for("board").get("/direction/objectives/T1-X/").content.decode()
    assert "it has no path up to an organisation objective" in orphan


def test_the_home_page_shows_the_vision_to_everyone(client_for, thread, vision):
    for persona in ("staff", "manager", "safety"):
        html = client_for(persona).get("/").content.decode()
        assert "Outstanding, compassionate care for every patient." in html
        assert "Kindness" in html
    assert "Your objectives and how they connect" in client_for("staff").get("/").content.decode()


def test_the_home_page_without_a_vision(client_for, trust):
    response = client_for("staff").get("/")
    assert response.context_data["vision"] is None
    assert "Our vision" not in response.content.decode()


def test_objectives_are_in_the_navigation(rf, persona_users, trust):
    from colead.home.context_processors import navigation_for

    request = rf.get("/direction/")
    request.user = persona_users["staff"]
    request.organisation = trust["org"]
    items = navigation_for(request)
    assert {"text": "Objectives", "href": "/direction/", "current": True} in items


# --- The forms on an objective's page ---------------------------------------------------------


def test_propose_then_agree_on_the_web(client_for, thread):
    staff = client_for("staff")
    page = staff.get("/direction/objectives/S1-A/")
    assert page.context_data["can_propose"] and not page.context_data["can_agree"]
    assert "Propose for agreement" in page.content.decode()
    response = staff.post(
        "/direction/objectives/S1-A/acts/", {"act": "proposed", "comment": "Ready."}
    )
    assert response.status_code == 302
    followed = staff.get(response["Location"])
    assert "Proposed for agreement." in followed.content.decode()
    assert not followed.context_data["can_agree"]  # the owner never agrees their own
    assert staff.post("/direction/objectives/S1-A/acts/", {"act": "agreed"}).status_code == 403

    manager = client_for("manager")
    page = manager.get("/direction/objectives/S1-A/")
    assert page.context_data["can_agree"]
    response = manager.post("/direction/objectives/S1-A/acts/", {"act": "changes_requested"})
    assert response.status_code == 200
    assert response.context_data["errors"] == {"comment": "Say what should change."}
    assert "There is a problem" in response.content.decode()
    response = manager.post(
        "/direction/objectives/S1-A/acts/", {"act": "agreed", "comment": "At the 1:1."}
    )
    assert response.status_code == 302
    thread["S1-A"].refresh_from_db()
    assert thread["S1-A"].status == "agreed"


def test_the_history_names_people_and_colead_in_plain_words(client_for, persona_users, thread):
    persona_users["staff"].full_name = "Sam Nurse"
    persona_users["staff"].save()
    client_for("staff").post("/direction/objectives/S1-A/acts/", {"act": "proposed"})
    services.check_in(objective=thread["S1-A"], on=TODAY, value=3, actor=Actor.system("cli"))
    page = client_for("staff").get("/direction/objectives/S1-A/")
    assert [act["by"] for act in page.context_data["acts"]][-1] == "Sam Nurse"
    assert [c["by"] for c in page.context_data["check_ins"]] == ["colead (command line)"]
    html = page.content.decode()
    assert "Proposed</strong> by Sam Nurse" in html
    assert "staff@test.test" not in html and "system (cli)" not in html


def test_a_step_out_of_order_is_shown_as_an_error(client_for, thread):
    response = client_for("manager").post("/direction/objectives/W1-A/acts/", {"act": "agreed"})
    assert response.status_code == 200
    assert "propose it first" in response.context_data["errors"]["act"]


def test_check_in_on_the_web(client_for, thread):
    manager = client_for("manager")
    form = {
        "day": TODAY.day,
        "month": TODAY.month,
        "year": TODAY.year,
        "value": "7.5",
        "confidence": "medium",
        "comment": "Better.",
    }
    response = manager.post("/direction/objectives/W1-A/check-ins/", form)
    assert response.status_code == 302
    assert thread["W1-A"].check_ins.get().value == 7.5
    bad = manager.post(
        "/direction/objectives/W1-A/check-ins/", {**form, "day": "31", "month": "2", "value": "x"}
    )
    assert bad.status_code == 200
    assert set(bad.context_data["errors"]) == {"date", "value"}
    future = TODAY + timedelta(days=3)
    later = manager.post(
        "/direction/objectives/W1-A/check-ins/",
        {**form, "day": future.day, "month": future.month, "year": future.year},
    )
    assert "not in the future" in later.context_data["errors"]["date"]
    assert (
        client_for("board").post("/direction/objectives/W1-A/check-ins/", form).status_code == 403
    )
    assert not client_for("board").get("/direction/objectives/W1-A/").context_data["can_check_in"]


def test_each_check_in_error_is_shown_on_its_own_field(client_for, thread):
    too_long = {"day": TODAY.day, "month": TODAY.month, "year": TODAY.year, "comment": "x" * 2001}
    page = client_for("manager").post("/direction/objectives/W1-A/check-ins/", too_long)
    html = page.content.decode()
    # The service's "comment" is the form's check-in comment, and the summary links to it.
    assert page.context_data["errors"] == {
        "check_in_comment": "A comment can be at most 2,000 characters."
    }
    assert 'id="check-in-comment-error"' in html
    assert 'href="#check-in-comment"' in html
    assert "nhsuk-form-group--error" in html
