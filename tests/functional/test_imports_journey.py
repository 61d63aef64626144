"""An admin imports a workforce file in the browser: problems, preview, confirm. Every
page is checked with axe-core (WCAG 2.2 AA)."""

import os

import pytest
from playwright.sync_api import expect

from colead.org.models import ImportRun, Person
from tests.functional.conftest import assert_accessible, sign_in
from tests.integration.imports_files import new_person, workforce_csv, workforce_rows


def choose_file(page, label, path):
    """Through the file chooser, as a person would (the NHS.UK component replaces the
    input with a drop zone button)."""
    with page.expect_file_chooser() as chooser:
        page.get_by_label(label).click()
    chooser.value.set_files(str(path))


pytestmark = [pytest.mark.functional, pytest.mark.django_db(transaction=True)]


def test_admin_fixes_a_file_then_previews_and_confirms(
    page, live_server, persona_users, trust, tmp_path
):
    org = trust["org"]
    rows = workforce_rows(org)
    rows["S1"]["band"] = "Band 6"
    del rows["W2-0"]
    rows["N1"] = new_person("N1", line_manager="M1")
    good = tmp_path / "workforce.csv"
    good.write_bytes(workforce_csv(rows))
    rows["N1"]["band"] = "Band 10"
    bad = tmp_path / "bad-workforce.csv"
    bad.write_bytes(workforce_csv(rows))

    sign_in(page, live_server, "admin@test.test")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Imports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import units and workforce")
    assert_accessible(page)

    choose_file(page, "Upload a workforce file", bad)
    page.get_by_role("button", name="Upload and check the workforce file").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("bad-workforce.csv has 1 problem")
    expect(summary).to_contain_text('"Band 10" is not a pay band.')
    assert page.title().startswith("Error:")
    assert_accessible(page)

    choose_file(page, "Upload a workforce file", good)
    page.get_by_role("button", name="Upload and check the workforce file").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Check the changes in workforce.csv"
    )
    expect(page.get_by_role("heading", name="Leavers (1)")).to_be_visible()
    assert_accessible(page)
    assert not ImportRun.objects.exists()

    page.get_by_role("button", name="Confirm and import").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "Added 1, updated 1, leavers 1, unchanged 10."
    )
    assert_accessible(page)
    assert Person.objects.for_org(org).get(employee_number="S1").band == "band_6"


def test_preview_is_usable_on_a_phone(phone_page, live_server, persona_users, trust, tmp_path):
    rows = workforce_rows(trust["org"])
    rows["S1"]["job_title"] = "Charge Nurse"
    path = tmp_path / "workforce.csv"
    path.write_bytes(workforce_csv(rows))
    sign_in(phone_page, live_server, "admin@test.test")
    phone_page.goto(f"{live_server.url}/org/imports/")
    choose_file(phone_page, "Upload a workforce file", path)
    phone_page.get_by_role("button", name="Upload and check the workforce file").click()
    expect(phone_page.get_by_role("heading", name="People to update (1)")).to_be_visible()
    assert_accessible(phone_page)
    phone_page.get_by_role("button", name="Cancel and discard the file").click()
    expect(phone_page.locator(".nhsuk-notification-banner")).to_contain_text("was not imported")
    assert_accessible(phone_page)


def test_a_file_marking_most_staff_as_leavers_needs_its_own_confirmation(
    page, live_server, persona_users, trust, tmp_path
):
    org = trust["org"]
    two_rows = tmp_path / "two-rows.csv"
    two_rows.write_bytes(workforce_csv({"X1": new_person("X1", unit="W1"), "X2": new_person("X2")}))
    sign_in(page, live_server, "admin@test.test")
    page.goto(f"{live_server.url}/org/imports/")
    choose_file(page, "Upload a workforce file", two_rows)
    page.get_by_role("button", name="Upload and check the workforce file").click()
    warning = page.locator(".nhsuk-card--warning")
    expect(warning).to_contain_text("12 people will be marked as leavers")
    expect(warning).to_contain_text("That is 100 % of the 12 current staff")
    assert_accessible(page)
    if os.environ.get("COLEAD_SCREENSHOTS"):
        page.screenshot(path="docs/screenshots/import-many-leavers.png")

    # The ordinary button alone is refused, pointing at the box to tick.
    page.get_by_role("button", name="Confirm and import").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Tick the box to confirm that you understand 12 people")
    assert page.title().startswith("Error:")
    assert_accessible(page)
    assert Person.objects.for_org(org).current().count() == 12
    summary.get_by_role("link").click()
    expect(page.get_by_label("I understand 12 people will be marked as leavers")).to_be_focused()

    page.get_by_label("I understand 12 people will be marked as leavers").check()
    page.get_by_role("button", name="Confirm and import").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "Added 2, updated 0, leavers 12, unchanged 0."
    )
    assert Person.objects.for_org(org).current().count() == 2
