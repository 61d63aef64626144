"""Every page URL for every persona: allowed (200), forbidden (403), not found (404: another
organisation's or a forged code), or sent to sign in.

The manager persona manages Ward 1 only, but also holds the staff role (organisation-wide
ORG_VIEW). The outsider is an admin of OTH1 only, so every TST1 code is a 404 for them.
A new page in these namespaces must be added here (see the completeness test)."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from colead.org.models import PendingUpload

PERSONAS = ["admin", "board", "od", "change", "manager", "staff", "safety", "outsider", "anonymous"]
COVERED_NAMESPACES = {"core", "accounts", "org", "audit", "insights", "direction"}

LOGIN = "login"  # 302 to the sign-in page
ADMIN_LOGIN = "admin login"  # 302 to the admin's sign-in page
HOME = "home"  # 302 to the home page


def expect(admin, board, od, change, manager, staff, safety, outsider, anonymous=LOGIN):
    return dict(
        zip(
            PERSONAS,
            [admin, board, od, change, manager, staff, safety, outsider, anonymous],
            strict=True,
        )
    )


EVERYONE = expect(200, 200, 200, 200, 200, 200, 200, 200)
PUBLIC = expect(200, 200, 200, 200, 200, 200, 200, 200, 200)
TST1_UNIT = expect(200, 200, 200, 200, 200, 200, 200, 404)
NOT_FOUND = expect(404, 404, 404, 404, 404, 404, 404, 404)
ADMINS_ONLY = expect(200, 403, 403, 403, 403, 403, 403, 200)
HELD_UPLOAD = expect(404, 403, 403, 403, 403, 403, 403, 404)  # another user's upload
OWN_UPLOAD = expect(200, 403, 403, 403, 403, 403, 403, 404)  # the admin's own, being checked
RESULTS = expect(200, 200, 200, 403, 200, 403, 403, 404)  # a closed wave of TST1
RESULTS_NOT_MANAGER = expect(200, 200, 200, 403, 403, 403, 403, 404)  # outside Ward 1
RESULTS_NO_UNIT = expect(404, 404, 404, 403, 404, 404, 403, 404)  # no such unit in TST1
# The pages every member of staff sees for the organisation and their own units (Ward 1 and
# the units above it); downloads and the analysis pages stay RESULTS.
PUBLISHED = expect(200, 200, 200, 403, 200, 200, 403, 404)
COVERAGE = expect(200, 200, 200, 403, 403, 403, 403, 200)  # organisation-wide objectives

# (url name, args, method, expected outcome per persona)
MATRIX = [
    ("home:home", [], "get", EVERYONE),
    ("home:to_do", [], "get", EVERYONE),
    ("home:healthz", [], "get", expect(200, 200, 200, 200, 200, 200, 200, 200, 200)),
    ("home:accessibility", [], "get", expect(200, 200, 200, 200, 200, 200, 200, 200, 200)),
    ("home:privacy", [], "get", expect(200, 200, 200, 200, 200, 200, 200, 200, 200)),
    ("home:choose_organisation", [], "get", EVERYONE),
    ("accounts:login", [], "get", expect(HOME, HOME, HOME, HOME, HOME, HOME, HOME, HOME, 200)),
    ("accounts:logout", [], "get", EVERYONE),
    ("accounts:profile", [], "get", EVERYONE),
    # Choosing a password by email: public pages (a forged link shows "expired").
    ("accounts:password_reset", [], "get", PUBLIC),
    ("accounts:password_reset_done", [], "get", PUBLIC),
    ("accounts:password_reset_confirm", ["MTIz", "abc-def"], "get", PUBLIC),
    ("accounts:password_reset_complete", [], "get", PUBLIC),
    ("org:tree", [], "get", EVERYONE),
    ("org:unit", ["TST1-ROOT"], "get", TST1_UNIT),
    ("org:unit", ["MED"], "get", TST1_UNIT),
    ("org:unit", ["W1"], "get", TST1_UNIT),
    ("org:unit", ["W2"], "get", TST1_UNIT),
    ("org:unit", ["OTH-ROOT"], "get", expect(404, 404, 404, 404, 404, 404, 404, 200)),
    ("org:unit", ["NO-SUCH-UNIT"], "get", NOT_FOUND),
    ("org:person", ["S1"], "get", expect(200, 200, 200, 403, 200, 200, 403, 404)),
    ("org:person", ["M1"], "get", expect(200, 200, 200, 403, 200, 403, 403, 404)),
    ("org:person", ["T1-0"], "get", expect(200, 200, 200, 403, 403, 403, 403, 404)),
    ("org:person", ["X1"], "get", expect(404, 404, 404, 404, 404, 404, 404, 200)),
    ("org:person", ["NO-SUCH-PERSON"], "get", NOT_FOUND),
    ("audit:list", [], "get", ADMINS_ONLY),
    ("audit:export", [], "get", ADMINS_ONLY),
    ("admin:index", [], "get", expect(200, *[ADMIN_LOGIN] * 6, 200, ADMIN_LOGIN)),
    ("org:import_index", [], "get", ADMINS_ONLY),
    # A large file's background check: only its uploader, with WORKFORCE_IMPORT org-wide.
    ("org:import_check", ["checking"], "get", OWN_UPLOAD),
    ("org:import_check", ["held"], "get", HELD_UPLOAD),
    ("org:import_preview", ["held"], "get", HELD_UPLOAD),
    ("org:import_confirm", ["held"], "post", HELD_UPLOAD),
    ("org:import_cancel", ["held"], "post", HELD_UPLOAD),
    # Results: board, OD leads, admins and managers (their subtree: Ward 1 is in the wave);
    # every member of staff for the organisation and their own units.
    ("insights:index", [], "get", expect(200, 200, 200, 403, 200, 200, 403, 200)),
    ("insights:heatmap", ["wave"], "get", PUBLISHED),
    ("insights:heatmap_export", ["wave"], "get", RESULTS),
    # Drivers: RESULTS_VIEW (a manager below division level gets an explanation, no figures);
    # reliability: RESULTS_ANALYSE over the whole organisation (OD leads and admins).
    ("insights:drivers", ["wave"], "get", RESULTS),
    ("insights:reliability", ["wave"], "get", expect(200, 403, 200, 403, 403, 403, 403, 404)),
    # A unit's page: managers inside their subtree, and staff (managers too) their own
    # units and those above; unknown or another organisation's codes are 404s.
    ("insights:unit", ["wave", "W1"], "get", PUBLISHED),
    ("insights:unit", ["wave", "T1"], "get", RESULTS_NOT_MANAGER),
    ("insights:unit", ["wave", "CARD"], "get", PUBLISHED),
    ("insights:unit", ["wave", "OTH-ROOT"], "get", RESULTS_NO_UNIT),
    ("insights:unit", ["wave", "NO-SUCH-UNIT"], "get", RESULTS_NO_UNIT),
    # Objectives (tests/integration/direction_fixtures.py): the thread above one's own
    # team is open to its staff; the rest needs OBJECTIVES_VIEW over the unit.
    ("direction:thread", [], "get", EVERYONE),
    ("direction:mine", [], "get", EVERYONE),
    # Coverage: OBJECTIVES_VIEW over the whole organisation (the outsider sees OTH1's).
    ("direction:coverage", [], "get", COVERAGE),
    ("direction:coverage_list", ["orphans"], "get", COVERAGE),
    ("direction:coverage_list", ["no-such-list"], "get", expect(404, 404, 404, *[403] * 4, 404)),
    # The objectives download: the same people as coverage (a CSV of OTH1's for the outsider).
    ("direction:export", [], "get", COVERAGE),
    ("direction:unit", ["W1"], "get", expect(200, 200, 200, 403, 200, 200, 403, 404)),
    ("direction:unit", ["CARD"], "get", expect(200, 200, 200, 403, 200, 200, 403, 404)),
    ("direction:unit", ["T1"], "get", expect(200, 200, 200, 403, 403, 403, 403, 404)),
    ("direction:unit", ["OTH-ROOT"], "get", expect(404, 404, 404, 404, 404, 404, 404, 200)),
    ("direction:unit", ["NO-SUCH-UNIT"], "get", NOT_FOUND),
    ("direction:objective", ["S1-A"], "get", expect(200, 200, 200, 403, 200, 200, 403, 404)),
    ("direction:objective", ["W2-A"], "get", expect(200, 200, 200, 403, 403, 403, 403, 404)),
    ("direction:objective", ["NO-SUCH-OBJECTIVE"], "get", NOT_FOUND),
    ("direction:branch", ["S1-A"], "get", expect(200, 200, 200, 403, 200, 200, 403, 404)),
    ("direction:branch", ["W2-A"], "get", expect(200, 200, 200, 403, 403, 403, 403, 404)),
    ("direction:branch", ["NO-SUCH-OBJECTIVE"], "get", NOT_FOUND),
    # An empty form: the page again with its errors (200) for those who may see it.
    ("direction:act", ["S1-A"], "post", expect(200, 200, 200, 403, 200, 200, 403, 404)),
    ("direction:check_in", ["W2-A"], "post", expect(200, 200, 200, 403, 403, 403, 403, 404)),
    ("direction:act", ["NO-SUCH-OBJECTIVE"], "post", NOT_FOUND),
    # The forms (edit_views): a new objective is one's own without ?unit= (a staff record
    # needed; the ?unit= forms are in test_direction_forms.py); editing is for managers of
    # the unit, OD leads, admins and an individual objective's owner; the vision is drafted
    # by the board and OD leads, approved by the board. An empty POST: the form's errors.
    ("direction:objective_new", [], "get", expect(403, 403, 403, 403, 200, 200, 403, 403)),
    ("direction:objective_edit", ["S1-A"], "get", expect(200, 403, 200, 403, 200, 200, 403, 404)),
    ("direction:objective_edit", ["W2-A"], "get", expect(200, 403, 200, 403, 403, 403, 403, 404)),
    ("direction:objective_edit", ["NO-SUCH-OBJECTIVE"], "get", NOT_FOUND),
    (
        "direction:objective_status",
        ["S1-A"],
        "post",
        expect(200, 403, 200, 403, 200, 200, 403, 404),
    ),
    ("direction:vision", [], "get", EVERYONE),
    ("direction:vision_edit", [], "get", expect(200, 200, 200, 403, 403, 403, 403, 200)),
    ("direction:vision_approve", [], "post", expect(200, 200, 403, 403, 403, 403, 403, 200)),
    # The quality rules: OBJECTIVES_MANAGE over the whole organisation (OD leads, admins);
    # the board reads them on the coverage dashboard but does not set them.
    ("direction:settings", [], "get", expect(200, 403, 200, 403, 403, 403, 403, 200)),
]


def outcome(response):
    if response.streaming:
        b"".join(response.streaming_content)
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("accounts:login")):
            return LOGIN
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        if location == reverse("home:home"):
            return HOME
        return f"302 to {location}"
    return response.status_code


@pytest.fixture
def held_upload(trust, persona_users):
    """A file held for preview in TST1, uploaded by someone other than the admin persona."""
    return PendingUpload.objects.create(
        organisation=trust["org"],
        kind="units",
        filename="units.csv",
        content=b"code,name\n",
        uploaded_by=persona_users["od"],
    )


@pytest.fixture
def checking_upload(trust, persona_users):
    """A large file of the admin persona's, still being checked in the background."""
    return PendingUpload.objects.create(
        organisation=trust["org"],
        kind="units",
        filename="big-units.csv",
        content=b"code,name\n",
        uploaded_by=persona_users["admin"],
        state=PendingUpload.State.CHECKING,
        rows_expected=200_000,
        rows_read=50_000,
    )


