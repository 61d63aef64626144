"""Published reads of survey results: one function per read, used alike by the pages, the
API, the exports and ``colead export``.

Each read does, in this order and nowhere else:

1. lookup: the wave, in the organisation the actor is working in (any organisation for
   the system); none is ``NotFound``;
2. scope: the units under which the actor holds RESULTS_VIEW (or RESULTS_ANALYSE), a wave
   that surveyed none of them is ``Refused``;
3. state: only a closed wave whose scores are stored has results; otherwise
   ``results.ResultsNotReady`` (a ``Conflict``) says which and what to do. A read never
   scores a wave: scores are stored when its responses become final;
4. validation: a bad level, breakdown, group, measure set or format is ``Invalid``, naming
   each parameter with what is wrong and how to put it right;
5. disclosure: every figure comes from ``insights.results`` (the organisation's protected
   tables, then filtered to the actor's scope);
6. the audit event, once, when figures are shown.

Callers build the ``Actor`` (``Actor.from_request(request)``, ``source="api"``,
``Actor.system("cli")``) and shape what they get for a template, JSON or a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from colead.accounts.permissions import own_person_ids, permitted_scopes
from colead.accounts.roles import Permission
from colead.audit.services import record
from colead.core.actor import Actor
from colead.insights import analysis, exports, weighting
from colead.insights import results as rs
from colead.insights import unit_results as ur
from colead.lib import tree as unit_tree
from colead.lib.errors import Invalid, NotFound, Refused
from colead.lib.spreadsheet import FORMATS
from colead.org.models import Person, Unit
from colead.surveys.models import Wave
from colead.surveys.services import wave_instruments

RESULTS = Permission.RESULTS_VIEW
OWN = Permission.RESULTS_VIEW_OWN
ANALYSE = Permission.RESULTS_ANALYSE
COMMENTS_WITHHELD = (
    "Comments are shown to the managers of the unit and to the board and OD team, not to "
    "every member of staff."
)
STAFF_SEE_PUBLISHED = (
    "Downloads, the API and the analysis pages are for managers, the board and the OD team. "
    "You can see the results of the organisation and of your own units on the Results pages."
)
PREVIOUS_WAVES = 3  # earlier waves shown beside this one on the reliability page
EXPORT_FORMATS = ("json", *FORMATS)


# -- who may see what ----------------------------------------------------------------------------


def scopes_of(
    actor: Actor, organisation, permission: Permission = RESULTS, *, published: bool = False
) -> list:
    """The units under which the actor holds ``permission`` (``[None]``: the whole
    organisation; the system sees it all). With ``published`` (the results pages), a member
    of staff (RESULTS_VIEW_OWN) also sees the organisation and their own units, each alone
    (``results.OwnUnit``), after the subtrees they hold. None at all is Refused."""
    if actor.is_system:
        return [None]
    user = actor.user
    scopes = permitted_scopes(user, permission, organisation) if user is not None else []
    if scopes == [None]:
        return scopes
    holds_own = user is not None and bool(permitted_scopes(user, OWN, organisation))
    if published and permission == RESULTS and holds_own:
        scopes = [*scopes, *own_units(user, organisation)]
    if not scopes:
        if holds_own:
            raise Refused(STAFF_SEE_PUBLISHED)
        raise Refused(f"You may not see survey results in {organisation.name}.")
    return scopes


def own_units(user, organisation) -> list[rs.OwnUnit]:
    """The organisation's top unit and the units of the user's staff records with their
    ancestors, from the top: the results published to every member of staff."""
    people = Person.objects.filter(
        organisation=organisation, pk__in=own_person_ids(user, organisation)
    ).select_related("primary_unit")
    ids = [unit_id for person in people for unit_id in person.primary_unit.ancestor_ids()]
    units = Unit.objects.for_org(organisation).filter(
        Q(parent__isnull=True) | Q(pk__in=ids), is_active=True
    )
    return [
        rs.OwnUnit(
            id=unit.pk,
            path=unit.path,
            depth=unit.depth,
            level=unit.level,
            name=unit.name,
            code=unit.code,
        )
        for unit in units.order_by("depth", "path")
    ]


def may_analyse(actor: Actor, organisation) -> bool:
    """Whether the actor sees the analysts' pages (RESULTS_ANALYSE organisation-wide)."""
    if actor.is_system:
        return True
    return actor.user is not None and permitted_scopes(actor.user, ANALYSE, organisation) == [None]


