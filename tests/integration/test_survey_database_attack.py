"""Issue 11, part 1: what someone holding the database learns about who answered what.

A small trust answers a wave through the real submission path, every respondent giving their
true "About you" answers (the worst case). During fieldwork the ballots must be unreadable
and unordered; after close the database holder, joining each stored response to the invited
people of its reporting unit whose workforce records agree with its answers, must find at
least 5 people every time, and no invitation may say who responded or when anyone was
emailed."""

import random
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection

from colead.core.actor import Actor
from colead.lib.errors import Conflict
from colead.org.models import ProtectedCharacteristics, Unit
from colead.surveys import services, tasks, tokens
from colead.surveys.models import Ballot, Draft, Invitation, Response, WaveResponseCount
from colead.surveys.queries import rate_tables
from tests.factories import OrganisationFactory, PersonFactory, UnitFactory
from tests.integration.waves_fixtures import make_wave
from tests.unit.test_privacy_roster import plain_folds

SYSTEM = Actor.system("tests")

pytestmark = pytest.mark.django_db

CLOSES = date.today() + timedelta(days=10)
BANDS = {"band_3": "band_1_4", "band_5": "band_5_7", "band_6": "band_5_7", "band_8a": "band_8_9"}
GROUPS = ("nursing_midwifery_registered", "medical_dental", "administrative_clerical")
ETHNICITIES = {"White - British": "white", "Asian or Asian British - Indian": "asian"}


def service_band(start: date) -> str:
    years = (CLOSES - start).days / 365.25
    if years < 1:
        return "under_1_year"
    if years < 6:
        return "years_1_5"
    if years < 11:
        return "years_6_10"
    return "over_10_years"


@pytest.fixture
def attack_trust(db):
    """A trust of 40: a ward of 14, a ward of 12, a team of 3 (below 5: it must fold into
    its ward), a clinic of 8 and 3 people at the division. Mixed groups, bands, service and
    protected characteristics, so that many people are unique in their unit."""
    rng = random.Random(11)
    org = OrganisationFactory(code="ATK1", name="Attack Trust", sector="acute")
    root = UnitFactory(organisation=org, code="ATK", name="Attack Trust", level="organisation")
    division = UnitFactory(organisation=org, code="DIV", level="division", parent=root)
    ward_a = UnitFactory(organisation=org, code="WA", level="team", parent=division)
    ward_b = UnitFactory(organisation=org, code="WB", level="team", parent=division)
    tiny = UnitFactory(organisation=org, code="TINY", level="team", parent=ward_a)
    clinic = UnitFactory(organisation=org, code="CLIN", level="team", parent=division)
    people = []
    for unit, count in ((ward_a, 14), (ward_b, 12), (tiny, 3), (clinic, 8), (division, 3)):
        for _ in range(count):
            person = PersonFactory(
                organisation=org,
                primary_unit=unit,
                staff_group=rng.choice(GROUPS),
                band=rng.choice(sorted(BANDS)),
                start_date=CLOSES - timedelta(days=rng.randint(30, 6000)),
            )
            if rng.random() < 0.8:
                ProtectedCharacteristics.objects.create(
                    person=person,
                    ethnicity=rng.choice(sorted(ETHNICITIES)),
                    sex=rng.choice(["Female", "Male"]),
                    disability=rng.choice(["Yes", "No"]),
                    age_band=rng.choice(["21-25", "36-40", "56-60"]),
                )
            people.append(person)
    return {"org": org, "people": people}


def true_answers(person) -> dict:
    """Every "About you" answer as the person's workforce record says, and some opinions."""
    answers = {
        "staff_group": person.staff_group,
        "band": BANDS[person.band],
        "length_of_service": service_band(person.start_date),
        "vv1": "4",
    }
    protected = ProtectedCharacteristics.objects.filter(person=person).first()
    if protected is not None:
        answers["ethnicity"] = ETHNICITIES[protected.ethnicity]
        answers["sex"] = protected.sex.lower()
        answers["disability"] = protected.disability.lower()
        answers["age_band"] = {"21-25": "age_16_30", "36-40": "age_31_50"}.get(
            protected.age_band, "age_51_65"
        )
    return answers


def facts(person) -> dict:
    """What the database holder reads from the workforce record, in the survey's codes."""
    answers = true_answers(person)
    answers.pop("vv1")
    return answers


def attacker_candidates(response, invitations, people_by_id, reported_in) -> int:
    """Invited people reported where the response is stored whose facts agree with all of
    its answers (blank or "prefer not to say" agrees with anything)."""
    count = 0
    for invitation in invitations:
        if reported_in[invitation.reporting_unit_id] != response.reporting_unit_id:
            continue
        known = facts(people_by_id[invitation.person_id])
        if all(
            answer in ("", "prefer_not") or known.get(name) in (None, answer)
            for name, answer in response.demographics.items()
        ):
            count += 1
    return count


