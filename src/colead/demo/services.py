"""Building the demo trusts: generated rows go through the real import services, so the
demo also exercises the importer. Then leadership posts, the leadership line, one demo
user per role, two closed survey waves per trust whose answers have a designed structure
(colead.demo.survey_responses; DEMO1 also has a pulse sent to one directorate), run through
the real wave lifecycle: create, launch, the completed forms, close; and each trust's direction (colead.demo.objectives): the vision,
objectives at every level with their agreement history and check-ins, built in dated
phases with a coverage snapshot after each."""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from colead.accounts.models import RoleAssignment, User
from colead.accounts.roles import Role
from colead.audit.services import record
from colead.core.actor import Actor
from colead.core.bulk import bulk_insert, bulk_set  # the imports' fast writes
from colead.demo.generator import DemoTrust, digest, generate
from colead.demo.objectives import (
    PlannedObjective,
    TrustDirection,
    direction_digest,
    generate_directions,
)
from colead.demo.survey_responses import (
    WAVE_INSTRUMENTS,
    TrustSurvey,
    generate_surveys,
    survey_digest,
)
from colead.direction import services as direction
from colead.direction.models import AgreementAct, CheckIn, Objective
from colead.org.models import LeadershipPost, Organisation, Person, Unit
from colead.org.services import (
    ImportRejected,
    create_organisation,
    import_units,
    import_workforce,
    recompute_leaders,
)
from colead.org.summary import organisation_summary
from colead.surveys.models import Wave
from colead.surveys.services import (
    CompletedForm,
    WaveSettings,
    close_wave,
    create_wave,
    ensure_builtin_instruments,
    launch_wave,
    record_completed_forms,
)

DEMO_DOMAIN = "demo.test"
MAIN_CODE = "DEMO1"


@dataclass(frozen=True)
class DemoUser:
    persona: str  # also the local part of the email address
    role: Role
    unit_scoped: bool = False  # the role covers the persona's own unit only

    @property
    def email(self) -> str:
        return f"{self.persona}@{DEMO_DOMAIN}"


# One user per role. Everyone with a staff record also holds the staff role there.
DEMO_USERS = (
    DemoUser("admin", Role.ORG_ADMIN),
    DemoUser("board", Role.BOARD),
    DemoUser("od", Role.OD_LEAD),
    DemoUser("change", Role.CHANGE_TEAM),
    DemoUser("manager", Role.MANAGER, unit_scoped=True),
    DemoUser("staff", Role.STAFF),
    DemoUser("safety", Role.SAFETY_REVIEWER),
)


@dataclass
class DemoBuild:
    seed: int
    staff: int
    digest: str  # of the generated rows: the same seed and size give the same value
    organisations: list[Organisation]
    users: list[User]


class DemoBuildError(Exception):
    """The generated data did not import: a bug in the generator or the importer."""


def build_demo(*, seed: int, staff: int, actor: Actor, password: str | None = None) -> DemoBuild:
    """Create DEMO1 (``staff`` people) and DEMO2 with their demo users, in one transaction.
    Raises Conflict if a demo organisation already exists.

    The direction's dates are relative to today (so that its stale objectives stay stale),
    so its fingerprint, in the audit event, changes with the day; ``digest`` does not."""
    trusts = generate(seed=seed, staff=staff)
    surveys = {survey.code: survey for survey in generate_surveys(trusts, seed=seed)}
    directions = {
        plan.code: plan
        for plan in generate_directions(trusts, seed=seed, today=timezone.localdate())
    }
    fingerprint = hashlib.sha256(
        f"{digest(trusts)}:{survey_digest(list(surveys.values()))}".encode()
    ).hexdigest()
    password = password if password is not None else settings.COLEAD_DEMO_PASSWORD
    with transaction.atomic():
        organisations = [_build_trust(trust) for trust in trusts]
        users = _demo_users(trusts, organisations, password)
        waves = {
            organisation.code: _survey_waves(surveys[organisation.code], organisation)
            for organisation in organisations
            if organisation.code in surveys
        }
        personas = {user.email.split("@")[0]: user for user in users}
        built_directions = {
            organisation.code: _direction(
                directions[organisation.code],
                organisation,
                # The demo users hold their roles in the main trust only.
                users=personas if organisation.code == MAIN_CODE else {},
                actor=actor,
            )
            for organisation in organisations
            if organisation.code in directions
        }
        for trust, organisation in zip(trusts, organisations, strict=True):
            summary = organisation_summary(organisation)
            record(
                action="demo.build",
                actor=actor,
                organisation=organisation,
                obj=organisation,
                detail={
                    "seed": seed,
                    "staff": staff,
                    "digest": fingerprint,
                    "people": summary["people_total"],
                    "units": summary["units_total"],
                    "posts": len(trust.posts),
                    "users": [u.email for u in users if _has_role_in(u, organisation)],
                    "waves": [wave.pk for wave in waves.get(organisation.code, [])],
                    "direction": built_directions.get(organisation.code),
                },
            )
    return DemoBuild(seed, staff, fingerprint, organisations, users)


