"""The direction forms: a new objective (of a unit, of oneself), editing one and changing
its status, drafting the vision and the board's approval. Who may open each page is also
in test_url_access_matrix.py; here, the ``?unit=`` forms, what is saved, the messages for
bad input, CSRF, the audit trail and escaping."""

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from colead.accounts.models import RoleAssignment
from colead.audit.models import AuditEvent
from colead.direction import services
from colead.direction.models import Objective, Vision
from colead.lib.errors import Invalid
from colead.lib.problems import ImportRejected
from tests.factories import UserFactory
from tests.integration.direction_fixtures import SYSTEM, golden_thread, make

TODAY = timezone.localdate()
NEW = "/direction/objectives/new/"


@pytest.fixture
def thread(trust):
    return golden_thread(trust)


def form(**fields):
    """A complete, valid objective form, with ``fields`` replacing or adding to it."""
    data = {
        "title": "Cut the median wait for a first appointment from 10 to 5 days",
        "description": "Fewer patients wait at home.",
        "code": "",
        "measure": "Median wait",
        "unit_of_measure": "days",
        "baseline": "10",
        "target": "5",
        "direction": "down",
        "due[day]": "31",
        "due[month]": "3",
        "due[year]": "2027",
        "elements": ["goals_performance", "teamwork"],
        "parents": [],
    }
    data.update(fields)
    return data


def parent_keys(response) -> dict[str, str]:
    """The parent checkboxes offered: objective code -> checkbox value, across the groups."""
    by_id = {str(o.pk): o.code for o in Objective.objects.all()}
    return {
        by_id[item["value"]]: item["value"]
        for group in response.context_data["parent_groups"]
        for item in group["objectives"]
    }


