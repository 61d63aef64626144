"""Disclosure control (colead.privacy.disclosure): the scenarios of measures.md §10.3 and the
public API. The random-tree proofs are in test_privacy_disclosure_properties.py."""

import numpy as np
import pytest

from colead.privacy.disclosure import (
    REMAINDER,
    Breakdown,
    Hierarchy,
    Status,
    banded_percent,
    change_visible,
    comments_visible,
    crosstab_allowed,
    filter_allowed,
    percent_band,
    protect,
    protect_comments,
    reason,
    redact_frame,
    redact_rows,
)

V, P, C, R = Status.VISIBLE, Status.PRIMARY, Status.COMPLEMENTARY, Status.REFUSED


def tree(*pairs):
    return Hierarchy.build([u for u, _ in pairs], [p for _, p in pairs])


# ---- R1 and R2: the spec's scenarios ----------------------------------------------------------


def test_department_of_12_with_teams_of_10_and_2_hides_both_teams():
    t = tree(("DEPT", None), ("T10", "DEPT"), ("T2", "DEPT"))
    prot = protect(t, {"DEPT": 12, "T10": 10, "T2": 2}, k=5)
    assert prot.unit_status("DEPT") is V
    assert prot.unit_status("T2") is P  # R1
    assert prot.unit_status("T10") is C  # R2: 12 - 10 would give the 2 away
    assert prot.reason(prot.unit_status("T2")) == "Fewer than 5 responses"
    assert reason(C, 5) == "Hidden so that a smaller group cannot be worked out"


def test_team_of_10_with_6_men_and_4_women_refuses_the_breakdown():
    t = tree(("TEAM", None))
    sex = Breakdown(["men", "women"], [[6, 4]])
    prot = protect(t, [10], k=5, breakdowns={"sex": sex})
    assert prot.breakdown_statuses("TEAM", "sex") == {"men": R, "women": P}
    assert not prot.breakdown_allowed("TEAM", "sex")
    assert not filter_allowed(4, 10, 5)  # women: R1
    assert not filter_allowed(6, 10, 5)  # men: R3, the remainder is 4
    assert filter_allowed(10, 10, 5) and filter_allowed(6, 12, 5)


def test_nine_comment_writers_hide_the_comments():
    assert not comments_visible(9, 10)
    assert comments_visible(10, 10)


def test_counts_are_hidden_too_including_zero():
    t = tree(("ORG", None), ("A", "ORG"), ("B", "ORG"), ("EMPTY", "ORG"))
    prot = protect(t, {"ORG": 40, "A": 20, "B": 20, "EMPTY": 0}, k=11)
    assert prot.unit_status("EMPTY") is P  # shown as "fewer than 11", like any small group
    # an empty group protects nobody and needs no protection: A and B stay visible
    assert prot.unit_status("A") is V and prot.unit_status("B") is V


MEDICINE = {
    # the spring 2026 demo wave: the six directorates add up to the division exactly, so the
    # three senior staff whose unit is the division itself visibly did not take part
    "MED": 886,
    "ACUTE": 201,
    "CARD": 143,
    "ELDER": 168,
    "GASTRO": 117,
    "RESP": 139,
    "NEURO": 118,
}


def medicine_tree():
    return tree(("MED", None), *((code, "MED") for code in MEDICINE if code != "MED"))


def test_nobody_responding_in_a_group_with_people_is_protected_like_a_small_group():
    t = medicine_tree()
    invited = {"MED": 3, "ACUTE": 400, "CARD": 300, "ELDER": 350, "GASTRO": 250}
    invited |= {"RESP": 280, "NEURO": 260}
    prot = protect(t, MEDICINE, k=11, population=t.subtree_totals(invited))
    assert prot.direct_status("MED") is P
    hidden = [code for code in MEDICINE if code != "MED" and prot.unit_status(code).hidden]
    # one directorate hidden with the division's own 0: 886 minus the visible ones is then at
    # least 11 people, who may or may not include the three
    assert hidden == ["GASTRO"], hidden  # the smallest
    assert prot.unit_status("MED") is V


def test_without_people_a_zero_is_known_to_be_empty_and_protects_nobody():
    t = medicine_tree()
    invited = {code: 100 for code in MEDICINE if code != "MED"}  # nobody attached to MED
    prot = protect(t, MEDICINE, k=11, population=t.subtree_totals(invited))
    assert prot.direct_status("MED") is P  # "fewer than 11", like any figure below k
    assert not any(prot.unit_status(code).hidden for code in MEDICINE)