@dataclass(kw_only=True)
class WaveRead:
    """A closed, scored wave the actor may see, with the organisation's results for it."""

    wave: Wave
    results: rs.WaveResults
    scopes: list

    @property
    def org_wide(self) -> bool:
        return None in self.scopes

    @property
    def own_only(self) -> bool:
        """Whether the actor sees only the results published to every member of staff."""
        return bool(self.scopes) and all(rs.is_own_unit(scope) for scope in self.scopes)

    @property
    def may_export(self) -> bool:
        """Downloads and the API are for those who hold results over units, not staff."""
        return not self.own_only

    @property
    def scope_names(self) -> list[str]:
        """The units whose subtrees the actor sees (none when organisation-wide)."""
        if self.org_wide:
            return []
        return [unit.name for unit in self.scopes if not rs.is_own_unit(unit)]

    @property
    def own_names(self) -> list[str]:
        """The units the actor sees alone, as a member of staff (``results.OwnUnit``)."""
        return [unit.name for unit in self.scopes if rs.is_own_unit(unit)]

    @property
    def kinds(self) -> list[str]:
        """The kinds of unit the actor may see (``results.LEVEL_KINDS``), for the level
        choices."""
        return rs.allowed_kinds(self.results, self.scopes)

    @property
    def levels(self) -> list[rs.Level]:
        """Every level the actor may ask for: the depths, then the kinds of unit."""
        return [*rs.allowed_levels(self.results, self.scopes), *self.kinds]

    @property
    def default_level(self) -> rs.Level:
        return rs.default_level(self.results, self.scopes)


def _wave(actor: Actor, organisation, wave_id: int) -> Wave:
    """The wave in ``organisation``; in any organisation only for the system (the command
    line sees every organisation)."""
    if organisation is None and not actor.is_system:
        raise TypeError("Only the system reads results without naming an organisation.")
    waves = Wave.objects.for_org(organisation) if organisation is not None else Wave.objects
    wave = waves.select_related("organisation").filter(pk=wave_id).first()
    if wave is None:
        where = f" in {organisation.name}" if organisation is not None else ""
        raise NotFound(f"There is no wave {wave_id}{where}.")
    return wave


def _open(
    actor: Actor,
    organisation,
    wave_id: int,
    *,
    permission: Permission = RESULTS,
    org_wide: bool = False,
    with_previous: bool = True,
    published: bool = False,
) -> WaveRead:
    """Lookup, scope and state of a read (``org_wide``: the figures are the whole
    organisation's, so a unit's scope is not enough; ``published``: a page every member of
    staff may open, for their own units)."""
    wave = _wave(actor, organisation, wave_id)
    scopes = scopes_of(actor, wave.organisation, permission, published=published)
    if org_wide and None not in scopes:
        raise Refused(
            "These figures are computed across the whole organisation: they need "
            "organisation-wide access to the results."
        )
    if None not in scopes and not rs.overlaps(
        wave.target_units.values_list("path", flat=True), scopes
    ):
        raise Refused(f"{wave.title} did not survey any of the units you may see.")
    results = rs.load_results(wave, with_previous=with_previous)
    return WaveRead(wave=wave, results=results, scopes=scopes)


# -- the list of waves ---------------------------------------------------------------------------


