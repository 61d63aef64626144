"""Exporting objectives (colead.direction.exports): ``colead objectives export``, the golden
thread page's download and ``GET /api/v1/organisations/{org}/direction/export``.

The key property is the round trip: the exported file, imported into the same organisation,
changes nothing; imported into a fresh organisation with the same units and people, it
makes the same objectives (codes, parents and every field). Also: CSV to standard output,
XLSX to a file, formulas guarded, who may export, and the audit event of every export."""

import csv
import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from colead.accounts.models import ApiToken
from colead.audit.models import AuditEvent
from colead.core.actor import Actor
from colead.direction import exports, queries, services
from colead.direction.imports import COLUMNS
from colead.direction.models import AgreementAct, Objective
from colead.lib.errors import Refused
from colead.org.models import Person, TeamMembership, Unit
from tests.factories import OrganisationFactory, PersonFactory, UnitFactory
from tests.integration.direction_fixtures import SYSTEM, as_user, golden_thread, make

HEADER = ",".join(COLUMNS)
CLI = Actor.system("cli")


@pytest.fixture
def thread(trust):
    """The golden thread, and objectives with every kind of value: several parents, a
    fraction, no measure or date, elements, an individual objective above its owner's team,
    a title with commas, quotes and a dash, and the later statuses."""
    made = golden_thread(trust)
    made["W2-B"] = make(
        trust,
        "W2-B",
        "W2",
        parents=("CARD1", "SURG1"),
        title='Cut "did not attend" rates, ward 2 – by half',
        measure="",
        baseline=12.5,
        target=0.1 + 0.2,
        direction="down",
        due_date=None,
        elements=["teamwork", "goals_performance"],
        status="achieved",
    )
    made["M1-A"] = make(
        trust,
        "M1-A",
        "CARD",
        parents=("CARD1",),
        owner=trust["manager_person"],
        baseline=None,
        target=None,
        status="proposed",
    )
    made["T1-D"] = make(trust, "T1-D", "T1", status="dropped", direction="up")
    return made


def export_cli(*args, capsys) -> str:
    call_command("objectives", "export", *args)
    return capsys.readouterr().out


def import_file(organisation, content: bytes, filename: str, *, dry_run=False):
    return services.import_objectives(
        organisation=organisation,
        content=content,
        filename=filename,
        actor=SYSTEM,
        dry_run=dry_run,
    )


def twin_organisation(trust):
    """A fresh organisation with the same units, people and teams as TST1 (no objectives)."""
    twin = OrganisationFactory(code="TST2", name="Twin Trust", sector="acute")
    units = {}
    for unit in Unit.objects.for_org(trust["org"]).order_by("path"):
        units[unit.code] = UnitFactory(
            organisation=twin,
            code=unit.code,
            name=unit.name,
            level=unit.level,
            parent=units[unit.parent.code] if unit.parent_id else None,
        )
    for person in Person.objects.for_org(trust["org"]).select_related("primary_unit"):
        twin_person = PersonFactory(
            organisation=twin,
            primary_unit=units[person.primary_unit.code],
            employee_number=person.employee_number,
            first_name=person.first_name,
            last_name=person.last_name,
        )
        for membership in TeamMembership.objects.filter(person=person).select_related("unit"):
            TeamMembership.objects.create(person=twin_person, unit=units[membership.unit.code])
    return twin


# -- the command --------------------------------------------------------------------------


