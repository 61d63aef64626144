"""Writes to an organisation's structure and people: creating an organisation, importing
units and workforce files, and recomputing who counts as a leader.

Views, the API and the CLI all call these. Each write runs in one transaction with its
audit event. Validation is done by the pure modules in ``colead.org.imports``; this module
loads the current state for them (a few queries, whatever the size of the organisation)
and applies their plan in bulk.
"""

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from itertools import islice
from operator import attrgetter

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from colead.audit.services import record
from colead.core.actor import Actor
from colead.core.bulk import bulk_insert as _bulk_insert
from colead.core.bulk import bulk_set as _bulk_set
from colead.lib.errors import Conflict, Invalid, Refused
from colead.lib.problems import ImportProblem, ImportRejected
from colead.lib.table import read_table, report_progress_to
from colead.org import reference
from colead.org.imports.units import ExistingUnit, UnitsPlan, validate_units
from colead.org.imports.workforce import (
    COMPARED_FIELDS,
    PersonRecord,
    WorkforcePlan,
    display_value,
    validate_workforce,
)
from colead.org.models import (
    ORG_CODE_RE,
    ImportKind,
    ImportRun,
    LeadershipPost,
    Organisation,
    PendingUpload,
    Person,
    PersonChange,
    ProtectedCharacteristics,
    TeamMembership,
    Unit,
)

__all__ = [
    "ImportProblem",
    "ImportRejected",
    "ImportResult",
    "LeaversNotConfirmed",
    "create_organisation",
    "import_units",
    "import_workforce",
    "recompute_leaders",
    "hold_upload",
    "preview_upload",
    "confirm_upload",
    "discard_upload",
]

SAMPLE_LIMIT = 200  # changes listed in a result (for previews); the counts are always full
BATCH = 1000


def _batched(items: Iterable, size: int = BATCH) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


# --- Organisations ---------------------------------------------------------------------


def create_organisation(*, code: str, name: str, sector: str, actor: Actor) -> Organisation:
    """A new organisation, with no units or people yet (import a units file next).
    Raises Invalid naming each wrong field, Conflict if the code is taken."""
    code = (code or "").strip()
    name = (name or "").strip()
    errors = {}
    if not ORG_CODE_RE.match(code):
        errors["code"] = (
            f'"{code}" is not a valid organisation code: use 3 to 10 capital letters or '
            "digits, like an ODS code (for example RXX)."
        )
    if not name:
        errors["name"] = "Give the organisation a name."
    elif len(name) > 200:
        errors["name"] = "The organisation's name can be at most 200 characters."
    sector_code = reference.find_sector(sector or "")
    if sector_code is None:
        errors["sector"] = (
            f'"{sector}" is not a sector. Use one of: {", ".join(reference.SECTORS)}.'
        )
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        if Organisation.objects.filter(code=code).exists():
            raise Conflict(f"An organisation with the code {code} already exists.")
        organisation = Organisation.objects.create(code=code, name=name, sector=sector_code)
        record(
            action="organisation.create",
            actor=actor,
            organisation=organisation,
            obj=organisation,
            detail={"code": code, "name": name, "sector": sector_code},
        )
    return organisation


