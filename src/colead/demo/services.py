"""Building the demo trusts: generated rows go through the real import services, so the
demo also exercises the importer. Then leadership posts, the leadership line, one demo
user per role, and two closed survey waves per trust whose answers have a designed
structure (colead.demo.survey_responses), run through the real wave lifecycle: create,
launch, the completed forms, close."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, time

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from colead.accounts.models import RoleAssignment, User
from colead.accounts.roles import Role
from colead.audit.services import record
from colead.demo.generator import DemoTrust, digest, generate
from colead.demo.survey_responses import (
    WAVE_INSTRUMENTS,
    TrustSurvey,
    generate_surveys,
    survey_digest,
)
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


def build_demo(*, seed: int, staff: int, actor=None, password: str | None = None) -> DemoBuild:
    """Create DEMO1 (``staff`` people) and DEMO2 with their demo users, in one transaction.
    Raises ValueError if a demo organisation already exists."""
    trusts = generate(seed=seed, staff=staff)
    surveys = {survey.code: survey for survey in generate_surveys(trusts, seed=seed)}
    fingerprint = hashlib.sha256(
        f"{digest(trusts)}:{survey_digest(list(surveys.values()))}".encode()
    ).hexdigest()
    password = password if password is not None else settings.COLEAD_DEMO_PASSWORD
    with transaction.atomic():
        organisations = [_build_trust(trust, actor=actor) for trust in trusts]
        users = _demo_users(trusts, organisations, password)
        waves = {
            organisation.code: _survey_waves(surveys[organisation.code], organisation, actor=actor)
            for organisation in organisations
            if organisation.code in surveys
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
                },
            )
    return DemoBuild(seed, staff, fingerprint, organisations, users)


def _has_role_in(user: User, organisation: Organisation) -> bool:
    return any(a.organisation_id == organisation.pk for a in user.role_assignments.all())


def _build_trust(trust: DemoTrust, *, actor) -> Organisation:
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


def _survey_waves(survey: TrustSurvey, organisation: Organisation, *, actor) -> list[Wave]:
    """The trust's survey waves, oldest first, each through the real lifecycle: created for
    the whole trust, launched (everyone invited), the generated forms recorded against their
    invitations, closed. The launch and close times are then set to the wave's own dates,
    so that the past waves read as past."""
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
    for generated in survey.waves:
        spec = generated.wave
        wave = create_wave(
            organisation=organisation,
            settings=WaveSettings(
                title=spec.title,
                instruments=list(WAVE_INSTRUMENTS),
                unit_codes=divisions,
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
    return waves


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