def waves(actor: Actor, *, organisation) -> list[Wave]:
    """The organisation's closed waves that surveyed units the actor may see, newest first.
    Not audited: it shows titles and dates, no figures."""
    scopes = scopes_of(actor, organisation, published=True)
    closed = (
        rs.closed_wave_queryset(organisation)
        .prefetch_related("target_units")
        .order_by("-closed_at", "-pk")
    )
    return [
        wave
        for wave in closed
        if rs.overlaps([unit.path for unit in wave.target_units.all()], scopes)
    ]


# -- the heatmap ---------------------------------------------------------------------------------


def heatmap_choices(
    actor: Actor,
    *,
    organisation,
    wave_id: int,
    level: rs.Level | None = None,
    by: str | None = None,
    group: str | None = None,
) -> WaveRead:
    """What the heatmap's form offers (levels, breakdowns), without figures, after checking
    what was asked as ``heatmap`` does: for a page that shows problems instead of figures.
    Not audited."""
    read = _open(actor, organisation, wave_id, published=True)
    _checked(read, level, by, group, "dimensions")
    return read


@dataclass(kw_only=True)
class Heatmap(WaveRead):
    level: rs.Level
    by: str | None
    group: str | None
    measures: str
    table: rs.ResultsTable
    rows: list[rs.Row] = field(default_factory=list)  # the actor's rows, in unit order


def _checked(read: WaveRead, level, by, group, measures) -> tuple[rs.Level, str | None, str | None]:
    """The level (a kind of unit or a depth, as a name, a number or its text), breakdown and
    group asked for, checked together so that every problem is named at once. A group
    without a breakdown is a staff group (the page's links)."""
    results = read.results
    if group is not None and by is None:
        by = "staff_group"
    errors: dict[str, str] = {}
    try:
        level = rs.parse_level(level)
    except Invalid as error:
        errors["level"] = error.errors["level"]
    level = read.default_level if level is None else level
    checks = [
        ("by", lambda: results.require_breakdown(by)),
        ("measures", lambda: results.measure_codes(measures)),
    ]
    if "level" not in errors:
        checks.insert(0, ("level", lambda: results.require_level(level, read.levels)))
    for name, check in checks:
        try:
            check()
        except Invalid as error:
            errors[name] = error.errors.get(name, str(error))
    if group is not None and "by" not in errors and group not in dict(results.category_labels(by)):
        errors["group"] = (
            f"There is no {rs.BREAKDOWNS[by].lower()} {group[:60]!r} in this wave's results. "
            "Choose one from the list."
        )
    if errors:
        raise Invalid(errors, source="query")
    return level, by, group


def _heatmap(
    actor, organisation, wave_id, level, by, group, measures, *, published: bool
) -> Heatmap:
    read = _open(actor, organisation, wave_id, published=published)
    level, by, group = _checked(read, level, by, group, measures)
    table = read.results.table(level=level, breakdown=by, measures=measures)
    rows = rs.scoped_rows(table, read.scopes)
    if group is not None:
        rows = [row for row in rows if row.category == group]
    return Heatmap(
        wave=read.wave,
        results=read.results,
        scopes=read.scopes,
        level=level,
        by=by,
        group=group,
        measures=measures,
        table=table,
        rows=rows,
    )


def heatmap(
    actor: Actor,
    *,
    organisation,
    wave_id: int,
    level: rs.Level | None = None,
    by: str | None = None,
    group: str | None = None,
    measures: str = "dimensions",
) -> Heatmap:
    """The heatmap of a closed wave: the actor's units at ``level`` (a kind of unit such as
    ``"team"``, or a depth; their default level when None), optionally broken down ``by`` a
    breakdown the responses carry, or one ``group`` of it. Audited as
    ``insights.heatmap_view``."""
    read = _heatmap(actor, organisation, wave_id, level, by, group, measures, published=True)
    record(
        action="insights.heatmap_view",
        actor=actor,
        organisation=read.wave.organisation,
        obj=read.wave,
        detail={
            "level": read.level,
            "breakdown": read.by,
            "group": read.group,
            "rows": len(read.rows),
        },
    )
    return read


