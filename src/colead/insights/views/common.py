"""What the results pages share: how a page answers a read that cannot be made, and
breadcrumbs. The reads themselves are ``insights.queries``."""

from functools import wraps

from django.template.response import TemplateResponse
from django.urls import reverse

from colead.core import pages
from colead.insights.results import ResultsNotReady


def answers_read_errors(view):
    """A page view whose read may fail: a wave without results yet (still open, or its
    scores not stored) is a page saying so with status 409; NotFound and Refused are the
    site's 404 and 403 (core.pages). Invalid is the view's own business (the form shows it)."""

    @wraps(view)
    @pages.answers_not_found_and_refused
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ResultsNotReady as error:
            context = {"message": str(error), "breadcrumbs": crumbs()}
            return TemplateResponse(request, "insights/not_ready.jinja", context, status=409)

    return wrapped


def crumbs() -> list[dict]:
    return [
        {"text": "Home", "href": reverse("home:home")},
        {"text": "Results", "href": reverse("insights:index")},
    ]
