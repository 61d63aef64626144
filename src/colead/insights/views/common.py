"""What the results pages share: how a page answers a read that cannot be made, and
breadcrumbs. The reads themselves are ``insights.queries``."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse

from colead.core.errors import NotFound, Refused
from colead.insights.results import ResultsNotReady


def answers_read_errors(view):
    """A page view whose read may fail: NotFound is the site's 404 page, Refused its 403,
    and a wave without results yet (still open, or its scores not stored) a page saying
    so with status 409. Invalid is the view's own business (the form shows it)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(str(error)) from error
        except Refused as error:
            raise PermissionDenied(str(error)) from error
        except ResultsNotReady as error:
            context = {"message": str(error), "breadcrumbs": crumbs()}
            return TemplateResponse(request, "insights/not_ready.jinja", context, status=409)

    return wrapped


def crumbs() -> list[dict]:
    return [
        {"text": "Home", "href": reverse("home:home")},
        {"text": "Results", "href": reverse("insights:index")},
    ]
