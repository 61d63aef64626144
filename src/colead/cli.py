"""The `colead` command: our own subcommands, and every Django management command."""

import os
import sys

DEMO_NOT_INSTALLED = (
    "colead demo: the demo is not installed here (COLEAD_ENV={env}; it is installed only "
    "in development and test, or with COLEAD_DEMO=true), so that no production server has "
    "a command that empties its database. Build a demo from a checkout instead: `make demo`, "
    "or `COLEAD_ENV=development colead demo` with a DATABASE_URL of its own."
)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "colead.config.settings")
    from django.core.management import execute_from_command_line

    if args[:1] == ["demo"]:
        _refuse_the_demo_unless_installed()
    execute_from_command_line(["colead", *args])


def _refuse_the_demo_unless_installed() -> None:
    """Django would only say "Unknown command": say why, and where a demo can be built."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        installed = "colead.demo" in settings.INSTALLED_APPS
    except ImproperlyConfigured:
        return  # Django reports the settings' problem itself
    if not installed:
        sys.exit(DEMO_NOT_INSTALLED.format(env=settings.COLEAD_ENV))


if __name__ == "__main__":
    main()
