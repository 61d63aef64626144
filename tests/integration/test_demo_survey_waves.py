"""The demo's survey waves in the database: built once for the module (DEMO1 with 3,000
staff), read back, and analysed with the pure insights engine on the stored Response rows,
to show that what the pages will show is true of the designed structure. Also the service
that records completed forms in bulk (surveys.services.record_completed_forms)."""

from collections import Counter
from datetime import date, timedelta

import polars as pl
import pytest
from django.db import transaction
from django.db.models import Q

from colead.audit.models import AuditEvent
from colead.core.actor import Actor
from colead.demo import survey_responses as S
from colead.demo.generator import generate
from colead.demo.services import build_demo
from colead.insights import (
    UnitTree,
    compare_waves,
    compute_wave_scores,
    key_drivers,
    responses_frame,
    themes,
    unit_statistics,
)
from colead.insights.results import load_results
from colead.lib import memory
from colead.lib.errors import Conflict, Invalid
from colead.org.models import Organisation, Person, Unit
from colead.privacy import disclosure
from colead.surveys import answers as answer_rules
from colead.surveys import services as survey_services
from colead.surveys.models import (
    Ballot,
    Invitation,
    Response,
    Wave,
    WaveResponseCount,
    WaveStatus,
)
from colead.surveys.response_import import BAND_GROUPS
from colead.surveys.services import CompletedForm, record_completed_forms
from tests.integration.waves_fixtures import make_wave

SEED, STAFF = 2026, 3000
DEMO = Actor.system("demo")
WAVE_TITLES = ["Staff culture survey autumn 2025", "Staff culture survey spring 2026"]

# The module's fixture builds the demo once, outside any test's transaction; marking the
# tests makes pytest-django set the test database up even when only some of them are run.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Build the demo once, read what the tests need into memory, then roll back."""
    memory.clear_all()
    with django_db_blocker.unblock(), transaction.atomic():
        build_demo(seed=SEED, staff=STAFF, password="demo-password", actor=Actor.system("demo"))
        organisation = Organisation.objects.get(code="DEMO1")
        units = list(Unit.objects.for_org(organisation).values("id", "parent_id", "code", "level"))
        names = list(Person.objects.for_org(organisation).values_list("first_name", "last_name"))
        waves = []
        trust_wide = Wave.objects.for_org(organisation).filter(title__in=WAVE_TITLES)
        for wave in trust_wide.order_by("opens_on"):
            invitations = Invitation.objects.filter(wave=wave)
            waves.append(
                {
                    "title": wave.title,
                    "status": wave.status,
                    "opens_on": wave.opens_on,
                    "closes_on": wave.closes_on,
                    "launched_on": wave.launched_at.date(),
                    "closed_on": wave.closed_at.date(),
                    "threshold": wave.reporting_threshold,
                    "instruments": [i.code for i in wave.ordered_instruments()],
                    "invited": invitations.count(),
                    # Closing erases who responded; the counts are kept per unit and group.
                    "responded": sum(
                        WaveResponseCount.objects.filter(wave=wave).values_list(
                            "responded", flat=True
                        )
                    ),
                    "fieldwork_marks": invitations.filter(
                        Q(responded=True) | Q(sent_at__isnull=False) | Q(reminded_at__isnull=False)
                    ).count(),
                    "targets": list(wave.target_units.values_list("id", flat=True)),
                    "roster": list(
                        invitations.values_list(
                            "reporting_unit_id",
                            "staff_group",
                            "person__band",
                            "person__start_date",
                        )
                    ),
                    "ballots": Ballot.objects.filter(wave=wave).count(),
                    "responses": list(
                        Response.objects.filter(wave=wave).values(
                            "reporting_unit_id",
                            "submitted_on",
                            "demographics",
                            "answers",
                            "comments",
                            "source",
                        )
                    ),
                    "divisions_suppressed": [
                        row.unit_code
                        for row in load_results(wave).table(level=1).rows
                        if row.suppressed
                    ],
                    "actions": Counter(
                        AuditEvent.objects.filter(
                            object_type="surveys.wave", object_id=str(wave.pk)
                        ).values_list("action", flat=True)
                    ),
                }
            )
        transaction.set_rollback(True)
    memory.clear_all()
    tree = UnitTree([u["id"] for u in units], [u["parent_id"] for u in units])
    code_of = {u["id"]: u["code"] for u in units}
    id_of = {u["code"]: u["id"] for u in units}
    instruments = [i for i in S.wave_instruments() if i.code != "demographics"]
    for wave in waves:
        frame = responses_frame([{"unit": r["reporting_unit_id"], **r} for r in wave["responses"]])
        wave["scored"] = compute_wave_scores(instruments, frame, breakdowns=["staff_group"])
        wave["stats"] = unit_statistics(wave["scored"], tree)
    trusts = generate(seed=SEED, staff=STAFF)
    generated = S.generate_survey(trusts[0], seed=SEED)
    return {
        "units": units,
        "tree": tree,
        "code_of": code_of,
        "id_of": id_of,
        "names": names,
        "waves": waves,
        "design": generated.design,
        "generated": generated,
    }