def _has_role_in(user: User, organisation: Organisation) -> bool:
    return any(a.organisation_id == organisation.pk for a in user.role_assignments.all())


def _build_trust(trust: DemoTrust) -> Organisation:
    actor = Actor.system("demo")
    organisation = create_organisation(
        code=trust.code, name=trust.name, sector=trust.sector, actor=actor
    )
    # The leadership line first, so the import's own leader count already uses it.
    organisation.leadership_band_threshold = trust.leadership_band_threshold
    organisation.post_holders_are_leaders = True
    organisation.save(update_fields=["leadership_band_threshold", "post_holders_are_leaders"])
    stem = trust.code.lower()
    try:
        import_units(
            organisation=organisation,
            content=trust.units_csv(),
            filename=f"{stem}-units.csv",
            actor=actor,
        )
        import_workforce(
            organisation=organisation,
            content=trust.workforce_csv(),
            filename=f"{stem}-workforce.csv",
            actor=actor,
        )
    except ImportRejected as rejected:
        problems = "\n".join(str(p) for p in rejected.problems[:20])
        raise DemoBuildError(
            f"The generated {trust.code} data did not import:\n{problems}"
        ) from None
    unit_ids = dict(Unit.objects.for_org(organisation).values_list("code", "id"))
    person_ids = dict(Person.objects.for_org(organisation).values_list("employee_number", "id"))
    LeadershipPost.objects.bulk_create(
        [
            LeadershipPost(
                organisation=organisation,
                title=post["title"],
                level=post["level"],
                unit_id=unit_ids[post["unit_code"]],
                holder_id=person_ids[post["holder"]] if post["holder"] else None,
                is_interim=post["is_interim"] == "Y",
                is_critical=post["is_critical"] == "Y",
            )
            for post in trust.posts
        ],
        batch_size=500,
    )
    recompute_leaders(organisation=organisation)
    return organisation