@dataclass(kw_only=True)
class HeatmapExport:
    """The heatmap's rows as the export's lines (``exports.COLUMNS``), and for csv or xlsx
    the file."""

    heatmap: Heatmap
    fmt: str
    lines: list[dict]
    content: bytes = b""
    content_type: str = ""
    filename: str = ""


def heatmap_export(
    actor: Actor,
    *,
    organisation,
    wave_id: int,
    fmt: str,
    level: rs.Level | None = None,
    by: str | None = None,
    group: str | None = None,
    measures: str = "dimensions",
) -> HeatmapExport:
    """The same rows as ``heatmap`` with every published figure (``results.published_figures``),
    as JSON lines (``fmt="json"``), CSV or XLSX. Audited as ``insights.heatmap_export``,
    with the format, the source (web, API, CLI) and the actor's scope."""
    if fmt not in EXPORT_FORMATS:
        raise Invalid(
            {"format": f"There is no format {fmt[:20]!r}. Use {', '.join(EXPORT_FORMATS)}."},
            source="query",
        )
    read = _heatmap(actor, organisation, wave_id, level, by, group, measures, published=False)
    lines = exports.export_rows(read.table, read.rows)
    export = HeatmapExport(heatmap=read, fmt=fmt, lines=lines)
    if fmt != "json":
        wave = read.wave
        export.content = (
            exports.to_csv(lines).encode("utf-8") if fmt == "csv" else exports.to_xlsx(lines)
        )
        export.content_type = FORMATS[fmt]
        suffix = f"-{read.by}" if read.by else ""
        level = read.level if isinstance(read.level, str) else f"level{read.level}"
        export.filename = (
            f"heatmap-{wave.organisation.code}-wave{wave.pk}-{level}{suffix}"
            f"-{timezone.localdate():%Y%m%d}.{fmt}"
        )
    record(
        action="insights.heatmap_export",
        actor=actor,
        organisation=read.wave.organisation,
        obj=read.wave,
        detail={
            "level": read.level,
            "breakdown": read.by,
            "group": read.group,
            "measures": measures,
            "format": fmt,
            "rows": len(lines),
            "source": actor.source,
            "scope": "organisation" if read.org_wide else sorted(u.code for u in read.scopes),
        },
    )
    return export


# -- a unit's page -------------------------------------------------------------------------------


class UnitNotFound(NotFound):
    """No unit with that code in the wave's organisation (the wave itself was found: a page
    can link to its heatmap)."""

    def __init__(self, message: str, *, wave: Wave):
        super().__init__(message)
        self.wave = wave


@dataclass(kw_only=True)
class UnitPage(WaveRead):
    unit: rs.UnitRef
    row: rs.Row | None
    included: bool  # whether the wave surveyed anyone in the unit
    children: list[rs.UnitRef]
    ancestors: list[rs.UnitRef]  # those the actor may open, from the top
    waves: list[Wave]  # the closed, scored waves that surveyed the unit, oldest first
    trend: ur.Trend
    comments: dict
    # the organisation's scores weighted by staff group (its own page only; else empty)
    weighted: list[weighting.WeightedScore]


