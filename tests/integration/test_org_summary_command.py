"""`colead org summary --org CODE [--json]` on the shared test trust (tests/conftest.py)."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from colead.org.models import Person

# TST1 by hand: W1 has Mary (band 7) and 4 nurses, W2 3 nurses, T1 4 band-3 HCAs: 12 people
# in 7 units. Nurses default to band 5. Mary is the only leader; of the two posts she holds
# one, and the other (critical) is vacant.
EXPECTED = {
    "organisation": "TST1",
    "name": "Test Trust",
    "people_total": 12,
    "units_total": 7,
    "units_by_level": {
        "organisation": 1,
        "division": 2,
        "directorate": 1,
        "department": 0,
        "team": 3,
    },
    "people_by_staff_group": {
        "Additional clinical services": 4,
        "Registered nursing and midwifery": 8,
    },
    "people_by_band": {"Band 3": 4, "Band 5": 7, "Band 7": 1},
    "leaders": 1,
    "leadership_posts": {"filled": 1, "vacant": 1, "critical_vacant": 1},
}


def summary(*args):
    out = io.StringIO()
    call_command("org", "summary", *args, stdout=out)
    return out.getvalue()


def test_json_has_every_count(trust):
    assert json.loads(summary("--org", "TST1", "--json")) == EXPECTED


def test_counts_only_current_people_of_that_organisation(trust):
    Person.objects.filter(employee_number="T1-0").update(leaving_date="2026-01-31")
    data = json.loads(summary("--org", "tst1", "--json"))  # codes are matched in capitals
    assert data["people_total"] == 11
    assert data["people_by_staff_group"]["Additional clinical services"] == 3
    other = json.loads(summary("--org", "OTH1", "--json"))
    assert (other["people_total"], other["units_total"], other["leaders"]) == (1, 1, 0)


def test_table_without_json(trust):
    lines = summary("--org", "TST1").splitlines()
    assert lines[0] == "Test Trust (TST1)"
    rows = {line.split("  ")[1].strip(): line.split() for line in lines if line.startswith("  ")}
    assert rows["People (current)"][-1] == "12"
    assert rows["Leadership posts vacant"][-1] == "1"
    assert rows["Team"][-1] == "3"
    assert rows["Registered nursing and midwifery"][-2:] == ["8", "66.7%"]
    assert rows["Band 3"][-2:] == ["4", "33.3%"]


def test_unknown_organisation_is_a_clear_error(trust):
    with pytest.raises(CommandError, match='no organisation with the code "NOPE"') as error:
        summary("--org", "NOPE")
    assert "Known codes: OTH1, TST1." in str(error.value)
    assert error.value.returncode == 1  # what `colead` exits with


def test_summary_needs_an_organisation(db):
    with pytest.raises(CommandError, match="--org"):
        summary()
