"""Background jobs for org (django-tasks): checking a large uploaded import file."""

from django_tasks import task

from colead.core.actor import Actor
from colead.org import services
from colead.org.models import PendingUpload


@task()
def check_upload(pending_id: int) -> str:
    """Check a held upload (services.check_held_upload); the page polls its progress."""
    pending = (
        PendingUpload.objects.select_related("organisation", "uploaded_by")
        .filter(pk=pending_id, state=PendingUpload.State.CHECKING)
        .first()
    )
    if pending is None:  # cancelled, or replaced by a newer upload, before the job ran
        return "gone"
    # The check is the uploader's own step, run later: their events, from the task queue.
    actor = Actor.of_user(pending.uploaded_by, source="task")
    services.check_held_upload(pending=pending, actor=actor)
    return PendingUpload.objects.filter(pk=pending_id).values_list("state", flat=True).first()
