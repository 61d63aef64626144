"""Results of a wave that surveyed only part of the organisation (issue 11, part 4): every
results page, export and API call works for every unit, and a unit the wave did not survey
says so instead of failing. And the unit page, the export and the API publish one set of
figures for the same cell (issue 11, part 3): below 2k no mean or interval that narrows the
percent positive band."""

import csv
import io
import re

import pytest
from django.urls import reverse

from colead.accounts.models import ApiToken
from colead.core.actor import Actor
from colead.insights import exports
from colead.insights import results as rs
from colead.surveys import services
from tests.integration.insights_fixtures import INSTRUMENTS, add_ballots, closed_wave, staff_roster
from tests.integration.waves_fixtures import make_wave

pytestmark = pytest.mark.django_db

K = 5
NOT_SURVEYED = "This wave did not survey"


def close_ward_pulse(trust):
    """A closed wave sent to Ward 1 only (14 responses)."""
    staff_roster(trust, {"W1": 14})
    wave = make_wave(
        trust,
        units=("W1",),
        threshold=K,
        title="Ward 1 pulse",
        instruments=INSTRUMENTS,
        launch=True,
    )
    add_ballots(wave, "W1", 14)
    return services.close_wave(wave=wave, actor=Actor.system("tests"))


@pytest.fixture
def ward_wave(trust):
    return close_ward_pulse(trust)


@pytest.fixture
def api(client, persona_users):
    tokens = {}

    def call(persona, path, **params):
        user = persona_users[persona]
        if user.pk not in tokens:
            tokens[user.pk] = ApiToken.generate(user=user, name="test")[1]
        headers = {"Authorization": f"Bearer {tokens[user.pk]}"}
        return client.get(f"/api/v1{path}", params, headers=headers)

    return call


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.mark.parametrize(
    ("code", "surveyed"),
    [
        ("TST1-ROOT", True),
        ("MED", True),
        ("CARD", True),
        ("W1", True),
        ("W2", False),
        ("SURG", False),
        ("T1", False),
    ],
)
def test_every_unit_page_of_a_partial_wave_works(client_for, ward_wave, code, surveyed):
    response = client_for("board").get(reverse("insights:unit", args=[ward_wave.pk, code]))
    assert response.status_code == 200
    assert (NOT_SURVEYED in text_of(response)) is not surveyed
    if not surveyed:
        assert response.context_data["dimensions"] == []
        assert response.context_data["trend"].points == []


def test_the_heatmap_exports_api_and_analysis_pages_of_a_partial_wave_work(
    client_for, api, ward_wave
):
    client = client_for("board")
    for level in range(4):
        heatmap = client.get(reverse("insights:heatmap", args=[ward_wave.pk]), {"level": level})
        assert heatmap.status_code == 200, level
        download = client.get(
            reverse("insights:heatmap_export", args=[ward_wave.pk]),
            {"level": level, "format": "csv"},
        )
        assert download.status_code == 200, level
        body = api("board", f"/insights/waves/{ward_wave.pk}/heatmap", level=level)
        assert body.status_code == 200, level
        # only the units the wave surveyed: Ward 1 and the units above it
        assert {row["unit_code"] for row in body.json()["rows"]} <= {
            "TST1-ROOT",
            "MED",
            "CARD",
            "W1",
        }
    assert client.get(reverse("insights:drivers", args=[ward_wave.pk])).status_code == 200
    od = client_for("od")
    assert od.get(reverse("insights:reliability", args=[ward_wave.pk])).status_code == 200


@pytest.fixture
def autumn_then_ward_pulse(trust):
    """A trust-wide wave ("Autumn"), then the ward's pulse, both closed."""
    closed_wave(trust, {"W1": 14, "W2": 12, "T1": 12, "SURG": 6}, threshold=K, title="Autumn")
    return close_ward_pulse(trust)


def test_a_partial_wave_sits_in_the_trend_of_the_units_it_surveyed_only(
    client_for, autumn_then_ward_pulse
):
    ward = autumn_then_ward_pulse
    client = client_for("board")
    # Surgery's page in the ward's wave: not surveyed, but its trend still has Autumn
    response = client.get(reverse("insights:unit", args=[ward.pk, "SURG"]))
    assert response.status_code == 200 and NOT_SURVEYED in text_of(response)
    titles = [w["title"] for w in response.context_data["trend"].waves]
    assert titles == ["Autumn", "Ward 1 pulse"]


