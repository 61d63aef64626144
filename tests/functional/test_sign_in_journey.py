import pytest
from playwright.sync_api import expect

from tests.functional.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.functional, pytest.mark.django_db(transaction=True)]


class TestSignIn:
    def test_pages_are_set_in_the_design_systems_arial_not_the_browsers_serif(
        self, page, live_server
    ):
        page.goto(f"{live_server.url}/accounts/sign-in/")
        for selector in ("body", "h1", "label", ".nhsuk-button"):
            family = page.locator(selector).first.evaluate("e => getComputedStyle(e).fontFamily")
            assert family.lower().startswith("arial"), (selector, family)

    def test_wrong_password_shows_an_error_summary(self, page, live_server, persona_users):
        page.goto(f"{live_server.url}/accounts/sign-in/")
        page.get_by_label("Email address").fill("admin@test.test")
        page.get_by_label("Password", exact=True).fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
        summary = page.locator(".nhsuk-error-summary")
        expect(summary).to_contain_text("Enter a correct email address and password")
        assert page.title().startswith("Error:")
        assert_accessible(page)

    def test_admin_signs_in_and_sees_admin_navigation(self, page, live_server, persona_users):
        sign_in(page, live_server, "admin@test.test")
        expect(page.get_by_role("heading", level=1)).to_have_text("Test Trust")
        navigation = page.get_by_role("navigation", name="Menu")
        expect(navigation.get_by_role("link", name="Audit log")).to_be_visible()
        assert_accessible(page)

    def test_staff_navigation_hides_admin_links(self, page, live_server, persona_users):
        sign_in(page, live_server, "staff@test.test")
        navigation = page.get_by_role("navigation", name="Menu")
        expect(navigation.get_by_role("link", name="Organisation")).to_be_visible()
        expect(navigation.get_by_role("link", name="Audit log")).to_have_count(0)
        expect(navigation.get_by_role("link", name="Imports")).to_have_count(0)
        assert_accessible(page)

    def test_sign_out_needs_a_confirmed_post(self, page, live_server, persona_users):
        sign_in(page, live_server, "staff@test.test")
        page.get_by_role("link", name="Sign out").click()
        assert_accessible(page)
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{live_server.url}/accounts/sign-in/")
        page.goto(f"{live_server.url}/")
        assert "/accounts/sign-in/" in page.url


class TestPasswordByEmail:
    def test_someone_sets_a_password_from_the_emailed_link(self, page, live_server, persona_users):
        import re

        from django.core import mail
        from django.core.cache import cache

        cache.clear()  # the per-address request limit
        page.goto(f"{live_server.url}/accounts/sign-in/")
        page.get_by_role("link", name="Forgotten your password, or never set one?").click()
        assert_accessible(page)
        page.get_by_label("Email address").fill("staff@test.test")
        page.get_by_role("button", name="Send the link").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
        assert_accessible(page)

        link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
        path = "/accounts/" + link.split("/accounts/", 1)[1]
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_have_text("Choose your password")
        page.get_by_label("New password").fill("short")
        page.get_by_label("Type it again").fill("short")
        page.get_by_role("button", name="Save password").click()
        expect(page.locator(".nhsuk-error-summary")).to_be_visible()
        assert page.title().startswith("Error:")
        assert_accessible(page)
        page.get_by_label("New password").fill("a-long-and-unusual-passphrase")
        page.get_by_label("Type it again").fill("a-long-and-unusual-passphrase")
        page.get_by_role("button", name="Save password").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your password is set")
        assert_accessible(page)
        sign_in(page, live_server, "staff@test.test", password="a-long-and-unusual-passphrase")
        expect(page.get_by_role("navigation", name="Menu")).to_be_visible()


def test_the_email_address_may_be_typed_in_any_case(page, live_server, persona_users):
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("Email address").fill("Od@Test.test")
    page.get_by_label("Password", exact=True).fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Test Trust")
    assert_accessible(page)