# --- Results ---------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import did (or, for a dry run, would do)."""

    kind: str  # "units" or "workforce"
    filename: str
    sha256: str
    added: int = 0
    updated: int = 0  # returners are counted separately
    returned: int = 0
    leavers: int = 0  # for units: deactivated
    unchanged: int = 0
    dry_run: bool = False
    import_run: ImportRun | None = None
    # Samples of the changes (at most SAMPLE_LIMIT each), as plain dicts for previews.
    added_items: list[dict] = field(default_factory=list)
    updated_items: list[dict] = field(default_factory=list)
    returned_items: list[dict] = field(default_factory=list)
    leaver_items: list[dict] = field(default_factory=list)
    posts_vacated: int = 0
    current_people: int = 0  # workforce: current staff before the import

    @property
    def no_changes(self) -> bool:
        return not (self.added or self.updated or self.returned or self.leavers)

    @property
    def leavers_percent(self) -> float:
        """Leavers as a share of current staff, in per cent (0 when there are none)."""
        return 100 * self.leavers / self.current_people if self.current_people else 0.0

    @property
    def leavers_need_confirmation(self) -> bool:
        """A workforce file that would mark more than COLEAD_IMPORT_LEAVERS_PERCENT of
        current staff as leavers (a partial extract, or the wrong file) is applied only
        with a separate confirmation: ``allow_leavers``."""
        return (
            self.kind == ImportKind.WORKFORCE
            and self.leavers > 0
            and self.leavers_percent > settings.COLEAD_IMPORT_LEAVERS_PERCENT
        )

    @property
    def leavers_label(self) -> str:
        return "deactivated" if self.kind == ImportKind.UNITS else "leavers"

    def counts(self) -> dict[str, int]:
        return {
            "added": self.added,
            "updated": self.updated,
            "returned": self.returned,
            self.leavers_label: self.leavers,
            "unchanged": self.unchanged,
        }

    def summary_line(self) -> str:
        """Added 12, updated 3, leavers 2, unchanged 5,983."""
        parts = [f"Added {self.added:,}", f"updated {self.updated:,}"]
        if self.returned:
            parts.append(f"returned {self.returned:,}")
        parts.append(f"{self.leavers_label} {self.leavers:,}")
        parts.append(f"unchanged {self.unchanged:,}")
        return ", ".join(parts) + "."


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _lock(organisation: Organisation) -> None:
    """One import at a time per organisation (PostgreSQL; SQLite locks the database)."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()


def _create_run(result: ImportResult, *, organisation, actor: Actor, kind) -> ImportRun:
    run = ImportRun.objects.create(
        organisation=organisation,
        kind=kind,
        filename=result.filename[:255],
        sha256=result.sha256,
        actor=actor.user,
        added=result.added,
        updated=result.updated + result.returned,
        leavers=result.leavers,
        unchanged=result.unchanged,
    )
    result.import_run = run
    return run


def _audit(result: ImportResult, *, organisation, actor: Actor, kind) -> None:
    detail = {
        "filename": result.filename,
        "sha256": result.sha256,
        **result.counts(),
        "source": actor.source,
    }
    if kind == ImportKind.WORKFORCE:
        detail["posts_vacated"] = result.posts_vacated
    record(
        action=f"import.{kind}",
        actor=actor,
        organisation=organisation,
        obj=result.import_run,
        object_repr=f"{kind} import of {result.filename}",
        detail=detail,
    )


# --- Units -----------------------------------------------------------------------------


def _current_people_per_unit(organisation) -> Counter:
    """Current people per unit id: as their primary unit or one of their teams."""
    counts = Counter()
    current = Person.objects.for_org(organisation).current()
    for unit_id, n in current.values_list("primary_unit_id").annotate(n=Count("id")):
        counts[unit_id] += n
    memberships = (
        TeamMembership.objects.filter(
            person__organisation=organisation, person__leaving_date__isnull=True
        )
        .exclude(unit_id=F("person__primary_unit_id"))
        .values_list("unit_id")
        .annotate(n=Count("id"))
    )
    for unit_id, n in memberships:
        counts[unit_id] += n
    return counts


def import_units(
    *,
    organisation: Organisation,
    content: bytes,
    filename: str,
    actor: Actor,
    dry_run: bool = False,
) -> ImportResult:
    """Import the whole unit structure from a CSV/XLSX file. Units missing from the file
    are deactivated; if people still work in one, that is a problem and nothing changes.
    Raises ImportRejected with every problem found."""
    table = read_table(content, filename)
    result = ImportResult(kind=ImportKind.UNITS, filename=filename, sha256=_sha256(content))
    with transaction.atomic():
        _lock(organisation)
        units = list(
            Unit.objects.for_org(organisation).values(
                "id", "code", "name", "parent_id", "level", "site", "is_active", "path", "depth"
            )
        )
        code_of = {u["id"]: u["code"] for u in units}
        people = _current_people_per_unit(organisation)
        existing = {
            u["code"]: ExistingUnit(
                code=u["code"],
                name=u["name"],
                parent_code=code_of.get(u["parent_id"], ""),
                level=u["level"],
                site=u["site"],
                is_active=u["is_active"],
                people=people.get(u["id"], 0),
            )
            for u in units
        }
        plan = validate_units(table, existing)
        del table
        result.added = len(plan.adds)
        result.updated = len(plan.updates)
        result.leavers = len(plan.deactivations)
        result.unchanged = plan.unchanged
        result.dry_run = dry_run
        _unit_samples(result, plan)
        if dry_run:
            return result
        _create_run(result, organisation=organisation, actor=actor, kind=ImportKind.UNITS)
        if not plan.no_changes:
            _apply_units(organisation, plan, units)
        _audit(result, organisation=organisation, actor=actor, kind="units")
    return result


def _unit_samples(result: ImportResult, plan: UnitsPlan) -> None:
    result.added_items = [
        {
            "code": r.code,
            "name": r.name,
            "parent_code": r.parent_code,
            "level": r.level,
            "site": r.site,
        }
        for r in plan.adds[:SAMPLE_LIMIT]
    ]
    result.updated_items = [
        {
            "code": u.code,
            "name": u.name,
            "changes": [
                (name, _unit_value(old), _unit_value(new)) for name, (old, new) in u.changes.items()
            ],
        }
        for u in plan.updates[:SAMPLE_LIMIT]
    ]
    result.leaver_items = [
        {"code": u.code, "name": u.name, "parent_code": u.parent_code}
        for u in plan.deactivations[:SAMPLE_LIMIT]
    ]


def _unit_value(value) -> str:
    if isinstance(value, bool):
        return "active" if value else "inactive"
    return str(value)


def _apply_units(organisation, plan: UnitsPlan, units: list[dict]) -> None:
    by_code = {u["code"]: u for u in units}
    new_units = [
        Unit(
            organisation=organisation,
            code=r.code,
            name=r.name,
            level=r.level,
            site=r.site,
            path="",
            depth=0,
        )
        for r in plan.adds
    ]
    # Both supported databases (PostgreSQL, SQLite 3.35+) return the new ids from bulk_create.
    Unit.objects.bulk_create(new_units, batch_size=BATCH)
    id_of = {u["code"]: u["id"] for u in units}
    id_of.update({u.code: u.pk for u in new_units})

    # The final state of every unit: the file's for units in it, unchanged otherwise.
    final: dict[int, dict] = {}
    for u in units:
        final[u["id"]] = dict(u)
    for r in plan.adds:
        final[id_of[r.code]] = {"id": id_of[r.code], "code": r.code, "path": "", "depth": 0}
    deactivated = {u.code for u in plan.deactivations}
    for code, r in plan.records.items():
        state = final[id_of[code]]
        state.update(
            name=r.name,
            level=r.level,
            parent_id=id_of[r.parent_code] if r.parent_code else None,
            is_active=True,
        )
        if plan.site_given:
            state["site"] = r.site
        elif code not in by_code:
            state["site"] = ""
    for code in deactivated:
        final[id_of[code]]["is_active"] = False

    paths: dict[int, str] = {}

    def path_of(unit_id: int) -> str:
        chain = []
        while unit_id is not None and unit_id not in paths:
            chain.append(unit_id)
            unit_id = final[unit_id]["parent_id"]
        prefix = paths[unit_id] if unit_id is not None else "/"
        for node in reversed(chain):
            prefix += Unit.path_segment(node)
            paths[node] = prefix
        return paths[chain[0]] if chain else prefix

    fields = ("name", "level", "site", "parent_id", "is_active", "path", "depth")
    changed = []
    for unit_id, state in final.items():
        state["path"] = path_of(unit_id)
        state["depth"] = state["path"].count("/") - 2
        before = by_code.get(state["code"])
        if before is None or any(before[f] != state[f] for f in fields):
            changed.append((unit_id, [state[f] for f in fields]))
    _bulk_set(Unit, ["name", "level", "site", "parent", "is_active", "path", "depth"], changed)


# --- Workforce -------------------------------------------------------------------------


PERSON_FIELDS = (
    "id",
    "employee_number",
    "first_name",
    "last_name",
    "email",
    "primary_unit_id",
    "staff_group",
    "band",
    "job_title",
    "line_manager_id",
    "start_date",
    "leaving_date",
    "leader_flag",
)


@dataclass
class _Snapshot:
    unit_ids: dict[str, int]
    unit_active: dict[str, bool]
    people: dict[str, PersonRecord]
    person_ids: dict[str, int]
    manager_ids: dict[int, int | None]  # person id -> current line manager id
    memberships: dict[int, dict[int, int]]  # person id -> {unit id: membership id}
    protected: dict[int, dict[str, str]]  # person id -> stored characteristics


def _load_workforce(organisation, *, with_teams: bool, with_protected: bool) -> _Snapshot:
    units = list(Unit.objects.for_org(organisation).values_list("id", "code", "is_active"))
    unit_ids = {code: pk for pk, code, _ in units}
    unit_active = {code: active for _, code, active in units}
    unit_code = {pk: code for pk, code, _ in units}
    rows = list(Person.objects.for_org(organisation).values_list(*PERSON_FIELDS))
    number_of = {row[0]: row[1] for row in rows}
    memberships: dict[int, dict[int, int]] = {}
    if with_teams:
        for pk, person_id, unit_id in TeamMembership.objects.filter(
            person__organisation=organisation
        ).values_list("id", "person_id", "unit_id"):
            memberships.setdefault(person_id, {})[unit_id] = pk
    protected: dict[int, dict[str, str]] = {}
    if with_protected:
        for person_id, *values in ProtectedCharacteristics.objects.filter(
            person__organisation=organisation
        ).values_list("person_id", *reference.PROTECTED_FIELDS):
            protected[person_id] = dict(zip(reference.PROTECTED_FIELDS, values, strict=True))
    people = {}
    person_ids = {}
    manager_ids = {}
    for (
        pk,
        number,
        first_name,
        last_name,
        email,
        unit_id,
        staff_group,
        band,
        job_title,
        manager_id,
        start_date,
        leaving_date,
        leader_flag,
    ) in rows:
        person_ids[number] = pk
        manager_ids[pk] = manager_id
        people[number] = PersonRecord(
            employee_number=number,
            first_name=first_name,
            last_name=last_name,
            email=email,
            unit_code=unit_code[unit_id],
            staff_group=staff_group,
            band=band,
            job_title=job_title,
            line_manager=number_of.get(manager_id, "") if manager_id else "",
            start_date=start_date.isoformat() if start_date else "",
            is_leader=leader_flag,
            team_codes=tuple(sorted(unit_code[u] for u in memberships.get(pk, ()))),
            protected=protected.get(pk, {}),
            leaving_date=leaving_date.isoformat() if leaving_date else "",
        )
    return _Snapshot(unit_ids, unit_active, people, person_ids, manager_ids, memberships, protected)


def import_workforce(
    *,
    organisation: Organisation,
    content: bytes,
    filename: str,
    actor: Actor,
    dry_run: bool = False,
    allow_leavers: bool = False,
) -> ImportResult:
    """Import the whole workforce from a CSV/XLSX file: adds, updates, returners, and
    leavers (current people missing from the file). History is kept as PersonChange rows.
    Raises ImportRejected with every problem found; then nothing is written. A file that
    would mark more than COLEAD_IMPORT_LEAVERS_PERCENT of current staff as leavers raises
    LeaversNotConfirmed unless ``allow_leavers`` (a dry run says so instead)."""
    table = read_table(content, filename)
    columns = set(table.columns)
    result = ImportResult(kind=ImportKind.WORKFORCE, filename=filename, sha256=_sha256(content))
    with transaction.atomic():
        _lock(organisation)
        snapshot = _load_workforce(
            organisation,
            with_teams="team_codes" in columns,
            with_protected=bool(columns & set(reference.PROTECTED_FIELDS)),
        )
        plan = validate_workforce(table, units=snapshot.unit_active, people=snapshot.people)
        del table
        result.dry_run = dry_run
        result.added = len(plan.adds)
        result.returned = sum(1 for u in plan.updates if u.returning)
        result.updated = len(plan.updates) - result.returned
        result.leavers = len(plan.leavers)
        result.unchanged = plan.unchanged
        result.current_people = sum(1 for p in snapshot.people.values() if not p.leaving_date)
        _workforce_samples(result, plan, snapshot)
        if dry_run:
            return result
        if result.leavers_need_confirmation and not allow_leavers:
            raise LeaversNotConfirmed(result)
        run = _create_run(result, organisation=organisation, actor=actor, kind=ImportKind.WORKFORCE)
        if not plan.no_changes:
            _apply_workforce(organisation, plan, snapshot, result, run)
            recompute_leaders(organisation=organisation)
        _audit(result, organisation=organisation, actor=actor, kind="workforce")
    return result


LEAVERS_CONFIRMATION = "confirm_leavers"  # the field an unconfirmed mass of leavers names


class LeaversNotConfirmed(Invalid):
    """A workforce file would mark more than COLEAD_IMPORT_LEAVERS_PERCENT of current staff
    as leavers, and ``allow_leavers`` was not given: nothing was written."""

    def __init__(self, result: ImportResult):
        self.leavers = result.leavers
        super().__init__(
            {
                LEAVERS_CONFIRMATION: (
                    f"This file would mark {result.leavers:,} of {result.current_people:,} "
                    f"current staff as leavers ({result.leavers_percent:.0f} %), more than the "
                    f"{settings.COLEAD_IMPORT_LEAVERS_PERCENT} % an import may mark without a "
                    "separate confirmation. Check that it is the whole workforce, then confirm "
                    "that these people have left."
                )
            }
        )


def _workforce_samples(result: ImportResult, plan: WorkforcePlan, snapshot: _Snapshot) -> None:
    records = plan.records
    result.added_items = [
        {
            "employee_number": number,
            "name": records[number].full_name,
            "unit_code": records[number].unit_code,
            "job_title": records[number].job_title,
            "band": display_value("band", records[number].band),
        }
        for number in plan.adds[:SAMPLE_LIMIT]
    ]
    for returning, items in ((False, result.updated_items), (True, result.returned_items)):
        for update in plan.updates:
            if update.returning != returning:
                continue
            if len(items) >= SAMPLE_LIMIT:
                break
            items.append(
                {
                    "employee_number": update.employee_number,
                    "name": records[update.employee_number].full_name,
                    "changes": [
                        (name, display_value(name, old), display_value(name, new))
                        for name, (old, new) in update.changes.items()
                    ],
                    "protected_changed": update.protected_changed,
                }
            )
    result.leaver_items = [
        {
            "employee_number": number,
            "name": snapshot.people[number].full_name,
            "unit_code": snapshot.people[number].unit_code,
            "job_title": snapshot.people[number].job_title,
        }
        for number in plan.leavers[:SAMPLE_LIMIT]
    ]


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


# Plain values that every backend takes as they are; other fields are prepared by Django.
def _history_value(value):
    return value if value != "" else None


def _apply_workforce(organisation, plan: WorkforcePlan, snapshot: _Snapshot, result, run) -> None:
    _add_people(organisation, plan, snapshot, run)
    _update_people(plan, snapshot, run)
    _mark_leavers(organisation, plan, snapshot, result, run)
    _set_line_managers(plan, snapshot)
    if plan.team_codes_given:
        _sync_teams(plan, snapshot)
    if plan.protected_given:
        _sync_protected(plan, snapshot)


def _add_people(organisation, plan: WorkforcePlan, snapshot: _Snapshot, run) -> None:
    """New people, with their history; line managers are set in a later pass, once
    everyone has an id."""
    records, ids, unit_ids = plan.records, snapshot.person_ids, snapshot.unit_ids
    Kind = PersonChange.Kind
    _bulk_insert(
        Person,
        (
            {
                "organisation_id": organisation.pk,
                "employee_number": number,
                "first_name": r.first_name,
                "last_name": r.last_name,
                "email": r.email,
                "primary_unit_id": unit_ids[r.unit_code],
                "staff_group": r.staff_group,
                "band": r.band,
                "job_title": r.job_title,
                "start_date": _date(r.start_date),
                "leader_flag": r.is_leader,
            }
            for number in plan.adds
            for r in (records[number],)
        ),
    )
    if plan.adds:
        ids.update(Person.objects.for_org(organisation).values_list("employee_number", "id"))
    _bulk_insert(
        PersonChange,
        (
            {
                "person_id": ids[number],
                "import_run_id": run.pk,
                "kind": Kind.ADDED.value,
                "fields": _added_fields(records[number], plan.team_codes_given),
            }
            for number in plan.adds
        ),
    )


def _update_people(plan: WorkforcePlan, snapshot: _Snapshot, run) -> None:
    """Changed people, returners among them, with their history."""
    records, ids, unit_ids = plan.records, snapshot.person_ids, snapshot.unit_ids
    Kind = PersonChange.Kind
    _bulk_set(
        Person,
        [
            "first_name",
            "last_name",
            "email",
            "primary_unit",
            "staff_group",
            "band",
            "job_title",
            "start_date",
            "leader_flag",
            "leaving_date",
        ],
        [
            (
                ids[u.employee_number],
                [
                    r.first_name,
                    r.last_name,
                    r.email,
                    unit_ids[r.unit_code],
                    r.staff_group,
                    r.band,
                    r.job_title,
                    _date(r.start_date),
                    r.is_leader,
                    None,
                ],
            )
            for u in plan.updates
            for r in (records[u.employee_number],)
        ],
    )
    history = []
    for update in plan.updates:
        fields = {
            name: [_history_value(old), _history_value(new)]
            for name, (old, new) in update.changes.items()
        }
        if update.protected_changed:
            fields["protected_characteristics"] = "changed"  # never the values
        if update.returning:
            old_leaving = snapshot.people[update.employee_number].leaving_date
            fields["leaving_date"] = [old_leaving, None]
        history.append(
            {
                "person_id": ids[update.employee_number],
                "import_run_id": run.pk,
                "kind": (Kind.RETURNED if update.returning else Kind.UPDATED).value,
                "fields": fields,
            }
        )
    _bulk_insert(PersonChange, history)


def _mark_leavers(organisation, plan: WorkforcePlan, snapshot: _Snapshot, result, run) -> None:
    """Current people missing from the file leave today; their leadership posts fall vacant."""
    ids = snapshot.person_ids
    Kind = PersonChange.Kind
    today = timezone.localdate()
    for chunk in _batched(plan.leavers, 500):
        leaver_ids = [ids[number] for number in chunk]
        Person.objects.for_org(organisation).filter(pk__in=leaver_ids).update(leaving_date=today)
        result.posts_vacated += (
            LeadershipPost.objects.for_org(organisation)
            .filter(holder_id__in=leaver_ids)
            .update(holder=None)
        )
        _bulk_insert(
            PersonChange,
            (
                {
                    "person_id": pk,
                    "import_run_id": run.pk,
                    "kind": Kind.LEFT.value,
                    "fields": {"leaving_date": [None, today.isoformat()]},
                }
                for pk in leaver_ids
            ),
        )


def _set_line_managers(plan: WorkforcePlan, snapshot: _Snapshot) -> None:
    """Line managers, now that everyone in the file has an id."""
    ids = snapshot.person_ids
    records = plan.records
    manager_rows = []
    for number, r in records.items():
        pk = ids[number]
        wanted = ids[r.line_manager] if r.line_manager else None
        if snapshot.manager_ids.get(pk) != wanted:
            manager_rows.append((pk, [wanted]))
    _bulk_set(Person, ["line_manager"], manager_rows)


def _added_fields(r: PersonRecord, team_codes_given: bool) -> dict:
    """A new person's starting values, as history ([None, value] like an update)."""
    fields = {}
    for name, value in zip(COMPARED_FIELDS, _compared(r), strict=True):
        if value != "" and value is not False:
            fields[name] = [None, value]
    if team_codes_given and r.team_codes:
        fields["team_codes"] = [None, ";".join(r.team_codes)]
    return fields


