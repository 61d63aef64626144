"""The import pages: upload, problems, preview, confirm, cancel, and who may use them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from colead.audit.models import AuditEvent
from colead.org.models import ImportRun, PendingUpload, Person
from tests.factories import UserFactory
from tests.integration.imports_files import (
    UNIT_COLUMNS,
    new_person,
    to_csv,
    unit_rows,
    workforce_csv,
    workforce_rows,
)

pytestmark = pytest.mark.django_db
INDEX = "/org/imports/"


def upload(client, kind, content, name=None):
    name = name or f"{kind}.csv"
    return client.post(INDEX, {"kind": kind, "file": SimpleUploadedFile(name, content, "text/csv")})


def newer_workforce(org):
    rows = workforce_rows(org)
    rows["S1"]["band"] = "Band 6"
    del rows["W2-0"]
    rows["N1"] = new_person("N1", first_name="Nia<script>", line_manager="M1")
    return workforce_csv(rows)


def test_index_lists_recent_imports_and_offers_both_forms(client_for, trust):
    ImportRun.objects.create(
        organisation=trust["org"], kind="workforce", filename="march.csv", sha256="0" * 64, added=7
    )
    ImportRun.objects.create(
        organisation=trust["other"], kind="units", filename="other-trust.csv", sha256="0" * 64
    )
    response = client_for("admin").get(INDEX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Import units and workforce – colead</title>" in html
    assert 'id="units-file"' in html and 'id="workforce-file"' in html
    assert 'accept=".csv,.xlsx"' in html
    assert "march.csv" in html
    assert "other-trust.csv" not in html


@pytest.mark.parametrize("persona", ["board", "od", "change", "manager", "staff", "safety"])
def test_only_organisation_admins_may_import(client_for, persona, trust):
    client = client_for(persona)
    assert client.get(INDEX).status_code == 403
    response = upload(client, "workforce", workforce_csv(workforce_rows(trust["org"])))
    assert response.status_code == 403
    assert not PendingUpload.objects.exists()


def test_another_organisations_admin_imports_only_into_their_own(client_for, trust):
    client = client_for("outsider")  # org_admin of OTH1
    html = client.get(INDEX).content.decode()
    assert "Other Trust" in html
    response = upload(client, "workforce", newer_workforce(trust["org"]))
    assert response.status_code == 200  # TST1's units do not exist in OTH1
    assert "There is no unit &#34;W1&#34; in the organisation." in response.content.decode()
    assert not PendingUpload.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, trust):
    response = client.get(INDEX)
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]


def test_a_file_with_problems_shows_them_all_and_stores_nothing(client_for, trust):
    rows = workforce_rows(trust["org"])
    rows["S1"]["band"] = "Band 10"
    rows["N1"] = new_person("N1", unit="W9", email="<b>bold</b>@x")
    response = upload(client_for("admin"), "workforce", workforce_csv(rows))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Import units and workforce – colead</title>" in html
    assert "nhsuk-error-summary" in html
    assert "workforce.csv has 3 problems. Nothing has been imported." in html
    assert 'href="#problem-1"' in html and 'id="problem-1"' in html
    assert (
        "&#34;Band 10&#34; is not a pay band." in html
        or "&quot;Band 10&quot; is not a pay band." in html
    )
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "Use a unit_code from the units file" in html  # how to fix it
    assert not PendingUpload.objects.exists()
    assert not Person.objects.filter(employee_number="N1").exists()
    event = AuditEvent.objects.get(action="import.upload_rejected")
    assert event.detail["problems"] == 3


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"kind": "units"}, "Select a units file to upload"),
        (
            {"kind": "workforce", "file": SimpleUploadedFile("staff.pdf", b"%PDF")},
            "The selected file must be a CSV or XLSX file",
        ),
        (
            {"kind": "workforce", "file": SimpleUploadedFile("s.csv", b"")},
            "The selected file is empty",
        ),
    ],
)
def test_form_errors_are_shown_on_the_field(client_for, trust, post, message):
    response = client_for("admin").post(INDEX, post)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count(message) == 2  # in the error summary and on the field
    assert "<title>Error:" in html


def test_upload_preview_confirm_writes_the_changes(client_for, trust):
    client = client_for("admin")
    response = upload(client, "workforce", newer_workforce(trust["org"]))
    pending = PendingUpload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/org/imports/{pending.pk}/preview/"
    assert Person.objects.for_org(trust["org"]).get(employee_number="S1").band == "band_5"

    preview = client.get(response["Location"])
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Check the changes in workforce.csv" in html
    assert "People to add (1)" in html and "People to update (1)" in html and "Leavers (1)" in html
    assert "band: Band 5 → Band 6" in html
    assert "Nia&lt;script&gt;" in html and "Nia<script>" not in html
    assert "1 person will be marked as a leaver" in html
    assert f'action="/org/imports/{pending.pk}/confirm/"' in html
    assert not ImportRun.objects.exists()

    confirmed = client.post(f"/org/imports/{pending.pk}/confirm/")
    assert confirmed.status_code == 302 and confirmed["Location"] == INDEX
    assert not PendingUpload.objects.exists()
    assert Person.objects.for_org(trust["org"]).get(employee_number="S1").band == "band_6"
    assert Person.objects.for_org(trust["org"]).get(employee_number="W2-0").leaving_date
    run = ImportRun.objects.get()
    assert (run.added, run.updated, run.leavers, run.actor.email) == (1, 1, 1, "admin@test.test")
    index = client.get(INDEX).content.decode()
    assert "Imported workforce.csv. Added 1, updated 1, leavers 1, unchanged 10." in index
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == ["import.upload", "import.preview", "import.workforce"]
    assert AuditEvent.objects.get(action="import.workforce").detail["source"] == "web"


def test_units_preview_and_confirm(client_for, trust):
    client = client_for("admin")
    rows = unit_rows(trust["org"])
    rows.append({"unit_code": "W3", "name": "Ward 3", "parent_code": "CARD", "level": "team"})
    response = upload(client, "units", to_csv(rows, UNIT_COLUMNS))
    preview = client.get(response["Location"]).content.decode()
    assert "Units to add (1)" in preview and "Ward 3" in preview
    pending = PendingUpload.objects.get()
    client.post(f"/org/imports/{pending.pk}/confirm/")
    assert trust["org"].units.filter(code="W3", parent__code="CARD").exists()


def test_cancel_discards_the_upload(client_for, trust):
    client = client_for("admin")
    upload(client, "workforce", newer_workforce(trust["org"]))
    pending = PendingUpload.objects.get()
    response = client.post(f"/org/imports/{pending.pk}/cancel/")
    assert response.status_code == 302
    assert not PendingUpload.objects.exists()
    assert not Person.objects.filter(employee_number="N1").exists()
    assert AuditEvent.objects.filter(action="import.cancel").count() == 1
    assert "Cancelled: workforce.csv was not imported." in client.get(INDEX).content.decode()


def test_confirm_needs_a_post(client_for, trust):
    client = client_for("admin")
    upload(client, "workforce", newer_workforce(trust["org"]))
    pending = PendingUpload.objects.get()
    assert client.get(f"/org/imports/{pending.pk}/confirm/").status_code == 405
    assert PendingUpload.objects.exists()


def test_forged_pending_upload_ids_are_not_found(client_for, persona_users, trust):
    other_admin = UserFactory(email="admin2@test.test")
    other_admin.role_assignments.create(organisation=trust["org"], role="org_admin")
    theirs = PendingUpload.objects.create(
        organisation=trust["org"],
        kind="workforce",
        filename="w.csv",
        content=b"x",
        uploaded_by=other_admin,
    )
    other_org = PendingUpload.objects.create(
        organisation=trust["other"],
        kind="workforce",
        filename="w.csv",
        content=b"x",
        uploaded_by=persona_users["admin"],
    )
    client = client_for("admin")
    for pending in (theirs, other_org):
        assert client.get(f"/org/imports/{pending.pk}/preview/").status_code == 404
        assert client.post(f"/org/imports/{pending.pk}/confirm/").status_code == 404
        assert client.post(f"/org/imports/{pending.pk}/cancel/").status_code == 404
    assert client.get("/org/imports/999999/preview/").status_code == 404
    assert PendingUpload.objects.count() == 2


def test_records_changed_since_upload_are_reported_at_confirm(client_for, trust):
    client = client_for("admin")
    upload(client, "workforce", newer_workforce(trust["org"]))
    pending = PendingUpload.objects.get()
    trust["units"]["W2"].is_active = False  # e.g. a units import ran meanwhile
    trust["units"]["W2"].save()
    response = client.post(f"/org/imports/{pending.pk}/confirm/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "records changed after this file was uploaded" in html
    assert "is no longer active" in html
    assert not PendingUpload.objects.exists()
    assert not ImportRun.objects.exists()
    assert Person.objects.for_org(trust["org"]).get(employee_number="S1").band == "band_5"


def test_a_new_upload_replaces_the_users_previous_one(client_for, trust):
    client = client_for("admin")
    upload(client, "workforce", newer_workforce(trust["org"]))
    upload(client, "workforce", newer_workforce(trust["org"]), name="second.csv")
    assert list(PendingUpload.objects.values_list("filename", flat=True)) == ["second.csv"]


def test_long_lists_are_capped_in_the_preview(client_for, trust):
    rows = workforce_rows(trust["org"])
    for i in range(230):
        rows[f"N{i:03d}"] = new_person(f"N{i:03d}")
    client = client_for("admin")
    response = upload(client, "workforce", workforce_csv(rows))
    html = client.get(response["Location"]).content.decode()
    assert "People to add (230)" in html
    assert "And 30 more not listed here." in html
    assert "N199" in html and "N200" not in html


def test_a_unit_name_with_a_nul_character_is_refused_naming_row_and_column(client_for, trust):
    rows = unit_rows(trust["org"])
    rows[1]["name"] = "Ward\x00Nul"
    response = upload(client_for("admin"), "units", to_csv(rows, UNIT_COLUMNS))
    html = response.content.decode()
    assert response.status_code == 200
    assert "NUL (U+0000)" in html and "\x00" not in html
    assert "Ward\\x00Nul" in html
    assert not PendingUpload.objects.exists()


# -- large files: checked in the background, with progress on the page ------------------


@pytest.fixture
def background_checks(settings, monkeypatch):
    """Every file counts as large; progress is recorded every 2 rows."""
    from colead.lib import table

    settings.COLEAD_IMPORT_BACKGROUND_BYTES = 10
    monkeypatch.setattr(table, "PROGRESS_EVERY", 2)


def test_a_large_file_is_checked_in_the_background_then_previewed_and_imported(
    client_for, trust, background_checks, django_capture_on_commit_callbacks
):
    client = client_for("admin")
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = upload(client, "workforce", newer_workforce(trust["org"]))
    assert len(queued) == 1  # the check was queued, not done in the request
    pending = PendingUpload.objects.get()
    assert response["Location"] == f"/org/imports/{pending.pk}/check/"
    # The job (run at once by the test backend) recorded its progress and the outcome.
    assert pending.state == "ready"
    # the headings and the 12 rows of the newer file (one leaver, one newcomer)
    assert pending.rows_read == pending.rows_expected == len(workforce_rows(trust["org"])) + 1
    checked = client.get(response["Location"])
    assert checked["Location"] == f"/org/imports/{pending.pk}/preview/"
    html = client.get(checked["Location"]).content.decode()
    assert "People to add (1)" in html and "Leavers (1)" in html
    assert "band: Band 5 → Band 6" in html
    client.post(f"/org/imports/{pending.pk}/confirm/")
    assert Person.objects.for_org(trust["org"]).get(employee_number="S1").band == "band_6"
    assert not PendingUpload.objects.exists()
    actions = list(AuditEvent.objects.values_list("action", flat=True).order_by("id"))
    assert actions[-4:] == [
        "import.check_queued",
        "import.upload",
        "import.preview",
        "import.workforce",
    ]


def test_a_large_file_with_problems_shows_them_once_and_keeps_nothing(
    client_for, trust, background_checks, django_capture_on_commit_callbacks
):
    rows = workforce_rows(trust["org"])
    rows["S1"]["band"] = "Band 10"
    client = client_for("admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, "workforce", workforce_csv(rows))
    pending = PendingUpload.objects.get()
    assert pending.state == "rejected" and bytes(pending.content) == b""
    html = client.get(response["Location"]).content.decode()
    assert "workforce.csv has 1 problem. Nothing has been imported." in html
    assert "Band 10" in html
    assert not PendingUpload.objects.exists()
    # The task checked the file on its uploader's behalf.
    event = AuditEvent.objects.get(action="import.upload_rejected")
    assert event.actor_label == "admin@test.test"


def test_the_check_page_shows_progress_and_refreshes_itself(client_for, trust, persona_users):
    pending = PendingUpload.objects.create(
        organisation=trust["org"],
        kind="workforce",
        filename="big.xlsx",
        content=b"x",
        uploaded_by=persona_users["admin"],
        state="checking",
        rows_read=50_000,
        rows_expected=200_001,
    )
    client = client_for("admin")
    response = client.get(f"/org/imports/{pending.pk}/check/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Read 50,000 of about 200,001 rows (24%)." in html
    assert '<meta http-equiv="refresh" content="2">' in html
    # Preview and confirm wait for the check.
    assert client.get(f"/org/imports/{pending.pk}/preview/")["Location"].endswith("/check/")
    assert client.post(f"/org/imports/{pending.pk}/confirm/")["Location"].endswith("/check/")
    assert not ImportRun.objects.exists()
    # Another admin's held file is not theirs to see.
    assert client_for("outsider").get(f"/org/imports/{pending.pk}/check/").status_code == 404


def test_a_cancelled_check_leaves_nothing_behind(
    client_for, trust, background_checks, django_capture_on_commit_callbacks
):
    from colead.org.tasks import check_upload

    client = client_for("admin")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = upload(client, "workforce", newer_workforce(trust["org"]))
    pending = PendingUpload.objects.get()
    client.post(f"/org/imports/{pending.pk}/cancel/")
    for callback in queued:
        callback()  # the job runs after the cancel
    assert check_upload.call(pending.pk) == "gone"
    assert not PendingUpload.objects.exists() and response.status_code == 302


def test_the_preview_lists_each_change_escaped(client_for, trust):
    rows = workforce_rows(trust["org"])
    rows["S1"]["job_title"] = "Nurse <b>lead</b>"
    response = upload(client_for("admin"), "workforce", workforce_csv(rows))
    html = client_for("admin").get(response["Location"]).content.decode()
    assert "<li>job_title: Staff Nurse → Nurse &lt;b&gt;lead&lt;/b&gt;</li>" in html
    assert "<b>lead</b>" not in html


def test_a_file_marking_many_leavers_warns_and_needs_its_own_confirmation(client_for, trust):
    client = client_for("admin")
    two_rows = workforce_csv({"X1": new_person("X1", unit="W1"), "X2": new_person("X2")})
    upload(client, "workforce", two_rows)
    pending = PendingUpload.objects.get()
    html = client.get(f"/org/imports/{pending.pk}/preview/").content.decode()
    assert "12 people will be marked as leavers" in html
    assert "That is 100 % of the 12 current staff, more than the 10 %" in html
    assert 'name="confirm_leavers"' in html and "I understand 12 people will be marked" in html

    # The ordinary button alone is refused, and nothing is written; the upload is kept.
    refused = client.post(f"/org/imports/{pending.pk}/confirm/")
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "There is a problem" in page and 'href="#confirm_leavers"' in page
    assert "Tick the box to confirm that you understand 12 people will be marked" in page
    assert Person.objects.for_org(trust["org"]).current().count() == 12
    assert not ImportRun.objects.exists() and PendingUpload.objects.filter(pk=pending.pk).exists()

    confirmed = client.post(f"/org/imports/{pending.pk}/confirm/", {"confirm_leavers": "yes"})
    assert confirmed.status_code == 302
    assert Person.objects.for_org(trust["org"]).current().count() == 2
    assert ImportRun.objects.get().leavers == 12


def test_a_few_leavers_need_no_separate_confirmation(client_for, trust):
    client = client_for("admin")
    rows = workforce_rows(trust["org"])
    del rows["W2-0"]  # 1 of 12: 8 %
    upload(client, "workforce", workforce_csv(rows))
    pending = PendingUpload.objects.get()
    html = client.get(f"/org/imports/{pending.pk}/preview/").content.decode()
    assert "1 person will be marked as a leaver" in html and "confirm_leavers" not in html
    assert client.post(f"/org/imports/{pending.pk}/confirm/").status_code == 302
