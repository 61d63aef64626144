from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from colead.direction import services
from tests.functional.conftest import assert_accessible, sign_in
from tests.integration.direction_fixtures import SYSTEM, golden_thread

pytestmark = [pytest.mark.functional, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def thread_and_vision(trust):
    made = golden_thread(trust)
    draft = services.save_vision_draft(
        organisation=trust["org"],
        vision="Outstanding, compassionate care for every patient.",
        values=[{"name": "Kindness", "description": "We notice and we act."}],
        actor=SYSTEM,
    )
    services.approve_vision(vision=draft, approved_on=timezone.localdate(), actor=SYSTEM)
    for day, value in ((40, 10), (20, 9), (0, 7)):
        services.check_in(
            objective=made["W1-A"],
            on=timezone.localdate() - timedelta(days=day),
            value=value,
            confidence="medium",
            actor=SYSTEM,
        )
    return made


class TestTheGoldenThread:
    def test_staff_follow_their_objective_up_to_the_vision(
        self, page, live_server, persona_users, thread_and_vision
    ):
        sign_in(page, live_server, "staff@test.test")
        expect(
            page.get_by_text("Outstanding, compassionate care for every patient.")
        ).to_be_visible()
        assert_accessible(page)
        page.get_by_role("link", name="Your objectives and how they connect to the vision").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Your objectives")
        assert_accessible(page)
        page.get_by_role("link", name="Ward 1: objectives and progress").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Ward 1")
        assert_accessible(page)
        page.get_by_role("link", name="Objective W1-A: cut waits from 10 to 5 days").first.click()
        expect(page.get_by_role("heading", name="How it connects to the vision")).to_be_visible()
        assert_accessible(page)

    def test_the_board_browses_and_searches_the_thread(
        self, page, live_server, persona_users, thread_and_vision
    ):
        sign_in(page, live_server, "board@test.test")
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Objectives").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("The golden thread")
        expect(page.get_by_text("Not connected to the organisation’s objectives")).to_be_visible()
        assert_accessible(page)
        page.get_by_label("Find an objective by title, code, unit or owner").fill("ward 1")
        page.get_by_role("button", name="Search").click()
        expect(
            page.get_by_role("heading", level=2, name="2 objectives matching “ward 1”")
        ).to_be_visible()
        assert_accessible(page)

    def test_staff_propose_and_their_line_manager_agrees(
        self, page, live_server, persona_users, thread_and_vision
    ):
        sign_in(page, live_server, "staff@test.test")
        page.goto(f"{live_server.url}/direction/objectives/S1-A/")
        assert_accessible(page)
        page.get_by_label("Propose it for agreement").fill("Discussed at my appraisal.")
        page.get_by_role("button", name="Propose for agreement").click()
        expect(page.get_by_text("Proposed for agreement.")).to_be_visible()
        assert_accessible(page)

        page.context.clear_cookies()
        sign_in(page, live_server, "manager@test.test")
        page.goto(f"{live_server.url}/direction/objectives/S1-A/")
        page.get_by_label("Ask for changes").check()
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("There is a problem")).to_be_visible()
        assert_accessible(page)
        page.get_by_label("Agree it").check()
        page.get_by_label("Comment", exact=True).first.fill("Agreed at our one-to-one.")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Agreed.", exact=True)).to_be_visible()
        page.get_by_label("Value (Median wait (days))").fill("8")
        page.get_by_label("At risk").check()
        page.get_by_role("button", name="Record the check-in").click()
        expect(page.get_by_text("Check-in recorded.")).to_be_visible()
        assert_accessible(page)


