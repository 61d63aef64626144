"""``colead objectives snapshot``: records the day's coverage figures for the dashboard's
trend, once a day (again the same day replaces it), directly or through the background task."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from colead.audit.models import AuditEvent
from colead.direction.models import CoverageSnapshot
from colead.direction.tasks import record_coverage_snapshot_task
from tests.integration.direction_fixtures import golden_thread


@pytest.fixture
def thread(trust):
    return golden_thread(trust)


def run(*args) -> list[str]:
    out = io.StringIO()
    call_command("objectives", "snapshot", *args, stdout=out)
    return out.getvalue().splitlines()


def test_snapshot_records_todays_figures(trust, thread):
    today = timezone.localdate().isoformat()
    assert run("--org", "tst1") == [
        f"Recorded the coverage snapshot of Test Trust (TST1) for {today}: "
        "teams 66.7% (2 of 3), staff 0.0% (0 of 12)."
    ]
    snapshot = CoverageSnapshot.objects.for_org(trust["org"]).get()
    assert (snapshot.taken_on.isoformat(), snapshot.teams_covered, snapshot.taken_by) == (
        today,
        2,
        None,
    )
    assert {group["code"] for group in snapshot.groups.values()} == {"MED", "CARD", "SURG"}
    assert (
        AuditEvent.objects.get(action="objectives.coverage_snapshot").actor_label == "system (cli)"
    )


def test_running_it_again_the_same_day_replaces_the_snapshot(trust, thread):
    run("--org", "TST1", "--on", "2026-03-01")
    run("--org", "TST1", "--on", "2026-03-01")
    run("--org", "TST1", "--on", "2026-03-02")
    days = list(CoverageSnapshot.objects.for_org(trust["org"]).values_list("taken_on", flat=True))
    assert days == [date(2026, 3, 1), date(2026, 3, 2)]
    replaced = AuditEvent.objects.filter(action="objectives.coverage_snapshot").order_by("pk")
    assert [event.detail["replaced"] for event in replaced] == [False, True, False]


def test_every_organisation(trust, thread):
    out = run("--all")
    assert [line.split(" for ")[0] for line in out] == [
        "Recorded the coverage snapshot of Other Trust (OTH1)",
        "Recorded the coverage snapshot of Test Trust (TST1)",
    ]
    assert CoverageSnapshot.objects.count() == 2


def test_queued_for_the_background_worker(trust, thread):
    (line,) = run("--org", "TST1", "--on", "2026-03-01", "--queue")
    assert line.startswith("Queued the coverage snapshot of Test Trust (TST1) (task ")
    # Tests run tasks at once (COLEAD_TASKS_BACKEND=immediate).
    snapshot = CoverageSnapshot.objects.for_org(trust["org"]).get()
    assert snapshot.taken_on == date(2026, 3, 1)


def test_the_task_returns_the_figures(trust, thread):
    result = record_coverage_snapshot_task.enqueue(trust["org"].pk, "2026-04-01")
    assert result.return_value == {
        "organisation": "TST1",
        "taken_on": "2026-04-01",
        "teams_covered": 2,
        "teams": 3,
        "staff_covered": 0,
        "staff": 12,
    }


@pytest.mark.parametrize(
    "args, message",
    [
        (("--org", "NOPE"), 'There is no organisation with the code "NOPE". Known codes: OTH1, '),
        (("--org", "TST1", "--on", "1 March"), "'1 March' is not a date in the form YYYY-MM-DD."),
    ],
)
def test_mistakes_are_explained(trust, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not CoverageSnapshot.objects.exists()


def test_org_or_all_is_required(trust):
    with pytest.raises(CommandError, match="one of the arguments --org --all is required"):
        run()
