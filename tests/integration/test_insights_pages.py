"""The results pages: the list of closed waves, the heatmap (levels, staff groups, colours,
sorting, hidden cells explained), its download, access, and a constant number of queries."""

import csv
import html as htmllib
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from colead.audit.models import AuditEvent
from colead.core.actor import Actor
from colead.insights import exports, queries
from colead.lib.errors import Refused
from colead.org.models import Unit
from tests.factories import UnitFactory
from tests.integration.insights_fixtures import closed_wave
from tests.integration.waves_fixtures import make_wave

pytestmark = pytest.mark.django_db

K = 5
COUNTS = {"W1": 14, "W2": 3, "T1": (12, 0.8), "SURG": 6}


@pytest.fixture
def wave(trust):
    return closed_wave(trust, COUNTS, threshold=K)


def heatmap_url(wave, query=""):
    return reverse("insights:heatmap", args=[wave.pk]) + query


def download_url(wave, query):
    return reverse("insights:heatmap_export", args=[wave.pk]) + query


def body_rows(response) -> dict[str, list[str]]:
    """Row header -> the text of each cell, from the heatmap table."""
    html = response.content.decode()
    table = html[html.index("<tbody") : html.index("</tbody>")]
    rows = {}
    for row in re.findall(r"<tr.*?</tr>", table, re.S):
        header = re.search(r'<th[^>]*scope="row">(.*?)</th>', row, re.S).group(1)
        header = re.sub(r"<[^>]+>", "", header)  # the unit's name is a link
        cells = [
            htmllib.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        rows[htmllib.unescape(header)] = cells
    return rows


def test_the_list_shows_closed_waves_only(client_for, wave, trust):
    make_wave(trust, title="Still open", launch=True)
    response = client_for("board").get(reverse("insights:index"))
    assert response.status_code == 200
    titles = [row["wave"].title for row in response.context_data["rows"]]
    assert titles == ["Spring results"]
    assert reverse("insights:heatmap", args=[wave.pk]) in response.content.decode()


def test_results_are_in_the_navigation_for_those_who_may_see_them(client_for, wave):
    people = (("board", True), ("od", True), ("manager", True), ("staff", True), ("change", False))
    for persona, shown in people:
        html = client_for(persona).get(reverse("home:home")).content.decode()
        assert (f'href="{reverse("insights:index")}"' in html) is shown, persona


def test_the_heatmap_marks_and_explains_hidden_cells(client_for, wave):
    # rows whose figures are all hidden are listed only when asked for
    response = client_for("board").get(heatmap_url(wave, "?level=3&show_hidden=1"))
    assert response.status_code == 200
    rows = body_rows(response)
    assert set(rows) == {"Ward 1", "Ward 2"}
    # Ward 2 has 3 responses; Ward 1 is hidden so that Cardiology − Ward 1 is not Ward 2
    assert all(text.startswith(f"<{K}") for text in rows["Ward 2"])
    assert rows["Ward 2"][1].endswith(f"Fewer than {K} responses")
    assert all(text.startswith("Hidden") for text in rows["Ward 1"])
    assert rows["Ward 1"][1].endswith("Hidden so that a smaller group cannot be worked out")
    html = response.content.decode()
    assert "fewer than 5 responses" in html  # the key


def test_the_table_is_accessible_markup(client_for, wave):
    html = client_for("board").get(heatmap_url(wave, "?level=2")).content.decode()
    assert '<caption class="nhsuk-table__caption' in html
    assert html.count('scope="col"') == 2 + 12  # unit, responses, 12 themes
    assert 'scope="row"' in html
    assert 'aria-sort="ascending"' in html  # sorted by unit by default
    assert 'role="region"' in html and 'tabindex="0"' in html  # scrollable by keyboard


def test_each_cell_says_its_value_in_text_whatever_the_colouring(client_for, wave):
    client = client_for("board")
    score = body_rows(client.get(heatmap_url(wave, "?level=2")))
    assert re.fullmatch(r"\d+\.\d", score["Theatres"][1])
    compared = body_rows(client.get(heatmap_url(wave, "?level=2&colour=comparison")))
    assert all(
        re.fullmatch(r"\d+\.\d (better|worse|similar)", text) for text in compared["Theatres"][1:]
    )
    html = client.get(heatmap_url(wave, "?level=2&colour=comparison")).content.decode()
    assert '<td class="hb">' in html  # Theatres answered higher on purpose


def test_sorting_by_a_column_works_without_javascript(client_for, wave):
    client = client_for("board")
    response = client.get(heatmap_url(wave, "?level=2&sort=engagement&order=desc"))
    heads = response.context_data["heads"]
    engagement = next(h for h in heads if h["key"] == "engagement")
    assert engagement["aria_sort"] == "descending"
    assert "order=asc" in engagement["href"]  # the link sorts the other way
    rows = response.context_data["rows"]
    values = [row.cells[9][1] for row in rows]
    numbers = [float(v) for v in values if re.fullmatch(r"\d+\.\d", v)]
    assert numbers == sorted(numbers, reverse=True)
    ascending = client.get(heatmap_url(wave, "?level=2&sort=engagement&order=asc"))
    values = [row.cells[9][1] for row in ascending.context_data["rows"]]
    numbers = [float(v) for v in values if re.fullmatch(r"\d+\.\d", v)]
    assert numbers == sorted(numbers)


def test_the_staff_group_filter(client_for, wave):
    client = client_for("board")
    response = client.get(heatmap_url(wave, "?level=1&group=medical_dental"))
    assert response.status_code == 200
    rows = body_rows(response)
    assert set(rows) == {"Medicine: Medical and dental", "Surgery: Medical and dental"}
    each = body_rows(client.get(heatmap_url(wave, "?level=1&group=*")))
    assert len(each) == 2 * 3
    bad = client.get(heatmap_url(wave, "?group=astronauts"))
    assert bad.status_code == 400
    assert "There is no staff group 'astronauts'" in htmllib.unescape(bad.content.decode())


def test_bad_parameters_are_explained(client_for, wave):
    response = client_for("board").get(heatmap_url(wave, "?level=9&colour=rainbow&by=shoe_size"))
    assert response.status_code == 400
    texts = [error["text"] for error in response.context_data["error_list"]]
    page = htmllib.unescape(response.content.decode())
    assert all(text in page for text in texts)
    assert any("There is no level 9 to show. Choose a level from 0 to 3" in t for t in texts)
    assert any("no colouring 'rainbow'" in t for t in texts)
    assert any("no breakdown 'shoe_size'" in t for t in texts)
    assert response.content.decode().count("nhsuk-error-summary") >= 1
    assert "Error:" in response.content.decode().split("</title>")[0]


def test_a_manager_sees_only_their_subtree(client_for, wave):
    client = client_for("manager")  # manages Ward 1, and as staff there sees the units above
    response = client.get(heatmap_url(wave))
    assert response.status_code == 200
    assert response.context_data["params"].level == "team"
    assert set(body_rows(client.get(heatmap_url(wave, "?show_hidden=1")))) == {"Ward 1"}
    above = client.get(heatmap_url(wave, "?level=1&show_hidden=1"))
    assert set(body_rows(above)) == {"Medicine"}  # not Surgery
    download = client.get(download_url(wave, "?level=3&format=csv"))
    codes = {row["unit_code"] for row in csv.DictReader(io.StringIO(download.content.decode()))}
    assert codes == {"W1"}


def test_each_heatmap_view_with_figures_is_audited(client_for, wave):
    client_for("manager").get(heatmap_url(wave))
    client_for("board").get(heatmap_url(wave, "?level=2&by=staff_group"))
    client_for("board").get(heatmap_url(wave, "?level=9"))  # 400: no figures shown
    events = list(AuditEvent.objects.filter(action="insights.heatmap_view").order_by("pk"))
    assert [(e.actor_label, e.detail["level"], e.detail["breakdown"]) for e in events] == [
        ("manager@test.test", "team", None),
        ("board@test.test", 2, "staff_group"),
    ]
    assert events[0].detail["rows"] == 1  # Ward 1 only
    assert all(e.object_id == str(wave.pk) for e in events)


def test_a_manager_is_refused_a_wave_that_surveyed_none_of_their_units(
    client_for, trust, persona_users
):
    wave = closed_wave(trust, {"T1": 12}, threshold=K)
    wave.target_units.set([Unit.objects.get(code="SURG")])
    assert client_for("board").get(heatmap_url(wave)).status_code == 200
    # As staff, the manager sees the organisation's results, and none of Surgery's units.
    top = client_for("manager").get(heatmap_url(wave, "?level=0&show_hidden=1"))
    assert top.status_code == 200 and set(body_rows(top)) == {"Test Trust"}
    below = client_for("manager").get(heatmap_url(wave, "?level=1"))
    assert "There are no units to show at this level." in below.content.decode()
    manager = Actor.of_user(persona_users["manager"], source="web")
    with pytest.raises(Refused, match="did not survey any of the units"):
        queries.heatmap_export(manager, organisation=trust["org"], wave_id=wave.pk, fmt="json")


def test_staff_and_other_organisations_are_refused(client_for, wave, trust):
    assert client_for("change").get(heatmap_url(wave)).status_code == 403
    assert client_for("change").get(reverse("insights:index")).status_code == 403
    assert client_for("safety").get(heatmap_url(wave)).status_code == 403
    assert client_for("outsider").get(heatmap_url(wave)).status_code == 404
    open_wave = make_wave(trust, title="Open", launch=True)
    not_yet = client_for("board").get(heatmap_url(open_wave))  # says why, as the API does
    assert not_yet.status_code == 409
    assert "still open: results are shown only once a wave has closed" in not_yet.content.decode()


def test_the_download_carries_the_same_protected_rows_as_csv_and_xlsx(client_for, wave):
    client = client_for("od")
    response = client.get(download_url(wave, "?level=3&format=csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert tuple(lines[0]) == exports.COLUMNS
    by_unit = {}
    for line in lines:
        by_unit.setdefault(line["unit_code"], []).append(line)
    assert {line["suppressed"] for line in by_unit["W2"]} == {"primary"}
    assert {line["suppressed"] for line in by_unit["W1"]} == {"complementary"}
    for line in by_unit["W1"] + by_unit["W2"]:
        assert [line[c] for c in exports.COLUMNS[5:11]] == [""] * 6

    xlsx = client.get(download_url(wave, "?level=3&format=xlsx"))
    assert xlsx["Content-Type"] == exports.FORMATS["xlsx"]
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).active
    width = len(exports.COLUMNS)  # empty cells at the end of a row are not stored
    table = [tuple(row) + (None,) * (width - len(row)) for row in sheet.iter_rows(values_only=True)]
    assert table[0] == exports.COLUMNS
    for row in table[1:]:
        record = dict(zip(exports.COLUMNS, row, strict=True))
        if record["unit_code"] in ("W1", "W2"):
            assert record["n"] is None and record["score"] is None
            assert record["suppressed"] in ("primary", "complementary")
    assert len(table) == len(lines) + 1
    events = AuditEvent.objects.filter(action="insights.heatmap_export")
    assert [e.detail["format"] for e in events.order_by("pk")] == ["csv", "xlsx"]
    assert events.first().detail["source"] == "web"


def test_the_download_refuses_a_bad_format(client_for, wave):
    response = client_for("board").get(download_url(wave, "?level=1&format=pdf"))
    assert response.status_code == 400
    assert "There is no format 'pdf'. Use csv or xlsx." in response.content.decode()
    assert not AuditEvent.objects.filter(action="insights.heatmap_export").exists()


def test_the_heatmap_page_makes_a_constant_number_of_queries(client_for, trust):
    client = client_for("board")
    small = closed_wave(trust, {"W1": 12, "T1": 12}, threshold=K, title="Small")
    surgery = Unit.objects.get(code="SURG")
    for i in range(12):
        UnitFactory(organisation=trust["org"], code=f"X{i}", parent=surgery, level="team")
    counts = {"W1": 20, "W2": 11, "T1": 15, **{f"X{i}": 6 + i for i in range(12)}}
    large = closed_wave(trust, counts, threshold=K, title="Large")
    measured = []
    for wave in (small, large):
        for query in ("?level=1", "?level=2&colour=comparison", "?level=2&group=*"):
            client.get(heatmap_url(wave, query))  # warm the caches
            with CaptureQueriesContext(connection) as queries:
                assert client.get(heatmap_url(wave, query)).status_code == 200
            measured.append(len(queries))
    assert len(set(measured)) == 1, measured
    assert measured[0] <= 12
