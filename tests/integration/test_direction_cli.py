"""``colead import objectives`` and ``colead objectives coverage``: output, exit status and
what they write, with every kind of problem an objectives file can have."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from colead.audit.models import AuditEvent
from colead.direction.models import AgreementAct, Objective
from tests.integration.direction_fixtures import golden_thread

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
HEADER = (
    "objective_code,title,level_unit_code,owner_employee_number,parent_codes,measure,"
    "baseline,target,direction,due_date,status,elements"
)
GOOD = f"""{HEADER}
ORG1,Outstanding care for every patient: 95% recommend us,TST1-ROOT,,,Friends and family test (% recommend),88,95,up,2027-03-31,active,vision_values
MED1,Medicine cuts waits to 6 weeks,MED,,ORG1,Median wait (weeks),12,6,down,2027-03-31,agreed,goals_performance
W1-A,Zero falls with harm on Ward 1,W1,,MED1,Falls with harm a quarter,3,0,down,2026-12-31,active,teamwork;learning_innovation
S1-A,Finish the preceptorship,W1,S1,W1-A,Modules done,0,6,up,2026-09-30,proposed,learning_innovation
T1-A,Improve theatre flow,T1,,,,,,,,draft,
"""


def run(command, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue().splitlines(), err.getvalue().splitlines()


def run_failing(*args):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import", *args, stdout=out, stderr=err)
    return exit_.value.code, out.getvalue().splitlines(), err.getvalue().splitlines()


def write(tmp_path, name, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_adds_objectives_with_parents_and_recorded_agreement(trust, tmp_path):
    out, err = run("import", "objectives", write(tmp_path, "o.csv", GOOD), "--org", "TST1")
    assert err == []
    assert out == [
        "Importing objectives from o.csv into Test Trust (TST1).",
        "3 agreement(s) recorded from the file's statuses.",
        "Added 5, updated 0, unchanged 0.",
    ]
    objectives = {o.code: o for o in Objective.objects.for_org(trust["org"])}
    w1 = objectives["W1-A"]
    assert (w1.unit.code, w1.status, w1.baseline, w1.target, w1.direction) == (
        "W1",
        "active",
        3.0,
        0.0,
        "down",
    )
    assert w1.elements == ["learning_innovation", "teamwork"]
    assert [p.code for p in w1.parents.all()] == ["MED1"]
    assert objectives["S1-A"].owner == trust["nurse_person"]
    assert objectives["ORG1"].agreed_at is not None
    assert objectives["S1-A"].agreed_at is None
    acts = sorted(AgreementAct.objects.values_list("objective__code", "act", "by_label"))
    assert acts == [
        ("MED1", "agreed", "system (cli)"),
        ("ORG1", "agreed", "system (cli)"),
        ("S1-A", "proposed", "system (cli)"),
        ("W1-A", "agreed", "system (cli)"),
    ]
    assert "import of o.csv" in AgreementAct.objects.first().comment
    event = AuditEvent.objects.get(action="import.objectives")
    assert event.detail["added"] == 5
    assert event.detail["agreements_recorded"] == 3

    # The same file again changes nothing.
    out, _ = run("import", "objectives", write(tmp_path, "o.csv", GOOD), "--org", "TST1")
    assert out[-2:] == [
        "No changes: the file matches the current objectives.",
        "Added 0, updated 0, unchanged 5.",
    ]
    assert AgreementAct.objects.count() == 4


def test_reimporting_changes_records_new_agreement_only_where_the_substance_changed(
    trust, tmp_path
):
    run("import", "objectives", write(tmp_path, "o.csv", GOOD), "--org", "TST1")
    changed = (
        GOOD.replace("Falls with harm a quarter,3,0", "Falls with harm a quarter,4,0")
        .replace("up,2027-03-31,agreed,goals", "up,2027-03-31,agreed,goals")
        .replace("vision_values", "vision_values;teamwork")
        .replace("2027-03-31,agreed,", "2027-03-31,draft,")
        .replace("T1-A,Improve theatre flow,T1,,,", "T1-A,Improve theatre flow,T1,,ORG1,")
    )
    out, _ = run(
        "import", "objectives", write(tmp_path, "o.csv", changed), "--org", "TST1", "--list"
    )
    assert "  updated   W1-A  Zero falls with harm on Ward 1  (baseline: 3 -> 4)" in out
    assert "  updated   MED1  Medicine cuts waits to 6 weeks  (status: agreed -> draft)" in out
    assert "  updated   T1-A  Improve theatre flow  (parent_codes:  -> ORG1)" in out
    assert out[-1] == "Added 0, updated 4, unchanged 1."
    objectives = {o.code: o for o in Objective.objects.for_org(trust["org"])}
    assert objectives["MED1"].agreed_at is None  # back to draft
    assert objectives["ORG1"].agreed_at is not None  # tags only: still agreed
    assert [p.code for p in objectives["T1-A"].parents.all()] == ["ORG1"]
    acts = list(AgreementAct.objects.order_by("id").values_list("objective__code", "act"))
    assert acts[4:] == [("W1-A", "agreed")]  # the substance of W1-A changed


def test_dry_run_writes_nothing(trust, tmp_path):
    out, _ = run(
        "import", "objectives", write(tmp_path, "o.csv", GOOD), "--org", "TST1", "--dry-run"
    )
    assert out[-2:] == ["Dry run: nothing was written.", "Added 5, updated 0, unchanged 0."]
    assert Objective.objects.count() == 0
    assert not AuditEvent.objects.filter(action="import.objectives").exists()


def test_an_xlsx_file_imports_like_a_csv(trust, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    for line in GOOD.strip().splitlines():
        sheet.append(line.split(","))
    sheet["J2"].value = __import__("datetime").datetime(2027, 3, 31)  # a real date cell
    sheet["G2"].value = 88  # a real number cell
    path = tmp_path / "o.xlsx"
    workbook.save(path)
    out, _ = run("import", "objectives", str(path), "--org", "TST1")
    assert out[-1] == "Added 5, updated 0, unchanged 0."
    org1 = Objective.objects.get(code="ORG1")
    assert (org1.due_date.isoformat(), org1.baseline) == ("2027-03-31", 88.0)


def test_every_kind_of_problem_is_reported_and_nothing_is_written(trust, tmp_path):
    bad = f"""{HEADER}
