"""Importing survey responses gathered elsewhere: the service and ``colead import
responses``. All or nothing; what is stored; which waves and units are allowed."""

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from colead.audit.models import AuditEvent
from colead.core.actor import Actor
from colead.lib.errors import Conflict
from colead.org.models import Unit
from colead.surveys import services
from colead.surveys.imports import ImportRejected, import_responses
from colead.surveys.models import Ballot, Response, ResponseImport, Wave
from colead.surveys.services import WaveSettings
from tests.factories import UserFactory
from tests.integration.imports_files import to_xlsx
from tests.unit.test_response_import import EXTRAS

SYSTEM = Actor.system("tests")

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
pytestmark = pytest.mark.django_db


def make_wave(
    trust,
    *,
    instruments=("team-working", "staff-engagement", "paper-extras"),
    launch=True,
    units=("MED",),
):
    organisation = trust["org"]
    services.ensure_builtin_instruments(organisation=organisation, actor=SYSTEM)
    services.import_instrument(organisation=organisation, instrument=EXTRAS, actor=SYSTEM)
    wave = services.create_wave(
        organisation=organisation,
        settings=WaveSettings(
            title="Paper pulse", instruments=list(instruments), unit_codes=list(units)
        ),
        actor=SYSTEM,
    )
    if launch:
        wave = services.launch_wave(wave=wave, actor=SYSTEM)
    return wave


@pytest.fixture
def wave(trust):
    return make_wave(trust)


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


HEADER = ["unit_code", "staff_group", "band", "in_team", "tc1", "mo1", "in1", "shifts", "note"]
GOOD = [
    HEADER,
    [
        "W1",
        "Nursing and Midwifery Registered",
        "5",
        "1",
        "4",
        "5",
        "DK",
        "1;3",
        "Sam Nurse is kind",
    ],
    ["W2", "", "", "2", "5", "3", "2", "", ""],  # not in a team: tc1 dropped
    ["w1", "Students", "Band 2", "yes", "", "1", "dk", "night", ""],
]


def run_import(wave, rows=GOOD, **kwargs):
    return import_responses(
        wave=wave, content=csv_bytes(rows), filename="paper.csv", actor=SYSTEM, **kwargs
    )


def stored(wave):
    return sorted(
        Response.objects.filter(wave=wave).values_list(
            "reporting_unit__code", "demographics", "answers", "comments", "source"
        ),
        key=lambda r: (r[0], r[4], str(r[2])),
    )


# -- the service ---------------------------------------------------------------------------


def test_an_import_stores_every_row_as_an_anonymous_response(trust, wave):
    admin = UserFactory(email="od@test.test")
    result = import_responses(
        wave=wave,
        content=csv_bytes(GOOD),
        filename="paper.csv",
        actor=Actor.of_user(admin, source="web"),
    )
    assert (result.responses, result.hidden_dropped, result.rows_with_hidden) == (3, 1, 1)
    assert (result.dont_know, result.comments) == (2, 1)
    assert result.summary_line() == f"Imported 3 responses into wave {wave.pk} (Paper pulse)."
    assert result.hidden_line() == (
        "Dropped 1 answer to questions the form would not have asked (in 1 response)."
    )
    rows = Response.objects.filter(wave=wave)
    assert rows.count() == 3
    assert set(rows.values_list("source", flat=True)) == {"import"}
    assert set(rows.values_list("submitted_on", flat=True)) == {timezone.localdate()}
    by_unit = {}
    for response in rows.select_related("reporting_unit"):
        by_unit.setdefault(response.reporting_unit.code, []).append(response)
    w2 = by_unit["W2"][0]
    assert w2.answers == {"in_team": "no", "mo1": "3", "in1": "2"}
    assert w2.demographics == {} and w2.comments == {}
    first = next(r for r in by_unit["W1"] if r.comments)
    assert first.demographics == {"staff_group": "nursing_midwifery_registered", "band": "band_5"}
    assert first.answers == {
        "in_team": "yes",
        "tc1": "4",
        "mo1": "5",
        "in1": "dk",
        "shifts": ["day", "weekend"],
    }
    # Comments are masked as online comments are: Sam Nurse works in the trust.
    assert "Sam" not in first.comments["note"] and "Nurse" not in first.comments["note"]
    other = next(r for r in by_unit["W1"] if not r.comments)
    assert other.demographics == {"staff_group": "students", "band": "band_2"}
    assert other.answers["shifts"] == ["night"]
    # Nothing goes through the ballot box, and no invitation changes.
    assert not Ballot.objects.filter(wave=wave).exists()
    assert not wave.invitations.filter(responded=True).exists()
    record = ResponseImport.objects.get(wave=wave)
    assert (record.filename, record.rows, record.imported_by) == ("paper.csv", 3, admin)
    assert record.sha256 == result.sha256 and len(record.sha256) == 64
    event = AuditEvent.objects.get(action="survey.responses_import")
    assert event.actor == admin and event.organisation == trust["org"]
    assert event.detail["responses"] == 3 and event.detail["hidden_dropped"] == 1
    assert event.detail["wave"] == wave.pk and event.detail["filename"] == "paper.csv"