def launch_attack_wave(attack_trust):
    """The whole trust invited to the culture pulse with "About you", threshold 5."""
    return make_wave(
        {"org": attack_trust["org"]},
        units=("ATK",),
        threshold=5,
        instruments=["culture-pulse", "demographics"],
        closes_on=CLOSES,
        launch=True,
    )


def submit(wave, invitation, answers):
    token = tokens.invitation_token(invitation.pk, invitation.nonce)
    services.submit_answers(token=token, prepare=lambda _wave: (answers, None))


def test_a_database_holder_cannot_join_responses_to_people(attack_trust, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    wave = launch_attack_wave(attack_trust)
    tasks.send_invitations.call(wave.pk)
    assert mail.outbox and Invitation.objects.filter(wave=wave, sent_at__isnull=False).exists()
    invitations = {i.person_id: i for i in Invitation.objects.filter(wave=wave)}
    people_by_id = {p.pk: p for p in attack_trust["people"]}
    responding = attack_trust["people"][::4] + attack_trust["people"][1::4]
    for person in responding[: len(responding) // 2]:
        submit(wave, invitations[person.pk], true_answers(person))
    tasks.send_reminders.call(wave.pk)
    assert Invitation.objects.filter(wave=wave, reminded_at__isnull=False).exists()
    for person in responding[len(responding) // 2 :]:
        submit(wave, invitations[person.pk], true_answers(person))

    # During fieldwork: random ids, and nothing readable in the stored ballot.
    ballots = list(Ballot.objects.filter(wave=wave))
    assert len(ballots) == len(responding)
    assert all(ballot.pk.version == 4 for ballot in ballots)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Ballot._meta.db_table}")
        raw = b"".join(
            bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
            for row in cursor.fetchall()
            for value in row
        )
    for code in (*GROUPS, "band_5_7", "years_1_5", "asian", "female", "age_16_30", '"vv1"'):
        assert code.encode() not in raw, code
    # The service opens them again with the server key.
    assert sorted(b.demographics["staff_group"] for b in ballots) == sorted(
        p.staff_group for p in responding
    )

    wave = services.close_wave(wave=wave, actor=SYSTEM)

    # After close: nothing per person about the fieldwork.
    after = list(Invitation.objects.filter(wave=wave))
    assert len(after) == 40
    assert not any(i.responded or i.sent_at or i.reminded_at for i in after)
    assert not Ballot.objects.filter(wave=wave).exists()
    # The rates still know how many responded, per unit and staff group.
    counts = WaveResponseCount.objects.filter(wave=wave)
    assert sum(c.responded for c in counts) == len(responding)
    assert sum(c.invited for c in counts) == 40
    # ... but no kept cell, nor what a unit's total leaves without it, is a group under 5
    # (a unit's only cell is its total, which may stay).
    per_unit: dict = {}
    for c in counts:
        per_unit.setdefault(c.reporting_unit_id, []).append(c.invited)
    for cells in per_unit.values():
        if len(cells) > 1:
            assert all(n >= 5 and sum(cells) - n >= 5 for n in cells), cells
    root = Unit.objects.get(code="ATK")
    table = rate_tables(wave, [root])
    assert next(row for row in table.unit_rows if row.key == "ATK").responded == len(responding)

    # The attack: every stored response matches at least 5 invited people.
    parents = dict(
        Unit.objects.filter(organisation=wave.organisation).values_list("id", "parent_id")
    )
    reported_in = plain_folds_by_id(parents, after)
    responses = list(Response.objects.filter(wave=wave))
    assert len(responses) == len(responding)
    found = [attacker_candidates(r, after, people_by_id, reported_in) for r in responses]
    assert min(found) >= 5, sorted(found)
    # The team of 3 is reported in its ward; nothing is stored against it.
    assert not any(r.reporting_unit.code == "TINY" for r in responses)
    # Only what identifies is dropped: with every fact answered truthfully in a trust of
    # 40, some answers still survive.
    assert any(r.demographics for r in responses)


def plain_folds_by_id(parents, invitations):
    """The published folding rule (tests.unit.test_privacy_roster.plain_folds) on the
    wave's invited roster, with the unit tree's single top as 0."""
    (top,) = [unit for unit, parent in parents.items() if parent is None]
    rename = {unit: (0 if unit == top else unit) for unit in parents}
    back = {v: k for k, v in rename.items()}
    tree = {rename[u]: (None if p is None else rename[p]) for u, p in parents.items()}

    class Person:
        def __init__(self, unit):
            self.unit = unit

    roster = [Person(rename[i.reporting_unit_id]) for i in invitations]
    folds = plain_folds(tree, roster, 5)
    return {back[u]: back[t] for u, t in folds.items()}


def test_an_unfinished_form_is_unreadable_and_unordered_in_the_database(attack_trust):
    wave = launch_attack_wave(attack_trust)
    people = attack_trust["people"][:6]
    for person in people:
        invitation = Invitation.objects.get(wave=wave, person=person)
        token = tokens.invitation_token(invitation.pk, invitation.nonce)
        _, draft = services.start_with_invitation_token(token)
        services.save_answers(
            draft=draft,
            section_items=services.wave_instruments(wave)[-1].items,
            form={"staff_group": person.staff_group, "sex": "female"},
        )
    drafts = list(Draft.objects.filter(wave=wave))
    assert len(drafts) == 6
    # random ids: nothing gives the order people started in, to join to the access log
    assert all(draft.pk.version == 4 for draft in drafts)
    assert {draft.answers.get("staff_group") for draft in drafts} == {p.staff_group for p in people}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Draft._meta.db_table}")
        raw = b"".join(
            bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
            for row in cursor.fetchall()
            for value in row
        )
    for code in (*GROUPS, "female", '"staff_group"'):
        assert code.encode() not in raw, code


def test_a_wave_of_fewer_than_5_people_is_not_launched(attack_trust):
    tiny = Unit.objects.get(code="TINY")
    with pytest.raises(Conflict, match="Only 3 people match .* at least 5 people"):
        make_wave({"org": attack_trust["org"]}, units=(tiny.code,), launch=True)


def test_a_wave_closed_before_generalisation_is_protected_by_colead_waves_generalise(
    attack_trust,
):
    from io import StringIO

    from django.core.management import call_command

    from colead.insights.models import WaveScores
    from colead.surveys.models import POOLED_STAFF_GROUPS

    wave = launch_attack_wave(attack_trust)
    invitations = {i.person_id: i for i in Invitation.objects.filter(wave=wave)}
    people = attack_trust["people"]
    for person in people:
        submit(wave, invitations[person.pk], true_answers(person))
    wave = services.close_wave(wave=wave, actor=SYSTEM)
    # As a wave closed before this protection existed: every response at its person's own
    # unit with every true answer, and counts kept per staff group however small.
    units = {i.person_id: i.reporting_unit_id for i in Invitation.objects.filter(wave=wave)}
    Response.objects.filter(wave=wave).delete()
    for person in people:
        Response.objects.create(
            wave=wave,
            reporting_unit_id=units[person.pk],
            submitted_on=CLOSES,
            demographics=facts(person),
            answers={"vv1": "4"},
            source="online",
        )
    WaveResponseCount.objects.filter(wave=wave).delete()
    for invitation in Invitation.objects.filter(wave=wave):
        row, _ = WaveResponseCount.objects.get_or_create(
            wave=wave,
            reporting_unit_id=invitation.reporting_unit_id,
            staff_group=invitation.staff_group,
            defaults={"invited": 0, "responded": 0},
        )
        WaveResponseCount.objects.filter(pk=row.pk).update(
            invited=row.invited + 1, responded=row.responded + 1
        )
    after = list(Invitation.objects.filter(wave=wave))
    parents = dict(
        Unit.objects.filter(organisation=wave.organisation).values_list("id", "parent_id")
    )
    reported_in = plain_folds_by_id(parents, after)
    people_by_id = {p.pk: p for p in people}

    def weakest():
        return min(
            attacker_candidates(r, after, people_by_id, reported_in)
            for r in Response.objects.filter(wave=wave)
        )

    assert weakest() < 5  # the attack works on the old state
    scored_before = WaveScores.objects.get(wave=wave).scored_at

    out = StringIO()
    call_command("waves", "generalise", str(wave.pk), stdout=out)

    assert "responses moved to a larger unit" in out.getvalue()
    assert weakest() >= 5
    assert Response.objects.filter(wave=wave).count() == len(people)
    for unit_id in set(units.values()):
        cells = [
            c.invited
            for c in WaveResponseCount.objects.filter(wave=wave, reporting_unit_id=unit_id)
        ]
        assert sum(cells) == sum(1 for u in units.values() if u == unit_id)
        if len(cells) > 1:
            assert min(cells) >= 5
    assert WaveResponseCount.objects.filter(wave=wave, staff_group=POOLED_STAFF_GROUPS).exists()
    assert WaveScores.objects.get(wave=wave).scored_at > scored_before
    # Running it again changes nothing.
    call_command("waves", "generalise", str(wave.pk), stdout=out)
    assert f"Wave {wave.pk}: 0 responses moved to a larger unit, 0 answers" in out.getvalue()
