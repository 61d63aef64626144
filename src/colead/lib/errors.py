"""What a service raises when it cannot do what was asked.

Four kinds, each turned into the same answer everywhere: the API's exception handler
(colead/api/api.py) and the page helper (colead/core/pages.py) map them to HTTP statuses
and pages, and a command prints the message. Plain Python, in ``lib`` so that the pure
modules (import validation, instrument definitions, the privacy engine) raise the same
family as the services.

``ColeadError`` is deliberately not a ``ValueError``: an ``except ValueError`` written for
a parsing bug must never swallow a refusal, and a refusal must never hide a bug.
"""


class ColeadError(Exception):
    """A request that cannot be carried out, with a message fit to show the person."""


class NotFound(ColeadError):
    """No such thing, or none that the actor may know about (shown as not found)."""


class Refused(ColeadError):
    """The actor may not do this."""


class Conflict(ColeadError):
    """The thing is in the wrong state for this step (already launched, closed, taken)."""


class Invalid(ColeadError):
    """A value is wrong. ``errors`` maps each field to blame to what is wrong with it and
    how to put it right; ``source`` says where the fields came from ("body" or "query")."""

    def __init__(self, errors: dict[str, str], *, source: str = "body"):
        if not errors:
            raise TypeError("Invalid needs at least one field to blame: {field: message}.")
        self.errors = dict(errors)
        self.source = source
        super().__init__(" ".join(f"{field}: {message}" for field, message in self.errors.items()))
