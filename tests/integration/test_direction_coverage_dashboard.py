"""The coverage dashboard (/direction/coverage/): headline figures and drill-down that match
colead.direction.coverage, the lists behind each figure, snapshots and the trend, coverage
against the survey's goals and performance score (only visible scores), and a constant
number of queries. (Who may open it is also in test_url_access_matrix.py.)"""

import base64
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from scipy import stats

from colead.audit.models import AuditEvent
from colead.direction import facts, services
from colead.direction.models import CoverageSnapshot, Objective
from colead.insights import results as rs
from colead.lib import charts, memory
from tests.factories import PersonFactory, UnitFactory
from tests.integration.direction_fixtures import SYSTEM, as_user, golden_thread, make

TODAY = timezone.localdate()
URL = "/direction/coverage/"


@pytest.fixture
def thread(trust):
    return golden_thread(trust)


def report_of(trust):
    return facts.load(trust["org"]).coverage(TODAY)


# -- Who may see it --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, status",
    [
        ("admin", 200),
        ("board", 200),
        ("od", 200),
        ("manager", 403),  # objectives of Ward 1 only: the figures are the organisation's
        ("staff", 403),
        ("change", 403),
        ("safety", 403),
    ],
)
def test_the_dashboard_is_for_those_who_see_every_objective(client_for, thread, persona, status):
    assert client_for(persona).get(URL).status_code == status
    assert client_for(persona).get(URL + "orphans/").status_code == status


def test_signed_out_visitors_are_sent_to_sign_in(client, thread):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")


def test_the_golden_thread_links_to_the_dashboard_for_those_allowed(client_for, thread):
    assert 'href="/direction/coverage/"' in client_for("board").get("/direction/").content.decode()
    assert 'href="/direction/coverage/"' not in (
        client_for("staff").get("/direction/").content.decode()
    )


# -- The figures -----------------------------------------------------------------------------


def test_headline_figures_match_the_coverage_report(client_for, trust, thread):
    response = client_for("board").get(URL)
    assert response.status_code == 200
    context = response.context_data
    report = report_of(trust)
    assert context["figures"] == {
        "teams": report.teams,
        "teams_covered": report.teams_covered,
        "staff": report.staff,
        "staff_covered": report.staff_covered,
        "objectives": report.objectives,
        "orphans": len(report.orphan_ids),
        "thickets": len(report.thicket_counts),
        "stale": len(report.stale_days),
    }
    # W1 and W2 have agreed, aligned objectives; T1's is an orphan; S1-A is a draft.
    assert (report.teams, report.teams_covered, report.staff, report.staff_covered) == (
        3,
        2,
        12,
        0,
    )
    html = response.content.decode()
    assert "67% (2 of 3 teams)" in html
    assert "0% (0 of 12 staff)" in html
    assert 'href="/direction/coverage/uncovered/"' in html
    assert 'href="/direction/coverage/orphans/"' in html


def test_the_divisions_table_matches_the_report_and_drills_down(client_for, trust, thread):
    client = client_for("board")
    context = client.get(URL).context_data
    report = report_of(trust)
    rows = {row["code"]: row for row in context["breakdown"]["groups"]}
    assert set(rows) == {g.code for g in report.by_division} == {"MED", "SURG"}
    for group in report.by_division:
        row = rows[group.code]
        assert row["href"] == f"/direction/coverage/?unit={group.code}"
        assert (row["orphans"], row["thickets"], row["stale"]) == (
            group.orphans,
            group.thickets,
            group.stale,
        )
    assert rows["MED"]["teams"] == "100% (2 of 2 teams)"
    assert rows["SURG"]["teams"] == "0% (0 of 1 team)"
    assert rows["SURG"]["orphans_href"] == "/direction/coverage/orphans/?unit=SURG"
    assert context["breakdown"]["teams"] == []  # every team is in a division

    medicine = client.get(URL, {"unit": "MED"}).context_data
    card = next(g for g in report.by_directorate if g.code == "CARD")
    assert medicine["scope"].code == "MED"
    assert [row["code"] for row in medicine["breakdown"]["groups"]] == ["CARD"]
    assert medicine["breakdown"]["groups"][0]["teams"] == "100% (2 of 2 teams)"
    assert medicine["figures"]["teams"] == card.teams == 2
    assert medicine["culture"] is None  # the survey comparison is on the organisation's page

    surgery = client.get(URL, {"unit": "SURG"}).context_data
    assert surgery["breakdown"]["groups"] == []
    (theatres,) = surgery["breakdown"]["teams"]  # Theatres sits straight under Surgery
    assert (theatres["code"], theatres["covered"]) == ("T1", False)
    assert theatres["href"] == "/direction/units/T1/"

    cardiology = client.get(URL, {"unit": "CARD"})
    context = cardiology.context_data
    assert [(r["code"], r["covered"]) for r in context["breakdown"]["teams"]] == [
        ("W1", True),
        ("W2", True),
    ]
    assert context["breadcrumbs"][-1] == {
        "text": "Medicine",
        "href": "/direction/coverage/?unit=MED",
    }


