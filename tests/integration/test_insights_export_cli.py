"""``colead export heatmap``: CSV to standard output or a file, XLSX to a file, the same
protected rows as the page, clear errors naming the value and the fix, every export audited."""

import csv
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from colead.audit.models import AuditEvent
from colead.insights import exports
from tests.integration.insights_fixtures import closed_wave
from tests.integration.waves_fixtures import make_wave

pytestmark = pytest.mark.django_db

K = 5


@pytest.fixture
def wave(trust):
    return closed_wave(trust, {"W1": 14, "W2": 3, "T1": 12, "SURG": 6}, threshold=K)


def export(*args, capsys=None) -> str:
    call_command("export", "heatmap", *args)
    return capsys.readouterr().out if capsys else ""


def test_csv_goes_to_standard_output(wave, capsys):
    out = export("--wave", str(wave.pk), "--level", "3", "--format", "csv", capsys=capsys)
    lines = list(csv.DictReader(io.StringIO(out)))
    assert out.splitlines()[0] == ",".join(exports.COLUMNS)
    assert {line["unit_code"] for line in lines} == {"W1", "W2"}
    assert len(lines) == 2 * 12  # two units × 12 themes
    for line in lines:
        assert line["level"] == "3" and line["breakdown"] == ""
        assert line["suppressed"] in ("primary", "complementary")
        assert line["n"] == line["score"] == line["pct_positive"] == ""
    event = AuditEvent.objects.get(action="insights.heatmap_export")
    assert event.detail == {
        "level": 3,
        "breakdown": None,
        "group": None,
        "measures": "dimensions",
        "format": "csv",
        "rows": 24,
        "source": "cli",
        "scope": "organisation",
    }
    assert event.actor is None


def test_visible_rows_carry_every_number(wave, capsys):
    out = export("--wave", str(wave.pk), "--level", "1", "--format", "csv", capsys=capsys)
    lines = list(csv.DictReader(io.StringIO(out)))
    surgery = [line for line in lines if line["unit_code"] == "SURG"]
    assert len(surgery) == 12
    for line in surgery:
        assert line["suppressed"] == ""
        assert int(line["n"]) >= K
        assert float(line["ci_low"]) <= float(line["score"]) <= float(line["ci_high"])
        assert 0 <= float(line["pct_positive"]) <= 100
        assert line["comparison"] in ("better", "worse", "similar")


def test_by_staff_group_and_all_measures(wave, capsys):
    out = export(
        "--wave",
        str(wave.pk),
        "--level",
        "2",
        "--by",
        "staff_group",
        "--format",
        "csv",
        "--measures",
        "all",
        capsys=capsys,
    )
    lines = list(csv.DictReader(io.StringIO(out)))
    assert {line["breakdown"] for line in lines} == {
        "additional_clinical_services",
        "medical_dental",
        "nursing_midwifery_registered",
    }
    measures = {line["measure"] for line in lines}
    assert {"engagement", "mo1", "real_team"} <= measures
    banded = [line for line in lines if line["pct_positive_band"].endswith("%")]
    assert banded  # groups under 2k show percent positive as a band only
    assert all(int(line["n"]) < 2 * K for line in banded)
    # and nothing beside the band gives the count back (issue 11): no exact mean, no
    # interval of the mean or of the percentage; a mean band at most
    for line in banded:
        assert line["pct_positive"] == line["pct_low"] == line["pct_high"] == ""
        assert line["score"] == line["ci_low"] == line["ci_high"] == ""
        assert line["score_band"] == "" or re.fullmatch(r"[\d.]+–[\d.]+", line["score_band"])


def test_xlsx_to_a_file(wave, tmp_path):
    target = tmp_path / "heatmap.xlsx"
    call_command(
        "export",
        "heatmap",
        "--wave",
        str(wave.pk),
        "--level",
        "2",
        "--format",
        "xlsx",
        "--output",
        str(target),
    )
    workbook = load_workbook(target, read_only=True)
    sheet = workbook.active
    width = len(exports.COLUMNS)  # empty cells at the end of a row are not stored
    rows = [tuple(row) + (None,) * (width - len(row)) for row in sheet.iter_rows(values_only=True)]
    workbook.close()  # a read-only workbook keeps its file open until closed
    assert rows[0] == exports.COLUMNS
    assert len(rows) == 1 + 2 * 12
    suppressed = exports.COLUMNS.index("suppressed")
    numbers = [row[5] for row in rows[1:] if row[suppressed] is None]
    assert numbers and all(isinstance(n, int) for n in numbers)


def test_csv_to_a_file(wave, tmp_path):
    target = tmp_path / "heatmap.csv"
    call_command(
        "export",
        "heatmap",
        "--wave",
        str(wave.pk),
        "--level",
        "0",
        "--format",
        "csv",
        "--output",
        str(target),
    )
    assert target.read_text().startswith("unit_code,unit_name,level,")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--wave", "999999", "--level", "1"], "There is no wave 999999. See colead waves list"),
        (["--level", "7"], "There is no level 7 to show. Choose a level from 0 to 3"),
        (["--level", "1", "--by", "shoe"], "There is no breakdown 'shoe'. Use staff_group"),
        (["--level", "1", "--by", "sex"], "has no sex recorded with its responses"),
    ],
)
def test_errors_name_the_value_and_the_fix(wave, args, message):
    if "--wave" not in args:
        args = ["--wave", str(wave.pk), *args]
    with pytest.raises(CommandError, match=message.replace(".", r"\.").replace("(", r"\(")):
        call_command("export", "heatmap", *args, "--format", "csv")
    assert not AuditEvent.objects.filter(action="insights.heatmap_export").exists()


def test_xlsx_needs_an_output_file(wave):
    with pytest.raises(CommandError, match="give --output FILE.xlsx"):
        call_command(
            "export", "heatmap", "--wave", str(wave.pk), "--level", "1", "--format", "xlsx"
        )


def test_an_open_wave_has_no_heatmap(trust):
    wave = make_wave(trust, launch=True)
    with pytest.raises(CommandError, match="is still open: results are shown only once"):
        call_command("export", "heatmap", "--wave", str(wave.pk), "--level", "1", "--format", "csv")


def test_a_formula_in_a_unit_name_stays_text(wave, capsys):
    from colead.org.models import Unit

    Unit.objects.filter(code="SURG").update(name="=HYPERLINK(1)")
    out = export("--wave", str(wave.pk), "--level", "1", "--format", "csv", capsys=capsys)
    assert "'=HYPERLINK(1)" in out
