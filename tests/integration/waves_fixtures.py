"""Helpers for the wave page tests: waves in the test trust, and responses without going
through the respondent's pages (ballots are written as the services would write them)."""

from datetime import date

from colead.surveys.models import Ballot, Invitation, Response, ResponseSource
from tests.factories import BallotFactory, WaveFactory


def make_wave(trust, *, units=("MED",), threshold=11, title="Spring pulse", launch=False, **extra):
    return WaveFactory(
        organisation=trust["org"],
        units=units,
        reporting_threshold=threshold,
        title=title,
        launch=launch,
        **extra,
    )


def staff_surgery(trust):
    """Give the Surgery division a fifth person (a surgeon at division level), so that a wave
    over Surgery alone can launch: a wave needs at least 5 people invited."""
    from tests.factories import PersonFactory

    return PersonFactory(
        organisation=trust["org"],
        primary_unit=trust["units"]["SURG"],
        employee_number="SURG-1",
        staff_group="medical_dental",
        band="consultant",
        job_title="Consultant Surgeon",
    )


def respond(wave, unit_code, count, *, on=None, staff_group=None):
    """Mark ``count`` invitations of people in ``unit_code`` as responded, each with a ballot
    on day ``on`` (today by default)."""
    invitations = Invitation.objects.filter(
        wave=wave, reporting_unit__code=unit_code, responded=False
    )
    if staff_group:
        invitations = invitations.filter(staff_group=staff_group)
    chosen = list(invitations.select_related("reporting_unit").order_by("pk")[:count])
    assert len(chosen) == count, f"only {len(chosen)} unanswered invitations in {unit_code}"
    for invitation in chosen:
        invitation.responded = True
        invitation.save(update_fields=["responded"])
        BallotFactory(
            wave=wave,
            reporting_unit=invitation.reporting_unit,
            submitted_on=on or date.today(),
        )
    return chosen


def device_responses(wave, unit, count, *, on=None):
    model = Response if wave.is_closed else Ballot
    for _ in range(count):
        model.objects.create(
            wave=wave,
            reporting_unit=unit,
            submitted_on=on or date.today(),
            source=ResponseSource.DEVICE,
        )