def unit_page(actor: Actor, *, organisation, wave_id: int, code: str) -> UnitPage:
    """One unit in a closed wave: its row, its children, the trend across the waves that
    surveyed it and its comment themes. An unknown code is NotFound, a unit outside the
    actor's scope Refused. A member of staff sees their own units (``results.OwnUnit``)
    with none of the units below them and no comments: free text is for the managers of
    the units. Audited as ``insights.unit_view`` (the page can show comments)."""
    read = _open(actor, organisation, wave_id, published=True)
    wave, results = read.wave, read.results
    unit = next((ref for ref in results.units.refs.values() if ref.code == code), None)
    if unit is None:
        raise UnitNotFound(
            f"There is no unit with the code {code[:60]!r} in {wave.organisation.name}.",
            wave=wave,
        )
    if not ur.in_scope(unit, read.scopes):
        if read.own_only:
            raise Refused(
                f"{unit.name} is not one of your units. Every member of staff sees the "
                "results of the organisation and of their own unit and the units above it; "
                "the units' managers see the rest."
            )
        raise Refused(f"{unit.name} is outside the units whose results you may see.")
    row = ur.unit_row(results, unit)
    waves = ur.waves_including(wave.organisation, unit)
    if wave.pk not in {w.pk for w in waves}:
        waves = sorted([*waves, wave], key=lambda w: (w.closed_at, w.pk))
    subtree = rs.scope_holds(unit.path, [s for s in read.scopes if not rs.is_own_unit(s)])
    comments = (
        ur.comments_section(wave, results, unit, wave_instruments(wave))
        if subtree
        else {"asked": True, "groups": [], "withheld": COMMENTS_WITHHELD}
    )
    record(
        action="insights.unit_view",
        actor=actor,
        organisation=wave.organisation,
        obj=wave,
        detail={"unit": unit.code, "comments_shown": comments.get("shown", False)},
    )
    return UnitPage(
        wave=wave,
        results=results,
        scopes=read.scopes,
        unit=unit,
        row=row,
        included=row is not None and ur.includes(results.core.target_paths, unit),
        children=[ref for ref in ur.children_of(results, unit) if ur.in_scope(ref, read.scopes)],
        ancestors=[up for up in ur.ancestors_of(results, unit) if ur.in_scope(up, read.scopes)],
        waves=waves,
        trend=ur.trend(waves, unit, wave.pk),
        comments=comments,
        weighted=_weighted_scores(results, unit),
    )


# -- the board's headline ----------------------------------------------------------------------

ENGAGEMENT = "engagement"


@dataclass(kw_only=True)
class OrganisationHeadline(WaveRead):
    unit: rs.UnitRef  # the organisation
    # Staff engagement as the organisation's unit page words it; None when the wave did
    # not ask about it. Hidden figures carry only the reason (``MeasureLine.hidden``).
    engagement: ur.MeasureLine | None
    trend: ur.Trend  # the unit page's trend of the organisation (every dimension)


def _covers_organisation(wave: Wave, top: Unit, first_level: list[str]) -> bool:
    """Whether the wave was sent to the whole organisation: to its top unit, or to every
    unit just below it (a Maternity pulse, sent to one directorate, is not)."""
    targets = [unit.path for unit in wave.target_units.all()]
    if unit_tree.within_any(top.path, targets):
        return True
    return bool(first_level) and all(unit_tree.within_any(p, targets) for p in first_level)


def organisation_headline(actor: Actor, *, organisation) -> OrganisationHeadline:
    """Staff engagement of the whole organisation in the latest closed wave sent to all of
    it, with its interval, change and trend: the figures of the organisation's row on its
    unit page (the same disclosure control and wording), without the comments, weighted
    scores or units below, for the home page's headline. NotFound when no such wave has
    closed; Refused when the actor may not see the organisation's results. Audited as
    ``insights.headline_view``."""
    top = Unit.objects.for_org(organisation).filter(parent__isnull=True).order_by("pk").first()
    if top is None:
        raise NotFound(f"{organisation.name} has no units yet.")
    first_level = list(
        Unit.objects.for_org(organisation)
        .filter(parent_id=top.pk, is_active=True)
        .values_list("path", flat=True)
    )
    wave = next(
        (
            w
            for w in waves(actor, organisation=organisation)
            if _covers_organisation(w, top, first_level)
        ),
        None,
    )
    if wave is None:
        raise NotFound(
            f"No survey of the whole of {organisation.name} has closed yet: staff "
            "engagement follows when one has."
        )
    read = _open(actor, organisation, wave.pk, published=True)
    unit = next(ref for ref in read.results.units.refs.values() if ref.depth == 0)
    if not ur.in_scope(unit, read.scopes):
        raise Refused(f"{unit.name} is outside the units whose results you may see.")
    engagement = next(
        (line for line in ur.dimension_lines(read.results, unit) if line.code == ENGAGEMENT),
        None,
    )
    included = ur.waves_including(read.wave.organisation, unit)
    if read.wave.pk not in {w.pk for w in included}:
        included = sorted([*included, read.wave], key=lambda w: (w.closed_at, w.pk))
    record(
        action="insights.headline_view",
        actor=actor,
        organisation=read.wave.organisation,
        obj=read.wave,
        detail={
            "unit": unit.code,
            "engagement_shown": engagement is not None and engagement.hidden is None,
        },
    )
    return OrganisationHeadline(
        wave=read.wave,
        results=read.results,
        scopes=read.scopes,
        unit=unit,
        engagement=engagement,
        trend=ur.trend(included, unit, read.wave.pk),
    )