def test_one_bad_cell_means_nothing_is_written(wave):
    rows = [list(row) for row in GOOD]
    rows[2][5] = "7"
    rows.append(["NOPE", "", "", "", "", "", "", "", ""])
    with pytest.raises(ImportRejected) as caught:
        run_import(wave, rows)
    assert [(p.row, p.column) for p in caught.value.problems] == [
        (3, "mo1"),
        (5, "unit_code"),
        (5, None),
    ]
    assert str(caught.value) == "3 problems found; nothing was imported."
    assert not Response.objects.exists()
    assert not ResponseImport.objects.exists()
    assert not AuditEvent.objects.filter(action="survey.responses_import").exists()


def test_the_same_file_is_refused_a_second_time(wave):
    run_import(wave)
    with pytest.raises(Conflict) as caught:
        run_import(wave)
    today = timezone.localdate()
    assert str(caught.value) == (
        f"This file was already imported into Paper pulse on {today.day} "
        f"{today.strftime('%B %Y')} (as paper.csv, 3 responses). Importing it again would "
        "count those responses twice."
    )
    assert Response.objects.filter(wave=wave).count() == 3
    # A different file (one more row) is a different import.
    run_import(wave, [*GOOD, ["W2", "", "", "", "", "4", "", "", ""]])
    assert Response.objects.filter(wave=wave).count() == 7
    assert ResponseImport.objects.filter(wave=wave).count() == 2


def test_a_draft_wave_is_refused(trust):
    draft = make_wave(trust, launch=False)
    with pytest.raises(Conflict, match="Paper pulse is still a draft"):
        run_import(draft)
    assert not Response.objects.exists() and not ResponseImport.objects.exists()


def test_a_closed_wave_takes_imports_dated_the_day_it_closed(wave):
    wave = services.close_wave(wave=wave, actor=SYSTEM)
    closed_on = timezone.localdate(wave.closed_at)
    Wave.objects.filter(pk=wave.pk).update(closed_at=wave.closed_at - timedelta(days=3))
    wave.refresh_from_db()
    result = run_import(wave)
    assert result.responses == 3
    assert set(Response.objects.filter(wave=wave).values_list("submitted_on", flat=True)) == {
        closed_on - timedelta(days=3)
    }
    assert AuditEvent.objects.get(action="survey.responses_import").detail["wave_status"] == (
        "closed"
    )


def test_units_must_be_the_waves_and_the_organisations(trust, wave):
    rows = [
        ["unit_code", "mo1"],
        ["W1", "3"],
        ["OTH-ROOT", "3"],  # another organisation's unit
        ["T1", "3"],  # this organisation, outside the wave (MED)
        ["card", "3"],  # a unit above the teams is fine
    ]
    with pytest.raises(ImportRejected) as caught:
        run_import(wave, rows)
    assert [str(p) for p in caught.value.problems] == [
        'paper.csv, row 3, column unit_code: There is no unit "OTH-ROOT" in Test Trust '
        "(TST1). Use the unit_code of a unit in the wave: MED, or a unit below one.",
        'paper.csv, row 4, column unit_code: The unit "T1" is not one of this wave\'s units. '
        "Use the unit_code of a unit in the wave: MED, or a unit below one.",
    ]
    assert not Response.objects.exists()


def test_a_unit_deactivated_after_launch_still_takes_its_responses(trust, wave):
    Unit.objects.filter(code="W2").update(is_active=False)  # launched with W2 invited
    Unit.objects.filter(code="CARD").update(is_active=False)  # nobody invited in CARD itself
    with pytest.raises(ImportRejected) as caught:
        run_import(wave, [["unit_code", "mo1"], ["W2", "3"], ["CARD", "3"]])
    assert [(p.row, p.message) for p in caught.value.problems] == [
        (3, 'The unit "CARD" is no longer active, and was not surveyed in this wave.')
    ]
    run_import(wave, [["unit_code", "mo1"], ["W2", "3"]])
    assert Response.objects.get(wave=wave).reporting_unit.code == "W2"