_compared = attrgetter(*COMPARED_FIELDS)


def _sync_teams(plan: WorkforcePlan, snapshot: _Snapshot) -> None:
    ids, unit_ids = snapshot.person_ids, snapshot.unit_ids
    to_create, to_delete = [], []
    for number, r in plan.records.items():
        pk = ids[number]
        wanted = {unit_ids[code] for code in r.team_codes}
        have = snapshot.memberships.get(pk, {})
        to_create.extend({"person_id": pk, "unit_id": unit_id} for unit_id in wanted - have.keys())
        to_delete.extend(pk for unit_id, pk in have.items() if unit_id not in wanted)
    _bulk_insert(TeamMembership, to_create)
    for chunk in _batched(to_delete, 500):
        TeamMembership.objects.filter(pk__in=chunk).delete()


def _sync_protected(plan: WorkforcePlan, snapshot: _Snapshot) -> None:
    """Protected characteristics: only the columns in the file are changed; a person
    with none left has no row at all."""
    fields = reference.PROTECTED_FIELDS
    to_create, to_update, to_delete = [], [], []
    for number, r in plan.records.items():
        pk = snapshot.person_ids[number]
        stored = snapshot.protected.get(pk)
        merged = dict.fromkeys(fields, "")
        if stored:
            merged.update(stored)
        merged.update(r.protected)
        if not any(merged.values()):
            if stored is not None:
                to_delete.append(pk)
        elif stored is None:
            to_create.append({"person_id": pk, **merged})
        elif merged != stored:
            to_update.append((pk, [merged[f] for f in fields]))
    _bulk_insert(ProtectedCharacteristics, to_create)
    _bulk_set(ProtectedCharacteristics, list(fields), to_update)
    for chunk in _batched(to_delete, 500):
        ProtectedCharacteristics.objects.filter(person_id__in=chunk).delete()