def audit_actions(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# --- A new objective of a unit ---------------------------------------------------------------


def test_a_manager_adds_a_unit_objective_aligned_to_the_thread(client_for, trust, thread):
    manager = client_for("manager")
    page = manager.get(NEW, {"unit": "W1"})
    assert page.status_code == 200
    groups = page.context_data["parent_groups"]
    # The units above Ward 1, top first, and Ward 1's own: never Surgery's or Theatres'.
    assert [group["label"] for group in groups] == [
        "Test Trust (organisation)",
        "Medicine (division)",
        "Cardiology (directorate)",
        "Ward 1 (team)",
    ]
    offered = parent_keys(page)
    assert set(offered) == {"ORG1", "MED1", "CARD1", "W1-A"}
    html = page.content.decode()
    assert "Add an objective for Ward 1" in html
    assert 'name="parents"' in html and 'id="parents"' in html
    assert "Sam Nurse (S1)" in html  # Ward 1 is small: its people are offered as owners

    response = manager.post(f"{NEW}?unit=W1", form(parents=[offered["CARD1"]]))
    assert response.status_code == 302
    objective = Objective.objects.get(code="W1-1")
    assert response["Location"] == "/direction/objectives/W1-1/"
    assert objective.unit.code == "W1" and objective.owner is None
    assert [p.code for p in objective.parents.all()] == ["CARD1"]
    assert objective.status == "draft"
    assert objective.baseline == 10.0 and objective.target == 5.0
    assert objective.direction == "down"
    assert objective.due_date == date(2027, 3, 31)
    assert objective.elements == ["goals_performance", "teamwork"]
    assert objective.created_by.email == "manager@test.test"
    (event,) = audit_actions("objective.create")[-1:]
    assert event.actor.email == "manager@test.test"
    assert event.detail["parents"] == ["CARD1"]
    followed = manager.get(response["Location"])
    assert "Objective W1-1 saved as a draft." in followed.content.decode()
    unit_page = manager.get("/direction/units/W1/").content.decode()
    assert "Cut the median wait for a first appointment" in unit_page
    # The next made-up code follows on.
    manager.post(f"{NEW}?unit=W1", form(title="Another"))
    assert Objective.objects.filter(code="W1-2", title="Another").exists()


def test_a_code_of_ones_own_is_checked_by_the_service(client_for, thread):
    manager = client_for("manager")
    response = manager.post(f"{NEW}?unit=W1", form(code="W1-A"))
    assert response.status_code == 200
    assert response.context_data["errors"] == {
        "code": "There is already an objective with the code W1-A."
    }
    bad = manager.post(f"{NEW}?unit=W1", form(code="no spaces"))
    assert "is not a valid objective code" in bad.context_data["errors"]["code"]
    ok = manager.post(f"{NEW}?unit=W1", form(code="WARD1-WAITS"))
    assert ok["Location"] == "/direction/objectives/WARD1-WAITS/"


@pytest.mark.parametrize(
    "persona, unit, expected",
    [
        ("manager", "W1", 200),
        ("manager", "CARD", 403),  # a manager of Ward 1 only
        ("manager", "T1", 403),
        ("od", "T1", 200),
        ("admin", "TST1-ROOT", 200),
        ("board", "TST1-ROOT", 403),  # the board agrees objectives; it does not write them
        ("staff", "W1", 403),
        ("change", "W1", 403),
        ("safety", "W1", 403),
        ("manager", "OTH-ROOT", 404),
        ("od", "NO-SUCH-UNIT", 404),
        ("outsider", "W1", 404),
    ],
)
def test_who_may_add_a_units_objective(client_for, thread, persona, unit, expected):
    client = client_for(persona)
    assert client.get(NEW, {"unit": unit}).status_code == expected
    before = Objective.objects.count()
    assert client.post(f"{NEW}?unit={unit}", form()).status_code == (
        302 if expected == 200 else expected
    )
    assert Objective.objects.count() == before + (1 if expected == 200 else 0)


def test_an_od_lead_writes_an_organisation_objective(client_for, thread):
    response = client_for("od").post(f"{NEW}?unit=TST1-ROOT", form(title="Be a great employer"))
    assert response.status_code == 302
    objective = Objective.objects.get(title="Be a great employer")
    assert objective.code == "TST1-ROOT-1"
    assert objective.parents.count() == 0


def test_a_manager_writes_an_individual_objective_for_someone_in_the_unit(
    client_for, trust, thread
):
    manager = client_for("manager")
    offered = parent_keys(manager.get(NEW, {"unit": "W1"}))
    response = manager.post(f"{NEW}?unit=W1", form(owner="S1", parents=[offered["W1-A"]]))
    assert response.status_code == 302
    objective = Objective.objects.get(code="W1-S1-1")
    assert objective.owner == trust["nurse_person"]
    assert objective.unit.code == "W1"
    wrong = manager.post(f"{NEW}?unit=W1", form(owner="T1-0"))
    assert wrong.status_code == 200
    assert wrong.context_data["errors"] == {"owner": "Select whose objective it is from the list"}


def test_a_big_unit_takes_the_owners_employee_number(client_for, trust, thread, monkeypatch):
    from colead.direction.views import objective_forms as edit_views

    monkeypatch.setattr(edit_views, "OWNER_SELECT_LIMIT", 2)
    od = client_for("od")
    page = od.get(NEW, {"unit": "CARD"})
    assert page.context_data["place"].owner_choices is None
    assert "Employee number of the person it is for" in page.content.decode()
    unknown = od.post(f"{NEW}?unit=CARD", form(owner="NOBODY"))
    assert (
        "There is no one with the employee number NOBODY" in unknown.context_data["errors"]["owner"]
    )
    # Theatres' staff work outside Cardiology's tree: the service's rule, on the owner field.
    outside = od.post(f"{NEW}?unit=CARD", form(owner="T1-0"))
    assert "must sit in its owner's unit tree" in outside.context_data["errors"]["owner"]
    assert od.post(f"{NEW}?unit=CARD", form(owner="S1")).status_code == 302
    assert Objective.objects.get(code="CARD-S1-1").owner == trust["nurse_person"]


# --- A new objective of one's own ----------------------------------------------------------


def test_staff_add_an_objective_of_their_own(client_for, trust, thread):
    staff = client_for("staff")
    mine = staff.get("/direction/mine/").content.decode()
    assert "Add an objective of your own" in mine
    page = staff.get(NEW, {"mine": "1"})
    assert page.status_code == 200
    assert set(parent_keys(page)) == {"ORG1", "MED1", "CARD1", "W1-A"}
    assert "It will be your individual objective in Ward 1." in page.content.decode()
    response = staff.post(f"{NEW}?mine=1", form(parents=[parent_keys(page)["W1-A"]]))
    assert response.status_code == 302
    objective = Objective.objects.get(code="W1-S1-1")
    assert objective.owner == trust["nurse_person"]
    assert objective.status == "draft"
    # A forged owner is ignored: one's own objective is one's own.
    staff.post(f"{NEW}?mine=1", form(owner="M1", title="Mine again"))
    assert Objective.objects.get(title="Mine again").owner == trust["nurse_person"]


def test_staff_in_two_teams_choose_which(client_for, trust, thread):
    from colead.org.models import TeamMembership

    TeamMembership.objects.create(person=trust["nurse_person"], unit=trust["units"]["T1"])
    staff = client_for("staff")
    page = staff.get(NEW, {"mine": "1"})
    assert [unit.code for unit in page.context_data["place"].unit_choices] == ["W1", "T1"]
    # Theatres' thread comes in too (T1 has an orphan objective; Surgery a draft).
    assert {"SURG1", "T1-X", "W1-A"} <= set(parent_keys(page))
    missing = staff.post(f"{NEW}?mine=1", form(unit=""))
    assert missing.context_data["errors"] == {
        "unit": "Select which of your teams the objective belongs to"
    }
    assert staff.post(f"{NEW}?mine=1", form(unit="T1")).status_code == 302
    assert Objective.objects.get(code="T1-S1-1").unit.code == "T1"


def test_without_a_staff_record_there_is_no_objective_of_ones_own(client_for, thread):
    for persona in ("board", "od", "admin"):
        assert client_for(persona).get(NEW, {"mine": "1"}).status_code == 403
        assert client_for(persona).get(NEW).status_code == 403


# --- Bad input -------------------------------------------------------------------------------


def test_every_kind_of_bad_input_is_shown_on_its_field(client_for, trust, thread):
    other_unit = trust["units"]["OTH-ROOT"]
    elsewhere = services.create_objective(
        organisation=trust["other"], code="X-1", title="Theirs", unit=other_unit, actor=SYSTEM
    )
    manager = client_for("manager")
    offered = parent_keys(manager.get(NEW, {"unit": "W1"}))
    before = Objective.objects.count()
    response = manager.post(
        f"{NEW}?unit=W1",
        form(
            title="T" * 201,
            baseline="ten",
            target="nan",
            direction="sideways",
            **{"due[day]": "31", "due[month]": "2", "due[year]": "2027"},
            elements=["teamwork", "made_up"],
            parents=[offered["CARD1"], str(elsewhere.pk), "999999", "abc"],
        ),
    )
    assert response.status_code == 200
    assert Objective.objects.count() == before
    errors = response.context_data["errors"]
    assert errors == {
        "title": "The title must be 200 characters or fewer",
        "baseline": "Enter the baseline as a number, like 85 or 12.5",
        "target": "Enter the target as a number, like 85 or 12.5",
        "direction": "Select whether a higher or a lower value is better",
        "due_date": "The due date must be a real date, for example 31 3 2027",
        "elements": "Select cultural elements from the list",
        "parents": "Select the objectives it serves from the list",
    }
    # The error summary links each message to its field, in the order of the page.
    assert [entry["href"] for entry in response.context_data["error_list"]] == [
        "#title",
        "#parents",
        "#elements",
        "#baseline",
        "#target",
        "#direction",
        "#due-day",
    ]
    html = response.content.decode()
    assert "There is a problem" in html
    assert "<title>Error: " in html
    for anchor in ("title", "parents", "elements", "baseline", "target", "direction", "due-day"):
        assert f'id="{anchor}"' in html
    # What was typed is kept, except the parents that were not offered.
    assert 'value="ten"' in html and 'value="' + "T" * 201 + '"' in html
    assert response.context_data["posted"]["parents"] == [offered["CARD1"]]
    assert response.context_data["posted"]["due"] == {"day": "31", "month": "2", "year": "2027"}
    assert "Theirs" not in html


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"title": "  "}, "title", "Enter a title for the objective"),
        ({"due[day]": "", "due[month]": "3"}, "due_date", "The due date must include a day"),
        (
            {"due[year]": "27"},
            "due_date",
            "The due date must be a real date, for example 31 3 2027",
        ),
        ({"baseline": "1e999"}, "baseline", "Enter the baseline as a number, like 85 or 12.5"),
        ({"measure": "m" * 201}, "measure", "The measure must be 200 characters or fewer"),
        (
            {"unit_of_measure": "u" * 51},
            "unit_of_measure",
            "The unit of measure must be 50 characters or fewer",
        ),
        (
            {"description": "d" * 5001},
            "description",
            "The description must be 5,000 characters or fewer",
        ),
    ],
)
def test_each_message(client_for, thread, fields, field, message):
    response = client_for("manager").post(f"{NEW}?unit=W1", form(**fields))
    assert response.context_data["errors"] == {field: message}