def test_a_wave_sent_to_part_of_a_unit_is_no_point_of_that_units_trend(
    client_for, autumn_then_ward_pulse
):
    """A ward's pulse is the ward's score, not the organisation's: on the organisation's
    and the directorate's trend it reads "Part surveyed" and draws no point; on the ward's
    own trend it is a point like any other."""
    ward = autumn_then_ward_pulse
    client = client_for("board")
    for code, whole in (("TST1-ROOT", False), ("MED", False), ("W1", True)):
        trend = client.get(reverse("insights:unit", args=[ward.pk, code])).context_data["trend"]
        assert [w["title"] for w in trend.waves] == ["Autumn", "Ward 1 pulse"], code
        pulse = trend.waves[1]["label"]
        assert any(p["wave"] == pulse for p in trend.points) is whole, code
        assert all((row["cells"][1]["text"] == "Part surveyed") is not whole for row in trend.rows)
        assert any(p["wave"] == trend.waves[0]["label"] for p in trend.points), code


def test_a_wave_sent_to_every_unit_below_covers_the_unit_whole(client_for, trust):
    """A trust's survey sent to each of its divisions (as the demo's are) is the trust's
    score: its trend draws the point."""
    staff_roster(trust, {"W1": 14, "W2": 12, "T1": 12})
    wave = make_wave(
        trust,
        units=("MED", "SURG"),
        threshold=K,
        title="Every division",
        instruments=INSTRUMENTS,
        launch=True,
    )
    for code, n in (("W1", 14), ("W2", 12), ("T1", 12)):
        add_ballots(wave, code, n)
    wave = services.close_wave(wave=wave, actor=Actor.system("tests"))
    page = client_for("board").get(reverse("insights:unit", args=[wave.pk, "TST1-ROOT"]))
    trend = page.context_data["trend"]
    assert trend.points and all(row["cells"][0]["text"] != "Part surveyed" for row in trend.rows)


# -- one set of figures on the page, in the export and from the API (part 3) -----------------


def test_page_export_and_api_publish_the_same_figures(client_for, api, trust):
    """T1 has 8 responses (k 5, 2k 10): banded percent positive, a banded or absent mean,
    no interval; W1 has 14: exact figures. The page's lines, the export's rows and the API's
    rows carry the same figures for every measure, the items (``--measures all``) too."""
    wave = closed_wave(trust, {"W1": 14, "W2": 12, "T1": (8, 0.9), "SURG": 6}, threshold=K)
    client = client_for("board")
    for code, level in (("T1", 2), ("W1", 3)):
        page = client.get(reverse("insights:unit", args=[wave.pk, code]))
        lines = {line.code: line for line in page.context_data["dimensions"]}
        for group in page.context_data["items"]:
            lines.update({line.code: line for line in group.lines})
        own = next(t for t in page.context_data["teams"]["lines"] if t.is_self)
        lines[own.real_team.code] = own.real_team
        body = api("board", f"/insights/waves/{wave.pk}/heatmap", level=level).json()
        api_rows = {r["measure"]: r for r in body["rows"] if r["unit_code"] == code}
        results = rs.load_results(wave)
        table = results.table(level=level, measures="all")
        row = next(r for r in table.rows if r.unit_code == code and r.category is None)
        export = {
            r["measure"]: r for r in exports.export_rows(table, [row]) if r["unit_code"] == code
        }
        assert set(export) == set(lines)
        for measure, published in export.items():
            line = lines[measure]
            if measure in api_rows:  # the API gives the dimensions
                assert api_rows[measure] == published
            # the page shows the same record, before rounding for the file
            figures = rs.published_figures(row.cells.get(measure), K, rounded=False)
            assert rs.published_figures(row.cells.get(measure), K) == {
                name: published[name] for name in rs.FIGURE_FIELDS
            }
            assert {name for name, value in figures.items() if value is not None} == {
                name for name in rs.FIGURE_FIELDS if published[name] is not None
            }
            if figures["suppressed"] is not None:
                assert (line.status, line.hidden) == (
                    figures["suppressed"],
                    figures["suppressed_reason"],
                )
                assert line.n == line.score == line.pct == ""
                continue
            assert line.n == f"{figures['n']:,}"
            if figures["pct_positive_band"] is not None:
                assert line.pct == figures["pct_positive_band"] and line.pct_interval == ""
                assert figures["pct_low"] is None and figures["ci_low"] is None
                assert figures["score"] is None
                if line.kind != "share":
                    assert line.score == (figures["score_band"] or "Not shown")
                    assert line.score_interval == ""
            else:
                assert line.pct == f"{figures['pct_positive']:.0f}%"
                assert line.pct_interval == (
                    f"{figures['pct_low']:.0f}% to {figures['pct_high']:.0f}%"
                )
                if line.kind != "share":
                    assert line.score == f"{figures['score']:.1f}"
        if code == "T1":
            banded = [f for f in export.values() if f["pct_positive_band"] is not None]
            assert banded and all(f["score"] is None and f["ci_low"] is None for f in banded)
            kinds = {m.code: m.kind for m in table.measures}
            yes_no = [
                m
                for m, f in export.items()
                if kinds[m] == "item" and results.core.measure_scale(m).points == 2
            ]
            assert yes_no and all(export[m]["score_band"] is None for m in yes_no)
            assert any(f["score_band"] for f in banded)


