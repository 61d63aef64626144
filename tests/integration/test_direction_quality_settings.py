"""The organisation's quality rules for objectives (/direction/settings/ and
queries.quality_settings, services.save_quality_settings): the defaults without a row, what the
pages, the command line and the API judge by once they change, the form's errors, who may
change them, CSRF and the audit event. (The page's row per persona is also in
test_url_access_matrix.py.)"""

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from colead.accounts.models import ApiToken
from colead.audit.models import AuditEvent
from colead.direction import queries, services
from colead.direction.models import QualityPolicy
from colead.direction.quality import DEFAULT_SETTINGS, QualitySettings
from colead.lib.errors import ColeadError, Refused
from tests.integration.direction_fixtures import SYSTEM, as_user, golden_thread, make

URL = "/direction/settings/"


@pytest.fixture
def thread(trust):
    return golden_thread(trust)


@pytest.fixture
def crowded(trust, thread):
    """Ward 1 with six active objectives of its own (W1-A and five more)."""
    for n in range(5):
        make(trust, f"W1-M{n}", "W1", parents=["CARD1"], status="active")


def save(trust, actor=SYSTEM, **changes):
    values = {"challenge_margin": 0.05, "thicket_limit": 5, "stale_days": 60, **changes}
    actor = actor if actor is SYSTEM else as_user(actor)
    return services.save_quality_settings(organisation=trust["org"], actor=actor, **values)


# -- The service ---------------------------------------------------------------------------------


def test_the_defaults_apply_until_the_organisation_saves_its_own(trust, persona_users):
    assert queries.quality_settings(trust["org"]) == DEFAULT_SETTINGS
    saved = save(trust, persona_users["od"], challenge_margin=0.1, thicket_limit=7, stale_days=30)
    assert saved == QualitySettings(challenge_margin=0.1, thicket_limit=7, stale_days=30)
    assert queries.quality_settings(trust["org"]) == saved
    assert queries.quality_settings(trust["other"]) == DEFAULT_SETTINGS
    policy = QualityPolicy.objects.get(organisation=trust["org"])
    assert policy.updated_by == persona_users["od"]
    # Saving again changes the one row.
    save(trust, persona_users["admin"], thicket_limit=8)
    assert QualityPolicy.objects.filter(organisation=trust["org"]).count() == 1
    assert queries.quality_settings(trust["org"]).thicket_limit == 8


def test_reading_the_rules_takes_one_query(trust, django_assert_num_queries):
    with django_assert_num_queries(1):
        queries.quality_settings(trust["org"])
    save(trust, thicket_limit=9)
    with django_assert_num_queries(1):
        assert queries.quality_settings(trust["org"]).thicket_limit == 9


def test_saving_is_audited_with_before_and_after(trust, persona_users):
    save(trust, persona_users["od"], stale_days=90)
    event = AuditEvent.objects.get(action="objectives.quality_settings")
    assert event.actor == persona_users["od"]
    assert event.organisation == trust["org"]
    assert event.detail["before"] == {
        "challenge_margin": 0.05,
        "thicket_limit": 5,
        "stale_days": 60,
    }
    assert event.detail["after"] == {"challenge_margin": 0.05, "thicket_limit": 5, "stale_days": 90}


@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"challenge_margin": -0.01}, "challenge_margin", "between 0% and 100%"),
        ({"challenge_margin": 1.5}, "challenge_margin", "between 0% and 100%"),
        ({"challenge_margin": float("nan")}, "challenge_margin", "between 0% and 100%"),
        ({"thicket_limit": 0}, "thicket_limit", "from 1 to 50"),
        ({"thicket_limit": 51}, "thicket_limit", "from 1 to 50"),
        ({"thicket_limit": 5.5}, "thicket_limit", "whole number"),
        ({"stale_days": 6}, "stale_days", "from 7 to 365"),
        ({"stale_days": 366}, "stale_days", "from 7 to 365"),
        ({"stale_days": "soon"}, "stale_days", "from 7 to 365"),
    ],
)
def test_out_of_range_values_are_refused_by_field(trust, changes, field, words):
    with pytest.raises(ColeadError) as raised:
        save(trust, **changes)
    assert set(raised.value.errors) == {field}
    assert words in raised.value.errors[field]
    assert not QualityPolicy.objects.exists()
    assert not AuditEvent.objects.filter(action="objectives.quality_settings").exists()


