"""Charts drawn on the server: Vega-Lite specs, and the SVG vl-convert draws from them, with
no browser script. Every module's charts are built here, so that they look alike and read
alike.

The SVG is shown as an image with a short text alternative, and every chart's figures are
also in a table beside it, so nothing is only in the picture. The rules each builder keeps,
and the tests check against the page's table: both axes carry a title, and the two titles
differ; categories on an axis have short labels that differ from each other (``short_labels``);
points that stand for something named carry its label. ``data_values``, ``axis_titles`` and
``text_labels`` read a spec back for those tests.

Pure Python (no Django)."""

import base64
import html
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date

from colead.lib import memory

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
FONT = "Arial, Liberation Sans, Helvetica, sans-serif"
CONFIG = {
    "font": FONT,
    "axis": {"labelFontSize": 12, "titleFontSize": 13, "labelColor": "#212b32"},
    "legend": {"labelFontSize": 12, "titleFontSize": 13, "orient": "bottom"},
    "header": {"labelFontSize": 13, "labelColor": "#212b32", "labelLimit": 220},
    "view": {"stroke": "#d8dde0"},
}
# NHS identity colours: blue, dark grey, green, mid grey.
BLUE, DARK, GREEN, GREY = "#005eb8", "#212b32", "#007f3b", "#768692"
LABEL_LENGTH = 24  # an axis label longer than this is cut short by the chart
POINT_LABELS = 15  # a scatter with more points than this labels them by number


# -- drawing ------------------------------------------------------------------------------


@memory.cached(maxsize=128)
def _render(spec_json: str) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(json.loads(spec_json))


def svg(spec: dict) -> str:
    return _render(json.dumps(spec, sort_keys=True))