def test_numbers_as_people_type_them(client_for, thread):
    client_for("manager").post(f"{NEW}?unit=W1", form(baseline="1,250", target=" -2.5 "))
    objective = Objective.objects.get(code="W1-1")
    assert (objective.baseline, objective.target) == (1250.0, -2.5)


def test_what_people_type_is_shown_escaped(client_for, thread):
    manager = client_for("manager")
    script = "<script>alert('x')</script>"
    invalid = manager.post(f"{NEW}?unit=W1", form(title=script, baseline="<b>x</b>"))
    html = invalid.content.decode()
    assert script not in html and "<b>x</b>" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;x&lt;/b&gt;" in html
    manager.post(f"{NEW}?unit=W1", form(title=script, description=script))
    page = manager.get("/direction/objectives/W1-1/").content.decode()
    assert script not in page and "&lt;script&gt;alert(" in page
    edit = manager.get("/direction/objectives/W1-1/edit/").content.decode()
    assert script not in edit


# --- Editing ---------------------------------------------------------------------------------


def test_the_edit_form_is_prefilled(client_for, thread):
    manager = client_for("manager")
    assert (
        "/direction/objectives/W1-A/edit/"
        in manager.get("/direction/objectives/W1-A/").content.decode()
    )
    page = manager.get("/direction/objectives/W1-A/edit/")
    assert page.status_code == 200
    posted = page.context_data["posted"]
    assert posted["title"] == "Objective W1-A: cut waits from 10 to 5 days"
    assert (posted["baseline"], posted["target"]) == ("10", "5")
    assert posted["due"] == {"day": "31", "month": "3", "year": "2027"}
    assert posted["parents"] == [str(thread["CARD1"].pk)]
    assert page.context_data["resets_agreement"]  # it is active: a warning is shown
    html = page.content.decode()
    assert "It will need to be agreed again" in html
    assert f'value="{thread["CARD1"].pk}" checked' in html