def test_a_team_with_people_and_no_responses_is_protected_in_its_line():
    t = tree(("DEPT", None), ("A", "DEPT"), ("B", "DEPT"), ("GONE", "DEPT"))
    n = {"DEPT": 40, "A": 25, "B": 15, "GONE": 0}
    assert protect(t, n, k=5).unit_status("B") is V  # without people: GONE is empty
    prot = protect(t, n, k=5, population={"DEPT": 60, "A": 30, "B": 26, "GONE": 4})
    assert prot.unit_status("GONE") is P
    assert prot.unit_status("B") is C  # else 40 - 25 - 15 = 0 says none of the 4 took part
    assert prot.unit_status("A") is V


def test_a_zero_category_of_a_group_with_people_is_protected():
    # everyone who responded is a nurse: showing 12 nurses beside the total says no admin
    # staff of the ward took part
    t = tree(("W", None))
    staff = Breakdown(["nurse", "admin"], [[12, 0]])
    assert protect(t, [12], k=5, breakdowns={"staff": staff}).breakdown_allowed("W", "staff")
    prot = protect(t, [12], k=5, breakdowns={"staff": staff}, population=[20])
    assert prot.category_status("W", "staff", "admin") is P
    assert prot.category_status("W", "staff", "nurse").hidden
    assert not prot.breakdown_allowed("W", "staff")


def test_a_measure_keeps_the_population_of_its_protection():
    t = tree(("DEPT", None), ("A", "DEPT"), ("B", "DEPT"), ("C", "DEPT"))
    pop = {"DEPT": 90, "A": 30, "B": 30, "C": 30}
    prot = protect(t, {"DEPT": 60, "A": 20, "B": 20, "C": 20}, k=5, population=pop)
    assert not any(prot.unit_status(u).hidden for u in pop)
    # nobody in C scored this measure: C's 0 is unknown, and B goes with it
    measure = prot.refine([40, 20, 20, 0])
    assert measure.unit_status("C") is P
    assert measure.unit_status("A").hidden or measure.unit_status("B").hidden


def test_subtree_totals_and_population_checks():
    t = tree(("ORG", None), ("D", "ORG"), ("W", "D"))
    assert t.subtree_totals({"ORG": 1, "W": 3}).tolist() == [4, 3, 3]
    assert t.subtree_totals([1, 0, 3]).tolist() == [4, 3, 3]
    with pytest.raises(ValueError, match="fewer people than its sub-units"):
        protect(t, [0, 0, 0], k=5, population=[1, 0, 3])


def test_a_group_hidden_for_a_line_another_hidden_group_already_protects_is_shown_again():
    # ORG 18 = U1 2 + U2 8 + 8 attached to ORG. The staff-group lines hide the direct group
    # (its one non-empty category is hidden for ORG's column), and the unit line, deciding at
    # the same time, hid U2 for U1's 2 as well: U1 2 + direct 8 already protect each other.
    t = tree(("ORG", None), ("U1", "ORG"), ("U2", "ORG"))
    staff = Breakdown(["x", "y"], [[8, 10], [2, 0], [6, 2]])
    prot = protect(t, [18, 2, 8], k=5, breakdowns={"staff": staff})
    assert prot.unit_status("U1") is P
    assert prot.direct_status("ORG") is C
    assert prot.unit_status("U2") is V  # was hidden too before
    assert prot.unit_status("ORG") is V


def test_people_attached_to_a_parent_are_a_group_of_their_own():
    t = tree(("DIV", None), ("W1", "DIV"), ("W2", "DIV"))
    prot = protect(t, {"DIV": 30, "W1": 20, "W2": 5}, k=11)  # 5 attached to DIV itself
    assert prot.direct_status("DIV") is P
    assert prot.unit_status("W2") is P
    # hidden so far: 5 + 5 = 10 < 11, so the smallest visible sub-unit goes too
    assert prot.unit_status("W1") is C
    assert prot.unit_status("DIV") is V


def test_a_single_hidden_group_is_never_alone_in_its_line():
    # DIV 40 = W1 15 + W2 3 + W3 22; W1 has one sub-team holding all its people.
    t = tree(("DIV", None), ("W1", "DIV"), ("W2", "DIV"), ("W3", "DIV"), ("T", "W1"))
    prot = protect(t, {"DIV": 40, "W1": 15, "W2": 3, "W3": 22, "T": 15}, k=11)
    assert prot.unit_status("W2") is P
    assert prot.unit_status("W1") is C  # smallest visible beside W2
    assert prot.unit_status("T") is C  # T is W1 under another name
    assert prot.unit_status("W3") is V


