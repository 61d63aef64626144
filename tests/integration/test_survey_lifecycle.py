"""The wave lifecycle and taking part, through the services."""

from datetime import date

import pytest
from django.db import models

from colead.core.actor import Actor
from colead.lib.errors import Conflict, Invalid
from colead.org.models import Person
from colead.surveys import services, tokens
from colead.surveys.models import (
    Ballot,
    Draft,
    Invitation,
    Response,
    Wave,
    WaveUnit,
)
from colead.surveys.services import TokenRefused, WaveSettings

SYSTEM = Actor.system("tests")

pytestmark = pytest.mark.django_db


@pytest.fixture
def wave(trust):
    services.ensure_builtin_instruments(organisation=trust["org"], actor=SYSTEM)
    return services.create_wave(
        organisation=trust["org"],
        settings=WaveSettings(
            title="Spring pulse",
            instruments=["culture-pulse", "team-working"],
            unit_codes=["MED"],
        ),
        actor=SYSTEM,
    )


def token_for(invitation):
    return tokens.invitation_token(invitation.pk, invitation.nonce)


def answer_everything(draft, wave):
    for instrument in services.wave_instruments(wave):
        for item in instrument.items:
            value = {"scale": "4", "yes_no": "yes", "free_text": "Sam Nurse is brilliant"}.get(
                item.type
            )
            services.save_answers(draft=draft, section_items=[item], form={item.code: value})


def test_wave_settings_are_checked_with_clear_messages(trust):
    services.ensure_builtin_instruments(organisation=trust["org"], actor=SYSTEM)
    with pytest.raises(Invalid) as caught:
        services.create_wave(
            organisation=trust["org"],
            settings=WaveSettings(
                title="x",
                instruments=["culture-pulse", "no-such"],
                unit_codes=["MED", "NOPE"],
                reporting_threshold=3,
            ),
            actor=SYSTEM,
        )
    assert set(caught.value.errors) == {"reporting_threshold", "instruments", "units"}
    message = str(caught.value)
    assert "reporting threshold must be 5 or more (it is 3)" in message
    assert "There is no instrument 'no-such'" in message
    assert "Unknown unit codes in TST1: NOPE" in message


def test_other_organisations_units_cannot_be_targeted(trust):
    services.ensure_builtin_instruments(organisation=trust["org"], actor=SYSTEM)
    with pytest.raises(Invalid, match="OTH-ROOT"):
        services.create_wave(
            organisation=trust["org"],
            settings=WaveSettings(
                title="x", instruments=["culture-pulse"], unit_codes=["OTH-ROOT"]
            ),
            actor=SYSTEM,
        )


def test_launch_invites_everyone_in_the_subtrees_and_freezes_their_units(wave, trust):
    services.launch_wave(wave=wave, actor=SYSTEM)
    wave.refresh_from_db()
    assert wave.is_open
    people = Person.objects.in_subtree(trust["units"]["MED"]).current()
    invitations = Invitation.objects.filter(wave=wave)
    assert invitations.count() == people.count() == 8
    assert dict(WaveUnit.objects.filter(wave=wave).values_list("unit__code", "invited")) == {
        "W1": 5,
        "W2": 3,
    }
    for invitation in invitations:
        assert invitation.token_digest == tokens.lookup_digest(token_for(invitation))
    with pytest.raises(Conflict, match="already been launched"):
        services.launch_wave(wave=wave, actor=SYSTEM)


def test_a_submission_is_stored_once_and_marks_the_invitation(wave):
    services.launch_wave(wave=wave, actor=SYSTEM)
    invitation = Invitation.objects.filter(wave=wave).first()
    token = token_for(invitation)
    _, draft = services.start_with_invitation_token(token)
    answer_everything(draft, wave)
    services.submit(token=token)
    assert Ballot.objects.filter(wave=wave).count() == 1
    invitation.refresh_from_db()
    assert invitation.responded
    assert not Draft.objects.filter(key_digest=tokens.draft_digest(token)).exists()
    with pytest.raises(TokenRefused, match="already"):
        services.submit(token=token)
    with pytest.raises(TokenRefused, match="already taken part"):
        services.start_with_invitation_token(token)
    assert Ballot.objects.filter(wave=wave).count() == 1


def test_saved_answers_resume_with_the_same_token(wave):
    services.launch_wave(wave=wave, actor=SYSTEM)
    token = token_for(Invitation.objects.filter(wave=wave).first())
    _, draft = services.start_with_invitation_token(token)
    item = services.wave_instruments(wave)[0].items[0]
    services.save_answers(draft=draft, section_items=[item], form={item.code: "5"})
    _, resumed = services.resume(token)
    assert resumed.pk == draft.pk and resumed.answers == {item.code: "5"}