def test_a_change_of_substance_sends_it_back_to_draft(client_for, thread):
    manager = client_for("manager")
    page = manager.get("/direction/objectives/W1-A/edit/")
    posted = page.context_data["posted"]
    data = form(
        **{name: posted[name] for name in ("title", "measure", "unit_of_measure", "elements")},
        **{name: posted[name] for name in ("baseline", "target", "direction", "parents")},
        description="Only the description changes.",
    )
    response = manager.post("/direction/objectives/W1-A/edit/", data)
    assert response.status_code == 302
    objective = Objective.objects.get(code="W1-A")
    assert objective.status == "active"  # a description is not substance
    assert objective.description == "Only the description changes."
    assert manager.get(response["Location"]).content.decode().count("Changes saved.") == 1

    data["title"] = "Cut waits from 10 to 4 days"
    response = manager.post("/direction/objectives/W1-A/edit/", data)
    objective.refresh_from_db()
    assert objective.status == "draft" and objective.agreed_at is None
    followed = manager.get(response["Location"]).content.decode()
    assert "It is back in draft: propose it for agreement again." in followed
    event = audit_actions("objective.update")[-1]
    assert event.actor.email == "manager@test.test"
    assert event.detail["after"]["title"] == "Cut waits from 10 to 4 days"
    assert event.detail["agreement_cleared"] is True


def test_a_cycle_through_the_edit_form_is_refused(client_for, trust, thread):
    make(trust, "W1-B", "W1", parents=["W1-A"])
    manager = client_for("manager")
    page = manager.get("/direction/objectives/W1-A/edit/")
    offered = parent_keys(page)
    assert "W1-B" in offered and "W1-A" not in offered  # never itself
    data = form(title=thread["W1-A"].title, parents=[offered["CARD1"], offered["W1-B"]])
    response = manager.post("/direction/objectives/W1-A/edit/", data)
    assert response.status_code == 200
    assert response.context_data["errors"] == {
        "parents": "That would make the objective its own ancestor: W1-A → W1-B → W1-A."
    }
    assert response.context_data["error_list"] == [
        {
            "text": "That would make the objective its own ancestor: W1-A → W1-B → W1-A.",
            "href": "#parents",
        }
    ]
    assert [p.code for p in Objective.objects.get(code="W1-A").parents.all()] == ["CARD1"]