def test_csv_goes_to_standard_output_in_the_import_columns_parents_first(thread, capsys):
    out = export_cli("--org", "TST1", "--format", "csv", capsys=capsys)
    lines = out.splitlines()
    assert lines[0] == HEADER
    rows = list(csv.DictReader(io.StringIO(out)))
    # Level by level (objectives with no parent first), by code within a level.
    assert [row["objective_code"] for row in rows] == [
        "ORG1",
        "T1-D",
        "T1-X",
        "MED1",
        "SURG1",
        "CARD1",
        "M1-A",
        "W1-A",
        "W2-A",
        "W2-B",
        "S1-A",
    ]
    assert (
        "W1-A,Objective W1-A: cut waits from 10 to 5 days,W1,,CARD1,Median wait (days),10,5,"
        "down,2027-03-31,active," in lines
    )
    by_code = {row["objective_code"]: row for row in rows}
    assert by_code["W2-B"] == {
        "objective_code": "W2-B",
        "title": 'Cut "did not attend" rates, ward 2 – by half',
        "level_unit_code": "W2",
        "owner_employee_number": "",
        "parent_codes": "CARD1;SURG1",
        "measure": "",
        "baseline": "12.5",
        "target": "0.30000000000000004",
        "direction": "down",
        "due_date": "",
        "status": "achieved",
        "elements": "goals_performance;teamwork",
    }
    assert by_code["S1-A"]["owner_employee_number"] == "S1"
    assert by_code["M1-A"]["baseline"] == by_code["M1-A"]["target"] == ""
    event = AuditEvent.objects.get(action="objectives.export")
    assert event.actor is None
    assert event.organisation == thread["ORG1"].organisation
    assert event.actor_label == "system (cli)"
    assert event.detail == {"format": "csv", "rows": 11, "source": "cli"}


def test_xlsx_goes_to_a_file_with_numbers_and_dates_as_such(thread, tmp_path, capsys):
    path = tmp_path / "objectives.xlsx"
    assert (
        export_cli("--org", "tst1", "--format", "xlsx", "--output", str(path), capsys=capsys) == ""
    )
    book = load_workbook(path)
    try:
        sheet = book.worksheets[0]
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    finally:
        book.close()
    assert tuple(rows[0]) == COLUMNS
    w1 = dict(zip(COLUMNS, next(r for r in rows if r[0] == "W1-A"), strict=True))
    assert (w1["baseline"], w1["target"], w1["due_date"].date()) == (10, 5, date(2027, 3, 31))
    assert w1["parent_codes"] == "CARD1"
    assert AuditEvent.objects.get(action="objectives.export").detail["format"] == "xlsx"


def test_the_command_reports_what_it_wrote_and_refuses_clearly(thread, tmp_path, capsys):
    path = tmp_path / "o.csv"
    call_command("objectives", "export", "--org", "TST1", "--format", "csv", "--output", str(path))
    assert capsys.readouterr().err.strip() == f"Wrote 11 objectives to {path}."
    assert path.read_text(encoding="utf-8").splitlines()[0] == HEADER
    with pytest.raises(CommandError, match="cannot go to standard output: give --output"):
        call_command("objectives", "export", "--org", "TST1", "--format", "xlsx")
    with pytest.raises(CommandError, match='no organisation with the code "NOPE". Known codes'):
        call_command("objectives", "export", "--org", "NOPE", "--format", "csv")
    assert AuditEvent.objects.filter(action="objectives.export").count() == 1


def test_an_organisation_with_no_objectives_exports_the_heading_only(trust, capsys):
    assert export_cli("--org", "TST1", "--format", "csv", capsys=capsys) == HEADER + "\n"


# -- the round trip -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_re_importing_the_export_into_the_same_organisation_changes_nothing(thread, trust, fmt):
    org = trust["org"]
    made = queries.objectives_export(actor=CLI, organisation=org, fmt=fmt)
    before = exports.load(org)
    acts = AgreementAct.objects.count()
    plan = import_file(org, made.content, made.filename, dry_run=True)
    assert (plan.added, plan.updated, plan.unchanged) == (0, 0, 11)
    result = import_file(org, made.content, made.filename)
    assert result.no_changes and result.agreements_recorded == 0
    assert exports.load(org) == before
    assert AgreementAct.objects.count() == acts
    assert not AuditEvent.objects.filter(action="import.objectives").exists()  # nothing written


