"""Display formatting (colead.lib.formatting): dates, counts and shares as pages show them."""

from datetime import date, datetime

import pytest

from colead.lib.formatting import percent, thousands, uk_date, uk_datetime


def test_uk_date_has_no_leading_zero_and_a_month_name():
    assert uk_date(date(2026, 3, 4)) == "4 March 2026"
    assert uk_date(datetime(2026, 12, 25, 23, 59)) == "25 December 2026"  # the time is dropped


def test_uk_datetime_keeps_the_24_hour_time():
    assert uk_datetime(datetime(2026, 3, 4, 9, 5)) == "4 March 2026 at 09:05"
    assert uk_datetime(datetime(2026, 11, 30, 17, 45)) == "30 November 2026 at 17:45"


def test_thousands_are_separated_by_commas():
    assert thousands(0) == "0"
    assert thousands(1234567) == "1,234,567"
    assert thousands(-4500) == "-4,500"


def test_percent_of_a_share_with_chosen_places():
    assert percent(0.5) == "50%"
    assert percent(0.125, places=1) == "12.5%"
    assert percent(1 / 3, places=2) == "33.33%"
    assert percent(0.0) == "0%"  # a real zero is shown, unlike a missing value


@pytest.mark.parametrize("format_value", [uk_date, uk_datetime, thousands, percent])
def test_a_missing_value_is_an_empty_cell_not_none(format_value):
    assert format_value(None) == ""