def test_staff_coverage_counts_agreed_aligned_individual_objectives(client_for, trust, thread):
    services.propose(objective=thread["S1-A"], actor=SYSTEM)
    services.agree(objective=thread["S1-A"], actor=SYSTEM)
    context = client_for("board").get(URL, {"unit": "CARD"}).context_data
    assert context["figures"]["staff_covered"] == 1
    ward_1 = next(row for row in context["breakdown"]["teams"] if row["code"] == "W1")
    assert ward_1["staff"] == "20% (1 of 5 staff)"


@pytest.mark.parametrize(
    "code, message",
    [
        ("NOPE", "There is no division or directorate with the code “NOPE”"),
        ("W1", "Ward 1 (W1) is a team: coverage is broken down by division and directorate"),
    ],
)
def test_an_unknown_unit_is_explained(client_for, thread, code, message):
    response = client_for("board").get(URL, {"unit": code})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert response.context_data["scope"].group is None  # the organisation's page instead


def test_an_unknown_comparison_level_is_explained(client_for, thread):
    response = client_for("board").get(URL, {"level": "ward"})
    assert response.status_code == 400
    assert "There is no level “ward” to compare. Choose division or directorate." in (
        response.content.decode()
    )


# -- The lists behind the figures ------------------------------------------------------------


def test_the_orphans_list_links_to_the_objective_and_its_unit(client_for, thread):
    client = client_for("board")
    response = client.get(URL + "orphans/")
    assert response.status_code == 200
    (item,) = response.context_data["items"]
    assert (item["code"], item["href"], item["unit_href"]) == (
        "T1-X",
        "/direction/objectives/T1-X/",
        "/direction/units/T1/",
    )
    assert item["where"] == "Surgery"
    assert client.get(URL + "orphans/", {"unit": "SURG"}).context_data["count"] == 1
    medicine = client.get(URL + "orphans/", {"unit": "MED"})
    assert medicine.context_data["count"] == 0
    assert "There are none." in medicine.content.decode()


def test_the_stale_list_longest_first(client_for, trust, thread):
    # Local noon, so that 90 days back is 90 local days whatever the hour and the clock
    # change between (at 23:30 in December, 90 days of 24 hours back is past midnight BST).
    now = timezone.make_aware(datetime.combine(TODAY, time(12)))
    Objective.objects.filter(code="W1-A").update(agreed_at=now - timedelta(days=70))
    Objective.objects.filter(code="W2-A").update(agreed_at=now - timedelta(days=90))
    services.check_in(
        objective=thread["CARD1"], on=TODAY - timedelta(days=61), value=9, actor=SYSTEM
    )
    client = client_for("board")
    context = client.get(URL).context_data
    report = report_of(trust)
    assert context["figures"]["stale"] == len(report.stale_days) == 3
    items = client.get(URL + "stale/", {"unit": "CARD"}).context_data["items"]
    assert [(item["code"], item["days"]) for item in items] == [
        ("W2-A", 90),
        ("W1-A", 70),
        ("CARD1", 61),
    ]


def test_the_thickets_and_uncovered_lists(client_for, trust, thread):
    for n in range(6):
        make(trust, f"W2-{n}", "W2", parents=["CARD1"], status="active")
    client = client_for("board")
    thickets = client.get(URL + "thickets/").context_data["items"]
    assert [(item["code"], item["active"], item["href"]) for item in thickets] == [
        ("W2", 6, "/direction/units/W2/")
    ]
    assert client.get(URL + "thickets/", {"unit": "SURG"}).context_data["items"] == []
    uncovered = client.get(URL + "uncovered/").context_data["items"]
    assert [(item["code"], item["where"]) for item in uncovered] == [("T1", "Surgery")]


def test_an_individual_objective_in_a_list_names_its_owner(client_for, trust, thread):
    make(trust, "S1-LOOSE", "W1", owner=trust["nurse_person"])
    response = client_for("board").get(URL + "orphans/", {"unit": "CARD"})
    (item,) = response.context_data["items"]
    assert (item["code"], item["owner_name"]) == ("S1-LOOSE", "Sam Nurse")
    assert "Sam Nurse, " in response.content.decode()


