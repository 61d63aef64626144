"""The walk: each persona signs in on a phone (375 px wide) and opens every page of their
header navigation, and the results, objectives, coverage, to-do, wave, unit, people and audit
pages their role opens. No page may log a console error (a Content Security Policy violation
is one), raise a script error, or have a request fail or answer 4xx/5xx (a missing
/favicon.ico is one). No page may be wider than the phone, so that nothing makes the whole
page scroll sideways (WCAG 2.2 reflow, 1.4.10): a wide table scrolls inside its own region,
which keyboard users can reach (tabindex="0") and screen readers name (role="region" with a
label)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from colead.direction import services as direction
from tests.functional.conftest import _new_page, sign_in
from tests.integration.direction_fixtures import SYSTEM, golden_thread
from tests.integration.insights_fixtures import closed_wave
from tests.integration.waves_fixtures import make_wave

pytestmark = [pytest.mark.functional, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}

# The page's width, its widest element that nothing clips (named by its outermost box that
# sticks out, then itself), and every box that scrolls sideways without being a named,
# focusable region.
_MEASURE = """() => {
  const limit = document.documentElement.clientWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (typeof el.className === "string" && el.className.trim()
       ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const right = (el) => el.getBoundingClientRect().right;
  // A box clips what it holds, but an absolutely positioned element (a visually hidden
  // span) only from its containing block up: the nearest positioned ancestor.
  const clipped = (el) => {
    let escaping = ["absolute", "fixed"].includes(getComputedStyle(el).position);
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      const style = getComputedStyle(box);
      if (escaping && style.position === "static") continue;
      escaping = false;
      if (style.overflowX !== "visible" && right(box) <= limit + 0.5) return true;
    }
    return false;
  };
  let widest = null;
  for (const el of document.body.querySelectorAll("*")) {
    if (right(el) > (widest ? right(widest) : limit) + 0.5 && !clipped(el)) widest = el;
  }
  let outer = widest;
  while (outer && outer.parentElement !== document.body && right(outer.parentElement) > limit + 0.5) {
    outer = outer.parentElement;
  }
  const unnamed = [];
  for (const el of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(el);
    const scrolls = ["auto", "scroll"].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1;
    const named = el.hasAttribute("aria-label") || el.hasAttribute("aria-labelledby");
    if (scrolls && !(el.getAttribute("role") === "region" && named && el.getAttribute("tabindex") === "0")) {
      unnamed.push(name(el));
    }
    // NHS.UK's script marks a scroll region that overflows (its shadows, its tabindex)
    const frame = el.closest(".nhsuk-scroll");
    if (scrolls && frame && !frame.classList.contains("nhsuk-scroll--scrollable")) {
      unnamed.push(`${name(el)} (NHS.UK's scroll script did not run)`);
    }
  }
  return {
    width: document.documentElement.scrollWidth,
    widest: widest && `${name(outer)} (${Math.round(right(widest))} px, at ${name(widest)})`,
    unnamed,
  };
}"""


def _watch(page) -> list[str]:
    """Everything that goes wrong on the page from now on, one line each."""
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            message.type == "error" and problems.append(f"console: {message.text} ({page.url})")
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"script error: {error} ({page.url})"))
    page.on(
        "requestfailed",
        lambda request: problems.append(f"failed: {request.url} ({request.failure})"),
    )
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and problems.append(f"{response.status}: {response.url}")
        ),
    )
    return problems


def _layout_problems(page, path: str) -> list[str]:
    """What on the page breaks a phone's width, one line each."""
    found = page.evaluate(_MEASURE)
    problems = [
        f"{path}: scrolls sideways in {box}, which is not a named, focusable region"
        for box in found["unnamed"]
    ]
    if found["width"] > PHONE["width"]:
        problems.append(f"{path}: {found['width']} px wide, widest {found['widest']}")
    return problems


def _header_pages(page) -> list[str]:
    links = page.locator("header a[href]")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    return list(dict.fromkeys(h for h in hrefs if h.startswith("/") and "sign-out" not in h))


@pytest.fixture
def phone(browser):
    context, page = _new_page(browser, viewport=PHONE)
    yield page
    context.close()
    assert not page.foreign_requests, f"requests left this machine: {page.foreign_requests}"


@pytest.fixture
def walk_data(trust, persona_users):
    """Something on every page: a golden thread with a check-in and two coverage snapshots
    (the coverage trend), a closed wave (results, heatmap, coverage against the survey) and an open one
    (the wave page polls its sending count)."""
    thread = golden_thread(trust)
    direction.check_in(
        objective=thread["W1-A"],
        on=timezone.localdate(),
        value=7,
        confidence="medium",
        comment="Two more huddles a week than in the spring, now held at every shift change",
        actor=SYSTEM,
    )
    results = closed_wave(trust, {"W1": 12, "W2": 6, "T1": 12})
    today = timezone.localdate()
    direction.record_coverage_snapshot(
        organisation=trust["org"], actor=SYSTEM, taken_on=today - timedelta(days=30)
    )
    direction.record_coverage_snapshot(organisation=trust["org"], actor=SYSTEM)
    return {"results": results, "open": make_wave(trust, launch=True, title="Open wave")}


def _pages_of_the_role(persona: str, walk_data) -> list[str]:
    results, wave = (
        f"/insights/waves/{walk_data['results'].pk}",
        f"/surveys/{walk_data['open'].pk}/",
    )
    return {
        "admin": ["/admin/", wave, "/audit/"],
        "od": [wave, "/direction/coverage/", f"{results}/heatmap/"],
        "board": [
            "/to-do/",
            "/direction/",
            "/direction/coverage/",
            "/direction/coverage/?unit=MED",
            "/direction/coverage/?unit=CARD",
            "/direction/coverage/orphans/",
            "/direction/objectives/W1-A/",
            "/org/units/MED/",
            "/org/units/W1/",
            "/org/people/M1/",
            f"{results}/units/TST1-ROOT/",
            f"{results}/heatmap/",
        ],
        "manager": ["/to-do/", "/direction/", f"{results}/units/W1/"],
        "staff": ["/to-do/", f"{results}/units/TST1-ROOT/"],
    }[persona]


@pytest.mark.parametrize("persona", ["admin", "od", "board", "manager", "staff"])
def test_no_page_logs_an_error_or_is_wider_than_a_phone(phone, live_server, walk_data, persona):
    problems = _watch(phone)
    sign_in(phone, live_server, f"{persona}@test.test")
    visited = list(dict.fromkeys(_header_pages(phone) + _pages_of_the_role(persona, walk_data)))
    for path in visited:
        phone.goto(f"{live_server.url}{path}")
        phone.wait_for_load_state("networkidle")
        problems += _layout_problems(phone, path)
    assert len(visited) >= 4, visited
    assert problems == [], "\n".join(problems)