def test_parents_the_editor_cannot_see_are_kept(trust, thread):
    """A manager of Ward 2 edits W2-B, which also serves Ward 1's objective (unseen)."""
    user = UserFactory(email="w2@test.test")
    RoleAssignment.objects.create(
        user=user, organisation=trust["org"], role="manager", unit=trust["units"]["W2"]
    )
    make(trust, "W2-B", "W2", parents=["W2-A", "W1-A"])
    client = Client()
    client.force_login(user)
    page = client.get("/direction/objectives/W2-B/edit/")
    assert page.context_data["hidden_parents"] == 1
    assert "W1-A" not in parent_keys(page)
    assert "Objective W1-A" not in page.content.decode()
    data = form(title="W2-B renamed", parents=[parent_keys(page)["W2-A"]])
    assert client.post("/direction/objectives/W2-B/edit/", data).status_code == 302
    objective = Objective.objects.get(code="W2-B")
    assert objective.title == "W2-B renamed"
    assert sorted(p.code for p in objective.parents.all()) == ["W1-A", "W2-A"]


@pytest.mark.parametrize(
    "persona, code, expected",
    [
        ("manager", "W1-A", 200),
        ("manager", "S1-A", 200),
        ("staff", "S1-A", 200),  # the owner
        ("staff", "W1-A", 403),  # sees it, may not change it
        ("board", "W1-A", 403),  # reads everything, writes nothing
        ("od", "W2-A", 200),
        ("manager", "W2-A", 403),
        ("change", "W1-A", 403),
        ("manager", "NO-SUCH", 404),
        ("manager", "X-1", 404),  # another organisation's
        ("outsider", "W1-A", 404),
    ],
)
def test_who_may_edit(client_for, trust, thread, persona, code, expected):
    services.create_objective(
        organisation=trust["other"],
        code="X-1",
        title="Theirs",
        unit=trust["units"]["OTH-ROOT"],
        actor=SYSTEM,
    )
    client = client_for(persona)
    assert client.get(f"/direction/objectives/{code}/edit/").status_code == expected
    response = client.post(f"/direction/objectives/{code}/edit/", form(title="Changed"))
    assert response.status_code == (302 if expected == 200 else expected)
    changed = Objective.objects.filter(title="Changed").exists()
    assert changed == (expected == 200)
    page = client.get(f"/direction/objectives/{code}/")
    if page.status_code == 200:
        assert page.context_data["can_edit"] == (expected == 200)


# --- Status ----------------------------------------------------------------------------------


def test_status_changes_allowed_by_the_service(client_for, thread):
    manager = client_for("manager")
    page = manager.get("/direction/objectives/W1-A/edit/")
    assert [item["value"] for item in page.context_data["status_items"]] == ["achieved", "dropped"]
    response = manager.post("/direction/objectives/W1-A/status/", {"status": "achieved"})
    assert response.status_code == 302
    assert Objective.objects.get(code="W1-A").status == "achieved"
    assert "It is now achieved." in manager.get(response["Location"]).content.decode()
    event = audit_actions("objective.status")[-1]
    assert event.detail == {"from": "active", "to": "achieved"}
    # Achieved is the end: nothing more can be set, and a forged choice is refused.
    assert manager.get("/direction/objectives/W1-A/edit/").context_data["status_items"] == []
    refused = manager.post("/direction/objectives/W1-A/status/", {"status": "active"})
    assert refused.status_code == 200
    assert refused.context_data["status_errors"] == {
        "status": "Select what has happened to the objective"
    }
    assert refused.context_data["error_list"] == [
        {"text": "Select what has happened to the objective", "href": "#status"}
    ]


def test_a_dropped_objective_can_be_taken_up_again(client_for, thread):
    staff = client_for("staff")
    assert [
        i["value"]
        for i in staff.get("/direction/objectives/S1-A/edit/").context_data["status_items"]
    ] == ["dropped"]
    staff.post("/direction/objectives/S1-A/status/", {"status": "dropped"})
    assert Objective.objects.get(code="S1-A").status == "dropped"
    staff.post("/direction/objectives/S1-A/status/", {"status": "draft"})
    assert Objective.objects.get(code="S1-A").status == "draft"
    assert (
        client_for("board")
        .post("/direction/objectives/S1-A/status/", {"status": "dropped"})
        .status_code
        == 403
    )
    assert Objective.objects.get(code="S1-A").status == "draft"