# -- the organisation's scores weighted by staff group ------------------------------------------


def _weighted_scores(results: rs.WaveResults, unit: rs.UnitRef) -> list[weighting.WeightedScore]:
    """The one computation behind the organisation's page, the API and the command line:
    the organisation's scores, unweighted and weighted by staff group, each weighted score
    withheld with its reason unless every staff group's own score is shown
    (``weighting.organisation_scores``). Only the organisation is weighted."""
    return weighting.for_wave(results) if unit.depth == 0 else []


@dataclass(kw_only=True)
class OrganisationScores(WaveRead):
    unit: rs.UnitRef  # the organisation
    scores: list[weighting.WeightedScore]
    lines: list[dict]  # ``weighting.COLUMNS``, for JSON and CSV
    content: bytes = b""  # the CSV file, for fmt="csv"
    filename: str = ""


def organisation_scores(
    actor: Actor, *, organisation, wave_id: int, fmt: str = "json"
) -> OrganisationScores:
    """The organisation's score per theme, unweighted and weighted by staff group, the same
    figures as its results page (``_weighted_scores``), as JSON lines or CSV
    (``fmt="csv"``), for the API and ``colead export weighted``. Like the heatmap's
    downloads it is for those who hold results over the whole organisation (staff read it
    on the page). Audited as ``insights.weighted_export``."""
    if fmt not in ("json", "csv"):
        raise Invalid(
            {"format": f"There is no format {fmt[:20]!r}. Use json or csv."}, source="query"
        )
    read = _open(actor, organisation, wave_id, org_wide=True, with_previous=False)
    unit = next(ref for ref in read.results.units.refs.values() if ref.depth == 0)
    scores = _weighted_scores(read.results, unit)
    lines = weighting.export_lines(unit.code, unit.name, scores)
    out = OrganisationScores(
        wave=read.wave,
        results=read.results,
        scopes=read.scopes,
        unit=unit,
        scores=scores,
        lines=lines,
    )
    if fmt == "csv":
        out.content = weighting.to_csv(lines).encode("utf-8")
        out.filename = (
            f"weighted-{read.wave.organisation.code}-wave{read.wave.pk}"
            f"-{timezone.localdate():%Y%m%d}.csv"
        )
    record(
        action="insights.weighted_export",
        actor=actor,
        organisation=read.wave.organisation,
        obj=read.wave,
        detail={
            "format": fmt,
            "source": actor.source,
            "weighted_shown": sum(score.weighted is not None for score in scores),
        },
    )
    return out


# -- key drivers and reliability ----------------------------------------------------------------


@dataclass(kw_only=True)
class Drivers(WaveRead):
    data: analysis.WaveDrivers
    units: list[rs.UnitRef]  # the organisation and divisions the actor may see
    chosen: analysis.UnitDrivers | None = None
    overview: list[analysis.UnitDrivers] = field(default_factory=list)


