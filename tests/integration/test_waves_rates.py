"""Response rates: /surveys/<id>/rates/. Counts roll up the tree, device responses count for
their unit only, small counts are hidden, managers see only their subtree, and the number of
queries does not grow with the number of units."""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from colead.core.actor import Actor
from colead.lib import charts
from colead.surveys import services
from colead.surveys.models import Ballot, Response
from tests.integration.pages_trees import build_tree
from tests.integration.waves_fixtures import device_responses, make_wave, respond

SYSTEM = Actor.system("tests")

pytestmark = pytest.mark.django_db


def main(response) -> str:
    html = response.content.decode()
    html = html[html.index("<main") : html.index("</main>")]
    return unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))


def rates_url(wave, unit=None):
    return reverse("surveys:rates", args=[wave.pk]) + (f"?unit={unit}" if unit else "")


def unit_table(response):
    return [
        (row.key, row.invited_text, row.responded_text, row.rate_text)
        for row in response.context_data["unit_rows"]
    ]


@pytest.fixture
def wave(trust):
    """The whole trust (12 people: W1 5, W2 3, T1 4), threshold 5."""
    return make_wave(trust, units=["TST1-ROOT"], threshold=5, launch=True)


def surgery_responds(wave, trust):
    """Everyone in Surgery (Theatres' 4) responds, and 1 more on Theatres' shared device: 5.
    A division whose people all stay silent is a small count (nobody responded), and the
    trust's total minus Medicine's would reveal it, so Medicine's could not be shown."""
    respond(wave, "T1", 4)
    device_responses(wave, trust["units"]["T1"], 1)


def test_counts_roll_up_the_tree_and_small_counts_are_hidden(client_for, wave):
    respond(wave, "W1", 5)
    respond(wave, "W2", 1)
    respond(wave, "T1", 2)
    response = client_for("od").get(rates_url(wave))
    assert response.status_code == 200
    assert unit_table(response) == [
        ("TST1-ROOT", "12", "8", "67%"),
        # Hidden: the trust's figures minus Medicine's would reveal Surgery's small counts.
        ("MED", "not shown", "not shown", "not shown"),
        ("CARD", "not shown", "not shown", "not shown"),
        ("SURG", "fewer than 5", "fewer than 5", "not shown"),
        ("T1", "fewer than 5", "fewer than 5", "not shown"),
    ]
    text = main(response)
    assert "fewer than 5" in text
    assert "reporting threshold of 5" in text


def test_drilling_down_shows_the_units_inside(client_for, wave):
    respond(wave, "W1", 5)
    response = client_for("od").get(rates_url(wave, "CARD"))
    # Nobody of Ward 2's 3 people responded: a small count, not an empty unit. Cardiology's 5
    # or Ward 1's 5 beside the trust's 5 would reveal it (and Surgery's silent 4), so both
    # are hidden; Ward 2 (3 invited) can never reach 5 responses to protect Ward 1 instead.
    assert unit_table(response) == [
        ("CARD", "not shown", "not shown", "not shown"),
        ("W1", "not shown", "not shown", "not shown"),
        ("W2", "fewer than 5", "fewer than 5", "not shown"),
    ]
    assert response.context_data["up"].code == "MED"
    html = response.content.decode()
    assert 'href="?unit=MED"' in html
    top = client_for("od").get(rates_url(wave))
    assert 'href="?unit=CARD"' in top.content.decode()
    assert unit_table(top)[0] == ("TST1-ROOT", "12", "5", "42%")


def test_a_threshold_of_11_hides_everything_in_a_small_trust(client_for, trust):
    wave = make_wave(trust, units=["TST1-ROOT"], threshold=11, launch=True)
    respond(wave, "W1", 5)
    response = client_for("board").get(rates_url(wave))
    rows = unit_table(response)
    assert rows[0] == ("TST1-ROOT", "12", "fewer than 11", "not shown")
    assert all(row[2] == "fewer than 11" for row in rows)
    assert "fewer than 11" in main(response)
    assert not re.search(r"\b5\b", " ".join(" ".join(row) for row in rows))


def test_device_responses_count_for_their_unit_but_no_staff_group(client_for, wave, trust):
    surgery_responds(wave, trust)
    respond(wave, "W1", 5)
    device_responses(wave, trust["units"]["W2"], 6)
    response = client_for("od").get(rates_url(wave, "CARD"))
    assert unit_table(response) == [
        ("CARD", "not shown", "11", "not shown"),
        ("W1", "not shown", "5", "not shown"),
        ("W2", "fewer than 5", "6", "not shown"),
    ]
    groups = [
        (row.label, row.invited_text, row.responded_text)
        for row in response.context_data["group_rows"]
    ]
    assert groups == [("Registered nursing and midwifery", "not shown", "5")]
    assert "Responses from shared devices are not in any staff group: 6." in main(response)


