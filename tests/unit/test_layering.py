"""The house has floors, declared once in .importlinter and checked by `lint-imports` (run
by `make lint`, so by `make test` and CI). These tests prove the contracts bite: each plants
one forbidden import in a copy of the source and expects lint-imports to fail on it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(source_root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(ROOT / ".importlinter")],
        cwd=source_root,
        env={"PYTHONPATH": str(source_root / "src"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def source_copy(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("house")
    shutil.copytree(
        ROOT / "src" / "colead",
        copy / "src" / "colead",
        ignore=shutil.ignore_patterns("__pycache__", "migrations", "jinja2", "data"),
    )
    return copy


def test_the_house_keeps_every_contract(source_copy):
    done = lint_imports(source_copy)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "planted", "broken"),
    [
        # An upward import at the top of a module...
        ("org/models.py", "from colead.surveys.models import Wave\n", "lower floors"),
        # ...inside a function (the cycles of old hid there)...
        ("surveys/services.py", "def f():\n    import colead.insights.services\n", "lower"),
        # ...or in the `from colead import app` form.
        ("audit/services.py", "from colead import accounts\n", "lower floors"),
        # Django in the plain packages, directly or by a chain through an app.
        ("lib/table.py", "import django.db\n", "Plain computation"),
        ("privacy/figures.py", "from colead.org import models\n", "lower floors"),
        ("insights/scoring.py", "import django.conf\n", "pure modules"),
        # The API calls the read and write layers, never a page's view.
        ("api/units.py", "from colead.org.views import structure\n", "view module"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(source_copy, module, planted, broken):
    path = source_copy / "src" / "colead" / module
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(original + "\n" + planted, encoding="utf-8")
        done = lint_imports(source_copy)
    finally:
        path.write_text(original, encoding="utf-8")
    assert done.returncode != 0, done.stdout
    broken_lines = [line for line in done.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(broken in line for line in broken_lines), done.stdout