def test_the_board_reads_the_coverage_dashboard(
    page, live_server, trust, persona_users, thread_and_vision
):
    from tests.integration.insights_fixtures import closed_wave

    closed_wave(trust, {"W1": 12, "W2": 6, "T1": 12})
    today = timezone.localdate()
    services.record_coverage_snapshot(
        organisation=trust["org"], actor=SYSTEM, taken_on=today - timedelta(days=30)
    )
    services.record_coverage_snapshot(organisation=trust["org"], actor=SYSTEM)

    sign_in(page, live_server, "board@test.test")
    page.goto(f"{live_server.url}/direction/")
    page.get_by_role("link", name="How far the thread reaches").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Objectives coverage")
    expect(page.get_by_role("heading", name="Coverage and the staff survey")).to_be_visible()
    expect(page.get_by_text("Correlation is not causation")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Medicine", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Medicine")
    expect(page.get_by_role("table", name="Directorates of Medicine")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Cardiology", exact=True).first.click()
    expect(page.get_by_role("table", name="Teams of Cardiology")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/direction/coverage/")
    page.get_by_role("link", name="List the orphan objectives").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Orphan objectives")
    orphan = page.get_by_role("link", name="Objective T1-X: cut waits from 10 to 5 days")
    expect(orphan).to_be_visible()
    assert_accessible(page)


def test_a_manager_adds_a_unit_objective_through_the_form(
    page, live_server, persona_users, thread_and_vision
):
    """The form to add a unit objective: its errors, then aligned to an organisation
    objective, seen on the unit's page (edit_views.objective_new)."""
    sign_in(page, live_server, "manager@test.test")
    page.goto(f"{live_server.url}/direction/units/W1/")
    page.get_by_role("link", name="Add an objective for Ward 1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Add an objective for Ward 1")
    assert_accessible(page)

    page.get_by_label("Baseline (optional)").fill("ten")
    page.get_by_role("button", name="Save as a draft").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter a title for the objective")
    expect(summary).to_contain_text("Enter the baseline as a number")
    expect(page.get_by_label("Baseline (optional)")).to_have_value("ten")
    assert_accessible(page)

    page.get_by_label("Title", exact=True).fill("Every Ward 1 patient has a named nurse")
    page.get_by_label("Measure (optional)", exact=True).fill("Patients with a named nurse")
    page.get_by_label("Unit of measure (optional)").fill("%")
    page.get_by_label("Baseline (optional)").fill("60")
    page.get_by_label("Target (optional)").fill("95")
    page.get_by_label("Higher is better").check()
    page.get_by_label("Day", exact=True).fill("31")
    page.get_by_label("Month", exact=True).fill("3")
    page.get_by_label("Year", exact=True).fill("2027")
    page.get_by_label("Objective ORG1: cut waits from 10 to 5 days").check()
    page.get_by_label("Support and compassion").check()
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_text("Objective W1-1 saved as a draft.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Every Ward 1 patient has a named nurse"
    )
    expect(
        page.get_by_role("link", name="Objective ORG1: cut waits from 10 to 5 days").first
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Ward 1", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ward 1")
    expect(page.get_by_role("link", name="Every Ward 1 patient has a named nurse")).to_be_visible()


def test_od_drafts_the_vision_and_the_board_approves_it(page, live_server, persona_users, trust):
    """The vision form (with "Add another value" by htmx), then the board's approval; the
    home page shows the approved vision (vision_views.vision_edit, vision_approve)."""
    sign_in(page, live_server, "od@test.test")
    page.goto(f"{live_server.url}/direction/vision/")
    page.get_by_role("link", name="Write the vision").click()
    assert_accessible(page)
    page.get_by_label("Vision", exact=True).fill("Outstanding care, every time.")
    for n in range(1, 7):
        page.locator(f"#value-{n}-name").fill(f"Value {n}")
    with page.expect_request(lambda request: request.method == "POST") as adding:
        page.get_by_role("button", name="Add another value").click()
    assert adding.value.headers.get("hx-request") == "true"  # only the values are swapped
    expect(page.locator("#value-7-name")).to_be_focused()
    expect(page.locator("#value-1-name")).to_have_value("Value 1")
    page.locator("#value-7-name").fill("Courage")
    page.locator("#value-7-description").fill("We speak up.")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("Draft version 1 saved.")).to_be_visible()
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, live_server, "board@test.test")
    page.goto(f"{live_server.url}/direction/vision/")
    page.get_by_role("button", name="Approve version 1").click()
    expect(page.get_by_role("alert")).to_contain_text("Confirm that the board approved")
    assert_accessible(page)
    page.get_by_label("The board approved draft version 1 as shown above").check()
    page.get_by_role("button", name="Approve version 1").click()
    expect(page.get_by_text("Version 1 approved")).to_be_visible()
    page.goto(f"{live_server.url}/")
    expect(page.get_by_text("Outstanding care, every time.")).to_be_visible()
    expect(page.get_by_text("We speak up.")).to_be_visible()
