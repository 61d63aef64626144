"""The objectives download (``/direction/export/?format=csv|xlsx``), linked from the golden
thread page: every objective of the organisation in the objectives import's columns
(colead.direction.exports), read and audited by colead.direction.queries.objectives_export
as the API's and the CLI's are.

For those who may see every objective: OBJECTIVES_VIEW over the whole organisation (board
members, OD leads, organisation admins), as on the coverage dashboard. A manager, who
sees only a subtree, gets 403: a part of the thread, its parents outside the subtree left
out, would not re-import as it stands, and the download is meant for moving objectives in
and out of colead whole."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from colead.accounts.permissions import require_permission
from colead.accounts.roles import Permission
from colead.core import pages
from colead.direction import queries
from colead.direction.views.common import actor_of
from colead.lib.errors import Invalid

VIEW = Permission.OBJECTIVES_VIEW


@login_required
@require_GET
@require_permission(VIEW)
@pages.answers_not_found_and_refused
def export(request):
    """The organisation's objectives as CSV (the default) or XLSX (``?format=xlsx``)."""
    try:
        made = queries.objectives_export(
            actor=actor_of(request),
            organisation=request.organisation,
            fmt=request.GET.get("format", "csv"),
        )
    except Invalid as error:
        return HttpResponse(
            "".join(f"{text}\n" for text in error.errors.values()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(made.content, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    response["Cache-Control"] = "no-store"
    return response
