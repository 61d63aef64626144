"""The respondent's whole journey in a real browser: personal link on a desktop and a phone,
with JavaScript off, and a ward's shared device. axe-core checks every page visited."""

import re

import pytest
from playwright.sync_api import expect

from colead.core.actor import Actor
from colead.surveys import services, tokens
from colead.surveys.models import Ballot, Invitation
from colead.surveys.services import WaveSettings
from tests.functional.conftest import assert_accessible

SYSTEM = Actor.system("tests")

pytestmark = [pytest.mark.functional, pytest.mark.django_db(transaction=True)]

HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(2)> Thanks"


@pytest.fixture
def wave(trust):
    services.ensure_builtin_instruments(organisation=trust["org"], actor=SYSTEM)
    wave = services.create_wave(
        organisation=trust["org"],
        settings=WaveSettings(
            title="Spring pulse",
            instruments=["culture-pulse", "team-working", "demographics"],
            unit_codes=["MED"],
        ),
        actor=SYSTEM,
    )
    return services.launch_wave(wave=wave, actor=SYSTEM)


@pytest.fixture
def token(wave, trust):
    invitation = Invitation.objects.get(wave=wave, person=trust["nurse_person"])
    return tokens.invitation_token(invitation.pk, invitation.nonce)


def no_dialogs(page):
    """Fail the test if anything on the page manages to open an alert."""
    opened = []
    page.on("dialog", lambda dialog: (opened.append(dialog.message), dialog.dismiss()))
    return opened


def answer_section(page):
    """Answer every visible radios question (the fourth option where there are five or more,
    else the first: "Yes" reveals the follow-up questions) and tick nothing else."""
    names = []
    for radio in page.locator("input[type=radio]").all():
        name = radio.get_attribute("name")
        if name not in names:
            names.append(name)
    for name in names:
        options = page.locator(f'input[type=radio][name="{name}"]')
        if not options.first.is_visible():
            continue  # revealed only by an answer not given
        (options.nth(3) if options.count() >= 5 else options.first).check()


def walk_form(page, live_server, *, with_error_state=True, axe=True):
    """From the start page through every section to check your answers. ``axe`` is False
    with JavaScript off, where axe-core cannot run."""
    page.get_by_role("button", name=re.compile("Start now|Continue your answers")).click()
    seen_sections = 0
    while "/take/section/" in page.url:
        seen_sections += 1
        expect(page.locator(".nhsuk-caption-l")).to_contain_text(
            re.compile(rf"Section {seen_sections} of \d+")
        )
        expect(page.locator(".nhsuk-back-link")).to_be_visible()
        if axe:
            assert_accessible(page)
        answer_section(page)
        comment = page.locator("textarea")
        if comment.count():
            if with_error_state:
                comment.fill("x" * 2001)
                page.get_by_role("button", name="Continue").click()
                summary = page.locator(".nhsuk-error-summary")
                expect(summary).to_contain_text("2,000 characters or fewer")
                assert page.title().startswith("Error:")
                if axe:
                    assert_accessible(page)
                    summary.get_by_role("link").click()
                    expect(comment).to_be_focused()
            comment.fill(HOSTILE)
        page.get_by_role("button", name="Continue").click()
    assert page.url == f"{live_server.url}/take/check/"
    return seen_sections


def check_and_send(page, live_server, *, axe=True):
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending them"
    )
    expect(page.get_by_text(HOSTILE)).to_be_visible()  # shown as text, not run
    if axe:
        assert_accessible(page)
    # Change the first answer, and come back to check.
    page.get_by_role("link", name=re.compile("^Change I know what this organisation")).click()
    page.locator('input[name="vv1"][value="5"]').check()
    page.get_by_role("button", name="Continue").click()
    assert page.url == f"{live_server.url}/take/check/#q-vv1"  # back at the changed answer
    expect(page.locator("#q-vv1")).to_contain_text("Strongly agree")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator(".nhsuk-panel")).to_contain_text("Your answers have been sent")
    assert page.url == f"{live_server.url}/take/done/"
    if axe:
        assert_accessible(page)


def personal_journey(page, live_server, token):
    dialogs = no_dialogs(page)
    page.goto(f"{live_server.url}/take/{token}/")
    assert page.url == f"{live_server.url}/take/"  # the token has left the address bar
    expect(page.get_by_role("heading", level=1)).to_contain_text("Spring pulse")
    expect(page.get_by_text("groups of 11 or more people")).to_be_visible()
    assert_accessible(page)
    sections = walk_form(page, live_server)
    assert sections == 9  # "Yes, I work in a team" brings in the follow-ups and the climate
    check_and_send(page, live_server)
    assert Ballot.objects.count() == 1
    ballot = Ballot.objects.get()
    assert ballot.answers["vv1"] == "5" and ballot.answers["in_team"] == "yes"
    assert ballot.comments["comment"].startswith("<script>alert(1)</script>")
    # The back button, then "Send" again: nothing more is stored, and the page says why.
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has already been used")
    assert_accessible(page)
    page.goto(f"{live_server.url}/take/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has already been used")
    assert Ballot.objects.count() == 1
    assert not dialogs


def test_personal_journey_on_a_desktop(page, live_server, token):
    personal_journey(page, live_server, token)


def test_personal_journey_on_a_phone(phone_page, live_server, token):
    personal_journey(phone_page, live_server, token)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "no sideways scrolling on a phone"


def test_personal_journey_without_javascript(browser, live_server, token):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1024, "height": 800}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/take/{token}/")
        assert page.url == f"{live_server.url}/take/"
        walk_form(page, live_server, axe=False)
        check_and_send(page, live_server, axe=False)
    finally:
        context.close()
    assert Ballot.objects.count() == 1


def test_save_and_come_back_later(page, live_server, token):
    page.goto(f"{live_server.url}/take/{token}/")
    page.get_by_role("button", name="Start now").click()
    page.locator('input[name="vv1"][value="2"]').check()
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your answers have been saved")
    assert_accessible(page)
    page.goto(f"{live_server.url}/take/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Open the survey from your link")
    assert_accessible(page)
    page.goto(f"{live_server.url}/take/{token}/")
    page.get_by_role("button", name="Continue your answers").click()
    expect(page.locator('input[name="vv1"][value="2"]')).to_be_checked()


def test_shared_device_journey(page, live_server, wave, trust):
    link = services.device_link_for(wave=wave, unit=trust["units"]["W2"], actor=SYSTEM)
    device_url = f"{live_server.url}/take/device/{link.slug}/"
    page.goto(device_url)
    assert page.url == f"{live_server.url}/take/"
    expect(page.get_by_text("Ward 2")).to_be_visible()
    assert_accessible(page)
    expect(page.get_by_role("button", name="Save and come back later")).to_have_count(0)
    walk_form(page, live_server, with_error_state=False)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator(".nhsuk-panel")).to_contain_text("Your answers have been sent")
    assert Ballot.objects.get().source == "device"
    # Scanning the poster again on the same phone.
    page.goto(device_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This device has already been used to respond to Spring pulse"
    )
    assert_accessible(page)
    page.reload()  # a refresh starts nothing
    page.get_by_role("button", name="Start a new response for someone else").click()
    assert page.url == f"{live_server.url}/take/"
    walk_form(page, live_server, with_error_state=False)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator(".nhsuk-panel")).to_be_visible()
    assert Ballot.objects.filter(wave=wave, reporting_unit=trust["units"]["W2"]).count() == 2
