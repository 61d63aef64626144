"""The demo's survey responses (pure, no database): two waves per trust whose answers have
the designed structure, checked with the pure insights engine on the generated answers.

The stored responses are checked the same way in tests/integration/test_demo_survey_waves.py.
"""

import re
import statistics
from collections import Counter, defaultdict

import numpy as np
import polars as pl
import pytest

from colead.demo import survey_responses as S
from colead.demo.generator import generate
from colead.insights import (
    UnitTree,
    compare_waves,
    compute_wave_scores,
    key_drivers,
    reliability,
    responses_frame,
    unit_statistics,
)
from colead.lib.table import read_table
from colead.org import reference
from colead.privacy import disclosure
from colead.surveys import answers as answer_rules
from colead.surveys.masking import build_masker
from colead.surveys.response_import import BAND_GROUPS, validate_responses

SEED, STAFF = 2026, 6000  # the demo's own size: the structure is built for it


@pytest.fixture(scope="module")
def trusts():
    return generate(seed=SEED, staff=STAFF)


@pytest.fixture(scope="module")
def surveys(trusts):
    return {survey.code: survey for survey in S.generate_surveys(trusts, seed=SEED)}


@pytest.fixture(scope="module")
def acute(trusts, surveys):
    """DEMO1: its tree, the survey and each wave scored by the pure engine."""
    trust = trusts[0]
    survey = surveys[trust.code]
    tree = UnitTree(
        [u["unit_code"] for u in trust.units], [u["parent_code"] or None for u in trust.units]
    )
    scored = {w.wave.key: score(w.responses) for w in survey.waves}
    stats = {key: unit_statistics(s, tree) for key, s in scored.items()}
    return trust, survey, tree, scored, stats


def score(responses):
    instruments = [i for i in S.wave_instruments() if i.code != "demographics"]
    frame = responses_frame([{"unit": r.unit_code, "answers": r.answers} for r in responses])
    return compute_wave_scores(instruments, frame, breakdowns=["staff_group"])


def dimension_codes(scored):
    return [d.code for d in scored.scheme.dimensions]


# -- the waves -------------------------------------------------------------------------------


def test_two_past_waves_for_each_trust_with_the_wave_instruments(trusts, surveys):
    assert set(surveys) == {"DEMO1", "DEMO2"}
    assert S.WAVE_INSTRUMENTS[:4] == (
        "culture-pulse",
        "staff-engagement",
        "team-working",
        "psychological-safety",
    )
    for trust in trusts:
        survey = surveys[trust.code]
        titles = [w.wave.title for w in survey.waves]
        assert titles == ["Staff culture survey autumn 2025", "Staff culture survey spring 2026"]
        autumn, spring = (w.wave for w in survey.waves)
        assert autumn.opens_on < autumn.closes_on < spring.opens_on < spring.closes_on
        people = {row["employee_number"]: row for row in trust.workforce}
        for wave in survey.waves:
            numbers = [r.employee_number for r in wave.responses]
            assert len(set(numbers)) == len(numbers)  # one form each
            # Everyone below the trust itself is invited (its executives are not surveyed).
            below_root = [r for r in trust.workforce if r["unit_code"] != trust.code]
            assert 0 < len(trust.workforce) - len(below_root) < 11
            assert wave.invited == len(below_root)
            assert not any(r.unit_code == trust.code for r in wave.responses)
            for r in wave.responses:
                assert wave.wave.opens_on <= r.submitted_on <= wave.wave.closes_on
                assert r.unit_code == people[r.employee_number]["unit_code"]
                # nobody answers a survey that closed before they started
                start = people[r.employee_number]["start_date"]
                assert start <= wave.wave.closes_on.isoformat()


def test_about_half_respond_and_the_rate_varies_by_unit(trusts, surveys):
    for trust in trusts:
        invited = Counter(row["unit_code"] for row in trust.workforce)
        for wave in surveys[trust.code].waves:
            assert 0.45 <= wave.response_rate <= 0.60, (trust.code, wave.wave.key)
            answered = Counter(r.unit_code for r in wave.responses)
            rates = [answered[u] / n for u, n in invited.items() if n >= 20]
            assert max(rates) - min(rates) >= 0.3
            assert statistics.pstdev(rates) >= 0.08
    # Doctors answer less than allied health professionals, as in the national survey.
    acute = surveys["DEMO1"].waves[0]
    groups = {row["employee_number"]: row["staff_group"] for row in trusts[0].workforce}
    invited = Counter(groups.values())
    answered = Counter(groups[r.employee_number] for r in acute.responses)
    doctors, ahps = "Medical and Dental", "Allied Health Professionals"
    assert answered[doctors] / invited[doctors] < answered[ahps] / invited[ahps] - 0.1


