"""The REST API, mounted at ``/api/v1/``.

* ``/api/v1/openapi.json``: the OpenAPI schema.
* ``/api/v1/docs``: interactive docs (Swagger UI), served from django-ninja's own static
  files ("ninja" is in INSTALLED_APPS), so it works offline and under our
  Content-Security-Policy.

Every operation declares its permission with ``@requires`` (see colead/api/access.py).
"""

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from colead.api import organisations, people, units
from colead.api.auth import api_auth
from colead.lib.errors import ColeadError, Conflict, Invalid, NotFound, Refused

DESCRIPTION = """
colead's API for scripts and integrations: the organisations you hold roles in, their
structure (units) and their people, limited to what your roles let you see.

**Authentication.** Scripts send an API token:
`Authorization: Bearer colead_...`. Create one with `colead token create --user EMAIL`
(it is shown once); list them with `colead token list --user EMAIL` and revoke one with
`colead token revoke ID`. In the browser, your signed-in session works too.

**Scope.** Structure and people paths name an organisation by its code; survey waves are
named by id (`/waves/{wave_id}`) and judged by the wave's organisation. An organisation
(or wave) where you hold no role is *not found* (404), whether or not it exists. A unit or
person in your organisation that your roles don't cover is *forbidden* (403).

**Respondents.** Paths under `/take/` are for survey front ends such as ward kiosks: no
sign-in; send the survey token as `X-Survey-Token`. Nothing about the caller is logged
with a submission.

**Errors.** `401` not authenticated, `403` not permitted, `404` not found, `409` a step
out of order (e.g. launching a wave twice), `422` a bad parameter: `detail` lists each
problem with `loc` naming the field, e.g. `["query", "staff_group"]`, or for a field of the
request body `["body", "data", "title"]` (every operation's body is named `data`, so a
value the schema refuses and one colead's rules refuse are named alike).

**Privacy.** Reading people is written to the audit log. Protected characteristics are
never returned. Survey results (`/insights/...`) pass through disclosure control: a figure
that could identify a small group is empty, with `suppressed` saying why; reading them is
audited.
"""

# Swagger UI from django-ninja's own static files ("ninja" is in INSTALLED_APPS), not a
# CDN: it runs under the site's strict Content-Security-Policy unchanged (no inline
# script; its settings travel in a JSON data block read by swagger-ui-init.js).
DOCS = Swagger(settings={"validatorUrl": None})


api = NinjaAPI(
    title="colead API",
    version="1",
    description=DESCRIPTION.strip(),
    urls_namespace="api",
    auth=api_auth,
    docs=DOCS,
)

api.add_router("", organisations.router)
api.add_router("", units.router)
api.add_router("", people.router)
api.add_router("", "colead.api.surveys.router")
api.add_router("", "colead.api.objectives.router")
api.add_router("", "colead.api.insights.router")


# Services raise colead.lib.errors kinds; this is the one place they become HTTP answers,
# so an operation needs no try/except of its own.
STATUS_OF_ERROR = {NotFound: 404, Refused: 403, Conflict: 409}
# Every operation names its request body `data`, so ninja's own 422 for a body field says
# ["body", "data", field]; an Invalid about the body says the same.
BODY = "data"


@api.exception_handler(ColeadError)
def service_error(request, error: ColeadError):
    """NotFound 404, Refused 403, Conflict 409 (``detail`` the message); Invalid 422 with
    ``detail`` listing each field as ninja does for a bad parameter. A bare ColeadError
    (no kind) is a 400."""
    if isinstance(error, Invalid):
        detail = [
            {"type": "value_error", "loc": _loc(error.source, field), "msg": message}
            for field, message in error.errors.items()
        ]
        return api.create_response(request, {"detail": detail}, status=422)
    status = next((code for kind, code in STATUS_OF_ERROR.items() if isinstance(error, kind)), 400)
    return api.create_response(request, {"detail": str(error)}, status=status)


def _loc(source: str, field: str) -> list[str]:
    return ["body", BODY, field] if source == "body" else [source, field]
