"""A board member opens the results of a closed wave: the heatmap at each level (chosen by
kind of unit), rows with no figure left out and counted, hidden cells explained, sorting by
a theme, colouring by comparison, a staff group, and the CSV download; every theme of a whole
directorate level on one laptop screen in the compact view; a manager sees their ward only. Every page is checked with axe-core (colour contrast of the
heatmap's palettes included)."""

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import UnitFactory
from tests.functional.conftest import _new_page, assert_accessible, sign_in
from tests.integration.analysis_fixtures import mood_wave
from tests.integration.insights_fixtures import closed_wave

pytestmark = [pytest.mark.functional, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def wave(trust, persona_users):
    return closed_wave(trust, {"W1": 14, "W2": 3, "T1": (12, 0.8), "SURG": 6}, threshold=5)


def test_a_board_member_reads_the_heatmap(page, live_server, wave):
    sign_in(page, live_server, "board@test.test")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Results")
    assert_accessible(page)

    page.get_by_role("link", name="Spring results").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Heatmap")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Medicine")
    expect(table).to_contain_text("Surgery")
    assert_accessible(page)

    # teams, by name: the wards (depth 3) and Theatres (depth 2); rows with no figure left out
    page.get_by_label("Level", exact=True).select_option(label="Teams")
    page.get_by_role("button", name="Show the heatmap").click()
    expect(page.locator("#rows-left-out")).to_contain_text(
        "2 teams hidden because every figure is hidden"
    )
    expect(page.get_by_role("table")).not_to_contain_text("Ward 2")
    assert_accessible(page)
    page.get_by_label("Units whose figures are all hidden").check()
    page.get_by_role("button", name="Show the heatmap").click()
    ward2 = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Ward 2"))
    expect(ward2).to_contain_text("<5")
    ward1 = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Ward 1"))
    expect(ward1).to_contain_text("Hidden")
    key = page.get_by_role("list").filter(has_text="fewer than 5 responses")
    expect(key).to_contain_text("Hidden: hidden so that a smaller group cannot be worked out")
    assert_accessible(page)

    page.get_by_label("Compared with the rest of the organisation").check()
    page.get_by_role("button", name="Show the heatmap").click()
    page.get_by_role("link", name="Staff engagement").click()
    expect(page.get_by_role("columnheader", name="Staff engagement")).to_have_attribute(
        "aria-sort", "descending"
    )
    expect(page.get_by_role("table")).to_contain_text("better")
    assert_accessible(page)

    page.get_by_label("Level", exact=True).select_option(label="Directorates")
    page.get_by_label("Break down by").select_option("staff_group")
    page.get_by_role("button", name="Show the heatmap").click()
    page.get_by_label("Staff group", exact=True).select_option("medical_dental")
    page.get_by_role("button", name="Show the heatmap").click()
    expect(page.get_by_role("table")).to_contain_text("Cardiology: Medical and dental")
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["breakdown"] for row in rows} == {"medical_dental"}
    assert {row["unit_code"] for row in rows} == {"CARD"}


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DIRECTORATES = 26  # as many as the demo trust has


@pytest.fixture
def many_directorates(trust, persona_users):
    """The test trust with 26 directorates under Medicine, long names and all, each with
    enough responses to show its figures."""
    for i in range(DIRECTORATES - 1):
        UnitFactory(
            organisation=trust["org"],
            code=f"DIR{i}",
            name=f"Directorate of Clinical Support Services {i + 1}",
            level="directorate",
            parent=trust["units"]["MED"],
        )
    counts = {f"DIR{i}": 12 + i % 5 for i in range(DIRECTORATES - 1)}
    return closed_wave(trust, {**counts, "W1": 14, "W2": 3, "T1": 12, "SURG": 6}, threshold=5)


