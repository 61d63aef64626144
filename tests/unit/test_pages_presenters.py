"""The presenters of the organisation and audit pages, without a database."""

from collections import Counter
from datetime import UTC, date, datetime

from django.core.paginator import Paginator
from django.test import RequestFactory

from colead.accounts.audit_log.presenters import AuditFilterForm, action_items, csv_row, error_list
from colead.audit.models import AuditEvent
from colead.core.pagination import pagination_params
from colead.lib.spreadsheet import csv_safe
from colead.org import reference
from colead.org.models import PersonChange, ProtectedCharacteristics, Unit
from colead.org.presenters import (
    change_rows,
    ordered_counts,
    path_ids,
    protected_rows,
)
from colead.org.queries import UnitListing


def test_path_ids_reads_the_materialised_path_root_first():
    assert path_ids("/00000001/00000007/00000012/") == [1, 7, 12]
    assert path_ids("/") == []


def _units(paths: dict[int, str]) -> list[Unit]:
    return [Unit(pk=pk, path=path) for pk, path in sorted(paths.items(), key=lambda i: i[1])]


def test_headcounts_roll_up_to_every_ancestor_in_view():
    paths = {
        1: "/00000001/",
        2: "/00000001/00000002/",
        3: "/00000001/00000002/00000003/",
        4: "/00000001/00000004/",
    }
    direct = Counter({3: 5, 2: 1, 4: 4, 99: 100})  # 99: a unit not shown (another scope)
    assert UnitListing(_units(paths), direct).totals == {1: 10, 2: 6, 3: 5, 4: 4}


def test_headcounts_of_a_scoped_subtree_ignore_ancestors_out_of_view():
    paths = {2: "/00000001/00000002/", 3: "/00000001/00000002/00000003/"}
    assert UnitListing(_units(paths), Counter({3: 2})).totals == {2: 2, 3: 2}


def test_counts_follow_reference_order_with_unknown_codes_last_and_zeros_dropped():
    counts = {"band_7": 1, "mystery": 2, "band_3": 4, "band_5": 0}
    rows = ordered_counts(counts, reference.bands(), reference.band_name)
    assert [(row["name"], row["count"]) for row in rows] == [
        ("Band 3", 4),
        ("Band 7", 1),
        ("mystery", 2),
    ]


def test_history_names_bands_and_never_shows_protected_values():
    change = PersonChange(
        kind="updated",
        fields={
            "band": ["band_5", "band_6"],
            "ethnicity": ["White British", "Mixed"],
            "is_leader": [False, True],
            "job_title": ["", "Sister"],
        },
        created_at=datetime(2026, 3, 1, 12, tzinfo=UTC),
    )
    [row] = change_rows([change])
    assert row["kind"] == "Updated"
    assert row["details"] == [
        {"field": "Band", "old": "Band 5", "new": "Band 6"},
        {"field": "Leader", "old": "no", "new": "yes"},
        {"field": "Job title", "old": "blank", "new": "Sister"},
    ]
    assert "White British" not in str(row)


def test_protected_rows_say_not_recorded_when_there_is_no_record():
    assert [row["value"] for row in protected_rows(None)] == ["Not recorded"] * 4
    characteristics = ProtectedCharacteristics(ethnicity="Indian", sex="", age_band="40-49")
    assert [row["value"] for row in protected_rows(characteristics)] == [
        "Indian",
        "Not recorded",
        "Not recorded",
        "40-49",
    ]


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_quoted():
    for dangerous in ["=1+1", "+44 20", "-2", "@SUM(A1)", "\t=cmd"]:
        assert csv_safe(dangerous) == "'" + dangerous
    assert csv_safe("Ward 1") == "Ward 1"
    assert csv_safe(None) == ""


def test_csv_row_has_the_documented_columns_in_order():
    event = AuditEvent(
        actor_label="admin@test.test",
        action="person.view",
        object_type="org.person",
        object_id="7",
        object_repr='=HYPERLINK("http://evil","x")',
        ip_address="10.0.0.1",
        detail={"b": 1, "a": "x"},
        created_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    )
    assert csv_row(event) == [
        "2026-03-01T09:30:00+00:00",
        "admin@test.test",
        "person.view",
        "org.person",
        "7",
        '\'=HYPERLINK("http://evil","x")',
        "10.0.0.1",
        '{"a": "x", "b": 1}',
    ]


def test_filter_form_accepts_iso_dates_and_known_actions():
    form = AuditFilterForm(
        {"action": "person.view", "date_from": "2026-03-01", "date_to": "2026-03-31"},
        actions=["person.view", "audit.view"],
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_from"] == date(2026, 3, 1)
    assert [item["value"] for item in action_items(form) if item["selected"]] == ["person.view"]


def test_filter_form_rejects_bad_dates_reversed_ranges_and_unknown_actions():
    form = AuditFilterForm(
        {"action": "nope", "date_from": "31/03/2026", "date_to": "2026-02-30"},
        actions=["person.view"],
    )
    assert not form.is_valid()
    assert set(form.errors) == {"action", "date_from", "date_to"}
    assert {item["href"] for item in error_list(form)} == {"#action", "#date_from", "#date_to"}

    reversed_range = AuditFilterForm({"date_from": "2026-03-31", "date_to": "2026-03-01"})
    assert not reversed_range.is_valid()
    assert list(reversed_range.errors) == ["date_to"]


def test_no_pagination_when_everything_fits_on_one_page():
    request = RequestFactory().get("/audit/")
    page = Paginator(list(range(10)), 50).get_page(1)
    assert pagination_params(request, page) is None


def test_pagination_keeps_the_filters_and_elides_distant_pages():
    request = RequestFactory().get("/audit/", {"action": "person.view", "page": "10"})
    page = Paginator(list(range(1000)), 50).get_page(10)
    params = pagination_params(request, page, label="Pages of events")
    numbers = [item.get("number") for item in params["items"]]
    assert numbers == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert [item for item in params["items"] if item.get("current")][0]["number"] == 10
    assert params["previous"]["href"] == "?action=person.view&page=9"
    assert params["next"]["href"] == "?action=person.view&page=11"
    assert params["ariaLabel"] == "Pages of events"


def test_first_and_last_pages_have_no_link_beyond_them():
    request = RequestFactory().get("/x")
    paginator = Paginator(list(range(120)), 50)
    first = pagination_params(request, paginator.get_page(1))
    last = pagination_params(request, paginator.get_page(3))
    assert "previous" not in first and first["next"]["href"] == "?page=2"
    assert "next" not in last and last["previous"]["href"] == "?page=2"