def test_hidden_sub_units_add_up_to_at_least_k_across_levels():
    # a complementary suppression one level down can create a need one level up
    t = tree(
        ("ORG", None),
        ("D1", "ORG"),
        ("D2", "ORG"),
        ("W1", "D1"),
        ("W2", "D1"),
    )
    n = {"ORG": 60, "D1": 25, "D2": 35, "W1": 22, "W2": 3}
    prot = protect(t, n, k=11)
    assert prot.unit_status("W2") is P and prot.unit_status("W1") is C
    assert prot.unit_status("D1") is V and prot.unit_status("D2") is V


def test_breakdown_totals_across_sub_units_are_protected():
    # Medicine's nurses minus Ward B's nurses would give Ward A's 3 nurses.
    t = tree(("MED", None), ("A", "MED"), ("B", "MED"))
    staff = Breakdown(["nurse", "admin"], [[15, 25], [3, 17], [12, 8]])
    prot = protect(t, [40, 20, 20], k=5, breakdowns={"staff": staff})
    assert prot.category_status("A", "staff", "nurse") is P
    assert prot.category_status("B", "staff", "nurse").hidden
    assert prot.category_status("MED", "staff", "nurse") is V
    assert prot.breakdown_allowed("MED", "staff")


def test_a_breakdown_remainder_is_a_category_of_its_own():
    t = tree(("ORG", None))
    prot = protect(t, [30], k=5, breakdowns={"age": Breakdown(["<30", "30+"], [[12, 15]])})
    assert REMAINDER in prot.categories("age")
    assert prot.category_status("ORG", "age", REMAINDER) is P  # 3 did not say
    statuses = prot.breakdown_statuses("ORG", "age")
    assert statuses["<30"] is C and statuses["30+"] is V
    assert prot.breakdown_allowed("ORG", "age")


def test_protected_characteristics_only_for_large_groups_or_the_organisation():
    t = tree(("ORG", None), ("A", "ORG"), ("B", "ORG"))
    eth = Breakdown(["x", "y"], [[60, 40], [25, 15], [35, 25]], min_group_n=50)
    prot = protect(t, [100, 40, 60], k=11, breakdowns={"ethnicity": eth})
    assert prot.breakdown_allowed("ORG", "ethnicity")
    assert not prot.breakdown_allowed("A", "ethnicity")  # 40 < 50
    assert prot.category_status("A", "ethnicity", "x") is R
    # B's own figures would give A's back (ORG - B), so B's breakdown goes too
    assert not prot.breakdown_allowed("B", "ethnicity")
    assert prot.category_status("ORG", "ethnicity", "x") is V


def test_a_hidden_group_has_no_breakdown():
    t = tree(("ORG", None), ("A", "ORG"), ("B", "ORG"))
    sg = Breakdown(["n", "m"], [[30, 20], [4, 2], [26, 18]])
    prot = protect(t, [50, 6, 44], k=7, breakdowns={"sg": sg})
    assert prot.unit_status("A") is P
    assert not prot.breakdown_allowed("A", "sg")


def test_the_audit_hides_a_cell_the_line_rules_miss():
    """Every line holds two hidden cells, yet ward A's c3 can be worked out."""
    # Found by the property tests: rows of the sub-units and columns of the parent combine.
    t = Hierarchy.from_parent_index([-1, 0, 0, 1])
    cells = np.array([[59, 58, 15, 33], [45, 31, 15, 33], [4, 3, 0, 0], [0, 31, 0, 6]])
    bd = {"b": Breakdown(["c0", "c1", "c2", "c3"], cells)}
    without = protect(t, cells.sum(axis=1), 9, bd, audit=False)
    with_audit = protect(t, cells.sum(axis=1), 9, bd)
    assert without.category_status(3, "b", "c3") is P
    hidden = sum(
        with_audit.category_status(u, "b", c, direct=d).hidden
        for u, d in [(0, False), (1, False), (2, False), (3, False), (0, True), (1, True)]
        for c in ["c0", "c1", "c2", "c3"]
    )
    hidden_before = sum(
        without.category_status(u, "b", c, direct=d).hidden
        for u, d in [(0, False), (1, False), (2, False), (3, False), (0, True), (1, True)]
        for c in ["c0", "c1", "c2", "c3"]
    )
    assert hidden > hidden_before


# ---- R5, R6 and cross-tabs ---------------------------------------------------------------------


def test_change_is_shown_only_with_twice_the_threshold_in_both_waves():
    assert change_visible(22, 22, 11)
    assert not change_visible(21, 40, 11)
    assert not change_visible(40, 21, 11)
    assert not change_visible(40, 40, 11, visible_before=False)


