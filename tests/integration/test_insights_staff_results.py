"""Every member of staff sees the results the organisation publishes to everyone: the
organisation's and their own unit's and its ancestors', with the same figures (threshold,
disclosure control) a manager or the board sees, audited alike; never the units beside or
below theirs, their comments, downloads, the API or the analysis pages."""

import html as htmllib
import re

import pytest
from django.urls import reverse

from colead.accounts.models import ApiToken
from colead.audit.models import AuditEvent
from colead.core.actor import Actor
from colead.insights import queries
from colead.lib.errors import Refused
from tests.integration.insights_fixtures import closed_wave
from tests.integration.test_insights_unit_page import (
    SPRING,
    SPRING_COMMENTERS,
    wave_with_comments,
)

pytestmark = pytest.mark.django_db

K = 5
OWN = ("TST1-ROOT", "MED", "CARD", "W1")  # the staff persona works on Ward 1
OTHERS = ("W2", "T1", "SURG")


@pytest.fixture
def wave(trust):
    return closed_wave(trust, {"W1": 14, "W2": 12, "T1": 12, "SURG": 6}, threshold=K)


def unit_url(wave, code):
    return reverse("insights:unit", args=[wave.pk, code])


def text_of(response) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_staff_find_results_in_the_navigation_and_the_wave_in_the_list(client_for, wave):
    staff = client_for("staff")
    home = staff.get(reverse("home:home")).content.decode()
    assert f'href="{reverse("insights:index")}"' in home
    listing = staff.get(reverse("insights:index"))
    assert listing.status_code == 200
    assert wave.title in text_of(listing)
    said = " ".join(text_of(listing).split())
    assert "you see the results of Test Trust, Medicine, Cardiology, Ward 1: the organisation" in (
        said
    )
    assert "units below" not in said


def test_staff_see_the_organisation_and_their_own_units_and_no_other(client_for, wave):
    staff = client_for("staff")
    for code in OWN:
        assert staff.get(unit_url(wave, code)).status_code == 200, code
    for code in OTHERS:
        refused = staff.get(unit_url(wave, code))
        assert refused.status_code == 403, code
        assert "is not one of your units" in text_of(refused), code


def test_the_heatmap_shows_staff_one_row_a_level_their_own(client_for, wave, persona_users):
    staff = Actor.of_user(persona_users["staff"], source="web")
    rows_at = {
        depth: [
            row.unit_code
            for row in queries.heatmap(
                staff, organisation=wave.organisation, wave_id=wave.pk, level=depth
            ).rows
        ]
        for depth in range(4)
    }
    assert rows_at == {0: ["TST1-ROOT"], 1: ["MED"], 2: ["CARD"], 3: ["W1"]}
    page = client_for("staff").get(reverse("insights:heatmap", args=[wave.pk]) + "?level=3")
    assert page.status_code == 200
    assert "Ward 1" in text_of(page) and "Ward 2" not in text_of(page)
    assert "Download these figures" not in page.content.decode()


def test_staff_see_the_figures_a_manager_and_the_board_see(client_for, wave):
    def figures(persona, code):
        response = client_for(persona).get(unit_url(wave, code))
        assert response.status_code == 200, (persona, code)
        return [
            (line.code, line.n, line.score, line.score_interval, line.pct, line.comparison)
            for line in response.context_data["dimensions"]
        ]

    for code, other in (("W1", "manager"), ("MED", "board"), ("TST1-ROOT", "board")):
        assert figures("staff", code) == figures(other, code), code


def test_a_unit_page_links_no_unit_below_it_for_staff(client_for, wave):
    page = client_for("staff").get(unit_url(wave, "CARD"))
    assert [child["code"] for child in page.context_data["children"]] == ["W1"]
    assert unit_url(wave, "W2") not in page.content.decode()
    board = client_for("board").get(unit_url(wave, "CARD"))
    assert {child["code"] for child in board.context_data["children"]} == {"W1", "W2"}


def test_staff_views_are_audited_like_anyone_elses(client_for, wave, persona_users):
    client_for("staff").get(unit_url(wave, "W1"))
    event = AuditEvent.objects.filter(action="insights.unit_view").latest("pk")
    assert event.actor == persona_users["staff"]
    assert event.detail["unit"] == "W1"


def test_comments_are_not_shown_to_staff(client_for, trust):
    spring = wave_with_comments(trust, SPRING, SPRING_COMMENTERS, title="Spring")
    staff_page = text_of(client_for("staff").get(unit_url(spring, "TST1-ROOT")))
    assert "not to every member of staff" in staff_page
    assert "Sample comments" not in staff_page
    assert "Sample comments" in text_of(client_for("board").get(unit_url(spring, "TST1-ROOT")))


def test_downloads_the_api_and_the_analysis_pages_refuse_staff(
    client, client_for, wave, persona_users
):
    staff = client_for("staff")
    download = staff.get(reverse("insights:heatmap_export", args=[wave.pk]) + "?format=csv")
    assert download.status_code == 403
    assert "Downloads, the API and the analysis pages are for managers" in text_of(download)
    for route in ("insights:drivers", "insights:reliability"):
        assert staff.get(reverse(route, args=[wave.pk])).status_code == 403, route
    token = ApiToken.generate(user=persona_users["staff"], name="test")[1]
    api = client.get(
        f"/api/v1/insights/waves/{wave.pk}/heatmap", headers={"Authorization": f"Bearer {token}"}
    )
    assert api.status_code == 403
    assert "Downloads, the API and the analysis pages" in api.json()["detail"]
    actor = Actor.of_user(persona_users["staff"], source="api")
    with pytest.raises(Refused, match="Downloads, the API"):
        queries.heatmap_export(actor, organisation=wave.organisation, wave_id=wave.pk, fmt="json")