# --- The vision ------------------------------------------------------------------------------


def vision_form(**fields):
    data = {
        "vision": "Outstanding, compassionate care for every patient.",
        "mission": "Acute care for Testshire.",
        "value-1-name": "Kindness",
        "value-1-description": "We notice and we act.",
        "value-2-name": "",
        "value-2-description": "",
        "value-3-name": "Courage",
        "value-3-description": "",
        "value-4-name": "",
        "value-4-description": "",
        "value-5-name": "",
        "value-5-description": "",
        "value-6-name": "",
        "value-6-description": "",
    }
    data.update(fields)
    return data


def test_draft_then_approve_the_vision(client_for, trust):
    od = client_for("od")
    page = od.get("/direction/vision/edit/")
    assert page.status_code == 200
    assert [row["number"] for row in page.context_data["rows"]] == [1, 2, 3, 4, 5, 6]
    # "Add another value" keeps what was typed, adds a row and saves nothing.
    more = od.post("/direction/vision/edit/", {**vision_form(), "add_value": "1"})
    assert more.status_code == 200
    assert Vision.objects.count() == 0
    assert len(more.context_data["rows"]) == 7
    assert more.context_data["rows"][0]["name"] == "Kindness"
    assert more.context_data["focus_row"] == 7
    assert "autofocus" in more.content.decode().split('id="value-7-name"')[1].split(">")[0]
    response = od.post("/direction/vision/edit/", vision_form())
    assert response.status_code == 302 and response["Location"] == "/direction/vision/"
    draft = Vision.objects.get()
    assert (draft.version, draft.status) == (1, "draft")
    assert draft.values == [
        {"name": "Kindness", "description": "We notice and we act."},
        {"name": "Courage", "description": ""},
    ]
    assert audit_actions("vision.draft")[-1].actor.email == "od@test.test"
    # Saving again changes the same draft.
    od.post("/direction/vision/edit/", vision_form(mission="Acute and community care."))
    assert Vision.objects.get().mission == "Acute and community care."
    assert audit_actions("vision.update")

    # OD leads draft but do not approve; staff see no draft.
    od_page = od.get("/direction/vision/")
    assert od_page.context_data["draft"]["version"] == 1
    assert "Approve version 1" not in od_page.content.decode()
    assert client_for("staff").get("/direction/vision/").context_data["draft"] is None
    assert "Our vision" not in client_for("staff").get("/").content.decode()

    board = client_for("board")
    board_page = board.get("/direction/vision/")
    stamp = board_page.context_data["draft"]["stamp"]
    assert "Approve version 1" in board_page.content.decode()
    approval = {
        "version": "1",
        "stamp": stamp,
        "approved[day]": str(TODAY.day),
        "approved[month]": str(TODAY.month),
        "approved[year]": str(TODAY.year),
        "note": "Board meeting, minute 4.2",
        "confirm": "yes",
    }
    unconfirmed = board.post("/direction/vision/approve/", {**approval, "confirm": ""})
    assert unconfirmed.status_code == 200
    assert unconfirmed.context_data["errors"] == {
        "confirm": "Confirm that the board approved this draft as shown"
    }
    future = TODAY + timedelta(days=1)
    later = board.post(
        "/direction/vision/approve/",
        {
            **approval,
            "approved[day]": str(future.day),
            "approved[month]": str(future.month),
            "approved[year]": str(future.year),
        },
    )
    assert later.context_data["errors"] == {
        "approved_on": "The date of the board meeting must be today or in the past"
    }
    assert later.context_data["error_list"] == [
        {
            "text": "The date of the board meeting must be today or in the past",
            "href": "#approved-day",
        }
    ]
    assert Vision.objects.get().status == "draft"
    response = board.post("/direction/vision/approve/", approval)
    assert response.status_code == 302
    vision = Vision.objects.get()
    assert vision.status == "approved"
    assert vision.approved_on == TODAY
    assert vision.approved_by.email == "board@test.test"
    assert vision.approval_note == "Board meeting, minute 4.2"
    assert audit_actions("vision.approve")[-1].actor.email == "board@test.test"
    assert "Version 1 approved" in board.get(response["Location"]).content.decode()

    home = client_for("staff").get("/").content.decode()
    assert "Outstanding, compassionate care for every patient." in home
    assert "Courage" in home

    # The next change is a new version, starting from the approved one.
    od = client_for("od")  # (one test client, signed in as each persona in turn)
    revise = od.get("/direction/vision/edit/")
    assert revise.context_data["posted"]["vision"] == vision.vision
    assert "It starts as a copy of version 1." in revise.content.decode()
    od.post("/direction/vision/edit/", vision_form(vision="Great care, every time."))
    assert list(Vision.objects.order_by("version").values_list("version", "status")) == [
        (1, "approved"),
        (2, "draft"),
    ]
    assert "Outstanding" in client_for("staff").get("/").content.decode()


