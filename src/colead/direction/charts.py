"""The coverage dashboard's and an objective's charts, built by ``colead.lib.charts``, and
the thinning of a long trend for its table. Pure Python (no Django): every chart's figures
are in a table beside it."""

from collections.abc import Sequence
from datetime import date

from colead.lib import charts

TABLE_ROWS = 36  # a longer trend is tabled one row a month
# Series are told apart by dash as well as colour (WCAG 1.4.1, use of colour).
SERIES = {
    "team_coverage": ("Teams", charts.BLUE, [1, 0]),
    "staff_coverage": ("Staff", charts.DARK, [6, 3]),
}
PROGRESS_SERIES = {
    "Check-ins": (charts.BLUE, [1, 0]),
    "Target": (charts.GREEN, [8, 4]),
    "Baseline": (charts.GREY, [3, 3]),
}


def monthly(points: Sequence[dict], *, key: str = "taken_on") -> list[dict]:
    """The last point of each calendar month, in order (points in date order)."""
    last: dict[tuple[int, int], dict] = {}
    for point in points:
        day: date = point[key]
        last[(day.year, day.month)] = point
    return list(last.values())


def table_points(points: Sequence[dict], limit: int = TABLE_ROWS) -> tuple[list[dict], bool]:
    """The points for the trend's table: all of them, or when there are more than ``limit``
    the last of each month. The flag says whether it was thinned."""
    if len(points) <= limit:
        return list(points), False
    return monthly(points), True


def trend_spec(points: Sequence[dict], *, title: str) -> dict | None:
    """Team and staff coverage (percent) over time, one line each. None with fewer than two
    points (no trend to draw). Each point has ``taken_on`` and the two shares (0 to 1)."""
    if len(points) < 2:
        return None
    values = [
        {"day": point["taken_on"].isoformat(), "series": label, "value": 100 * point[field]}
        for point in points
        for field, (label, _colour, _dash) in SERIES.items()
    ]
    return charts.series_over_time_spec(
        values,
        title=title,
        x_title="Date of the snapshot",
        y_title="Coverage (%)",
        series={label: (colour, dash) for label, colour, dash in SERIES.values()},
        domain=(0, 100),
    )


def label_points(points: Sequence[dict]) -> bool:
    """Give each scatter point its ``label`` on the chart: the unit's name, or its number
    (in table order) when there are too many for names. True when numbered."""
    labels = charts.point_labels([point["name"] for point in points])
    for point, label in zip(points, labels, strict=True):
        point["label"] = label
    return bool(points) and labels[0] != points[0]["name"]


def scatter_spec(points: Sequence[dict], *, title: str, level_label: str) -> dict | None:
    """Each unit's team coverage (0 to 1) against its goals and performance score (0 to
    10), each point labelled with the unit's ``label`` (its name, or its number in the
    table when there are many). None without points."""
    if not points:
        return None
    values = [
        {"label": point["label"], "x": 100 * point["coverage"], "y": point["score"]}
        for point in points
    ]
    return charts.labelled_scatter_spec(
        values,
        title=title,
        x_title=f"Teams covered in the {level_label} (%)",
        y_title="Goals and performance score (0 to 10)",
        x_domain=(0, 100),
        y_domain=(0, 10),
    )


def progress_spec(
    check_ins: Sequence[tuple[date, float]],
    *,
    baseline: float | None,
    target: float | None,
    measure: str,
) -> dict | None:
    """An objective's measure at each check-in (date, value), with its baseline and target
    as lines across. None with fewer than two check-ins (no line to draw)."""
    if len(check_ins) < 2:
        return None
    values = [
        {"day": day.isoformat(), "series": "Check-ins", "value": value} for day, value in check_ins
    ]
    levels = [
        {"series": name, "value": level}
        for name, level in (("Target", target), ("Baseline", baseline))
        if level is not None
    ]
    drawn = {"Check-ins", *(level["series"] for level in levels)}
    shown = [name for name in PROGRESS_SERIES if name in drawn]
    return charts.series_over_time_spec(
        values,
        title="Check-ins against the baseline and target",
        x_title="Date of the check-in",
        y_title=measure or "Value of the measure",
        series={name: PROGRESS_SERIES[name] for name in shown},
        levels=levels,
    )