# The fingerprint of the demo's responses for seed 5 and 600 staff, pinned so that a change
# to the generated responses cannot go unnoticed. When the demo is changed on purpose,
# update it to the value this test reports (S.survey_digest(S.generate_surveys(
# generate(seed=5, staff=600), seed=5))).
SMALL_SURVEY_DIGEST = "d15419e97a8d3bc6d8295d5a8bc7c8e8bcf276df6d677c68f9fcb49915128075"


def test_the_same_seed_gives_the_same_responses(trusts):
    small = generate(seed=5, staff=600)
    first = S.survey_digest(S.generate_surveys(small, seed=5))
    assert first == SMALL_SURVEY_DIGEST
    assert S.survey_digest(S.generate_surveys(generate(seed=5, staff=600), seed=5)) == first
    assert S.survey_digest(S.generate_surveys(small, seed=6)) != first


def test_every_answer_is_one_the_form_accepts(surveys):
    items = {item.code: item for instrument in S.wave_instruments() for item in instrument.items}
    team_questions = {code for code, item in items.items() if item.show_if is not None}
    kinds = Counter()
    for survey in surveys.values():
        for wave in survey.waves:
            for r in wave.responses:
                for code, value in r.answers.items():
                    cleaned, error = answer_rules.clean_answer(items[code], value)
                    assert error is None and cleaned == value, (code, value)
                    kinds[value if value in ("dk", "yes", "no") else items[code].type] += 1
                if r.answers.get("in_team") != "yes":
                    assert team_questions.isdisjoint(r.answers)  # not asked
                assert answer_rules.prune_hidden(list(items.values()), r.answers) == {
                    code: r.answers[code] for code in items if code in r.answers
                }
    assert kinds["dk"] > 0 and kinds["yes"] > kinds["no"] > 0 and kinds["free_text"] > 0


def test_about_you_answers_match_the_workforce(trusts, surveys):
    people = {row["employee_number"]: row for row in trusts[0].workforce}
    said = Counter()
    for r in surveys["DEMO1"].waves[0].responses:
        row = people[r.employee_number]
        group = r.answers.get("staff_group")
        said[group if group in (None, "prefer_not") else "told"] += 1
        if group not in (None, "prefer_not"):
            assert group == reference.find_staff_group(row["staff_group"]).code
        band = r.answers.get("band")
        if band not in (None, "prefer_not"):
            assert band == BAND_GROUPS[reference.find_band(row["band"]).code]
    assert said["told"] > 0.9 * sum(said.values()) and said["prefer_not"] and said[None]


def test_the_csv_is_what_colead_import_responses_reads(surveys):
    wave = surveys["DEMO2"].waves[1]
    table = read_table(wave.csv(), "responses.csv")
    units = {r.unit_code: r.unit_code for r in wave.responses}
    plan = validate_responses(table, instruments=S.wave_instruments(), units=units)
    assert plan.count == len(wave.responses) and plan.hidden_dropped == 0
    instruments = S.wave_instruments()
    for planned, r in zip(plan.responses, wave.responses, strict=True):
        demographics, answers, comments = answer_rules.split_for_storage(instruments, r.answers)
        assert planned.unit == r.unit_code
        assert (planned.demographics, planned.answers, planned.comments) == (
            demographics,
            answers,
            comments,
        )


# -- the structure, as the insights engine sees it --------------------------------------------


def test_divisions_score_in_the_designed_order(acute):
    _, survey, _, _, stats = acute
    effects = survey.design.division_effects
    designed = sorted(effects, key=effects.get, reverse=True)
    assert designed == ["WAC", "CSS", "CORP", "SURG", "MED"]
    for key, wave in stats.items():
        for measure in ("engagement", "support_compassion", "psychological_safety"):
            table = wave.table(units=designed, measures=[measure])
            means = dict(zip(table["unit"], table["mean"], strict=True))
            assert sorted(designed, key=means.get, reverse=True) == designed, (key, measure)


