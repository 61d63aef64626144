"""The demo app is installed in development and test only: `make demo` can build a demo, and
a production server refuses `colead demo`, saying why and where a demo can be built."""

import os
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "COLEAD_ENV": "production",
    "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-value-0123456789",
    "ALLOWED_HOSTS": "colead.example.nhs.uk",
    "COLEAD_BASE_URL": "https://colead.example.nhs.uk",
}
INSTALLED = "from django.conf import settings; print('colead.demo' in settings.INSTALLED_APPS)"


def _colead(args, env_overrides, tmp_path):
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"SECRET_KEY", "COLEAD_ENV", "ALLOWED_HOSTS", "DATABASE_URL", "COLEAD_DEMO"}
    }
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
            "COLEAD_SECRET_KEY_FILE": str(tmp_path / "key"),
            **env_overrides,
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "colead", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )


def test_production_refuses_the_demo_saying_why_and_how_to_build_one(tmp_path):
    result = _colead(["demo", "--no-serve"], PRODUCTION, tmp_path)
    assert result.returncode != 0
    assert "the demo is not installed here (COLEAD_ENV=production" in result.stderr
    assert "`make demo`" in result.stderr
    assert "Unknown command" not in result.stderr
    assert not (tmp_path / "x.sqlite3").exists()  # refused before touching a database
    installed = _colead(["shell", "--no-imports", "-c", INSTALLED], PRODUCTION, tmp_path)
    assert installed.stdout.strip() == "False", installed.stderr


def test_make_demo_runs_the_command_where_it_is_installed(tmp_path):
    def make_demo(*variables):
        dry_run = subprocess.run(
            ["make", "-n", "demo", *variables],
            cwd=REPOSITORY,
            capture_output=True,
            text=True,
            timeout=60,
        )
        (command,) = [line for line in dry_run.stdout.splitlines() if "colead demo" in line]
        return command

    command = make_demo()
    assert command.endswith("/colead demo --port 8000")
    assert "COLEAD_ENV" not in command  # so the settings' default, development, applies
    assert make_demo("PORT=8080").endswith("/colead demo --port 8080")
    result = _colead(["demo", "--help"], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "--rebuild" in result.stdout


def test_the_demo_can_be_left_out_or_put_in_explicitly(tmp_path):
    left_out = _colead(["demo", "--help"], {"COLEAD_DEMO": "false"}, tmp_path)
    assert left_out.returncode != 0
    assert "the demo is not installed here (COLEAD_ENV=development" in left_out.stderr
    put_in = _colead(
        ["shell", "--no-imports", "-c", INSTALLED], {**PRODUCTION, "COLEAD_DEMO": "true"}, tmp_path
    )
    assert put_in.stdout.strip() == "True", put_in.stderr
    # Installed, it still never runs against a production database.
    refused = _colead(["demo", "--no-serve"], {**PRODUCTION, "COLEAD_DEMO": "true"}, tmp_path)
    assert "The demo never runs with COLEAD_ENV=production." in refused.stderr
