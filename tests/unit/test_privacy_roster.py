"""Generalising stored responses against the invited roster (colead.privacy.roster).

The property test builds random trusts (unit trees, rosters with workforce facts, responses
with "About you" answers) and attacks the result as a database holder would, with an
attacker written here in plain loops: for each stored response, the invited people of its
reporting unit and of every unit whose responses are reported there, whose recorded facts
agree with every answer the response still gives."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from colead.privacy import roster
from colead.privacy.roster import RosterPerson, StoredResponse

FIELDS = ("staff_group", "band", "length_of_service", "ethnicity", "sex")
VALUES = {
    "staff_group": ("nursing", "medical", "admin"),
    "band": ("band_1_4", "band_5_7", "band_8_9"),
    "length_of_service": ("under_1_year", "years_1_5", "over_10_years"),
    "ethnicity": ("white", "asian", "black"),
    "sex": ("female", "male"),
}
K = 5


def attacker_candidates(response, stored_unit, people, reported_in):
    """People whose reporting unit reports in ``stored_unit`` and whose facts agree with
    every answer the stored response gives. Written without the module's code."""
    count = 0
    # A response stored where nobody invited is reported could be anyone's.
    anyone = not any(reported_in[person.unit] == stored_unit for person in people)
    for person in people:
        if reported_in[person.unit] != stored_unit and not anyone:
            continue
        agrees = True
        for name, answer in response.items():
            if answer in ("", "prefer_not", None):
                continue
            fact = person.facts.get(name)
            if fact is not None and fact != answer:
                agrees = False
                break
        if agrees:
            count += 1
    return count


@st.composite
def trusts(draw):
    size = draw(st.integers(1, 14))
    parents = {0: None}
    for unit in range(1, size):
        parents[unit] = draw(st.integers(0, unit - 1))
    people = []
    for unit in parents:
        for _ in range(draw(st.integers(0, 9))):
            facts = {}
            for name in FIELDS:
                facts[name] = draw(st.one_of(st.none(), st.sampled_from(VALUES[name])))
            people.append(RosterPerson(unit, facts))
    if len(people) < K:
        people += [RosterPerson(0, {}) for _ in range(K - len(people))]
    responses = []
    for _ in range(draw(st.integers(0, 25))):
        unit = draw(st.sampled_from(sorted(parents)))
        demographics = {}
        for name in FIELDS:
            answer = draw(
                st.one_of(st.none(), st.just("prefer_not"), st.sampled_from(VALUES[name]))
            )
            if answer is not None:
                demographics[name] = answer
        responses.append(StoredResponse(unit, demographics))
    return parents, people, responses


def plain_folds(parents, people, k):
    """The folding rule, written again with recursion and no shared code: a unit whose own
    people plus those of its folded children are fewer than k folds into its parent; a top
    unit still short takes in its smallest standing child."""
    direct = {unit: 0 for unit in parents}
    for person in people:
        direct[person.unit] += 1
    children = {unit: [u for u, p in parents.items() if p == unit] for unit in parents}
    folded = set()

    def group(unit):
        return direct[unit] + sum(group(c) for c in children[unit] if c in folded)

    def visit(unit):
        for child in children[unit]:
            visit(child)
        if parents[unit] is not None and group(unit) < k:
            folded.add(unit)

    visit(0)
    if 0 < group(0) < k:

        def in_top(unit):
            while unit in folded:
                unit = parents[unit]
            return unit == 0

        standing = [c for u in parents if in_top(u) for c in children[u] if c not in folded]
        folded.add(min(standing, key=lambda c: (group(c), repr(c))))

    def top(unit):
        while unit in folded:
            unit = parents[unit]
        return unit

    return {unit: top(unit) for unit in parents}


@settings(max_examples=300, deadline=None)
@given(trusts())
def test_every_stored_response_matches_at_least_k_invited_people(trust):
    parents, people, responses = trust
    results = roster.generalise(
        parents=parents, roster=people, responses=responses, fields=FIELDS, k=K
    )
    reported_in = plain_folds(parents, people, K)
    assert reported_in == roster.fold_units(
        parents, {u: sum(p.unit == u for p in people) for u in parents}, K
    )
    for response, result in zip(responses, results, strict=True):
        assert result.unit == reported_in[response.unit]
        found = attacker_candidates(result.demographics, result.unit, people, reported_in)
        assert found >= K, (response, result, found)
        # Only answers are removed, never changed or added.
        assert result.demographics.items() <= dict(response.demographics).items()
        assert set(result.dropped) == set(response.demographics) - set(result.demographics)
        # A response that already matched k people where it was given stays as it was.
        before = attacker_candidates(response.demographics, result.unit, people, reported_in)
        if before >= K:
            assert result.demographics == dict(response.demographics)
            assert result.dropped == ()


def test_the_rarest_answer_is_dropped_first():
    people = [RosterPerson("ward", {"staff_group": "nursing", "sex": "female"})] * 6 + [
        RosterPerson("ward", {"staff_group": "medical", "sex": "female"})
    ]
    response = StoredResponse("ward", {"staff_group": "medical", "sex": "female"})
    [result] = roster.generalise(
        parents={"ward": None}, roster=people, responses=[response], fields=FIELDS, k=K
    )
    assert result == roster.Generalised("ward", {"sex": "female"}, ("staff_group",))


