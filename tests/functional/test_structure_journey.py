import pytest
from playwright.sync_api import expect

from tests.functional.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.functional, pytest.mark.django_db(transaction=True)]


class TestBrowseTheStructure:
    def test_board_member_browses_from_the_tree_to_a_person(self, page, live_server, persona_users):
        sign_in(page, live_server, "board@test.test")
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Organisation").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Organisation structure")
        assert_accessible(page)

        page.get_by_role("link", name="Cardiology").first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Cardiology")
        assert_accessible(page)

        page.get_by_role("link", name="Ward 1").first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Ward 1")
        expect(page.get_by_text("Ward Manager, Ward 1")).to_be_visible()
        assert_accessible(page)

        page.get_by_role("link", name="Mary Manager").first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Mary Manager")
        assert_accessible(page)
        # Board members do not see protected characteristics.
        expect(page.get_by_text("Protected characteristics")).to_have_count(0)

    def test_searching_the_tree(self, page, live_server, persona_users):
        sign_in(page, live_server, "staff@test.test")
        page.goto(f"{live_server.url}/org/?q=ward")
        expect(page.get_by_role("link", name="Ward 1")).to_be_visible()
        expect(page.get_by_role("link", name="Ward 2")).to_be_visible()
        expect(page.get_by_role("link", name="Theatres")).to_have_count(0)
        assert_accessible(page)

    def test_tree_works_on_a_phone(self, phone_page, live_server, persona_users):
        sign_in(phone_page, live_server, "manager@test.test")
        phone_page.goto(f"{live_server.url}/org/units/W1/")
        expect(phone_page.get_by_role("heading", level=1)).to_contain_text("Ward 1")
        assert_accessible(phone_page)

    def test_staff_groups_read_in_plain_words(self, page, live_server, persona_users):
        """The unit's headcount, a person's details and the new-wave form name staff groups
        as the survey and the results do, never by ESR's spelling."""
        sign_in(page, live_server, "od@test.test")
        page.goto(f"{live_server.url}/org/units/W1/")
        headcount = page.locator("#by-staff-group")
        expect(headcount).to_contain_text("Registered nursing and midwifery")
        page.goto(f"{live_server.url}/org/people/S1/")
        expect(page.locator("main")).to_contain_text("Registered nursing and midwifery")
        page.goto(f"{live_server.url}/surveys/new/")
        expect(
            page.get_by_role("checkbox", name="Additional professional, scientific and technical")
        ).to_be_visible()
        expect(page.locator("main")).not_to_contain_text("Add Prof Scientific and Technic")
        expect(page.locator("main")).not_to_contain_text("Nursing and Midwifery Registered")
        assert_accessible(page)