@pytest.mark.parametrize(
    "forged",
    ["", "x" * 30, "i" + "A" * 31, "i../../etc/passwd-aaaaaaaaaaaaaaaaaa", "d" + "b" * 40],
)
def test_forged_tokens_are_refused(wave, forged):
    services.launch_wave(wave=wave, actor=SYSTEM)
    with pytest.raises(TokenRefused):
        services.resume(forged)
    with pytest.raises(TokenRefused):
        services.submit(token=forged)


def test_closing_moves_ballots_to_responses_and_freezes_the_wave(wave):
    services.launch_wave(wave=wave, actor=SYSTEM)
    for invitation in Invitation.objects.filter(wave=wave)[:3]:
        token = token_for(invitation)
        _, draft = services.start_with_invitation_token(token)
        answer_everything(draft, wave)
        services.submit(token=token)
    services.close_wave(wave=wave, actor=SYSTEM)
    assert Ballot.objects.count() == 0
    assert Response.objects.filter(wave=wave).count() == 3
    response = Response.objects.filter(wave=wave).first()
    assert response.answers["vv1"] == "4"
    assert response.comments["comment"] == "[name removed] is brilliant"
    with pytest.raises(Conflict):
        services.close_wave(wave=wave, actor=SYSTEM)
    with pytest.raises(Conflict):
        services.extend_wave(wave=wave, closes_on=date(2099, 1, 1), actor=SYSTEM)
    remaining = Invitation.objects.filter(wave=wave, responded=False).first()
    with pytest.raises(TokenRefused, match="closed"):
        services.start_with_invitation_token(token_for(remaining))


def test_hidden_answers_are_dropped(wave):
    services.launch_wave(wave=wave, actor=SYSTEM)
    token = token_for(Invitation.objects.filter(wave=wave).first())
    _, draft = services.start_with_invitation_token(token)
    team = next(i for i in services.wave_instruments(wave) if i.code == "team-working")
    services.save_answers(
        draft=draft,
        section_items=list(team.items[:2]),
        form={"in_team": "yes", "rt_objectives": "yes"},
    )
    services.save_answers(draft=draft, section_items=[team.items[0]], form={"in_team": "no"})
    services.submit(token=token)
    answers = Ballot.objects.get().answers
    assert answers == {"in_team": "no"}


# -- no path from a response back to a person --------------------------------------------

ANSWER_MODELS = [Draft, Ballot, Response]


@pytest.mark.parametrize("model", ANSWER_MODELS)
def test_answer_tables_have_no_person_token_ip_or_time(model):
    for field in model._meta.get_fields():
        if field.is_relation and field.related_model is not None:
            assert field.related_model._meta.label in {"surveys.Wave", "org.Unit"}, field
        assert not isinstance(field, models.DateTimeField | models.TimeField), field
        assert not isinstance(field, models.GenericIPAddressField), field
        assert "token" not in field.name and "person" not in field.name and "ip" != field.name


def test_invitations_hold_no_answers_and_no_path_to_them():
    related = {
        f.related_model._meta.label
        for f in Invitation._meta.get_fields()
        if f.is_relation and f.related_model is not None
    }
    assert related == {"surveys.Wave", "org.Person", "org.Unit"}
    names = {f.name for f in Invitation._meta.get_fields()}
    assert not names & {"answers", "comments", "demographics", "draft", "response", "ballot"}


def test_the_stored_digests_of_one_token_are_unrelated(wave):
    services.launch_wave(wave=wave, actor=SYSTEM)
    invitation = Invitation.objects.filter(wave=wave).first()
    token = token_for(invitation)
    _, draft = services.start_with_invitation_token(token)
    assert draft.key_digest != invitation.token_digest
    assert tokens.lookup_digest(token) not in Draft.objects.values_list("key_digest", flat=True)


def test_responses_get_random_ids_not_a_sequence(wave):
    services.launch_wave(wave=wave, actor=SYSTEM)
    for invitation in Invitation.objects.filter(wave=wave)[:2]:
        token = token_for(invitation)
        services.start_with_invitation_token(token)
        services.submit(token=token)
    services.close_wave(wave=wave, actor=SYSTEM)
    ids = list(Response.objects.values_list("id", flat=True))
    assert all(i.version == 4 for i in ids)


def test_wave_model_refuses_thresholds_below_five(trust):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Wave.objects.create(organisation=trust["org"], title="x", reporting_threshold=4)
