"""The survey services' refusals and quieter paths, each through its public function: what is
refused, with which kind and message, and that nothing is stored or audited when it is."""

import copy
from datetime import date, timedelta

import pytest
from django.utils import timezone

from colead.audit.models import AuditEvent
from colead.core.actor import Actor
from colead.lib.errors import Conflict, Invalid
from colead.surveys import definitions, services, tokens
from colead.surveys.models import Ballot, DeviceLink, Draft, Response, Wave
from colead.surveys.services import CompletedForm, TokenRefused, WaveSettings
from tests.integration.insights_fixtures import add_ballots
from tests.integration.waves_fixtures import make_wave

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("tests")


def settings(**changes):
    fields = {"title": "Spring pulse", "instruments": ["culture-pulse"], "unit_codes": ["MED"]}
    return WaveSettings(**{**fields, **changes})


def refused_fields(trust, **changes) -> dict:
    with pytest.raises(Invalid) as raised:
        services.create_wave(organisation=trust["org"], settings=settings(**changes), actor=SYSTEM)
    assert not Wave.objects.exists()
    assert not AuditEvent.objects.filter(action="survey.wave_create").exists()
    return raised.value.errors


def test_a_wave_closing_before_it_opens_is_refused_on_the_closing_date(trust):
    errors = refused_fields(trust, opens_on=date(2027, 3, 10), closes_on=date(2027, 3, 9))
    assert errors == {"closes_on": "The closing date must be on or after the opening date."}


def test_a_wave_naming_an_instrument_twice_is_refused(trust):
    errors = refused_fields(trust, instruments=["culture-pulse", "culture-pulse@1"])
    assert errors == {"instruments": "Choose each instrument once."}


def test_unknown_staff_groups_are_named(trust):
    errors = refused_fields(trust, staff_groups=["medical_dental", "astronauts", "pirates"])
    assert errors == {"staff_groups": "Unknown staff groups: astronauts, pirates."}


def test_instruments_sharing_item_codes_cannot_share_a_wave(trust):
    services.ensure_builtin_instruments(organisation=trust["org"], actor=SYSTEM)
    original = next(i for i in definitions.builtin_instruments() if i.code == "team-working")
    data = copy.deepcopy(original.source)
    data["code"] = "team-working-copy"
    twin = definitions.instrument_from_data(data)
    services.import_instrument(organisation=trust["org"], instrument=twin, actor=SYSTEM)
    errors = refused_fields(trust, instruments=["team-working", "team-working-copy"])
    shared = ", ".join(item.code for item in original.items)
    assert errors == {
        "instruments": f"These instruments share item codes ({shared}); "
        "a wave needs each item code once."
    }


def test_extending_an_open_wave_into_the_past_is_refused_and_the_date_kept(trust):
    wave = make_wave(trust, launch=True, closes_on=timezone.localdate() + timedelta(days=7))
    with pytest.raises(Invalid) as raised:
        services.extend_wave(
            wave=wave, closes_on=timezone.localdate() - timedelta(days=1), actor=SYSTEM
        )
    assert list(raised.value.errors) == ["closes_on"]
    assert "not in the past" in raised.value.errors["closes_on"]
    wave.refresh_from_db()
    assert wave.closes_on == timezone.localdate() + timedelta(days=7)
    assert not AuditEvent.objects.filter(action="survey.wave_extend").exists()


def test_a_device_link_is_made_once_per_unit_and_refused_for_a_closed_wave(trust):
    wave = make_wave(trust, launch=True)
    unit = trust["units"]["MED"]
    first = services.device_link_for(wave=wave, unit=unit, actor=SYSTEM)
    again = services.device_link_for(wave=wave, unit=unit, actor=SYSTEM)
    assert again.pk == first.pk
    event = AuditEvent.objects.get(action="survey.device_link_create")
    assert (event.actor_label, event.detail) == ("system (tests)", {"unit": "MED"})
    wave = services.close_wave(wave=wave, actor=SYSTEM)
    with pytest.raises(Conflict) as raised:
        services.device_link_for(wave=wave, unit=trust["units"]["W1"], actor=SYSTEM)
    assert str(raised.value) == ("Spring pulse is closed: device links are for open waves only.")
    assert DeviceLink.objects.count() == 1


