"""Unit trees as their materialised paths: which units lie inside which.

A unit's ``path`` (org.models.Unit) is its ancestors' zero-padded ids and its own, root
first, each ending in a slash: "/00000001/00000007/". Every segment has the same width and
ends in "/", so a unit lies inside another (or is it) exactly when its path starts with the
other's: no id is a prefix of another id."""

from collections.abc import Callable, Iterable
from typing import TypeVar

Item = TypeVar("Item")


def is_within(path: str, ancestor_path: str) -> bool:
    """The unit at ``path`` is the unit at ``ancestor_path`` or lies below it."""
    return path.startswith(ancestor_path)


def within_any(path: str, ancestor_paths: Iterable[str]) -> bool:
    """The unit at ``path`` lies in (or is) one of the subtrees at ``ancestor_paths``."""
    return any(path.startswith(ancestor) for ancestor in ancestor_paths)


def overlap(paths_a: Iterable[str], paths_b: Iterable[str]) -> bool:
    """Some unit of one tree is in the other: one of ``paths_a`` lies in one of ``paths_b``
    or contains it (a wave for a division and a manager of one of its wards overlap)."""
    paths_b = tuple(paths_b)
    return any(a.startswith(b) or b.startswith(a) for a in paths_a for b in paths_b)


def outermost(items: Iterable[Item], *, path: Callable[[Item], str] | None = None) -> list[Item]:
    """The items not inside another of them (a manager of a division and of one of its
    wards covers the division once), in path order, one per path. ``path`` gives an item's
    path (units: ``lambda unit: unit.path``); without it the items are paths."""
    path_of = path or (lambda item: item)
    by_path = {path_of(item): item for item in items}
    kept: list[str] = []
    for candidate in sorted(by_path):
        # Sorted, an ancestor comes before everything below it: checking the last kept
        # path is enough.
        if not kept or not candidate.startswith(kept[-1]):
            kept.append(candidate)
    return [by_path[kept_path] for kept_path in kept]
