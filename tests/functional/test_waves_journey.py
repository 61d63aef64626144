"""An OD lead creates a wave (getting an error first), previews it, launches it, follows the
invitations and opens the response rates; a manager sees rates for their ward only. Every
page is checked with axe-core."""

import pytest
from playwright.sync_api import expect

from colead.surveys.models import Wave
from tests.functional.conftest import assert_accessible, sign_in
from tests.integration.waves_fixtures import respond

pytestmark = [pytest.mark.functional, pytest.mark.django_db(transaction=True)]


def test_an_od_lead_runs_a_wave_from_creation_to_rates(page, live_server, persona_users):
    sign_in(page, live_server, "od@test.test")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Surveys").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Surveys")
    assert_accessible(page)

    page.get_by_role("button", name="Create a wave").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a wave")
    assert_accessible(page)
    page.get_by_label("Title").fill("Spring culture pulse")
    page.get_by_label("Culture pulse").check()
    page.get_by_label("Team working").check()
    page.get_by_label("Test Trust", exact=True).check()
    opening = page.get_by_role("group", name="Opening date (optional)")
    opening.get_by_label("Day").fill("2")
    opening.get_by_label("Month").fill("3")
    opening.get_by_label("Year").fill("2030")
    closing = page.get_by_role("group", name="Closing date (optional)")
    closing.get_by_label("Day").fill("27")
    closing.get_by_label("Month").fill("3")
    closing.get_by_label("Year").fill("2030")
    page.get_by_label("Reporting threshold").fill("3")
    page.get_by_role("button", name="Create the wave").click()

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("The reporting threshold must be 5 or more")
    assert page.title().startswith("Error:")
    assert_accessible(page)
    summary.get_by_role("link", name="The reporting threshold must be 5 or more").click()
    expect(page.get_by_label("Reporting threshold")).to_be_focused()
    expect(page.get_by_label("Title")).to_have_value("Spring culture pulse")
    page.get_by_label("Reporting threshold").fill("5")
    page.get_by_role("button", name="Create the wave").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Spring culture pulse")
    expect(page.locator(".nhsuk-tag")).to_have_text("Draft")
    assert_accessible(page)
    wave = Wave.objects.get(title="Spring culture pulse")

    page.get_by_role("link", name="Preview as a respondent").click()
    expect(page.get_by_text("This is a preview")).to_be_visible()
    expect(page.get_by_role("group", name="Do you work in a team?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Back to the wave").first.click()

    page.get_by_role("button", name="Launch the wave").click()
    expect(page.get_by_text("12 people match")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Launch the wave and send invitations").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("12 people are invited")
    expect(page.get_by_text("Invitation emails sent: 12 of 12 (all sent)")).to_be_visible()
    expect(page.locator(".nhsuk-tag")).to_have_text("Open")
    assert_accessible(page)

    page.get_by_label("Unit for a shared device").select_option("W2")
    page.get_by_role("button", name="Get the device link").click()
    expect(page.get_by_role("link", name="Download QR poster (PDF) for Ward 2")).to_be_visible()
    assert_accessible(page)

    respond(wave, "W1", 5)
    respond(wave, "T1", 2)
    page.get_by_role("link", name="Response rates").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Response rates")
    by_unit = page.get_by_role("table", name="Invited, responded and response rate by unit")
    expect(by_unit).to_contain_text("Test Trust")
    expect(by_unit.get_by_role("row").filter(has_text="Surgery")).to_contain_text("fewer than 5")
    expect(page.get_by_role("img", name="Bar chart of responses by day")).to_be_visible()
    assert_accessible(page)

    by_unit.get_by_role("link", name="Cardiology").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("for Cardiology")
    assert_accessible(page)


def test_a_manager_sees_rates_for_their_ward_only(page, live_server, persona_users, trust):
    from tests.integration.waves_fixtures import make_wave

    wave = make_wave(trust, units=["TST1-ROOT"], threshold=5, launch=True)
    respond(wave, "W1", 5)
    sign_in(page, live_server, "manager@test.test")
    page.goto(f"{live_server.url}/surveys/")
    expect(page.get_by_role("button", name="Create a wave")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Spring pulse", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Response rates")
    expect(page.locator("main")).not_to_contain_text("Medicine")
    expect(page.locator("main")).not_to_contain_text("Surgery")
    assert_accessible(page)


def test_an_od_lead_extends_then_closes_a_wave(page, live_server, persona_users, trust):
    from tests.integration.waves_fixtures import make_wave

    wave = make_wave(trust, launch=True)
    sign_in(page, live_server, "od@test.test")
    page.goto(f"{live_server.url}/surveys/{wave.pk}/")
    page.get_by_role("link", name="Set a closing date").click()
    assert_accessible(page)
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2099")
    page.get_by_role("button", name="Extend the wave").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("must be a real date")
    assert_accessible(page)
    page.get_by_label("Day").fill("28")
    page.get_by_role("button", name="Extend the wave").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("28 February 2099")
    assert_accessible(page)

    page.get_by_role("link", name="Close the wave now").click()
    expect(page.get_by_text("Closing is final")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Close the wave for good").click()
    expect(page.locator(".nhsuk-tag")).to_have_text("Closed")
    expect(page.locator("main").get_by_role("button")).to_have_count(0)
    assert_accessible(page)


def test_launch_answers_at_once_and_the_wave_page_counts_the_emails_as_they_go(
    page, live_server, persona_users, trust, settings
):
    import os
    import time

    from django.core import mail
    from django.core.management import call_command

    from tests.integration.waves_fixtures import make_wave

    # Production's configuration: the launch queues the emails for the db_worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    wave = make_wave(trust, units=["TST1-ROOT"], threshold=5, title="Autumn pulse")
    sign_in(page, live_server, "od@test.test")
    page.goto(f"{live_server.url}/surveys/{wave.pk}/launch/")
    started = time.monotonic()
    page.get_by_role("button", name="Launch the wave and send invitations").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("12 people are invited")
    answered = time.monotonic() - started
    sending = page.locator("#sending")
    expect(sending).to_contain_text("Invitation emails sent: 0 of 12 (still sending")
    assert mail.outbox == [], "the launch itself sent no email"
    assert answered < 10, answered
    assert_accessible(page)
    if os.environ.get("COLEAD_SCREENSHOTS"):
        page.locator("#invitations").scroll_into_view_if_needed()
        page.screenshot(path="docs/screenshots/wave-sending.png")

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)  # the worker's turn
    assert len(mail.outbox) == 12
    # The page asks again by itself (htmx), with no reload, and stops once all have gone.
    expect(sending).to_contain_text("Invitation emails sent: 12 of 12 (all sent)", timeout=10_000)
