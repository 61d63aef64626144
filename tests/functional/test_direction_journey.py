from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from colead.direction import services
from tests.functional.conftest import assert_accessible, sign_in
from tests.integration.direction_fixtures import golden_thread

pytestmark = [pytest.mark.functional, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def thread_and_vision(trust):
    made = golden_thread(trust)
    draft = services.save_vision_draft(
        organisation=trust["org"],
        vision="Outstanding, compassionate care for every patient.",
        values=[{"name": "Kindness", "description": "We notice and we act."}],
        actor=None,
    )
    services.approve_vision(vision=draft, approved_on=timezone.localdate(), actor=None)
    for day, value in ((40, 10), (20, 9), (0, 7)):
        services.check_in(
            objective=made["W1-A"],
            on=timezone.localdate() - timedelta(days=day),
            value=value,
            confidence="medium",
            actor=None,
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
