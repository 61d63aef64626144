"""The shared chart module (colead.lib.charts): short labels that tell waves apart, and the
builders' rules (axes titled, titles distinct, points labelled), read back from the spec and
from the SVG vl-convert draws."""

from datetime import date

from colead.lib import charts


def test_waves_with_one_long_title_pattern_get_short_distinct_labels():
    titles = ["Staff culture survey autumn 2025", "Staff culture survey spring 2026"]
    closed = [date(2025, 11, 14), date(2026, 3, 20)]
    assert charts.short_labels(titles, closed) == ["Autumn 2025", "Spring 2026"]


def test_shared_words_at_both_ends_are_left_out():
    titles = [
        "Quarterly pulse Q1 results",
        "Quarterly pulse Q2 results",
        "Quarterly pulse Q3 results",
    ]
    assert charts.short_labels(titles, [None] * 3) == ["Q1", "Q2", "Q3"]


def test_titles_that_say_nothing_apart_fall_back_to_the_closing_month_then_date():
    same = ["Pulse", "Pulse"]
    assert charts.short_labels(same, [date(2025, 5, 1), date(2026, 5, 1)]) == [
        "May 2025",
        "May 2026",
    ]
    assert charts.short_labels(same, [date(2026, 5, 1), date(2026, 5, 20)]) == [
        "1 May 2026",
        "20 May 2026",
    ]
    assert charts.short_labels(same, [date(2026, 5, 1), date(2026, 5, 1)]) == [
        "1 May 2026",
        "1 May 2026 (2)",
    ]


def test_a_single_short_title_is_kept_and_a_long_one_becomes_its_month():
    assert charts.short_labels(["Spring pulse"], [date(2026, 3, 1)]) == ["Spring pulse"]
    long = ["Staff culture survey of the whole trust, spring"]
    assert charts.short_labels(long, [date(2026, 3, 1)]) == ["Mar 2026"]


def test_the_interval_trend_shows_distinct_wave_labels_and_axis_titles():
    waves = charts.short_labels(
        ["Staff culture survey autumn 2025", "Staff culture survey spring 2026"],
        [date(2025, 11, 14), date(2026, 3, 20)],
    )
    points = [
        {"category": wave, "panel": "Teamwork", "value": v, "low": v - 0.5, "high": v + 0.5}
        for wave, v in zip(waves, (6.0, 6.5), strict=True)
    ]
    spec = charts.interval_trend_spec(
        points,
        categories=waves,
        panels=["Teamwork"],
        x_title="Wave",
        y_title="Score (0 to 10)",
        domain=(0, 10),
    )
    assert charts.data_values(spec) == points
    titles = charts.axis_titles(spec)
    assert titles == {"x": {"Wave"}, "y": {"Score (0 to 10)"}}
    drawn = charts.text_labels(charts.svg(spec))
    assert {"Autumn 2025", "Spring 2026", "Wave", "Teamwork"} <= set(drawn)
    assert not any(label.endswith("…") for label in drawn)  # nothing cut short


def test_a_series_over_time_names_its_series_and_levels_in_the_legend():
    values = [
        {"day": "2026-01-05", "series": "Check-ins", "value": 3.0},
        {"day": "2026-02-05", "series": "Check-ins", "value": 4.0},
    ]
    spec = charts.series_over_time_spec(
        values,
        title="Progress",
        x_title="Date",
        y_title="Incidents",
        series={"Check-ins": (charts.BLUE, [1, 0]), "Target": (charts.GREEN, [8, 4])},
        levels=[{"series": "Target", "value": 6.0}],
    )
    assert charts.data_values(spec) == [*values, {"series": "Target", "value": 6.0}]
    x_titles, y_titles = charts.axis_titles(spec).values()
    assert x_titles == {"Date"} and y_titles == {"Incidents"}
    drawn = set(charts.text_labels(charts.svg(spec)))
    assert {"Progress", "Date", "Incidents", "Check-ins", "Target"} <= drawn


def test_counts_with_a_running_total_title_both_axes_and_keep_the_order():
    points = [
        {"category": "2 Mar", "count": 12, "total": 12},
        {"category": "3 Mar – 5 Mar", "count": 20, "total": 32},
    ]
    spec = charts.counts_with_total_spec(
        points, title="Responses by day", x_title="Day", y_title="Responses", total_title="Total"
    )
    assert charts.data_values(spec) == points
    assert charts.axis_titles(spec) == {"x": {"Day"}, "y": {"Responses", "Total"}}
    bars, line = spec["layer"]
    assert bars["encoding"]["x"]["scale"]["domain"] == ["2 Mar", "3 Mar – 5 Mar"]
    drawn = set(charts.text_labels(charts.svg(spec)))
    assert {"Responses by day", "2 Mar", "3 Mar – 5 Mar", "Day", "Responses", "Total"} <= drawn


def test_point_labels_are_names_until_the_chart_is_crowded():
    assert charts.point_labels(["A", "B"]) == ["A", "B"]
    assert charts.point_labels([f"U{i}" for i in range(16)])[:3] == ["1", "2", "3"]


def test_svg_data_uri_is_an_image():
    spec = charts.series_over_time_spec(
        [{"day": "2026-01-05", "series": "S", "value": 1.0}],
        title="t",
        x_title="x",
        y_title="y",
        series={"S": (charts.BLUE, [1, 0])},
    )
    assert charts.svg_data_uri(spec).startswith("data:image/svg+xml;base64,")
