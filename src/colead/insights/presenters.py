"""Data for the results pages, shaped for the templates: the heatmap's parameters, cells,
colours, sort links and legend. Reads only; every figure comes from ``insights.results``,
already through disclosure control.

Colours are colour-blind safe (a blue sequential scale for scores; blue for better and
orange for worse, which differ in lightness as well as hue) and never the only cue: every
cell also says its value, and in comparison or change mode its label, in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.template import engines
from django.urls import reverse
from markupsafe import Markup

from colead.insights import results as rs
from colead.lib import memory
from colead.lib.errors import Invalid

COLOURS = {
    "score": "Score",
    "comparison": "Compared with the rest of the organisation",
    "change": "Change since the previous wave",
}
COLOURED_BY = {
    "score": "coloured by score",
    "comparison": "coloured by comparison with the rest of the organisation",
    "change": "coloured by change since the previous wave",
}
ORDERS = ("asc", "desc")
TRUE_WORDS = ("1", "on", "yes", "true")

# Scores on 0–10 in five fixed bands (the same in every wave, so colours can be compared).
SCORE_BANDS = (
    (5.0, "s1", "below 5"),
    (6.0, "s2", "5 to 6"),
    (7.0, "s3", "6 to 7"),
    (8.0, "s4", "7 to 8"),
    (None, "s5", "8 or more"),
)
LABEL_CLASSES = {
    "better": "hb",
    "worse": "hw",
    "similar": "hs",
}
COMPARISON_WORDS = {"better": "better", "worse": "worse", "similar": "similar"}
CHANGE_WORDS = {"better": "improved", "worse": "declined", "similar": "no clear change"}
# Cell classes are short (a level of 350 teams has thousands of cells); they are defined
# under .colead-heatmap in assets/scss/main.scss.
HIDDEN_CLASS = "hx"
NONE_CLASS = "hn"
EACH_GROUP = "*"
HIDDEN_SHORT = {"primary": "fewer", "complementary": "hidden", "refused": "refused"}
HIDDEN_TEXT = {"fewer": None, "hidden": "Hidden", "refused": "Not shown"}  # None: "<k"


@dataclass
class HeatmapParams:
    level: rs.Level | None = None  # a kind of unit ("team") or a depth
    by: str | None = None
    group: str | None = None
    colour: str = "score"
    sort: str = "unit"
    order: str = "asc"
    compact: bool = False  # smaller cells and abbreviated theme names
    show_hidden: bool = False  # also list rows in which every figure is hidden

    def query(self, **changes) -> str:
        values = {
            "level": self.level,
            "by": self.by or "",
            "group": self.group or "",
            "colour": self.colour,
            "sort": self.sort,
            "order": self.order,
            "compact": "1" if self.compact else "",
            "show_hidden": "1" if self.show_hidden else "",
        }
        values.update(changes)
        return "?" + urlencode({k: v for k, v in values.items() if v not in (None, "")})


def parse_params(get) -> tuple[HeatmapParams, dict[str, str]]:
    """The heatmap page's query string as parameters, and the problems of those the page
    itself owns (the colouring) by field. Whether the level (a kind of unit or a depth),
    breakdown and group exist in the wave is the read's to say (``queries.heatmap``)."""
    params, errors = HeatmapParams(), {}
    params.level = get.get("level", "").strip()[:40] or None
    params.compact = get.get("compact", "") in TRUE_WORDS
    params.show_hidden = get.get("show_hidden", "") in TRUE_WORDS
    by = get.get("by", "").strip() or None
    group = get.get("group", "").strip() or None
    # The form lists the groups of one breakdown (``group_of``); when the breakdown was
    # changed on the same submission, the group chosen belonged to the old one: drop it.
    group_of = get.get("group_of", None)
    if group is not None and group_of is not None and group_of.strip() != (by or ""):
        group = None
    if group == EACH_GROUP:  # "each staff group": the breakdown, every category
        group, by = None, by or "staff_group"
    params.by, params.group = by, group
    colour = get.get("colour", "score")
    if colour in COLOURS:
        params.colour = colour
    else:
        errors["colour"] = (
            f"There is no colouring {colour[:20]!r}: use score, comparison or change."
        )
    params.sort = get.get("sort", "unit")
    params.order = get.get("order", "")
    return params, errors


