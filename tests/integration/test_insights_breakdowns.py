"""Breakdowns other than staff group, on the heatmap page, in ``colead export heatmap --by``
and in the API: every breakdown the wave's responses carry is offered and labelled, a
breakdown refused by disclosure control (R3 remainder, R4 protected characteristics) is
explained and shows no numbers, and an unknown breakdown is refused with the list of those
allowed."""

import csv
import html as htmllib
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from colead.accounts.models import ApiToken
from colead.audit.models import AuditEvent
from colead.core.actor import Actor
from colead.insights import exports
from colead.surveys import services
from tests.integration.analysis_fixtures import add_mood_ballots, invite_people_like
from tests.integration.insights_fixtures import INSTRUMENTS
from tests.integration.waves_fixtures import make_wave

pytestmark = pytest.mark.django_db

K = 5
BANDS = ("band_1_4", "band_5_7")


def people(unit_size, *, unrecorded_band=0, bands=BANDS):
    """Demographics for a unit's people: staff group, band (taking ``bands`` in turn; the
    last ``unrecorded_band`` people without one) and sex (female and male in turn)."""

    def of(i):
        record = {
            "staff_group": "nursing_midwifery_registered",
            "sex": ("female", "male")[i % 2],
        }
        if i < unit_size - unrecorded_band:
            record["band"] = bands[i % len(bands)]
        return record

    return of


@pytest.fixture
def wave(trust):
    """Ward 1: 9 people, 7 in band 5 to 7 and 2 without a band: showing the 7 would give the
    2 away (R3, the spec's "team of 10" example), so Ward 1 is not broken down by band.
    Ward 2: 12, Theatres: 30 (5 without a band). Medicine has 21 and Surgery 30, both under
    the 50 that protected characteristics need below the organisation (R4), which has 51.
    Each respondent is an invited person whose workforce record agrees with their answers."""
    units = (
        ("W1", 9, people(9, unrecorded_band=2, bands=("band_5_7",))),
        ("W2", 12, people(12)),
        ("T1", 30, people(30, unrecorded_band=5)),
    )
    for code, size, demographics in units:
        invite_people_like(trust, {code: size}, demographics=demographics)
    wave = make_wave(
        trust, units=("TST1-ROOT",), threshold=K, title="Spring", instruments=INSTRUMENTS
    )
    wave = services.launch_wave(wave=wave, actor=Actor.system("tests"))
    for code, size, demographics in units:
        add_mood_ballots(wave, code, size, demographics=demographics)
    return services.close_wave(wave=wave, actor=Actor.system("tests"))


def heatmap(client, wave, query=""):
    """The heatmap page with every row listed, those whose figures are all hidden too."""
    listed = query + ("&" if "?" in query else "?") + "show_hidden=1"
    return client.get(reverse("insights:heatmap", args=[wave.pk]) + listed)


