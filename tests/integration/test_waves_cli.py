"""``colead waves create|launch|extend|close|list`` (through call_command)."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from colead.audit.models import AuditEvent
from colead.surveys.models import Invitation, Response, Wave, WaveStatus
from tests.integration.waves_fixtures import respond

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("waves", *args, stdout=out)
    return out.getvalue()


def create(*extra) -> int:
    output = run(
        "create",
        "--org",
        "TST1",
        "--title",
        "Scripted pulse",
        "--instruments",
        "culture-pulse,team-working@1",
        "--units",
        "MED,T1",
        *extra,
    )
    last_line = output.rstrip("\n").splitlines()[-1]
    assert last_line.isdigit(), output
    return int(last_line)


def test_create_prints_the_id_alone_on_the_last_line(trust):
    wave_id = create("--threshold", "7", "--closes", "2030-04-30", "--choose-unit")
    wave = Wave.objects.get(pk=wave_id)
    assert wave.title == "Scripted pulse" and wave.status == WaveStatus.DRAFT
    assert wave.reporting_threshold == 7 and wave.closes_on == date(2030, 4, 30)
    assert wave.respondent_chooses_unit
    assert sorted(u.code for u in wave.target_units.all()) == ["MED", "T1"]


def test_create_refuses_bad_settings_with_the_reason(trust):
    with pytest.raises(CommandError, match="reporting threshold must be 5 or more"):
        create("--threshold", "3")
    with pytest.raises(CommandError, match="not a date"):
        create("--opens", "31/03/2030")
    with pytest.raises(CommandError, match="no organisation with code NOPE"):
        run("create", "--org", "NOPE", "--title", "x", "--instruments", "x", "--units", "x")
    assert not Wave.objects.exists()


def test_launch_extend_close_and_list(trust, mailoutbox, django_capture_on_commit_callbacks):
    wave_id = create()
    with django_capture_on_commit_callbacks(execute=True):
        launched = run("launch", str(wave_id))
    assert f"Launched wave {wave_id}: 12 people invited" in launched
    assert Invitation.objects.filter(wave_id=wave_id).count() == 12
    assert len(mailoutbox) == 12  # the emails job, queued once the launch committed

    later = date.today() + timedelta(days=10)
    assert f"now closes on {later.isoformat()}" in run(
        "extend", str(wave_id), "--closes", later.isoformat()
    )

    listing = run("list", "--org", "TST1")
    assert listing.splitlines()[0].split("\t")[:3] == [str(wave_id), "open", "Scripted pulse"]

    respond(Wave.objects.get(pk=wave_id), "W1", 2)
    assert f"Closed wave {wave_id}: 2 responses." in run("close", str(wave_id))
    assert Response.objects.filter(wave_id=wave_id).count() == 2
    assert run("list", "--org", "TST1").split("\t")[1] == "closed"

    with pytest.raises(CommandError, match="Only an open wave can be closed"):
        run("close", str(wave_id))
    with pytest.raises(CommandError, match="already been launched"):
        run("launch", str(wave_id))
    with pytest.raises(CommandError, match="Only an open wave can be extended"):
        run("extend", str(wave_id), "--closes", "2099-01-01")


def test_the_commands_are_audited_as_the_system_on_the_command_line(trust):
    wave_id = create()
    run("launch", str(wave_id))
    respond(Wave.objects.get(pk=wave_id), "W1", 2)
    run("close", str(wave_id))
    events = AuditEvent.objects.filter(object_type="surveys.wave", object_id=str(wave_id))
    events = events.order_by("pk")
    assert [(event.action, event.actor_label, event.actor_id) for event in events] == [
        ("survey.wave_create", "system (cli)", None),
        ("survey.wave_launch", "system (cli)", None),
        ("survey.invitations_queue", "system (cli)", None),
        ("survey.wave_close", "system (cli)", None),
        ("insights.wave_score", "system (cli)", None),
    ]
    assert Wave.objects.get(pk=wave_id).created_by is None


def test_an_unknown_wave_is_reported(trust):
    with pytest.raises(CommandError, match="There is no wave 424242"):
        run("launch", "424242")
