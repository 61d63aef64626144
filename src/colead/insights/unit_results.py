"""The unit results page's data: one unit in one closed wave, shaped for the template.

Every figure comes from the results service (``colead.insights.results``), already through
disclosure control: the unit's row of the organisation's protected table at the unit's
level, so the page shows exactly what the heatmap shows for the unit. Every figure of a
measure, the Wilson interval of percent positive included, is the cell's
``results.published_figures``, the record the exports and the API publish (so below 2k the
mean is a band or left out, and no interval is shown: R6). What the service's cells do not
carry goes through ``disclosure`` here too:

* team agreement, rwg(J), only for a group whose psychological safety score is shown;
* comment themes only through ``themes.theme_summary`` (the wave's comment threshold, and
  no group worked out by subtraction).

The trend takes each closed wave's own protected table, so a wave where the unit is hidden is
a gap, never a number.

Themes are fitted once per wave's comments (``wave_themes``): kept per process, and in
Django's cache (without the comments' text) so that other processes and restarts do not
fit them again. The key is a digest of the comments themselves, so a change to them (an
import into the closed wave) gives fresh themes and nothing needs clearing. Closing a wave
queues their fitting in the background (``insights.tasks.fit_wave_themes``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from colead.insights import engine as eng
from colead.insights import presenters, themes, unit_figures
from colead.insights import results as rs
from colead.lib import charts, memory
from colead.lib import tree as unit_tree
from colead.lib.formatting import uk_date
from colead.surveys.models import Response

THEME_SEED = 0
THEME_SAMPLES = 3
THEMES_CACHE_VERSION = 1  # bump when fit_themes changes what it returns
THEMES_CACHE_SECONDS = 90 * 24 * 3600
REAL_TEAM = eng.REAL_TEAM_MEASURE
TEAM_DIMENSION = "psychological_safety"

_FITTED = memory.recent(8, f"{__name__}._FITTED")  # comments digest -> FittedThemes
_AGREEMENT = memory.recent(8, f"{__name__}._AGREEMENT")  # wave core key -> {unit id: rwg(J)}


# -- the unit and the viewer ------------------------------------------------------------------


def in_scope(unit: rs.UnitRef, scopes) -> bool:
    """Whether the viewer's scopes (``[None]``: the organisation) hold the unit."""
    return rs.scope_holds(unit.path, scopes)


def includes(target_paths, unit: rs.UnitRef) -> bool:
    """Whether a wave sent to ``target_paths`` surveyed anyone in the unit's subtree."""
    return unit_tree.overlap([unit.path], target_paths)


def unit_row(
    results: rs.WaveResults, unit: rs.UnitRef, measures: str = "dimensions"
) -> rs.Row | None:
    """The unit's whole-group row of the organisation's protected table at its level; None
    for a unit the wave did not survey (a wave sent to part of the organisation has no row
    for the units outside it)."""
    table = results.table(level=unit.depth, measures=measures)
    index = table.cache.get("unit_rows")
    if index is None:
        index = table.cache["unit_rows"] = {
            row.unit_id: row for row in table.rows if row.category is None
        }
    return index.get(unit.id)


def children_of(results: rs.WaveResults, unit: rs.UnitRef) -> list[rs.UnitRef]:
    return sorted(
        (ref for ref in results.units.refs.values() if ref.parent_id == unit.id),
        key=lambda ref: (ref.name, ref.code),
    )


def ancestors_of(results: rs.WaveResults, unit: rs.UnitRef) -> list[rs.UnitRef]:
    refs = results.units.refs
    chain = []
    parent = unit.parent_id
    while parent is not None and parent in refs:
        chain.append(refs[parent])
        parent = refs[parent].parent_id
    return chain[::-1]


def unit_url(wave_id: int, unit: rs.UnitRef) -> str:
    return reverse("insights:unit", args=[wave_id, unit.code])


# -- formatting ---------------------------------------------------------------------------------