def body_rows(response) -> dict[str, list[str]]:
    html = response.content.decode()
    table = html[html.index("<tbody") : html.index("</tbody>")]
    rows = {}
    for row in re.findall(r"<tr.*?</tr>", table, re.S):
        header = re.search(r'<th[^>]*scope="row">(.*?)</th>', row, re.S).group(1)
        cells = [
            htmllib.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        rows[htmllib.unescape(re.sub(r"<[^>]+>", "", header)).strip()] = cells
    return rows


def text_of(response) -> str:
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", main)))


def test_the_filter_offers_every_breakdown_the_wave_carries(client_for, wave):
    response = heatmap(client_for("board"), wave, "?level=1")
    assert response.status_code == 200
    assert response.context_data["breakdowns"] == [
        ("staff_group", "Staff group"),
        ("band", "Pay band"),
        ("sex", "Sex"),
    ]
    html = response.content.decode()
    assert 'id="by"' in html and 'id="group"' not in html  # groups once a breakdown is chosen
    assert "Sex is a protected characteristic: it is broken down only for the whole " in (
        text_of(response)
    )
    by_band = heatmap(client_for("board"), wave, "?level=0&by=band")
    assert by_band.context_data["groups"] == [
        ("band_1_4", "Band 1 to 4"),
        ("band_5_7", "Band 5 to 7"),
        ("(not recorded)", "Not recorded"),
    ]
    page = by_band.content.decode()
    assert '<label class="nhsuk-label" for="group">' in page
    assert 'name="group_of" value="band"' in page
    rows = body_rows(by_band)
    assert set(rows) == {
        "Test Trust: Band 1 to 4",
        "Test Trust: Band 5 to 7",
        "Test Trust: Not recorded",
    }
    assert re.fullmatch(r"\d+", rows["Test Trust: Band 1 to 4"][0])  # shown, with its count
    assert "by pay band" in page


def test_a_breakdown_refused_by_the_remainder_rule_is_explained_without_numbers(client_for, wave):
    response = heatmap(client_for("board"), wave, "?level=3&by=band")
    assert response.status_code == 200
    rows = body_rows(response)
    # the 7 in band 5 to 7 would give away the 2 who did not say: not shown; the rest are
    # below the threshold anyway
    assert all(cell.startswith("Not shown") for cell in rows["Ward 1: Band 5 to 7"])
    assert all(cell.startswith("<5") for cell in rows["Ward 1: Not recorded"])
    ward1 = [cells for name, cells in rows.items() if name.startswith("Ward 1:")]
    assert len(ward1) == 3
    assert not any(re.match(r"\d", cell) for cells in ward1 for cell in cells)  # no figure
    assert "Ward 1" in response.context_data["refused_units"]
    text = text_of(response)
    assert "Not broken down by pay band" in text
    assert "when only a few people in a unit did not say their pay band" in text
    assert "Not shown: this unit is not broken down this way" in text  # the key


def test_protected_characteristics_are_broken_down_for_the_organisation_only_here(client_for, wave):
    divisions = heatmap(client_for("board"), wave, "?level=1&by=sex")
    rows = body_rows(divisions)
    assert rows and all(cell.startswith("Not shown") for cells in rows.values() for cell in cells)
    text = text_of(divisions)
    assert "Sex is a protected characteristic, so it is broken down only for the whole " in text
    assert "at least 50 responses" in text
    organisation = body_rows(heatmap(client_for("board"), wave, "?level=0&by=sex"))
    assert set(organisation) == {"Test Trust: Female", "Test Trust: Male"}
    assert all(re.fullmatch(r"\d+\.\d", cell) for cell in organisation["Test Trust: Female"][1:])


def test_one_group_of_a_breakdown(client_for, wave):
    client = client_for("board")
    response = heatmap(client, wave, "?level=0&by=band&group=band_5_7&group_of=band")
    assert set(body_rows(response)) == {"Test Trust: Band 5 to 7"}
    assert response.context_data["group_label"] == "Band 5 to 7"
    wrong = heatmap(client, wave, "?level=0&by=band&group=medical_dental")
    assert wrong.status_code == 400
    assert "There is no pay band 'medical_dental' in this wave's results." in text_of(wrong)
    # the breakdown changed on the form: the staff group chosen before is dropped, not an error
    changed = heatmap(client, wave, "?level=0&by=band&group=medical_dental&group_of=staff_group")
    assert changed.status_code == 200
    assert changed.context_data["params"].group is None
    assert len(body_rows(changed)) == 3


def test_a_breakdown_the_wave_does_not_carry_names_those_it_does(client_for, wave):
    response = heatmap(client_for("board"), wave, "?by=age_band")
    assert response.status_code == 400
    text = text_of(response)
    assert "has no age group recorded with its responses" in text
    assert "Use staff_group, band or sex (the breakdowns this wave's responses carry)" in text


def test_the_download_follows_the_breakdown(client_for, wave):
    response = client_for("od").get(
        reverse("insights:heatmap_export", args=[wave.pk]) + "?level=3&by=band&format=csv"
    )
    assert response.status_code == 200
    assert "-band-" in response["Content-Disposition"]
    lines = list(csv.DictReader(io.StringIO(response.content.decode())))
    ward1 = [line for line in lines if line["unit_code"] == "W1"]
    assert {line["suppressed"] for line in ward1 if line["breakdown"] == "band_5_7"} == {"refused"}
    assert all(line["score"] == "" and line["n"] == "" for line in ward1)


def test_export_by_band(wave, capsys):
    call_command(
        "export", "heatmap", "--wave", str(wave.pk), "--level", "0", "--by", "band", "--format",
        "csv",
    )  # fmt: skip
    lines = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert tuple(lines[0]) == exports.COLUMNS
    assert {line["breakdown"] for line in lines} == {"band_1_4", "band_5_7", "(not recorded)"}
    shown = [line for line in lines if line["breakdown"] == "band_1_4"]
    assert shown and all(line["suppressed"] == "" and float(line["score"]) >= 0 for line in shown)
    assert len(lines) == 3 * 12  # three groups × 12 themes
    event = AuditEvent.objects.get(action="insights.heatmap_export")
    assert event.detail["breakdown"] == "band" and event.detail["source"] == "cli"

    call_command(
        "export", "heatmap", "--wave", str(wave.pk), "--level", "3", "--by", "band", "--format",
        "csv",
    )  # fmt: skip
    ward1 = [
        line
        for line in csv.DictReader(io.StringIO(capsys.readouterr().out))
        if line["unit_code"] == "W1"
    ]
    assert {line["suppressed"] for line in ward1} == {"refused", "primary"}
    assert all(line["score"] == "" for line in ward1)


def test_export_refuses_an_unknown_breakdown_listing_the_allowed_ones(wave):
    with pytest.raises(CommandError) as error:
        call_command(
            "export", "heatmap", "--wave", str(wave.pk), "--level", "1", "--by", "grade",
            "--format", "csv",
        )  # fmt: skip
    assert str(error.value) == (  # the option to put right, then what is wrong
        "--by: There is no breakdown 'grade'. Use staff_group, band or sex (the breakdowns this "
        "wave's responses carry), or leave it out for whole units."
    )


def test_the_api_accepts_the_same_breakdowns(client, persona_users, wave):
    token = ApiToken.generate(user=persona_users["board"], name="test")[1]
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/insights/waves/{wave.pk}/heatmap"
    body = client.get(url, {"level": 0, "by": "band"}, headers=headers).json()
    assert body["breakdown"] == "band"
    assert {row["breakdown"] for row in body["rows"]} == {"band_1_4", "band_5_7", "(not recorded)"}
    missing = client.get(url, {"level": 0, "by": "age_band"}, headers=headers)
    assert missing.status_code == 422
    assert "Use staff_group, band or sex" in missing.json()["detail"][0]["msg"]
    unknown = client.get(url, {"level": 0, "by": "grade"}, headers=headers)
    assert unknown.status_code == 422
    assert "'staff_group'" in str(unknown.json()["detail"])  # the allowed values are listed
