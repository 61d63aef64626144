"""Shared fixtures: a small trust with a known structure, and one signed-in client per persona.

The trust (code TST1):

    TST1-ROOT  Test Trust                 (organisation)
      MED      Medicine division          (division)
        CARD   Cardiology directorate     (directorate)
          W1   Ward 1                     (team)   5 people, ward manager M1
          W2   Ward 2                     (team)   3 people
      SURG     Surgery division           (division)
        T1     Theatres                   (team)   4 people

A second organisation, OTH1, has its own unit and person, to prove isolation.
"""

import os
import sys

import pytest
from hypothesis import settings as hypothesis_settings

from colead.accounts.models import RoleAssignment
from colead.org.models import Unit
from tests.factories import (
    LeadershipPostFactory,
    OrganisationFactory,
    PersonFactory,
    UnitFactory,
    UserFactory,
)

# The coverage pass (make test COVERAGE=1) draws the same examples on every run, so that the
# figures scripts/coverage-ratchet holds do not move with hypothesis's random draws.
hypothesis_settings.register_profile("coverage", derandomize=True, database=None)
if os.environ.get("HYPOTHESIS_PROFILE"):
    hypothesis_settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])

PASSWORD = "correct-horse-battery"
PERSONAS = ["admin", "board", "od", "change", "manager", "staff", "safety"]


@pytest.fixture
def trust(db):
    org = OrganisationFactory(code="TST1", name="Test Trust", sector="acute")
    root = UnitFactory(organisation=org, code="TST1-ROOT", name="Test Trust", level="organisation")
    med = UnitFactory(organisation=org, code="MED", name="Medicine", level="division", parent=root)
    card = UnitFactory(
        organisation=org, code="CARD", name="Cardiology", level="directorate", parent=med
    )
    w1 = UnitFactory(organisation=org, code="W1", name="Ward 1", level="team", parent=card)
    w2 = UnitFactory(organisation=org, code="W2", name="Ward 2", level="team", parent=card)
    surg = UnitFactory(organisation=org, code="SURG", name="Surgery", level="division", parent=root)
    t1 = UnitFactory(organisation=org, code="T1", name="Theatres", level="team", parent=surg)
    manager = PersonFactory(
        organisation=org,
        primary_unit=w1,
        employee_number="M1",
        first_name="Mary",
        last_name="Manager",
        band="band_7",
        job_title="Ward Manager",
        leader_flag=True,
        is_leader=True,
    )
    nurse = PersonFactory(
        organisation=org,
        primary_unit=w1,
        employee_number="S1",
        first_name="Sam",
        last_name="Nurse",
        line_manager=manager,
    )
    for i in range(3):
        PersonFactory(
            organisation=org, primary_unit=w1, employee_number=f"W1-{i}", line_manager=manager
        )
    for i in range(3):
        PersonFactory(organisation=org, primary_unit=w2, employee_number=f"W2-{i}")
    for i in range(4):
        PersonFactory(
            organisation=org,
            primary_unit=t1,
            employee_number=f"T1-{i}",
            staff_group="additional_clinical_services",
            band="band_3",
        )
    LeadershipPostFactory(
        organisation=org, unit=w1, title="Ward Manager, Ward 1", level="first_line", holder=manager
    )
    LeadershipPostFactory(
        organisation=org,
        unit=card,
        title="Clinical Director, Cardiology",
        level="senior",
        is_critical=True,
    )

    other = OrganisationFactory(code="OTH1", name="Other Trust", sector="community")
    other_root = UnitFactory(
        organisation=other, code="OTH-ROOT", name="Other Trust", level="organisation"
    )
    PersonFactory(organisation=other, primary_unit=other_root, employee_number="X1")

    units = {u.code: u for u in Unit.objects.filter(organisation__in=[org, other])}
    return {
        "org": org,
        "other": other,
        "units": units,
        "manager_person": manager,
        "nurse_person": nurse,
    }


@pytest.fixture
def persona_users(trust):
    org, units = trust["org"], trust["units"]
    spec = {
        "admin": ("org_admin", None, None),
        "board": ("board", None, None),
        "od": ("od_lead", None, None),
        "change": ("change_team", None, None),
        "manager": ("manager", units["W1"], trust["manager_person"]),
        "staff": ("staff", None, trust["nurse_person"]),
        "safety": ("safety_reviewer", None, None),
    }
    users = {}
    for name, (role, unit, person) in spec.items():
        user = UserFactory(email=f"{name}@test.test", full_name=f"{name.title()} Persona")
        RoleAssignment.objects.create(
            user=user, organisation=org, role=role, unit=unit, person=person
        )
        if role != "staff" and person is not None:
            RoleAssignment.objects.create(user=user, organisation=org, role="staff", person=person)
        users[name] = user
    outsider = UserFactory(email="outsider@test.test")
    RoleAssignment.objects.create(user=outsider, organisation=trust["other"], role="org_admin")
    users["outsider"] = outsider
    return users


@pytest.fixture
def client_for(client, persona_users):
    """client_for("manager") -> the test client signed in as that persona."""

    def sign_in(persona):
        client.force_login(persona_users[persona])
        return client

    return sign_in


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Per-process caches (comment maskers, scored waves...) must not carry one test's staff
    into another, nor Django's cache one test's request counts (sign-in failures per
    address, device links) into the next. Every process-level cache is declared in
    colead.lib.memory (tests/unit/test_process_caches.py checks it), so one call empties them."""
    from django.core.cache import cache

    from colead.lib import memory

    cache.clear()
    memory.clear_all()
    yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test databases, and on PostgreSQL one more step before they are
    dropped: a database cannot be dropped while another session holds it, so a connection
    left open by a thread (a live-server request thread that outlived its test, say) would
    turn the end of the run into an error. Such sessions are reported, with their last
    statement to find the culprit, and ended."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid, application_name, left(query, 200) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            for pid, application, query in cursor.fetchall():
                sys.stderr.write(f"\nA database session was left open ({application}): {query}\n")
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
