"""Tests of the repository's own content: pins that must move together."""

import json
import re
import tomllib
from importlib.metadata import metadata, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _package_json():
    return json.loads((ROOT / "package.json").read_text())


def _pinned_jinja_version() -> str:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    for requirement in pyproject["project"]["dependencies"]:
        match = re.fullmatch(r"nhsuk-frontend-jinja==([\d.]+)", requirement)
        if match:
            return match.group(1)
    raise AssertionError("pyproject.toml must pin nhsuk-frontend-jinja with ==")


def _compatibility_table() -> dict[str, str]:
    """nhsuk-frontend version -> nhsuk-frontend-jinja version, from the installed
    package's own README (its compatibility table)."""
    readme = metadata("nhsuk-frontend-jinja").get_payload()
    return dict(re.findall(r"^\|\s*(\d+\.\d+\.\d+)\s*\|\s*(\d+\.\d+\.\d+)\s*\|", readme, re.M))


def test_nhsuk_frontend_npm_version_is_pinned_exactly():
    pinned = _package_json()["dependencies"]["nhsuk-frontend"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), "pin nhsuk-frontend exactly (no ^ or ~)"


def test_nhsuk_frontend_and_jinja_port_are_a_compatible_pair():
    npm_version = _package_json()["dependencies"]["nhsuk-frontend"]
    jinja_version = _pinned_jinja_version()
    table = _compatibility_table()
    assert table, "could not read the compatibility table from nhsuk-frontend-jinja's README"
    assert table.get(npm_version) == jinja_version, (
        f"nhsuk-frontend {npm_version} needs nhsuk-frontend-jinja {table.get(npm_version)}, "
        f"but pyproject.toml pins {jinja_version}"
    )


def test_installed_versions_match_the_pins():
    assert version("nhsuk-frontend-jinja") == _pinned_jinja_version()
    lock = json.loads((ROOT / "package-lock.json").read_text())
    locked = lock["packages"]["node_modules/nhsuk-frontend"]["version"]
    assert locked == _package_json()["dependencies"]["nhsuk-frontend"]


def test_ci_runs_the_readme_test_command_on_both_databases():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make demo" in readme
    assert ci.count("make test") >= 2
    assert "DATABASE_URL=postgres" in ci