def test_percent_positive_is_banded_below_twice_the_threshold():
    assert banded_percent(100.0, 12, 11) == "≥90%"
    assert banded_percent(91.0, 11, 11) == "≥90%"  # 10 of 11 and 11 of 11 look the same
    assert banded_percent(0.0, 12, 11) == "≤10%"
    assert banded_percent(45.5, 15, 11) == "40–50%"
    assert banded_percent(45.5, 22, 11) is None  # 2k or more: exact
    assert banded_percent(None, 12, 11) is None
    # with 5 people a ten-point top band would hold only 5 of 5: it widens
    assert percent_band(100.0, 5) == "≥80%" and percent_band(80.0, 5) == "≥80%"
    assert percent_band(0.0, 5) == "≤20%" and percent_band(20.0, 5) == "≤20%"
    for n in range(3, 40):
        for positive in (0, n):
            band = percent_band(100 * positive / n, n)
            other = 1 if positive == 0 else n - 1
            assert band == percent_band(100 * other / n, n), (n, positive)


def test_cross_tabs_only_at_organisation_level_with_every_cell_and_remainder_at_k():
    table = [[20, 15], [30, 25]]
    assert crosstab_allowed(table, 11, at_organisation_level=True)
    assert not crosstab_allowed(table, 11, at_organisation_level=False)
    assert not crosstab_allowed([[20, 5], [30, 25]], 11, at_organisation_level=True)
    assert not crosstab_allowed([[20, 0], [30, 25]], 11, at_organisation_level=True)
    # a row that is all but everyone leaves a small remainder
    assert not crosstab_allowed([[40, 40], [6, 6]], 11, at_organisation_level=True)


# ---- comments ----------------------------------------------------------------------------------


def test_comments_cannot_be_subtracted_from_a_parents():
    t = tree(("DIV", None), ("A", "DIV"), ("B", "DIV"))
    prot = protect_comments(t, {"DIV": 25, "A": 20, "B": 5}, comment_threshold=10)
    assert prot.unit_status("B") is P and prot.unit_status("A") is C
    assert prot.unit_status("DIV") is V


# ---- per measure -------------------------------------------------------------------------------


def test_a_measure_is_protected_on_its_own_counts():
    t = tree(("ORG", None), ("A", "ORG"), ("B", "ORG"), ("C", "ORG"))
    base = protect(t, {"ORG": 45, "A": 15, "B": 15, "C": 15}, k=11)
    assert all(base.unit_status(u) is V for u in "ABC")
    # five in A skipped this measure's questions: A drops below 11, and one more must go
    measure = base.refine([40, 10, 15, 15])
    assert measure.unit_status("A") is P
    assert sum(measure.unit_status(u) is C for u in "BC") == 1
    assert base.unit_status("A") is V  # the response counts are unchanged


def test_refine_needs_the_measures_breakdown_counts():
    t = tree(("ORG", None))
    base = protect(t, [30], 5, {"sg": Breakdown(["a", "b"], [[15, 12]])})
    assert base.category_status("ORG", "sg", REMAINDER) is P  # 3 did not say
    m = base.refine([28], {"sg": [[14, 12]]})
    assert m.category_status("ORG", "sg", "a") is V
    assert m.category_status("ORG", "sg", REMAINDER) is P
    with pytest.raises(KeyError):
        base.refine([28]).category_status("ORG", "sg", "a")


# ---- tables ------------------------------------------------------------------------------------


def test_redact_rows_empties_every_number_of_a_hidden_row():
    t = tree(("DEPT", None), ("T10", "DEPT"), ("T2", "DEPT"))
    prot = protect(t, {"DEPT": 40, "T10": 30, "T2": 10}, k=11)
    rows = [
        {
            "unit_code": "DEPT",
            "measure": "eng",
            "n": 40,
            "score": 7.1,
            "ci_low": 6.8,
            "ci_high": 7.4,
            "pct_positive": 63.0,
            "sum": 284.0,
        },
        {
            "unit_code": "T2",
            "measure": "eng",
            "n": 10,
            "score": 5.0,
            "ci_low": 4.0,
            "ci_high": 6.0,
            "pct_positive": 100.0,
            "sum": 50.0,
            "new_number": 3,
        },
        {
            "unit_code": "T10",
            "measure": "eng",
            "n": 30,
            "score": 7.5,
            "ci_low": 7.0,
            "ci_high": 8.0,
            "pct_positive": 70.0,
        },
    ]
    out = redact_rows(rows, prot)
    assert out[0]["score"] == 7.1 and out[0]["suppressed"] is None
    assert out[0]["pct_positive"] == 63.0 and out[0]["pct_positive_band"] is None
    hidden = out[1]
    assert hidden["suppressed"] == "primary"
    assert hidden["suppressed_reason"] == "Fewer than 11 responses"
    assert hidden["unit_code"] == "T2" and hidden["measure"] == "eng"
    assert all(hidden[f] is None for f in ("n", "score", "ci_low", "ci_high", "sum"))
    assert hidden["pct_positive"] is None and hidden["new_number"] is None
    assert out[2]["suppressed"] == "complementary" and out[2]["score"] is None
    assert rows[1]["score"] == 5.0  # the input is not changed


