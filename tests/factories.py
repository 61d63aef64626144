"""factory_boy factories, one per model. Prefer .build() when nothing needs saving."""

import factory

from colead.accounts.models import RoleAssignment, User
from colead.org.models import LeadershipPost, Organisation, Person, Unit


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