@pytest.fixture
def results_wave(trust):
    """A closed wave of the whole of TST1 with scored responses."""
    from tests.integration.insights_fixtures import closed_wave

    return closed_wave(trust, {"W1": 12, "T1": 12})


@pytest.fixture
def objectives(trust):
    """The golden thread of tests/integration/direction_fixtures.py."""
    from tests.integration.direction_fixtures import golden_thread

    return golden_thread(trust)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_url_for_every_persona(
    persona, persona_users, held_upload, checking_upload, results_wave, objectives
):
    client = Client()
    if persona != "anonymous":
        client.force_login(persona_users[persona])
    mismatches = []
    real = {"held": held_upload.pk, "checking": checking_upload.pk, "wave": results_wave.pk}
    for name, args, method, expected in MATRIX:
        url = reverse(name, args=[real.get(arg, arg) for arg in args])
        got = outcome(getattr(client, method)(url))
        if got != expected[persona]:
            mismatches.append(f"{method.upper()} {url}: expected {expected[persona]}, got {got}")
    assert mismatches == []


def named_routes(patterns, namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            yield from named_routes(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name and namespace:
            yield f"{namespace}:{entry.name}"


def test_the_matrix_covers_every_page_of_the_covered_namespaces():
    routes = {
        route
        for route in named_routes(get_resolver().url_patterns)
        if route.split(":")[0] in COVERED_NAMESPACES
    }
    assert routes, "no routes found"
    missing = routes - {name for name, *_ in MATRIX}
    assert missing == set(), f"add these URLs to MATRIX: {sorted(missing)}"


def test_every_view_declares_its_permission_unless_public_or_sign_in_only():
    """Deny by default: each view in the matrix that needs more than a sign-in says which
    permission it needs (``require_permission`` sets ``required_permission``)."""
    sign_in_only = {
        "home:home",
        "home:to_do",
        "home:choose_organisation",
        "accounts:profile",
        "accounts:logout",
        "accounts:login",
    }
    public = {
        "home:healthz",
        "home:accessibility",
        "home:privacy",
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_confirm",
        "accounts:password_reset_complete",
    }
    undeclared = []
    for name, args, *_ in MATRIX:
        if name in sign_in_only | public or name.startswith("admin:"):
            continue
        url = reverse(
            name, args=[1 if arg in ("held", "checking", "wave") else arg for arg in args]
        )
        if not getattr(resolve(url).func, "required_permission", None):
            undeclared.append(name)
    assert undeclared == []
