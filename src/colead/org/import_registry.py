"""The kinds of file ``colead import`` takes, registered by the apps that own them.

org is the ground floor: surveys, direction and the modules to come (incidents, posts,
network ties, indicators) stand on it, so org must not import them. Each app registers its
import kinds in its ``AppConfig.ready()``; the command (``org/management/commands/import.py``)
only lists and dispatches what is registered::

    from colead.org import import_registry

    import_registry.register(
        import_registry.ImportKind(
            name="objectives",
            help="Objectives: objective_code,title,... (one line for `colead import -h`).",
            description="What the import does, for `colead import objectives -h`.",
            add_arguments=add_objectives_arguments,  # (parser) -> None; FILE is added for you
            handle=import_objectives_file,  # (command, path, content, options, actor) -> None
        )
    )

The command passes the ``actor`` to write as (``Actor.system("cli")``), for the handler to
hand to its service. A handler writes to ``command.stdout``/``command.stderr``, raises ``CommandError`` for a
usage problem, and raises ``colead.org.services.ImportRejected`` for problems in the file:
the command prints each problem on stderr and exits with status 1, whatever the kind.
Plain Python (argparse only), so that registering a kind costs nothing at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ImportKind", "get", "kinds", "register", "unregister"]


@dataclass(frozen=True)
class ImportKind:
    """One kind of file for ``colead import KIND FILE ...``."""

    name: str
    help: str
    description: str
    add_arguments: Callable[[Any], None]
    handle: Callable[[Any, Path, bytes, Mapping[str, Any], Any], None]
    order: int = 100
    """Where the kind comes in ``colead import -h`` (then by name), so the list does not
    depend on the order the apps happen to be loaded in."""


_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> None:
    """Add a kind. Registering the same kind again (``ready()`` can run twice in tests)
    replaces it; two different kinds under one name is a programming error."""
    if not kind.name or not kind.name.replace("-", "").isalnum() or kind.name != kind.name.lower():
        raise ValueError(f"import kind names are lower-case words, not {kind.name!r}")
    old = _KINDS.get(kind.name)
    if old is not None and old.handle is not kind.handle:
        qual = getattr(old.handle, "__module__", "?")
        raise ValueError(f"the import kind {kind.name!r} is already registered by {qual}")
    _KINDS[kind.name] = kind


def unregister(name: str) -> None:
    """Remove a kind (for tests that register one of their own)."""
    _KINDS.pop(name, None)


def kinds() -> list[ImportKind]:
    """Every registered kind, in the order ``colead import -h`` lists them."""
    return sorted(_KINDS.values(), key=lambda kind: (kind.order, kind.name))


def get(name: str) -> ImportKind:
    try:
        return _KINDS[name]
    except KeyError:
        known = ", ".join(kind.name for kind in kinds()) or "none"
        raise KeyError(f"no import kind {name!r} is registered (known: {known})") from None
