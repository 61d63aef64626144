"""/api/v1/organisations/{code}/objectives, check-ins, acts, coverage and the vision: who may
do what, the answers, and constant query counts when listing."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from colead.accounts.models import ApiToken
from colead.audit.models import AuditEvent
from colead.direction import services
from colead.direction.models import Objective
from colead.direction.views import thread as thread_views
from tests.integration.direction_fixtures import SYSTEM, golden_thread, make

TODAY = timezone.localdate()
BASE = "/api/v1/organisations/TST1"


@pytest.fixture
def api(client, persona_users):
    tokens = {}

    def call(method, persona, path, body=None, **params):
        user = persona_users[persona]
        if user.pk not in tokens:
            tokens[user.pk] = ApiToken.generate(user=user, name="test")[1]
        headers = {"Authorization": f"Bearer {tokens[user.pk]}"}
        url = path if path.startswith("/api/") else f"{BASE}{path}"
        if method == "get":
            return client.get(url, params, headers=headers)
        return getattr(client, method)(
            url, json.dumps(body or {}), content_type="application/json", headers=headers
        )

    return call


@pytest.fixture
def thread(trust):
    return golden_thread(trust)


def codes(response):
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


# --- Listing and reading -------------------------------------------------------------------


def test_board_and_od_leads_list_every_objective_with_its_quality(api, thread):
    for persona in ("board", "od", "admin"):
        assert codes(api("get", persona, "/objectives")) == sorted(thread)
    items = {i["code"]: i for i in api("get", "board", "/objectives").json()["items"]}
    s1 = items["S1-A"]
    assert s1["level"] == "individual"
    assert s1["owner"] == "S1"
    assert s1["owner_name"] == "Sam Nurse"
    assert s1["parent_codes"] == ["W1-A"]
    assert s1["aligned_path"] == ["S1-A", "W1-A", "CARD1", "MED1", "ORG1"]
    assert s1["markers"] == ["Not agreed"]
    assert {c["name"]: c["passed"] for c in s1["quality"]} == {
        "clear": True,
        "aligned": True,
        "agreed": False,
        "challenging": True,
        "recent": None,
    }
    orphan = items["T1-X"]
    assert orphan["aligned_path"] == []
    assert "Orphan" in orphan["markers"]
    assert items["ORG1"]["level"] == "organisation"


def test_staff_and_managers_see_their_part_of_the_thread(api, thread):
    assert codes(api("get", "staff", "/objectives")) == ["CARD1", "MED1", "ORG1", "S1-A", "W1-A"]
    assert codes(api("get", "manager", "/objectives")) == [
        "CARD1",
        "MED1",
        "ORG1",
        "S1-A",
        "W1-A",
    ]
    assert codes(api("get", "change", "/objectives")) == []
    assert api("get", "outsider", "/objectives").status_code == 404


def test_filters(api, thread):
    assert codes(api("get", "board", "/objectives", unit="CARD")) == [
        "CARD1",
        "S1-A",
        "W1-A",
        "W2-A",
    ]
    assert codes(api("get", "board", "/objectives", status="draft")) == ["S1-A", "SURG1"]
    assert codes(api("get", "board", "/objectives", individual="true")) == ["S1-A"]
    assert codes(api("get", "board", "/objectives", owner="S1")) == ["S1-A"]
    page = api("get", "board", "/objectives", limit=3, offset=2).json()
    assert (page["count"], len(page["items"]), page["items"][0]["code"]) == (8, 3, "ORG1")
    response = api("get", "board", "/objectives", unit="NOPE")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "unit"]


def test_listing_takes_a_constant_number_of_queries(api, trust, thread):
    def count(persona):
        api("get", persona, "/objectives")  # warm the token
        with CaptureQueriesContext(connection) as queries:
            assert api("get", persona, "/objectives").status_code == 200
        return len(queries)

    before = {persona: count(persona) for persona in ("board", "staff")}
    for n in range(25):
        make(trust, f"W1-{n:02d}", "W1", parents=["W1-A"], status="active")
        make(trust, f"S1-{n:02d}", "W1", parents=["W1-A"], owner=trust["nurse_person"])
    after = {persona: count(persona) for persona in ("board", "staff")}
    assert after == before


def test_reading_one_objective(api, thread):
    response = api("get", "staff", "/objectives/W1-A")
    assert response.status_code == 200
    body = response.json()
    assert body["child_codes"] == ["S1-A"]
    assert [a["act"] for a in body["acts"]] == ["proposed", "agreed"]
    assert body["check_ins"] == []
    assert api("get", "board", "/objectives/CARD1").json()["child_codes"] == ["W1-A", "W2-A"]
    assert api("get", "staff", "/objectives/CARD1").json()["child_codes"] == ["W1-A"]
    assert api("get", "staff", "/objectives/W2-A").status_code == 403
    assert api("get", "manager", "/objectives/T1-X").status_code == 403
    assert api("get", "staff", "/objectives/NOPE").status_code == 404
    assert api("get", "outsider", "/objectives/W1-A").status_code == 404


# --- Writing --------------------------------------------------------------------------------


NEW = {
    "code": "W1-NEW",
    "title": "Every handover uses SBAR",
    "unit": "W1",
    "parents": ["CARD1"],
    "measure": "Handovers using SBAR (%)",
    "baseline": 40,
    "target": 95,
    "direction": "up",
    "due_date": "2027-01-31",
    "elements": ["teamwork"],
}


def test_managers_create_objectives_for_their_units(api, thread):
    response = api("post", "manager", "/objectives", NEW)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["parent_codes"], body["elements"]) == (
        "draft",
        ["CARD1"],
        ["teamwork"],
    )
    assert body["aligned_path"] == ["W1-NEW", "CARD1", "MED1", "ORG1"]
    assert (
        api("post", "manager", "/objectives", {**NEW, "code": "W2-NEW", "unit": "W2"}).status_code
        == 403
    )
    assert api("post", "board", "/objectives", {**NEW, "code": "B-1"}).status_code == 403
    assert AuditEvent.objects.filter(
        action="objective.create", actor__email="manager@test.test"
    ).exists()


def test_staff_create_their_own_individual_objectives(api, thread):
    mine = {**NEW, "code": "S1-NEW", "owner": "S1", "parents": ["W1-A"]}
    assert api("post", "staff", "/objectives", mine).status_code == 201
    assert api("post", "staff", "/objectives", {**NEW, "code": "W1-Z"}).status_code == 403
    theirs = {**NEW, "code": "M1-NEW", "owner": "M1"}
    assert api("post", "staff", "/objectives", theirs).status_code == 403
    response = api("post", "staff", "/objectives", {**mine, "code": "S1-W2", "unit": "W2"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "data", "unit"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"parents": ["NOPE"]}, "parents"),
        ({"unit": "NOPE"}, "unit"),
        ({"owner": "NOPE"}, "owner"),
        ({"code": "ORG1"}, "code"),
        ({"code": "has space"}, "code"),
        ({"title": " "}, "title"),
        ({"baseline": 1e300}, "baseline"),
        ({"elements": ["kindness"]}, "elements"),
        ({"title": "nul\x00"}, "title"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_objectives_are_422_naming_the_field(api, thread, change, field):
    response = api("post", "manager", "/objectives", {**NEW, **change})
    assert response.status_code == 422, response.content
    assert field in response.json()["detail"][0]["loc"]
    assert not Objective.objects.filter(code="W1-NEW").exists()


def test_patching_an_objective(api, thread):
    response = api("patch", "staff", "/objectives/S1-A", {"target": 3, "due_date": None})
    assert response.status_code == 200, response.content
    assert (response.json()["target"], response.json()["due_date"]) == (3.0, None)
    response = api("patch", "manager", "/objectives/W1-A", {"target": 4})
    assert response.json()["status"] == "draft"  # agreement cleared: propose it again
    assert response.json()["agreed_at"] is None
    assert api("patch", "staff", "/objectives/W1-A", {"target": 1}).status_code == 403
    assert api("patch", "manager", "/objectives/W2-A", {"target": 1}).status_code == 403
    response = api("patch", "board", "/objectives/ORG1", {"parents": ["W1-A"]})
    assert response.status_code == 403  # the board agrees but does not edit
    response = api("patch", "od", "/objectives/ORG1", {"parents": ["MED1"]})
    assert response.status_code == 422
    assert "its own ancestor" in response.json()["detail"][0]["msg"]
    assert api("patch", "od", "/objectives/ORG1", {"title": None}).status_code == 422


def test_patching_the_status(api, thread):
    response = api("patch", "od", "/objectives/W2-A", {"status": "active"})
    assert (response.status_code, response.json()["status"]) == (200, "active")
    response = api("patch", "od", "/objectives/S1-A", {"status": "achieved"})
    assert response.status_code == 409
    assert "cannot become achieved" in response.json()["detail"]
    assert api("patch", "od", "/objectives/S1-A", {"status": "agreed"}).status_code == 422


def test_check_ins(api, thread):
    body = {"date": TODAY.isoformat(), "value": 8, "confidence": "medium", "comment": "Halfway"}
    response = api("post", "staff", "/objectives/S1-A/check-ins", body)
    assert response.status_code == 201
    assert response.json() == {
        "date": TODAY.isoformat(),
        "value": 8.0,
        "confidence": "medium",
        "comment": "Halfway",
        "by": "staff@test.test",
    }
    assert api("post", "board", "/objectives/W1-A/check-ins", body).status_code == 403
    future = {**body, "date": (TODAY + timedelta(days=2)).isoformat()}
    response = api("post", "manager", "/objectives/W1-A/check-ins", future)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "data", "date"]
    api("patch", "od", "/objectives/SURG1", {"status": "dropped"})
    assert api("post", "od", "/objectives/SURG1/check-ins", body).status_code == 409
    detail = api("get", "staff", "/objectives/S1-A").json()
    assert [c["value"] for c in detail["check_ins"]] == [8.0]


def test_the_agreement_acts(api, thread):
    propose = {"act": "proposed", "comment": "From my appraisal."}
    assert api("post", "staff", "/objectives/S1-A/acts", propose).status_code == 201
    response = api("post", "staff", "/objectives/S1-A/acts", {"act": "agreed"})
    assert response.status_code == 403
    response = api("post", "manager", "/objectives/S1-A/acts", {"act": "changes_requested"})
    assert response.status_code == 422
    response = api("post", "manager", "/objectives/S1-A/acts", {"act": "agreed", "comment": "Yes"})
    assert response.status_code == 201
    assert (response.json()["act"], response.json()["by"]) == ("agreed", "manager@test.test")
    assert api("post", "manager", "/objectives/S1-A/acts", {"act": "agreed"}).status_code == 409
    detail = api("get", "staff", "/objectives/S1-A").json()
    assert detail["status"] == "agreed"
    assert [(a["act"], a["by"]) for a in detail["acts"]] == [
        ("proposed", "staff@test.test"),
        ("agreed", "manager@test.test"),
    ]
    assert api("post", "manager", "/objectives/W2-A/acts", {"act": "agreed"}).status_code == 403


# --- Coverage and the vision ----------------------------------------------------------------


def test_coverage_is_for_those_who_see_everything(api, thread):
    response = api("get", "board", "/direction/coverage")
    assert response.status_code == 200
    body = response.json()
    assert body["team_coverage"] == pytest.approx(2 / 3, abs=1e-4)
    assert body["uncovered_teams"] == ["T1"]
    assert [o["code"] for o in body["orphan_objectives"]] == ["T1-X"]
    assert api("get", "board", "/direction/coverage", thicket_limit=0).status_code == 422
    for persona in ("manager", "staff", "change"):
        assert api("get", persona, "/direction/coverage").status_code == 403
    assert api("get", "outsider", "/direction/coverage").status_code == 404


def test_the_vision_from_draft_to_approval(api, trust):
    assert api("get", "staff", "/direction/vision").json() == {"current": None, "draft": None}
    body = {
        "vision": "Outstanding care, every time.",
        "mission": "Acute care for Testshire.",
        "values": [{"name": "Compassion", "description": "We care."}],
    }
    assert api("post", "staff", "/direction/vision", body).status_code == 403
    response = api("post", "od", "/direction/vision", body)
    assert response.status_code == 201
    assert response.json()["draft"]["version"] == 1
    # Saving again changes the same draft.
    response = api("post", "od", "/direction/vision", {**body, "vision": "Outstanding care."})
    assert response.json()["draft"]["version"] == 1
    assert api("get", "staff", "/direction/vision").json()["draft"] is None

    approve = {"version": 1, "approved_on": TODAY.isoformat(), "note": "Minute 4.2"}
    assert api("post", "od", "/direction/vision/approve", approve).status_code == 403
    response = api("post", "board", "/direction/vision/approve", approve)
    assert response.status_code == 200
    current = response.json()["current"]
    assert (current["vision"], current["approved_by"], current["approval_note"]) == (
        "Outstanding care.",
        "Board Persona",
        "Minute 4.2",
    )
    assert api("post", "board", "/direction/vision/approve", approve).status_code == 409
    missing = {**approve, "version": 7}
    assert api("post", "board", "/direction/vision/approve", missing).status_code == 422
    assert api("get", "staff", "/direction/vision").json()["current"]["version"] == 1
    response = api("post", "od", "/direction/vision", body)
    assert response.json()["draft"]["version"] == 2
    future = {"version": 2, "approved_on": (TODAY + timedelta(days=1)).isoformat()}
    response = api("post", "board", "/direction/vision/approve", future)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "data", "approved_on"]


# --- One refusal for the API and the pages ---------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "code", "status"),
    [
        ("staff", "NOPE", 404),  # no such objective
        ("staff", "X" * 41, 404),  # longer than any code can be
        ("staff", "THEIRS-1", 404),  # another organisation's
        ("staff", "W2-A", 403),  # exists, outside what staff may see
        ("manager", "T1-X", 403),
    ],
)
def test_a_forged_or_hidden_code_is_refused_alike_by_the_api_and_the_page(
    api, client_for, persona_users, trust, thread, persona, code, status
):
    services.create_objective(
        organisation=trust["other"],
        code="THEIRS-1",
        title="Theirs",
        unit=trust["units"]["OTH-ROOT"],
        actor=SYSTEM,
    )
    answer = api("get", persona, f"/objectives/{code}")
    assert answer.status_code == status
    assert client_for(persona).get(f"/direction/objectives/{code}/").status_code == status
    # The same words too: both come from queries.find_objective.
    request = RequestFactory().get(f"/direction/objectives/{code}/")
    request.user, request.organisation = persona_users[persona], trust["org"]
    page_error = Http404 if status == 404 else PermissionDenied
    with pytest.raises(page_error) as raised:
        thread_views.objective_detail(request, code)
    assert str(raised.value) == answer.json()["detail"]
