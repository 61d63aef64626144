"""The published reads of results (``insights.queries``): the page, the API, the download
and ``colead export`` get the same figures from one read; reading stores nothing; a wave
without stored scores says its results are being prepared; a bad level or breakdown is the
same message on the page (400) and in the API (422 naming the parameter)."""

import html as htmllib
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse

from colead.accounts.models import ApiToken
from colead.audit.models import AuditEvent
from colead.core.actor import Actor
from colead.insights import exports, queries
from colead.insights.models import WaveScores
from colead.lib.errors import Invalid, NotFound, Refused
from colead.surveys.models import Response
from tests.integration.insights_fixtures import closed_wave

pytestmark = pytest.mark.django_db

K = 5


@pytest.fixture
def wave(trust):
    return closed_wave(trust, {"W1": 14, "W2": 3, "T1": 12, "SURG": 6}, threshold=K)


@pytest.fixture
def api(client, persona_users):
    def call(persona, path, **params):
        token = ApiToken.generate(user=persona_users[persona], name="test")[1]
        headers = {"Authorization": f"Bearer {token}"}
        return client.get(f"/api/v1{path}", params, headers=headers)

    return call


def api_path(wave):
    return f"/insights/waves/{wave.pk}/heatmap"


def test_page_api_download_and_command_get_the_same_figures_from_one_read(
    wave, client_for, api, capsys
):
    spy = mock.patch.object(queries, "_heatmap", wraps=queries._heatmap)
    with spy as read:
        page = client_for("board").get(
            reverse("insights:heatmap", args=[wave.pk]) + "?level=2&by=staff_group"
        )
        assert read.call_count == 1
        body = api("board", api_path(wave), level=2, by="staff_group").json()
        assert read.call_count == 2
        download = client_for("board").get(
            reverse("insights:heatmap_export", args=[wave.pk]) + "?level=2&by=staff_group"
        )
        assert read.call_count == 3
        call_command(
            "export",
            "heatmap",
            "--wave",
            str(wave.pk),
            "--level",
            "2",
            "--by",
            "staff_group",
            "--format",
            "csv",
        )
        assert read.call_count == 4
    command_csv = capsys.readouterr().out
    # the page's cells are the same rows' figures, shaped for the template
    table = page.context_data["table"]
    assert body["rows"] == exports.export_rows(table, list(table.rows))
    assert exports.to_csv(body["rows"]) == download.content.decode() == command_csv
    assert any(line["n"] is not None for line in body["rows"])
    assert any(line["suppressed"] for line in body["rows"])  # figures and hidden rows alike
    sources = list(
        AuditEvent.objects.filter(action="insights.heatmap_export")
        .order_by("pk")
        .values_list("detail__source", "actor_label")
    )
    assert sources == [
        ("api", "board@test.test"),
        ("web", "board@test.test"),
        ("cli", "system (cli)"),
    ]


def test_reading_results_stores_nothing_but_the_audit_events(wave, client_for, api):
    scores = WaveScores.objects.get(wave=wave)
    before = (WaveScores.objects.count(), Response.objects.count(), AuditEvent.objects.count())
    board = client_for("board")
    for url in (
        reverse("insights:index"),
        reverse("insights:heatmap", args=[wave.pk]) + "?level=3",
        reverse("insights:unit", args=[wave.pk, "W1"]),
        reverse("insights:drivers", args=[wave.pk]),
    ):
        assert board.get(url).status_code == 200, url
    assert api("board", api_path(wave)).status_code == 200
    after = (WaveScores.objects.count(), Response.objects.count(), AuditEvent.objects.count())
    assert after[:2] == before[:2]
    assert WaveScores.objects.get(wave=wave).scored_at == scores.scored_at
    # heatmap, unit, drivers (pages) and the API's read: one event each, nothing else
    assert after[2] - before[2] == 4


def test_a_wave_without_stored_scores_is_being_prepared_and_reading_it_stores_nothing(
    wave, client_for, api
):
    WaveScores.objects.filter(wave=wave).delete()  # a wave closed before scores were stored
    events = AuditEvent.objects.count()
    page = client_for("board").get(reverse("insights:heatmap", args=[wave.pk]))
    assert page.status_code == 409
    text = htmllib.unescape(page.content.decode())
    assert "Results of Spring results are being prepared" in text
    assert f"colead waves rescore {wave.pk}" in text
    unit = client_for("board").get(reverse("insights:unit", args=[wave.pk, "W1"]))
    assert unit.status_code == 409
    answer = api("board", api_path(wave))
    assert answer.status_code == 409
    assert "being prepared" in answer.json()["detail"]
    assert not WaveScores.objects.filter(wave=wave).exists()
    assert AuditEvent.objects.count() == events
    # the wave is still listed: its results appear once it is scored
    index = client_for("board").get(reverse("insights:index"))
    assert [row["wave"].pk for row in index.context_data["rows"]] == [wave.pk]


@pytest.mark.parametrize(
    ("asked", "field", "message"),
    [
        ({"level": "9"}, "level", "There is no level 9 to show. Choose a level from 0 to 3"),
        ({"by": "sex"}, "by", "has no sex recorded with its responses"),
    ],
)
def test_a_bad_level_or_breakdown_is_the_same_message_on_the_page_and_in_the_api(
    wave, client_for, api, asked, field, message
):
    page = client_for("board").get(reverse("insights:heatmap", args=[wave.pk]), asked)
    assert page.status_code == 400
    assert message in page.context_data["errors"][field]
    html = page.content.decode()
    assert f'id="{field}-error"' in html  # shown on the field itself, not only the summary
    answer = api("board", api_path(wave), **asked)
    assert answer.status_code == 422
    (problem,) = answer.json()["detail"]
    assert problem["loc"] == ["query", field]
    assert problem["msg"] == page.context_data["errors"][field]
    assert message in problem["msg"]


def test_reads_refuse_and_name_what_they_cannot_find(wave, trust, persona_users):
    organisation = trust["org"]
    change = Actor.of_user(persona_users["change"], source="web")
    with pytest.raises(Refused):
        queries.heatmap(change, organisation=organisation, wave_id=wave.pk)
    board = Actor.of_user(persona_users["board"], source="web")
    with pytest.raises(NotFound, match="There is no wave 999999 in Test Trust"):
        queries.heatmap(board, organisation=organisation, wave_id=999999)
    with pytest.raises(Invalid) as raised:
        queries.heatmap(board, organisation=organisation, wave_id=wave.pk, level=9, by="shoe")
    assert set(raised.value.errors) == {"level", "by"}  # every problem at once
    with pytest.raises(TypeError, match="Only the system"):
        queries.heatmap(board, organisation=None, wave_id=wave.pk)
    read = queries.heatmap(Actor.system("cli"), organisation=None, wave_id=wave.pk, level=3)
    assert {row.unit_code for row in read.rows} == {"W1", "W2"}