A,Loop start,W1,,C,,,,,,,
B,Loop middle,W1,,A,,,,,,,
C,Loop end,W1,,B,,,,,,,
D,Unknown parent,W1,,NOPE,,,,,,,
E,Unknown unit,W9,,,,,,,,,
F,Unknown owner,W1,X404,,,,,,,,
G,Outside the owner's tree,W2,S1,,,,,,,,
H,Bad date,W1,,,,,,,2027-13-01,,
I,Bad number,W1,,,,ten,,,,,
J,Bad direction,W1,,,,,,left,,,
K,Bad status,W1,,,,,,,,done,
L,Bad element,W1,,,,,,,,,kindness
A,Duplicate code,W1,,,,,,,,,
,No code,W1,,,,,,,,,
M,Own parent,W1,,M,,,,,,,
N,Another organisation's unit,OTH-ROOT,,,,,,,,,
O,Another organisation's person,W1,X1,,,,,,,,
"""
    code, out, err = run_failing("objectives", write(tmp_path, "bad.csv", bad), "--org", "TST1")
    assert code == 1
    assert err[-1] == "15 problems found; nothing was imported."
    expected = [
        ("row 2, column parent_codes", "form a loop: A → C → B → A"),
        ("row 5, column parent_codes", 'The parent "NOPE" is not an objective_code'),
        ("row 6, column level_unit_code", 'The unit "W9" is not one of'),
        ("row 7, column owner_employee_number", 'The owner "X404" is not an employee_number'),
        ("row 8, column level_unit_code", "must sit in its owner's unit tree"),
        ("row 9, column due_date", '"2027-13-01" is not a real date'),
        ("row 10, column baseline", '"ten" is not a number'),
        ("row 11, column direction", '"left" is not a direction'),
        ("row 12, column status", '"done" is not a status'),
        ("row 13, column elements", '"kindness" is not a cultural element'),
        ("row 14, column objective_code", 'The objective code "A" is also on row 2'),
        ("row 15, column objective_code", "The objective_code is blank"),
        ("row 16, column parent_codes", 'The objective "M" is listed as its own parent'),
        ("row 17, column level_unit_code", 'The unit "OTH-ROOT" is not one of'),
        ("row 18, column owner_employee_number", 'The owner "X1" is not an employee_number'),
    ]
    for place, message in expected:
        assert any(f"bad.csv, {place}: " in line and message in line for line in err), (
            place,
            message,
        )
    assert Objective.objects.count() == 0
    assert not AuditEvent.objects.filter(action="import.objectives").exists()


def test_a_file_whose_parents_loop_through_stored_objectives_is_refused(trust, tmp_path):
    golden_thread(trust)
    loop = f"{HEADER}\nORG1,Outstanding care,TST1-ROOT,,W1-A,,,,,,active,\n"
    code, _, err = run_failing("objectives", write(tmp_path, "loop.csv", loop), "--org", "TST1")
    assert code == 1
    assert "ORG1 → W1-A → CARD1 → MED1 → ORG1" in err[0]
    assert not Objective.objects.get(code="ORG1").parents.exists()


def test_unknown_organisation_and_file(trust, tmp_path):
    with pytest.raises(CommandError, match="no organisation with the code NOPE"):
        run("import", "objectives", write(tmp_path, "o.csv", GOOD), "--org", "NOPE")
    with pytest.raises(CommandError, match="There is no file"):
        run("import", "objectives", str(tmp_path / "missing.csv"), "--org", "TST1")


def test_the_documented_example_imports(db, tmp_path):
    run(
        "import",
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
    run("import", "workforce", str(EXAMPLES / "workforce.csv"), "--org", "RXX")
    out, err = run("import", "objectives", str(EXAMPLES / "objectives.csv"), "--org", "RXX")
    assert err == []
    assert out[-1] == "Added 8, updated 0, unchanged 0."
    out, _ = run("objectives", "coverage", "--org", "RXX", "--json")
    data = json.loads("\n".join(out))
    assert (data["teams"], data["teams_covered"], data["orphans"]) == (3, 1, 1)


# --- colead objectives coverage ------------------------------------------------------------


def test_coverage_json(trust):
    golden_thread(trust)
    out, err = run("objectives", "coverage", "--org", "tst1", "--json")
    assert err == []
    data = json.loads("\n".join(out))
    assert data["organisation"] == "TST1"
    assert data["team_coverage"] == pytest.approx(2 / 3, abs=1e-4)  # W1, W2 of W1, W2, T1
    assert 0 <= data["staff_coverage"] <= 1
    assert (data["teams"], data["teams_covered"], data["staff"]) == (3, 2, 12)
    assert [row["code"] for row in data["orphan_objectives"]] == ["T1-X"]
    assert data["uncovered_teams"] == ["T1"]
    assert [row["code"] for row in data["by_division"]] == ["MED", "SURG"]
    assert [(row["code"], row["parent_code"]) for row in data["by_directorate"]] == [
        ("CARD", "MED")
    ]
    assert data["by_division"][0]["team_coverage"] == 1.0


def test_coverage_text_and_settings(trust):
    golden_thread(trust)
    out, _ = run("objectives", "coverage", "--org", "TST1")
    assert out[0].startswith("Test Trust (TST1): objectives coverage on ")
    assert any("66.7%  (2 of 3)" in line for line in out)
    assert "By division" in out
    far_future = ["--as-of", "2030-01-01", "--stale-days", "30", "--thicket-limit", "1", "--json"]
    data = json.loads("\n".join(run("objectives", "coverage", "--org", "TST1", *far_future)[0]))
    assert data["stale"] == 6  # every agreed or active objective, never checked in
    assert data["settings"]["stale_days"] == 30


def test_coverage_refuses_unknown_organisations_and_bad_options(trust):
    with pytest.raises(CommandError, match='no organisation with the code "NOPE"'):
        run("objectives", "coverage", "--org", "NOPE")
    with pytest.raises(CommandError, match="not a date"):
        run("objectives", "coverage", "--org", "TST1", "--as-of", "tomorrow")
    with pytest.raises(CommandError, match="at least 1"):
        run("objectives", "coverage", "--org", "TST1", "--thicket-limit", "0")
