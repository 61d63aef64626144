"""`colead demo`: builds both demo trusts through the real importer, with a user per role
who can sign in. Built small (600 staff) to keep the tests quick."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from colead.accounts.models import RoleAssignment, User
from colead.audit.models import AuditEvent
from colead.demo.generator import generate
from colead.demo.services import DEMO_USERS
from colead.org import reference
from colead.org.models import ImportRun, LeadershipPost, Organisation, Person, Unit
from colead.org.summary import organisation_summary
from colead.surveys.models import Response, Wave
from tests.factories import OrganisationFactory

SEED, STAFF = 11, 600
PERSONAS = ["admin", "board", "od", "change", "manager", "staff", "safety"]


def run_demo(*args):
    out = io.StringIO()
    call_command(
        "demo", "--seed", str(SEED), "--staff", str(STAFF), "--no-serve", *args, stdout=out
    )
    return out.getvalue()


def sign_in(client, email, password):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def database_rows(organisation):
    """The organisation's units, people and posts, in the generator's row layout."""
    units = {
        u.pk: u for u in Unit.objects.for_org(organisation).select_related("parent").order_by("pk")
    }
    unit_rows = [
        {
            "unit_code": u.code,
            "name": u.name,
            "parent_code": u.parent.code if u.parent_id else "",
            "level": u.level,
            "site": u.site,
        }
        for u in units.values()
    ]
    people = Person.objects.for_org(organisation).select_related("line_manager", "protected")
    people = people.prefetch_related("teams")
    person_rows = []
    for p in people:
        protected = getattr(p, "protected", None)
        person_rows.append(
            {
                "employee_number": p.employee_number,
                "first_name": p.first_name,
                "last_name": p.last_name,
                "email": p.email,
                "unit_code": units[p.primary_unit_id].code,
                "staff_group": reference.esr_staff_group_name(p.staff_group),
                "band": reference.band_name(p.band),
                "job_title": p.job_title,
                "line_manager": p.line_manager.employee_number if p.line_manager_id else "",
                "start_date": p.start_date.isoformat(),
                "is_leader": "Y" if p.leader_flag else "N",
                "team_codes": ";".join(sorted(t.code for t in p.teams.all())),
                **{
                    name: getattr(protected, name) if protected else ""
                    for name in reference.PROTECTED_FIELDS
                },
            }
        )
    post_rows = [
        {
            "title": post.title,
            "level": post.level,
            "unit_code": post.unit.code,
            "holder": post.holder.employee_number if post.holder_id else "",
            "is_interim": "Y" if post.is_interim else "N",
            "is_critical": "Y" if post.is_critical else "N",
        }
        for post in LeadershipPost.objects.for_org(organisation).select_related("unit", "holder")
    ]
    return unit_rows, person_rows, post_rows


def survey_rows(organisation):
    """Every stored response of the organisation's waves, in a comparable form."""
    return sorted(
        (
            r.wave.title,
            r.reporting_unit.code,
            r.submitted_on.isoformat(),
            repr(sorted(r.demographics.items())),
            repr(sorted(r.answers.items())),
            repr(sorted(r.comments.items())),
        )
        for r in Response.objects.filter(wave__organisation=organisation).select_related(
            "wave", "reporting_unit"
        )
    )


def _key(row):
    return tuple(sorted(row.items()))


def _normalised(rows):
    for row in rows:
        if "team_codes" in row:
            row["team_codes"] = ";".join(sorted(filter(None, row["team_codes"].split(";"))))
    return sorted(map(_key, rows))


@pytest.fixture
def built(db):
    return run_demo()


def test_builds_both_trusts_and_prints_how_to_sign_in(built, settings):
    password = settings.COLEAD_DEMO_PASSWORD
    assert f"password is {password}" in built.splitlines()[0]  # printed at the start
    for spec in DEMO_USERS:
        assert spec.email in built
    assert "Not serving (--no-serve)" in built

    acute = Organisation.objects.get(code="DEMO1")
    community = Organisation.objects.get(code="DEMO2")
    assert (acute.sector, community.sector) == ("acute", "community")
    assert acute.leadership_band_threshold == "band_8a" and acute.post_holders_are_leaders
    summary = organisation_summary(acute)
    assert summary["people_total"] == STAFF
    assert summary["units_by_level"]["division"] == 5
    assert summary["people_by_staff_group"]["Registered nursing and midwifery"] > 100
    posts = summary["leadership_posts"]
    assert 0.03 <= posts["vacant"] / (posts["vacant"] + posts["filled"]) <= 0.15
    # Leaders: at least every post holder and everyone at band 8a or above.
    senior = Person.objects.for_org(acute).filter(band__in=["band_8a", "band_9", "consultant"])
    assert not senior.filter(is_leader=False).exists()
    holders = Person.objects.filter(posts__organisation=acute)
    assert holders.exists() and not holders.filter(is_leader=False).exists()
    assert organisation_summary(community)["people_total"] == 150
    assert f"DEMO1  {acute.name}: 600 staff" in built

    # It went through the importer, and the build is in each organisation's audit log.
    for organisation in (acute, community):
        assert set(ImportRun.objects.for_org(organisation).values_list("kind", flat=True)) == {
            "units",
            "workforce",
        }
        event = AuditEvent.objects.get(organisation=organisation, action="demo.build")
        assert event.detail["seed"] == SEED and event.detail["staff"] == STAFF
        # Two closed survey waves, with about half the staff answering each; DEMO1 also has
        # a closed pulse sent to its maternity directorate only.
        waves = Wave.objects.for_org(organisation).order_by("opens_on")
        pulse = [("Maternity pulse summer 2025", "closed")] if organisation == acute else []
        assert [(w.title, w.status) for w in waves] == [
            *pulse,
            ("Staff culture survey autumn 2025", "closed"),
            ("Staff culture survey spring 2026", "closed"),
        ]
        assert event.detail["waves"] == [w.pk for w in waves]
        for wave in waves.exclude(title__startswith="Maternity pulse"):
            people = organisation_summary(organisation)["people_total"]
            assert 0.4 * people <= wave.responses.count() <= 0.65 * people


