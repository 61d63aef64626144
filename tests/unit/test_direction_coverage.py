"""colead.direction.coverage: team and staff coverage, orphans, thickets and stale objectives,
for the organisation and by division and directorate."""

import json
from datetime import date

from colead.direction.coverage import PersonFacts, UnitFacts, coverage, share
from colead.direction.quality import ObjectiveFacts, QualitySettings

TODAY = date(2026, 6, 1)

# ROOT
#   MED (division)
#     CARD (directorate): W1, W2 (teams)
#     RESP (directorate): W3 (team)
#   SURG (division): T1 (team, directly under the division), OLD (inactive team)
#   HQ (team directly under the root)
UNITS = {
    u.id: u
    for u in [
        UnitFacts(1, "ROOT", "Trust", "organisation", None),
        UnitFacts(2, "MED", "Medicine", "division", 1),
        UnitFacts(3, "CARD", "Cardiology", "directorate", 2),
        UnitFacts(4, "W1", "Ward 1", "team", 3),
        UnitFacts(5, "W2", "Ward 2", "team", 3),
        UnitFacts(6, "RESP", "Respiratory", "directorate", 2),
        UnitFacts(7, "W3", "Ward 3", "team", 6),
        UnitFacts(8, "SURG", "Surgery", "division", 1),
        UnitFacts(9, "T1", "Theatres", "team", 8),
        UnitFacts(10, "OLD", "Old team", "team", 8, is_active=False),
        UnitFacts(11, "HQ", "Headquarters", "team", 1),
    ]
}


def obj(pk, unit_id, status="active", parents=(), org=False, owner=None, **extra):
    values = dict(
        id=pk,
        code=f"O{pk:02d}",
        title=f"Objective {pk}",
        unit_id=unit_id,
        status=status,
        is_org_level=org,
        owner_id=owner,
        parent_ids=tuple(parents),
        agreed=status in ("agreed", "active", "achieved"),
        started_on=date(2026, 5, 1),
    )
    values.update(extra)
    return ObjectiveFacts(**values)


def report_for(objectives, people=(), settings=QualitySettings()):
    return coverage(
        units=UNITS,
        people=people,
        objectives={o.id: o for o in objectives},
        today=TODAY,
        settings=settings,
    )


def test_share_is_zero_with_nothing_to_share():
    assert share(0, 0) == 0.0
    assert share(1, 4) == 0.25


def test_a_team_is_covered_by_an_agreed_or_active_aligned_objective_of_its_own():
    objectives = [
        obj(1, 1, org=True),
        obj(2, 3, parents=[1]),  # CARD, aligned
        obj(3, 4, "agreed", parents=[2]),  # W1: agreed and aligned -> covered
        obj(4, 5, "proposed", parents=[2]),  # W2: proposed only -> not covered
        obj(5, 7, "active"),  # W3: active but an orphan -> not covered
        obj(6, 9, "active", parents=[1]),  # T1: aligned straight to the organisation
        obj(7, 11, "achieved", parents=[1]),  # HQ: achieved -> not covered
        obj(8, 10, "active", parents=[1]),  # OLD: inactive team, not counted
    ]
    report = report_for(objectives)
    assert (report.teams, report.teams_covered) == (5, 2)
    assert report.team_coverage == 0.4
    assert report.covered_team_ids == {4, 9}
    assert [u.code for u in report.uncovered_teams()] == ["W2", "W3", "HQ"]


def test_a_directorate_objective_does_not_cover_its_teams():
    objectives = [obj(1, 1, org=True), obj(2, 3, parents=[1])]
    assert report_for(objectives).teams_covered == 0


def test_staff_coverage_counts_people_with_an_aligned_live_individual_objective():
    objectives = [
        obj(1, 1, org=True),
        obj(2, 4, parents=[1]),
        obj(3, 4, "active", parents=[2], owner=101),  # covered
        obj(4, 4, "agreed", parents=[2], owner=101),  # the same person again
        obj(5, 4, "draft", parents=[2], owner=102),  # draft: not covered
        obj(6, 4, "active", owner=103),  # orphan: not covered
        obj(7, 9, "active", parents=[1], owner=104),  # covered
        obj(8, 4, "active", parents=[2], owner=999),  # a leaver (not in people): ignored
    ]
    people = [PersonFacts(pk, 4) for pk in (101, 102, 103)] + [PersonFacts(104, 9)]
    report = report_for(objectives, people)
    assert (report.staff, report.staff_covered) == (4, 2)
    assert report.staff_coverage == 0.5


