"""Response rates: roll-up, small-number hiding and periods by day (colead.surveys.rates)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from colead.lib import charts
from colead.surveys import rates
from colead.surveys.rates import Count, UnitNode

# ROOT > MED > CARD > W1, W2 ; ROOT > SURG > T1   (ids as in a materialised path)
ROOT = UnitNode(1, "ROOT", "Trust", None, 0, "/1/")
MED = UnitNode(2, "MED", "Medicine", 1, 1, "/1/2/")
CARD = UnitNode(3, "CARD", "Cardiology", 2, 2, "/1/2/3/")
W1 = UnitNode(4, "W1", "Ward 1", 3, 3, "/1/2/3/4/")
W2 = UnitNode(5, "W2", "Ward 2", 3, 3, "/1/2/3/5/")
SURG = UnitNode(6, "SURG", "Surgery", 1, 1, "/1/6/")
T1 = UnitNode(7, "T1", "Theatres", 6, 2, "/1/6/7/")
UNITS = [T1, W2, ROOT, SURG, W1, CARD, MED]  # any order


def test_shown_hides_counts_below_the_threshold():
    assert rates.shown(10, 11) == "fewer than 11"
    assert rates.shown(0, 11) == "fewer than 11"
    assert rates.shown(11, 11) == "11"
    assert rates.shown(12345, 5) == "12,345"


def test_a_row_hides_its_rate_when_either_count_is_hidden():
    both = rates.RateRow("X", "X", invited=40, responded=12, threshold=11)
    assert (both.invited_text, both.responded_text, both.rate_text) == ("40", "12", "30%")
    few_responses = rates.RateRow("X", "X", invited=40, responded=10, threshold=11)
    assert few_responses.responded_text == "fewer than 11"
    assert few_responses.rate is None and few_responses.rate_text == "not shown"
    few_invited = rates.RateRow("X", "X", invited=4, responded=0, threshold=5)
    assert few_invited.invited_text == "fewer than 5" and few_invited.rate is None
    device_only = rates.RateRow("X", "X", invited=0, responded=20, threshold=5)
    assert device_only.responded_text == "20" and device_only.rate is None


def test_merge_counts_adds_device_responses_to_units_but_not_staff_groups():
    per_unit, per_group, device_total = rates.merge_counts(
        [(4, "nursing", 5, 3), (4, "medical", 2, 1), (5, "nursing", 3, 0)],
        {4: 6, 7: 2},
    )
    assert per_unit == {4: Count(7, 10), 5: Count(3, 0), 7: Count(0, 2)}
    assert per_group == {"nursing": Count(8, 3), "medical": Count(2, 1)}
    assert device_total == 8


def test_roll_up_includes_every_unit_below():
    totals = rates.roll_up(UNITS, {4: Count(5, 3), 5: Count(3, 2), 7: Count(4, 4)})
    assert totals[W1.id] == Count(5, 3)
    assert totals[CARD.id] == totals[MED.id] == Count(8, 5)
    assert totals[SURG.id] == Count(4, 4)
    assert totals[ROOT.id] == Count(12, 9)


def test_roll_up_stops_at_the_top_of_the_units_given():
    """A manager's units: nothing is added to ancestors outside them."""
    totals = rates.roll_up([CARD, W1, W2], {4: Count(5, 3), 5: Count(3, 2), 7: Count(4, 4)})
    assert set(totals) == {CARD.id, W1.id, W2.id}
    assert totals[CARD.id] == Count(8, 5)


def test_unit_rows_in_tree_order_with_levels_and_small_counts_hidden():
    own = {4: Count(12, 11), 5: Count(3, 2), 7: Count(20, 9)}
    rows = rates.unit_rows(UNITS, own, roots=[ROOT], threshold=11, levels_below=2)
    # SURG's 9 responses are hidden, so MED's 13 must be too: 22 - 13 would give them away.
    assert [(r.key, r.level, r.invited_text, r.responded_text, r.rate_text) for r in rows] == [
        ("ROOT", 0, "35", "22", "63%"),
        ("MED", 1, "15", "not shown", "not shown"),
        ("CARD", 2, "15", "not shown", "not shown"),
        ("SURG", 1, "20", "fewer than 11", "not shown"),
        ("T1", 2, "20", "fewer than 11", "not shown"),
    ]
    assert [r.key for r in rows if r.has_children] == ["ROOT", "MED", "CARD", "SURG"]
    assert rows[0].indent_class == "" and rows[2].indent_class == "nhsuk-u-padding-left-5"