# --- Web uploads, held between preview and confirmation --------------------------------

PENDING_UPLOAD_DAYS = 1
IMPORTERS = {}  # kind -> service, filled in below


def _hold(organisation, kind, filename, content, actor: Actor, **fields) -> PendingUpload:
    """Keep a file as the actor's one held upload (replacing theirs, and dropping anyone's
    older than PENDING_UPLOAD_DAYS), inside the caller's transaction."""
    if actor.user is None:
        raise Refused("Only a signed-in user can hold an upload: it waits for them to confirm it.")
    held = PendingUpload.objects.for_org(organisation)
    held.filter(uploaded_by=actor.user).delete()
    held.filter(created_at__lt=timezone.now() - timedelta(days=PENDING_UPLOAD_DAYS)).delete()
    return PendingUpload.objects.create(
        organisation=organisation,
        kind=kind,
        filename=filename[:255],
        content=content,
        uploaded_by=actor.user,
        **fields,
    )


def hold_upload(
    *, organisation: Organisation, kind: str, filename: str, content: bytes, actor: Actor
) -> tuple[PendingUpload, ImportResult]:
    """Check an uploaded file (raising ImportRejected with every problem, audited as
    import.upload_rejected) and keep it for the admin to preview and confirm. A user holds
    one upload at a time per organisation; uploads older than a day are discarded."""
    try:
        result = IMPORTERS[kind](
            organisation=organisation,
            content=content,
            filename=filename,
            actor=actor,
            dry_run=True,
        )
    except ImportRejected as rejected:
        record(
            action="import.upload_rejected",
            actor=actor,
            organisation=organisation,
            object_type="org.pendingupload",
            object_repr=f"{kind} file {filename}",
            detail={"kind": kind, "filename": filename, "problems": len(rejected.problems)},
        )
        raise
    with transaction.atomic():
        pending = _hold(organisation, kind, filename, content, actor)
        record(
            action="import.upload",
            actor=actor,
            organisation=organisation,
            obj=pending,
            object_repr=f"{kind} file {filename}",
            detail={"kind": kind, "filename": filename, "sha256": result.sha256, **result.counts()},
        )
    return pending, result