def test_a_draft_wave_takes_no_answers_and_sends_no_emails(trust):
    wave = make_wave(trust)
    with pytest.raises(TokenRefused) as raised:
        services.ensure_open(wave)
    assert (str(raised.value), raised.value.reason) == (
        "This survey has not opened yet.",
        "not_open",
    )
    with pytest.raises(Conflict, match="Invitations can be sent only while the wave is open"):
        services.queue_invitations(wave=wave, actor=SYSTEM)
    with pytest.raises(Conflict, match="Reminders can be sent only while the wave is open"):
        services.queue_reminders(wave=wave, actor=SYSTEM)
    with pytest.raises(Conflict, match="Forms can be recorded only while the wave is open"):
        services.record_completed_forms(wave=wave, forms=[], actor=SYSTEM)
    assert not AuditEvent.objects.filter(action__startswith="survey.invitations").exists()
    assert not AuditEvent.objects.filter(action__startswith="survey.reminders").exists()


def test_a_wave_past_its_closing_date_refuses_answers_as_closed(trust):
    wave = make_wave(trust, launch=True)
    Wave.objects.filter(pk=wave.pk).update(closes_on=timezone.localdate() - timedelta(days=1))
    wave.refresh_from_db()
    with pytest.raises(TokenRefused) as raised:
        services.ensure_open(wave)
    assert raised.value.reason == "closed"


def test_a_respondent_cannot_choose_a_team_unless_the_wave_allows_it(trust):
    wave = make_wave(trust, launch=True)
    link = services.device_link_for(wave=wave, unit=trust["units"]["MED"], actor=SYSTEM)
    _, draft = services.start_on_device(link=link)
    with pytest.raises(Invalid) as raised:
        services.choose_reporting_unit(draft=draft, unit_code="W1")
    assert raised.value.errors == {"unit": "This survey does not let you choose your team."}
    draft.refresh_from_db()
    assert draft.reporting_unit_id == trust["units"]["MED"].pk


def test_a_form_for_someone_not_invited_stores_nothing(trust):
    wave = make_wave(trust, launch=True)
    person_id = 10**9  # nobody
    form = CompletedForm(person_id=person_id, answers={}, submitted_on=timezone.localdate())
    with pytest.raises(Invalid) as raised:
        services.record_completed_forms(wave=wave, forms=[form], actor=SYSTEM)
    assert raised.value.errors == {
        "forms": f"Form 1: person {person_id} has no invitation to Spring pulse that is still "
        "to be answered."
    }
    assert not Ballot.objects.filter(wave=wave).exists()
    assert not AuditEvent.objects.filter(action="survey.forms_record").exists()


def test_generalising_needs_a_closed_wave(trust):
    wave = make_wave(trust, launch=True, title="Autumn pulse")
    with pytest.raises(Conflict) as raised:
        services.generalise_closed_wave(wave=wave, actor=SYSTEM)
    assert str(raised.value) == (
        "Autumn pulse is open: closing it generalises its responses (colead waves close WAVE)."
    )
    assert not AuditEvent.objects.filter(action="survey.wave_generalise").exists()


def test_generalising_a_wave_closed_since_changes_nothing_and_is_audited(trust):
    wave = make_wave(trust, units=("W1", "W2"), threshold=5, launch=True)
    add_ballots(wave, "W1", 5)
    wave = services.close_wave(wave=wave, actor=SYSTEM)
    before = sorted(Response.objects.filter(wave=wave).values_list("reporting_unit_id", flat=True))
    done = services.generalise_closed_wave(wave=wave, actor=SYSTEM)
    assert (done.changed, done.moved, done.dropped) == (set(), 0, 0)
    after = sorted(Response.objects.filter(wave=wave).values_list("reporting_unit_id", flat=True))
    assert after == before
    event = AuditEvent.objects.get(action="survey.wave_generalise")
    assert event.actor_label == "system (tests)"
    assert event.detail == {"responses": 5, "moved_to_a_larger_unit": 0, "answers_not_kept": 0}
    assert not Draft.objects.filter(wave=wave).exists()


