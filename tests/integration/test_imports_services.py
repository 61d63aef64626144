"""The import services (colead.org.services) against the database: applying plans,
history, leavers and returners, protected characteristics, teams, leaders, and
all-or-nothing."""

import json
from pathlib import Path

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from colead.audit.models import AuditEvent
from colead.core.actor import Actor
from colead.lib.errors import Conflict, Invalid
from colead.org import services
from colead.org.imports.workforce import REQUIRED_COLUMNS
from colead.org.models import (
    ImportRun,
    LeadershipPost,
    Organisation,
    Person,
    PersonChange,
    ProtectedCharacteristics,
    TeamMembership,
    Unit,
)
from tests.integration.imports_files import (
    UNIT_COLUMNS,
    new_person,
    to_csv,
    to_xlsx,
    unit_rows,
    workforce_csv,
    workforce_rows,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
pytestmark = pytest.mark.django_db
CLI = Actor.system("cli")


def import_workforce(org, content, **kwargs):
    return services.import_workforce(
        organisation=org, content=content, filename="workforce.csv", actor=CLI, **kwargs
    )


def import_units(org, content, **kwargs):
    return services.import_units(
        organisation=org, content=content, filename="units.csv", actor=CLI, **kwargs
    )


def table_counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Person,
            PersonChange,
            ImportRun,
            AuditEvent,
            TeamMembership,
            ProtectedCharacteristics,
            Unit,
            LeadershipPost,
        )
    } | {"leaving": Person.objects.filter(leaving_date__isnull=False).count()}


def person(org, number):
    return Person.objects.for_org(org).get(employee_number=number)


