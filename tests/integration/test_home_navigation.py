"""The header's navigation: the coverage dashboard has its own place, for those who may
see it (OBJECTIVES_VIEW over the whole organisation), and is the current item on its pages."""

import pytest

from colead.home.context_processors import navigation_for


@pytest.mark.parametrize(
    "persona, shown",
    [("board", True), ("od", True), ("admin", True), ("manager", False), ("staff", False)],
)
def test_the_coverage_dashboard_is_in_the_navigation_for_those_who_may_see_it(
    rf, persona_users, trust, persona, shown
):
    request = rf.get("/direction/coverage/")
    request.user = persona_users[persona]
    request.organisation = trust["org"]
    items = {item["text"]: item for item in navigation_for(request)}
    assert ("Coverage" in items) is shown
    if shown:
        assert items["Coverage"] == {
            "text": "Coverage",
            "href": "/direction/coverage/",
            "current": True,
        }
        assert "current" not in items["Objectives"]


def test_the_coverage_page_is_reached_from_every_page_of_the_board(client_for, trust):
    html = client_for("board").get("/org/").content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    assert 'href="/direction/coverage/"' in header