def test_the_designed_units_improve_and_the_declining_one_gets_worse(acute):
    _, survey, _, scored, stats = acute
    design = survey.design
    assert design.improving == ("MED-ELD", "SURG-CC-W01", "WAC-NEO-W02", "CSS-PHARM-T01")
    assert design.declining == ("MED-EM",)
    dimensions = dimension_codes(scored["autumn-2025"])
    change = compare_waves(
        stats["spring-2026"],
        stats["autumn-2025"],
        units=[*design.improving, *design.declining],
        measures=dimensions,
    )
    for unit in (*design.improving, *design.declining):
        wanted, opposite = ("better", "worse") if unit in design.improving else ("worse", "better")
        labels = dict(change.filter(pl.col("unit") == unit).select("measure", "label").iter_rows())
        assert labels["engagement"] == wanted, unit
        assert sum(label == wanted for label in labels.values()) >= 0.75 * len(dimensions)
        assert opposite not in labels.values(), unit
    # Elsewhere, little changes: most other directorates are similar on engagement.
    directorates = [
        u["unit_code"]
        for u in acute[0].units
        if u["level"] == "directorate"
        and u["unit_code"] not in (*design.improving, *design.declining)
    ]
    others = compare_waves(
        stats["spring-2026"], stats["autumn-2025"], units=directorates, measures=["engagement"]
    )
    assert (others["label"] == "similar").mean() >= 0.8


def test_key_drivers_recover_the_generating_weights(acute):
    _, survey, tree, scored, _ = acute
    weights = survey.design.driver_weights
    assert weights == S.ENGAGEMENT_DRIVERS and abs(sum(weights.values()) - 1) < 1e-9
    by_weight = sorted(weights, key=weights.get, reverse=True)
    for key, wave in scored.items():
        drivers = key_drivers(wave, tree).filter(pl.col("depth") == 0)
        beta = dict(drivers.select("driver", "beta").iter_rows())
        by_beta = sorted(beta, key=beta.get, reverse=True)
        assert by_beta[0] == by_weight[0] == "support_compassion", key
        assert set(by_beta[:2]) == set(by_weight[:2]) == {"support_compassion", "teamwork"}
        ranks = np.array([by_beta.index(d) for d in by_weight])
        rho = 1 - 6 * ((ranks - np.arange(len(ranks))) ** 2).sum() / (
            len(ranks) * (len(ranks) ** 2 - 1)
        )
        assert rho >= 0.8, (key, by_beta)


def test_scales_are_reliable_and_teams_differ(acute):
    scored, tree = acute[3], acute[2]
    table = reliability(scored["autumn-2025"], tree)
    rows = {row["dimension"]: row for row in table.iter_rows(named=True)}
    for dimension in ("support_compassion", "teamwork", "team_climate", "psychological_safety"):
        assert rows[dimension]["alpha"] >= 0.7, dimension
        assert 0.02 <= rows[dimension]["icc1"] <= 0.4, dimension  # teams differ, people more


def test_dimensions_correlate_across_respondents(acute):
    respondents = acute[3]["autumn-2025"].respondent_table()
    pairs = [("support_compassion", "teamwork"), ("engagement", "psychological_safety")]
    for a, b in pairs:
        both = respondents.select(a, b).drop_nulls()
        assert 0.4 <= np.corrcoef(both[a], both[b])[0, 1] <= 0.9, (a, b)


def test_reverse_items_are_answered_consistently(surveys):
    responses = surveys["DEMO1"].waves[0].responses
    for reverse, forward in (("ps1", "ps2"), ("ps5", "ps7"), ("gp4", "gp1"), ("ei4", "ei3")):
        pairs = [
            (int(r.answers[reverse]), int(r.answers[forward]))
            for r in responses
            if r.answers.get(reverse, "dk").isdigit() and r.answers.get(forward, "dk").isdigit()
        ]
        raw = np.corrcoef(np.array(pairs).T)[0, 1]
        assert raw <= -0.2, (reverse, raw)  # agreeing with a negative statement is negative


def test_the_share_of_real_teams_is_plausible_and_varies_by_unit(acute):
    _, _, _, _, stats = acute
    table = stats["autumn-2025"].table(measures=["real_team"])
    trust = table.filter(pl.col("depth") == 0)["mean"][0]
    assert 0.3 <= trust <= 0.65
    shares = table.filter(pl.col("n") >= 15)["mean"]
    assert shares.max() - shares.min() >= 0.3


def test_some_teams_are_too_small_to_report(acute):
    trust, _, tree, _, stats = acute
    teams = [u["unit_code"] for u in trust.units if u["level"] == "team"]
    for wave in stats.values():
        protection = disclosure.protect(tree, wave.respondents.astype(int), k=11)
        status = Counter(protection.unit_status(code) for code in teams)
        assert status[disclosure.Status.PRIMARY] >= 0.2 * len(teams)
        assert status[disclosure.Status.VISIBLE] >= 0.1 * len(teams)