def driver_units(results: rs.WaveResults, scopes) -> list[rs.UnitRef]:
    """The organisation and its divisions the wave surveyed, that the viewer may see: all of
    them organisation-wide, else those inside the viewer's subtrees."""
    refs, tree = results.units.refs, results.tree
    positions = [*results.core.level_positions(0), *results.core.level_positions(1)]
    units = [refs[int(tree.ids[p])] for p in positions]
    if None in scopes:
        return units
    paths = tuple(unit.path for unit in scopes)
    return [unit for unit in units if unit.path.startswith(paths)]


def _wave_drivers(results: rs.WaveResults) -> analysis.WaveDrivers:
    core = results.core
    everyone = [
        core.units.refs[int(core.tree.ids[p])]
        for p in (*core.level_positions(0), *core.level_positions(1))
    ]
    return analysis.cached(
        core,
        "drivers",
        lambda: analysis.wave_drivers(core.scored, core.tree, everyone, core.threshold),
    )


def drivers(actor: Actor, *, organisation, wave_id: int, unit: str | None = None) -> Drivers:
    """The key drivers of engagement for the organisation or one division (``unit``, a
    code; the first the actor may see when None). Drivers stop at division level: a
    manager below it gets no units and no figures. A code not offered is Invalid. Audited
    as ``insights.drivers_view`` when figures are shown."""
    read = _open(actor, organisation, wave_id, with_previous=False)
    units = driver_units(read.results, read.scopes)
    data = _wave_drivers(read.results)
    found = Drivers(
        wave=read.wave, results=read.results, scopes=read.scopes, data=data, units=units
    )
    if not units or data.missing:
        return found
    visible = {ref.code: data.unit(ref.code) for ref in units}
    code = unit or units[0].code
    if code not in visible:
        raise Invalid(
            {
                "unit": f"There is no unit {code[:40]!r} to show drivers for. Choose the "
                "organisation or a division from the list."
            },
            source="query",
        )
    found.chosen = visible[code]
    found.overview = [visible[ref.code] for ref in units]
    record(
        action="insights.drivers_view",
        actor=actor,
        organisation=read.wave.organisation,
        obj=read.wave,
        detail={"unit": code},
    )
    return found


@dataclass(kw_only=True)
class Reliability(WaveRead):
    waves: list[Wave]  # this wave, then up to PREVIOUS_WAVES earlier scored ones
    alpha_rows: list[analysis.AlphaRow]
    teams: list[analysis.TeamReliability]
    agreement: list[analysis.AgreementDistribution]


def reliability(actor: Actor, *, organisation, wave_id: int) -> Reliability:
    """Cronbach's alpha per dimension (this wave and the ones before), ICC(1)/ICC(2) across
    teams and within-team agreement: computed across the whole organisation, so for
    RESULTS_ANALYSE organisation-wide only. Audited as ``insights.reliability_view``."""
    read = _open(
        actor, organisation, wave_id, permission=ANALYSE, org_wide=True, with_previous=False
    )
    wave, core = read.wave, read.results.core
    earlier = list(
        rs.closed_wave_queryset(wave.organisation)
        .filter(closed_at__lt=wave.closed_at, scores__isnull=False)
        .exclude(pk=wave.pk)
        .order_by("-closed_at", "-pk")[:PREVIOUS_WAVES]
    )
    cores = [core, *(rs.load_results(w, with_previous=False).core for w in earlier)]
    alphas = [
        analysis.cached(c, "alphas", lambda c=c: analysis.dimension_alphas(c.scored, c.threshold))
        for c in cores
    ]
    found = Reliability(
        wave=wave,
        results=read.results,
        scopes=read.scopes,
        waves=[wave, *earlier],
        alpha_rows=analysis.alpha_rows(core.scored.scheme, alphas),
        teams=analysis.cached(
            core, "teams", lambda: analysis.team_reliability(core.scored, core.threshold)
        ),
        agreement=analysis.cached(
            core, "agreement", lambda: analysis.team_agreement(core.scored, core.threshold)
        ),
    )
    record(
        action="insights.reliability_view",
        actor=actor,
        organisation=wave.organisation,
        obj=wave,
        detail={"waves": [w.pk for w in found.waves]},
    )
    return found