def test_redact_rows_bands_percent_positive_and_hides_a_row_below_k_whatever_it_says():
    t = tree(("ORG", None))
    prot = protect(t, [15], k=11)
    out = redact_rows(
        [
            {
                "unit": "ORG",
                "measure": "m",
                "n": 15,
                "pct_positive": 100.0,
                "n_positive": 15,
                "pct_low": 79.6,
                "pct_high": 100.0,
            },
            {"unit": "ORG", "measure": "thin", "n": 6, "pct_positive": 50.0},
        ],
        {None: prot},
    )
    assert out[0]["pct_positive_band"] == "≥90%"
    assert out[0]["pct_positive"] is None and out[0]["n_positive"] is None
    assert out[0]["pct_low"] is None and out[0]["n"] == 15
    assert out[1]["suppressed"] == "primary" and out[1]["pct_positive"] is None
    exact = redact_rows(
        [{"unit": "ORG", "n": 15, "pct_positive": 100.0}], prot, band_percent_positive=False
    )
    assert exact[0]["pct_positive"] == 100.0


def test_redact_rows_breakdown_and_direct_rows_and_measure_protections():
    t = tree(("ORG", None), ("A", "ORG"))
    sg = Breakdown(["n", "m"], [[30, 20], [20, 10]])
    base = protect(t, [50, 30], 5, {"sg": sg})
    thin = base.refine([50, 30], {"sg": [[30, 20], [20, 10]]})
    rows = [
        {"unit_code": "ORG", "direct": True, "measure": "m1", "n": 20, "score": 1.0},
        {
            "unit_code": "A",
            "breakdown": "sg",
            "category": "m",
            "measure": "m2",
            "n": 10,
            "score": 2.0,
        },
        {"unit_code": "A", "breakdown": "", "measure": "m2", "n": 30, "score": 3.0},
    ]
    out = redact_rows(rows, {None: base, "m2": thin})
    assert [r["suppressed"] for r in out] == [None, None, None]
    with pytest.raises(KeyError):
        redact_rows([{"unit_code": "NOPE", "n": 40}], base)
    with pytest.raises(KeyError):
        redact_rows([{"unit_code": "A", "measure": "x", "n": 40}], {"m2": thin})


# ---- inputs ------------------------------------------------------------------------------------


def test_inconsistent_counts_are_refused():
    t = tree(("ORG", None), ("A", "ORG"))
    with pytest.raises(ValueError, match="fewer respondents than its sub-units"):
        protect(t, [10, 12], 5)
    with pytest.raises(ValueError, match="more in its categories"):
        protect(t, [10, 5], 5, {"b": Breakdown(["x"], [[11], [5]])})
    with pytest.raises(ValueError, match="threshold"):
        protect(t, [10, 5], 0)
    with pytest.raises(ValueError, match="cycle"):
        Hierarchy.build(["A", "B"], ["B", "A"])
    with pytest.raises(ValueError, match="unknown parent"):
        Hierarchy.build(["A"], ["Z"])


def test_a_tree_from_the_engine_keeps_its_ids():
    from colead.insights.engine import UnitTree

    engine_tree = UnitTree(["W1", "ORG", "W2"], ["ORG", None, "ORG"])
    h = Hierarchy.of(engine_tree)
    assert set(h.ids) == {"ORG", "W1", "W2"}
    prot = protect(engine_tree, {"ORG": 30, "W1": 20, "W2": 10}, 11)
    assert prot.unit_status("W2") is P and prot.unit_status("W1") is C


def test_national_scale_unit_totals():
    """56,200 units (200 organisations x 281 units): every unit below the threshold, and only
    those, is hidden by the primary rule. The time it takes is measured by
    bench/disclosure_national.py."""
    rng = np.random.default_rng(0)
    parents = []
    for _ in range(200):
        root = len(parents)
        parents.append(-1)
        for _ in range(5):
            division = len(parents)
            parents.append(root)
            for _ in range(5):
                directorate = len(parents)
                parents.append(division)
                parents.extend([directorate] * 10)
    h = Hierarchy.from_parent_index(parents)
    leaf = np.where(np.isin(np.arange(len(parents)), h.internal), 0, rng.poisson(14, len(parents)))
    n = leaf.copy()
    for depth in range(int(h.depth.max()), 0, -1):
        at = np.flatnonzero(h.depth == depth)
        np.add.at(n, h.parent[at], n[at])
    prot = protect(h, n, 11)
    assert (prot.unit_statuses == 1).sum() == (n < 11).sum()


