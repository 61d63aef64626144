"""factory_boy factories, one per model tests build often. Prefer .build() when nothing needs
saving. Waves and objectives are made through their services (as colead makes them, with
their audit events), so a test cannot build one the application never would."""

from datetime import date

import factory

from colead.accounts.models import RoleAssignment, User
from colead.core.actor import Actor
from colead.direction import services as direction_services
from colead.direction.models import Objective
from colead.org.models import LeadershipPost, Organisation, Person, Unit
from colead.surveys import services as survey_services
from colead.surveys.models import Ballot, ResponseSource, Wave


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"ORG{n:03d}")
    name = factory.LazyAttribute(lambda o: f"{o.code} NHS Foundation Trust")
    sector = "acute"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    organisation = factory.SubFactory(OrganisationFactory)
    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"Unit {n}")
    level = "team"
    site = "Main site"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    organisation = factory.LazyAttribute(lambda p: p.primary_unit.organisation)
    primary_unit = factory.SubFactory(UnitFactory)
    employee_number = factory.Sequence(lambda n: f"E{n:06d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda p: f"{p.employee_number.lower()}@example.nhs.uk")
    staff_group = "nursing_midwifery_registered"
    band = "band_5"
    job_title = "Staff Nurse"


class LeadershipPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadershipPost

    organisation = factory.LazyAttribute(lambda p: p.unit.organisation)
    unit = factory.SubFactory(UnitFactory)
    title = factory.Sequence(lambda n: f"Head of Service {n}")
    level = "middle"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.django.Password("correct-horse-battery")


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "staff"


class WaveFactory(factory.Factory):
    """A wave over ``units`` (unit codes) with the built-in ``instruments``, created from
    WaveSettings and, unless ``launch=False``, launched: its instrument versions linked, its
    WaveUnits frozen and its invitations written. ``close=True`` closes it too (which scores
    it). Other keywords are WaveSettings fields. Launching needs at least 5 people invited."""

    class Meta:
        model = Wave

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Spring pulse {n}")
    instruments = ("culture-pulse", "team-working")
    units = ("MED",)
    launch = True
    close = False

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise TypeError("A wave is made by the survey services: use WaveFactory(), not .build().")

    @classmethod
    def _create(cls, model_class, *, organisation, instruments, units, launch, close, **fields):
        system = Actor.system("tests")
        survey_services.ensure_builtin_instruments(organisation=organisation, actor=system)
        wave = survey_services.create_wave(
            organisation=organisation,
            settings=survey_services.WaveSettings(
                instruments=list(instruments), unit_codes=list(units), **fields
            ),
            actor=system,
        )
        if launch or close:
            wave = survey_services.launch_wave(wave=wave, actor=system)
        if close:
            wave = survey_services.close_wave(wave=wave, actor=system)
        return wave


class BallotFactory(factory.django.DjangoModelFactory):
    """A submitted response of an open wave, in its first reporting unit unless given. Its
    ``answers``, ``demographics`` and ``comments`` are sealed on save by the ballot's
    SealedJSONField (colead.surveys.sealing), as the services store them."""

    class Meta:
        model = Ballot
        exclude = ["answers", "demographics", "comments"]

    wave = factory.SubFactory(WaveFactory)
    reporting_unit = factory.LazyAttribute(
        lambda ballot: ballot.wave.wave_units.order_by("pk").first().unit
    )
    submitted_on = factory.LazyFunction(date.today)
    source = ResponseSource.ONLINE
    answers = factory.Dict({})
    demographics = factory.Dict({})
    comments = factory.Dict({})
    sealed = factory.LazyAttribute(
        lambda ballot: {
            "answers": ballot.answers,
            "demographics": ballot.demographics,
            "comments": ballot.comments,
        }
    )


# The agreement acts that take a draft objective to each status, in order.
_TO_STATUS = {
    "draft": [],
    "proposed": ["propose"],
    "agreed": ["propose", "agree"],
    "active": ["propose", "agree", "active"],
    "achieved": ["propose", "agree", "active", "achieved"],
    "dropped": ["dropped"],
}


class ObjectiveFactory(factory.Factory):
    """An objective of ``unit`` (or, with ``owner``, of a person) created by the direction
    services and taken to ``status`` through the acts that lead there (propose, agree, start,
    achieve or drop), each with its audit event. Other keywords are create_objective's."""

    class Meta:
        model = Objective

    unit = factory.SubFactory(UnitFactory)
    organisation = factory.LazyAttribute(lambda objective: objective.unit.organisation)
    code = factory.Sequence(lambda n: f"OBJ{n}")
    title = factory.LazyAttribute(lambda o: f"Objective {o.code}: cut waits from 10 to 5 days")
    measure = "Median wait (days)"
    baseline = 10.0
    target = 5.0
    direction = "down"
    due_date = date(2027, 3, 31)
    status = "draft"

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise TypeError(
            "An objective is made by the direction services: use ObjectiveFactory(), not .build()."
        )

    @classmethod
    def _create(cls, model_class, *, status, **fields):
        system = Actor.system("tests")
        objective = direction_services.create_objective(actor=system, **fields)
        for act in _TO_STATUS[status]:
            if act in ("propose", "agree"):
                getattr(direction_services, act)(objective=objective, actor=system)
            else:
                direction_services.set_status(objective=objective, status=act, actor=system)
        objective.refresh_from_db()
        return objective