class TestWorkforce:
    def test_reimporting_the_current_records_changes_nothing(self, trust):
        org = trust["org"]
        before = {p.pk: (p.band, p.job_title) for p in Person.objects.for_org(org)}
        result = import_workforce(org, workforce_csv(workforce_rows(org)))
        assert result.no_changes
        assert result.summary_line() == "Added 0, updated 0, leavers 0, unchanged 12."
        assert {p.pk: (p.band, p.job_title) for p in Person.objects.for_org(org)} == before
        assert not PersonChange.objects.exists()
        run = ImportRun.objects.for_org(org).get()
        assert (run.kind, run.unchanged, run.added) == ("workforce", 12, 0)
        event = AuditEvent.objects.get(action="import.workforce")
        assert event.organisation == org and event.actor_label == "system (cli)"
        assert event.detail["source"] == "cli"
        assert event.detail["unchanged"] == 12 and event.detail["filename"] == "workforce.csv"
        assert len(event.detail["sha256"]) == 64

    def test_a_newer_file_adds_updates_and_marks_leavers_keeping_history(self, trust):
        org = trust["org"]
        rows = workforce_rows(org)
        rows["S1"]["band"] = "Band 6"
        rows["S1"]["job_title"] = "Senior Staff Nurse"
        del rows["W2-0"]
        rows["N1"] = new_person("N1", line_manager="M1")
        result = import_workforce(org, workforce_csv(rows))
        assert (result.added, result.updated, result.leavers, result.unchanged) == (1, 1, 1, 10)
        assert result.summary_line() == "Added 1, updated 1, leavers 1, unchanged 10."

        nurse = person(org, "S1")
        assert (nurse.band, nurse.job_title) == ("band_6", "Senior Staff Nurse")
        newcomer = person(org, "N1")
        assert newcomer.line_manager == trust["manager_person"]
        assert newcomer.staff_group == "allied_health_professionals"
        assert str(newcomer.start_date) == "2026-01-05"
        leaver = person(org, "W2-0")
        assert leaver.leaving_date == timezone.localdate()

        run = ImportRun.objects.for_org(org).get()
        history = {
            c.person.employee_number: c for c in PersonChange.objects.select_related("person")
        }
        assert history["S1"].kind == "updated" and history["S1"].import_run == run
        assert history["S1"].fields == {
            "band": ["band_5", "band_6"],
            "job_title": ["Staff Nurse", "Senior Staff Nurse"],
        }
        assert history["N1"].kind == "added"
        assert history["N1"].fields["line_manager"] == [None, "M1"]
        assert history["W2-0"].kind == "left"
        assert history["W2-0"].fields == {"leaving_date": [None, timezone.localdate().isoformat()]}
        # The same file again: nothing more to do.
        again = import_workforce(org, workforce_csv(rows))
        assert again.no_changes and again.unchanged == 12
        assert PersonChange.objects.count() == 3

    def test_a_leaver_who_comes_back_is_a_returner(self, trust):
        org = trust["org"]
        rows = workforce_rows(org)
        returning = rows.pop("T1-0")
        import_workforce(org, workforce_csv(rows))
        assert person(org, "T1-0").leaving_date is not None
        rows["T1-0"] = dict(returning, job_title="Theatre Practitioner")
        result = import_workforce(org, workforce_csv(rows))
        assert (result.returned, result.updated, result.leavers) == (1, 0, 0)
        assert result.summary_line() == "Added 0, updated 0, returned 1, leavers 0, unchanged 11."
        back = person(org, "T1-0")
        assert back.leaving_date is None and back.job_title == "Theatre Practitioner"
        change = PersonChange.objects.filter(kind="returned").get()
        assert change.fields["leaving_date"][1] is None
        assert change.fields["job_title"][1] == "Theatre Practitioner"
        assert ImportRun.objects.for_org(org).first().updated == 1  # returners included

    def test_line_managers_among_new_people_are_set_in_one_import(self, trust):
        org = trust["org"]
        rows = workforce_rows(org)
        rows["N2"] = new_person("N2", line_manager="N3")  # manager on a later row
        rows["N3"] = new_person("N3", line_manager="M1")
        rows["S1"]["line_manager"] = "N3"  # an existing person moves to a new manager
        import_workforce(org, workforce_csv(rows))
        assert person(org, "N2").line_manager.employee_number == "N3"
        assert person(org, "S1").line_manager.employee_number == "N3"
        rows["S1"]["line_manager"] = ""
        import_workforce(org, workforce_csv(rows))
        assert person(org, "S1").line_manager is None

    def test_protected_characteristics_are_stored_but_never_in_history(self, trust):
        org = trust["org"]
        rows = workforce_rows(org, protected=True)
        rows["S1"].update(ethnicity="Mixed - White and Asian", sex="Female", age_band="31-35")
        import_workforce(
            org, workforce_csv(rows, extra=("ethnicity", "sex", "disability", "age_band"))
        )
        stored = ProtectedCharacteristics.objects.get(person__employee_number="S1")
        assert stored.as_dict() == {
            "ethnicity": "Mixed - White and Asian",
            "sex": "Female",
            "disability": "",
            "age_band": "31-35",
        }
        rows["S1"]["sex"] = "Male"
        result = import_workforce(
            org, workforce_csv(rows, extra=("ethnicity", "sex", "disability", "age_band"))
        )
        assert result.updated == 1 and result.updated_items[0]["protected_changed"]
        assert ProtectedCharacteristics.objects.get(person__employee_number="S1").sex == "Male"
        history = json.dumps(list(PersonChange.objects.values_list("fields", flat=True)))
        assert "protected_characteristics" in history
        for value in ("Mixed", "Female", "Male", "31-35"):
            assert value not in history
        # A file without those columns leaves them alone; blanking them all removes the row.
        import_workforce(org, workforce_csv(workforce_rows(org)))
        assert ProtectedCharacteristics.objects.filter(person__employee_number="S1").exists()
        rows["S1"].update(ethnicity="", sex="", age_band="")
        import_workforce(
            org, workforce_csv(rows, extra=("ethnicity", "sex", "disability", "age_band"))
        )
        assert not ProtectedCharacteristics.objects.filter(person__employee_number="S1").exists()

    def test_team_memberships_are_synced_only_when_the_column_is_given(self, trust):
        org = trust["org"]
        rows = workforce_rows(org, teams=True)
        rows["S1"]["team_codes"] = "W2;T1"
        import_workforce(org, workforce_csv(rows, extra=("team_codes",)))
        teams = lambda: sorted(  # noqa: E731
            TeamMembership.objects.filter(person__employee_number="S1").values_list(
                "unit__code", flat=True
            )
        )
        assert teams() == ["T1", "W2"]
        import_workforce(org, workforce_csv(workforce_rows(org)))  # no team_codes column
        assert teams() == ["T1", "W2"]
        rows["S1"]["team_codes"] = "T1"
        result = import_workforce(org, workforce_csv(rows, extra=("team_codes",)))
        assert result.updated_items[0]["changes"] == [("team_codes", "T1;W2", "T1")]
        assert teams() == ["T1"]

    def test_leaders_follow_the_flag_the_band_line_and_posts(self, trust):
        org = trust["org"]
        rows = workforce_rows(org)
        rows["S1"]["is_leader"] = "Y"
        rows["T1-0"]["band"] = "Band 8b"
        import_workforce(org, workforce_csv(rows))
        leaders = lambda: set(  # noqa: E731
            Person.objects.for_org(org)
            .filter(is_leader=True)
            .values_list("employee_number", flat=True)
        )
        assert leaders() == {"M1", "S1"}  # M1 is flagged and holds a post
        org.leadership_band_threshold = "band_8a"
        org.post_holders_are_leaders = False
        org.save()
        services.recompute_leaders(organisation=org)
        assert leaders() == {"M1", "S1", "T1-0"}
        rows["M1"]["is_leader"] = "N"
        import_workforce(org, workforce_csv(rows))
        assert leaders() == {"S1", "T1-0"}  # no longer flagged; posts do not count here
        org.post_holders_are_leaders = True
        org.save()
        assert services.recompute_leaders(organisation=org) == 1
        assert leaders() == {"M1", "S1", "T1-0"}

    def test_a_leavers_leadership_post_falls_vacant(self, trust):
        org = trust["org"]
        rows = workforce_rows(org)
        for row in rows.values():
            if row["line_manager"] == "M1":
                row["line_manager"] = ""
        del rows["M1"]
        result = import_workforce(org, workforce_csv(rows))
        assert result.posts_vacated == 1
        assert LeadershipPost.objects.for_org(org).get(title="Ward Manager, Ward 1").holder is None
        assert person(org, "M1").leaving_date == timezone.localdate()
        event = AuditEvent.objects.get(action="import.workforce")
        assert event.detail["posts_vacated"] == 1

    def test_other_organisations_are_untouched(self, trust):
        org, other = trust["org"], trust["other"]
        rows = {"X1": new_person("X1", unit="W1")}  # same employee number as OTH1's person
        import_workforce(org, workforce_csv(rows), allow_leavers=True)
        assert person(org, "X1").organisation == org
        assert Person.objects.for_org(other).get(employee_number="X1").leaving_date is None
        assert Person.objects.for_org(org).current().count() == 1

    def test_marking_many_people_as_leavers_needs_a_separate_confirmation(self, trust):
        org = trust["org"]
        two_rows = workforce_csv({"X1": new_person("X1", unit="W1"), "X2": new_person("X2")})
        preview = import_workforce(org, two_rows, dry_run=True)
        assert (preview.leavers, preview.current_people) == (12, 12)
        assert preview.leavers_need_confirmation and preview.leavers_percent == 100
        with pytest.raises(Invalid) as refused:
            import_workforce(org, two_rows)
        assert "would mark 12 of 12 current staff as leavers (100 %)" in str(refused.value)
        assert Person.objects.for_org(org).current().count() == 12  # nothing written
        assert not ImportRun.objects.for_org(org).exists()
        assert import_workforce(org, two_rows, allow_leavers=True).leavers == 12
        assert Person.objects.for_org(org).current().count() == 2

    def test_the_share_of_leavers_allowed_without_confirmation_is_a_setting(self, trust, settings):
        org = trust["org"]
        rows = workforce_rows(org)
        del rows["S1"]  # 1 of 12 current staff: 8 %
        settings.COLEAD_IMPORT_LEAVERS_PERCENT = 5
        assert import_workforce(org, workforce_csv(rows), dry_run=True).leavers_need_confirmation
        with pytest.raises(Invalid):
            import_workforce(org, workforce_csv(rows))
        settings.COLEAD_IMPORT_LEAVERS_PERCENT = 10
        assert import_workforce(org, workforce_csv(rows)).leavers == 1

    def test_xlsx_files_import_like_csv(self, trust):
        org = trust["org"]
        rows = workforce_rows(org)
        rows["S1"]["band"] = "6"
        content = to_xlsx(list(rows.values()), list(REQUIRED_COLUMNS))
        result = services.import_workforce(
            organisation=org, content=content, filename="staff.xlsx", actor=CLI
        )
        assert (result.updated, result.unchanged) == (1, 11)
        assert person(org, "S1").band == "band_6"

    def test_a_dry_run_writes_nothing(self, trust):
        org = trust["org"]
        rows = workforce_rows(org)
        del rows["W2-1"]
        rows["N1"] = new_person("N1")
        before = table_counts()
        result = import_workforce(org, workforce_csv(rows), dry_run=True)
        assert (result.added, result.leavers, result.dry_run) == (1, 1, True)
        assert result.added_items[0]["employee_number"] == "N1"
        assert result.leaver_items[0]["employee_number"] == "W2-1"
        assert table_counts() == before

    def test_queries_do_not_grow_with_the_number_of_people(
        self, trust, django_assert_max_num_queries
    ):
        org = trust["org"]
        rows = workforce_rows(org)
        for i in range(300):
            rows[f"N{i}"] = new_person(f"N{i}", line_manager="M1" if i % 2 else "")
        with django_assert_max_num_queries(40):
            import_workforce(org, workforce_csv(rows))
        for i in range(0, 300, 3):
            rows[f"N{i}"]["band"] = "Band 7"
        with django_assert_max_num_queries(40):
            result = import_workforce(org, workforce_csv(rows))
        assert result.updated == 100


