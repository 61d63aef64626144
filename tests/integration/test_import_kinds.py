"""`colead import` dispatches kinds the apps register (colead.org.import_registry), so org
imports no app above it and a new module adds its kinds without touching org."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from colead.lib.problems import ImportProblem
from colead.org import import_registry
from colead.org.services import ImportRejected


def test_each_app_registers_its_own_kinds():
    owners = {kind.name: kind.handle.__module__ for kind in import_registry.kinds()}
    assert owners == {
        "units": "colead.org.import_kinds",
        "workforce": "colead.org.import_kinds",
        "responses": "colead.surveys.import_kinds",
        "objectives": "colead.direction.import_kinds",
    }
    assert [kind.name for kind in import_registry.kinds()] == [
        "units",
        "workforce",
        "responses",
        "objectives",
    ]


def test_a_kind_registered_by_another_app_is_dispatched_with_its_own_arguments(tmp_path):
    seen = {}

    def add_arguments(parser):
        parser.add_argument("--period", required=True)

    def handle(command, path, content, options, actor):
        seen.update(path=path.name, content=content, period=options["period"], actor=actor)
        command.stdout.write("Imported 2 incidents.")

    import_registry.register(
        import_registry.ImportKind(
            name="incidents",
            help="Incidents by unit and month.",
            description="A test kind.",
            add_arguments=add_arguments,
            handle=handle,
        )
    )
    try:
        path = tmp_path / "incidents.csv"
        path.write_bytes(b"unit_code,month\nW1,2026-01\n")
        out = io.StringIO()
        call_command("import", "incidents", str(path), "--period", "2026", stdout=out)
        actor = seen.pop("actor")
        assert seen == {"path": "incidents.csv", "content": path.read_bytes(), "period": "2026"}
        # The command acts as colead itself, so the kind's writes are audited "system (cli)".
        assert (actor.is_system, actor.label, actor.source) == (True, "system (cli)", "cli")
        assert out.getvalue() == "Imported 2 incidents.\n"
    finally:
        import_registry.unregister("incidents")
    with pytest.raises(CommandError, match="invalid choice: 'incidents'"):
        call_command("import", "incidents", str(path), "--period", "2026")


def test_a_rejected_file_of_any_kind_prints_its_problems_and_exits_1(tmp_path):
    def handle(command, path, content, options, actor):
        raise ImportRejected(
            [ImportProblem(path.name, 2, "month", "2026-13", '"2026-13" is not a month.')]
        )

    import_registry.register(
        import_registry.ImportKind("ties", "Network ties.", "A test kind.", lambda p: None, handle)
    )
    try:
        path = tmp_path / "ties.csv"
        path.write_text("a,b\n", encoding="utf-8")
        err = io.StringIO()
        with pytest.raises(SystemExit) as exit_info:
            call_command("import", "ties", str(path), stdout=io.StringIO(), stderr=err)
        assert exit_info.value.code == 1
        assert err.getvalue().splitlines() == [
            'ties.csv, row 2, column month: "2026-13" is not a month.',
            "1 problem found; nothing was imported.",
        ]
    finally:
        import_registry.unregister("ties")


def test_two_apps_cannot_register_one_kind_name():
    def other(command, path, content, options, actor):  # pragma: no cover - never dispatched
        raise AssertionError

    with pytest.raises(ValueError, match="'units' is already registered by colead.org"):
        import_registry.register(
            import_registry.ImportKind("units", "Other.", "Other.", lambda p: None, other)
        )
    assert import_registry.get("units").handle.__module__ == "colead.org.import_kinds"