def fmt_pct(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}%"


def fmt_interval(low, high, unit: str = "") -> str:
    if low is None or high is None:
        return ""
    if unit == "%":
        return f"{low:.0f}% to {high:.0f}%"
    return f"{low:.1f} to {high:.1f}"


def responses_text(row: rs.Row | None, threshold: int) -> tuple[str, str | None]:
    """(what the responses cell says, the reason it is hidden or None)."""
    if row is None:
        return "Not surveyed", None
    if row.suppressed:
        short = f"<{threshold}" if row.suppressed == "primary" else "Hidden"
        return short, row.reason
    return f"{row.respondents:,}", None


def _change_text(cell: rs.Cell, table: rs.ResultsTable, asked_before: bool) -> str:
    if table.previous_wave_id is None:
        return "No earlier wave"
    if not asked_before:
        return f"Not asked in {table.previous_title}"
    if cell.change_label is None:
        return (
            f"Not shown: needs at least {2 * table.threshold} responses in both waves, "
            "and the group shown in both"
        )
    return f"{presenters.fmt_change(cell.change)} ({presenters.CHANGE_WORDS[cell.change_label]})"


def _comparison_text(unit: rs.UnitRef, label: str | None) -> str:
    if unit.depth == 0:
        return "Not compared: this is the whole organisation"
    if label is None:
        return "Not compared"
    return presenters.COMPARISON_WORDS[label].capitalize()


@dataclass
class MeasureLine:
    """One measure of the unit as the page shows it. A hidden one has only its title,
    ``hidden`` (the reason) and ``status``."""

    code: str
    title: str
    kind: str
    hidden: str | None = None
    status: str | None = None
    n: str = ""
    score: str = ""
    score_interval: str = ""
    pct: str = ""
    pct_interval: str = ""
    pct_banded: bool = False
    comparison: str = ""
    pct_comparison: str = ""
    change: str = ""
    sub: bool = False  # a sub-dimension of the dimension after it (engagement's parts)


def measure_line(
    table: rs.ResultsTable,
    measure: eng.Measure,
    cell: rs.Cell | None,
    unit: rs.UnitRef,
    asked_before: bool = True,
) -> MeasureLine:
    """One measure as the page shows it: the figures ``results.published_figures`` gives
    the exports and the API too, in words."""
    line = MeasureLine(code=measure.code, title=measure.title, kind=measure.kind)
    figures = rs.published_figures(cell, table.threshold, rounded=False)
    if figures["suppressed"] is not None:
        line.hidden = figures["suppressed_reason"]
        line.status = figures["suppressed"]
        return line
    line.n = f"{figures['n']:,}"
    if measure.kind != eng.SHARE:
        if figures["score_band"] is not None:
            line.score = figures["score_band"]
        elif figures["score"] is not None:
            line.score = presenters.fmt_score(figures["score"])
        else:
            line.score = "Not shown"
        line.score_interval = fmt_interval(figures["ci_low"], figures["ci_high"])
        line.comparison = _comparison_text(unit, cell.comparison)
        line.change = _change_text(cell, table, asked_before)
    if figures["pct_positive_band"]:
        line.pct, line.pct_banded = figures["pct_positive_band"], True
    else:
        line.pct = fmt_pct(figures["pct_positive"])
        line.pct_interval = fmt_interval(figures["pct_low"], figures["pct_high"], unit="%")
    line.pct_comparison = _comparison_text(unit, cell.pct_comparison)
    return line


def _lines(results, table, row, unit, codes) -> dict[str, MeasureLine]:
    measures = {m.code: m for m in table.measures}
    wanted = [c for c in codes if c in measures]
    before = {m.code for m in results.previous.measures} if results.previous is not None else set()
    return {
        code: measure_line(
            table, measures[code], row.cells.get(code), unit, asked_before=code in before
        )
        for code in wanted
    }


# -- dimensions and items -----------------------------------------------------------------------