class TestAllOrNothing:
    def test_a_file_with_problems_writes_nothing(self, trust):
        org = trust["org"]
        rows = workforce_rows(org)
        rows["S1"]["band"] = "Band 10"
        rows["N1"] = new_person("N1", unit="NOPE")
        del rows["W1-0"]
        before = table_counts()
        with pytest.raises(services.ImportRejected) as rejected:
            import_workforce(org, workforce_csv(rows))
        assert len(rejected.value.problems) == 2
        assert table_counts() == before

    def test_a_failure_while_writing_rolls_everything_back(self, trust, monkeypatch):
        org = trust["org"]
        rows = workforce_rows(org)
        rows["S1"]["band"] = "Band 6"
        rows["N1"] = new_person("N1")
        del rows["W1-0"]
        before = table_counts()

        def fail(**kwargs):
            raise RuntimeError("database went away")

        monkeypatch.setattr(services, "recompute_leaders", fail)
        with pytest.raises(RuntimeError):
            import_workforce(org, workforce_csv(rows))
        assert table_counts() == before
        assert person(org, "S1").band == "band_5"

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def test_corrupted_files_are_rejected_and_write_nothing(self, trust, data):
        org = trust["org"]
        rows = sorted(workforce_rows(org).values(), key=lambda row: row["employee_number"])
        rows.append(new_person("N1"))
        bad = {
            "band": "Band 10",
            "unit_code": "NOWHERE",
            "email": "x@",
            "start_date": "2021-13-01",
            "staff_group": "Wizards",
            "is_leader": "perhaps",
        }
        for _ in range(data.draw(st.integers(0, 4))):  # some random damage anywhere...
            victim = data.draw(st.integers(0, len(rows) - 1))
            field = data.draw(st.sampled_from(list(REQUIRED_COLUMNS)))
            rows[victim][field] = data.draw(st.text(max_size=8))
        # ...then one certain error, last, so the random damage can never repair it (a file
        # that imported would change the records the next example starts from).
        column = data.draw(st.sampled_from(sorted(bad)))
        index = data.draw(st.integers(0, len(rows) - 1))
        rows[index][column] = bad[column]
        before = table_counts()
        with pytest.raises(services.ImportRejected) as rejected:
            import_workforce(org, workforce_csv(rows))
        rows_named = {p.row for p in rejected.value.problems}
        assert rows_named <= {None, 1, *range(2, len(rows) + 2)}
        assert table_counts() == before


