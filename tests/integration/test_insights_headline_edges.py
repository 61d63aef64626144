"""The organisation's headline and weighted scores at their edges: a reader whose scope is
one ward, an unknown format, an organisation's table with no row, and ``colead export
weighted`` writing to a file or refusing a wave it cannot read."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from colead.accounts.models import RoleAssignment
from colead.core.actor import Actor
from colead.insights import queries, weighting
from colead.insights import results as rs
from colead.lib.errors import Invalid, Refused
from tests.factories import UserFactory
from tests.integration.insights_fixtures import closed_wave
from tests.integration.waves_fixtures import make_wave

pytestmark = pytest.mark.django_db

COUNTS = {"W1": 14, "W2": 12, "T1": 12, "SURG": 6}


def test_a_ward_manager_without_a_staff_record_is_refused_the_organisations_headline(trust):
    """Every member of staff sees the organisation's published results; a manager who holds
    only their ward's results, with no staff record, does not."""
    closed_wave(trust, COUNTS)
    user = UserFactory(email="locum-manager@test.test")
    RoleAssignment.objects.create(
        user=user, organisation=trust["org"], role="manager", unit=trust["units"]["W1"]
    )
    manager = Actor(user=user)
    with pytest.raises(Refused, match="Test Trust is outside the units whose results you may see"):
        queries.organisation_headline(manager, organisation=trust["org"])


def test_the_weighted_scores_name_the_format_they_do_not_have(trust):
    wave = closed_wave(trust, COUNTS)
    with pytest.raises(Invalid) as refused:
        queries.organisation_scores(
            Actor.system("tests"), organisation=None, wave_id=wave.pk, fmt="xlsx"
        )
    assert refused.value.errors == {"format": "There is no format 'xlsx'. Use json or csv."}


def test_an_organisation_table_without_its_row_has_no_weighted_scores():
    empty = rs.ResultsTable(
        wave_id=1, title="Spring", threshold=5, level=0, breakdown=None, measures=(), rows=[]
    )
    assert weighting.organisation_scores(empty, None, {"medical_dental": 1.0}) == []


def test_export_weighted_writes_the_csv_to_the_file_it_is_given(trust, tmp_path):
    wave = closed_wave(trust, COUNTS)
    target = tmp_path / "weighted.csv"
    told, printed = io.StringIO(), io.StringIO()
    call_command(
        "export",
        "weighted",
        "--wave",
        str(wave.pk),
        "--output",
        str(target),
        stdout=printed,
        stderr=told,
    )
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert rows and "engagement" in {row["measure"] for row in rows}
    assert told.getvalue().strip() == f"Wrote {len(rows):,} rows to {target}."
    assert printed.getvalue() == ""


def test_export_weighted_of_an_unknown_wave_points_to_the_list_of_waves(trust):
    with pytest.raises(CommandError, match="There is no wave 999999.*colead waves list --org"):
        call_command("export", "weighted", "--wave", "999999")


def test_export_weighted_of_a_wave_still_open_says_why(trust):
    still_open = make_wave(trust, units=("TST1-ROOT",), threshold=5, launch=True)
    with pytest.raises(CommandError) as refused:
        call_command("export", "weighted", "--wave", str(still_open.pk))
    assert still_open.title in str(refused.value)
    assert "waves list" not in str(refused.value)