def test_every_bad_field_is_named_at_once(trust):
    with pytest.raises(ColeadError) as raised:
        save(trust, challenge_margin=2, thicket_limit=0, stale_days=1)
    assert set(raised.value.errors) == {"challenge_margin", "thicket_limit", "stale_days"}


def test_the_edges_of_the_ranges_are_allowed(trust):
    assert save(trust, challenge_margin=0, thicket_limit=1, stale_days=7).stale_days == 7
    assert save(trust, challenge_margin=1, thicket_limit=50, stale_days=365).thicket_limit == 50


@pytest.mark.parametrize("persona", ["board", "manager", "staff", "change", "outsider"])
def test_only_od_leads_and_admins_may_change_the_rules(trust, persona_users, persona):
    with pytest.raises(Refused):
        save(trust, persona_users[persona], thicket_limit=9)
    assert not QualityPolicy.objects.exists()


# -- What the product judges by ------------------------------------------------------------------


def test_the_thicket_limit_decides_the_coverage_dashboard_and_the_unit_page(
    client_for, trust, crowded
):
    client = client_for("board")
    dashboard = client.get("/direction/coverage/")
    assert dashboard.context_data["figures"]["thickets"] == 1
    assert "more than 5 active objectives" in dashboard.content.decode()
    unit = client.get("/direction/units/W1/")
    assert unit.context_data["summary"].is_thicket
    assert "Too many priorities" in unit.content.decode()

    save(trust, thicket_limit=6)
    dashboard = client.get("/direction/coverage/")
    assert dashboard.context_data["figures"]["thickets"] == 0
    assert dashboard.context_data["settings"].thicket_limit == 6
    assert "more than 6 active objectives" in dashboard.content.decode()
    unit = client.get("/direction/units/W1/")
    assert not unit.context_data["summary"].is_thicket
    assert "Too many priorities" not in unit.content.decode()


def test_the_margin_decides_whether_a_target_is_challenging(client_for, trust, thread):
    # 5% beyond the baseline: challenging at the default margin, not at 10%.
    make(trust, "NEAR", "W2", parents=["CARD1"], status="active", baseline=100.0, target=95.0)
    client = client_for("board")
    assert "Not challenging" not in client.get("/direction/objectives/NEAR/").content.decode()
    save(trust, challenge_margin=0.10)
    page = client.get("/direction/objectives/NEAR/").content.decode()
    assert "Not challenging" in page
    assert "at least 10% beyond it" in page


def test_the_threads_marker_counts_follow_a_change_of_rules(client_for, trust, thread):
    client = client_for("board")

    def not_challenging():
        counts = {
            m["text"]: m["count"] for m in client.get("/direction/").context_data["marker_counts"]
        }
        return counts.get("Not challenging", 0)

    assert not_challenging() == 0  # every target halves its baseline
    # The thread is kept in memory while the objectives stand still: the rules are part of
    # what it is kept under, so it is worked out again.
    save(trust, challenge_margin=0.6)
    assert not_challenging() == 8
    save(trust, challenge_margin=0.05)
    assert not_challenging() == 0


def test_the_stale_days_decide_the_snapshot(trust, thread):
    services.check_in(
        objective=thread["W1-A"], on=services.timezone.localdate(), value=9, actor=SYSTEM
    )
    save(trust, stale_days=30)
    snapshot = services.record_coverage_snapshot(organisation=trust["org"], actor=SYSTEM)
    assert (snapshot.thicket_limit, snapshot.stale_days) == (5, 30)