def svg_data_uri(spec: dict) -> str:
    """The chart as a data: URI for an <img> (allowed by the page's img-src policy)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg(spec).encode()).decode()


def frame(title: str | None = None, width: int | None = None, height: int | None = None) -> dict:
    """What every chart starts from: the schema, the white background, the shared look
    (``CONFIG``) and the title; a chart drawn in a module of its own starts here too."""
    spec: dict = {"$schema": SCHEMA, "background": "white", "config": CONFIG}
    if title:
        spec["title"] = {"text": title, "anchor": "start", "fontSize": 16}
    if width and height:
        spec.update(width=width, height=height)
    return spec


# -- labels -------------------------------------------------------------------------------


def short_labels(titles: Sequence[str], dates: Sequence[date | None]) -> list[str]:
    """Short labels, all different, for things on an axis that have long titles and a date
    (survey waves: "Staff culture survey autumn 2025" and "… spring 2026" become "Autumn
    2025" and "Spring 2026").

    The words every title shares at the start and at the end are left out; where that
    leaves a label empty, longer than ``LABEL_LENGTH`` or the same as another, the labels
    are the dates' month and year instead ("Mar 2026"), then the full dates, and a repeat
    after that is numbered."""
    words = [title.split() for title in titles]
    labels = list(titles)
    if len(words) > 1:
        head = _shared_length(words)
        tail = _shared_length([list(reversed(w[head:])) for w in words])
        labels = [" ".join(w[head : len(w) - tail]) for w in words]
    labels = [label[:1].upper() + label[1:] for label in labels]
    if not _usable(labels):
        for form in ("%b %Y", "%-d %b %Y"):
            by_date = [day.strftime(form) if day else "" for day in dates]
            if _usable(by_date):
                return by_date
        labels = [
            day.strftime("%-d %b %Y") if day else title
            for title, day in zip(titles, dates, strict=True)
        ]
    return _numbered(labels)


def _shared_length(lists: Sequence[Sequence[str]]) -> int:
    shared = 0
    for column in zip(*lists, strict=False):
        if len({word.lower() for word in column}) > 1:
            break
        shared += 1
    return min(shared, min(len(words) for words in lists))


def _usable(labels: Sequence[str]) -> bool:
    return all(0 < len(label) <= LABEL_LENGTH for label in labels) and len(set(labels)) == len(
        labels
    )


def _numbered(labels: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


# -- builders -----------------------------------------------------------------------------


def interval_trend_spec(
    points: Sequence[Mapping],
    *,
    categories: Sequence[str],
    panels: Sequence[str],
    x_title: str,
    y_title: str,
    domain: tuple[float, float],
) -> dict:
    """One small chart per panel (``panels``, titles in order): a value in each category
    of the x axis (``categories``, short labels in order, so a category with no point is a
    gap on the axis), with its interval as a vertical bar.

    ``points`` are ``{"category", "panel", "value", "low", "high"}``; only what may be
    shown is passed in: the chart shows what it is given."""
    x = {
        "field": "category",
        "type": "ordinal",
        "title": x_title,
        "scale": {"domain": list(categories)},
        "axis": {"labelAngle": -30 if len(categories) > 2 else 0, "labelLimit": 200},
    }
    y = {"type": "quantitative", "scale": {"domain": list(domain)}, "title": y_title}
    return {
        **frame(),
        "data": {"values": [dict(p) for p in points]},
        "facet": {"field": "panel", "type": "nominal", "title": None, "sort": list(panels)},
        "columns": 3,
        "spec": {
            "width": 190,
            "height": 130,
            "layer": [
                {
                    "mark": {"type": "rule", "color": "#425563", "strokeWidth": 2},
                    "encoding": {"x": x, "y": {**y, "field": "low"}, "y2": {"field": "high"}},
                },
                {
                    "mark": {
                        "type": "line",
                        "color": BLUE,
                        "point": {"filled": True, "color": BLUE, "size": 50},
                    },
                    "encoding": {"x": x, "y": {**y, "field": "value"}},
                },
            ],
        },
    }


def series_over_time_spec(
    values: Sequence[Mapping],
    *,
    title: str,
    x_title: str,
    y_title: str,
    series: Mapping[str, tuple[str, list[int]]],
    domain: tuple[float, float] | None = None,
    levels: Sequence[Mapping] = (),
) -> dict:
    """Lines over time, one per series, with points: ``values`` are ``{"day" (ISO date),
    "series", "value"}``. ``series`` maps each series' name to its colour and dash, so that
    series differ by more than colour (WCAG 1.4.1). ``levels`` are horizontal lines across
    the chart (``{"series", "value"}``, e.g. a baseline and a target), named in the legend
    with their own colour and dash from ``series``."""
    names = list(series)
    legend = {
        "domain": names,
        "range": [colour for colour, _dash in series.values()],
    }
    dashes = {"domain": names, "range": [dash for _colour, dash in series.values()]}
    y = {"field": "value", "type": "quantitative", "title": y_title}
    if domain is not None:
        y["scale"] = {"domain": list(domain)}
    else:
        y["scale"] = {"zero": False}
    style = {
        "color": {
            "field": "series",
            "type": "nominal",
            "title": None,
            "scale": legend,
            "legend": {"symbolType": "stroke", "symbolStrokeWidth": 2, "symbolSize": 300},
        },
        "strokeDash": {"field": "series", "type": "nominal", "title": None, "scale": dashes},
    }
    layers = [
        {
            "data": {"values": [dict(v) for v in values]},
            "mark": {"type": "line", "point": True, "strokeWidth": 2},
            "encoding": {
                "x": {
                    "field": "day",
                    "type": "temporal",
                    "title": x_title,
                    "axis": {"format": "%-d %b %Y", "labelAngle": -30, "labelOverlap": "greedy"},
                },
                "y": y,
                **style,
            },
        }
    ]
    if levels:
        layers.append(
            {
                "data": {"values": [dict(level) for level in levels]},
                "mark": {"type": "rule", "strokeWidth": 2},
                "encoding": {"y": y, **style},
            }
        )
    return {**frame(title, 560, 240), "layer": layers}


def counts_with_total_spec(
    points: Sequence[Mapping],
    *,
    title: str,
    x_title: str,
    y_title: str,
    total_title: str,
) -> dict:
    """A count in each category as bars (left axis, ``y_title``), and the running total
    across the categories as a dashed line with points (right axis, ``total_title``):
    e.g. responses on each day or days of a wave and the total so far.

    ``points`` are ``{"category", "count", "total"}`` in the order of the axis (short
    labels, all different); other fields ride along for the table beside the chart."""
    categories = [point["category"] for point in points]
    x = {
        "field": "category",
        "type": "ordinal",
        "title": x_title,
        "scale": {"domain": categories},
        "axis": {
            "labelAngle": -35 if len(categories) > 5 else 0,
            "labelLimit": 140,
            "labelOverlap": "greedy",
        },
    }
    width = max(320, min(760, 110 * len(categories)))
    return {
        **frame(title, width, 240),
        "data": {"values": [dict(point) for point in points]},
        "layer": [
            {
                "mark": {"type": "bar", "color": BLUE},
                "encoding": {
                    "x": x,
                    "y": {"field": "count", "type": "quantitative", "title": y_title},
                },
            },
            {
                "mark": {
                    "type": "line",
                    "color": DARK,
                    "point": {"color": DARK},
                    "strokeDash": [6, 3],
                },
                "encoding": {
                    "x": x,
                    "y": {"field": "total", "type": "quantitative", "title": total_title},
                },
            },
        ],
        "resolve": {"scale": {"y": "independent"}},
    }


# Where a scatter label may sit beside its point: (side, text align, baseline, dx, dy).
LABEL_SIDES = (
    ("right", "left", "middle", 7, 0),
    ("left", "right", "middle", -7, 0),
    ("above", "center", "bottom", 0, -7),
    ("below", "center", "top", 0, 7),
)
CHAR_WIDTH, LINE_HEIGHT = 6.2, 13  # pixels, for 11 px Arial: enough to keep labels apart


def labelled_scatter_spec(
    points: Sequence[Mapping],
    *,
    title: str,
    x_title: str,
    y_title: str,
    x_domain: tuple[float, float],
    y_domain: tuple[float, float],
) -> dict:
    """Points ``{"label", "x", "y"}``, each labelled beside it (the label is what the table
    beside the chart names the point by: a name, or a number for a crowded chart). Each
    label goes on the first side of its point (right, left, above, below) where it covers
    no label placed before it nor another point (``side`` in the data)."""
    width, height = 560, 340
    encoding = {
        "x": {
            "field": "x",
            "type": "quantitative",
            "title": x_title,
            "scale": {"domain": list(x_domain)},
        },
        "y": {
            "field": "y",
            "type": "quantitative",
            "title": y_title,
            "scale": {"domain": list(y_domain)},
        },
    }
    sides = _label_sides(points, x_domain, y_domain, width, height)
    labels = [
        {
            "transform": [{"filter": {"field": "side", "equal": side}}],
            "mark": {
                "type": "text",
                "align": align,
                "baseline": baseline,
                "dx": dx,
                "dy": dy,
                "fontSize": 11,
                "color": DARK,
                "limit": 150,
            },
            "encoding": {**encoding, "text": {"field": "label"}},
        }
        for side, align, baseline, dx, dy in LABEL_SIDES
        if side in sides
    ]
    return {
        **frame(title, width, height),
        "data": {"values": [{**p, "side": side} for p, side in zip(points, sides, strict=True)]},
        "layer": [
            {
                "mark": {"type": "point", "filled": True, "size": 70, "color": BLUE},
                "encoding": encoding,
            },
            *labels,
        ],
    }


def _label_sides(points, x_domain, y_domain, width, height) -> list[str]:
    def pixel(point):
        x = (point["x"] - x_domain[0]) / ((x_domain[1] - x_domain[0]) or 1) * width
        y = height - (point["y"] - y_domain[0]) / ((y_domain[1] - y_domain[0]) or 1) * height
        return x, y

    centres = [pixel(point) for point in points]
    dots = [(x - 5, y - 5, x + 5, y + 5) for x, y in centres]
    placed: list[tuple[float, float, float, float]] = []
    sides = []
    for (x, y), point in zip(centres, points, strict=True):
        w = min(150, CHAR_WIDTH * len(str(point["label"])))
        boxes = {
            "right": (x + 7, y - LINE_HEIGHT / 2, x + 7 + w, y + LINE_HEIGHT / 2),
            "left": (x - 7 - w, y - LINE_HEIGHT / 2, x - 7, y + LINE_HEIGHT / 2),
            "above": (x - w / 2, y - 7 - LINE_HEIGHT, x + w / 2, y - 7),
            "below": (x - w / 2, y + 7, x + w / 2, y + 7 + LINE_HEIGHT),
        }
        own = (x - 5, y - 5, x + 5, y + 5)
        taken = placed + [dot for dot in dots if dot != own]
        side = next(
            (
                name
                for name, box in boxes.items()
                if box[0] >= 0 and box[2] <= width + 40 and not any(_overlap(box, t) for t in taken)
            ),
            "right",
        )
        placed.append(boxes[side])
        sides.append(side)
    return sides


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def point_labels(names: Sequence[str], limit: int = POINT_LABELS) -> list[str]:
    """What each point of a scatter is labelled with: its name, or its number (1, 2, ...)
    when there are more than ``limit`` points, where names would overlap."""
    if len(names) > limit:
        return [str(number) for number in range(1, len(names) + 1)]
    return list(names)


# -- reading a spec back (for the tests that hold a chart to its table) ---------------------


def _parts(spec: Mapping) -> Iterator[Mapping]:
    yield spec
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for part in spec.get(key, ()):
            yield from _parts(part)
    if "spec" in spec:
        yield from _parts(spec["spec"])


def data_values(spec: Mapping) -> list[dict]:
    """Every inline data row of the spec, its layers' too, in order."""
    rows = []
    for part in _parts(spec):
        rows.extend(part.get("data", {}).get("values", ()))
    return rows


def axis_titles(spec: Mapping) -> dict[str, set]:
    """The titles given to the x and y axes anywhere in the spec."""
    titles: dict[str, set] = {"x": set(), "y": set()}
    for part in _parts(spec):
        for channel in ("x", "y"):
            encoding = part.get("encoding", {}).get(channel)
            if encoding and "title" in encoding:
                titles[channel].add(encoding["title"])
    return titles


def text_labels(svg_text: str) -> list[str]:
    """The text of every label drawn in an SVG (to check what a reader sees)."""
    return [
        html.unescape(re.sub(r"\s+", " ", text)).strip()
        for text in re.findall(r"<text[^>]*>([^<]*)</text>", svg_text)
    ]
