"""Background jobs for direction (django-tasks): the daily coverage snapshot, for
``colead objectives snapshot --queue`` (run by ``colead db_worker`` in production, at once in
development and tests)."""

from datetime import date

from django_tasks import task

from colead.core.actor import Actor
from colead.direction.services import record_coverage_snapshot
from colead.org.models import Organisation


@task()
def record_coverage_snapshot_task(organisation_id: int, taken_on: str | None = None) -> dict:
    """Record an organisation's coverage snapshot (``taken_on`` as YYYY-MM-DD, default
    today) as the system; returns the day and the organisation's two shares."""
    organisation = Organisation.objects.get(pk=organisation_id)
    snapshot = record_coverage_snapshot(
        organisation=organisation,
        actor=Actor.system("task: coverage snapshot", source="task"),
        taken_on=date.fromisoformat(taken_on) if taken_on else None,
    )
    return {
        "organisation": organisation.code,
        "taken_on": snapshot.taken_on.isoformat(),
        "teams_covered": snapshot.teams_covered,
        "teams": snapshot.teams,
        "staff_covered": snapshot.staff_covered,
        "staff": snapshot.staff,
    }
