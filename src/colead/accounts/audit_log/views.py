"""The organisation's audit log: read and exported by organisation admins. The reads are
``accounts.queries`` (which checks the role and audits each read); this module only parses
the filters and shapes the page and the CSV."""

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from colead.accounts import queries
from colead.accounts.audit_log import presenters
from colead.accounts.permissions import require_permission
from colead.accounts.roles import Permission
from colead.core.actor import Actor
from colead.core.pagination import paginate, pagination_params
from colead.lib.errors import Refused


def _filter_form(request) -> presenters.AuditFilterForm:
    filters = request.GET.copy()
    filters.pop("page", None)
    form = presenters.AuditFilterForm(
        filters or None, actions=queries.actions_in(request.organisation)
    )
    form.is_valid()
    return form


def _log(request, form):
    """The events the page shows (the form's valid filters only), read and audited once."""
    try:
        return queries.audit_log(
            Actor.from_request(request),
            request.organisation,
            presenters.valid_filters(form),
            page=request.GET.get("page", "1"),
        )
    except Refused as error:
        raise PermissionDenied(str(error)) from error


def _list_response(request, form, events, status=200):
    page = paginate(request, events, presenters.PER_PAGE)
    export_query = request.GET.copy()
    export_query.pop("page", None)
    context = {
        "form": form,
        "errors": presenters.error_list(form),
        "action_items": presenters.action_items(form),
        "page_has_errors": bool(form.errors),
        "events": presenters.event_rows(page.object_list),
        "page": page,
        "events_pagination": pagination_params(request, page, label="Pages of audit events"),
        "export_href": reverse("audit:export")
        + ("?" + export_query.urlencode() if export_query else ""),
        "is_filtered": bool(queries.used_filters(presenters.valid_filters(form))),
        "breadcrumbs": [{"text": "Home", "href": reverse("home:home")}],
    }
    return TemplateResponse(request, "audit/list.jinja", context, status=status)


@login_required
@require_GET
@require_permission(Permission.AUDIT_VIEW)
def audit_list(request):
    """Newest first, 50 a page, filtered by action, actor and date range."""
    form = _filter_form(request)
    return _list_response(request, form, _log(request, form))


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer."""

    def write(self, value):
        return value


@login_required
@require_GET
@require_permission(Permission.AUDIT_VIEW)
def audit_export(request):
    """The same filtered events as CSV, streamed; cells are guarded against formulas. With
    a filter in error, the list page says what to fix instead."""
    form = _filter_form(request)
    if form.errors:
        return _list_response(request, form, _log(request, form), status=400)
    organisation = request.organisation
    try:
        events = queries.audit_export(
            Actor.from_request(request), organisation, presenters.valid_filters(form)
        )
    except Refused as error:
        raise PermissionDenied(str(error)) from error
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(presenters.CSV_COLUMNS)
        for event in events.iterator(chunk_size=2000):
            yield writer.writerow(presenters.csv_row(event))

    filename = f"audit-{organisation.code}-{timezone.localdate():%Y%m%d}.csv"
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