def test_two_closed_waves_went_through_the_lifecycle(demo):
    autumn, spring = demo["waves"]
    assert [w["title"] for w in demo["waves"]] == WAVE_TITLES
    for wave, generated in zip(demo["waves"], demo["generated"].waves, strict=True):
        assert wave["status"] == WaveStatus.CLOSED and wave["ballots"] == 0
        assert wave["instruments"] == list(S.WAVE_INSTRUMENTS)
        assert wave["threshold"] == 11
        assert wave["closes_on"] < date.today()
        assert (wave["launched_on"], wave["closed_on"]) == (wave["opens_on"], wave["closes_on"])
        # Everyone but the few executives attached to the trust itself.
        assert STAFF - 11 < wave["invited"] < STAFF
        assert wave["invited"] == generated.invited
        assert wave["responded"] == len(wave["responses"]) == len(generated.responses)
        assert {r["source"] for r in wave["responses"]} == {"online"}
        days = {r["submitted_on"] for r in wave["responses"]}
        assert wave["opens_on"] <= min(days) and max(days) <= wave["closes_on"]
        for action in ("survey.wave_create", "survey.wave_launch", "survey.forms_record"):
            assert wave["actions"][action] == 1, action
        assert wave["actions"]["survey.wave_close"] == 1
    assert autumn["closes_on"] < spring["opens_on"]


def test_about_half_responded_with_rates_that_vary_by_unit(demo):
    for wave in demo["waves"]:
        assert 0.45 <= wave["responded"] / wave["invited"] <= 0.60
        counts = Counter(r["reporting_unit_id"] for r in wave["responses"])
        invited = Counter(row["unit_code"] for row in generate(seed=SEED, staff=STAFF)[0].workforce)
        rates = [counts[demo["id_of"][code]] / n for code, n in invited.items() if n >= 20]
        assert max(rates) - min(rates) >= 0.3


def test_the_stored_answers_are_the_generated_ones(demo):
    """Answers as generated; "About you" answers as generated or dropped (never changed),
    and each response in its generated unit or, when that unit is too small to protect it,
    an ancestor (privacy.roster)."""
    instruments = S.wave_instruments()
    parent = {u["id"]: u["parent_id"] for u in demo["units"]}

    def chain(unit_id):
        while unit_id is not None:
            yield unit_id
            unit_id = parent[unit_id]

    for wave, generated in zip(demo["waves"], demo["generated"].waves, strict=True):
        made: dict[tuple, list] = {}
        for r in generated.responses:
            demographics, answers, _ = answer_rules.split_for_storage(instruments, r.answers)
            key = tuple(sorted(answers.items()))
            made.setdefault(key, []).append((demo["id_of"][r.unit_code], demographics))
        for r in wave["responses"]:
            candidates = made[tuple(sorted(r["answers"].items()))]
            match = next(
                (unit, demographics)
                for unit, demographics in candidates
                if r["reporting_unit_id"] in chain(unit)
                and r["demographics"].items() <= demographics.items()
            )
            candidates.remove(match)
        assert not any(made.values())


