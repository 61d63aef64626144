"""The walk: each persona signs in and opens every page of their header navigation (and the
admin site, for an organisation admin). No page may log a console error (a Content Security
Policy violation is one), raise a script error, or have a request fail or answer 4xx/5xx
(a missing /favicon.ico is one)."""

import pytest

from tests.functional.conftest import sign_in
from tests.integration.waves_fixtures import make_wave

pytestmark = [pytest.mark.functional, pytest.mark.django_db(transaction=True)]


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


def _header_pages(page) -> list[str]:
    links = page.locator("header a[href]")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    return list(dict.fromkeys(h for h in hrefs if h.startswith("/") and "sign-out" not in h))


@pytest.mark.parametrize("persona", ["admin", "od", "board", "manager", "staff"])
def test_no_page_of_the_header_logs_an_error(page, live_server, persona_users, trust, persona):
    make_wave(trust, launch=True, title="Open wave")  # the wave page polls its sending count
    problems = _watch(page)
    sign_in(page, live_server, f"{persona}@test.test")
    visited = _header_pages(page)
    if persona == "admin":
        visited.append("/admin/")
    if persona in {"admin", "od"}:
        visited.append(f"/surveys/{trust['org'].waves.get().pk}/")
    for path in visited:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    assert len(visited) >= 3, visited
    assert problems == [], "\n".join(problems)
