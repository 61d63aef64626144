"""What several direction pages share: breadcrumbs, the actor, and the site's 404 and 403
pages (core.pages answers a query's NotFound and Refused)."""

from django.urls import reverse

from colead.core.actor import Actor
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


def visible_objective(request, code: str) -> Objective:
    """The objective of the current organisation by ``code``, if the user may see it
    (queries.find_objective: NotFound or Refused otherwise)."""
    return queries.find_objective(
        actor=actor_of(request), organisation=request.organisation, code=code
    )
