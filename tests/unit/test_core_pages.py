"""How a page view answers a service's ColeadError (colead.core.pages)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from colead.core import pages
from colead.lib.errors import Conflict, Invalid, NotFound, Refused

IDS = {"title": "title", "owner": "owner", "due": "due-day"}


def test_not_found_and_refused_become_the_404_and_403_pages():
    with pytest.raises(Http404, match="No such wave"):
        pages.form_errors(NotFound("No such wave."), fallback="title")
    with pytest.raises(PermissionDenied, match="managers only"):
        pages.form_errors(Refused("Launching is for managers only."), fallback="title")


def test_invalid_puts_each_message_on_its_field():
    error = Invalid({"due": "Enter a date.", "title": "Enter a title."})
    assert pages.form_errors(error, fallback="title") == {
        "due": "Enter a date.",
        "title": "Enter a title.",
    }


def test_a_field_the_page_does_not_show_moves_onto_the_fallback():
    error = Invalid({"title": "Too long.", "code": "Taken."})
    errors = pages.form_errors(error, fallback="title", shown={"title", "due"})
    assert errors == {"title": "Too long. Taken."}


def test_a_conflict_is_shown_on_the_fallback_field():
    errors = pages.form_errors(Conflict("Already launched."), fallback="owner")
    assert errors == {"owner": "Already launched."}


def test_the_summary_follows_the_page_order_and_links_to_each_field():
    context = pages.error_context({"due": "Enter a date.", "title": "Enter a title."}, IDS)
    assert context["error_list"] == [
        {"text": "Enter a title.", "href": "#title"},
        {"text": "Enter a date.", "href": "#due-day"},
    ]
    assert context["page_has_errors"] is True
    assert pages.error_context({}, IDS) == {
        "errors": {},
        "error_list": [],
        "page_has_errors": False,
    }


def test_an_error_on_a_field_without_an_id_links_to_the_first_field():
    assert pages.error_summary({"other": "Try again."}, IDS) == [
        {"text": "Try again.", "href": "#title"}
    ]


def test_a_read_view_answers_not_found_and_refused_with_the_site_pages():
    @pages.answers_not_found_and_refused
    def view(request, kind):
        if kind == "missing":
            raise NotFound("There is no unit 'NOPE'.")
        if kind == "hidden":
            raise Refused("That unit is outside your roles.")
        if kind == "conflict":
            raise Conflict("Already launched.")
        return "page"

    assert view(None, "fine") == "page"
    assert view.__name__ == "view"
    with pytest.raises(Http404, match="NOPE"):
        view(None, "missing")
    with pytest.raises(PermissionDenied, match="outside your roles"):
        view(None, "hidden")
    # A conflict is the form's business, not the site's error page.
    with pytest.raises(Conflict):
        view(None, "conflict")