STORED_PROBLEMS = 1000  # a background check keeps this many problems to show


def _result_data(result: ImportResult) -> dict:
    """An ImportResult as JSON-ready data, kept by a background check for the preview."""
    data = {name: getattr(result, name) for name in result.__dataclass_fields__}
    data.pop("import_run")
    return json.loads(json.dumps(data, default=str))


def stored_result(pending: PendingUpload) -> ImportResult | None:
    """The preview figures a background check kept, if it did."""
    if pending.state != PendingUpload.State.READY or not pending.outcome:
        return None
    return ImportResult(**pending.outcome)


def take_rejection(*, pending: PendingUpload, actor: Actor) -> tuple[list[ImportProblem], int]:
    """The problems a background check found (at most STORED_PROBLEMS) and how many, for
    the uploader to see once: the held upload (its bytes already gone) is dropped."""
    if actor.user is None or pending.uploaded_by_id != actor.user.pk:
        raise Refused("Only the person who uploaded a file can see its problems.")
    outcome = pending.outcome or {}
    problems = [ImportProblem(**problem) for problem in outcome.get("problems", [])]
    pending.delete()
    return problems, outcome.get("count", len(problems))


def queue_upload_check(
    *, organisation: Organisation, kind: str, filename: str, content: bytes, actor: Actor
) -> PendingUpload:
    """Hold a large file unchecked and queue its check (org.tasks.check_upload), so that
    the web request returns at once; the page then shows the check's progress."""
    from colead.org.tasks import check_upload

    with transaction.atomic():
        pending = _hold(
            organisation, kind, filename, content, actor, state=PendingUpload.State.CHECKING
        )
        record(
            action="import.check_queued",
            actor=actor,
            organisation=organisation,
            obj=pending,
            object_repr=f"{kind} file {filename}",
            detail={"kind": kind, "filename": filename, "sha256": _sha256(content)},
        )
        transaction.on_commit(lambda: check_upload.enqueue(pending.pk))
    return pending