def test_imported_responses_count_for_their_unit_and_day_while_the_wave_is_open(
    client_for, wave, trust
):
    """Paper forms imported into an open wave are responses: they count towards their unit
    and their day (they have no invitation, so no staff group), on the page and the API."""
    from colead.surveys.imports import import_responses

    surgery_responds(wave, trust)
    respond(wave, "W1", 5)
    rows = ["unit_code,vv1"] + ["W2,4"] * 6
    import_responses(
        wave=wave, content="\n".join(rows).encode(), filename="paper.csv", actor=SYSTEM
    )
    response = client_for("od").get(rates_url(wave, "CARD"))
    assert unit_table(response) == [
        ("CARD", "not shown", "11", "not shown"),
        ("W1", "not shown", "5", "not shown"),
        ("W2", "fewer than 5", "6", "not shown"),
    ]
    assert "and imported from files are not in any staff group: 6." in main(response)
    assert sum(period.responses for period in response.context_data["periods"]) == 11
    body = client_for("od").get(f"/api/v1/waves/{wave.pk}/rates").json()
    assert body["imported_responses"] == 6
    assert body["shared_device_responses"] is None


def test_staff_groups_cover_the_viewers_scope(client_for, wave):
    respond(wave, "T1", 4)
    respond(wave, "W1", 5)
    response = client_for("od").get(rates_url(wave))
    groups = [
        (row.label, row.invited_text, row.responded_text, row.rate_text)
        for row in response.context_data["group_rows"]
    ]
    assert groups == [
        ("Additional clinical services", "fewer than 5", "fewer than 5", "not shown"),
        # Hidden too, or the trust's total minus this group would reveal the small one.
        ("Registered nursing and midwifery", "not shown", "not shown", "not shown"),
    ]


def test_a_manager_sees_only_their_subtree(client_for, wave, trust):
    day = date(2030, 3, 2)
    respond(wave, "W1", 5, on=day)
    respond(wave, "W2", 3, on=day)
    respond(wave, "T1", 4, on=day)
    device_responses(wave, trust["units"]["T1"], 7, on=day)
    response = client_for("manager").get(rates_url(wave))
    assert response.status_code == 200
    # Ward 1's own figures are hidden: Cardiology's minus Ward 1's would reveal Ward 2's.
    assert unit_table(response) == [("W1", "not shown", "not shown", "not shown")]
    groups = [
        (r.label, r.invited_hidden, r.responded_hidden) for r in response.context_data["group_rows"]
    ]
    assert groups == [("Registered nursing and midwifery", True, True)]
    assert [(p.responses_text, p.cumulative_text) for p in response.context_data["periods"]] == [
        ("not shown", "not shown")
    ]
    text = main(response)
    for outside in ["Medicine", "Surgery", "Cardiology", "Ward 2", "Theatres"]:
        assert outside not in text
    # The trust (12 invited, 19 responded), MED and CARD (8, 8) and SURG (4, 11) never appear.
    numbers = set(re.findall(r"\b\d+\b", text))
    assert not numbers & {"12", "19", "8", "11", "7"}, numbers
    assert "For Ward 1 and the units below it." in text


@pytest.mark.parametrize("code", ["MED", "CARD", "SURG", "TST1-ROOT", "W2"])
def test_a_manager_cannot_drill_outside_their_subtree(client_for, wave, code):
    assert client_for("manager").get(rates_url(wave, code)).status_code == 403


def test_an_unknown_or_foreign_unit_is_not_found(client_for, wave):
    assert client_for("od").get(rates_url(wave, "NOPE")).status_code == 404
    assert client_for("od").get(rates_url(wave, "OTH-ROOT")).status_code == 404