def test_database_holds_exactly_the_generated_data(built):
    for trust in generate(seed=SEED, staff=STAFF):
        units, people, posts = database_rows(Organisation.objects.get(code=trust.code))
        assert _normalised(units) == _normalised([dict(u) for u in trust.units])
        assert _normalised(people) == _normalised([dict(p) for p in trust.workforce])
        assert _normalised(posts) == _normalised([dict(p) for p in trust.posts])


def test_roles_are_linked_to_the_personas_records(built):
    acute = Organisation.objects.get(code="DEMO1")
    roles = {
        email: sorted(
            (a.organisation.code, a.role, a.unit.code if a.unit_id else None)
            for a in RoleAssignment.objects.filter(user__email=email).select_related(
                "organisation", "unit"
            )
        )
        for email in (f"{p}@demo.test" for p in PERSONAS)
    }
    assert roles["admin@demo.test"] == [("DEMO1", "org_admin", None), ("DEMO2", "org_admin", None)]
    manager = RoleAssignment.objects.get(user__email="manager@demo.test", role="manager")
    ward = manager.unit
    assert ward.level == "team" and manager.person.primary_unit == ward
    assert manager.person.job_title == "Ward Manager"
    assert ("DEMO1", "staff", None) in roles["manager@demo.test"]
    nurse = RoleAssignment.objects.get(user__email="staff@demo.test").person
    assert nurse.primary_unit == ward and nurse.job_title == "Staff Nurse"
    assert nurse.line_manager == manager.person
    board = RoleAssignment.objects.get(user__email="board@demo.test", role="board")
    assert board.unit is None and board.person.job_title == "Chief Nurse"
    safety = RoleAssignment.objects.get(user__email="safety@demo.test", role="safety_reviewer")
    assert safety.organisation == acute and safety.unit is None
    for persona in ("board", "od", "change", "manager", "staff", "safety"):
        linked = RoleAssignment.objects.filter(user__email=f"{persona}@demo.test")
        assert linked.exists() and not linked.filter(person=None).exists(), persona


def test_each_persona_signs_in_with_the_demo_password(built, client, settings):
    # One build for all seven: building is the slow part.
    for persona in PERSONAS:
        email = f"{persona}@demo.test"
        assert sign_in(client, email, "not-the-password").status_code == 200  # form again
        response = sign_in(client, email, settings.COLEAD_DEMO_PASSWORD)
        assert response.status_code == 302, persona
        home = client.get(reverse("home:home"))
        assert home.status_code == 200, persona
        user = User.objects.get(email=email)
        person = next((a.person for a in user.role_assignments.all() if a.person_id), None)
        if person is not None:  # the home page shows "You": their own record
            assert person.job_title in home.content.decode(), persona
        if persona == "admin":
            demo2 = Organisation.objects.get(code="DEMO2")
            choose = client.post(reverse("home:choose_organisation"), {"organisation": demo2.pk})
            assert choose.status_code == 302
            assert demo2.name in client.get(reverse("home:home")).content.decode()
        client.logout()


def test_the_maternity_pulse_has_results_pages_for_every_unit(built, client, settings):
    """A wave sent to one directorate (issue 11): its results pages work for every unit,
    and a unit it did not survey says so."""
    acute = Organisation.objects.get(code="DEMO1")
    pulse = Wave.objects.for_org(acute).get(title__startswith="Maternity pulse")
    assert [u.code for u in pulse.target_units.all()] == ["WAC-MAT"]
    assert pulse.responses.exists()
    assert sign_in(client, "board@demo.test", settings.COLEAD_DEMO_PASSWORD).status_code == 302
    root = Unit.objects.for_org(acute).get(depth=0).code
    # the directorate and the units above it were surveyed; another division was not
    for code, surveyed in (("WAC-MAT", True), ("WAC", True), (root, True), ("MED", False)):
        page = client.get(reverse("insights:unit", args=[pulse.pk, code]))
        assert page.status_code == 200, code
        assert ("This wave did not survey" in page.content.decode()) is not surveyed, code
    for level in range(4):
        heatmap = client.get(reverse("insights:heatmap", args=[pulse.pk]), {"level": level})
        assert heatmap.status_code == 200, level


