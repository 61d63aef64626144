"""Property-based checks of the whole API against its own OpenAPI schema (schemathesis).

Schemathesis generates requests for every operation from /api/v1/openapi.json (valid and
odd parameter values alike), sends them through Django's real WSGI stack with an API
token, and checks that no response is a 5xx, and that every status code, content type
and body is one the schema documents.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from colead.accounts.models import ApiToken

# (Not ignored_auth: it cannot tell our token from one it generated; test_api_auth.py
# checks that every endpoint refuses missing, wrong and revoked tokens.)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 12

# Real codes most of the time, so requests get past the 404s into the interesting code;
# None keeps whatever schemathesis generated.
REAL = {
    "org_code": st.sampled_from(["TST1", "TST1", "OTH1", None]),
    "unit_code": st.sampled_from(["W1", "CARD", "TST1-ROOT", "OTH-ROOT", None]),
    "employee_number": st.sampled_from(["S1", "M1", "T1-0", "X1", None]),
}


class TestWSGIApp:
    """Django's WSGI app, minus the per-request connection closing that would end the
    test's transaction (Django's own test client does the same)."""

    __test__ = False

    def __init__(self):
        self.handler = WSGIHandler()

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            try:
                body = b"".join(response)
            finally:
                response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return [body]


@pytest.fixture
def schema(persona_users):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", TestWSGIApp())


def test_every_operation_conforms_to_the_schema(schema, persona_users):
    tokens = {
        persona: ApiToken.generate(user=persona_users[persona])[1]
        for persona in ("admin", "manager", "staff")
    }
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 9
    statuses = set()

    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(), persona=st.sampled_from(list(tokens)), data=st.data())
        def check(case, persona, data):
            for name in case.path_parameters or {}:
                real = data.draw(REAL[name])
                if real is not None:
                    case.path_parameters[name] = real
            response = case.call(headers={"Authorization": f"Bearer {tokens[persona]}"})
            statuses.add(response.status_code)
            case.validate_response(response, checks=CHECKS)

        check()

    # The run reached real data, refusals and bad input, not just 404s.
    assert {200, 403, 404, 422} <= statuses, statuses