def test_every_theme_of_a_directorate_level_fits_a_laptop_screen(
    browser, live_server, many_directorates
):
    context, page = _new_page(browser, viewport={"width": 1366, "height": 768})
    sign_in(page, live_server, "board@test.test")
    page.goto(f"{live_server.url}/insights/waves/{many_directorates.pk}/heatmap/")
    page.get_by_label("Level", exact=True).select_option(label="Directorates")
    page.get_by_label("Compact view").check()
    page.get_by_role("button", name="Show the heatmap").click()
    table = page.get_by_role("table")
    expect(table.locator("caption")).to_contain_text("Directorates")
    assert table.get_by_role("rowheader").count() == DIRECTORATES
    # every theme's header, with its full name for screen readers
    headers = table.get_by_role("columnheader")
    assert headers.count() == 2 + 12
    expect(headers.last).to_have_accessible_name(re.compile("Team climate"))
    frame = page.get_by_role("region", name=re.compile("Directorates"))
    frame.scroll_into_view_if_needed()
    sizes = frame.evaluate(
        "f => ({scrollW: f.scrollWidth, clientW: f.clientWidth, scrollH: f.scrollHeight,"
        " clientH: f.clientHeight, pageW: document.documentElement.scrollWidth,"
        " right: Math.max(...[...f.querySelectorAll('th')].map("
        "   th => th.getBoundingClientRect().right))})"
    )
    assert sizes["scrollW"] <= sizes["clientW"], sizes  # no sideways scroll in the table
    assert sizes["pageW"] <= 1366 and sizes["right"] <= 1366, sizes  # nor of the page
    assert sizes["scrollH"] <= sizes["clientH"], sizes  # and every directorate at once
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 768})
    frame.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "heatmap.png"))
    context.close()


def test_a_manager_sees_their_ward_only(page, live_server, wave):
    sign_in(page, live_server, "manager@test.test")
    page.goto(f"{live_server.url}/insights/waves/{wave.pk}/heatmap/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Heatmap")
    # Ward 1 is hidden (so that Cardiology − Ward 1 is not Ward 2): left out until asked for
    expect(page.locator("#rows-left-out")).to_contain_text("1 team hidden")
    page.get_by_role("link", name="Show them").click()
    main = page.locator("main")
    expect(main.get_by_role("table")).to_contain_text("Ward 1")
    expect(main.get_by_role("table")).not_to_contain_text("Ward 2")
    expect(main.get_by_role("table")).not_to_contain_text("Medicine")
    assert_accessible(page)


def test_a_board_member_opens_a_unit_page_from_the_heatmap(page, live_server, wave):
    sign_in(page, live_server, "board@test.test")
    page.goto(f"{live_server.url}/insights/waves/{wave.pk}/heatmap/")
    page.get_by_role("table").get_by_role("link", name="Medicine").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Medicine")
    scores = page.get_by_role("table", name="Scores of Medicine by theme")
    expect(scores.get_by_role("row").filter(has_text="Staff engagement")).to_contain_text("%")
    page.get_by_text("Vision and values (4 questions)").click()
    questions = page.get_by_role("table", name="Vision and values: each question in Medicine")
    expect(questions).to_be_visible()
    assert_accessible(page)

    page.get_by_role("table", name="Units directly below Medicine").get_by_role(
        "link", name="Cardiology"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cardiology")
    page.get_by_role("table", name="Units directly below Cardiology").get_by_role(
        "link", name="Ward 2"
    ).click()
    expect(page.locator("#responses")).to_have_text("Not shown: Fewer than 5 responses")
    expect(page.get_by_role("table", name="Scores of Ward 2 by theme")).to_contain_text(
        "Not shown: Fewer than 5 responses"
    )
    assert_accessible(page)


def test_a_board_member_reads_the_drivers(page, live_server, trust, persona_users):
    drivers_wave = mood_wave(trust, {"W1": 40, "W2": 30, "T1": 20}, threshold=5, title="Drivers")
    sign_in(page, live_server, "board@test.test")
    page.goto(f"{live_server.url}/insights/waves/{drivers_wave.pk}/heatmap/")
    page.get_by_role("link", name="key drivers of engagement").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Key drivers")
    expect(page.get_by_role("img", name=re.compile("Bar chart"))).to_be_visible()
    drivers = page.get_by_role("table", name=re.compile("Drivers of staff engagement in"))
    expect(drivers).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Organisation or division").select_option("SURG")
    page.get_by_role("button", name="Show the drivers").click()
    expect(page.locator("main")).to_contain_text("Too few responses")
    assert_accessible(page)


def test_an_od_lead_reads_the_reliability_page(page, live_server, trust, persona_users):
    reliability_wave = mood_wave(trust, {"W1": 20, "W2": 12, "T1": 20}, threshold=5)
    sign_in(page, live_server, "od@test.test")
    page.goto(f"{live_server.url}/insights/")
    page.get_by_role("link", name=re.compile("^Reliability")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reliability")
    expect(
        page.get_by_role("table", name="Cronbach's alpha of each theme, by wave")
    ).to_contain_text(reliability_wave.title)
    assert_accessible(page)