def test_no_stored_response_can_be_joined_to_fewer_than_5_invited_people(demo):
    """The attack of issue 11 on the closed demo waves: nothing says who responded, and every
    stored response's unit and "About you" answers match at least 5 invited people's
    workforce records (unit tree folding as published, tests.unit.test_privacy_roster)."""
    whole = {u["id"]: u["parent_id"] for u in demo["units"]}
    for wave in demo["waves"]:
        assert wave["fieldwork_marks"] == 0
        # The wave's own part of the tree, as published: one target at the top, or several
        # joined through their ancestors.
        targets = set(wave["targets"])

        def chain(unit):
            while unit is not None:
                yield unit
                unit = whole[unit]

        kept = {u for u in whole if targets & set(chain(u))}
        if len(targets) > 1:
            kept |= {a for t in targets for a in chain(t)}
        parents = {u: (whole[u] if whole[u] in kept else None) for u in kept}
        (top,) = [u for u, p in parents.items() if p is None]
        roster = [
            (
                unit,
                {
                    "staff_group": group,
                    "band": BAND_GROUPS.get(band),
                    "length_of_service": _service(start, wave["closes_on"]),
                },
            )
            for unit, group, band, start in wave["roster"]
        ]
        reported_in = _folds(parents, top, [unit for unit, _ in roster])
        found = []
        for response in wave["responses"]:
            count = 0
            for unit, facts in roster:
                if reported_in[unit] != response["reporting_unit_id"]:
                    continue
                if all(
                    answer == "prefer_not" or facts.get(name) in (None, answer)
                    for name, answer in response["demographics"].items()
                ):
                    count += 1
            found.append(count)
        low = [(c, r) for c, r in zip(found, wave["responses"], strict=True) if c < 5]
        assert not low, (wave["title"], low[:3])


def _service(start, on):
    years = (on - start).days / 365.25
    return (
        "under_1_year"
        if years < 1
        else "years_1_5"
        if years < 6
        else "years_6_10"
        if years < 11
        else "over_10_years"
    )


def _folds(parents, top, roster_units):
    from tests.unit.test_privacy_roster import plain_folds

    class Person:
        def __init__(self, unit):
            self.unit = 0 if unit == top else unit

    tree = {
        (0 if u == top else u): (None if p is None else 0 if p == top else p)
        for u, p in parents.items()
    }
    folds = plain_folds(tree, [Person(u) for u in roster_units], 5)
    return {(top if u == 0 else u): (top if t == 0 else t) for u, t in folds.items()}


def test_the_designed_units_improve_and_the_declining_one_gets_worse(demo):
    design = demo["design"]
    autumn, spring = demo["waves"]
    designed = [demo["id_of"][code] for code in (*design.improving, *design.declining)]
    dimensions = [d.code for d in autumn["scored"].scheme.dimensions]
    change = compare_waves(spring["stats"], autumn["stats"], units=designed, measures=dimensions)
    assert change.height == len(designed) * len(dimensions)
    for code in (*design.improving, *design.declining):
        wanted = "better" if code in design.improving else "worse"
        rows = change.filter(pl.col("unit") == demo["id_of"][code])
        labels = dict(rows.select("measure", "label").iter_rows())
        assert labels["engagement"] == wanted, (code, labels)
        assert sum(label == wanted for label in labels.values()) > len(dimensions) / 2, code


def test_divisions_score_in_the_designed_order(demo):
    effects = demo["design"].division_effects
    designed = sorted(effects, key=effects.get, reverse=True)
    ids = [demo["id_of"][code] for code in designed]
    table = demo["waves"][0]["stats"].table(units=ids, measures=["engagement"])
    means = dict(zip(table["unit"], table["mean"], strict=True))
    assert sorted(ids, key=means.get, reverse=True) == ids


def test_the_key_driver_is_the_heaviest_generating_weight(demo):
    weights = demo["design"].driver_weights
    heaviest = max(weights, key=weights.get)
    for wave in demo["waves"]:
        drivers = key_drivers(wave["scored"], demo["tree"]).filter(pl.col("depth") == 0)
        top = drivers.sort("beta", descending=True)["driver"][0]
        assert top == heaviest == "support_compassion"


