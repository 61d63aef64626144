"""The heatmap's short theme names, the rows it leaves out, and how levels are read."""

import pytest

from colead.insights import presenters
from colead.insights import results as rs
from colead.lib.errors import Invalid


@pytest.mark.parametrize(
    ("title", "short"),
    [
        ("Psychological safety", "PS"),
        ("Vision and values", "VV"),
        ("How we support each other", "SEO"),
        ("Motivation", "Motiv."),
        ("Fairness", "Fairn."),
        ("Advocacy", "Advoc."),
        ("Teams", "Teams"),
    ],
)
def test_abbreviations(title, short):
    assert presenters.abbreviation(title) == short


class Measure:
    def __init__(self, code, title):
        self.code, self.title = code, title


def test_short_names_are_unique_within_a_table():
    measures = [
        Measure("a", "Staff engagement"),
        Measure("b", "Safety events"),
        Measure("c", "Speaking Early"),
    ]
    heads = presenters.header_cells(measures, presenters.HeatmapParams(level="team"))
    assert [head["short"] for head in heads] == ["Unit", "n", "SE", "SE2", "SE3"]
    assert [head["text"] for head in heads][2:] == [m.title for m in measures]


def row(suppressed, *cells):
    return rs.Row(
        unit_id=1,
        unit_code="U",
        unit_name="Unit",
        level=3,
        path="0001",
        breakdown=None,
        category=None,
        category_label=None,
        respondents=None if suppressed else 20,
        suppressed=suppressed,
        reason=None,
        cells={
            f"m{i}": rs.Cell(measure=f"m{i}", suppressed=hidden) for i, hidden in enumerate(cells)
        },
    )


def test_only_rows_with_no_figure_at_all_are_left_out():
    every_cell_hidden = row("primary", "primary", "complementary")
    one_cell_shown = row("complementary", "primary", None)
    responses_shown = row(None, "primary", "primary")
    rows = [every_cell_hidden, one_cell_shown, responses_shown]
    assert [presenters.fully_hidden(r) for r in rows] == [True, False, False]
    kept, left_out = presenters.shown_rows(rows, presenters.HeatmapParams())
    assert kept == [one_cell_shown, responses_shown] and left_out == 1
    listed, none = presenters.shown_rows(rows, presenters.HeatmapParams(show_hidden=True))
    assert listed == rows and none == 0


@pytest.mark.parametrize(
    ("raw", "level"),
    [
        (None, None),
        ("", None),
        (3, 3),
        ("3", 3),
        ("team", "team"),
        ("Teams", "team"),
        (" Directorates ", "directorate"),
        ("organisation", "organisation"),
    ],
)
def test_levels_are_kinds_or_depths(raw, level):
    assert rs.parse_level(raw) == level


@pytest.mark.parametrize("raw", ["ward", "-1", "3.5", "level 3"])
def test_anything_else_names_what_is_accepted(raw):
    with pytest.raises(Invalid) as caught:
        rs.parse_level(raw)
    assert caught.value.errors["level"] == (
        f"There is no level {raw!r}. Use a kind of unit: organisation, division, directorate, "
        "department or team, or a depth (0 the organisation, 1 its divisions, and so on down)."
    )


def test_level_labels():
    assert [rs.level_label(level) for level in ("organisation", "team", 3)] == [
        "Organisation",
        "Teams",
        "Level 3",
    ]
