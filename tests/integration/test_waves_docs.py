"""docs/instruments.md stays true: its example instrument is valid, the faulty example fails
with exactly the problems shown, and the built-in instruments match the table."""

import re
from pathlib import Path

import pytest

from colead.surveys import definitions

DOC = Path(__file__).resolve().parents[2] / "docs" / "instruments.md"


def blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_example_instrument_is_valid():
    instrument = definitions.parse_instrument(blocks("yaml")[0], filename="team-pulse.yaml")
    assert instrument.code == "team-pulse"
    assert [item.code for item in instrument.items] == ["in_team", "tc1", "tc2", "say"]
    assert instrument.item("tc2").reverse and instrument.item("tc1").show_if.values == ("yes",)


def test_the_faulty_example_reports_the_problems_shown():
    with pytest.raises(definitions.InstrumentInvalid) as caught:
        definitions.parse_instrument(blocks("yaml")[1], filename="team-pulse.yaml")
    shown = blocks("text")[0].splitlines()[1:-1]
    assert [str(problem) for problem in caught.value.problems] == shown


def test_the_built_in_table_lists_every_built_in_instrument():
    text = DOC.read_text(encoding="utf-8")
    for instrument in definitions.builtin_instruments():
        assert f"| `{instrument.code}` | {instrument.title} |" in text
    pulse = next(i for i in definitions.builtin_instruments() if i.code == "culture-pulse")
    for code in pulse.dimensions:
        assert f"`{code}`" in text
