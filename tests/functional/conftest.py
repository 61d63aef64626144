"""Playwright (Python) driving Debian's chromium against the live test server.

Every page a journey visits is checked with axe-core against WCAG 2.2 A and AA."""

import os
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; the Django ORM calls made by
# fixtures here are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("COLEAD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

pytestmark = pytest.mark.functional


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def _new_page(browser, **context_options):
    """A page whose every request must stay on this machine: pages may load nothing from
    other origins (fonts, scripts, analytics), which the CSP would block anyway."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.foreign_requests = []
    page.on(
        "request",
        lambda request: (
            urlsplit(request.url).hostname not in LOCAL_HOSTS
            and urlsplit(request.url).scheme in ("http", "https")
            and page.foreign_requests.append(request.url)
        ),
    )
    return context, page


@pytest.fixture
def page(browser):
    context, page = _new_page(browser, viewport={"width": 1280, "height": 900})
    yield page
    context.close()
    assert not page.foreign_requests, f"requests left this machine: {page.foreign_requests}"


@pytest.fixture
def phone_page(browser):
    context, page = _new_page(browser, viewport={"width": 375, "height": 740}, is_mobile=True)
    yield page
    context.close()
    assert not page.foreign_requests, f"requests left this machine: {page.foreign_requests}"


_axe = Axe()


def assert_accessible(page):
    """Fail with the list of axe-core violations (WCAG 2.2 A/AA) on the current page."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    violations = results.response["violations"]
    assert not violations, f"Accessibility violations on {page.url}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
    )


def sign_in(page, live_server, email, password="correct-horse-battery"):
    page.goto(f"{live_server.url}/accounts/sign-in/")
    assert_accessible(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
