"""How a page view answers a service's ColeadError.

NotFound and Refused are not the form's business: they become the site's 404 and 403
pages. Invalid and Conflict re-render the form, with each message on its field and in the
NHS.UK error summary at the top::

    try:
        services.update_objective(objective=objective, changes=changes, actor=actor)
    except ColeadError as error:
        errors = pages.form_errors(error, fallback="title", shown=EDIT_FIELDS)
    ...
    context.update(pages.error_context(errors, FIELD_IDS))
"""

from collections.abc import Iterable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from colead.lib.errors import ColeadError, Invalid, NotFound, Refused


def answers_not_found_and_refused(view):
    """A page view whose read or write may raise NotFound or Refused answers with the
    site's 404 or 403 page (a form's Invalid and Conflict stay the view's business)."""

    @wraps(view)
    def page(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(str(error)) from error
        except Refused as error:
            raise PermissionDenied(str(error)) from error

    return page


def form_errors(
    error: ColeadError, *, fallback: str, shown: Iterable[str] | None = None
) -> dict[str, str]:
    """The error as messages by form field, or the 404/403 page for NotFound/Refused.

    An Invalid gives its own fields; a Conflict its message on ``fallback``. A field the
    page does not show (given ``shown``) has its message moved onto ``fallback``, so no
    message is lost."""
    if isinstance(error, NotFound):
        raise Http404(str(error)) from error
    if isinstance(error, Refused):
        raise PermissionDenied(str(error)) from error
    if not isinstance(error, Invalid):
        return {fallback: str(error)}
    shown = None if shown is None else set(shown)
    errors: dict[str, str] = {}
    for field, message in error.errors.items():
        if shown is not None and field not in shown:
            field = fallback
        errors[field] = f"{errors[field]} {message}" if field in errors else message
    return errors


def error_summary(errors: dict[str, str], field_ids: dict[str, str]) -> list[dict]:
    """The error summary's entries in page order (the order of ``field_ids``, a field's
    name to its HTML id), each linking to its field; an error on a field without an id
    links to the first field."""
    order = list(field_ids)
    first = next(iter(field_ids.values()))
    ordered = sorted(
        errors.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)
    )
    return [
        {"text": message, "href": f"#{field_ids.get(name, first)}"} for name, message in ordered
    ]


def error_context(errors: dict[str, str], field_ids: dict[str, str]) -> dict:
    """What a form template needs to show errors: ``errors`` for the fields (see the
    ``field`` macros in core/jinja2/macros/fields.jinja), ``error_list`` for the summary and
    ``page_has_errors`` for the page title."""
    return {
        "errors": errors,
        "error_list": error_summary(errors, field_ids) if errors else [],
        "page_has_errors": bool(errors),
    }
