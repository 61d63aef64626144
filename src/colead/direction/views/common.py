"""What several direction pages share: breadcrumbs, the actor, and the site's 404 and 403
pages for a query's NotFound and Refused."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from colead.core.actor import Actor
from colead.core.errors import NotFound, Refused
from colead.direction import queries
from colead.direction.models import Objective


def crumbs(*extra):
    crumbs = [{"text": "Home", "href": reverse("home:home")}]
    crumbs.extend(extra)
    return crumbs


def thread_crumb():
    return {"text": "Objectives", "href": reverse("direction:thread")}


def actor_of(request) -> Actor:
    return Actor.from_request(request)


def answers_not_found_and_refused(view):
    """A page whose query raises NotFound or Refused answers with the site's 404 or 403
    page (a form's Invalid and Conflict are the view's own business: core.pages)."""

    @wraps(view)
    def page(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(str(error)) from error
        except Refused as error:
            raise PermissionDenied(str(error)) from error

    return page


def visible_objective(request, code: str) -> Objective:
    """The objective of the current organisation by ``code``, if the user may see it
    (queries.find_objective: NotFound or Refused otherwise)."""
    return queries.find_objective(
        actor=actor_of(request), organisation=request.organisation, code=code
    )