def test_the_cli_dry_run_of_the_exported_file_reports_no_changes(thread, tmp_path, capsys):
    path = tmp_path / "objectives.csv"
    call_command("objectives", "export", "--org", "TST1", "--format", "csv", "--output", str(path))
    out = io.StringIO()
    call_command("import", "objectives", str(path), "--org", "TST1", "--dry-run", stdout=out)
    assert out.getvalue().splitlines()[-3:] == [
        "Dry run: nothing was written.",
        "No changes: the file matches the current objectives.",
        "Added 0, updated 0, unchanged 11.",
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_importing_the_export_into_a_fresh_organisation_makes_the_same_objectives(
    thread, trust, fmt
):
    made = queries.objectives_export(actor=CLI, organisation=trust["org"], fmt=fmt)
    twin = twin_organisation(trust)
    result = import_file(twin, made.content, made.filename)
    assert (result.added, result.updated) == (11, 0)
    assert exports.load(twin) == exports.load(trust["org"])
    copied = {o.code: o for o in Objective.objects.for_org(twin).select_related("owner", "unit")}
    assert copied["S1-A"].owner.organisation == twin
    assert copied["W2-B"].unit.organisation == twin
    assert sorted(p.code for p in copied["W2-B"].parents.all()) == ["CARD1", "SURG1"]
    # Agreed, active and achieved objectives come with their agreement recorded.
    assert copied["W2-B"].agreed_at is not None and copied["M1-A"].agreed_at is None
    # And the twin's own export is the same file.
    again = queries.objectives_export(actor=CLI, organisation=twin, fmt="csv")
    original = queries.objectives_export(actor=CLI, organisation=trust["org"], fmt="csv")
    assert again.content == original.content


def test_a_formula_in_a_title_is_guarded_in_csv_and_exact_in_xlsx(thread, trust):
    """CSV cells that a spreadsheet would run get a leading ', which the import takes off
    again; XLSX round-trips exactly."""
    org = trust["org"]
    make(trust, "EVIL", "T1", title='=HYPERLINK("http://evil.example","x")', measure="@risk")
    csv_export = queries.objectives_export(actor=CLI, organisation=org, fmt="csv")
    row = next(
        r
        for r in csv.DictReader(io.StringIO(csv_export.content.decode()))
        if r["objective_code"] == "EVIL"
    )
    assert row["title"] == '\'=HYPERLINK("http://evil.example","x")'
    assert row["measure"] == "'@risk"
    # The import takes the guard off again: nothing to change.
    plan = import_file(org, csv_export.content, "o.csv", dry_run=True)
    assert plan.updated_items == []
    xlsx_export = queries.objectives_export(actor=CLI, organisation=org, fmt="xlsx")
    book = load_workbook(io.BytesIO(xlsx_export.content))
    try:
        cell = next(r for r in book.worksheets[0].iter_rows() if r[0].value == "EVIL")[1]
        assert (cell.value, cell.data_type) == ('=HYPERLINK("http://evil.example","x")', "s")
    finally:
        book.close()
    assert import_file(org, xlsx_export.content, "o.xlsx", dry_run=True).no_changes


# -- what the export reads ----------------------------------------------------------------


def test_a_viewer_gets_only_what_they_may_see_and_only_those_parents(thread, trust, persona_users):
    org = trust["org"]
    make(trust, "W1-B", "W1", parents=("W1-A", "T1-X"))  # T1-X is outside the manager's view
    everything = {o.code: o for o in exports.load(org)}
    assert everything["W1-B"].parent_codes == ("T1-X", "W1-A")
    seen = {o.code: o for o in exports.load(org, viewer=persona_users["manager"])}
    assert sorted(seen) == ["CARD1", "M1-A", "MED1", "ORG1", "S1-A", "W1-A", "W1-B"]
    assert seen["W1-B"].parent_codes == ("W1-A",)
    # The export itself is whole or nothing: a manager's part would not re-import.
    with pytest.raises(Refused, match="see every objective"):
        queries.objectives_export(
            actor=as_user(persona_users["manager"]), organisation=org, fmt="csv"
        )
    assert not AuditEvent.objects.filter(action="objectives.export").exists()
    # Board members see the organisation: nothing is left out.
    board = queries.objectives_export(
        actor=as_user(persona_users["board"]), organisation=org, fmt="csv"
    )
    assert board.rows == len(everything)
    assert AuditEvent.objects.get(action="objectives.export").detail["source"] == "web"


def test_the_export_reads_a_fixed_number_of_queries(thread, trust):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            queries.objectives_export(actor=CLI, organisation=trust["org"], fmt="csv")
        return len(captured)

    few = count_queries()
    for index in range(15):
        make(trust, f"MORE-{index}", "W2", parents=("W2-A", "CARD1"))
    assert count_queries() == few <= 3  # objectives, alignments, the audit event


def test_another_organisations_objectives_never_appear(thread, trust):
    other = trust["other"]
    make(
        {"org": other, "units": trust["units"]},
        "OTHER-1",
        "OTH-ROOT",
        title="Another trust's objective",
    )
    assert [o.code for o in exports.load(other)] == ["OTHER-1"]
    assert "OTHER-1" not in {o.code for o in exports.load(trust["org"])}


# -- the page -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["board", "od", "admin"])
def test_those_who_see_the_whole_organisation_download_csv_and_excel(thread, client_for, persona):
    client = client_for(persona)
    response = client.get("/direction/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="objectives-TST1-')
    assert response["Cache-Control"] == "no-store"
    assert response.content.decode().splitlines()[0] == HEADER
    assert len(response.content.decode().splitlines()) == 12
    response = client.get("/direction/export/", {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].endswith('.xlsx"')
    events = AuditEvent.objects.filter(action="objectives.export").order_by("pk")
    assert [(e.actor.email, e.detail["format"], e.detail["source"]) for e in events] == [
        (f"{persona}@test.test", "csv", "web"),
        (f"{persona}@test.test", "xlsx", "web"),
    ]


def test_a_bad_format_is_refused_naming_the_choices(thread, client_for):
    response = client_for("board").get("/direction/export/", {"format": "pdf"})
    assert response.status_code == 400
    assert response.content.decode() == "There is no format 'pdf'. Use csv or xlsx.\n"
    assert not AuditEvent.objects.filter(action="objectives.export").exists()


@pytest.mark.parametrize("persona", ["manager", "staff", "change"])
def test_managers_and_staff_may_not_export(thread, client_for, persona):
    """A manager sees only a subtree: the download is for the whole thread, so it is not
    offered, and the address is 403."""
    client = client_for(persona)
    assert client.get("/direction/export/").status_code == 403
    page = client.get("/direction/").content.decode()
    assert "Download objectives" not in page
    assert not AuditEvent.objects.filter(action="objectives.export").exists()


def test_the_golden_thread_page_links_to_both_downloads(thread, client_for):
    page = client_for("board").get("/direction/").content.decode()
    assert '<a href="/direction/export/?format=csv">Download objectives (CSV)</a>' in page
    assert '<a href="/direction/export/?format=xlsx">Download objectives (Excel)</a>' in page


# -- the API ------------------------------------------------------------------------------


@pytest.fixture
def api(client, persona_users):
    def call(persona, **params):
        token = ApiToken.generate(user=persona_users[persona], name="test")[1]
        return client.get(
            "/api/v1/organisations/TST1/direction/export",
            params,
            headers={"Authorization": f"Bearer {token}"},
        )

    return call


def test_the_api_gives_the_same_file(thread, api, trust):
    response = api("board")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    page = exports.to_csv(exports.in_thread_order(exports.load(trust["org"])))
    assert response.content.decode() == page
    response = api("od", format="xlsx")
    assert response.status_code == 200
    assert response.content.startswith(b"PK\x03\x04")
    assert import_file(trust["org"], response.content, "o.xlsx", dry_run=True).no_changes
    events = AuditEvent.objects.filter(action="objectives.export").order_by("pk")
    assert [(e.detail["format"], e.detail["source"]) for e in events] == [
        ("csv", "api"),
        ("xlsx", "api"),
    ]


def test_the_api_refuses_those_who_do_not_see_everything_and_bad_formats(thread, api):
    for persona in ("manager", "staff"):
        assert api(persona).status_code == 403
    response = api("board", format="pdf")
    assert response.status_code == 422
    assert json.loads(response.content)["detail"][0]["loc"] == ["query", "format"]
    assert not AuditEvent.objects.filter(action="objectives.export").exists()