def check_held_upload(*, pending: PendingUpload, actor: Actor) -> None:
    """Check a held file in the background as hold_upload would, recording the rows read
    as it goes; keep the preview's figures, or the problems (dropping the file's bytes)."""
    pk = pending.pk

    def progress(rows_read: int, rows_expected: int | None) -> None:
        PendingUpload.objects.filter(pk=pk).update(rows_read=rows_read, rows_expected=rows_expected)

    what = f"{pending.kind} file {pending.filename}"
    detail = {"kind": pending.kind, "filename": pending.filename}
    try:
        with report_progress_to(progress):
            result = IMPORTERS[pending.kind](
                organisation=pending.organisation,
                content=bytes(pending.content),
                filename=pending.filename,
                actor=actor,
                dry_run=True,
            )
    except ImportRejected as rejected:
        problems = [asdict(problem) for problem in rejected.problems[:STORED_PROBLEMS]]
        with transaction.atomic():
            PendingUpload.objects.filter(pk=pk).update(
                state=PendingUpload.State.REJECTED,
                content=b"",
                outcome={"problems": problems, "count": len(rejected.problems)},
            )
            record(
                action="import.upload_rejected",
                actor=actor,
                organisation=pending.organisation,
                object_type="org.pendingupload",
                object_repr=what,
                detail={**detail, "problems": len(rejected.problems)},
            )
        return
    with transaction.atomic():
        PendingUpload.objects.filter(pk=pk).update(
            state=PendingUpload.State.READY, outcome=_result_data(result)
        )
        record(
            action="import.upload",
            actor=actor,
            organisation=pending.organisation,
            obj=pending,
            object_repr=what,
            detail={**detail, "sha256": result.sha256, **result.counts()},
        )