def test_a_list_for_an_unknown_unit_or_kind(client_for, thread):
    client = client_for("board")
    response = client.get(URL + "stale/", {"unit": "NOPE"})
    assert response.status_code == 400
    assert "There is no division or directorate with the code “NOPE”" in response.content.decode()
    assert client.get(URL + "everything/").status_code == 404


def test_long_lists_are_paged(client_for, trust, thread):
    for n in range(105):
        make(trust, f"LOOSE-{n:03d}", "T1")
    client = client_for("board")
    first = client.get(URL + "orphans/")
    assert first.context_data["count"] == 106
    assert len(first.context_data["items"]) == 100
    assert first.context_data["pagination"]["next"]["href"] == "?page=2"
    second = client.get(URL + "orphans/", {"page": 2})
    assert [item["code"] for item in second.context_data["items"]] == [
        *(f"LOOSE-{n}" for n in range(100, 105)),
        "T1-X",
    ]


# -- Snapshots and the trend -----------------------------------------------------------------


def test_a_snapshot_records_the_figures_and_is_replaced_the_same_day(trust, thread, persona_users):
    board = persona_users["board"]
    first = services.record_coverage_snapshot(organisation=trust["org"], actor=as_user(board))
    assert first.taken_on == TODAY
    assert (first.teams, first.teams_covered, first.orphans) == (3, 2, 1)
    medicine = next(g for g in report_of(trust).by_division if g.code == "MED")
    assert first.groups[f"u{medicine.unit_id}"] == medicine.as_dict()

    make(trust, "T1-A", "T1", parents=["ORG1"], status="active")  # covers Theatres
    again = services.record_coverage_snapshot(organisation=trust["org"], actor=SYSTEM)
    assert again.pk == first.pk
    assert CoverageSnapshot.objects.for_org(trust["org"]).count() == 1
    again.refresh_from_db()
    assert (again.teams_covered, again.taken_by) == (3, None)

    events = list(AuditEvent.objects.filter(action="objectives.coverage_snapshot").order_by("pk"))
    assert [e.detail["replaced"] for e in events] == [False, True]
    assert [e.actor_label for e in events] == ["board@test.test", "system (tests)"]
    assert events[1].detail["team_coverage"] == 1.0
    assert events[1].organisation == trust["org"]


def test_a_snapshot_for_an_earlier_day_judges_staleness_then(trust, thread):
    later = TODAY + timedelta(days=90)
    snapshot = services.record_coverage_snapshot(
        organisation=trust["org"], actor=SYSTEM, taken_on=later
    )
    # Every agreed or active objective, agreed today, has had no check-in for 90 days then.
    assert snapshot.stale == len(facts.load(trust["org"]).coverage(later).stale_days) == 6
    assert CoverageSnapshot.objects.for_org(trust["org"]).count() == 1
    services.record_coverage_snapshot(organisation=trust["org"], actor=SYSTEM)
    assert CoverageSnapshot.objects.for_org(trust["org"]).count() == 2


def test_no_history_yet_with_one_snapshot(client_for, trust, thread):
    client = client_for("board")
    assert "No history yet" in client.get(URL).content.decode()
    services.record_coverage_snapshot(organisation=trust["org"], actor=SYSTEM)
    response = client.get(URL)
    assert response.context_data["trend"]["enough"] is False
    assert "No history yet" in response.content.decode()
    assert response.context_data["trend"]["chart_src"] is None


def test_the_trend_with_two_snapshots(client_for, trust, thread):
    services.record_coverage_snapshot(
        organisation=trust["org"], actor=SYSTEM, taken_on=TODAY - timedelta(days=30)
    )
    make(trust, "T1-A", "T1", parents=["ORG1"], status="active")
    services.record_coverage_snapshot(organisation=trust["org"], actor=SYSTEM)
    client = client_for("board")
    response = client.get(URL)
    trend = response.context_data["trend"]
    assert trend["enough"] is True
    assert trend["chart_src"].startswith("data:image/svg+xml;base64,")
    assert [row["teams"] for row in trend["rows"]] == [  # latest first
        "100% (3 of 3 teams)",
        "67% (2 of 3 teams)",
    ]
    html = response.content.decode()
    assert "Line chart of the share of teams and of staff covered" in html
    assert "No history yet" not in html

    surgery = client.get(URL, {"unit": "SURG"}).context_data["trend"]
    assert [row["teams"] for row in surgery["rows"]] == [
        "100% (1 of 1 team)",
        "0% (0 of 1 team)",
    ]