def test_the_vision_forms_messages(client_for, trust):
    od = client_for("od")
    response = od.post(
        "/direction/vision/edit/",
        vision_form(
            vision=" ",
            **{"value-2-description": "A description with no name", "value-3-name": "n" * 101},
        ),
    )
    assert response.status_code == 200
    assert Vision.objects.count() == 0
    assert response.context_data["errors"] == {
        "vision": "Enter the vision",
        "value-2-name": "Enter a name for value 2, or clear its description",
        "value-3-name": "The name of value 3 must be 100 characters or fewer",
    }
    assert [entry["href"] for entry in response.context_data["error_list"]] == [
        "#vision",
        "#value-2-name",
        "#value-3-name",
    ]
    html = response.content.decode()
    assert "A description with no name" in html  # kept


def test_a_draft_changed_since_it_was_shown_is_not_approved(client_for, trust):
    draft = services.save_vision_draft(organisation=trust["org"], vision="First", actor=SYSTEM)
    board = client_for("board")
    stamp = board.get("/direction/vision/").context_data["draft"]["stamp"]
    services.save_vision_draft(
        organisation=trust["org"], vision="Changed behind their back", actor=SYSTEM, draft=draft
    )
    response = board.post(
        "/direction/vision/approve/",
        {
            "version": "1",
            "stamp": stamp,
            "approved[day]": str(TODAY.day),
            "approved[month]": str(TODAY.month),
            "approved[year]": str(TODAY.year),
            "confirm": "yes",
        },
    )
    assert (
        "The draft has changed since you opened this page"
        in response.context_data["errors"]["confirm"]
    )
    assert Vision.objects.get().status == "draft"


def test_the_vision_escapes_what_was_typed(client_for, trust):
    script = "<script>alert('v')</script>"
    client_for("od").post(
        "/direction/vision/edit/", vision_form(vision=script, **{"value-1-name": script})
    )
    html = client_for("board").get("/direction/vision/").content.decode()
    assert script not in html and "&lt;script&gt;" in html


def test_who_may_draft_and_approve(client_for, trust):
    services.save_vision_draft(organisation=trust["org"], vision="Draft", actor=SYSTEM)
    for persona in ("manager", "staff", "change", "safety"):
        client = client_for(persona)
        assert client.get("/direction/vision/").status_code == 200
        assert client.get("/direction/vision/edit/").status_code == 403
        assert client.post("/direction/vision/edit/", vision_form()).status_code == 403
        assert client.post("/direction/vision/approve/", {"version": "1"}).status_code == 403
    assert client_for("od").post("/direction/vision/approve/", {"version": "1"}).status_code == 403
    assert Vision.objects.get().vision == "Draft"
    # The outsider's organisation is OTH1: TST1's draft is not theirs to see.
    outsider = client_for("outsider").get("/direction/vision/")
    assert outsider.context_data["draft"] is None


# --- CSRF and links ----------------------------------------------------------------------------


def test_every_form_needs_the_csrf_token(persona_users, trust, thread):
    services.save_vision_draft(organisation=trust["org"], vision="Draft", actor=SYSTEM)
    posts = [
        ("manager", f"{NEW}?unit=W1", form()),
        ("staff", f"{NEW}?mine=1", form()),
        ("manager", "/direction/objectives/W1-A/edit/", form(title="Changed")),
        ("manager", "/direction/objectives/W1-A/status/", {"status": "dropped"}),
        ("od", "/direction/vision/edit/", vision_form()),
        ("board", "/direction/vision/approve/", {"version": "1", "confirm": "yes"}),
    ]
    objectives = Objective.objects.count()
    for persona, url, data in posts:
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(persona_users[persona])
        assert browser.post(url, data).status_code == 403, url
    assert Objective.objects.count() == objectives
    assert Objective.objects.get(code="W1-A").status == "active"
    assert Vision.objects.get().vision == "Draft"


