"""The objectives download (``/direction/export/?format=csv|xlsx``), linked from the golden
thread page: every objective of the organisation in the objectives import's columns
(colead.direction.exports), audited.

For those who may see every objective: OBJECTIVES_VIEW over the whole organisation (board
members, OD leads, organisation admins), as on the coverage dashboard. A manager, who
sees only a subtree, gets 403: a part of the thread, its parents outside the subtree left
out, would not re-import as it stands, and the download is meant for moving objectives in
and out of colead whole."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from colead.accounts.permissions import has_permission, require_permission
from colead.accounts.roles import Permission
from colead.direction import exports

VIEW = Permission.OBJECTIVES_VIEW


def can_export(user, organisation) -> bool:
    return organisation is not None and has_permission(user, VIEW, organisation=organisation)


@login_required
@require_GET
@require_permission(VIEW)
def export(request):
    """The organisation's objectives as CSV (the default) or XLSX (``?format=xlsx``)."""
    organisation = request.organisation
    if not can_export(request.user, organisation):
        raise PermissionDenied
    fmt = request.GET.get("format", "csv")
    if fmt not in exports.FORMATS:
        return HttpResponse(
            f"There is no format {fmt[:20]!r}. Use csv or xlsx.\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    made = exports.objectives_export(
        organisation=organisation,
        fmt=fmt,
        actor=request.user,
        viewer=request.user,
        request=request,
        source="web",
    )
    response = HttpResponse(made.content, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    response["Cache-Control"] = "no-store"
    return response
