"""``colead import units|workforce``: output, exit status, and what it writes."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from colead.audit.models import AuditEvent
from colead.org.models import ImportRun, Organisation, Person, Unit
from tests.integration.imports_files import new_person, workforce_csv, workforce_rows

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue().splitlines(), err.getvalue().splitlines()


def run_failing(*args):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import", *args, stdout=out, stderr=err)
    return exit_.value.code, out.getvalue().splitlines(), err.getvalue().splitlines()


def write(tmp_path, name, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_create_an_organisation_and_import_the_examples(db):
    out, err = run(
        "units",
        str(EXAMPLES / "units.csv"),
        "--org",
        "RXX",
        "--create",
        "--name",
        "Example NHS Foundation Trust",
        "--sector",
        "acute",
    )
    assert out[0] == "Created the organisation Example NHS Foundation Trust (RXX)."
    assert out[-1] == "Added 10, updated 0, deactivated 0, unchanged 0."
    assert err == []
    out, _ = run("workforce", str(EXAMPLES / "workforce.csv"), "--org", "RXX")
    assert out[-1] == "Added 13, updated 0, leavers 0, unchanged 0."
    # Both again: nothing changes, and the command says so.
    out, _ = run("workforce", str(EXAMPLES / "workforce.csv"), "--org", "RXX")
    assert out[-2:] == [
        "No changes: the file matches the current records.",
        "Added 0, updated 0, leavers 0, unchanged 13.",
    ]
    out, _ = run(
        "units",
        str(EXAMPLES / "units.csv"),
        "--org",
        "RXX",
        "--create",
        "--name",
        "X",
        "--sector",
        "acute",
    )
    assert out[-1] == "Added 0, updated 0, deactivated 0, unchanged 10."
    assert Organisation.objects.get(code="RXX").name == "Example NHS Foundation Trust"
    assert ImportRun.objects.filter(organisation__code="RXX").count() == 4
    # Every write of the command is colead's own, from the command line.
    events = AuditEvent.objects.filter(organisation__code="RXX")
    assert set(events.values_list("action", "actor_label")) == {
        ("organisation.create", "system (cli)"),
        ("import.units", "system (cli)"),
        ("import.workforce", "system (cli)"),
    }
    assert {event.detail["source"] for event in events.filter(action__startswith="import.")} == {
        "cli"
    }


def test_problems_are_printed_one_per_line_and_exit_1(trust, tmp_path):
    rows = workforce_rows(trust["org"])
    rows["S1"]["band"] = "Band 10"
    rows["S1"]["start_date"] = "14/03/2021"
    rows["N1"] = new_person("N1", unit="W9")
    path = write(tmp_path, "workforce.csv", workforce_csv(rows))
    code, out, err = run_failing("workforce", path, "--org", "TST1")
    assert code == 1
    assert err[-1] == "3 problems found; nothing was imported."
    s1_row = list(rows).index("S1") + 2
    assert err[0] == (
        f'workforce.csv, row {s1_row}, column band: "Band 10" is not a pay band. Use Band 1 '
        "to Band 9, Band 8a to 8d, or Consultant, Specialty Doctor, Resident Doctor, Other "
        "Medical."
    )
    assert err[1].startswith(f"workforce.csv, row {s1_row}, column start_date:")
    assert err[2].startswith(f"workforce.csv, row {len(rows) + 1}, column unit_code:")
    assert Person.objects.for_org(trust["org"]).filter(employee_number="N1").count() == 0
    assert not ImportRun.objects.exists()


def test_a_newer_file_lists_its_changes(trust, tmp_path):
    rows = workforce_rows(trust["org"])
    rows["S1"]["job_title"] = "Charge Nurse"
    del rows["W2-2"]
    rows["N1"] = new_person("N1")
    path = write(tmp_path, "workforce.csv", workforce_csv(rows))
    out, _ = run("workforce", path, "--org", "TST1", "--list")
    assert "  added     N1  Nia Newstarter" in out
    assert any(
        line.startswith("  updated   S1") and "job_title: Staff Nurse -> Charge Nurse" in line
        for line in out
    )
    assert any(line.startswith("  leavers   W2-2") for line in out)
    assert out[-1] == "Added 1, updated 1, leavers 1, unchanged 10."


def test_dry_run_writes_nothing(trust, tmp_path):
    rows = workforce_rows(trust["org"])
    rows["N1"] = new_person("N1")
    path = write(tmp_path, "workforce.csv", workforce_csv(rows))
    out, _ = run("workforce", path, "--org", "TST1", "--dry-run")
    assert out[0].startswith("Checking workforce from workforce.csv")
    assert out[-2:] == [
        "Dry run: nothing was written.",
        "Added 1, updated 0, leavers 0, unchanged 12.",
    ]
    assert not Person.objects.filter(employee_number="N1").exists()
    assert not ImportRun.objects.exists()


def test_dry_run_with_create_leaves_no_organisation(db):
    out, _ = run(
        "units",
        str(EXAMPLES / "units.csv"),
        "--org",
        "RXX",
        "--create",
        "--name",
        "E",
        "--sector",
        "acute",
        "--dry-run",
    )
    assert out[-1] == "Added 10, updated 0, deactivated 0, unchanged 0."
    assert not Organisation.objects.filter(code="RXX").exists()


def test_a_rejected_units_file_does_not_create_the_organisation(db, tmp_path):
    path = write(
        tmp_path,
        "units.csv",
        b"unit_code,name,parent_code,level\nRXX,T,,organisation\nA,A,RXX,ward\n",
    )
    code, _, err = run_failing(
        "units", path, "--org", "RXX", "--create", "--name", "T", "--sector", "acute"
    )
    assert code == 1
    assert err == [
        'units.csv, row 3, column level: "ward" is not a unit level. Use one of: organisation, '
        "division, directorate, department, team.",
        "1 problem found; nothing was imported.",
    ]
    assert not Organisation.objects.filter(code="RXX").exists()
    assert not Unit.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["workforce", "{examples}/workforce.csv", "--org", "NOPE"],
            "no organisation with the code NOPE",
        ),
        (
            ["units", "{examples}/units.csv", "--org", "NOPE"],
            "--create --name NAME --sector SECTOR",
        ),
        (
            ["units", "{examples}/units.csv", "--org", "NEW1", "--create"],
            "--create needs --name and --sector",
        ),
        (
            [
                "units",
                "{examples}/units.csv",
                "--org",
                "new",
                "--create",
                "--name",
                "N",
                "--sector",
                "acute",
            ],
            "not a valid organisation code",
        ),
        (["units", "{examples}/missing.csv", "--org", "TST1"], "There is no file"),
    ],
)
def test_usage_errors_are_clear(trust, args, message):
    args = [a.replace("{examples}", str(EXAMPLES)) for a in args]
    with pytest.raises(CommandError, match=message):
        call_command("import", *args, stdout=io.StringIO(), stderr=io.StringIO())


def test_marking_many_people_as_leavers_needs_allow_leavers(trust, tmp_path):
    org = trust["org"]
    path = write(
        tmp_path,
        "two.csv",
        workforce_csv({"X1": new_person("X1", unit="W1"), "X2": new_person("X2")}),
    )
    out, _ = run("workforce", path, "--org", "TST1", "--dry-run")
    assert "12 people (100 % of current staff) would be marked as leavers: applying it " in (
        "\n".join(out)
    )
    with pytest.raises(CommandError) as refused:
        run("workforce", path, "--org", "TST1")
    assert "would mark 12 of 12 current staff as leavers" in str(refused.value)
    assert "run the same command again with --allow-leavers" in str(refused.value)
    assert Person.objects.for_org(org).current().count() == 12
    out, _ = run("workforce", path, "--org", "TST1", "--allow-leavers")
    assert out[-1] == "Added 2, updated 0, leavers 12, unchanged 0."
    assert Person.objects.for_org(org).current().count() == 2