def test_the_links_are_shown_to_those_allowed(client_for, thread):
    add = "Add an objective for Ward 1"
    assert add in client_for("manager").get("/direction/units/W1/").content.decode()
    assert add not in client_for("staff").get("/direction/units/W1/").content.decode()
    assert add not in client_for("board").get("/direction/units/W1/").content.decode()
    edit = "/direction/objectives/W1-A/edit/"
    assert edit in client_for("od").get("/direction/objectives/W1-A/").content.decode()
    assert edit not in client_for("board").get("/direction/objectives/W1-A/").content.decode()
    assert edit not in client_for("staff").get("/direction/objectives/W1-A/").content.decode()
    thread_page = client_for("staff").get("/direction/").content.decode()
    assert 'href="/direction/vision/"' in thread_page
    assert (
        "Add an objective of your own"
        not in client_for("board").get("/direction/mine/").content.decode()
    )


def test_every_form_page_has_unique_ids(client_for, trust, thread):
    """The error summary links to ids: each must be on the page once."""
    services.save_vision_draft(organisation=trust["org"], vision="Draft", actor=SYSTEM)
    pages = [
        ("manager", f"{NEW}?unit=W1"),
        ("staff", f"{NEW}?mine=1"),
        ("manager", "/direction/objectives/W1-A/edit/"),
        ("od", "/direction/vision/edit/"),
        ("board", "/direction/vision/"),
    ]
    for persona, url in pages:
        html = client_for(persona).get(url).content.decode()
        assert "built-in method" not in html and "Undefined" not in html, url
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert sorted({i for i in ids if ids.count(i) > 1}) == [], url


def test_a_refusal_by_the_vision_service_is_shown_on_the_values(client_for, trust, monkeypatch):
    """The service's own limit on a value's name, should the form ever let more through."""
    from colead.direction import forms

    monkeypatch.setattr(forms, "VALUE_NAME_MAX", 500)
    response = client_for("od").post(
        "/direction/vision/edit/", vision_form(**{"value-1-name": "n" * 150})
    )
    assert response.status_code == 200
    message = "A value's name can be 100 characters and its description 1,000."
    assert response.context_data["errors"] == {"core_values": message}
    assert response.context_data["error_list"] == [{"text": message, "href": "#value-1-name"}]
    assert message.replace("'", "&#39;") in response.content.decode()
    assert Vision.objects.count() == 0


# --- Limits ----------------------------------------------------------------------------------


def test_the_models_title_limit_is_the_forms_the_imports_the_services_and_the_apis(
    client, client_for, trust, thread, monkeypatch
):
    title = Objective._meta.get_field("title")
    # The API's schema is built from the model when colead starts.
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schema["ObjectiveIn"]["properties"]["title"]["maxLength"] == title.max_length
    # A limit changed on the model is the new limit everywhere else at once.
    monkeypatch.setattr(title, "max_length", 60)
    page = client_for("manager").post(f"{NEW}?unit=W1", form(title="x" * 61))
    assert page.context_data["errors"] == {"title": "The title must be 60 characters or fewer"}
    header = "objective_code,title,level_unit_code"
    with pytest.raises(ImportRejected) as rejected:
        services.import_objectives(
            organisation=trust["org"],
            content=f"{header}\nW1-LONG,{'x' * 61},W1\n".encode(),
            filename="objectives.csv",
            actor=SYSTEM,
        )
    assert "title can be at most 60" in " ".join(str(p) for p in rejected.value.problems)
    with pytest.raises(Invalid, match="at most 60 characters"):
        services.create_objective(
            organisation=trust["org"],
            code="W1-LONG",
            title="x" * 61,
            unit=trust["units"]["W1"],
            actor=SYSTEM,
        )
    made = services.create_objective(
        organisation=trust["org"],
        code="W1-LONG",
        title="x" * 60,
        unit=trust["units"]["W1"],
        actor=SYSTEM,
    )
    assert len(made.title) == 60
    # The code's limit too, which the import and the API read from the model alike.
    monkeypatch.setattr(Objective._meta.get_field("code"), "max_length", 8)
    with pytest.raises(Invalid, match="use up to 8 letters"):
        services.create_objective(
            organisation=trust["org"],
            code="W1-LONGER",
            title="x",
            unit=trust["units"]["W1"],
            actor=SYSTEM,
        )