def test_unit_rows_leave_out_units_nobody_was_invited_from_but_keep_the_root():
    rows = rates.unit_rows(UNITS, {4: Count(12, 11)}, roots=[MED], threshold=5, levels_below=5)
    assert [row.key for row in rows] == ["MED", "CARD", "W1"]
    empty = rates.unit_rows(UNITS, {}, roots=[SURG], threshold=5)
    assert [(row.key, row.invited_text) for row in empty] == [("SURG", "fewer than 5")]


def test_a_unit_whose_invited_people_all_stayed_silent_is_protected_like_a_small_count():
    # MED's own 3 people responded 0 times; CARD's 40 would equal MED's 40 and say so
    own = {MED.id: Count(3, 0), 4: Count(30, 25), 5: Count(20, 15), 7: Count(30, 20)}
    rows = rates.unit_rows(UNITS, own, roots=[ROOT], threshold=11, levels_below=3)
    by_key = {row.key: row for row in rows}
    assert by_key["ROOT"].responded_text == "60"
    assert not by_key["MED"].responded_hidden
    assert by_key["CARD"].responded_hidden  # MED (40) - CARD (40) would be MED's own 0
    # a team with people and nobody responding: its sibling is hidden with it
    own = {4: Count(30, 25), 5: Count(4, 0), 7: Count(30, 20)}
    rows = rates.unit_rows(UNITS, own, roots=[ROOT], threshold=11, levels_below=3)
    by_key = {row.key: row for row in rows}
    assert by_key["W2"].responded_text == "fewer than 11"
    assert by_key["CARD"].responded_text == "25"
    assert by_key["W1"].responded_hidden  # CARD (25) - W1 (25) would be W2's 0


def test_a_staff_group_with_nobody_responding_is_not_the_difference_from_the_total():
    rows = rates.staff_group_rows(
        {"a": Count(30, 20), "b": Count(25, 15), "c": Count(4, 0)}, names={}, threshold=11
    )
    hidden = {row.key: row.responded_hidden for row in rows}
    assert hidden == {"a": False, "b": True, "c": True}


def test_staff_group_rows_follow_the_reference_order():
    rows = rates.staff_group_rows(
        {"zeta": Count(30, 12), "b": Count(11, 11), "a": Count(4, 1)},
        names={"a": "Alpha", "b": "Beta"},
        threshold=11,
    )
    assert [(r.label, r.invited_text, r.responded_text, r.rate_text) for r in rows] == [
        ("Alpha", "fewer than 11", "fewer than 11", "not shown"),
        # Hidden too: the total minus the visible groups would otherwise reveal Alpha.
        ("Beta", "not shown", "not shown", "not shown"),
        ("zeta", "30", "12", "40%"),
    ]


D = date(2026, 3, 2)


def days(*counts):
    return {D + timedelta(days=i): n for i, n in enumerate(counts)}


def test_busy_days_stand_alone_and_quiet_days_join_the_days_after_them():
    periods = rates.day_periods(days(30, 4, 3, 25, 12, 0, 2), threshold=11)
    assert [(p.first.day, p.last.day, p.responses, p.cumulative) for p in periods] == [
        (2, 2, 30, 30),
        (3, 5, 32, 62),
        (6, 8, 14, 76),  # the quiet tail (2 on the 8th) joins the period before it
    ]
    assert [p.label for p in periods] == ["2 March 2026", "3 to 5 March 2026", "6 to 8 March 2026"]


def test_a_total_below_the_threshold_is_one_hidden_period():
    (period,) = rates.day_periods(days(3, 0, 4), threshold=11)
    assert period.hidden
    assert (period.responses_text, period.cumulative_text) == ("fewer than 11", "fewer than 11")
    assert rates.chart_spec([period], title="t") is None
    assert rates.day_periods({}, threshold=11) == []


def test_period_labels_across_months_and_years():
    assert rates.Period(date(2026, 2, 27), date(2026, 3, 2), 20, 20, 11).label == (
        "27 February to 2 March 2026"
    )
    assert rates.Period(date(2025, 12, 30), date(2026, 1, 2), 20, 20, 11).label == (
        "30 December 2025 to 2 January 2026"
    )


