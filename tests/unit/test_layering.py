"""The house has floors: org is the ground floor that every domain app stands on, and
colead.privacy is plain computation under all of them. These tests read every module's
imports (the AST, so imports inside functions count too) and fail on an upward one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "colead"

ABOVE_ORG = ("colead.surveys", "colead.insights", "colead.direction", "colead.api", "colead.demo")


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import in a file, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found.append((node.lineno, base))
            found.extend((node.lineno, f"{base}.{alias.name}") for alias in node.names)
    return found


def offending(folder: str, forbidden) -> list[str]:
    bad = []
    for path in sorted((SRC / folder).rglob("*.py")):
        for line, module in imported_modules(path):
            if forbidden(module):
                bad.append(f"{path.relative_to(SRC.parent)}:{line} imports {module}")
    return bad


def _within(module: str, packages) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def test_org_imports_no_app_above_it():
    bad = offending("org", lambda module: _within(module, ABOVE_ORG))
    assert bad == [], "org is the ground floor; register an import kind instead:\n" + "\n".join(bad)


def test_privacy_imports_neither_django_nor_any_colead_app():
    def forbidden(module: str) -> bool:
        if _within(module, ("django",)):
            return True
        return module.startswith("colead") and not _within(module, ("colead.privacy",))

    bad = offending("privacy", forbidden)
    assert bad == [], "colead.privacy must stay plain computation:\n" + "\n".join(bad)


@pytest.mark.parametrize(
    ("source", "caught"),
    [
        ("from colead.surveys.models import Wave\n", True),
        ("def f():\n    import colead.direction.services\n", True),
        ("from colead import insights\n", True),
        ("from ..surveys import imports\n", True),
        ("from colead.org import reference\n", False),
        ("from .import_registry import register\n", False),
    ],
)
def test_the_check_sees_every_form_of_import(tmp_path, monkeypatch, source, caught):
    """The AST walk catches imports inside functions, `from colead import app` and relative
    imports, so the two tests above cannot pass by the form of an import."""
    fake = tmp_path / "colead"
    (fake / "org").mkdir(parents=True)
    (fake / "org" / "module.py").write_text(source, encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.SRC", fake)
    assert bool(offending("org", lambda module: _within(module, ABOVE_ORG))) is caught