def test_an_about_you_instrument_takes_staff_group_and_band_into_its_options(trust):
    wave = make_wave(trust, instruments=("culture-pulse", "demographics"))
    run_import(
        wave,
        [
            ["unit_code", "staff_group", "band", "sex", "vv1", "comment"],
            ["W1", "Nursing and Midwifery Registered", "6", "1", "4", "Fine"],
        ],
    )
    response = Response.objects.get(wave=wave)
    assert response.demographics == {
        "staff_group": "nursing_midwifery_registered",
        "band": "band_5_7",
        "sex": "female",
    }
    assert response.answers == {"vv1": "4"} and response.comments == {"comment": "Fine"}


def test_a_mapping_file_renames_columns(wave):
    rows = [["Unit", "Q2A", "q3c"], ["W1", "4", "DK"], ["W2", "5", "2"]]
    mapping = [
        ["external_code", "item_code"],
        ["unit", "unit_code"],
        ["q2a", "mo1"],
        ["q3c", "in1"],
    ]
    result = import_responses(
        wave=wave,
        content=csv_bytes(rows),
        filename="nss.csv",
        mapping_content=csv_bytes(mapping),
        mapping_filename="nss-map.csv",
        actor=SYSTEM,
    )
    assert result.responses == 2
    assert sorted(r.answers["mo1"] for r in Response.objects.filter(wave=wave)) == ["4", "5"]
    assert AuditEvent.objects.get(action="survey.responses_import").detail["mapping"] == (
        "nss-map.csv"
    )


def test_an_xlsx_file_is_read_like_a_csv(wave):
    columns = ["unit_code", "mo1", "in1", "shifts"]
    rows = [{"unit_code": "W1", "mo1": 4, "in1": "DK", "shifts": "1;2"}]
    result = import_responses(
        wave=wave, content=to_xlsx(rows, columns), filename="paper.xlsx", actor=SYSTEM
    )
    assert result.responses == 1
    assert Response.objects.get(wave=wave).answers == {
        "mo1": "4",
        "in1": "dk",
        "shifts": ["day", "night"],
    }


def test_a_dry_run_writes_nothing(wave):
    result = run_import(wave, dry_run=True)
    assert result.responses == 3 and result.dry_run
    assert result.summary_line() == f"Would import 3 responses into wave {wave.pk} (Paper pulse)."
    assert not Response.objects.exists() and not ResponseImport.objects.exists()


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_randomly_corrupted_file_is_imported_whole_or_not_at_all(wave, data):
    rows = [list(row) for row in GOOD]
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        row = data.draw(st.integers(min_value=1, max_value=len(rows) - 1))
        column = data.draw(st.integers(min_value=0, max_value=len(HEADER) - 1))
        rows[row][column] = data.draw(
            st.sampled_from(["", "0", "6", "DK", "x", "NOPE", "T1", "3;9", "Band 10", "2"])
        )
    before = Response.objects.count(), ResponseImport.objects.count()
    try:
        result = run_import(wave, rows)
    except ImportRejected as rejected:
        assert (Response.objects.count(), ResponseImport.objects.count()) == before
        for problem in rejected.problems:
            assert problem.file == "paper.csv"
            assert problem.row is None or 1 <= problem.row <= len(rows)
            assert problem.column is None or problem.column in HEADER
        return
    except Conflict:  # the same content as an earlier example: refused, nothing written
        assert (Response.objects.count(), ResponseImport.objects.count()) == before
        return
    assert Response.objects.count() == before[0] + result.responses == before[0] + len(rows) - 1
    assert ResponseImport.objects.count() == before[1] + 1


# -- the command ---------------------------------------------------------------------------


def write(tmp_path, name, rows) -> str:
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows) if isinstance(rows, list) else rows)
    return str(path)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import", "responses", *args, stdout=out, stderr=err)
    return out.getvalue().splitlines(), err.getvalue().splitlines()


def run_failing(*args):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import", "responses", *args, stdout=out, stderr=err)
    return exit_.value.code, out.getvalue().splitlines(), err.getvalue().splitlines()


def test_the_command_imports_and_says_what_it_did(wave, tmp_path):
    path = write(tmp_path, "paper.csv", GOOD)
    out, err = run(path, "--wave", str(wave.pk))
    assert out == [
        f"Importing responses from paper.csv into wave {wave.pk} (Paper pulse, TST1).",
        "Dropped 1 answer to questions the form would not have asked (in 1 response).",
        f"Imported 3 responses into wave {wave.pk} (Paper pulse).",
    ]
    assert err == []
    assert Response.objects.filter(wave=wave).count() == 3