def test_redact_frame_matches_redact_rows():
    import polars as pl

    t = tree(("ORG", None), ("A", "ORG"), ("B", "ORG"), ("C", "ORG"))
    sg = Breakdown(["n", "m"], [[40, 20], [14, 6], [16, 4], [10, 10]])
    base = protect(t, [60, 20, 20, 20], 5, {"sg": sg})
    thin = base.refine([58, 18, 20, 20], {"sg": [[38, 20], [12, 6], [16, 4], [10, 10]]})
    rows = [
        {
            "wave": "w",
            "unit": u,
            "breakdown": b,
            "category": c,
            "measure": m,
            "n": n,
            "mean": 6.5,
            "sd": 1.0,
            "pct_positive": p,
            "pct_low": 1.0,
            "pct_high": 99.0,
            "n_positive": 3.0,
        }
        for u, b, c, m, n, p in [
            ("ORG", None, None, "eng", 60, 55.0),
            ("A", None, None, "eng", 8, 100.0),
            ("B", "sg", "m", "eng", 4, 50.0),
            ("A", "sg", "n", "safe", 12, 40.0),
            ("C", "sg", "m", "safe", 10, 20.0),
            ("ORG", None, None, "safe", 58, 30.0),
        ]
    ]
    prots = {None: base, "safe": thin}
    expected = redact_rows(rows, prots)
    got = redact_frame(pl.DataFrame(rows), prots).to_dicts()
    assert got == expected
    assert [r["suppressed"] for r in got][:3] == [None, None, "primary"]
    assert got[1]["pct_positive_band"] == "≥80%" and got[1]["pct_low"] is None


def test_row_codes_for_many_rows():
    t = tree(("ORG", None), ("A", "ORG"), ("B", "ORG"))
    prot = protect(t, [30, 20, 5], 11)
    codes = prot.row_codes(["ORG", "A", "B", "ORG"], direct=[False, False, False, True])
    assert codes.tolist() == [0, 2, 1, 1]
    with pytest.raises(KeyError):
        prot.row_codes(["A"], direct=[True])


def test_frame_bands_match_percent_band():
    import polars as pl

    t = tree(("ORG", None))
    prot = protect(t, [500], 11)
    grid = [(n, 100 * p / n) for n in range(11, 22) for p in range(n + 1)]
    grid += [(15, 39.999), (15, 40.0), (15, 10.0), (15, 90.0), (21, 95.5)]
    frame = pl.DataFrame(
        {
            "unit": ["ORG"] * len(grid),
            "n": [n for n, _ in grid],
            "pct_positive": [p for _, p in grid],
        }
    )
    got = redact_frame(frame, prot)["pct_positive_band"].to_list()
    assert got == [banded_percent(p, n, 11) for n, p in grid]


def test_redact_frame_takes_rows_with_no_responses():
    """A unit nobody in the wave belongs to (n = 0) is hidden like any small group; its row
    must not break the vectorised banding."""
    import polars as pl

    t = tree(("ORG", None), ("A", "ORG"), ("B", "ORG"))
    prot = protect(t, [30, 30, 0], 5)
    frame = pl.DataFrame(
        {"unit": ["ORG", "A", "B"], "n": [30, 30, 0], "pct_positive": [50.0, 50.0, None]}
    )
    got = redact_frame(frame, prot).to_dicts()
    assert [r["suppressed"] for r in got] == [None, None, "primary"]
    assert got[2]["n"] is None and got[2]["pct_positive_band"] is None


# ---- inputs and lookups refused with a message naming the fix -------------------------------


def test_counts_must_be_whole_numbers_one_per_unit_but_may_come_as_floats():
    t = tree(("ORG", None), ("A", "ORG"), ("B", "ORG"))
    with pytest.raises(ValueError, match=r"unit counts: counts must be whole numbers"):
        protect(t, [30.0, 20.5, 9.5], k=5)
    with pytest.raises(ValueError, match=r"unit counts: expected shape \(3,\), got \(2,\)"):
        protect(t, [30, 20], k=5)
    as_floats = protect(t, np.array([30.0, 26.0, 4.0]), k=5)
    as_ints = protect(t, [30, 26, 4], k=5)
    assert as_floats.unit_statuses.tolist() == as_ints.unit_statuses.tolist() == [0, 2, 1]