def dimension_lines(results: rs.WaveResults, unit: rs.UnitRef) -> list[MeasureLine]:
    """Every dimension of the wave for the unit, in the instruments' order (a parent such as
    staff engagement after its sub-dimensions, which are marked ``sub``)."""
    table = results.table(level=unit.depth, measures="dimensions")
    row = unit_row(results, unit, "dimensions")
    if row is None:
        return []
    codes = [m.code for m in table.measures]
    lines = _lines(results, table, row, unit, codes)
    parents = {d.code: d for d in results.scored.scheme.dimensions if d.subdimensions}
    subs = {s for d in parents.values() for s in d.subdimensions}
    for code in subs & set(lines):
        lines[code].sub = True
    return [lines[c] for c in codes]


@dataclass
class ItemGroup:
    title: str
    dimension: str | None
    lines: list[MeasureLine]


def item_groups(results: rs.WaveResults, unit: rs.UnitRef) -> list[ItemGroup]:
    """Items of the unit grouped by the dimension they feed (an item feeding two dimensions
    is under both), then the questions that feed none."""
    table = results.table(level=unit.depth, measures="all")
    row = unit_row(results, unit, "all")
    if row is None:
        return []
    scheme = results.scored.scheme
    item_codes = [m.code for m in table.measures if m.kind == eng.ITEM]
    lines = _lines(results, table, row, unit, item_codes)
    groups = []
    placed: set[str] = set()
    for dimension in scheme.dimensions:
        if not dimension.items:
            continue
        members = [lines[c] for c in dimension.items if c in lines]
        placed.update(line.code for line in members)
        if members:
            groups.append(ItemGroup(dimension.title, dimension.code, members))
    rest = [lines[c] for c in item_codes if c not in placed]
    if rest:
        groups.append(ItemGroup("Other questions", None, rest))
    return groups


# -- real teams and team agreement ----------------------------------------------------------------


def team_agreements(results: rs.WaveResults) -> dict[int, float] | None:
    """rwg(J) of psychological safety for every unit of the wave (once per wave), or None
    when the wave does not measure it on one scale."""
    key = results.core.key
    cached = _AGREEMENT.get(key)
    if cached is not None:
        return cached or None
    values: dict[int, float] = {}
    scheme = results.scored.scheme
    if TEAM_DIMENSION in scheme.dimension_index:
        try:
            frame = eng.team_agreement(results.stats, TEAM_DIMENSION)
        except ValueError:  # items on different scales: no rwg(J)
            frame = None
        if frame is not None:
            values = {
                int(unit): (float("nan") if rwg is None else float(rwg))
                for unit, rwg in zip(frame["unit"].to_list(), frame["rwg_j"].to_list(), strict=True)
            }
    _AGREEMENT.put(key, values)
    return values or None


@dataclass
class TeamLine:
    name: str
    href: str | None
    responses: str
    responses_hidden: str | None
    real_team: MeasureLine | None
    safety: MeasureLine | None
    agreement: unit_figures.Agreement | None
    is_self: bool = False


def teams_section(results: rs.WaveResults, unit: rs.UnitRef, children: list[rs.UnitRef]) -> dict:
    """Real-team share and psychological safety (with agreement) for the unit and the units
    directly below it."""
    codes = [m.code for m in results.measures]
    has_share = REAL_TEAM in codes
    agreements = team_agreements(results)
    has_safety = agreements is not None
    k = results.threshold
    wanted = [c for c in (REAL_TEAM, TEAM_DIMENSION) if c in codes]

    def line_for(ref: rs.UnitRef, is_self: bool) -> TeamLine | None:
        table = results.table(level=ref.depth, measures="all")
        row = unit_row(results, ref, "all")
        if row is None:  # not surveyed by this wave
            return None
        lines = _lines(results, table, row, ref, wanted)
        responses, hidden = responses_text(row, k)
        safety = lines.get(TEAM_DIMENSION) if has_safety else None
        agreement = None
        if safety is not None and safety.hidden is None:
            cell = row.cells[TEAM_DIMENSION]
            agreement = unit_figures.agreement(agreements.get(ref.id), n=cell.n, k=k)
        return TeamLine(
            name=ref.name,
            href=None if is_self else unit_url(results.wave_id, ref),
            responses=responses,
            responses_hidden=hidden,
            real_team=lines.get(REAL_TEAM) if has_share else None,
            safety=safety,
            agreement=agreement,
            is_self=is_self,
        )

    own = line_for(unit, True) if (has_share or has_safety) else None
    lines = [] if own is None else [own]
    if lines:
        lines += [line for line in (line_for(child, False) for child in children) if line]
    return {"has_share": has_share, "has_safety": has_safety, "lines": lines}


