"""colead.direction.quality: each check with objectives that pass and that fail."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from colead.direction.quality import (
    CheckInPoint,
    ObjectiveFacts,
    QualitySettings,
    alignment_paths,
    assess,
    check_agreed,
    check_aligned,
    check_challenging,
    check_clear,
    check_recent,
    has_number,
    thickets,
    trend_projection,
    unit_summaries,
    vague_words,
)

TODAY = date(2026, 6, 1)


def objective(pk=1, **overrides) -> ObjectiveFacts:
    """A clear, agreed, challenging, active team objective, due at the end of the year."""
    values = dict(
        id=pk,
        code=f"OBJ{pk}",
        title="Cut falls with harm on Ward 1 from 12 to 6 a quarter",
        unit_id=10,
        status="active",
        measure="Falls with harm per quarter",
        baseline=12.0,
        target=6.0,
        direction="down",
        due_date=date(2026, 12, 31),
        agreed=True,
        started_on=date(2026, 5, 1),
    )
    values.update(overrides)
    return ObjectiveFacts(**values)


# --- clear ------------------------------------------------------------------------------


def test_a_measured_specific_objective_is_clear():
    check = check_clear(objective())
    assert check.passed is True
    assert check.reasons == ()


@pytest.mark.parametrize(
    ("missing", "words"),
    [
        ({"measure": ""}, "measure"),
        ({"measure": "   "}, "measure"),
        ({"baseline": None}, "baseline"),
        ({"target": None}, "target"),
        ({"due_date": None}, "due date"),
    ],
)
def test_each_missing_part_of_the_measure_makes_it_unclear(missing, words):
    check = check_clear(objective(**missing))
    assert check.passed is False
    assert check.reasons == (f"No {words}.",)


def test_several_missing_parts_are_named_together():
    check = check_clear(objective(measure="", target=None, due_date=None))
    assert check.reasons == ("No measure, target or due date.",)


@pytest.mark.parametrize(
    "title",
    [
        "Improve patient experience",
        "Support staff wellbeing",
        "Ensure safe staffing",
        "Enhancing the discharge process",
        "Work towards better handovers",
        "Continued improvement of flow",
    ],
)
def test_vague_aims_with_no_number_are_unclear(title):
    check = check_clear(objective(title=title))
    assert check.passed is False
    assert "vague aim" in check.reasons[-1]


@pytest.mark.parametrize(
    "title",
    [
        "Improve the friends and family score to 95%",
        "Reduce agency spend by £200k",
        "Ensure every patient has a discharge plan within 24 hours",
        "Support all new starters with a preceptor",
        "Zero never events in theatres",
        "Hand over every shift with SBAR",
    ],
)
def test_aims_with_a_number_or_no_vague_verb_are_not_flagged(title):
    assert vague_words(title) == []
    assert check_clear(objective(title=title)).passed is True


def test_vague_words_names_the_words_found():
    assert vague_words("Improve and support the team") == ["improve", "support"]
    assert vague_words("") == []
    assert vague_words("Supported  WORK   towards x") == ["supported", "work towards"]


def test_has_number_sees_digits_and_number_words():
    assert has_number("within 4 hours")
    assert has_number("halve waits")
    assert not has_number("better care")


# --- aligned ----------------------------------------------------------------------------


def graph(*specs):
    """(id, parent ids, status, org level) -> {id: facts}"""
    out = {}
    for pk, parents, status, org_level in specs:
        out[pk] = objective(pk, parent_ids=tuple(parents), status=status, is_org_level=org_level)
    return out


def test_alignment_follows_parents_up_to_an_organisation_objective():
    objectives = graph(
        (1, [], "active", True),  # organisation
        (2, [1], "active", False),  # directorate
        (3, [2], "agreed", False),  # team
        (4, [3], "draft", False),  # individual
        (5, [], "active", False),  # orphan
        (6, [5], "active", False),  # child of an orphan
    )
    paths = alignment_paths(objectives)
    assert paths[1] == (1,)
    assert paths[2] == (2, 1)
    assert paths[4] == (4, 3, 2, 1)
    assert 5 not in paths and 6 not in paths


def test_alignment_takes_the_shortest_path_when_there_are_several():
    objectives = graph(
        (1, [], "active", True),
        (2, [1], "active", False),
        (3, [2], "active", False),
        (4, [3, 1], "active", False),
    )
    assert alignment_paths(objectives)[4] == (4, 1)


def test_a_dropped_objective_breaks_the_thread_below_it_but_is_itself_judged():
    objectives = graph(
        (1, [], "active", True),
        (2, [1], "dropped", False),
        (3, [2], "active", False),
        (7, [], "dropped", True),
        (8, [7], "active", False),
    )
    paths = alignment_paths(objectives)
    assert paths[2] == (2, 1)
    assert 3 not in paths
    assert paths[7] == (7,)
    assert 8 not in paths


def test_alignment_ignores_unknown_parents_and_survives_loops():
    objectives = graph(
        (1, [], "active", True),
        (2, [3, 99], "active", False),
        (3, [2], "active", False),
        (4, [4, 1], "active", False),
    )
    paths = alignment_paths(objectives)
    assert 2 not in paths and 3 not in paths
    assert paths[4] == (4, 1)


def test_aligned_check_says_what_to_do():
    assert check_aligned(objective(), (1, 2)).passed is True
    no_parents = check_aligned(objective(parent_ids=()), None)
    assert no_parents.passed is False
    assert "serves no other objective" in no_parents.reasons[0]
    broken = check_aligned(objective(parent_ids=(5,)), None)
    assert "do not lead up" in broken.reasons[0]


# --- agreed -----------------------------------------------------------------------------


def test_agreed_when_agreement_is_recorded():
    assert check_agreed(objective()).passed is True
    waiting = check_agreed(objective(agreed=False, status="proposed"))
    assert waiting.passed is False
    assert waiting.reasons == ("Proposed, waiting for agreement.",)
    draft = check_agreed(objective(agreed=False, status="draft"))
    assert "propose it" in draft.reasons[0]


# --- challenging ------------------------------------------------------------------------


def test_a_target_well_beyond_the_baseline_is_challenging():
    assert check_challenging(objective()).passed is True
    up = objective(baseline=80.0, target=90.0, direction="up")
    assert check_challenging(up).passed is True


def test_the_margin_is_five_percent_of_the_baseline_by_default():
    exactly = objective(baseline=100.0, target=105.0, direction="up")
    assert check_challenging(exactly).passed is True
    short = objective(baseline=100.0, target=103.0, direction="up")
    check = check_challenging(short)
    assert check.passed is False
    assert "only 3.0% beyond the baseline" in check.reasons[0]
    down_short = objective(baseline=100.0, target=97.0, direction="down")
    assert check_challenging(down_short).passed is False


def test_the_margin_is_configurable():
    short = objective(baseline=100.0, target=103.0, direction="up")
    assert check_challenging(short, QualitySettings(challenge_margin=0.02)).passed is True
    assert check_challenging(objective(), QualitySettings(challenge_margin=0.6)).passed is False


@pytest.mark.parametrize(
    ("baseline", "target", "direction"),
    [(90.0, 90.0, "up"), (90.0, 85.0, "up"), (12.0, 12.0, "down"), (12.0, 15.0, "down")],
)
def test_a_target_already_met_at_the_baseline_is_flagged(baseline, target, direction):
    check = check_challenging(objective(baseline=baseline, target=target, direction=direction))
    assert check.passed is False
    assert "already met at the baseline" in check.reasons[0]


def test_a_zero_baseline_needs_only_a_step_in_the_direction_of_good():
    assert check_challenging(objective(baseline=0.0, target=1.0, direction="up")).passed is True
    assert check_challenging(objective(baseline=0.0, target=0.0, direction="up")).passed is False


def test_without_baseline_or_target_it_cannot_be_judged():
    check = check_challenging(objective(baseline=None))
    assert check.passed is None
    assert check_challenging(objective(target=None)).passed is None


def points(*pairs):
    return tuple(CheckInPoint(date.fromisoformat(d), v) for d, v in pairs)


def test_a_target_the_trend_already_reaches_is_not_challenging():
    # Falls: 12 -> 11 -> 10 a month apart; on that line, far below 6 by December.
    on_course = points(("2026-03-01", 12), ("2026-04-01", 11), ("2026-05-01", 10))
    check = check_challenging(objective(check_ins=on_course))
    assert check.passed is False
    assert "trend of its check-ins" in check.reasons[0]


def test_a_target_beyond_the_trend_is_challenging():
    slow = points(("2026-03-01", 12), ("2026-04-01", 11.9), ("2026-05-01", 11.8))
    assert check_challenging(objective(check_ins=slow)).passed is True


def test_the_trend_needs_enough_check_ins_on_different_dates():
    two = points(("2026-03-01", 12), ("2026-04-01", 10))
    assert check_challenging(objective(check_ins=two)).passed is True
    assert (
        check_challenging(objective(check_ins=two), QualitySettings(trend_min_points=2)).passed
        is False
    )
    same_day = points(("2026-03-01", 12), ("2026-03-01", 10), ("2026-03-01", 8))
    assert check_challenging(objective(check_ins=same_day)).passed is True
    unvalued = points(("2026-03-01", None), ("2026-04-01", None), ("2026-05-01", 10))
    assert check_challenging(objective(check_ins=unvalued)).passed is True


def test_trend_projection_is_the_least_squares_line():
    line = points(("2026-01-01", 10), ("2026-01-11", 20), ("2026-01-21", 30))
    assert trend_projection(line, date(2026, 1, 31)) == pytest.approx(40)
    assert trend_projection(line[:2], date(2026, 1, 31)) is None
    assert trend_projection(line[:2], date(2026, 1, 31), min_points=2) == pytest.approx(40)


# --- recent (stale) ---------------------------------------------------------------------


def test_a_live_objective_checked_in_within_60_days_is_recent():
    recent = objective(check_ins=points(("2026-04-15", 10)))
    assert check_recent(recent, TODAY).passed is True
    day_60 = objective(last_check_in=TODAY - timedelta(days=60))
    assert check_recent(day_60, TODAY).passed is True


def test_no_check_in_for_more_than_60_days_is_stale():
    old = objective(last_check_in=date(2026, 3, 1))
    check = check_recent(old, TODAY)
    assert check.passed is False
    assert check.reasons == ("No check-in for 92 days (the last was on 2026-03-01).",)
    assert check_recent(old, TODAY, QualitySettings(stale_days=100)).passed is True


def test_with_no_check_ins_staleness_counts_from_the_start():
    never = objective(started_on=date(2026, 1, 1))
    check = check_recent(never, TODAY)
    assert check.passed is False
    assert "since it started" in check.reasons[0]
    assert check_recent(objective(started_on=date(2026, 5, 1)), TODAY).passed is True


@pytest.mark.parametrize("status", ["draft", "proposed", "achieved", "dropped"])
def test_staleness_applies_only_to_agreed_and_active_objectives(status):
    assert check_recent(objective(status=status, started_on=date(2020, 1, 1)), TODAY).passed is None


# --- thickets, assessment and summaries -------------------------------------------------


def test_a_unit_with_more_than_five_active_objectives_is_a_thicket():
    objectives = [objective(pk, unit_id=10) for pk in range(1, 7)]  # 6 in unit 10
    objectives += [objective(pk, unit_id=20) for pk in range(7, 12)]  # 5 in unit 20
    objectives += [objective(20 + pk, unit_id=20, status="agreed") for pk in range(3)]
    objectives += [objective(30 + pk, unit_id=20, owner_id=pk) for pk in range(3)]  # individual
    assert thickets(objectives) == {10: 6}
    assert thickets(objectives, QualitySettings(thicket_limit=4)) == {10: 6, 20: 5}


def test_assess_runs_every_check_and_lists_markers():
    objectives = {
        1: objective(1, is_org_level=True, title="Zero never events"),
        2: objective(2, parent_ids=(1,), measure="", agreed=False, status="proposed"),
        3: objective(3, last_check_in=date(2026, 1, 1)),
    }
    qualities = assess(objectives, TODAY)
    assert qualities[1].failed == ()
    assert qualities[1].path == (1,)
    assert qualities[2].failed == ("clear", "agreed")
    assert qualities[2].markers == ("Not clear", "Not agreed")
    assert qualities[3].failed == ("aligned", "recent")
    assert qualities[3].is_stale
    assert qualities[3].markers == ("Orphan", "Stale")


def test_unit_summaries_count_each_units_own_open_objectives():
    objectives = {
        1: objective(1, is_org_level=True, unit_id=1),
        2: objective(2, parent_ids=(1,), unit_id=10),
        3: objective(3, unit_id=10, agreed=False, status="draft"),
        4: objective(4, unit_id=10, owner_id=7, parent_ids=(2,)),
        5: objective(5, unit_id=10, status="dropped"),
    }
    objectives.update({pk: objective(pk, unit_id=20) for pk in range(10, 16)})
    summaries = unit_summaries(objectives, assess(objectives, TODAY))
    team = summaries[10]
    assert (team.objectives, team.active, team.aligned, team.agreed, team.individual) == (
        2,
        1,
        1,
        1,
        1,
    )
    assert team.failed == {"aligned": 1, "agreed": 1}
    assert not team.is_thicket
    assert summaries[20].is_thicket
    assert summaries[20].objectives == 6


def test_objective_facts_latest_check_in_prefers_loaded_points():
    facts = objective(check_ins=points(("2026-02-01", 1), ("2026-04-01", 2)))
    assert facts.latest_check_in == date(2026, 4, 1)
    assert replace(facts, check_ins=(), last_check_in=date(2026, 5, 5)).latest_check_in == date(
        2026, 5, 5
    )
