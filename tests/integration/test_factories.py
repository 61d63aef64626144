"""The factories of tests/factories.py make what colead would make: waves through the survey
services, ballots sealed, objectives taken to their status through the agreement acts."""

import pytest
from django.db import connection

from colead.audit.models import AuditEvent
from colead.surveys.models import Ballot, Invitation, WaveStatus, WaveUnit
from tests.factories import BallotFactory, ObjectiveFactory, WaveFactory

pytestmark = pytest.mark.django_db


def test_a_wave_is_launched_with_its_instruments_units_and_invitations(trust):
    wave = WaveFactory(organisation=trust["org"], units=["CARD"], reporting_threshold=5)
    assert wave.status == WaveStatus.OPEN
    assert wave.reporting_threshold == 5
    assert [v.code for v in wave.ordered_instruments()] == ["culture-pulse", "team-working"]
    units = set(WaveUnit.objects.filter(wave=wave).values_list("unit__code", flat=True))
    assert units == {"W1", "W2"}  # the units people report in
    assert Invitation.objects.filter(wave=wave).count() == 8  # 5 in Ward 1, 3 in Ward 2
    assert AuditEvent.objects.filter(action="survey.wave_launch", object_id=str(wave.pk)).exists()


def test_a_draft_wave_has_no_units_frozen_yet(trust):
    wave = WaveFactory(organisation=trust["org"], launch=False)
    assert wave.status == WaveStatus.DRAFT
    assert not WaveUnit.objects.filter(wave=wave).exists()


def test_a_wave_can_be_made_closed(trust):
    wave = WaveFactory(organisation=trust["org"], close=True)
    assert wave.status == WaveStatus.CLOSED


def test_waves_and_objectives_are_not_built_without_their_services():
    with pytest.raises(TypeError, match="survey services"):
        WaveFactory.build()
    with pytest.raises(TypeError, match="direction services"):
        ObjectiveFactory.build()


def test_a_ballot_is_stored_sealed(trust):
    wave = WaveFactory(organisation=trust["org"], units=["W1"])
    ballot = BallotFactory(
        wave=wave, answers={"cp1": "4"}, demographics={"staff_group": "medical_dental"}
    )
    assert ballot.reporting_unit == trust["units"]["W1"]
    stored = Ballot.objects.get(pk=ballot.pk)
    assert stored.answers == {"cp1": "4"}
    assert stored.demographics == {"staff_group": "medical_dental"}
    assert stored.comments == {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT sealed FROM {Ballot._meta.db_table} WHERE id = %s",
            [Ballot._meta.pk.get_db_prep_value(ballot.pk, connection)],
        )
        (raw,) = cursor.fetchone()
    assert b"medical_dental" not in bytes(raw) and b"cp1" not in bytes(raw)


@pytest.mark.parametrize(
    ("status", "acts"),
    [
        ("draft", []),
        ("proposed", ["objective.proposed"]),
        ("active", ["objective.proposed", "objective.agreed", "objective.status"]),
        (
            "achieved",
            ["objective.proposed", "objective.agreed", "objective.status", "objective.status"],
        ),
        ("dropped", ["objective.status"]),
    ],
)
def test_an_objective_reaches_its_status_through_the_acts(trust, status, acts):
    objective = ObjectiveFactory(unit=trust["units"]["W1"], status=status)
    assert objective.status == status
    assert objective.organisation == trust["org"]
    recorded = list(
        AuditEvent.objects.filter(object_id=str(objective.pk))
        .exclude(action="objective.create")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert recorded == acts