def _survey_waves(survey: TrustSurvey, organisation: Organisation) -> list[Wave]:
    """The trust's survey waves, oldest first, each through the real lifecycle: created for
    the whole trust (or, for a pulse, the one directorate it surveys), launched (everyone
    invited), the generated forms recorded against their invitations, closed. The launch and
    close times are then set to the wave's own dates, so that the past waves read as past."""
    actor = Actor.system("demo")
    ensure_builtin_instruments(organisation=organisation, actor=actor)
    # The waves survey the divisions (see demo.survey_responses: the executives attached to
    # the trust itself are not surveyed).
    divisions = list(
        Unit.objects.for_org(organisation)
        .filter(depth=1, is_active=True)
        .values_list("code", flat=True)
    )
    person_ids = dict(Person.objects.for_org(organisation).values_list("employee_number", "id"))
    waves = []
    for generated in [*survey.waves, *survey.pulses]:
        spec = generated.wave
        wave = create_wave(
            organisation=organisation,
            settings=WaveSettings(
                title=spec.title,
                instruments=list(WAVE_INSTRUMENTS),
                unit_codes=list(generated.unit_codes) or divisions,
                opens_on=spec.opens_on,
                closes_on=spec.closes_on,
            ),
            actor=actor,
        )
        wave = launch_wave(wave=wave, actor=actor)
        record_completed_forms(
            wave=wave,
            forms=[
                CompletedForm(person_ids[r.employee_number], r.answers, r.submitted_on)
                for r in generated.responses
            ],
            actor=actor,
        )
        wave = close_wave(wave=wave, actor=actor)
        launched = timezone.make_aware(datetime.combine(spec.opens_on, time(8, 0)))
        closed = timezone.make_aware(datetime.combine(spec.closes_on, time(23, 59)))
        Wave.objects.filter(pk=wave.pk).update(launched_at=launched, closed_at=closed)
        waves.append(wave)
    return sorted(waves, key=lambda wave: wave.opens_on)


def _as_actor(who) -> Actor:
    """A demo user acts as themselves; without one, colead builds the demo."""
    if isinstance(who, Actor):
        return who
    return Actor.system("demo") if who is None else Actor.of_user(who, source="cli")


def _direction(plan: TrustDirection, organisation: Organisation, *, users, actor) -> dict:
    """The trust's vision, then its objectives' history in dated phases (PHASES: what had
    happened by 180, 120 and 60 days ago, and by today), with a coverage snapshot after
    each phase so the dashboard has a trend.

    In each phase: the objectives written in it go through the objectives import
    (validated like any file), whose acts, stamped now, are then given the plan's times;
    those the import cannot express (changes asked for; the demo staff member's, taken
    step by step by the demo users) go through the services, dated with their ``at``; then
    the check-ins. The imported objectives' check-ins (about 6,000) are written in bulk
    with one audit event per phase saying how many, as record_completed_forms does for
    survey forms, rather than one event per check-in as check_in writes (6,000 more audit
    rows, for a history that never happened in the application). ``users``: persona ->
    User, for the steps the plan gives to a persona (else ``actor``)."""
    _vision(plan, organisation, users=users, actor=actor)
    planned = plan.by_code()
    imported = [o for o in plan.objectives if not o.through_services]
    stepped = [o for o in plan.objectives if o.through_services]
    summary = {
        "as_of": plan.today.isoformat(),
        "digest": direction_digest([plan]),
        "objectives": len(plan.objectives),
        "check_ins": plan.check_in_count(),
        "phases": [],
    }
    previous = date.min
    for number, day in enumerate(plan.phases, start=1):
        changed = [
            o
            for o in imported
            if o.created_on <= day
            and (o.created_on > previous or o.status_on(day) != o.status_on(previous))
        ]
        dated = 0
        if changed:
            last_act = AgreementAct.objects.for_org(organisation).order_by("-pk").first()
            try:
                direction.import_objectives(
                    organisation=organisation,
                    content=plan.csv(changed, day),
                    filename=f"{plan.code.lower()}-objectives-{number}.csv",
                    actor=_as_actor(actor),
                )
            except ImportRejected as rejected:
                problems = "\n".join(str(p) for p in rejected.problems[:20])
                raise DemoBuildError(
                    f"The generated {plan.code} objectives did not import:\n{problems}"
                ) from None
            dated = _date_imported_acts(
                organisation, planned, day, after=last_act.pk if last_act else 0
            )
        ids = dict(Objective.objects.for_org(organisation).values_list("code", "id"))
        _steps_through_services(stepped, organisation, ids, previous, day, users, actor)
        check_ins = _record_check_ins(imported, organisation, ids, previous, day, actor=actor)
        _record_coverage_snapshot(organisation, actor=actor, taken_on=day)
        summary["phases"].append(
            {
                "on": day.isoformat(),
                "imported": len(changed),
                "dated": dated,
                "check_ins": check_ins,
            }
        )
        previous = day
    return summary


