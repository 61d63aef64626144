"""The error kinds services raise."""

import pytest

from colead.lib.errors import ColeadError, Conflict, Invalid, NotFound, Refused


@pytest.mark.parametrize("kind", [NotFound, Refused, Conflict])
def test_a_refusal_is_not_a_value_error(kind):
    error = kind("Only an open wave can be closed.")
    assert isinstance(error, ColeadError)
    assert not isinstance(error, ValueError)
    assert str(error) == "Only an open wave can be closed."


def test_invalid_names_each_field_and_the_fix():
    error = Invalid({"title": "Enter a title", "due": "Enter a date like 31/3/2027"})
    assert error.errors == {"title": "Enter a title", "due": "Enter a date like 31/3/2027"}
    assert error.source == "body"
    assert str(error) == "title: Enter a title due: Enter a date like 31/3/2027"
    assert not isinstance(error, ValueError)


def test_invalid_without_a_field_is_a_mistake():
    with pytest.raises(TypeError, match="at least one field"):
        Invalid({})