class TestUnits:
    def test_a_new_organisation_from_the_documented_examples(self, db):
        org = services.create_organisation(
            code="RXX", name="Example NHS Foundation Trust", sector="Acute", actor=CLI
        )
        assert org.sector == "acute" and not org.units.exists()
        units = import_units(org, (EXAMPLES / "units.csv").read_bytes())
        assert units.added == 10
        root = org.root_unit()
        assert root.code == "RXX" and root.path == "/" + Unit.path_segment(root.pk)
        card = Unit.objects.for_org(org).get(code="CARD")
        assert card.path == card.compute_path() and card.depth == 2
        assert sorted(Unit.objects.subtree(card).values_list("code", flat=True)) == [
            "CARD",
            "CCU",
            "WARD7",
        ]
        people = services.import_workforce(
            organisation=org,
            content=(EXAMPLES / "workforce.csv").read_bytes(),
            filename="workforce.csv",
            actor=CLI,
        )
        assert people.added == 13
        assert Person.objects.for_org(org).filter(is_leader=True).count() == 6
        assert ProtectedCharacteristics.objects.filter(person__organisation=org).count() == 12
        assert TeamMembership.objects.filter(person__organisation=org).count() == 3

    def test_every_saved_path_matches_the_tree(self, trust):
        org = trust["org"]
        rows = unit_rows(org)
        rows.append(
            {"unit_code": "CARD2", "name": "Cardiology 2", "parent_code": "SURG", "level": "team"}
        )
        rows.append({"unit_code": "DEEP", "name": "Deep", "parent_code": "CARD2", "level": "team"})
        for row in rows:
            if row["unit_code"] == "CARD":  # move Cardiology (and its wards) under Surgery
                row["parent_code"] = "SURG"
        result = import_units(org, to_csv(rows, UNIT_COLUMNS))
        assert (result.added, result.updated) == (2, 1)
        assert result.updated_items[0]["changes"] == [("parent_code", "MED", "SURG")]
        for unit in Unit.objects.for_org(org).select_related("parent"):
            assert unit.path == unit.compute_path(), unit.code
            assert unit.depth == unit.path.count("/") - 2
        surgery = Unit.objects.for_org(org).get(code="SURG")
        assert {"CARD", "W1", "W2", "DEEP"} <= set(
            Unit.objects.subtree(surgery).values_list("code", flat=True)
        )
        assert person(org, "S1").primary_unit.is_within(surgery)

    def test_units_missing_from_the_file(self, trust):
        org = trust["org"]
        empty = Unit.objects.create(
            organisation=org, code="EMPTY", name="Empty", level="team", parent=trust["units"]["MED"]
        )
        rows = [r for r in unit_rows(org) if r["unit_code"] not in ("EMPTY", "W2")]
        with pytest.raises(services.ImportRejected) as rejected:
            import_units(org, to_csv(rows, UNIT_COLUMNS))
        assert [(p.column, p.value) for p in rejected.value.problems] == [("unit_code", "W2")]
        assert "3 current people work in it" in rejected.value.problems[0].message

        rows = [r for r in unit_rows(org) if r["unit_code"] != "EMPTY"]
        result = import_units(org, to_csv(rows, UNIT_COLUMNS))
        assert result.leavers == 1 and result.summary_line().endswith("deactivated 1, unchanged 7.")
        empty.refresh_from_db()
        assert not empty.is_active
        # Bringing it back reactivates it.
        rows.append({"unit_code": "EMPTY", "name": "Empty", "parent_code": "MED", "level": "team"})
        result = import_units(org, to_csv(rows, UNIT_COLUMNS))
        assert result.updated_items[0]["changes"] == [("is_active", "inactive", "active")]
        empty.refresh_from_db()
        assert empty.is_active

    def test_a_team_member_keeps_a_unit_in_use(self, trust):
        org = trust["org"]
        spare = Unit.objects.create(
            organisation=org, code="SPARE", name="Spare", level="team", parent=trust["units"]["MED"]
        )
        TeamMembership.objects.create(person=trust["nurse_person"], unit=spare)
        rows = [r for r in unit_rows(org) if r["unit_code"] != "SPARE"]
        with pytest.raises(services.ImportRejected) as rejected:
            import_units(org, to_csv(rows, UNIT_COLUMNS))
        assert "1 current person works in it" in rejected.value.problems[0].message

    def test_reimport_changes_nothing_and_a_rejected_file_writes_nothing(self, trust):
        org = trust["org"]
        result = import_units(org, to_csv(unit_rows(org), UNIT_COLUMNS))
        assert result.no_changes and result.unchanged == 7
        rows = unit_rows(org)
        rows[1]["parent_code"] = rows[2]["unit_code"]
        rows[2]["parent_code"] = rows[1]["unit_code"]
        rows.append({"unit_code": "NEW", "name": "New", "parent_code": "MED", "level": "team"})
        before = table_counts()
        with pytest.raises(services.ImportRejected) as rejected:
            import_units(org, to_csv(rows, UNIT_COLUMNS))
        assert "loop" in rejected.value.problems[0].message
        assert table_counts() == before