def _record_coverage_snapshot(organisation: Organisation, *, actor, taken_on: date) -> None:
    """The coverage dashboard's figures as on ``taken_on`` (colead.direction.services)."""
    direction.record_coverage_snapshot(
        organisation=organisation, actor=_as_actor(actor), taken_on=taken_on
    )


def _aware(moment: datetime) -> datetime:
    return timezone.make_aware(moment)


def _vision(plan: TrustDirection, organisation: Organisation, *, users, actor) -> None:
    """Drafted by the OD lead, approved by the board on the plan's date."""
    vision = plan.vision
    draft = direction.save_vision_draft(
        organisation=organisation,
        vision=vision.vision,
        mission=vision.mission,
        values=[{"name": name, "description": text} for name, text in vision.values],
        actor=_as_actor(users.get(vision.drafted_by, actor)),
    )
    direction.approve_vision(
        vision=draft,
        approved_on=vision.approved_on,
        note=vision.note,
        actor=_as_actor(users.get(vision.approved_by, actor)),
    )


def _date_imported_acts(
    organisation: Organisation, planned: dict[str, PlannedObjective], day: date, *, after: int
) -> int:
    """Give the acts the import just recorded (stamped now) the times the plan has for
    them, and the agreed objectives their agreement time (updated_at too: the direction
    facts' cache notices changes by it)."""
    code_of = dict(Objective.objects.for_org(organisation).values_list("id", "code"))
    now = timezone.now()
    acts, agreed = [], []
    for pk, objective_id, act in (
        AgreementAct.objects.for_org(organisation)
        .filter(pk__gt=after)
        .values_list("pk", "objective_id", "act")
    ):
        at = _aware(planned[code_of[objective_id]].last_step(act, day).at)
        acts.append((pk, [at]))
        if act == "agreed":
            agreed.append((objective_id, [at, now]))
    bulk_set(AgreementAct, ["at"], acts)
    bulk_set(Objective, ["agreed_at", "updated_at"], agreed)
    direction.note_change(organisation.pk)
    return len(acts)


def _steps_through_services(stepped, organisation, ids, previous, day, users, actor) -> None:
    """The objectives the import cannot write, as people would on the pages: created, then
    each act, status change and check-in dated in (previous, day], in time order."""
    events = []
    for objective in stepped:
        if previous < objective.created_on <= day:
            events.append((datetime.combine(objective.created_on, time(8, 0)), 0, objective, None))
        for step in objective.steps:
            if previous < step.on <= day:
                events.append((step.at, 1, objective, step))
        for check_in in objective.check_ins:
            if previous < check_in.on <= day:
                events.append((datetime.combine(check_in.on, time(18, 0)), 2, objective, check_in))
    events.sort(key=lambda event: (event[0], event[1], event[2].code))
    for _, kind, planned, detail in events:
        if kind == 0:
            made = direction.create_objective(
                organisation=organisation,
                code=planned.code,
                title=planned.title,
                unit=Unit.objects.for_org(organisation).get(code=planned.unit_code),
                owner=Person.objects.for_org(organisation).get(employee_number=planned.owner)
                if planned.owner
                else None,
                parents=list(
                    Objective.objects.for_org(organisation).filter(code__in=planned.parent_codes)
                ),
                elements=planned.elements,
                measure=planned.measure,
                baseline=planned.baseline,
                target=planned.target,
                direction=planned.direction,
                due_date=planned.due_date,
                actor=_as_actor(users.get(planned.by, actor)),
            )
            ids[planned.code] = made.pk
            continue
        objective = Objective.objects.for_org(organisation).get(pk=ids[planned.code])
        by = _as_actor(users.get(detail.by, actor))
        if kind == 2:
            direction.check_in(
                objective=objective,
                on=detail.on,
                value=detail.value,
                confidence=detail.confidence,
                comment=detail.comment,
                actor=by,
            )
        elif detail.act in ("proposed", "agreed", "changes_requested"):
            act = {
                "proposed": direction.propose,
                "agreed": direction.agree,
                "changes_requested": direction.request_changes,
            }[detail.act]
            act(objective=objective, actor=by, comment=detail.comment, at=_aware(detail.at))
        else:
            direction.set_status(objective=objective, status=detail.act, actor=by)