def test_some_teams_are_suppressed_below_the_threshold(demo):
    teams = [u["id"] for u in demo["units"] if u["level"] == "team"]
    for wave in demo["waves"]:
        protection = disclosure.protect(
            demo["tree"], wave["stats"].respondents.astype(int), k=wave["threshold"]
        )
        status = Counter(protection.unit_status(team) for team in teams)
        assert status[disclosure.Status.PRIMARY] >= 10
        assert status[disclosure.Status.VISIBLE] >= 10
        shown = protection.unit_statuses == 0
        # every team shown has at least the threshold of respondents
        rows = demo["tree"].positions(teams)
        assert (wave["stats"].respondents[rows][shown[rows]] >= wave["threshold"]).all()


def test_comments_were_stored_and_planted_names_masked(demo):
    full_names = {f"{first} {last}" for first, last in demo["names"]}
    for wave, generated in zip(demo["waves"], demo["generated"].waves, strict=True):
        comments = [r["comments"]["comment"] for r in wave["responses"] if r["comments"]]
        written = [r.answers["comment"] for r in generated.responses if "comment" in r.answers]
        assert len(comments) == len(written) >= 0.2 * len(wave["responses"])
        planted = [c for c in written if any(name in c for name in full_names)]
        masked = [c for c in comments if "[name removed]" in c]
        assert planted and len(masked) == len(planted)
        assert not any(name in c for c in comments for name in full_names)


# Words that name each designed comment theme (colead.demo.survey_responses.TEMPLATES).
THEME_WORDS = {
    "staffing": {"staffed", "staffing", "vacancies", "workload", "exhausted", "covering", "cover"},
    "handovers": {"handover", "handovers"},
    "equipment": {"equipment", "broken", "computers", "systems"},
    "training": {"training", "courses", "skills", "development", "develop"},
    "leadership": {"leadership", "leaders", "managers", "manager"},
    "recognition": {"recognised", "recognition", "thanks", "valued"},
}


def test_the_themes_found_in_the_stored_comments_are_the_designed_ones(demo):
    """The product's theme model (insights.themes), fitted on the comments as stored
    (masked), finds the themes the demo wrote them from, and the improving directorate's
    spring comments lean towards its leaders, warmly."""
    code_of = demo["code_of"]
    for wave in demo["waves"]:
        records = [
            {"text": r["comments"]["comment"], "unit": code_of[r["reporting_unit_id"]]}
            for r in wave["responses"]
            if r["comments"]
        ]
        fitted = themes.fit_themes(records, seed=1)
        found = {
            name
            for name, words in THEME_WORDS.items()
            if any(
                words & {w for t in theme.terms[:5] for w in t.split()} for theme in fitted.themes
            )
        }
        assert len(found) >= 4, ([t.terms[:5] for t in fitted.themes], found)

    spring = demo["waves"][1]
    records = [
        {"text": r["comments"]["comment"], "unit": code_of[r["reporting_unit_id"]]}
        for r in spring["responses"]
        if r["comments"]
    ]
    fitted = themes.fit_themes(records, seed=1)
    leadership = {
        theme.id
        for theme in fitted.themes
        if THEME_WORDS["leadership"] & {w for t in theme.terms[:5] for w in t.split()}
    }

    def warm_about_leaders(select) -> float:
        chosen = [c for c in fitted.comments if select(c.unit)]
        return sum(c.theme in leadership and c.sentiment_label == "positive" for c in chosen) / len(
            chosen
        )

    elderly = warm_about_leaders(lambda unit: unit.startswith("MED-ELD"))
    assert elderly > warm_about_leaders(lambda unit: not unit.startswith("MED-ELD")) + 0.05
    warm = [c.sentiment_label == "positive" for c in fitted.comments if c.unit.startswith("WAC")]
    cold = [c.sentiment_label == "positive" for c in fitted.comments if c.unit.startswith("MED")]
    assert sum(warm) / len(warm) > sum(cold) / len(cold) + 0.1


# -- the service ---------------------------------------------------------------------------------


@pytest.fixture
def open_wave(trust):
    today = date.today()
    return make_wave(
        trust,
        units=("TST1-ROOT",),
        instruments=["culture-pulse", "team-working"],
        opens_on=today - timedelta(days=7),
        closes_on=today,
        launch=True,
    )