# --rebuild flushes the database, which PostgreSQL refuses inside a test's open transaction.
@pytest.mark.django_db(transaction=True)
def test_a_second_run_keeps_the_data_and_rebuild_makes_it_again(built, client, settings):
    acute = Organisation.objects.get(code="DEMO1")
    before = database_rows(acute)
    answers_before = survey_rows(acute)
    again = run_demo()
    assert "already there" in again and "Building" not in again
    assert Person.objects.for_org(acute).count() == STAFF  # nothing doubled

    User.objects.create_user("someone@example.test", "a-password-of-theirs")
    settings.COLEAD_DEMO_PASSWORD = "another-demo-password"
    rebuilt = run_demo("--rebuild")
    assert "Building" in rebuilt and "another-demo-password" in rebuilt
    # The whole database was emptied first, then the same data built again.
    assert not User.objects.filter(email="someone@example.test").exists()
    assert AuditEvent.objects.filter(action="demo.build").count() == 2
    after = database_rows(Organisation.objects.get(code="DEMO1"))
    assert [_normalised(rows) for rows in after] == [_normalised(rows) for rows in before]
    assert survey_rows(Organisation.objects.get(code="DEMO1")) == answers_before  # same seed
    assert sign_in(client, "staff@demo.test", "another-demo-password").status_code == 302


def test_refuses_bad_options_and_production(db, settings):
    with pytest.raises(CommandError, match="at least"):
        call_command("demo", "--staff", "10", "--no-serve", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--port"):
        call_command("demo", "--port", "0", "--no-serve", stdout=io.StringIO())
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("demo", "--no-serve", stdout=io.StringIO())
    assert not Organisation.objects.filter(code="DEMO1").exists()


def test_a_leftover_demo_organisation_stops_the_build_and_nothing_is_kept(db):
    # DEMO1 is built first, then DEMO2 clashes: the whole build is one transaction.
    OrganisationFactory(code="DEMO2", name="Left over")
    with pytest.raises(CommandError, match="DEMO2 already exists.*\\n.*--rebuild"):
        call_command("demo", "--staff", "300", "--no-serve", stdout=io.StringIO())
    assert not Organisation.objects.filter(code="DEMO1").exists()
    assert not User.objects.filter(email__endswith="@demo.test").exists()


def test_serving_uses_its_own_port_for_links_and_a_worker_for_background_jobs(
    db, settings, monkeypatch
):
    from django.core.management.commands import runserver
    from django_tasks import task_backends

    from colead.demo.management.commands import demo

    # Restored afterwards: the command sets both the setting and the worker's environment.
    monkeypatch.setenv("COLEAD_BASE_URL", "unset")
    monkeypatch.delenv("COLEAD_BASE_URL")
    settings.COLEAD_BASE_URL = settings.COLEAD_BASE_URL
    settings.TASKS = settings.TASKS
    seen = {}

    class Worker:
        def __init__(self, command, env):
            seen["worker"] = (command[2:4], env["COLEAD_TASKS_BACKEND"], env["COLEAD_BASE_URL"])

        def terminate(self):
            seen["stopped"] = True

        def wait(self, timeout):
            pass

    def serve(self, *args, addrport, **options):
        seen["served"] = (addrport, settings.COLEAD_BASE_URL)
        seen["backend"] = type(task_backends["default"]).__name__

    monkeypatch.setattr(demo.subprocess, "Popen", Worker)
    monkeypatch.setattr(demo.signal, "signal", lambda number, _: seen.setdefault("signal", number))
    monkeypatch.setattr(runserver.Command, "handle", serve)
    demo.Command(stdout=io.StringIO())._serve(8080)
    assert seen == {
        "worker": (["colead", "db_worker"], "database", "http://127.0.0.1:8080"),
        "served": ("127.0.0.1:8080", "http://127.0.0.1:8080"),
        "backend": "DatabaseBackend",
        "stopped": True,
        "signal": demo.signal.SIGTERM,  # a SIGTERM stops the worker too
    }


def test_a_base_url_given_in_the_environment_is_kept(db, settings, monkeypatch):
    from django.core.management.commands import runserver

    from colead.demo.management.commands import demo

    monkeypatch.setenv("COLEAD_BASE_URL", "https://demo.example.nhs.uk")
    settings.COLEAD_BASE_URL = "https://demo.example.nhs.uk"
    settings.TASKS = settings.TASKS
    seen = {}

    class Worker:
        def __init__(self, command, env):
            seen["worker"] = env["COLEAD_BASE_URL"]

        def terminate(self):
            pass

        def wait(self, timeout):
            pass

    monkeypatch.setattr(demo.subprocess, "Popen", Worker)
    monkeypatch.setattr(demo.signal, "signal", lambda number, handler: None)
    monkeypatch.setattr(
        runserver.Command,
        "handle",
        lambda self, **o: seen.setdefault("served", settings.COLEAD_BASE_URL),
    )
    demo.Command(stdout=io.StringIO())._serve(8080)
    assert seen == {
        "worker": "https://demo.example.nhs.uk",
        "served": "https://demo.example.nhs.uk",
    }