def _record_check_ins(imported, organisation, ids, previous, day, *, actor) -> int:
    """The imported objectives' check-ins dated in (previous, day], in bulk, and one audit
    event for them. Written as the workforce import writes people (executemany on SQLite,
    COPY on PostgreSQL): bulk_create would take several times as long."""
    user = actor.user
    rows = [
        {
            "organisation_id": organisation.pk,
            "objective_id": ids[objective.code],
            "date": check_in.on,
            "value": check_in.value,
            "confidence": check_in.confidence,
            "comment": check_in.comment,
            "by_id": user.pk if user else None,
            "by_label": actor.label,
        }
        for objective in imported
        for check_in in objective.check_ins
        if previous < check_in.on <= day
    ]
    if rows:
        bulk_insert(CheckIn, rows)
        direction.note_change(organisation.pk)
        record(
            action="demo.check_ins",
            actor=actor,
            organisation=organisation,
            obj=organisation,
            detail={
                "check_ins": len(rows),
                "objectives": len({row["objective_id"] for row in rows}),
                "first": min(row["date"] for row in rows).isoformat(),
                "last": max(row["date"] for row in rows).isoformat(),
            },
        )
    return len(rows)


def _demo_users(
    trusts: list[DemoTrust], organisations: list[Organisation], password: str
) -> list[User]:
    main_trust, main = trusts[0], organisations[0]
    people = {
        person.employee_number: person
        for person in Person.objects.for_org(main)
        .filter(employee_number__in=main_trust.personas.values())
        .select_related("primary_unit")
    }
    # One hash for all: the password is published anyway, and each hash costs ~0.5 s.
    hashed = make_password(password)
    users, assignments = [], []
    for spec in DEMO_USERS:
        person = people.get(main_trust.personas.get(spec.persona, ""))
        user, _ = User.objects.update_or_create(
            email=spec.email,
            defaults={
                "full_name": person.full_name if person else "Demo Administrator",
                "password": hashed,
                "is_active": True,
            },
        )
        users.append(user)
        if spec.role == Role.ORG_ADMIN:
            assignments += [
                RoleAssignment(user=user, organisation=org, role=spec.role) for org in organisations
            ]
            continue
        unit = person.primary_unit if spec.unit_scoped and person else None
        assignments.append(
            RoleAssignment(user=user, organisation=main, role=spec.role, unit=unit, person=person)
        )
        if spec.role != Role.STAFF and person is not None:
            assignments.append(
                RoleAssignment(user=user, organisation=main, role=Role.STAFF, person=person)
            )
    RoleAssignment.objects.bulk_create(assignments)
    return users


def demo_exists() -> bool:
    return Organisation.objects.filter(code=MAIN_CODE).exists()


def demo_sign_ins() -> list[tuple[str, str]]:
    """(email, who they are) for each demo user in the database, for the start-up
    message; works whether the demo was built just now or earlier."""
    users = {
        user.email: user
        for user in User.objects.filter(email__in=[s.email for s in DEMO_USERS]).prefetch_related(
            "role_assignments__person", "role_assignments__unit", "role_assignments__organisation"
        )
    }
    rows = []
    for spec in DEMO_USERS:
        user = users.get(spec.email)
        if user is None:
            continue
        held = [a for a in user.role_assignments.all() if a.role == spec.role]
        if not held:
            continue
        text = spec.role.label
        if held[0].unit_id:
            text += f" of {held[0].unit.name}"
        text += " in " + " and ".join(sorted(a.organisation.code for a in held))
        person = next((a.person for a in held if a.person_id), None)
        if person is not None:
            text += f": {person.full_name}, {person.job_title}"
        rows.append((spec.email, text))
    return rows