class TestCreateOrganisation:
    @pytest.mark.parametrize(
        ("code", "name", "sector", "kind", "message"),
        [
            ("rx1", "Trust", "acute", Invalid, "code: .* not a valid organisation code"),
            ("RX", "Trust", "acute", Invalid, "code: .* not a valid organisation code"),
            ("RX1", "", "acute", Invalid, "name: Give the organisation a name"),
            ("RX1", "Trust", "hospital", Invalid, 'sector: "hospital" is not a sector'),
            ("TST1", "Trust", "acute", Conflict, "already exists"),
        ],
    )
    def test_bad_values_are_refused_clearly(self, trust, code, name, sector, kind, message):
        with pytest.raises(kind, match=message):
            services.create_organisation(code=code, name=name, sector=sector, actor=CLI)
        assert not Organisation.objects.filter(name="Trust").exists()

    def test_creation_is_audited(self, db):
        org = services.create_organisation(
            code="RYY", name="Why Trust", sector="mental health", actor=CLI
        )
        assert org.sector == "mental_health"
        event = AuditEvent.objects.get(action="organisation.create")
        assert event.organisation == org and event.detail["code"] == "RYY"
        assert event.actor_label == "system (cli)"


def test_a_rejected_upload_is_audited_by_the_service_with_its_actor(trust, persona_users):
    actor = Actor.of_user(persona_users["admin"], source="web", address="192.0.2.1")
    with pytest.raises(services.ImportRejected):
        services.hold_upload(
            organisation=trust["org"],
            kind="workforce",
            filename="bad.csv",
            content=b"employee_number\nE1\n",
            actor=actor,
        )
    event = AuditEvent.objects.get(action="import.upload_rejected")
    assert (event.actor_label, event.ip_address) == ("admin@test.test", "192.0.2.1")
    assert event.detail["filename"] == "bad.csv" and event.detail["problems"] >= 1
