"""The API's one exception handler: colead.lib.errors kinds become HTTP answers.

Driven through operations converted to raise them (units, people), and through the
handler itself for the kinds no converted operation raises yet (Conflict, a bare error).
"""

import inspect

import pytest
from django.test import RequestFactory
from pydantic import BaseModel

from colead.accounts.models import ApiToken, RoleAssignment
from colead.api.api import BODY
from colead.api.api import api as colead_api
from colead.lib.errors import ColeadError, Conflict, Invalid
from tests.factories import UserFactory


@pytest.fixture
def api(client, persona_users):
    def get(user, path, **params):
        user = persona_users[user] if isinstance(user, str) else user
        token = ApiToken.generate(user=user, name="test")[1]
        return client.get(f"/api/v1{path}", params, headers={"Authorization": f"Bearer {token}"})

    return get


@pytest.fixture
def w2_manager(trust):
    user = UserFactory(email="w2-manager@test.test")
    RoleAssignment.objects.create(
        user=user, organisation=trust["org"], role="manager", unit=trust["units"]["W2"]
    )
    return user


def test_not_found_is_404_naming_what_was_missing(api):
    response = api("admin", "/organisations/TST1/units/NOPE")
    assert response.status_code == 404
    assert response.json() == {"detail": "No unit 'NOPE' in TST1."}


def test_refused_is_403_saying_why(api, w2_manager):
    response = api(w2_manager, "/organisations/TST1/units/W1")
    assert response.status_code == 403
    assert response.json() == {"detail": "You may not see unit 'W1': your roles cover other units."}


def test_invalid_is_422_with_loc_naming_the_source_and_field(api):
    response = api("admin", "/organisations/TST1/people", unit="NOPE")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"type": "value_error", "loc": ["query", "unit"], "msg": "Unknown unit 'NOPE'."}]
    }


def _answer(error):
    request = RequestFactory().get("/api/v1/anything")
    return colead_api.on_exception(request, error)


def test_conflict_is_409_with_the_message():
    response = _answer(Conflict("Spring survey has already been launched."))
    assert response.status_code == 409
    assert b'"detail": "Spring survey has already been launched."' in response.content


def test_invalid_lists_every_field_in_a_body():
    response = _answer(Invalid({"title": "Enter a title.", "due": "Enter a date."}))
    assert response.status_code == 422
    # As ninja names a field of the body parameter `data` (see the next test).
    assert b'"loc": ["body", "data", "title"]' in response.content
    assert b'"loc": ["body", "data", "due"]' in response.content


def test_every_operations_body_is_named_as_the_handler_names_it():
    """ninja's own 422 for a body field says ["body", <parameter>, field]; the handler says
    ["body", BODY, field], which is the same only while every body is named BODY."""
    bodies = [
        (operation.view_func.__name__, name)
        for _, router in colead_api._routers
        for path_view in router.path_operations.values()
        for operation in path_view.operations
        for name, parameter in inspect.signature(operation.view_func).parameters.items()
        if isinstance(parameter.annotation, type) and issubclass(parameter.annotation, BaseModel)
    ]
    assert len(bodies) >= 8  # create_objective, create_wave, draft_vision...
    assert {name for _, name in bodies} == {BODY}


def test_an_error_of_no_kind_is_a_plain_400():
    response = _answer(ColeadError("Something about the request is wrong."))
    assert response.status_code == 400


def test_a_value_error_is_not_taken_for_a_refusal():
    with pytest.raises(ValueError):
        _answer(ValueError("a bug"))