def test_a_unit_without_sub_units_has_no_direct_group():
    prot = protect(tree(("ORG", None), ("A", "ORG"), ("B", "ORG")), [30, 20, 10], k=5)
    with pytest.raises(KeyError, match="unit 'A' has no sub-units, so no direct group"):
        prot.unit_status("A", direct=True)
    assert prot.direct_status("ORG") is P  # nobody attached to ORG itself: below k


def test_a_breakdown_row_needs_its_category():
    t = tree(("ORG", None))
    prot = protect(t, [30], k=5, breakdowns={"sex": Breakdown(["men", "women"], [[15, 15]])})
    with pytest.raises(ValueError, match="a breakdown row needs its category"):
        prot.status("ORG", "sex")
    assert prot.status("ORG", "sex", "men") is V


def test_row_codes_without_direct_rows_and_for_no_rows():
    t = tree(("ORG", None), ("A", "ORG"), ("B", "ORG"))
    sex = Breakdown(["men", "women"], [[15, 15], [12, 8], [3, 7]])
    prot = protect(t, [30, 20, 10], k=5, breakdowns={"sex": sex})
    codes = prot.row_codes(
        ["A", "A", "ORG"], ["sex", "", None], ["men", None, None], direct=[False] * 3
    )
    expected_men = prot.category_status("A", "sex", "men")
    assert codes.tolist() == [
        list(Status).index(expected_men),
        list(Status).index(prot.unit_status("A")),
        0,
    ]
    assert prot.row_codes([]).tolist() == []


def test_row_codes_refuse_an_unknown_category():
    t = tree(("ORG", None))
    prot = protect(t, [30], k=5, breakdowns={"sex": Breakdown(["men", "women"], [[15, 15]])})
    with pytest.raises(KeyError, match="unknown breakdown category 'sex'/'other'"):
        prot.row_codes(["ORG"], ["sex"], ["other"])
    with pytest.raises(KeyError, match="unknown breakdown category 'age'/'<30'"):
        prot.row_codes(["ORG"], ["age"], ["<30"])


def test_a_measure_cannot_leave_people_uncategorised_where_the_responses_do_not():
    t = tree(("ORG", None))
    base = protect(t, [30], k=5, breakdowns={"sex": Breakdown(["men", "women"], [[15, 15]])})
    with pytest.raises(ValueError, match="breakdown 'sex': the measure's counts leave people"):
        base.refine([30], {"sex": [[14, 15]]})  # one respondent is in neither category


def test_a_crosstab_needs_a_two_way_table_of_counts():
    assert crosstab_allowed([[20, 20], [20, 20]], 5, at_organisation_level=True)
    assert not crosstab_allowed([20, 20, 20], 5, at_organisation_level=True)
    assert not crosstab_allowed(np.zeros((0, 2)), 5, at_organisation_level=True)


def test_percent_band_needs_three_people_and_is_ten_points_wide_in_the_middle():
    assert percent_band(50.0, 2) is None
    assert banded_percent(50.0, 2, 5) == "Not shown"
    assert percent_band(55.0, 20) == "50–60%"
    # the edge bands grow so a unanimous answer is never pinned down
    assert [percent_band(p, 3) for p in (33.3, 40.0, 45.0, 60.0, 66.7)] == [
        "≤40%",
        "≤40%",
        "40–50%",
        "≥60%",
        "≥60%",
    ]


def test_redact_frame_without_a_protection_for_a_measure_names_the_measure():
    import polars as pl

    prot = protect(tree(("ORG", None)), [30], k=5)
    frame = pl.DataFrame({"unit": ["ORG", "ORG"], "measure": ["eng", "safe"], "n": [30, 30]})
    with pytest.raises(KeyError, match="no protection for measure 'safe'"):
        redact_frame(frame, {"eng": prot})


def test_redact_frame_gives_each_measure_the_reason_with_its_own_threshold():
    import polars as pl

    t = tree(("ORG", None))
    lenient, strict = protect(t, [8], k=5), protect(t, [8], k=11)
    frame = pl.DataFrame(
        {
            "unit": ["ORG", "ORG"],
            "measure": ["eng", "safe"],
            "n": [8, 8],
            "pct_positive": [50.0] * 2,
        }
    )
    got = redact_frame(frame, {"eng": lenient, "safe": strict}, band_percent_positive=False)
    assert got["suppressed_reason"].to_list() == [None, "Fewer than 11 responses"]
    assert got["pct_positive"].to_list() == [50.0, None]  # not banded when asked not to
    assert got["pct_positive_band"].to_list() == [None, None]
    rows = redact_rows(
        frame.to_dicts(), {"eng": lenient, "safe": strict}, band_percent_positive=False
    )
    assert got.to_dicts() == rows


# ---- the audit's intersection of two spaces of changes ---------------------------------------


