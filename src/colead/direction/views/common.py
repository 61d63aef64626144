"""What several direction pages share: breadcrumbs, finding an objective the user may see,
and placing a service's refusal on the form's fields."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from colead.direction import access
from colead.direction.models import Objective
from colead.direction.services import DirectionError


def crumbs(*extra):
    crumbs = [{"text": "Home", "href": reverse("home:home")}]
    crumbs.extend(extra)
    return crumbs


def thread_crumb():
    return {"text": "Objectives", "href": reverse("direction:thread")}


def visible_objective(request, code) -> Objective:
    organisation = request.organisation
    objective = (
        Objective.objects.for_org(organisation)
        .select_related("unit", "owner", "organisation")
        .filter(code=code)
        .first()
    )
    if objective is None:
        raise Http404("No such objective.")
    if not (
        Objective.objects.for_org(organisation)
        .filter(access.visible_q(request.user, organisation), pk=objective.pk)
        .exists()
    ):
        raise PermissionDenied
    return objective


def service_errors(error: DirectionError, fallback: str) -> dict[str, str]:
    """A service's refusal as messages by field. With one field to blame, the whole
    message (the field's own is sometimes terse); with none, the fallback field's."""
    if not error.errors:
        return {fallback: str(error)}
    if len(error.errors) == 1:
        (name,) = error.errors
        return {name: str(error)}
    return dict(error.errors)


def placed(errors: dict[str, str], present, fallback: str) -> dict[str, str]:
    """Errors moved onto fields the page has: one about a field it does not show is put
    on ``fallback``."""
    placed: dict[str, str] = {}
    for name, message in errors.items():
        name = name if name in present else fallback
        placed[name] = f"{placed[name]} {message}" if name in placed else message
    return placed


def error_list(errors: dict[str, str], ids: dict[str, str]) -> list[dict]:
    """The error summary's entries in page order, each linking to its field."""
    order = list(ids)
    first = next(iter(ids.values()))
    ordered = sorted(
        errors.items(), key=lambda item: order.index(item[0]) if item[0] in ids else len(order)
    )
    return [{"text": message, "href": f"#{ids.get(name, first)}"} for name, message in ordered]
