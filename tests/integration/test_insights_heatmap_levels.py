"""The heatmap's levels by kind of unit (every team, wherever it sits), on the page, the API
and ``colead export heatmap``; rows whose figures are all hidden left out with their count;
the compact view; and the caches warmed when a web process starts."""

import csv
import html as htmllib
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from colead.accounts.models import ApiToken
from colead.audit.models import AuditEvent
from colead.core.actor import Actor
from colead.insights import queries, warm
from colead.insights import results as rs
from colead.lib.errors import Invalid
from tests.integration.insights_fixtures import closed_wave

pytestmark = pytest.mark.django_db

K = 5
# The test trust: Medicine (division) > Cardiology (directorate) > Ward 1, Ward 2 (teams);
# Surgery (division) > Theatres (a team one level higher than the wards).
COUNTS = {"W1": 14, "W2": 3, "T1": 12, "SURG": 6}
ACCEPTED = "organisation, division, directorate, department or team"


@pytest.fixture
def wave(trust):
    return closed_wave(trust, COUNTS, threshold=K)


def codes(read) -> list[str]:
    return [row.unit_code for row in read.rows]


def heatmap_page(client, wave, query=""):
    return client.get(reverse("insights:heatmap", args=[wave.pk]) + query)


def row_headers(response) -> list[str]:
    html = response.content.decode()
    body = html[html.index("<tbody") : html.index("</tbody>")]
    return [
        htmllib.unescape(re.sub(r"<[^>]+>", "", header))
        for header in re.findall(r'<th[^>]*scope="row">(.*?)</th>', body, re.S)
    ]


def test_a_kind_of_unit_gives_every_unit_of_that_kind_at_any_depth(wave):
    system = Actor.system("tests")
    teams = queries.heatmap(system, organisation=None, wave_id=wave.pk, level="team")
    assert codes(teams) == ["W1", "W2", "T1"]  # wards at depth 3, Theatres at depth 2
    assert [row.level for row in teams.rows] == [3, 3, 2]  # each row keeps its own depth
    depth_two = queries.heatmap(system, organisation=None, wave_id=wave.pk, level=2)
    assert codes(depth_two) == ["CARD", "T1"]  # a depth mixes kinds
    for spelling in ("Teams", " TEAM ", "teams"):
        read = queries.heatmap(system, organisation=None, wave_id=wave.pk, level=spelling)
        assert read.level == "team" and codes(read) == ["W1", "W2", "T1"]
    assert queries.heatmap(system, organisation=None, wave_id=wave.pk, level="2").level == 2
    assert codes(
        queries.heatmap(system, organisation=None, wave_id=wave.pk, level="directorate")
    ) == ["CARD"]


@pytest.mark.parametrize("level", ["ward", "department", "-1", "9"])
def test_a_level_not_offered_names_the_values_accepted(wave, level):
    with pytest.raises(Invalid) as caught:
        queries.heatmap(Actor.system("tests"), organisation=None, wave_id=wave.pk, level=level)
    message = caught.value.errors["level"]
    if level in ("ward", "-1"):  # not a level at all
        assert f"There is no level {level!r}. Use a kind of unit: {ACCEPTED}" in message
    else:  # a level this organisation does not have: those it has
        assert "or a kind of unit: organisation, division, directorate or team." in message
        assert "Choose a level from 0 to 3" in message


def test_the_default_level_is_the_divisions_by_name(wave):
    read = queries.heatmap(Actor.system("tests"), organisation=None, wave_id=wave.pk)
    assert read.level == "division" and codes(read) == ["MED", "SURG"]


def test_the_api_takes_names_and_depths(api_get, wave):
    body = api_get("board", wave, level="team").json()
    assert body["level"] == "team"
    assert sorted({row["unit_code"] for row in body["rows"]}) == ["T1", "W1", "W2"]
    assert {row["level"] for row in body["rows"] if row["unit_code"] == "T1"} == {2}
    assert api_get("board", wave, level="2").json()["level"] == 2
    refused = api_get("board", wave, level="ward")
    assert refused.status_code == 422
    assert ACCEPTED in refused.json()["detail"][0]["msg"]


@pytest.fixture
def api_get(client, persona_users):
    def call(persona, wave, **params):
        token = ApiToken.generate(user=persona_users[persona], name="test")[1]
        return client.get(
            f"/api/v1/insights/waves/{wave.pk}/heatmap",
            params,
            headers={"Authorization": f"Bearer {token}"},
        )

    return call