def coverage_cli(*args) -> dict:
    out = io.StringIO()
    call_command("objectives", "coverage", "--org", "TST1", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_command_line_uses_the_organisations_rules_unless_told_otherwise(trust, crowded):
    assert coverage_cli()["settings"]["thicket_limit"] == 5
    assert coverage_cli()["thickets"] == 1
    save(trust, thicket_limit=6, stale_days=90, challenge_margin=0.2)
    report = coverage_cli()
    assert report["settings"] == {**report["settings"], "thicket_limit": 6, "stale_days": 90}
    assert report["settings"]["challenge_margin"] == 0.2
    assert report["thickets"] == 0
    overridden = coverage_cli("--thicket-limit", "4")
    assert (overridden["settings"]["thicket_limit"], overridden["settings"]["stale_days"]) == (
        4,
        90,
    )
    assert overridden["thickets"] == 1


def test_the_api_uses_the_organisations_rules_unless_the_query_overrides_them(
    client, trust, crowded, persona_users
):
    token = ApiToken.generate(user=persona_users["board"], name="test")[1]
    headers = {"Authorization": f"Bearer {token}"}
    base = "/api/v1/organisations/TST1"
    save(trust, thicket_limit=6, stale_days=90, challenge_margin=0.6)
    body = client.get(f"{base}/direction/coverage", headers=headers).json()
    assert body["thickets"] == 0
    assert body["settings"] == {
        "challenge_margin": 0.6,
        "thicket_limit": 6,
        "stale_days": 90,
        "trend_min_points": 3,
    }
    body = client.get(f"{base}/direction/coverage", {"thicket_limit": 5}, headers=headers).json()
    assert body["thicket_units"] == [{"code": "W1", "name": "Ward 1", "active_objectives": 6}]
    assert (body["settings"]["thicket_limit"], body["settings"]["stale_days"]) == (5, 90)
    # The objectives' own quality is judged by the organisation's margin too.
    items = client.get(f"{base}/objectives", headers=headers).json()["items"]
    org1 = next(item for item in items if item["code"] == "ORG1")
    assert "Not challenging" in org1["markers"]


# -- The page -------------------------------------------------------------------------------------


def test_the_page_shows_the_rules_in_force(client_for, trust):
    page = client_for("od").get(URL)
    assert page.status_code == 200
    assert page.context_data["posted"] == {
        "challenge_margin": "5",
        "thicket_limit": "5",
        "stale_days": "60",
    }
    save(trust, challenge_margin=0.125, thicket_limit=8, stale_days=45)
    html = client_for("od").get(URL).content.decode()
    assert 'value="12.5"' in html
    assert 'value="8"' in html
    assert 'value="45"' in html


def test_saving_on_the_page_changes_the_rules_and_says_so(client_for, trust, persona_users):
    client = client_for("admin")
    response = client.post(
        URL, {"challenge_margin": "10%", "thicket_limit": "7", "stale_days": "30"}, follow=True
    )
    assert response.redirect_chain == [(URL, 302)]
    assert "Quality rules saved" in response.content.decode()
    assert queries.quality_settings(trust["org"]) == QualitySettings(
        challenge_margin=0.1, thicket_limit=7, stale_days=30
    )
    event = AuditEvent.objects.get(action="objectives.quality_settings")
    assert event.actor == persona_users["admin"]


@pytest.mark.parametrize(
    "posted, field_id, words",
    [
        ({"challenge_margin": "150"}, "challenge-margin", "between 0% and 100%"),
        ({"challenge_margin": "five"}, "challenge-margin", "as a number from 0 to 100"),
        ({"challenge_margin": ""}, "challenge-margin", "as a percentage"),
        ({"thicket_limit": "0"}, "thicket-limit", "from 1 to 50"),
        ({"thicket_limit": ""}, "thicket-limit", "whole number"),
        ({"stale_days": "400"}, "stale-days", "from 7 to 365"),
        ({"stale_days": "2.5"}, "stale-days", "from 7 to 365"),
    ],
)
def test_bad_values_are_shown_on_the_form_and_nothing_is_saved(
    client_for, trust, posted, field_id, words
):
    values = {"challenge_margin": "5", "thicket_limit": "5", "stale_days": "60", **posted}
    response = client_for("od").post(URL, values)
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert f'href="#{field_id}"' in html
    assert words in html
    assert not QualityPolicy.objects.exists()
    # What was typed is shown again.
    typed = values[field_id.replace("-", "_")]
    if typed:
        assert f'value="{typed}"' in html


@pytest.mark.parametrize("persona", ["board", "manager", "staff", "change", "safety"])
def test_others_may_not_open_or_post_the_page(client_for, trust, persona):
    client = client_for(persona)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"thicket_limit": "9"}).status_code == 403
    assert not QualityPolicy.objects.exists()


def test_the_form_needs_the_csrf_token(trust, persona_users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(persona_users["od"])
    response = client.post(URL, {"challenge_margin": "5", "thicket_limit": "9", "stale_days": "60"})
    assert response.status_code == 403
    assert not QualityPolicy.objects.exists()


def test_the_dashboard_links_to_the_page_for_those_who_may_change_the_rules(client_for, trust):
    link = 'href="/direction/settings/"'
    assert link in client_for("od").get("/direction/coverage/").content.decode()
    assert link in client_for("admin").get("/direction/coverage/").content.decode()
    board = client_for("board").get("/direction/coverage/").content.decode()
    assert link not in board
    assert "no check-in for 60 days is stale" in board
