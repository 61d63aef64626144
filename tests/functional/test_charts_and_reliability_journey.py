"""An analyst reads the reliability page and the organisation's results page: waves told
apart on the trend chart as in its table, the weighted score beside the unweighted one, the
statistical terms in plain words with their definitions for analysts. Every page is checked
with axe-core; screenshots go to docs/screenshots."""

import base64
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from colead.lib import charts
from tests.functional.conftest import assert_accessible, sign_in
from tests.integration.insights_fixtures import closed_wave

pytestmark = [pytest.mark.functional, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
COUNTS = {"W1": 14, "W2": 12, "T1": (12, 0.8), "SURG": 6}


@pytest.fixture
def waves(trust, persona_users):
    autumn = closed_wave(trust, COUNTS, threshold=5, title="Staff culture survey autumn 2025")
    spring = closed_wave(trust, COUNTS, threshold=5, title="Staff culture survey spring 2026")
    return autumn, spring


def drawn_labels(image) -> list[str]:
    source = image.get_attribute("src")
    return charts.text_labels(base64.b64decode(source.split(",", 1)[1]).decode())


def test_the_trend_chart_and_the_weighted_scores(page, live_server, waves):
    _, spring = waves
    sign_in(page, live_server, "od@test.test")
    page.goto(f"{live_server.url}/insights/waves/{spring.pk}/units/TST1-ROOT/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Test Trust")
    assert_accessible(page)

    chart = page.locator("figure img").first
    labels = drawn_labels(chart)
    assert "Autumn 2025" in labels and "Spring 2026" in labels
    assert not any("Staff culture survey" in label for label in labels)
    trend = page.locator("#trend-table")
    expect(trend.get_by_role("columnheader", name="Autumn 2025")).to_be_visible()
    expect(trend).to_contain_text("Staff culture survey autumn 2025, closed")
    page.locator("#trend ~ figure").first.screenshot(
        path=str(SCREENSHOTS / "results-trend-chart.png")
    )

    weighted = page.locator("#weighted-table")
    expect(weighted.get_by_role("columnheader", name="Weighted by staff group")).to_be_visible()
    engagement = weighted.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Staff engagement")
    )
    expect(engagement.locator("td").nth(1)).to_have_text(re.compile(r"^\d+\.\d$"))
    # Real teams: rwg(J) in plain words, its definition behind "For analysts".
    expect(page.get_by_text("In plain words: rwg(J) runs from 0")).to_be_visible()
    page.get_by_text("For analysts: rwg(J): within-group agreement").click()
    expect(page.get_by_text("LeBreton and Senter (2008)")).to_be_visible()
    assert_accessible(page)


def test_the_reliability_page_explains_its_terms(page, live_server, waves):
    _, spring = waves
    sign_in(page, live_server, "od@test.test")
    page.goto(f"{live_server.url}/insights/waves/{spring.pk}/reliability/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reliability")
    expect(page.get_by_text("In plain words: ICC(1) says how much")).to_be_visible()
    expect(page.locator("#icc-method")).to_contain_text("multilevel::ICC1")
    icc = page.get_by_role("table", name="ICC(1) and ICC(2) of each theme across teams")
    expect(icc).to_contain_text("Staff engagement")
    expect(icc).not_to_contain_text("nan")
    page.get_by_text("For analysts: ICC(1) and ICC(2): intraclass correlation").click()
    expect(page.get_by_text("k0 = (N − Σn² ÷ N) ÷ (G − 1)")).to_be_visible()
    assert_accessible(page)
    page.locator("#icc").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "reliability-icc.png"))

    # The drivers page: Pearson's r and R² explained the same way.
    page.get_by_role("link", name="Key drivers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Key drivers")
    expect(page.get_by_text("For analysts: Pearson’s r")).to_be_visible()
    assert_accessible(page)
