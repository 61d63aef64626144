"""Every wave page for every persona: OD leads and admins manage waves; the board, the change
team and managers see the list and response rates only (managers for their own subtree);
staff and safety reviewers see neither; another organisation's admin gets 404 for our waves."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from colead.core.actor import Actor
from colead.surveys import services
from colead.surveys.models import Wave, WaveStatus
from tests.factories import PersonFactory, WaveFactory
from tests.integration.waves_fixtures import make_wave

SYSTEM = Actor.system("tests")

pytestmark = pytest.mark.django_db

PERSONAS = ["admin", "board", "od", "change", "manager", "staff", "safety", "outsider", "anonymous"]
LOGIN = "login"
BACK = "back to the wave"  # 302 to the wave's own page


def expect(admin, board, od, change, manager, staff, safety, outsider, anonymous=LOGIN):
    return dict(
        zip(
            PERSONAS,
            [admin, board, od, change, manager, staff, safety, outsider, anonymous],
            strict=True,
        )
    )


MANAGE = expect(200, 403, 200, 403, 403, 403, 403, 404)
MANAGE_POST = expect(BACK, 403, BACK, 403, 403, 403, 403, 404)
RATES = expect(200, 200, 200, 200, 200, 403, 403, 404)

# (url name, wave, extra path args, query, method, expected per persona)
MATRIX = [
    ("surveys:wave_list", None, [], "", "get", expect(200, 200, 200, 200, 200, 403, 403, 200)),
    ("surveys:wave_new", None, [], "", "get", expect(200, 403, 200, 403, 403, 403, 403, 200)),
    ("surveys:wave", "open", [], "", "get", MANAGE),
    ("surveys:wave", "draft", [], "", "get", MANAGE),
    ("surveys:wave", "closed", [], "", "get", MANAGE),
    ("surveys:preview", "draft", [], "", "get", MANAGE),
    ("surveys:preview", "open", [], "", "get", MANAGE),
    ("surveys:launch", "draft", [], "", "get", MANAGE),
    ("surveys:sending", "open", [], "", "get", MANAGE),
    ("surveys:extend", "open", [], "", "get", MANAGE),
    ("surveys:close", "open", [], "", "get", MANAGE),
    ("surveys:device_poster", "open", ["slug"], "", "get", MANAGE),
    ("surveys:rates", "open", [], "", "get", RATES),
    ("surveys:rates", "closed", [], "", "get", RATES),
    ("surveys:rates", "open", [], "?unit=W1", "get", RATES),
    (
        "surveys:rates",
        "open",
        [],
        "?unit=CARD",
        "get",
        expect(200, 200, 200, 200, 403, 403, 403, 404),
    ),
    (
        "surveys:rates",
        "open",
        [],
        "?unit=MED",
        "get",
        expect(200, 200, 200, 200, 403, 403, 403, 404),
    ),
    (
        "surveys:rates",
        "open",
        [],
        "?unit=SURG",
        "get",
        expect(200, 200, 200, 200, 403, 403, 403, 404),
    ),
    (
        "surveys:rates",
        "open",
        [],
        "?unit=OTH-ROOT",
        "get",
        expect(404, 404, 404, 404, 404, 403, 403, 404),
    ),
    ("surveys:reminders", "open", [], "", "post", MANAGE_POST),
    ("surveys:device_link", "open", [], "", "post", MANAGE_POST),
]


@pytest.fixture
def waves(trust):
    draft = make_wave(trust, title="Draft wave")
    opened = make_wave(trust, units=["TST1-ROOT"], threshold=5, title="Open wave", launch=True)
    closed = make_wave(trust, title="Closed wave", launch=True)
    services.close_wave(wave=closed, actor=SYSTEM)
    link = services.device_link_for(wave=opened, unit=trust["units"]["W1"], actor=SYSTEM)
    return {"draft": draft, "open": opened, "closed": closed, "slug": link.slug}


def outcome(response, waves):
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("accounts:login")):
            return LOGIN
        if any(location.startswith(f"/surveys/{w.pk}/") for w in Wave.objects.all()):
            return BACK
        return f"302 to {location}"
    return response.status_code


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_wave_page_for_every_persona(persona, persona_users, waves):
    client = Client()
    if persona != "anonymous":
        client.force_login(persona_users[persona])
    mismatches = []
    for name, wave_key, extra, query, method, expected in MATRIX:
        args = [waves[wave_key].pk] if wave_key else []
        args += [waves[arg] for arg in extra]
        url = reverse(name, args=args) + query
        got = outcome(getattr(client, method)(url), waves)
        if got != expected[persona]:
            mismatches.append(f"{method.upper()} {url}: expected {expected[persona]}, got {got}")
    assert mismatches == []


@pytest.mark.parametrize("persona", ["board", "change", "manager", "staff", "safety", "outsider"])
def test_only_survey_managers_can_change_a_wave(persona, client_for, waves):
    client = client_for(persona)
    for action in ["launch", "extend", "close", "reminders", "device_link"]:
        wave = waves["draft"] if action == "launch" else waves["open"]
        before = (wave.status, wave.closes_on, wave.device_links.count())
        response = client.post(
            reverse(f"surveys:{action}", args=[wave.pk]),
            {"closes[day]": "1", "closes[month]": "1", "closes[year]": "2099", "unit": "W2"},
        )
        assert response.status_code == (404 if persona == "outsider" else 403), action
        wave.refresh_from_db()
        assert (wave.status, wave.closes_on, wave.device_links.count()) == before


def test_an_unknown_wave_is_not_found(client_for):
    for name in ["surveys:wave", "surveys:preview", "surveys:rates", "surveys:launch"]:
        assert client_for("od").get(reverse(name, args=[999999])).status_code == 404


def test_a_wave_of_another_organisation_is_not_found(client_for, trust):
    # The other trust has 1 person; a wave needs at least 5 invited to launch.
    for number in range(2, 6):
        PersonFactory(
            organisation=trust["other"],
            primary_unit=trust["units"]["OTH-ROOT"],
            employee_number=f"X{number}",
        )
    theirs = WaveFactory(
        organisation=trust["other"],
        title="Theirs",
        instruments=["culture-pulse"],
        units=["OTH-ROOT"],
    )
    for name in ["surveys:wave", "surveys:preview", "surveys:rates", "surveys:close"]:
        assert client_for("admin").get(reverse(name, args=[theirs.pk])).status_code == 404
    assert client_for("admin").post(reverse("surveys:close", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == WaveStatus.OPEN


def test_posts_need_the_csrf_token(persona_users, waves):
    client = Client(enforce_csrf_checks=True)
    client.force_login(persona_users["od"])
    response = client.post(reverse("surveys:launch", args=[waves["draft"].pk]))
    assert response.status_code == 403
    waves["draft"].refresh_from_db()
    assert waves["draft"].is_draft


def named_routes(patterns, namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from named_routes(entry.url_patterns, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and entry.name and namespace:
            yield f"{namespace}:{entry.name}"


def test_the_matrix_covers_every_wave_page_and_each_declares_its_permission(waves):
    routes = {r for r in named_routes(get_resolver().url_patterns) if r.startswith("surveys:")}
    assert routes - {name for name, *_ in MATRIX} == set()
    undeclared = []
    for route in routes:
        args = [waves["open"].pk, waves["slug"]] if route == "surveys:device_poster" else []
        if not args and route not in ("surveys:wave_list", "surveys:wave_new"):
            args = [waves["open"].pk]
        if not getattr(resolve(reverse(route, args=args)).func, "required_permission", None):
            undeclared.append(route)
    assert undeclared == []