def test_a_long_trend_is_tabled_by_month(client_for, trust, thread):
    for days in range(0, 80, 2):
        services.record_coverage_snapshot(
            organisation=trust["org"], actor=SYSTEM, taken_on=TODAY - timedelta(days=days)
        )
    trend = client_for("board").get(URL).context_data["trend"]
    assert trend["count"] == 40
    assert trend["thinned"] is True
    months = {(TODAY - timedelta(days=days)).replace(day=1) for days in range(0, 80, 2)}
    assert len(trend["rows"]) == len(months)
    assert trend["rows"][0]["iso"] == TODAY.isoformat()


# -- Coverage and the goals and performance score --------------------------------------------


@pytest.fixture
def surveyed(trust):
    """More directorates, teams and staff, objectives giving different coverage, and a
    closed wave in which Respiratory (3 responses) is below the threshold of 5.

    MED: CARD (W1, W2), RESP (W3), NEURO (W4)      SURG: ORTH (T2), GEN (T3), and T1
    """
    from tests.integration.insights_fixtures import closed_wave

    org, units = trust["org"], trust["units"]
    for code, name, parent in [
        ("RESP", "Respiratory", "MED"),
        ("NEURO", "Neurology", "MED"),
        ("ORTH", "Orthopaedics", "SURG"),
        ("GEN", "General surgery", "SURG"),
    ]:
        units[code] = UnitFactory(
            organisation=org, code=code, name=name, level="directorate", parent=units[parent]
        )
    for code, parent in [("W3", "RESP"), ("W4", "NEURO"), ("T2", "ORTH"), ("T3", "GEN")]:
        units[code] = UnitFactory(
            organisation=org, code=code, name=f"Team {code}", level="team", parent=units[parent]
        )
        for i in range(3):
            PersonFactory(organisation=org, primary_unit=units[code], employee_number=f"{code}-{i}")
    made = golden_thread(trust)
    make(trust, "NEURO1", "NEURO", parents=["MED1"], status="active")
    make(trust, "W4-A", "W4", parents=["NEURO1"], status="active")
    make(trust, "W3-A", "W3", parents=["MED1"], status="active")
    make(trust, "GEN1", "GEN", parents=["ORG1"], status="active")
    make(trust, "T3-A", "T3", parents=["GEN1"], status="active")
    wave = closed_wave(
        trust,
        {
            "W1": (12, 0.6),
            "W2": (8, 0.4),
            "W3": (3, 0.9),
            "W4": (9, 0.2),
            "T2": (10, -0.6),
            "T3": (7, 0.1),
            "T1": (12, -0.3),
        },
        threshold=5,
        title="Autumn pulse",
    )
    return {"objectives": made, "wave": wave}


def visible_goal_cells(wave, level):
    """The goals and performance cells the results service shows, straight from it."""
    results = rs.load_results(wave)
    table = results.table(level=level)
    return {row.unit_code: row.cells.get("goals_performance") for row in table.rows}


def test_the_comparison_uses_only_visible_scores(client_for, trust, surveyed):
    response = client_for("board").get(URL, {"level": "directorate"})
    assert response.status_code == 200
    culture = response.context_data["culture"]
    assert culture["level"] == "directorate"
    assert culture["wave"]["title"] == "Autumn pulse"

    cells = visible_goal_cells(surveyed["wave"], level=2)
    directorates = {"CARD", "RESP", "NEURO", "ORTH", "GEN"}
    visible = {c for c in directorates if cells[c] is not None and cells[c].score is not None}
    hidden = directorates - visible
    assert "RESP" in hidden  # 3 responses, below the threshold
    points = {point["code"]: point for point in culture["points"]}
    assert set(points) == visible
    for code in visible:
        assert points[code]["score"] == cells[code].score
    # Every hidden directorate is counted as left out, with why.
    assert sum(item["count"] for item in culture["left_out"]) == len(hidden)
    assert any(
        "fewer responses than the reporting threshold (5)" in item["text"]
        for item in culture["left_out"]
    )

    # Coverage is the report's (no snapshot was taken near the wave's close).
    report = report_of(trust)
    by_code = {g.code: g for g in report.by_directorate}
    for code, point in points.items():
        assert point["coverage"] == by_code[code].team_coverage

    # Each point on the chart carries the name the table gives it.
    assert not culture["numbered"]
    drawn = charts.text_labels(base64.b64decode(culture["chart_src"].split(",", 1)[1]).decode())
    assert {point["name"] for point in culture["points"]} <= set(drawn)
    assert {"Teams covered in the directorate (%)", "Goals and performance score (0 to 10)"} <= (
        set(drawn)
    )

    # The correlation is scipy's over exactly the visible points.
    xs = [points[c]["coverage"] for c in sorted(points)]
    ys = [points[c]["score"] for c in sorted(points)]
    assert culture["stats"].n == len(visible)
    html = response.content.decode()
    # The plain words and the definition go with the coefficients, shown or not.
    shows_r = "In plain words: Pearson’s r and Spearman’s ρ run from −1 to 1." in html
    assert shows_r == culture["stats"].computed == ("For analysts: Pearson’s r" in html)
    if culture["stats"].computed:
        assert culture["stats"].pearson == pytest.approx(stats.pearsonr(xs, ys).statistic)
        assert culture["stats"].spearman == pytest.approx(stats.spearmanr(xs, ys).statistic)

    # No hidden directorate appears in the comparison's table.
    html = response.content.decode()
    table = html[html.index('id="culture-table"') :]
    table = table[: table.index("</table>")]
    for code in hidden:
        assert f"?unit={code}" not in table
    assert "Correlation is not causation" in html


