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
from colead.core.actor import Actor
from colead.surveys import services, tokens
from colead.surveys.models import Invitation
from tests.integration.direction_fixtures import golden_thread
from tests.integration.insights_fixtures import closed_wave
from tests.integration.waves_fixtures import make_wave, staff_surgery
from tests.unit.test_api_declarations import api_operations

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
    "wave_id": st.sampled_from(["draft", "open", "open", "surg", "closed", None]),
    "slug": st.sampled_from(["device", "device", None]),
    "objective_code": st.sampled_from(["S1-A", "W1-A", "ORG1", "W2-A", "T1-X", None]),
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


@pytest.fixture
def surveys(trust):
    """Real wave ids, a device link's slug and survey tokens, for the survey operations.
    The respondents' wave is not among the wave ids, so it stays open whatever the staff
    operations (launch, close) do to the others."""
    draft = make_wave(trust, title="Draft")
    opened = make_wave(trust, title="Open", launch=True)
    staff_surgery(trust)
    surg = make_wave(trust, units=("SURG",), title="Surgery", launch=True)
    kiosk = make_wave(trust, title="Respondents", launch=True)
    closed = closed_wave(trust, {"W1": 14, "W2": 3, "T1": 12}, title="Closed")
    link = services.device_link_for(
        wave=kiosk, unit=trust["units"]["W1"], actor=Actor.system("tests")
    )
    invitation_tokens = [
        tokens.invitation_token(i.pk, i.nonce) for i in Invitation.objects.filter(wave=kiosk)
    ]
    device_token, _ = services.start_on_device(link=link)
    return {
        "wave_id": {"draft": draft.pk, "open": opened.pk, "surg": surg.pk, "closed": closed.pk},
        "slug": {"device": link.slug},
        "survey_tokens": [*invitation_tokens[:3], device_token, "d" + "x" * 30, "garbled!"],
    }


@pytest.fixture
def objectives(trust):
    return golden_thread(trust)


def test_every_operation_conforms_to_the_schema(schema, persona_users, surveys, objectives):
    api_tokens = {
        persona: ApiToken.generate(user=persona_users[persona])[1]
        for persona in ("admin", "manager", "staff")
    }
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == sum(len(o.methods) for _, o in api_operations())
    statuses = set()

    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(
            case=operation.as_strategy(), persona=st.sampled_from(list(api_tokens)), data=st.data()
        )
        def check(case, persona, data):
            for name in case.path_parameters or {}:
                real = data.draw(REAL[name])
                if real is not None:
                    case.path_parameters[name] = surveys.get(name, {}).get(real, real)
            headers = {"Authorization": f"Bearer {api_tokens[persona]}"}
            if "/take/" in case.operation.path:
                headers = {"X-Survey-Token": data.draw(st.sampled_from(surveys["survey_tokens"]))}
            response = case.call(headers=headers)
            statuses.add(response.status_code)
            case.validate_response(response, checks=CHECKS)

        check()

    # The run reached real data, refusals and bad input, not just 404s.
    # (201: a wave created or a survey response stored; 409: a token used twice, a wave
    # launched or closed twice.)
    assert {200, 201, 403, 404, 409, 422} <= statuses, statuses