def test_recorded_forms_are_stored_like_submissions(trust, open_wave):
    manager, nurse = trust["manager_person"], trust["nurse_person"]
    forms = [
        CompletedForm(
            manager.pk,
            {"vv1": "4", "in_team": "no", "tc1": "5", "comment": "Thanks Sam Nurse for the help."},
            date.today() - timedelta(days=3),
        ),
        CompletedForm(nurse.pk, {"vv1": "dk", "in_team": "yes", "tc1": "2"}, date.today()),
    ]
    assert record_completed_forms(wave=open_wave, forms=forms, actor=DEMO) == 2
    ballots = {b.submitted_on: b for b in Ballot.objects.filter(wave=open_wave)}
    first = ballots[date.today() - timedelta(days=3)]
    assert first.answers == {"vv1": "4", "in_team": "no"}  # tc1 is not asked of those not in a team
    assert first.comments == {"comment": "Thanks [name removed] for the help."}
    assert first.reporting_unit_id == manager.primary_unit_id and first.source == "online"
    assert ballots[date.today()].answers == {"vv1": "dk", "in_team": "yes", "tc1": "2"}
    responded = Invitation.objects.filter(wave=open_wave, responded=True)
    assert set(responded.values_list("person_id", flat=True)) == {manager.pk, nurse.pk}
    event = AuditEvent.objects.get(action="survey.forms_record")
    assert event.detail == {"forms": 2, "comments": 1}
    assert (event.actor_label, event.actor_id) == ("system (demo)", None)
    survey_services.close_wave(wave=open_wave, actor=DEMO)
    assert Response.objects.filter(wave=open_wave).count() == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"answers": {"vv1": "6"}}, "vv1: Select one of the options"),
        ({"answers": {"mo1": "3"}}, "mo1 is not a question of this wave"),
        ({"submitted_on": date.today() + timedelta(days=1)}, "outside the wave's dates"),
        ({"submitted_on": date.today() - timedelta(days=8)}, "outside the wave's dates"),
        ({"person": "outsider"}, "has no invitation"),
        ({"person": "twice"}, "has no invitation"),
    ],
)
def test_recording_refuses_a_bad_form_and_writes_nothing(trust, open_wave, change, message):
    person = trust["nurse_person"].pk
    forms = [CompletedForm(trust["manager_person"].pk, {"vv1": "3"}, date.today())]
    if change.get("person") == "outsider":  # someone in another organisation
        person = Person.objects.get(employee_number="X1").pk
    if change.get("person") == "twice":
        person = trust["manager_person"].pk
    forms.append(
        CompletedForm(
            person,
            change.get("answers", {"vv1": "3"}),
            change.get("submitted_on", date.today()),
        )
    )
    with pytest.raises(Invalid, match=message):
        record_completed_forms(wave=open_wave, forms=forms, actor=DEMO)
    assert not Ballot.objects.filter(wave=open_wave).exists()
    assert not Invitation.objects.filter(wave=open_wave, responded=True).exists()


def test_recording_needs_an_open_wave(trust, open_wave):
    survey_services.close_wave(wave=open_wave, actor=DEMO)
    with pytest.raises(Conflict, match="only while the wave is open"):
        record_completed_forms(
            wave=open_wave,
            forms=[CompletedForm(trust["nurse_person"].pk, {"vv1": "3"}, date.today())],
            actor=DEMO,
        )


def test_the_demo_responses_are_deterministic_in_the_database(demo):
    # The generator's own fingerprint of what was stored above: same seed, same rows.
    again = S.generate_survey(generate(seed=SEED, staff=STAFF)[0], seed=SEED)
    assert S.survey_digest([again]) == S.survey_digest([demo["generated"]])
    for wave, generated in zip(demo["waves"], again.waves, strict=True):
        assert wave["responded"] / wave["invited"] == generated.response_rate


def test_every_division_is_shown_on_the_heatmap(demo):
    """Nobody is surveyed at the trust itself, so no small group there forces a whole
    division to be hidden (complementary suppression) on the division-level heatmap."""
    for wave in demo["waves"]:
        assert wave["divisions_suppressed"] == []