# -- the units below ----------------------------------------------------------------------------


def child_links(results: rs.WaveResults, children: list[rs.UnitRef]) -> list[dict]:
    out = []
    for child in children:
        row = unit_row(results, child)
        if row is None:  # a unit the wave did not survey
            continue
        responses, hidden = responses_text(row, results.threshold)
        out.append(
            {
                "name": child.name,
                "code": child.code,
                "href": unit_url(results.wave_id, child),
                "responses": responses,
                "hidden": hidden,
            }
        )
    return out


# -- the trend across waves ----------------------------------------------------------------------


def waves_including(organisation, unit: rs.UnitRef) -> list:
    """The organisation's closed waves with stored scores that surveyed anyone in the unit,
    oldest first."""
    waves = (
        rs.closed_wave_queryset(organisation)
        .filter(scores__isnull=False)
        .prefetch_related("target_units")
        .order_by("closed_at", "pk")
    )
    return [w for w in waves if includes([t.path for t in w.target_units.all()], unit)]


@dataclass
class Trend:
    waves: list[dict]  # {"id", "label", "title", "closed", "current", "href"}
    rows: list[dict]  # per dimension: {"title", "cells": [{"text", "hidden"}, ...]}
    points: list[dict] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)
    spec: dict | None = None


PART_SURVEYED = (
    "This survey went to part of the unit only, so its figures are not the unit's score "
    "and are left out of the trend."
)


def surveyed_whole(wave, results: rs.WaveResults, unit: rs.UnitRef) -> bool:
    """Whether the wave was sent to the whole of the unit: the unit lies within one of the
    wave's target units, or every active unit just below it was surveyed whole (a trust's
    survey sent to each of its divisions covers the trust; a Maternity pulse does not)."""
    targets = [t.path for t in wave.target_units.all()]
    children: dict[int, list[rs.UnitRef]] = {}
    for ref in results.units.refs.values():
        if ref.parent_id is not None and ref.is_active:
            children.setdefault(ref.parent_id, []).append(ref)

    def whole(ref: rs.UnitRef) -> bool:
        if unit_tree.within_any(ref.path, targets):
            return True
        below = children.get(ref.id, [])
        return bool(below) and all(whole(child) for child in below)

    return whole(unit)


