"""What a member of staff meets first, in a real browser: a saved survey carries on where it
was left, "About you" comes where the wave puts it, the survey pages show only what a
respondent needs (no API link) with every part of the page in a landmark, and the results the
organisation publishes to everyone open to them: the organisation's and their own units',
not another unit's."""

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from colead.core.actor import Actor
from colead.surveys import services, tokens
from colead.surveys.models import Invitation
from colead.surveys.services import WaveSettings
from tests.functional.conftest import assert_accessible, sign_in
from tests.integration.insights_fixtures import closed_wave

SYSTEM = Actor.system("tests")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

pytestmark = [pytest.mark.functional, pytest.mark.django_db(transaction=True)]

_axe = Axe()


def assert_all_in_landmarks(page):
    """axe's "region" rule (a best practice, so not among the WCAG tags): all of the page's
    content sits inside a landmark."""
    results = _axe.run(page, options={"runOnly": {"type": "rule", "values": ["region"]}})
    violations = results.response["violations"]
    assert not violations, [n["target"] for v in violations for n in v["nodes"]]


def open_wave(trust, instruments):
    services.ensure_builtin_instruments(organisation=trust["org"], actor=SYSTEM)
    wave = services.create_wave(
        organisation=trust["org"],
        settings=WaveSettings(title="Spring pulse", instruments=instruments, unit_codes=["MED"]),
        actor=SYSTEM,
    )
    return services.launch_wave(wave=wave, actor=SYSTEM)


def link_for(wave, person) -> str:
    invitation = Invitation.objects.get(wave=wave, person=person)
    return tokens.invitation_token(invitation.pk, invitation.nonce)


def test_a_saved_survey_resumes_at_the_section_left_unfinished(page, live_server, trust):
    wave = open_wave(trust, ["culture-pulse", "team-working", "demographics"])
    token = link_for(wave, trust["nurse_person"])
    page.goto(f"{live_server.url}/take/{token}/")
    page.get_by_role("button", name="Start now").click()
    page.locator('input[name="vv1"][value="4"]').check()
    page.get_by_role("button", name="Continue").click()
    assert page.url == f"{live_server.url}/take/section/2/"
    assert_all_in_landmarks(page)
    assert_accessible(page)
    page.locator('input[name="sc1"][value="5"]').check()
    page.get_by_role("button", name="Save and come back later").click()
    page.goto(f"{live_server.url}/take/{token}/")
    page.get_by_role("button", name=re.compile("Continue")).click()
    assert page.url == f"{live_server.url}/take/section/2/"
    expect(page.locator('input[name="sc1"][value="5"]')).to_be_checked()


def test_about_you_comes_where_the_waves_order_puts_it(page, live_server, trust):
    last = open_wave(trust, ["culture-pulse", "demographics"])
    page.goto(f"{live_server.url}/take/{link_for(last, trust['nurse_person'])}/")
    page.get_by_role("button", name="Start now").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Where we are going")
    first = open_wave(trust, ["demographics", "culture-pulse"])
    page.goto(f"{live_server.url}/take/{link_for(first, trust['nurse_person'])}/")
    page.get_by_role("button", name="Start now").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your work")
    # One vocabulary: the staff groups by their display names, as the results name them.
    expect(page.get_by_label("Registered nursing and midwifery")).to_be_visible()
    expect(page.get_by_label("Additional professional, scientific and technical")).to_be_visible()


def test_the_survey_pages_show_only_what_a_respondent_needs(page, live_server, trust):
    wave = open_wave(trust, ["psychological-safety"])
    page.goto(f"{live_server.url}/take/{link_for(wave, trust['nurse_person'])}/")
    footer = page.locator("footer")
    expect(footer.get_by_role("link")).to_have_text(["Accessibility statement", "Privacy"])
    page.get_by_role("button", name="Start now").click()
    expect(footer.get_by_role("link", name="API")).to_have_count(0)
    expect(
        page.get_by_role("navigation", name=re.compile("Back")).get_by_role("link")
    ).to_have_text("Back")
    assert_all_in_landmarks(page)
    assert_accessible(page)
    while "/take/section/" in page.url:
        page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending them"
    )
    expect(footer.get_by_role("link", name="API")).to_have_count(0)
    assert_all_in_landmarks(page)
    assert_accessible(page)


def test_a_member_of_staff_sees_the_organisation_and_their_own_units(
    page, live_server, trust, persona_users
):
    wave = closed_wave(trust, {"W1": 14, "W2": 12, "T1": 12, "SURG": 6}, threshold=5)
    sign_in(page, live_server, "staff@test.test")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Results").click()
    page.get_by_role("link", name=wave.title).click()
    main = page.locator("main")
    expect(main.get_by_role("table")).to_contain_text("Test Trust")
    expect(main.get_by_text("Download these figures")).to_have_count(0)
    assert_accessible(page)
    for code, name in (("TST1-ROOT", "Test Trust"), ("W1", "Ward 1")):
        page.goto(f"{live_server.url}/insights/waves/{wave.pk}/units/{code}/")
        expect(page.get_by_role("heading", level=1)).to_contain_text(name)
        assert_accessible(page)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "staff-own-unit-results.png"))
    page.goto(f"{live_server.url}/insights/waves/{wave.pk}/units/T1/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have access to this page")
    expect(main).to_contain_text("Theatres is not one of your units")
    assert_accessible(page)