def _changes_by_linear_algebra(spaces, width):
    """(categories that can change, whether the total can) when every space allows its free
    categories to change freely, each of its blocks only with a zero sum, and nothing else."""
    from colead.privacy import disclosure

    rows = []
    for free, blocks in spaces:
        support = disclosure._support((free, blocks))
        for c in range(width):
            if not support >> c & 1:
                rows.append([1 if i == c else 0 for i in range(width)])
        for block in blocks:
            rows.append([block >> i & 1 for i in range(width)])
    a = np.array(rows, dtype=float).reshape(-1, width)
    _, sing, vt = np.linalg.svd(a) if len(a) else (None, np.zeros(0), np.eye(width))
    null = vt[int((sing > 1e-9).sum()) :]
    moves = sum(1 << c for c in range(width) if len(null) and np.abs(null[:, c]).max() > 1e-9)
    total_moves = bool(len(null)) and np.abs(null.sum(axis=1)).max() > 1e-9
    return moves, total_moves


@pytest.mark.parametrize(
    ("d", "e"),
    [
        # two blocks a side, crossing: a cycle through all four categories, total fixed
        ((0, (0b0011, 0b1100)), (0, (0b0101, 0b1010))),
        # a chain of blocks ending at a side with nothing free: every category is pinned
        ((0b0001, (0b0110,)), (0, (0b0011, 0b1100))),
        # free categories on both sides join the chain into a cycle: all of it can change
        ((0b0001, (0b0110,)), (0b0100, (0b0011,))),
    ],
)
def test_the_audit_intersects_spaces_of_changes_as_linear_algebra_does(d, e):
    from colead.privacy import disclosure

    assert disclosure._query(d, e) == _changes_by_linear_algebra([d, e], 4)


def test_nothing_in_common_means_nothing_can_change():
    from colead.privacy import disclosure

    assert disclosure._query(None, (0b11, ())) == (0, False)
    assert disclosure._query((0b0011, ()), (0b1100, ())) == (0, False)  # no shared category


def test_bridges_of_a_small_multigraph():
    from colead.privacy import disclosure

    # a triangle 0-1-2 with a tail 2-3 and a doubled edge 3-4: only the tail is a bridge
    edges = [(0, 1), (1, 2), (2, 0), (2, 3), (3, 4), (4, 3)]
    assert disclosure._bridges(5, edges) == [False, False, False, True, False, False]
    assert disclosure._bridges(4, [(0, 1), (2, 3)]) == [True, True]  # two separate pieces


# ---- giving back needless suppressions, and repairing what the audit finds ----------------------


def _state(breakdowns=None):
    """A department of 20: a small team S of 2 and teams A (10) and B (8), with k = 5."""
    from colead.privacy import disclosure

    t = tree(("T", None), ("S", "T"), ("A", "T"), ("B", "T"))
    state = disclosure._State(t, 5, [20, 2, 10, 8], breakdowns or {})
    state.hG |= state.pG & (state.nG < 5)
    return state, {code: t.position(code) for code in ("T", "S", "A", "B")}


def test_release_shows_the_larger_complement_and_keeps_the_one_still_needed():
    # A and B were both hidden next to S; showing either alone keeps S protected, showing
    # both would leave S the only hidden team in the department's line (20 - 10 - 8 = 2).
    state, at = _state()
    state.hG[[at["A"], at["B"]]] = True
    assert state.release() is True
    hidden = {code for code, g in at.items() if state.hG[g]}
    assert hidden == {"S", "B"}


def test_repairing_a_worked_out_total_hides_the_smallest_visible_total_beside_it():
    state, at = _state({"b": Breakdown(["x", "y"], [[12, 8], [1, 1], [6, 4], [5, 3]])})
    cut = state.cuts[0]
    cut.H[at["S"]] = True  # S's own breakdown row offers nothing to hide
    assert state._repair(cut, "total", at["S"], -1) is True
    assert {code for code, g in at.items() if state.hG[g]} == {"S", "B"}  # B (8) < A (10)


def test_repair_with_nothing_visible_up_to_the_root_hides_the_whole_breakdown():
    state, at = _state({"b": Breakdown(["x", "y"], [[12, 8], [1, 1], [6, 4], [5, 3]])})
    cut = state.cuts[0]
    cut.H[:, 0] = True  # column x hidden everywhere
    cut.H[at["S"]] = cut.H[at["T"]] = True  # and the rows of S and of the department
    assert state._repair(cut, "cell", at["S"], 0) is True
    assert cut.H[cut.P].all()  # A's and B's y cells, far from the cell, are hidden too
    assert state._repair(cut, "cell", at["S"], 0) is False  # nothing more left to hide