def test_prefer_not_and_unrecorded_facts_match_anyone():
    people = [RosterPerson("ward", {"staff_group": "medical"})] + [
        RosterPerson("ward", {"staff_group": None})
    ] * 4
    response = StoredResponse("ward", {"staff_group": "medical", "sex": "prefer_not"})
    [result] = roster.generalise(
        parents={"ward": None}, roster=people, responses=[response], fields=FIELDS, k=K
    )
    assert result.dropped == () and result.unit == "ward"


def test_small_units_fold_into_their_parent_and_a_short_top_takes_its_smallest_child():
    parents = {"trust": None, "div": "trust", "big": "div", "small": "div", "tiny": "trust"}
    sizes = {"trust": 2, "div": 0, "big": 9, "small": 4, "tiny": 1}
    placed = roster.fold_units(parents, sizes, K)
    # small (4) folds into div, div (0 + 4) into trust; trust (2 + 4 + 1) stands.
    assert placed == {
        "trust": "trust",
        "div": "trust",
        "big": "big",
        "small": "trust",
        "tiny": "trust",
    }
    # A top group of 3: the smallest group standing below it joins it.
    placed = roster.fold_units(
        {"trust": None, "a": "trust", "b": "trust"}, {"trust": 3, "a": 8, "b": 6}, K
    )
    assert placed == {"trust": "trust", "a": "a", "b": "trust"}
    # Nobody at the top: nothing needs protecting there, so nothing moves up.
    placed = roster.fold_units({"trust": None, "a": "trust"}, {"a": 8}, K)
    assert placed == {"trust": "trust", "a": "a"}


def test_a_roster_smaller_than_k_is_refused():
    with pytest.raises(roster.RosterError, match="Only 4 people were invited"):
        roster.fold_units({"trust": None, "a": "trust"}, {"trust": 1, "a": 3}, K)


def test_workforce_facts_in_the_survey_codes():
    on = date(2026, 3, 31)
    assert roster.length_of_service_code(date(2025, 6, 1), on) == "under_1_year"
    assert roster.length_of_service_code(date(2021, 3, 1), on) == "years_1_5"
    assert roster.length_of_service_code(date(2018, 1, 1), on) == "years_6_10"
    assert roster.length_of_service_code(date(2010, 1, 1), on) == "over_10_years"
    assert roster.length_of_service_code(None, on) is None
    assert roster.length_of_service_code(date(2026, 5, 1), on) == "under_1_year"
    assert roster.age_band_code("21-25") == "age_16_30"
    assert roster.age_band_code("46-50") == "age_31_50"
    assert roster.age_band_code("61-65") == "age_51_65"
    assert roster.age_band_code("66 and over") == "age_66_plus"
    assert roster.age_band_code("26-35") is None  # straddles two survey bands
    assert roster.ethnicity_code("Asian or Asian British - Indian") == "asian"
    assert roster.ethnicity_code("Other Ethnic Groups - Chinese") == "other"
    assert roster.ethnicity_code("Not stated") is None
    assert roster.sex_code("Female") == "female" and roster.sex_code("") is None
    assert roster.disability_code("Not declared") is None


# -- counts kept after close ---------------------------------------------------------------


def test_a_staff_group_of_one_is_pooled_so_its_cell_does_not_say_who_responded():
    cells = {"nursing": (10, 6), "ahp": (10, 4), "medical": (1, 1)}
    kept = roster.pool_small_cells(cells, k=K, pooled="pooled")
    # the lone doctor is pooled with the smallest group that brings the pool to 5 or more
    assert "medical" not in kept
    assert kept["pooled"][0] >= K
    assert sum(c[0] for c in kept.values()) == 21 and sum(c[1] for c in kept.values()) == 11


def test_a_unit_of_one_staff_group_keeps_its_total():
    assert roster.pool_small_cells({"nursing": (3, 2)}, k=K, pooled="pooled") == {"nursing": (3, 2)}
    assert roster.pool_small_cells({"nursing": (12, 2)}, k=K, pooled="pooled") == {
        "nursing": (12, 2)
    }


def test_the_pool_name_cannot_clash_with_a_staff_group():
    with pytest.raises(roster.RosterError):
        roster.pool_small_cells({"pooled": (5, 1)}, k=K, pooled="pooled")


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(("a", "b", "c", "d", "e")),
        st.integers(1, 12).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))),
        min_size=1,
    )
)
def test_kept_cells_add_up_and_never_isolate_fewer_than_5(cells):
    kept = roster.pool_small_cells(cells, k=K, pooled="pooled")
    total = sum(c[0] for c in cells.values())
    assert sum(c[0] for c in kept.values()) == total
    assert sum(c[1] for c in kept.values()) == sum(c[1] for c in cells.values())
    if len(kept) > 1:
        # every cell, and what the unit's total leaves without it, has 5 or more people
        for invited, _ in kept.values():
            assert invited >= K and total - invited >= K