def trend(waves: list, unit: rs.UnitRef, current_id: int) -> Trend:
    """Each dimension's score in every wave that included the unit: only what each wave's
    own disclosure control shows (a hidden figure is a gap in the chart and its reason in
    the table)."""
    # Short labels that tell the waves apart on the chart's axis ("Autumn 2025"); the table
    # beside it gives each wave's full title as well.
    labels = charts.short_labels(
        [w.title for w in waves], [timezone.localtime(w.closed_at).date() for w in waves]
    )
    titles: dict[str, str] = {}
    per_wave = []
    for wave in waves:
        results = rs.load_results(wave)
        table = results.table(level=unit.depth, measures="dimensions")
        row = unit_row(results, unit, "dimensions")
        for measure in table.measures:
            titles.setdefault(measure.code, measure.title)
        per_wave.append((table, row, surveyed_whole(wave, results, unit)))
    rows, points, shown_measures = [], [], []
    for code, title in titles.items():
        cells = []
        for label, (table, row, whole) in zip(labels, per_wave, strict=True):
            if row is None:
                cells.append({"text": "Not surveyed", "hidden": None})
                continue
            if not whole:
                # A wave sent to part of the unit (a Maternity pulse, at the organisation)
                # speaks for that part only: it is not the unit's score, so no point.
                cells.append({"text": "Part surveyed", "hidden": PART_SURVEYED})
                continue
            cell = row.cells.get(code)
            if cell is None:
                cells.append({"text": "Not asked", "hidden": None})
                continue
            figures = rs.published_figures(cell, table.threshold, rounded=False)
            if figures["suppressed"]:
                short = f"<{table.threshold}" if figures["suppressed"] == "primary" else "Hidden"
                cells.append({"text": short, "hidden": figures["suppressed_reason"]})
            elif figures["score"] is None:
                # below 2k: the score's band, or nothing (R6); no point on the chart
                cells.append({"text": figures["score_band"] or "Not shown", "hidden": None})
            else:
                interval = fmt_interval(figures["ci_low"], figures["ci_high"])
                cells.append(
                    {
                        "text": presenters.fmt_score(figures["score"])
                        + (f" ({interval})" if interval else ""),
                        "hidden": None,
                    }
                )
                points.append(
                    {
                        "wave": label,
                        "measure": title,
                        "score": round(figures["score"], 2),
                        "low": None if figures["ci_low"] is None else round(figures["ci_low"], 2),
                        "high": None
                        if figures["ci_high"] is None
                        else round(figures["ci_high"], 2),
                    }
                )
                if title not in shown_measures:
                    shown_measures.append(title)
        rows.append({"title": title, "cells": cells})
    wave_heads = [
        {
            "id": w.pk,
            "label": label,
            "title": w.title,
            "closed": uk_date(w.closed_at),
            "current": w.pk == current_id,
            "href": unit_url(w.pk, unit),
        }
        for w, label in zip(waves, labels, strict=True)
    ]
    ordered = [t for t in titles.values() if t in shown_measures]
    spec = unit_figures.trend_spec(points, labels, ordered) if points else None
    return Trend(wave_heads, rows, points, ordered, spec)


# -- comments -------------------------------------------------------------------------------------


def comment_records(wave, instruments) -> list[dict]:
    """The wave's comments as stored (masked when they were submitted or imported), one
    record per comment, in a fixed order. ``respondent`` is the response id, so that the
    comment threshold counts people."""
    dimension_of = {}
    for instrument in instruments:
        for item in instrument.items:
            if item.type == "free_text" and not item.demographic:
                dimension_of[item.code] = item.dimensions[0] if item.dimensions else None
    records = []
    responses = (
        Response.objects.filter(wave=wave)  # the wave was looked up in its organisation
        .exclude(comments={})
        .order_by("id")
        .values_list("id", "reporting_unit_id", "comments")
    )
    for response_id, unit_id, comments in responses:
        for code, text in sorted((comments or {}).items()):
            if not isinstance(text, str) or not text.strip():
                continue
            records.append(
                {
                    "text": text,
                    "unit": unit_id,
                    "item": code,
                    "dimension": dimension_of.get(code),
                    "respondent": str(response_id),
                }
            )
    return records


def _digest(wave_id: int, records: list[dict]) -> str:
    h = hashlib.blake2b(digest_size=20)
    h.update(f"{THEMES_CACHE_VERSION}|{THEME_SEED}|{wave_id}".encode())
    for r in records:
        h.update(
            "\x1f".join(
                (r["respondent"], str(r["unit"]), r["item"], str(r["dimension"]), r["text"])
            ).encode()
        )
        h.update(b"\x1e")
    return h.hexdigest()