def test_the_csv_export_carries_the_bands_in_their_own_columns(client_for, trust):
    wave = closed_wave(trust, {"W1": 14, "W2": 12, "T1": (8, 0.9), "SURG": 6}, threshold=K)
    response = client_for("board").get(
        reverse("insights:heatmap_export", args=[wave.pk]), {"level": 2, "format": "csv"}
    )
    lines = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert tuple(lines[0]) == exports.COLUMNS
    theatres = [line for line in lines if line["unit_code"] == "T1"]
    assert theatres and all(line["pct_positive_band"].endswith("%") for line in theatres)
    assert all(line["score"] == line["ci_low"] == line["ci_high"] == "" for line in theatres)


def test_the_heatmap_shows_a_small_groups_scores_as_bands(client_for, trust):
    """T1 (8 responses, below 2k = 10): no score to one decimal in its heatmap row, a band of
    the scale or a dash; Ward 1 (14): exact scores."""
    wave = closed_wave(trust, {"W1": 14, "W2": 12, "T1": (8, 0.9), "SURG": 6}, threshold=K)
    client = client_for("board")
    for code, level in (("T1", 2), ("W1", 3)):
        html = client.get(
            reverse("insights:heatmap", args=[wave.pk]), {"level": level}
        ).content.decode()
        href = reverse("insights:unit", args=[wave.pk, code])
        row = html[html.index(f'<a href="{href}">') :]
        row = row[: row.index("</tr>")]
        cells = [
            re.sub(r"<span.*?</span>", "", cell).strip()
            for cell in re.findall(r'<td class="[^"]*">(.*?)</td>', row)
        ]
        assert cells
        if code == "T1":
            assert all(re.fullmatch(r"[\d.]+–[\d.]+|–", cell) for cell in cells), cells
        else:
            assert all(re.fullmatch(r"\d+\.\d", cell) for cell in cells), cells


def test_a_partial_wave_is_never_the_previous_wave_of_a_wider_one(client_for, trust):
    """Change is measured against the latest earlier wave that surveyed every unit the wave
    did: a ward's pulse between two trust-wide waves is skipped by the later one, and its
    own previous wave is the trust-wide wave before it."""
    counts = {"W1": 14, "W2": 12, "T1": 12, "SURG": 6}
    autumn = closed_wave(trust, counts, threshold=K, title="Autumn")
    staff_roster(trust, {"W1": 14})
    ward = make_wave(
        trust,
        units=("W1",),
        threshold=K,
        title="Ward 1 pulse",
        instruments=INSTRUMENTS,
        launch=True,
    )
    add_ballots(ward, "W1", 14)
    ward = services.close_wave(wave=ward, actor=Actor.system("tests"))
    spring = closed_wave(trust, counts, threshold=K, title="Spring")
    assert rs.load_results(ward).previous.wave_id == autumn.pk
    assert rs.load_results(spring).previous.wave_id == autumn.pk
    assert rs.load_results(autumn).previous is None
    page = client_for("board").get(reverse("insights:unit", args=[spring.pk, "SURG"]))
    assert "Change since Autumn" in text_of(page)
