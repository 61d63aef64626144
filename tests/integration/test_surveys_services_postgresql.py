"""What the survey submission does only on PostgreSQL (marked "# postgresql only:" in
colead.surveys.services, so that CI's SQLite coverage pass leaves it out): the invitation
row is locked for the length of a submission, and the draft's removal, the invitation's
mark and the ballot's insert are sent as one statement. These tests run only when
DATABASE_URL names PostgreSQL (CI's second pass)."""

import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from colead.surveys import services, tokens
from colead.surveys.models import Ballot, Draft, Invitation
from colead.surveys.services import TokenRefused
from tests.integration.waves_fixtures import make_wave

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's row locks and statements"
)


def invitation_token_of(wave, employee_number):
    invitation = wave.invitations.get(person__employee_number=employee_number)
    return invitation, tokens.invitation_token(invitation.pk, invitation.nonce)


@pytest.mark.django_db(transaction=True)
def test_a_second_submission_with_one_token_waits_for_the_first_then_is_refused(trust):
    wave = make_wave(trust, launch=True)
    invitation, token = invitation_token_of(wave, "S1")
    second: dict[str, object] = {}

    def submit_again():
        try:
            services.submit_answers(token=token, prepare=lambda wave: ({}, None))
            second["outcome"] = "stored"
        except TokenRefused as refused:
            second["outcome"] = str(refused)
        finally:
            connections.close_all()

    other = threading.Thread(target=submit_again)

    def prepare_while_locked(wave):
        # The first submission holds the invitation: the second must wait on its row lock
        # (without it, the second would read "not responded" and store a ballot too).
        other.start()
        other.join(timeout=1)
        second["waited"] = other.is_alive()
        return {}, None

    services.submit_answers(token=token, prepare=prepare_while_locked)
    other.join(timeout=30)
    assert second == {"waited": True, "outcome": services.TAKEN_PART}
    assert Ballot.objects.filter(wave=wave).count() == 1
    invitation.refresh_from_db()
    assert invitation.responded


@pytest.mark.django_db
def test_a_submission_removes_the_draft_marks_the_invitation_and_stores_in_one_statement(
    trust,
):
    wave = make_wave(trust, launch=True)
    invitation, token = invitation_token_of(wave, "S1")
    services.start_with_invitation_token(token)
    with CaptureQueriesContext(connection) as queries:
        services.submit_answers(token=token, prepare=lambda wave: ({}, None))
    writes = [
        q["sql"] for q in queries if q["sql"].startswith(("WITH", "INSERT", "UPDATE", "DELETE"))
    ]
    assert len(writes) == 1
    assert writes[0].startswith("WITH w0 AS (DELETE FROM")
    assert not Draft.objects.filter(key_digest=tokens.draft_digest(token)).exists()
    assert Invitation.objects.get(pk=invitation.pk).responded
    ballot = Ballot.objects.get(wave=wave)
    assert ballot.reporting_unit_id == invitation.reporting_unit_id
    assert ballot.sealed == {"demographics": {}, "answers": {}, "comments": {}}