def test_responses_by_day_are_grouped_so_no_figure_is_below_the_threshold(client_for, wave):
    first = date(2030, 3, 2)
    respond(wave, "W1", 5, on=first)
    respond(wave, "W2", 1, on=first + timedelta(days=1))
    respond(wave, "T1", 3, on=first + timedelta(days=2))
    respond(wave, "W2", 2, on=first + timedelta(days=3))
    response = client_for("od").get(rates_url(wave))
    periods = [
        (p.label, p.responses_text, p.cumulative_text) for p in response.context_data["periods"]
    ]
    assert periods == [("2 March 2030", "5", "5"), ("3 to 5 March 2030", "6", "11")]
    assert response.context_data["chart_src"].startswith("data:image/svg+xml;base64,")
    html = response.content.decode()
    assert 'alt="Bar chart of responses by day' in html
    assert "Total so far" in main(response)
    # the chart shows what the table beside it says, row for row
    section = html[html.index('id="by-day"') :]
    table = section[section.index("<tbody") : section.index("</tbody>")]
    # the responsive table repeats its headings inside each cell, for narrow screens
    table = re.sub(r'<span class="nhsuk-table__heading"[^>]*>.*?</span>', "", table)
    cells = [
        unescape(" ".join(re.sub(r"<[^>]+>", " ", c).split()))
        for c in re.findall(r"<td[^>]*>(.*?)</td>", table, re.S)
    ]
    rows = [tuple(cells[i : i + 3]) for i in range(0, len(cells), 3)]
    chart = charts.data_values(response.context_data["chart_spec"])
    assert rows == [(v["label"], str(v["count"]), str(v["total"])) for v in chart]


def test_no_chart_when_the_total_is_below_the_threshold(client_for, wave):
    respond(wave, "W1", 3)
    response = client_for("od").get(rates_url(wave))
    assert [(p.responses_text, p.cumulative_text) for p in response.context_data["periods"]] == [
        ("fewer than 5", "fewer than 5")
    ]
    assert response.context_data["chart_src"] is None
    assert "<img" not in response.content.decode()


def test_a_closed_wave_counts_its_responses(client_for, wave, trust):
    respond(wave, "W1", 5, on=date(2030, 3, 2))
    device_responses(wave, trust["units"]["W1"], 1, on=date(2030, 3, 3))
    services.close_wave(wave=wave, actor=SYSTEM)
    assert not Ballot.objects.exists() and Response.objects.count() == 6
    response = client_for("board").get(rates_url(wave, "W1"))
    # Ward 1's 6 is hidden: nobody of Ward 2's 3 people (or Surgery's 4) responded, a small
    # count, and the trust's 6 minus Ward 1's would reveal it. The trust's row shows the same count: the 5
    # kept at close with the invitations' flags erased, plus the shared device's 1.
    assert unit_table(response) == [("W1", "not shown", "not shown", "not shown")]
    top = unit_table(client_for("board").get(rates_url(wave)))
    assert top[0] == ("TST1-ROOT", "12", "6", "50%")
    assert [p.label for p in response.context_data["periods"]] == ["2 to 3 March 2030"]
    assert "final figures" in main(response)


def test_a_draft_wave_has_no_rates_yet(client_for, trust):
    draft = make_wave(trust)
    response = client_for("od").get(rates_url(draft))
    assert response.status_code == 200
    assert "has not been launched" in main(response)


def query_count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_queries_do_not_grow_with_the_number_of_units(client_for, trust):
    small = make_wave(trust, units=["TST1-ROOT"], threshold=5, launch=True, title="Small")
    respond(small, "W1", 5)
    client = client_for("od")
    query_count(client, rates_url(small))  # warm up sessions and caches
    small_rates = query_count(client, rates_url(small))
    small_list = query_count(client, reverse("surveys:wave_list"))

    build_tree(trust["org"], [4, 4, 3], 2, root=trust["units"]["SURG"])  # 64 more units
    big = make_wave(trust, units=["TST1-ROOT"], threshold=5, launch=True, title="Big")
    for code in ["SURG.0.0.0", "SURG.1.2.1", "SURG.3.3.2"]:
        respond(big, code, 2)
    respond(big, "W1", 5)
    assert len(big.wave_units.all()) > 40
    assert query_count(client, rates_url(big)) == small_rates
    assert query_count(client, rates_url(big, "SURG.1")) == small_rates
    assert query_count(client, reverse("surveys:wave_list")) == small_list


def test_manager_queries_do_not_grow_either(client_for, trust):
    wave = make_wave(trust, units=["TST1-ROOT"], threshold=5, launch=True)
    client = client_for("manager")
    query_count(client, rates_url(wave))
    before = query_count(client, rates_url(wave))
    build_tree(trust["org"], [3, 3], 2, root=trust["units"]["W1"], prefix="M")
    bigger = make_wave(trust, units=["TST1-ROOT"], threshold=5, launch=True, title="Bigger")
    assert query_count(client, rates_url(bigger)) == before
