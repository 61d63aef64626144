"""Every page, heading and message names a staff group by its display name from the reference
table ("Additional professional, scientific and technical"), never by ESR's abbreviation
("Add Prof Scientific and Technic"); workforce files may still use ESR's names."""

import io
import json
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from colead.org.models import PendingUpload, Person
from tests.integration.imports_files import workforce_csv, workforce_rows
from tests.integration.waves_fixtures import make_wave

pytestmark = pytest.mark.django_db

DISPLAY = "Additional professional, scientific and technical"
ESR = "Add Prof Scientific and Technic"
NURSES_DISPLAY = "Registered nursing and midwifery"
NURSES_ESR = "Nursing and Midwifery Registered"


@pytest.fixture
def scientist(trust):
    """Sam Nurse (S1, the staff persona's own record) moved into the ESR group whose name is
    furthest from its display name."""
    person = trust["nurse_person"]
    person.staff_group = "add_prof_scientific_technic"
    person.save()
    return person


def page_text(response) -> str:
    assert response.status_code == 200
    return unescape(response.content.decode())


def assert_display_names_only(text: str) -> None:
    assert DISPLAY in text
    assert ESR not in text and NURSES_ESR not in text


def test_a_persons_page_and_their_own_profile(client_for, scientist):
    person_page = page_text(client_for("board").get(reverse("org:person", args=["S1"])))
    assert_display_names_only(person_page)
    assert_display_names_only(page_text(client_for("staff").get(reverse("accounts:profile"))))


def test_the_unit_pages_headcount_by_staff_group(client_for, scientist):
    text = page_text(client_for("board").get(reverse("org:unit", args=["W1"])))
    assert_display_names_only(text)
    assert NURSES_DISPLAY in text


def test_the_new_wave_form_offers_the_display_names(client_for, trust):
    response = client_for("od").get(reverse("surveys:wave_new"))
    choices = dict(response.context_data["form"].fields["staff_groups"].choices)
    assert choices["add_prof_scientific_technic"] == DISPLAY
    assert_display_names_only(page_text(response))


def test_a_waves_settings_name_its_staff_groups(client_for, trust):
    wave = make_wave(trust, staff_groups=["add_prof_scientific_technic"])
    response = client_for("od").get(reverse("surveys:wave", args=[wave.pk]))
    rows = {row["key"]: row["values"] for row in response.context_data["settings_rows"]}
    assert rows["Staff groups"] == [DISPLAY]
    assert_display_names_only(page_text(response))


def upload_workforce(client, rows):
    file = SimpleUploadedFile("workforce.csv", workforce_csv(rows), "text/csv")
    return client.post("/org/imports/", {"kind": "workforce", "file": file})


def test_a_workforce_file_in_esrs_names_is_previewed_and_recorded_in_display_names(
    client_for, trust
):
    client = client_for("admin")
    rows = workforce_rows(trust["org"])
    assert rows["S1"]["staff_group"] == NURSES_ESR  # the file spells groups as ESR does
    rows["S1"]["staff_group"] = ESR
    response = upload_workforce(client, rows)
    assert response.status_code == 302
    preview = page_text(client.get(response["Location"]))
    assert f"{NURSES_DISPLAY} → {DISPLAY}" in preview
    assert_display_names_only(preview)

    client.post(f"/org/imports/{PendingUpload.objects.get().pk}/confirm/")
    assert Person.objects.for_org(trust["org"]).get(employee_number="S1").staff_group == (
        "add_prof_scientific_technic"
    )
    history = page_text(client.get(reverse("org:person", args=["S1"])))
    assert f"Staff group: {NURSES_DISPLAY} to {DISPLAY}" in history
    assert_display_names_only(history)


def test_an_unknown_staff_group_is_answered_with_the_display_names(client_for, trust):
    rows = workforce_rows(trust["org"])
    rows["S1"]["staff_group"] = "Nursing"
    text = page_text(upload_workforce(client_for("admin"), rows))
    assert '"Nursing" is not a staff group.' in text
    assert f"Use one of: {DISPLAY}; " in text
    assert "(or ESR's name for the group)" in text
    assert ESR not in text


def test_the_organisation_summary_counts_by_display_name(scientist):
    out = io.StringIO()
    call_command("org", "summary", "--org", "TST1", "--json", stdout=out)
    by_group = json.loads(out.getvalue())["people_by_staff_group"]
    assert by_group[DISPLAY] == 1
    assert ESR not in by_group and NURSES_ESR not in by_group