def test_a_wave_whose_invited_people_were_deleted_below_five_cannot_close(trust):
    from colead.org.models import Person

    wave = make_wave(trust, units=("W1",), threshold=5, launch=True, title="Ward pulse")
    add_ballots(wave, "W1", 2)
    # Deleting a person (the admin, a database clean-up) deletes their invitations with them.
    Person.objects.filter(employee_number__in=["W1-0", "W1-1"]).delete()
    with pytest.raises(Conflict) as raised:
        services.close_wave(wave=wave, actor=SYSTEM)
    assert str(raised.value) == (
        "Ward pulse: Only 3 people were invited in all, fewer than 5: "
        "no response could be protected."
    )
    wave.refresh_from_db()
    assert wave.is_open
    assert Ballot.objects.filter(wave=wave).count() == 2
    assert not Response.objects.filter(wave=wave).exists()
    assert not AuditEvent.objects.filter(action="survey.wave_close").exists()


def test_a_wave_whose_staff_groups_match_nobody_cannot_launch(trust):
    wave = make_wave(trust, staff_groups=["estates_ancillary"], title="Estates pulse")
    with pytest.raises(Conflict) as raised:
        services.launch_wave(wave=wave, actor=SYSTEM)
    assert str(raised.value) == (
        "Nobody matches this wave's units and staff groups; nothing to launch."
    )
    wave.refresh_from_db()
    assert wave.is_draft
    assert not wave.invitations.exists()
    assert not AuditEvent.objects.filter(action="survey.wave_launch").exists()


def test_a_wave_launched_with_an_opening_date_keeps_it(trust):
    opens = timezone.localdate() + timedelta(days=3)
    wave = make_wave(trust, launch=True, opens_on=opens)
    wave.refresh_from_db()
    assert wave.is_open
    assert wave.opens_on == opens


def invitation_token_of(wave, employee_number):
    invitation = wave.invitations.get(person__employee_number=employee_number)
    return invitation, tokens.invitation_token(invitation.pk, invitation.nonce)


def test_a_draft_kept_as_submitted_by_an_earlier_version_is_refused(trust):
    wave = make_wave(trust, launch=True)
    link = services.device_link_for(wave=wave, unit=trust["units"]["MED"], actor=SYSTEM)
    token, draft = services.start_on_device(link=link)
    Draft.objects.filter(pk=draft.pk).update(submitted=True)
    for read in (services.resume, services.wave_for_token):
        with pytest.raises(TokenRefused) as raised:
            read(token)
        assert (str(raised.value), raised.value.reason) == (services.USED, "used")


def test_a_device_form_that_expired_is_refused_when_read(trust):
    wave = make_wave(trust, launch=True)
    link = services.device_link_for(wave=wave, unit=trust["units"]["MED"], actor=SYSTEM)
    token, draft = services.start_on_device(link=link)
    draft.delete()
    with pytest.raises(TokenRefused) as raised:
        services.wave_for_token(token)
    assert (str(raised.value), raised.value.reason) == (
        "This form has expired or was already sent. Thank you.",
        "used",
    )


def test_a_form_started_then_recorded_in_bulk_cannot_be_submitted_again(trust):
    wave = make_wave(trust, launch=True)
    invitation, token = invitation_token_of(wave, "S1")
    services.start_with_invitation_token(token)
    stored = services.record_completed_forms(
        wave=wave,
        forms=[CompletedForm(invitation.person_id, {}, timezone.localdate())],
        actor=SYSTEM,
    )
    assert stored == 1
    event = AuditEvent.objects.get(action="survey.forms_record")
    assert (event.actor_label, event.detail) == ("system (tests)", {"forms": 1, "comments": 0})
    with pytest.raises(TokenRefused) as raised:
        services.submit(token=token)
    assert (str(raised.value), raised.value.reason) == (services.TAKEN_PART, "used")
    assert Ballot.objects.filter(wave=wave).count() == 1


