"""The organisation services' refusals and quieter paths, each through its public function:
the error kind and message, what is stored, and what is left alone."""

import pytest

from colead.core.actor import Actor
from colead.lib.errors import Invalid, Refused
from colead.org import services
from colead.org.models import Organisation, PendingUpload, ProtectedCharacteristics, Unit
from tests.integration.imports_files import (
    UNIT_COLUMNS,
    new_person,
    to_csv,
    unit_rows,
    workforce_csv,
    workforce_rows,
)

pytestmark = pytest.mark.django_db

CLI = Actor.system("cli")
PROTECTED = ("ethnicity", "sex", "disability", "age_band")


def import_workforce(org, content, **kwargs):
    return services.import_workforce(
        organisation=org, content=content, filename="workforce.csv", actor=CLI, **kwargs
    )


def test_an_organisation_name_over_200_characters_is_refused(trust):
    with pytest.raises(Invalid) as raised:
        services.create_organisation(code="RLONG", name="N" * 201, sector="acute", actor=CLI)
    assert raised.value.errors == {"name": "The organisation's name can be at most 200 characters."}
    assert not Organisation.objects.filter(code="RLONG").exists()


def test_a_units_file_without_sites_keeps_each_units_site_and_gives_new_units_none(trust):
    org = trust["org"]
    Unit.objects.filter(organisation=org, code="W1").update(site="North Wing")
    rows = unit_rows(org)
    rows.append(
        {"unit_code": "W3", "name": "Ward 3", "parent_code": "CARD", "level": "team", "site": ""}
    )
    columns = [c for c in UNIT_COLUMNS if c != "site"]
    services.import_units(
        organisation=org, content=to_csv(rows, columns), filename="units.csv", actor=CLI
    )
    sites = dict(Unit.objects.for_org(org).values_list("code", "site"))
    assert sites["W1"] == "North Wing"
    assert sites["W3"] == ""


def test_a_workforce_preview_lists_at_most_200_updates_but_counts_them_all(trust):
    org = trust["org"]
    rows = workforce_rows(org)
    rows.update({f"N{i:03}": new_person(f"N{i:03}") for i in range(201)})
    import_workforce(org, workforce_csv(rows))
    rows = workforce_rows(org)
    for number in rows:
        if number.startswith("N"):
            rows[number]["job_title"] = "Senior Physiotherapist"
    plan = import_workforce(org, workforce_csv(rows), dry_run=True)
    assert plan.updated == 201
    assert len(plan.updated_items) == services.SAMPLE_LIMIT == 200
    assert {item["employee_number"] for item in plan.updated_items} <= set(rows)


def test_unchanged_protected_characteristics_are_left_as_stored(trust):
    org = trust["org"]
    rows = workforce_rows(org, protected=True)
    rows["S1"].update(sex="Female", age_band="31-35")
    rows["M1"].update(sex="Male", age_band="41-45")
    import_workforce(org, workforce_csv(rows, extra=PROTECTED))
    kept = ProtectedCharacteristics.objects.get(person__employee_number="M1")
    rows["S1"]["sex"] = "Male"
    import_workforce(org, workforce_csv(rows, extra=PROTECTED))
    again = ProtectedCharacteristics.objects.get(person__employee_number="M1")
    assert (again.pk, again.as_dict()) == (kept.pk, kept.as_dict())
    assert ProtectedCharacteristics.objects.get(person__employee_number="S1").sex == "Male"


def test_only_a_signed_in_user_can_hold_an_upload(trust):
    with pytest.raises(Refused) as raised:
        services.hold_upload(
            organisation=trust["org"],
            kind="units",
            filename="units.csv",
            content=to_csv(unit_rows(trust["org"]), UNIT_COLUMNS),
            actor=CLI,
        )
    assert str(raised.value) == (
        "Only a signed-in user can hold an upload: it waits for them to confirm it."
    )
    assert not PendingUpload.objects.exists()


def test_only_the_uploader_sees_the_problems_of_their_upload(trust, persona_users):
    uploader = Actor.of_user(persona_users["admin"], source="web")
    pending, _ = services.hold_upload(
        organisation=trust["org"],
        kind="units",
        filename="units.csv",
        content=to_csv(unit_rows(trust["org"]), UNIT_COLUMNS),
        actor=uploader,
    )
    someone_else = Actor.of_user(persona_users["od"], source="web")
    with pytest.raises(Refused) as raised:
        services.take_rejection(pending=pending, actor=someone_else)
    assert str(raised.value) == "Only the person who uploaded a file can see its problems."
    assert PendingUpload.objects.filter(pk=pending.pk).exists()