def preview_upload(*, pending: PendingUpload, actor: Actor) -> ImportResult:
    """What confirming the upload would change now (raises ImportRejected if the records
    have changed so that the file no longer fits). Audited as import.preview. A file
    checked in the background shows the figures of that check (confirming checks again)."""
    result = stored_result(pending) or IMPORTERS[pending.kind](
        organisation=pending.organisation,
        content=bytes(pending.content),
        filename=pending.filename,
        actor=actor,
        dry_run=True,
    )
    record(
        action="import.preview",
        actor=actor,
        organisation=pending.organisation,
        obj=pending,
        object_repr=f"{pending.kind} file {pending.filename}",
        detail={"kind": pending.kind, "filename": pending.filename, **result.counts()},
    )
    return result


def confirm_upload(
    *, pending: PendingUpload, actor: Actor, allow_leavers: bool = False
) -> ImportResult:
    """Apply a held upload (checked again against the current records) and drop it.
    Raises ImportRejected, writing nothing, if it no longer fits, and LeaversNotConfirmed
    if it would mark too many people as leavers without ``allow_leavers`` (the upload is
    kept for the admin to confirm)."""
    options = {"allow_leavers": allow_leavers} if pending.kind == ImportKind.WORKFORCE else {}
    with transaction.atomic():
        result = IMPORTERS[pending.kind](
            organisation=pending.organisation,
            content=bytes(pending.content),
            filename=pending.filename,
            actor=actor,
            **options,
        )
        pending.delete()
    return result