def test_a_device_submission_without_a_team_is_refused_and_stores_nothing(trust):
    wave = make_wave(trust, launch=True, respondent_chooses_unit=True)
    link = services.device_link_for(wave=wave, unit=trust["units"]["MED"], actor=SYSTEM)
    token, draft = services.start_on_device(link=link)
    assert draft.reporting_unit_id is None
    with pytest.raises(Invalid) as raised:
        services.submit_answers(token=token, prepare=lambda wave: ({}, None))
    assert raised.value.errors == {
        "reporting_unit": "Select your team before sending your answers."
    }
    assert not Ballot.objects.filter(wave=wave).exists()
    assert Draft.objects.filter(pk=draft.pk).exists()


def person_id(number):
    from colead.org.models import Person

    return Person.objects.get(employee_number=number).pk


def test_forms_recorded_in_bulk_are_checked_like_the_form_and_their_comments_masked(trust):
    wave = make_wave(trust, launch=True)
    today = timezone.localdate()
    forms = [
        CompletedForm(person_id("S1"), {"vv1": "4", "comment": "Sam Nurse was great"}, today),
        CompletedForm(person_id("M1"), {"vv1": "4", "vv2": "2"}, today),
    ]
    assert services.record_completed_forms(wave=wave, forms=forms, actor=SYSTEM) == 2
    ballots = list(Ballot.objects.filter(wave=wave))
    assert sorted(b.answers.get("vv1") for b in ballots) == ["4", "4"]
    (comment,) = [b.comments["comment"] for b in ballots if b.comments]
    assert "Sam" not in comment and "Nurse" not in comment
    event = AuditEvent.objects.get(action="survey.forms_record")
    assert event.detail == {"forms": 2, "comments": 1}


@pytest.mark.parametrize(
    ("answers", "on_day", "message"),
    [
        ({"vv1": "9"}, 0, "Form 1, vv1: Select one of the options."),
        ({"zz9": "4"}, 0, "Form 1: zz9 is not a question of this wave."),
        ({}, -1, "Form 1: {day} is outside the wave's dates."),
    ],
)
def test_a_bulk_form_the_form_would_refuse_stores_nothing(trust, answers, on_day, message):
    wave = make_wave(trust, launch=True)
    day = timezone.localdate() + timedelta(days=on_day)
    form = CompletedForm(person_id("S1"), answers, day)
    with pytest.raises(Invalid) as raised:
        services.record_completed_forms(wave=wave, forms=[form], actor=SYSTEM)
    assert raised.value.errors == {"forms": message.format(day=day.isoformat())}
    assert not Ballot.objects.filter(wave=wave).exists()
    assert not wave.invitations.filter(responded=True).exists()


def test_queueing_reminders_starts_a_fresh_round_and_is_audited(
    trust, django_capture_on_commit_callbacks
):
    wave = make_wave(trust, launch=True)
    wave.invitations.update(reminded_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.queue_reminders(wave=wave, actor=SYSTEM)
    assert len(queued) == 1
    assert not wave.invitations.filter(reminded_at__isnull=False).exists()
    event = AuditEvent.objects.get(action="survey.reminders_queue")
    assert event.actor_label == "system (tests)"


def test_a_wave_without_a_title_instruments_or_units_names_each_field(trust):
    errors = refused_fields(trust, title="  ", instruments=[], unit_codes=[])
    assert errors == {
        "title": "Enter a title.",
        "instruments": "Choose at least one instrument.",
        "units": "Choose at least one unit to survey.",
    }


def test_a_wave_title_over_200_characters_is_refused(trust):
    errors = refused_fields(trust, title="T" * 201)
    assert errors == {"title": "The title must be 200 characters or fewer."}


def test_an_instrument_version_that_is_not_a_number_is_refused(trust):
    errors = refused_fields(trust, instruments=["culture-pulse@two"])
    assert errors == {"instruments": "'culture-pulse@two': the version after @ must be a number."}