# -- comments ----------------------------------------------------------------------------------


def _tone(comment: str) -> str:
    for tone in ("positive", "negative"):
        sentences = [
            s for t in S.TEMPLATES.values() for group in t[tone].values() for s in group
        ] + list(S.CLOSINGS[tone])
        if any(sentence in comment for sentence in sentences):
            return tone
    raise AssertionError(comment)


def test_comments_have_a_tone_that_follows_the_unit(trusts, surveys):
    units = {u["unit_code"]: u for u in trusts[0].units}

    def division(code):
        while units[code]["level"] != "division":
            code = units[code]["parent_code"]
        return code

    for wave in surveys["DEMO1"].waves:
        comments = [r for r in wave.responses if "comment" in r.answers]
        assert 0.2 <= len(comments) / len(wave.responses) <= 0.35
        positive = defaultdict(list)
        for r in comments:
            if units[r.unit_code]["level"] != "organisation":
                positive[division(r.unit_code)].append(_tone(r.answers["comment"]) == "positive")
        share = {d: sum(v) / len(v) for d, v in positive.items()}
        assert share["WAC"] >= share["MED"] + 0.2, share
    # In spring, the improving directorate talks about its leaders, warmly.
    spring = surveys["DEMO1"].waves[1].responses
    elderly = [
        r.answers["comment"]
        for r in spring
        if r.unit_code.startswith("MED-ELD") and "comment" in r.answers
    ]
    leaders = [
        c
        for c in elderly
        if any(
            s in c
            for s in S.TEMPLATES["leadership"]["positive"]["any"]
            + S.TEMPLATES["leadership"]["positive"]["clinical"]
        )
    ]
    assert len(leaders) >= 0.15 * len(elderly)


def test_some_comments_name_a_colleague_and_masking_removes_every_name(trusts, surveys):
    trust = trusts[0]
    rows = trust.workforce
    by_unit = defaultdict(set)
    for row in rows:
        by_unit[row["unit_code"]].add(f"{row['first_name']} {row['last_name']}")
    everyone = set().union(*by_unit.values())
    mask = build_masker(
        first_names=[r["first_name"] for r in rows],
        last_names=[r["last_name"] for r in rows],
        employee_numbers=[r["employee_number"] for r in rows],
    )
    named = plain = 0
    for wave in surveys["DEMO1"].waves:
        for r in wave.responses:
            comment = r.answers.get("comment")
            if not comment:
                continue
            names = {n for n in everyone if n in comment}
            masked, count = mask(comment)
            if names:
                named += 1
                # a colleague from the same reporting unit where there is one
                assert names & by_unit[r.unit_code] or len(by_unit[r.unit_code]) == 1
                assert count >= 1 and "[name removed]" in masked
                assert not any(re.search(rf"\b{n}\b", masked) for n in names)
            else:
                plain += 1
                assert (masked, count) == (comment, 0)  # nothing else looks like a name
    assert 20 <= named <= 0.08 * (named + plain)


def test_demo1_has_a_maternity_pulse_answered_only_in_its_directorate(trusts, surveys):
    """A wave sent to one directorate (issue 11), generated after the trust-wide waves so
    that those are the same with or without it."""
    trust = next(t for t in trusts if t.code == "DEMO1")
    assert surveys["DEMO2"].pulses == []
    (pulse,) = surveys["DEMO1"].pulses
    assert pulse.wave.title == "Maternity pulse summer 2025"
    assert pulse.unit_codes == ("WAC-MAT",)
    parent = {u["unit_code"]: u["parent_code"] for u in trust.units}

    def in_maternity(code):
        while code and code != "WAC-MAT":
            code = parent[code]
        return code == "WAC-MAT"

    members = [r for r in trust.workforce if in_maternity(r["unit_code"])]
    assert pulse.invited == len(members)
    assert 0.3 * len(members) <= len(pulse.responses) <= 0.8 * len(members)
    assert all(in_maternity(r.unit_code) for r in pulse.responses)
    first = min(w.wave.opens_on for w in surveys["DEMO1"].waves)
    assert pulse.wave.closes_on < first  # never the latest wave nor between the two
    assert all(
        pulse.wave.opens_on <= r.submitted_on <= pulse.wave.closes_on for r in pulse.responses
    )
    without = S.TrustSurvey("DEMO1", surveys["DEMO1"].design, surveys["DEMO1"].waves)
    assert S.survey_digest([without]) != S.survey_digest([surveys["DEMO1"]])