def settle_params(params: HeatmapParams, read) -> HeatmapParams:
    """The parameters the page shows for a read (``queries.WaveRead``): the level, breakdown
    and group it used (or, after a problem, the defaults in place of those it refused), and a
    sort column the table has."""
    results = read.results
    level = getattr(read, "level", params.level)
    try:
        level = rs.parse_level(level)
    except Invalid:
        level = None
    by = getattr(read, "by", params.by)
    group = getattr(read, "group", params.group)
    params.level = level if level in read.levels else read.default_level
    params.by = by if by in results.breakdowns() else None
    params.group = (
        group if params.by and group in dict(results.category_labels(params.by)) else None
    )
    measures = {m.code for m in results.measures}
    params.sort = params.sort if params.sort in measures | {"unit", "responses"} else "unit"
    if params.order not in ORDERS:
        params.order = "asc" if params.sort == "unit" else "desc"
    return params


def score_class(score: float) -> str:
    for upper, css, _ in SCORE_BANDS:
        if upper is None or score < upper:
            return css
    return SCORE_BANDS[-1][1]


def fmt_score(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def fmt_change(value: float | None) -> str:
    if value is None:
        return ""
    return (
        f"+{value:.1f}" if value >= 0.05 else ("−" + f"{-value:.1f}" if value <= -0.05 else "0.0")
    )


def score_value(cell: rs.Cell) -> float | None:
    """The score a visible cell is coloured and sorted by: its mean, or below 2k the middle
    of its score band (never the mean the band stands for: the order would give it away)."""
    if cell.score is not None:
        return cell.score
    if cell.score_band_range is not None:
        return sum(cell.score_band_range) / 2
    return None


def score_text(cell: rs.Cell) -> str:
    """The score as shown: to one decimal, or its band below 2k (R6), or "–"."""
    if cell.score is not None:
        return fmt_score(cell.score)
    return cell.score_band or "–"


def cell_view(cell: rs.Cell | None, colour: str, threshold: int) -> tuple[str, str, str]:
    """(css classes, visible text, visually hidden text) of one heatmap cell."""
    if cell is None:
        return (HIDDEN_CLASS, "–", "No data")
    if cell.suppressed:
        short = HIDDEN_SHORT.get(cell.suppressed, "hidden")
        visible = HIDDEN_TEXT[short] or f"<{threshold}"
        return (HIDDEN_CLASS, visible, cell.reason or "Not shown")
    score = score_text(cell)
    if colour == "comparison":
        label = cell.comparison
        if label is None:
            return (NONE_CLASS, score, "not compared")
        return (LABEL_CLASSES[label], f"{score} {COMPARISON_WORDS[label]}", "")
    if colour == "change":
        label = cell.change_label
        if label is None:
            return (NONE_CLASS, "–", f"score {score}; change not shown")
        return (
            LABEL_CLASSES[label],
            f"{fmt_change(cell.change)} {CHANGE_WORDS[label]}",
            f"(score now {score})",
        )
    value = score_value(cell)
    if value is None:
        return (NONE_CLASS, "–", f"no score shown for fewer than {2 * threshold} responses")
    return (score_class(value), score, "")


def sort_rows(rows: list[rs.Row], params: HeatmapParams) -> list[rs.Row]:
    """Rows in the order asked for; hidden figures always last, whatever the order."""
    reverse = params.order == "desc"
    if params.sort == "unit":
        ordered = sorted(rows, key=lambda r: r.path, reverse=reverse)
        return ordered

    def value(row: rs.Row):
        if params.sort == "responses":
            return row.respondents
        cell = row.cells.get(params.sort)
        if cell is None or cell.suppressed:
            return None
        return cell.change if params.colour == "change" else score_value(cell)

    present = [r for r in rows if value(r) is not None]
    missing = [r for r in rows if value(r) is None]
    present.sort(key=lambda r: (value(r), r.path), reverse=reverse)
    missing.sort(key=lambda r: r.path)
    return present + missing


# Words left out of a theme's abbreviation.
SMALL_WORDS = frozenset({"a", "and", "by", "for", "how", "in", "my", "of", "the", "to", "we"})


def abbreviation(title: str) -> str:
    """A theme's short name for the compact heatmap: the initials of its main words
    ("Psychological safety": "PS"), or one word cut to five letters ("Motivation":
    "Motiv.")."""
    words = [w for w in title.replace("-", " ").split() if w.lower() not in SMALL_WORDS]
    words = words or title.split() or [title]
    if len(words) > 1:
        return "".join(word[0].upper() for word in words[:4])
    word = words[0]
    return word if len(word) <= 6 else f"{word[:5]}."


def header_cells(measures, params: HeatmapParams) -> list[dict]:
    """Column headers with server-side sort links (the link sorts the other way when the
    column is already sorted), and each one's short name for the compact view (unique
    within the table)."""
    heads = [{"key": "unit", "text": "Unit", "short": "Unit", "numeric": False}]
    heads.append({"key": "responses", "text": "Responses", "short": "n", "numeric": True})
    taken: set[str] = {"Unit", "n"}
    for m in measures:
        short = base = abbreviation(m.title)
        suffix = 2
        while short in taken:
            short, suffix = f"{base}{suffix}", suffix + 1
        taken.add(short)
        heads.append({"key": m.code, "text": m.title, "short": short, "numeric": True})
    for head in heads:
        current = params.sort == head["key"]
        if current:
            head["aria_sort"] = "ascending" if params.order == "asc" else "descending"
            next_order = "desc" if params.order == "asc" else "asc"
        else:
            head["aria_sort"] = None
            next_order = "asc" if head["key"] == "unit" else "desc"
        head["href"] = params.query(sort=head["key"], order=next_order)
    return heads


@dataclass(frozen=True)
class RowView:
    """One heatmap row as shown: its header, responses and cells, and its HTML (built once
    per table, colouring and row, then kept with the cached table: a level can have
    thousands of cells, and building them for every request would cost more than
    everything else on the page)."""

    label: str
    responses: str
    responses_hidden: str
    cells: tuple[tuple[str, str, str], ...]
    html: Markup


def _row_view(table: rs.ResultsTable, row: rs.Row, colour: str) -> RowView:
    threshold = table.threshold
    label = row.unit_name if not row.category_label else f"{row.unit_name}: {row.category_label}"
    if row.suppressed:
        short = HIDDEN_SHORT.get(row.suppressed, "hidden")
        responses = HIDDEN_TEXT[short] or f"<{threshold}"
        responses_hidden = row.reason or ""
    else:
        responses, responses_hidden = f"{row.respondents:,}", ""
    cells = tuple(cell_view(row.cells.get(m.code), colour, threshold) for m in table.measures)
    html = _row_macro()(
        reverse("insights:unit", args=[table.wave_id, row.unit_code]),
        row.unit_name,
        row.category_label,
        responses,
        responses_hidden,
        cells,
    )
    return RowView(label, responses, responses_hidden, cells, Markup(html))


@memory.cached
def _row_macro():
    """The ``heatmap_row`` macro of insights/_heatmap_row.jinja (the row's HTML lives in
    the template; it is rendered here once per row and colouring, for the cache)."""
    return engines["jinja2"].env.get_template("insights/_heatmap_row.jinja").module.heatmap_row


def heatmap_rows(table: rs.ResultsTable, rows: list[rs.Row], params: HeatmapParams) -> list:
    """The rows to show, in order, as ``RowView``s (cached with the table)."""
    views = table.cache.setdefault(("rows", params.colour), {})
    out = []
    for row in rows:
        view = views.get(id(row))
        if view is None:
            view = views[id(row)] = _row_view(table, row, params.colour)
        out.append(view)
    return out


def fully_hidden(row: rs.Row) -> bool:
    """Whether every figure of a row is hidden (its responses and each of its cells)."""
    if row.suppressed is None:
        return False
    return all(cell.suppressed is not None for cell in row.cells.values())


def shown_rows(rows: list[rs.Row], params: HeatmapParams) -> tuple[list[rs.Row], int]:
    """The rows to list and how many were left out: unless ``show_hidden``, rows in which
    every figure is hidden are left out. Which rows those are is already on the page for
    everyone (each of their cells says "<k" or "Hidden"), so leaving them out, and
    counting them, tells nothing more about anyone."""
    if params.show_hidden:
        return rows, 0
    kept = [row for row in rows if not fully_hidden(row)]
    return kept, len(rows) - len(kept)


def legend(params: HeatmapParams, threshold: int) -> list[tuple[str, str]]:
    """(css class, words) for the key below the table."""
    if params.colour == "score":
        items = [(css, f"Score {words}") for _, css, words in SCORE_BANDS]
    elif params.colour == "comparison":
        items = [
            (LABEL_CLASSES["better"], "Better than the rest of the organisation"),
            (LABEL_CLASSES["similar"], "Similar to the rest of the organisation"),
            (LABEL_CLASSES["worse"], "Worse than the rest of the organisation"),
        ]
    else:
        items = [
            (LABEL_CLASSES["better"], "Improved since the previous wave"),
            (LABEL_CLASSES["similar"], "No clear change"),
            (LABEL_CLASSES["worse"], "Declined since the previous wave"),
            (
                NONE_CLASS,
                f"Change not shown (fewer than {2 * threshold} responses in either wave)",
            ),
        ]
    items.append((HIDDEN_CLASS, f"<{threshold}: fewer than {threshold} responses"))
    items.append((HIDDEN_CLASS, "Hidden: hidden so that a smaller group cannot be worked out"))
    if params.by:
        items.append((HIDDEN_CLASS, "Not shown: this unit is not broken down this way (see above)"))
    return items
