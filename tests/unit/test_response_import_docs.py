"""docs/data-formats.md, "The responses file", stays true: the example files import, and
the problem lines shown are the ones colead prints."""

import csv
import io
import re
from pathlib import Path

import pytest

from colead.org.imports import ImportRejected, read_table
from colead.surveys import definitions
from colead.surveys.response_import import validate_responses

DOCS = Path(__file__).resolve().parents[2] / "docs"
SECTION = (
    DOCS.joinpath("data-formats.md").read_text(encoding="utf-8").split("## The responses file")[1]
)
SECTION = SECTION.split("\n## ")[0]
BUILTIN = {instrument.code: instrument for instrument in definitions.builtin_instruments()}
WAVE = [BUILTIN["culture-pulse"], BUILTIN["staff-engagement"]]
RXX_UNITS = ["RXX", "MED", "CARD", "CCU", "WARD7", "SURG", "THEA", "THEA-A", "CORP", "POD"]
TENURE = definitions.parse_instrument(
    "code: tenure\nversion: 1\ntitle: T\nitems:\n"
    '  - {code: tenure, type: number, min: 0, max: 60, text: "Years?"}\n'
)


def blocks(language: str, text: str = SECTION) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


def table(text: str | bytes, name: str):
    return read_table(text.encode() if isinstance(text, str) else text, name)


def lines_for(data, *, instruments=WAVE, mapping=None, wave_units=("RXX",)) -> list[str]:
    units = {code: index for index, code in enumerate(RXX_UNITS)}
    if list(wave_units) == ["MED"]:
        units = {code: units[code] for code in ("MED", "CARD", "CCU", "WARD7")}
    others = {code: "outside" for code in RXX_UNITS if code not in units}
    with pytest.raises(ImportRejected) as caught:
        validate_responses(
            table(data, "responses.csv"),
            instruments=instruments,
            units=units,
            other_units=others,
            wave_units=list(wave_units),
            organisation="Example NHS Foundation Trust (RXX)",
            mapping=table(mapping, "responses-map.csv") if mapping else None,
        )
    return [str(problem) for problem in caught.value.problems] + [str(caught.value)]


def test_the_example_files_import_into_the_example_wave():
    plan = validate_responses(
        table((DOCS / "examples" / "responses.csv").read_bytes(), "responses.csv"),
        instruments=WAVE,
        units={code: code for code in RXX_UNITS},
        mapping=table((DOCS / "examples" / "responses-map.csv").read_bytes(), "map.csv"),
    )
    assert plan.count == 8
    assert {r.unit for r in plan.responses} == {"CCU", "WARD7", "THEA-A"}
    assert plan.dont_know == 3
    assert plan.comments == 3
    # Every item of staff engagement comes from a mapped column.
    assert {plan.columns[c] for c in plan.columns if c.startswith("q")} == {
        "mo1",
        "mo2",
        "mo3",
        "in1",
        "in2",
        "in3",
        "ad1",
        "ad2",
        "ad3",
    }
    assert "Imported 8 responses into wave 1 (Paper pulse)." in SECTION


def test_the_mapping_example_is_the_start_of_the_example_mapping_file():
    shown = blocks("csv")[0]
    example = (DOCS / "examples" / "responses-map.csv").read_text(encoding="utf-8")
    assert example.startswith(shown)


def test_the_faulty_example_reports_exactly_the_problems_shown():
    data, mapping = blocks("csv")[1:3]
    assert lines_for(data, mapping=mapping) == blocks("text")[0].splitlines()


def _rows(header: str, row: int, cells: str, filler: str) -> str:
    """A file whose row ``row`` holds ``cells`` and whose other rows are valid."""
    lines = [header] + [filler] * (row - 2) + [cells]
    return "\n".join(lines) + "\n"


def test_the_other_problem_lines_are_what_colead_prints():
    team = [BUILTIN["team-working"]]
    printed = set()
    printed.update(
        lines_for(
            "unit_code,q2a,q9\nCCU,4,4\n",
            mapping="external_code,item_code\nq2a,mo1\n",
        )
    )
    printed.update(lines_for("mo1\n4\n"))
    printed.update(lines_for(_rows("unit_code,mo1", 7, "THEA-A,4", "CCU,4"), wave_units=("MED",)))
    printed.update(lines_for(_rows("unit_code,in_team", 5, "CCU,3", "CCU,1"), instruments=team))
    printed.update(lines_for(_rows("unit_code,tenure", 6, "CCU,75", "CCU,5"), instruments=[TENURE]))
    printed.update(
        lines_for(
            "unit_code,mo1\nCCU,4\n",
            mapping="external_code,item_code\nq2a,mo1\nq3c,in1\nq3d,in2\nq3c,in3\n",
        )
    )
    shown = blocks("text")[1].splitlines()
    assert len(shown) == 6
    for line in shown:
        if line.endswith("..."):
            assert any(p.startswith(line[:-3]) for p in printed), line
        else:
            assert line in printed, line


def test_the_example_file_is_valid_csv_with_one_column_per_heading():
    text = (DOCS / "examples" / "responses.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert all(len(row) == len(rows[0]) for row in rows)