@given(st.lists(st.integers(min_value=0, max_value=40), max_size=40), st.integers(5, 20))
def test_no_period_is_below_the_threshold_and_the_total_is_kept(counts, threshold):
    """Whatever the days, either one hidden period, or every period (and so every difference
    between running totals) is at or above the threshold."""
    periods = rates.day_periods(days(*counts), threshold=threshold)
    total = sum(counts)
    if total == 0:
        assert periods == []
    elif total < threshold:
        assert len(periods) == 1 and periods[0].hidden
    else:
        assert all(p.responses >= threshold for p in periods)
        assert periods[-1].cumulative == total
        assert sum(p.responses for p in periods) == total
        assert all(a.last < b.first for a, b in zip(periods, periods[1:], strict=False))


def test_the_chart_is_the_shared_one_with_the_periods_in_order():
    periods = rates.day_periods(days(30, 4, 3, 25), threshold=11)
    spec = rates.chart_spec(periods, title="Responses by day")
    values = charts.data_values(spec)
    assert [v["category"] for v in values] == ["2 Mar", "3 Mar – 5 Mar"]
    assert [(v["label"], v["count"], v["total"]) for v in values] == [
        (p.label, p.responses, p.cumulative) for p in periods
    ]
    assert spec["config"] == charts.CONFIG  # the same look as every other chart
    assert charts.axis_titles(spec) == {
        "x": {"Day or days"},
        "y": {"Responses", "Total so far (dashed line)"},
    }
    drawn = set(charts.text_labels(charts.svg(spec)))
    assert {"Responses by day", "2 Mar", "3 Mar – 5 Mar", "Day or days", "Responses"} <= drawn


@pytest.mark.parametrize(
    "level, expected", [(0, ""), (1, "nhsuk-u-padding-left-3"), (9, "nhsuk-u-padding-left-7")]
)
def test_indentation_is_capped(level, expected):
    assert rates.RateRow("X", "X", 0, 0, 5, level=level).indent_class == expected


def test_no_hidden_count_can_be_recovered_from_a_parent_and_its_visible_children():
    """Random counts through the real rows: a visible parent minus its visible children
    leaves at least the threshold, or nothing when no hidden part has anybody in it (the
    disclosure-control invariant; people invited who did not respond count as somebody)."""
    import random

    rng = random.Random(7)
    for _ in range(200):
        own = {}
        for unit in UNITS:
            if rng.random() < 0.8:
                invited = rng.randint(0, 25)
                own[unit.id] = Count(invited, rng.randint(0, invited))
        rows = rates.unit_rows(UNITS, own, roots=[ROOT], threshold=11, levels_below=5)
        by_key = {row.key: row for row in rows}
        for unit in UNITS:
            parent = by_key.get(unit.code)
            if parent is None:
                continue
            children = [
                by_key[u.code] for u in UNITS if u.parent_id == unit.id and u.code in by_key
            ]
            for field in ("invited", "responded"):
                if getattr(parent, f"{field}_hidden"):
                    continue
                shown_children = sum(
                    getattr(c, field) for c in children if not getattr(c, f"{field}_hidden")
                )
                remainder = getattr(parent, field) - shown_children
                hidden_people = own.get(unit.id, Count()).invited + sum(
                    c.invited for c in children if getattr(c, f"{field}_hidden")
                )
                if field == "responded" and hidden_people:
                    assert remainder >= 11, (unit.code, field, remainder)
                assert remainder == 0 or remainder >= 11, (unit.code, field, remainder)


def test_no_hidden_staff_group_is_the_difference_from_the_total():
    rows = rates.staff_group_rows(
        {"a": Count(30, 20), "b": Count(25, 15), "c": Count(4, 3)}, names={}, threshold=11
    )
    hidden = {row.key: (row.invited_hidden, row.responded_hidden) for row in rows}
    assert hidden == {"a": (False, False), "b": (True, True), "c": (True, True)}


def test_groups_and_days_are_hidden_when_the_scope_total_is():
    rows = rates.staff_group_rows(
        {"a": Count(30, 20)}, names={}, threshold=11, total_hidden=(True, False)
    )
    assert (rows[0].invited_text, rows[0].responded_text) == ("not shown", "20")
    periods = rates.day_periods({D: 30, D + timedelta(days=1): 12}, threshold=11, total_hidden=True)
    assert [(p.responses_text, p.cumulative_text, p.hidden) for p in periods] == [
        ("not shown", "not shown", True)
    ]
