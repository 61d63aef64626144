"""A board member opens the results of a closed wave: the heatmap at each level, hidden cells
explained, sorting by a theme, colouring by comparison, a staff group, and the CSV download;
a manager sees their ward only. Every page is checked with axe-core (colour contrast of the
heatmap's palettes included)."""

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.functional.conftest import assert_accessible, sign_in
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

    page.get_by_label("Level", exact=True).select_option("3")
    page.get_by_role("button", name="Show the heatmap").click()
    ward2 = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Ward 2"))
    expect(ward2).to_contain_text("<5")
    ward1 = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Ward 1"))
    expect(ward1).to_contain_text("Hidden")
    key = page.get_by_role("list").filter(has_text="fewer than 5 responses")
    expect(key).to_contain_text("Hidden: hidden so that a smaller group cannot be worked out")
    assert_accessible(page)

    page.get_by_label("Level", exact=True).select_option("2")
    page.get_by_label("Compared with the rest of the organisation").check()
    page.get_by_role("button", name="Show the heatmap").click()
    page.get_by_role("link", name="Staff engagement").click()
    expect(page.get_by_role("columnheader", name="Staff engagement")).to_have_attribute(
        "aria-sort", "descending"
    )
    expect(page.get_by_role("table")).to_contain_text("better")
    assert_accessible(page)

    page.get_by_label("Break down by").select_option("staff_group")
    page.get_by_role("button", name="Show the heatmap").click()
    page.get_by_label("Staff group", exact=True).select_option("medical_dental")
    page.get_by_role("button", name="Show the heatmap").click()
    expect(page.get_by_role("table")).to_contain_text("Cardiology: Medical and Dental")
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["breakdown"] for row in rows} == {"medical_dental"}
    assert {row["unit_code"] for row in rows} == {"CARD", "T1"}


def test_a_manager_sees_their_ward_only(page, live_server, wave):
    sign_in(page, live_server, "manager@test.test")
    page.goto(f"{live_server.url}/insights/waves/{wave.pk}/heatmap/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Heatmap")
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