def test_the_command_takes_names_and_depths(wave, capsys):
    call_command("export", "heatmap", "--wave", str(wave.pk), "--level", "team", "--format", "csv")
    lines = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert sorted({line["unit_code"] for line in lines}) == ["T1", "W1", "W2"]
    with pytest.raises(CommandError, match=f"--level: There is no level 'ward'. .*{ACCEPTED}"):
        call_command(
            "export", "heatmap", "--wave", str(wave.pk), "--level", "ward", "--format", "csv"
        )
    events = AuditEvent.objects.filter(action="insights.heatmap_export")
    assert [event.detail["level"] for event in events] == ["team"]


def test_the_page_offers_levels_by_name(client_for, wave):
    response = heatmap_page(client_for("board"), wave)
    html = response.content.decode()
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', html)
    levels = [text for value, text in options if value in rs.LEVEL_KINDS]
    assert levels == ["Organisation", "Divisions", "Directorates", "Teams"]
    assert "Level 3" not in html
    # an older link by depth still works, and the form shows what it chose
    older = heatmap_page(client_for("board"), wave, "?level=3")
    assert older.status_code == 200
    assert '<option value="3" selected>Level 3</option>' in older.content.decode()
    assert row_headers(heatmap_page(client_for("board"), wave, "?level=team&show_hidden=1")) == [
        "Ward 1",
        "Ward 2",
        "Theatres",
    ]


def test_rows_whose_figures_are_all_hidden_are_left_out_and_counted(client_for, wave):
    client = client_for("board")
    response = heatmap_page(client, wave, "?level=team")
    # Ward 2 has 3 responses; Ward 1 is hidden so that Cardiology − Ward 1 is not Ward 2
    assert row_headers(response) == ["Theatres"]
    page = htmllib.unescape(re.sub(r"<[^>]+>", "", response.content.decode()))
    assert "2 teams hidden because every figure is hidden" in page
    assert f"fewer than {K} responses" in page
    shown = heatmap_page(client, wave, "?level=team&show_hidden=1")
    assert row_headers(shown) == ["Ward 1", "Ward 2", "Theatres"]
    assert "2 teams in which every figure is hidden are listed" in htmllib.unescape(
        re.sub(r"<[^>]+>", "", shown.content.decode())
    )
    # the sort links keep the choice; the downloads always have every row
    assert "show_hidden=1" in shown.context_data["heads"][0]["href"]
    assert all("show_hidden" not in href for _, href in shown.context_data["downloads"])
    # nothing left out: no sentence
    divisions = heatmap_page(client, wave, "?level=division")
    assert divisions.context_data["left_out"] == 0
    assert 'id="rows-left-out"' not in divisions.content.decode()


def test_the_compact_view_abbreviates_headers_and_lists_their_names(client_for, wave):
    response = heatmap_page(client_for("board"), wave, "?level=team&compact=1")
    html = response.content.decode()
    assert "colead-heatmap--compact" in html
    heads = response.context_data["heads"]
    long_names = [head for head in heads if head["short"] != head["text"]]
    assert long_names
    for head in long_names:
        # short name for the eye, full name for screen readers and in the list below
        assert (
            f'<abbr title="{head["text"]}" aria-hidden="true">{head["short"]}</abbr>'
            f'<span class="nhsuk-u-visually-hidden">{head["text"]}</span>'
        ) in html
        assert f'<dt class="nhsuk-summary-list__key">{head["short"]}</dt>' in html
    assert len({head["short"] for head in heads}) == len(heads)
    plain = heatmap_page(client_for("board"), wave, "?level=team").content.decode()
    assert "<abbr" not in plain and "colead-heatmap--compact" not in plain
    assert 'class="nhsuk-width-container-fluid colead-wide"' in html


def test_warming_builds_the_tables_a_first_page_needs_and_shows_nothing(wave, monkeypatch):
    rs.memory.clear_all()
    events = AuditEvent.objects.count()
    timings = warm.warm()
    assert {"libraries", "templates", "charts", f"wave {wave.pk}"} <= set(timings)
    assert AuditEvent.objects.count() == events  # it shows nothing to anyone

    def not_again(*args, **kwargs):
        raise AssertionError("a table was built again after warming")

    monkeypatch.setattr(rs, "_build_table", not_again)
    system = Actor.system("tests")
    for level in ("division", "team", 0, 3):
        queries.heatmap(system, organisation=None, wave_id=wave.pk, level=level)
