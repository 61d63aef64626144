"""The audit log pages: /audit/ (audit:list) and /audit/export.csv (audit:export)."""

import csv
import io
import json
from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from colead.accounts import queries
from colead.accounts.models import RoleAssignment
from colead.audit.models import AuditEvent
from colead.audit.services import record
from colead.core.actor import Actor
from colead.lib.errors import Refused
from tests.factories import UserFactory

LONDON = ZoneInfo("Europe/London")


def record_at(when, *, actor, **kwargs):
    with mock.patch("django.utils.timezone.now", return_value=when):
        return record(actor=Actor.of_user(actor, source="web"), **kwargs)


@pytest.fixture
def history(trust, persona_users):
    """Events on three days in March 2026, plus one in the other organisation."""
    org = trust["org"]
    admin, board = persona_users["admin"], persona_users["board"]
    record_at(
        datetime(2026, 3, 1, 9, tzinfo=LONDON),
        action="import.apply",
        actor=admin,
        organisation=org,
        object_repr="march.csv",
    )
    record_at(
        datetime(2026, 3, 2, 23, 30, tzinfo=LONDON),
        action="person.view",
        actor=board,
        organisation=org,
        obj=trust["nurse_person"],
    )
    record_at(
        datetime(2026, 3, 3, 0, 15, tzinfo=LONDON),
        action="person.view",
        actor=admin,
        organisation=org,
        obj=trust["manager_person"],
    )
    record_at(
        datetime(2026, 3, 2, 12, tzinfo=LONDON),
        action="secret.other",
        actor=persona_users["outsider"],
        organisation=trust["other"],
        object_repr="Other trust's business",
    )


def listed(response):
    return [(event["action"], event["object_repr"]) for event in response.context_data["events"]]


def test_admin_sees_their_organisations_events_newest_first(client_for, history):
    response = client_for("admin").get(reverse("audit:list"))
    assert response.status_code == 200
    events = listed(response)
    # The view itself is recorded first, so it heads the list.
    assert events[0] == ("audit.view", "")
    assert events[1:] == [
        ("person.view", "Mary Manager (M1)"),
        ("person.view", "Sam Nurse (S1)"),
        ("import.apply", "march.csv"),
    ]
    html = response.content.decode()
    assert "secret.other" not in html and "Other trust" not in html
    assert "board@test.test" in html


def test_viewing_the_log_is_audited_with_its_filters(client_for, trust, history):
    client_for("admin").get(
        reverse("audit:list"), {"action": "person.view"}, REMOTE_ADDR="10.9.8.7"
    )
    event = AuditEvent.objects.filter(action="audit.view").get()
    assert event.actor.email == "admin@test.test"
    assert event.organisation == trust["org"]
    assert event.ip_address == "10.9.8.7"
    assert event.detail["filters"] == {"action": "person.view"}


@pytest.mark.parametrize("persona", ["board", "od", "change", "manager", "staff", "safety"])
def test_only_organisation_admins_may_read_or_export_the_log(persona, client_for, history):
    client = client_for(persona)
    assert client.get(reverse("audit:list")).status_code == 403
    assert client.get(reverse("audit:export")).status_code == 403
    assert not AuditEvent.objects.filter(action__in=["audit.view", "audit.export"]).exists()


def test_filter_by_action_offers_the_actions_present(client_for, history):
    response = client_for("admin").get(reverse("audit:list"), {"action": "person.view"})
    assert {action for action, _ in listed(response)} == {"person.view"}
    assert len(listed(response)) == 2
    options = [item["value"] for item in response.context_data["action_items"]]
    assert options == ["", "import.apply", "person.view"]
    assert "secret.other" not in options


def test_filter_by_actor_email(client_for, history):
    response = client_for("admin").get(reverse("audit:list"), {"actor": "BOARD@"})
    assert listed(response) == [("person.view", "Sam Nurse (S1)")]


def test_filter_by_date_range_uses_whole_local_days(client_for, history):
    client = client_for("admin")
    # 23:30 on 2 March and 00:15 on 3 March (London time) fall either side of midnight.
    response = client.get(
        reverse("audit:list"), {"date_from": "2026-03-02", "date_to": "2026-03-02"}
    )
    assert listed(response) == [("person.view", "Sam Nurse (S1)")]
    response = client.get(reverse("audit:list"), {"date_from": "2026-03-02"})
    assert ("person.view", "Mary Manager (M1)") in listed(response)
    assert ("import.apply", "march.csv") not in listed(response)
    response = client.get(reverse("audit:list"), {"date_to": "2026-03-01"})
    assert listed(response) == [("import.apply", "march.csv")]


@pytest.mark.parametrize(
    "query, field",
    [
        ({"date_from": "yesterday"}, "date_from"),
        ({"date_to": "2026-02-30"}, "date_to"),
        ({"date_from": "2026-03-31", "date_to": "2026-03-01"}, "date_to"),
        ({"action": "no.such.action"}, "action"),
    ],
)
def test_invalid_filters_show_an_error_summary_not_a_crash(query, field, client_for, history):
    response = client_for("admin").get(reverse("audit:list"), query)
    assert response.status_code == 200
    assert [error["href"] for error in response.context_data["errors"]] == [f"#{field}"]
    html = response.content.decode()
    assert "There is a problem" in html
    assert "<title>Error: Audit log" in html
    assert "nhsuk-error-message" in html


