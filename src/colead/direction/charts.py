"""The coverage dashboard's charts as Vega-Lite specs, and the thinning of a long trend for
its table. Pure Python (no Django): ``colead.lib.charts`` draws a spec as SVG on the
server, and every chart's figures are in a table beside it."""

from collections.abc import Sequence
from datetime import date

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
TABLE_ROWS = 36  # a longer trend is tabled one row a month
CONFIG = {
    "font": "Arial, Liberation Sans, Helvetica, sans-serif",
    "axis": {"labelFontSize": 12, "titleFontSize": 13, "labelColor": "#212b32"},
    "legend": {"labelFontSize": 12, "titleFontSize": 13, "orient": "bottom"},
}
# Series are told apart by dash as well as colour (WCAG 1.4.1, use of colour).
SERIES = {
    "team_coverage": ("Teams", "#005eb8", [1, 0]),
    "staff_coverage": ("Staff", "#212b32", [6, 3]),
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
        {"day": point["taken_on"].isoformat(), "series": label, "percent": 100 * point[field]}
        for point in points
        for field, (label, _colour, _dash) in SERIES.items()
    ]
    labels = [label for label, _colour, _dash in SERIES.values()]
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "anchor": "start", "fontSize": 16},
        "width": 640,
        "height": 260,
        "background": "white",
        "config": CONFIG,
        "data": {"values": values},
        "mark": {"type": "line", "point": True, "strokeWidth": 2},
        "encoding": {
            "x": {
                "field": "day",
                "type": "temporal",
                "title": "Date of the snapshot",
                "axis": {"format": "%-d %b %Y", "labelAngle": -30, "labelOverlap": "greedy"},
            },
            "y": {
                "field": "percent",
                "type": "quantitative",
                "title": "Coverage (%)",
                "scale": {"domain": [0, 100]},
            },
            "color": {
                "field": "series",
                "type": "nominal",
                "title": "Share of",
                "legend": {"symbolType": "stroke", "symbolStrokeWidth": 2, "symbolSize": 300},
                "scale": {"domain": labels, "range": [c for _l, c, _d in SERIES.values()]},
            },
            "strokeDash": {
                "field": "series",
                "type": "nominal",
                "title": "Share of",
                "scale": {"domain": labels, "range": [d for _l, _c, d in SERIES.values()]},
            },
        },
    }


def scatter_spec(points: Sequence[dict], *, title: str, level_label: str) -> dict | None:
    """Each unit's team coverage (0 to 1) against its goals and performance score (0 to
    10). None without points."""
    if not points:
        return None
    values = [
        {"name": point["name"], "coverage": 100 * point["coverage"], "score": point["score"]}
        for point in points
    ]
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "anchor": "start", "fontSize": 16},
        "width": 520,
        "height": 320,
        "background": "white",
        "config": CONFIG,
        "data": {"values": values},
        "mark": {"type": "point", "filled": True, "size": 70, "color": "#005eb8"},
        "encoding": {
            "x": {
                "field": "coverage",
                "type": "quantitative",
                "title": f"Teams covered in the {level_label} (%)",
                "scale": {"domain": [0, 100]},
            },
            "y": {
                "field": "score",
                "type": "quantitative",
                "title": "Goals and performance score (0 to 10)",
                "scale": {"domain": [0, 10]},
            },
        },
    }