def test_orphans_are_open_objectives_below_the_organisation_with_no_path_up():
    objectives = [
        obj(1, 1, org=True),
        obj(2, 1, org=True, status="draft"),  # an organisation objective is never an orphan
        obj(3, 4, "draft"),  # orphan (draft counts)
        obj(4, 4, "proposed", parents=[3]),  # orphan: its parent is one
        obj(5, 4, "dropped"),  # dropped: not counted
        obj(6, 4, "achieved"),  # achieved: not counted
        obj(7, 4, "active", parents=[1]),
        obj(8, 5, "active", parents=[1], owner=5),
        obj(9, 1, "active", owner=6),  # an individual objective at the top unit, no parents
    ]
    report = report_for(objectives)
    orphans = [report.objectives_by_id[pk].code for pk in report.orphan_ids]
    assert orphans == ["O03", "O04", "O09"]
    assert report.objectives == 7


def test_thickets_and_stale_objectives():
    objectives = [obj(1, 1, org=True)]
    objectives += [obj(pk, 4, parents=[1]) for pk in range(10, 16)]  # 6 active in W1
    objectives += [
        obj(20, 7, "agreed", parents=[1], last_check_in=date(2026, 3, 1)),  # stale
        obj(21, 7, "active", parents=[1], started_on=date(2026, 1, 2)),  # stale, never checked
        obj(22, 7, "draft", started_on=date(2020, 1, 1)),  # a draft is never stale
    ]
    report = report_for(objectives)
    assert report.thicket_counts == {4: 6}
    assert report.stale_days == {20: 92, 21: 150}
    assert report_for(objectives, settings=QualitySettings(thicket_limit=6)).thicket_counts == {}


def test_figures_by_division_and_directorate():
    objectives = [
        obj(1, 1, org=True),
        obj(2, 3, parents=[1]),
        obj(3, 4, parents=[2]),  # W1 covered
        obj(4, 7, "active"),  # W3 orphan
        obj(5, 7, "active", parents=[1], owner=201, last_check_in=date(2025, 1, 1)),  # stale
    ]
    objectives += [obj(pk, 9, parents=[1]) for pk in range(10, 16)]  # T1 covered, thicket
    people = [PersonFacts(200, 4), PersonFacts(201, 7), PersonFacts(202, 9), PersonFacts(203, 11)]
    report = report_for(objectives, people)
    divisions = {row.code: row.as_dict() for row in report.by_division}
    directorates = {row.code: row.as_dict() for row in report.by_directorate}
    assert list(divisions) == ["MED", "SURG"]
    assert list(directorates) == ["CARD", "RESP"]
    assert divisions["MED"] == {
        "code": "MED",
        "name": "Medicine",
        "level": "division",
        "parent_code": None,
        "team_coverage": 0.3333,
        "teams": 3,
        "teams_covered": 1,
        "staff_coverage": 0.5,
        "staff": 2,
        "staff_covered": 1,
        "objectives": 4,
        "orphans": 1,
        "thickets": 0,
        "stale": 1,
    }
    assert directorates["CARD"]["parent_code"] == "MED"
    assert (directorates["CARD"]["teams"], directorates["CARD"]["teams_covered"]) == (2, 1)
    assert (directorates["RESP"]["orphans"], directorates["RESP"]["stale"]) == (1, 1)
    assert divisions["SURG"]["thickets"] == 1
    assert divisions["SURG"]["team_coverage"] == 1.0  # the inactive team is not counted
    # HQ sits under no division: in the totals only.
    assert (report.teams, report.staff) == (5, 4)


def test_as_dict_is_json_with_the_headline_figures():
    objectives = [obj(1, 1, org=True), obj(2, 4, parents=[1]), obj(3, 5, "draft")]
    data = json.loads(json.dumps(report_for(objectives, [PersonFacts(1, 4)]).as_dict()))
    assert data["team_coverage"] == 0.2
    assert data["staff_coverage"] == 0.0
    assert data["orphans"] == 1
    assert data["orphan_objectives"] == [
        {
            "code": "O03",
            "title": "Objective 3",
            "unit_code": "W2",
            "status": "draft",
            "individual": False,
        }
    ]
    assert data["uncovered_teams"] == ["W2", "W3", "T1", "HQ"]
    assert data["settings"]["thicket_limit"] == 5
    assert data["as_of"] == "2026-06-01"


def test_empty_organisation():
    report = coverage(units={}, people=[], objectives={}, today=TODAY)
    assert report.team_coverage == 0.0
    assert report.as_dict()["teams"] == 0