def test_the_command_prints_every_problem_and_exits_1(wave, tmp_path):
    rows = [["unit_code", "mo1", "q9"], ["W1", "6", ""], ["T1", "3", ""]]
    code, out, err = run_failing(write(tmp_path, "paper.csv", rows), "--wave", str(wave.pk))
    assert code == 1
    assert err[0].startswith('paper.csv, row 1, column q9: Unknown column "q9"')
    assert err[1] == (
        'paper.csv, row 2, column mo1: "6" is not an answer to mo1, which has options 1 to 5. '
        "Use the option number (1 = Never to 5 = Always), or leave the cell blank."
    )
    assert err[2].startswith('paper.csv, row 3, column unit_code: The unit "T1"')
    assert err[-1] == "3 problems found; nothing was imported."
    assert not Response.objects.exists()


def test_the_command_with_a_mapping_and_a_dry_run(wave, tmp_path):
    data = write(tmp_path, "nss.csv", [["unit_code", "q2a"], ["W1", "4"]])
    mapping = write(tmp_path, "map.csv", [["external_code", "item_code"], ["q2a", "mo1"]])
    out, _ = run(data, "--wave", str(wave.pk), "--map", mapping, "--dry-run")
    assert out[-2:] == [
        "Dry run: nothing was written.",
        f"Would import 1 response into wave {wave.pk} (Paper pulse).",
    ]
    assert not Response.objects.exists()
    bad = write(tmp_path, "bad-map.csv", [["external_code", "item_code"], ["q2a", "zz"]])
    code, _, err = run_failing(data, "--wave", str(wave.pk), "--map", bad)
    assert code == 1
    assert err[0].startswith('bad-map.csv, row 2, column item_code: There is no item "zz"')


def test_the_command_refuses_a_draft_a_missing_wave_and_a_repeat(trust, wave, tmp_path):
    path = write(tmp_path, "paper.csv", GOOD)
    draft = make_wave(trust, launch=False)
    with pytest.raises(CommandError, match="still a draft"):
        run(path, "--wave", str(draft.pk))
    with pytest.raises(CommandError, match="There is no wave 999"):
        run(path, "--wave", "999")
    with pytest.raises(CommandError, match="There is no mapping file"):
        run(path, "--wave", str(wave.pk), "--map", str(tmp_path / "none.csv"))
    run(path, "--wave", str(wave.pk))
    with pytest.raises(CommandError, match="already imported into Paper pulse"):
        run(path, "--wave", str(wave.pk))


def test_the_documented_example_imports(db):
    def command(*args):
        out = io.StringIO()
        call_command(*args, stdout=out, stderr=io.StringIO())
        return out.getvalue().splitlines()

    command(
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
    command("import", "workforce", str(EXAMPLES / "workforce.csv"), "--org", "RXX")
    wave_id = command(
        "waves",
        "create",
        "--org",
        "RXX",
        "--title",
        "Paper pulse",
        "--instruments",
        "culture-pulse,staff-engagement",
        "--units",
        "RXX",
    )[-1]
    command("waves", "launch", wave_id)
    out = command(
        "import",
        "responses",
        str(EXAMPLES / "responses.csv"),
        "--wave",
        wave_id,
        "--map",
        str(EXAMPLES / "responses-map.csv"),
    )
    assert out == [
        f"Importing responses from responses.csv into wave {wave_id} (Paper pulse, RXX).",
        f"Imported 8 responses into wave {wave_id} (Paper pulse).",
    ]
    comments = [r.comments["comment"] for r in Response.objects.all() if r.comments]
    assert len(comments) == 3
    assert not any("Gareth" in text or "Evans" in text for text in comments)


@pytest.mark.slow_test
def test_twenty_thousand_rows_are_all_imported(trust, wave):
    """Every row of a large file is stored (the time it takes is measured by
    bench/response_import.py)."""
    header = ["unit_code", "staff_group", "band", "in_team", "tc1", "tc2", "mo1", "mo2", "mo3"]
    header += ["in1", "in2", "in3", "ad1", "ad2", "ad3", "tenure", "shifts", "site", "note"]
    rows = [header]
    for i in range(20_000):
        rows.append(
            [
                ("W1", "W2", "CARD")[i % 3],
                ("Students", "Medical and Dental", "")[i % 3],
                str(i % 7 + 1),
                str(i % 2 + 1),
                *(str((i + k) % 5 + 1) for k in range(11)),
                str(i % 60),
                ("1;2", "3", "")[i % 3],
                ("1", "2", "DK")[i % 3],
                "Comment from Sam" if i % 10 == 0 else "",
            ]
        )
    result = run_import(wave, rows)
    assert result.responses == 20_000
    assert Response.objects.filter(wave=wave).count() == 20_000


def test_submitted_on_is_never_in_the_future(wave):
    Wave.objects.filter(pk=wave.pk).update(closes_on=date(2099, 1, 1))
    wave.refresh_from_db()
    result = run_import(wave)
    assert result.submitted_on == timezone.localdate()