def discard_upload(*, pending: PendingUpload, actor: Actor) -> None:
    with transaction.atomic():
        record(
            action="import.cancel",
            actor=actor,
            organisation=pending.organisation,
            obj=pending,
            object_repr=f"{pending.kind} file {pending.filename}",
            detail={"kind": pending.kind, "filename": pending.filename},
        )
        pending.delete()


# --- Leaders ---------------------------------------------------------------------------


def leader_rule(organisation: Organisation) -> Q:
    """Who counts as a leader: flagged in the workforce file, at or above the
    organisation's leadership band, or (if the organisation says so) holding a post."""
    rule = Q(leader_flag=True)
    threshold = reference.band_rank(organisation.leadership_band_threshold or "")
    if threshold:
        rule |= Q(band__in=[band.code for band in reference.bands() if band.rank >= threshold])
    if organisation.post_holders_are_leaders:
        holders = (
            LeadershipPost.objects.for_org(organisation)
            .filter(holder__isnull=False)
            .values("holder_id")
        )
        rule |= Q(pk__in=holders)
    return rule


def recompute_leaders(*, organisation: Organisation) -> int:
    """Set Person.is_leader for everyone in the organisation from the leadership line
    (two UPDATE queries). Returns how many people changed."""
    rule = leader_rule(organisation)
    people = Person.objects.for_org(organisation)
    gained = people.filter(rule, is_leader=False).update(is_leader=True)
    lost = people.filter(~rule, is_leader=True).update(is_leader=False)
    return gained + lost


IMPORTERS.update({ImportKind.UNITS: import_units, ImportKind.WORKFORCE: import_workforce})