def test_the_log_is_paged_fifty_at_a_time(client_for, trust, persona_users):
    for i in range(120):
        record(
            action="test.event",
            actor=Actor.of_user(persona_users["admin"], source="web"),
            organisation=trust["org"],
            object_repr=f"Thing {i:03d}",
        )
    client = client_for("admin")
    first = client.get(reverse("audit:list"), {"action": "test.event"})
    assert len(first.context_data["events"]) == 50
    assert first.context_data["events"][0]["object_repr"] == "Thing 119"
    pagination = first.context_data["events_pagination"]
    assert [item["number"] for item in pagination["items"]] == [1, 2, 3]
    assert pagination["next"]["href"] == "?action=test.event&page=2"
    last = client.get(reverse("audit:list"), {"action": "test.event", "page": 3})
    assert [event["object_repr"] for event in last.context_data["events"]][-1] == "Thing 000"
    assert len(last.context_data["events"]) == 20
    assert 'aria-label="Pages of audit events"' in last.content.decode()


def export_rows(response):
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_export_streams_the_filtered_events_as_csv(client_for, trust, history):
    response = client_for("admin").get(reverse("audit:export"), {"action": "person.view"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-TST1-')
    header, *rows = export_rows(response)
    assert header == [
        "created_at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "ip_address",
        "detail",
    ]
    assert [(row[1], row[2], row[5]) for row in rows] == [
        ("admin@test.test", "person.view", "Mary Manager (M1)"),
        ("board@test.test", "person.view", "Sam Nurse (S1)"),
    ]
    assert rows[0][0] == "2026-03-03T00:15:00+00:00"
    assert rows[0][3:5] == ["org.person", str(trust["manager_person"].pk)]
    assert json.loads(rows[0][7]) == {}


def test_export_never_includes_another_organisations_events(client_for, history):
    rows = export_rows(client_for("admin").get(reverse("audit:export")))
    assert "secret.other" not in {row[2] for row in rows}


def test_export_guards_against_spreadsheet_formulas(client_for, trust, persona_users):
    record(
        action="admin.change",
        actor=Actor.of_user(persona_users["admin"], source="web"),
        organisation=trust["org"],
        object_repr='=HYPERLINK("http://evil.example","Click")',
        detail={"note": "@SUM(A1)"},
    )
    rows = export_rows(client_for("admin").get(reverse("audit:export"), {"action": "admin.change"}))
    [row] = rows[1:]
    assert row[5] == '\'=HYPERLINK("http://evil.example","Click")'
    assert json.loads(row[7]) == {"note": "@SUM(A1)"}  # JSON starts with "{", so it is safe


def test_exporting_is_audited(client_for, trust, history):
    response = client_for("admin").get(reverse("audit:export"), {"actor": "board"})
    export_rows(response)
    event = AuditEvent.objects.filter(action="audit.export").get()
    assert event.actor.email == "admin@test.test"
    assert event.organisation == trust["org"]
    assert event.detail == {"filters": {"actor": "board"}}


def test_export_with_invalid_filters_is_a_bad_request(client_for, history):
    response = client_for("admin").get(reverse("audit:export"), {"date_from": "soon"})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not AuditEvent.objects.filter(action="audit.export").exists()
    # The page it shows instead lists the log, so reading it is audited as a view.
    event = AuditEvent.objects.get(action="audit.view")
    assert event.actor_label == "admin@test.test"


def test_the_log_is_read_only_with_the_audit_role_over_the_whole_organisation(trust, history):
    org = trust["org"]
    manager = UserFactory(email="w1-manager@test.test")
    RoleAssignment.objects.create(
        user=manager, organisation=org, role="org_admin", unit=trust["units"]["W1"]
    )
    with pytest.raises(Refused, match="needs the audit role over the whole organisation"):
        queries.audit_log(Actor.of_user(manager, source="web"), org, {})
    events = queries.audit_export(Actor.system("cli"), org, {"action": "person.view"})
    assert {event.action for event in events} == {"person.view"}
    assert AuditEvent.objects.get(action="audit.export").actor_label == "system (cli)"


def test_the_outsiders_log_is_their_own_organisations(client_for, history):
    response = client_for("outsider").get(reverse("audit:list"))
    assert response.status_code == 200
    actions = {action for action, _ in listed(response)}
    assert actions == {"audit.view", "secret.other"}


def test_the_log_names_people_and_says_what_happened_in_plain_words(
    client_for, trust, persona_users, history
):
    persona_users["board"].full_name = "Bea Board"
    persona_users["board"].save()
    record(
        action="import.upload",
        actor=Actor.system("task: check imports", source="task"),
        organisation=trust["org"],
        object_type="org.pendingupload",
        object_repr="staff.csv",
    )
    response = client_for("admin").get(reverse("audit:list"))
    rows = response.context_data["events"]
    assert (rows[1]["actor"], rows[1]["action_text"], rows[1]["object_type"]) == (
        "colead (background job: check imports)",
        "Import file uploaded",
        "Pending upload",
    )
    html = response.content.decode()
    assert "Bea Board" in html and "Person&#39;s record viewed" in html
    assert "org.pendingupload" not in html and "<code>" not in html
    # The filter finds someone by name as well as by email.
    found = client_for("admin").get(reverse("audit:list"), {"actor": "bea"})
    assert listed(found) == [("person.view", "Sam Nurse (S1)")]
