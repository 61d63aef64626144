import io

import pytest
from django.core.management import CommandError, call_command

from colead.surveys.definitions import BUILTIN_DIR
from colead.surveys.models import InstrumentVersion

VALID = BUILTIN_DIR / "psychological-safety.yaml"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("instruments", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_validate_accepts_a_good_file():
    out, _ = run("validate", str(VALID))
    assert "is valid: psychological-safety version 1, 7 items, 1 dimensions" in out


def test_validate_lists_every_problem_and_exits_non_zero(tmp_path, capsys):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "code: broken\nversion: 1\ntitle: Broken\n"
        "scales:\n  s: {points: 3, labels: [a, b]}\n"
        "items:\n  - {code: x, text: X, scale: nope}\n  - {code: x, text: Again, type: yes_no}\n"
    )
    err = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("instruments", "validate", str(broken), stdout=io.StringIO(), stderr=err)
    assert exited.value.code == 1
    lines = err.getvalue().splitlines()
    assert any("line 5, scales.s.labels" in line for line in lines)
    assert any("unknown scale 'nope'" in line for line in lines)
    assert any("duplicate item code" in line for line in lines)
    assert lines[-1] == "3 problems found."


@pytest.mark.django_db
def test_import_is_idempotent_and_refuses_changed_content_under_the_same_version(trust, tmp_path):
    out, _ = run("import", str(VALID), "--org", "TST1")
    assert "Imported psychological-safety version 1" in out
    out, _ = run("import", str(VALID), "--org", "TST1")
    assert "Already up to date: psychological-safety version 1" in out
    changed = tmp_path / "changed.yaml"
    changed.write_text(VALID.read_text().replace("Speaking up in your team", "Speaking up"))
    with pytest.raises(CommandError, match="already exists with different content"):
        run("import", str(changed), "--org", "TST1")
    assert InstrumentVersion.objects.for_org(trust["org"]).count() == 1


@pytest.mark.django_db
def test_builtin_import_and_list(trust):
    run("import", "--builtin", "--org", "TST1")
    out, _ = run("list", "--org", "TST1")
    assert "culture-pulse@1\tCulture pulse" in out
    assert len(out.splitlines()) == 6
    with pytest.raises(CommandError, match="no organisation with code NOPE"):
        run("list", "--org", "NOPE")


def test_validate_reports_deep_nesting_without_a_traceback(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("code: deep\nitems: " + "[" * 100_000 + "]" * 100_000 + "\n")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("instruments", "validate", str(deep), stdout=io.StringIO(), stderr=err)
    assert exited.value.code == 1
    assert "deep.yaml, line 2, yaml: nests lists and mappings more than 20 deep" in err.getvalue()