def _compact(fitted: themes.FittedThemes) -> dict:
    """What the shared cache keeps: the themes and each comment's theme, weight and
    sentiment, by position. No comment text and no response ids."""
    data = fitted.as_dict()
    return {
        "themes": data["themes"],
        "assigned": [[c.theme, c.weight, c.sentiment, c.sentiment_label] for c in fitted.comments],
        "seed": fitted.seed,
        "reason": fitted.reason,
        "vocabulary_size": fitted.vocabulary_size,
    }


def _restore(data: dict, records: list[dict]) -> themes.FittedThemes | None:
    if len(data.get("assigned", ())) != len(records):
        return None
    comments = [
        {
            "text": r["text"],
            "unit": r["unit"],
            "item": r["item"],
            "dimension": r["dimension"],
            "respondent": r["respondent"],
            "theme": theme,
            "weight": weight,
            "sentiment": score,
            "sentiment_label": label,
        }
        for r, (theme, weight, score, label) in zip(records, data["assigned"], strict=True)
    ]
    return themes.FittedThemes.from_dict({**data, "comments": comments})


def wave_themes(wave, records: list[dict]) -> themes.FittedThemes:
    """The wave's themes, fitted once for its comments (see the module's docstring)."""
    digest = _digest(wave.pk, records)
    fitted = _FITTED.get(digest)
    if fitted is not None:
        return fitted
    key = f"colead:insights:themes:{digest}"
    stored = cache.get(key)
    fitted = _restore(stored, records) if isinstance(stored, dict) else None
    if fitted is None:
        fitted = themes.fit_themes(records, seed=THEME_SEED)
        cache.set(key, _compact(fitted), THEMES_CACHE_SECONDS)
    return _FITTED.put(digest, fitted)


def comments_section(wave, results: rs.WaveResults, unit: rs.UnitRef, instruments) -> dict:
    """Themes, sentiment and sample comments of the unit (and of each dimension's comment
    items), each group only where ``themes.theme_summary`` shows it."""
    records = comment_records(wave, instruments)
    item_text = {
        item.code: item.text
        for instrument in instruments
        for item in instrument.items
        if item.type == "free_text"
    }
    if not item_text:
        return {"asked": False, "groups": [], "threshold": wave.comment_threshold}
    dimension_titles = {d.code: d.title for d in results.scored.scheme.dimensions}
    fitted = wave_themes(wave, records)
    summary = themes.theme_summary(
        fitted,
        tree=results.tree,
        comment_threshold=wave.comment_threshold,
        units=[unit.id],
        samples=THEME_SAMPLES,
        seed=THEME_SEED,
        population=results.core.invited,
    )
    groups = []
    for group in summary.for_unit(unit.id):
        title = (
            "All comments"
            if group.dimension is None
            else dimension_titles.get(group.dimension, group.dimension)
        )
        entry = {"title": title, "dimension": group.dimension, "shown": group.shown}
        if not group.shown:
            entry["reason"] = group.reason
        else:
            entry.update(
                {
                    "comments": group.comments,
                    "commenters": group.commenters,
                    "sentiment": themes.sentiment_label(group.sentiment)
                    if group.sentiment is not None
                    else None,
                    "positive": group.positive,
                    "neutral": group.neutral,
                    "negative": group.negative,
                    "unthemed": group.unthemed,
                    "themes": [
                        {
                            "label": t.label,
                            "count": t.count,
                            "share": fmt_pct(100 * t.share),
                            "sentiment": themes.sentiment_label(t.sentiment),
                        }
                        for t in group.themes
                    ],
                    "samples": [
                        {
                            "text": s["text"],
                            "question": item_text.get(s["item"], s["item"]),
                            "theme": None
                            if s["theme"] is None
                            else fitted.themes[s["theme"]].label,
                            "sentiment": s["sentiment"],
                        }
                        for s in group.samples
                    ],
                }
            )
        groups.append(entry)
    return {
        "asked": True,
        "groups": groups,
        "threshold": wave.comment_threshold,
        "reason": fitted.reason,
        "shown": any(g["shown"] for g in groups),
    }