def test_the_comparison_by_division_and_the_default_level(client_for, trust, surveyed):
    client = client_for("board")
    by_division = client.get(URL, {"level": "division"}).context_data["culture"]
    cells = visible_goal_cells(surveyed["wave"], level=1)
    visible = {c for c in ("MED", "SURG") if cells[c] is not None and cells[c].score is not None}
    assert {point["code"] for point in by_division["points"]} == visible
    assert by_division["stats"].computed is False  # two divisions: no correlation

    default = client.get(URL).context_data["culture"]
    counts = {item["label"]: item["count"] for item in default["switch"]}
    assert default["level"] == (
        "directorate" if counts["By directorate"] >= counts["By division"] else "division"
    )


def test_the_comparison_uses_the_snapshot_nearest_the_wave(client_for, trust, surveyed):
    closed_on = timezone.localdate(surveyed["wave"].closed_at)
    services.record_coverage_snapshot(
        organisation=trust["org"], actor=SYSTEM, taken_on=closed_on - timedelta(days=1)
    )
    services.set_status(
        objective=Objective.objects.get(code="T3-A"), status="dropped", actor=SYSTEM
    )
    culture = client_for("board").get(URL, {"level": "directorate"}).context_data["culture"]
    assert "as recorded on" in culture["source"]
    general = {p["code"]: p for p in culture["points"]}.get("GEN")
    if general is not None:  # when General surgery's score may be shown
        assert general["coverage"] == 1.0  # as recorded, before T3-A was dropped


def test_no_comparison_without_a_closed_wave(client_for, thread):
    response = client_for("board").get(URL)
    assert response.context_data["culture"] == {"wave": None}
    assert "No survey wave has closed yet" in response.content.decode()


# -- Queries ---------------------------------------------------------------------------------


def _cold_queries(client, params=None) -> int:
    """Queries of one request with the process caches emptied (as a fresh worker)."""
    memory.clear_all()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params or {})
    assert response.status_code == 200
    return len(queries)


def test_the_dashboard_takes_a_constant_number_of_queries(client_for, trust, surveyed):
    client = client_for("board")
    services.record_coverage_snapshot(
        organisation=trust["org"], actor=SYSTEM, taken_on=TODAY - timedelta(days=1)
    )
    services.record_coverage_snapshot(organisation=trust["org"], actor=SYSTEM)
    client.get(URL)
    small = (_cold_queries(client), _cold_queries(client, {"unit": "MED"}))
    org, units = trust["org"], trust["units"]
    for n in range(8):
        unit = UnitFactory(
            organisation=org,
            code=f"X{n}",
            name=f"Extra {n}",
            level="directorate",
            parent=units["SURG"],
        )
        units[f"X{n}"] = unit
        units[f"XT{n}"] = UnitFactory(organisation=org, code=f"XT{n}", level="team", parent=unit)
        for i in range(3):
            PersonFactory(
                organisation=org, primary_unit=units[f"XT{n}"], employee_number=f"X{n}-{i}"
            )
        make(trust, f"XO{n}", f"X{n}", parents=["ORG1"], status="active")
        make(trust, f"XTO{n}", f"XT{n}", parents=[f"XO{n}"], status="active")
    for days in range(2, 12):
        services.record_coverage_snapshot(
            organisation=org, actor=SYSTEM, taken_on=TODAY - timedelta(days=days)
        )
    large = (_cold_queries(client), _cold_queries(client, {"unit": "MED"}))
    assert client.get(URL).context_data["trend"]["count"] == 12
    assert large == small
