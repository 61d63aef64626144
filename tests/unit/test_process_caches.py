"""Every process-level cache is declared in colead.lib.memory, so that one call
(``memory.clear_all()``, made before each test) empties them all. A cache made another way
(functools.lru_cache, a bare Recent, a module dict filled as it goes) fails here."""

import functools
import importlib
import inspect
import pkgutil

import colead
from colead.lib import memory

# Modules that start a server or the command line when imported, and migrations (data,
# never caches).
SKIPPED = (".wsgi", ".asgi", ".__main__")


def _modules():
    for info in pkgutil.walk_packages(colead.__path__, "colead."):
        if info.name.endswith(SKIPPED) or ".migrations" in info.name:
            continue
        yield importlib.import_module(info.name)


def _caches_in(module):
    """(where, object) for the module's lru_cache wrappers and Recent memories, at module
    level and on its classes, and its module-level containers left empty after import
    (a private dict filled as the process goes is a memo)."""
    for name, value in vars(module).items():
        where = f"{module.__name__}.{name}"
        if isinstance(value, functools._lru_cache_wrapper | memory.Recent):
            yield where, value
        elif isinstance(value, dict | set | list) and not value and name[:1] == "_" != name[1:2]:
            yield where, value
        elif inspect.isclass(value) and value.__module__ == module.__name__:
            for attribute, member in vars(value).items():
                if isinstance(member, functools._lru_cache_wrapper | memory.Recent):
                    yield f"{where}.{attribute}", member


def test_every_process_level_cache_is_declared_in_the_registry():
    found = {}
    for module in _modules():
        for where, cache in _caches_in(module):
            if getattr(cache, "__module__", module.__name__).startswith("colead"):
                found.setdefault(id(cache), (where, cache))
    declared = {id(cache) for cache in memory.registered().values()}
    undeclared = sorted(where for key, (where, _cache) in found.items() if key not in declared)
    assert not undeclared, (
        "Process-level caches not declared in colead.lib.memory (so the tests cannot empty "
        "them): use memory.cached, memory.recent or memory.register for " + ", ".join(undeclared)
    )
    # The walk does find the kinds it looks for, so an empty result means something.
    assert len(found) >= 20


def test_clear_all_empties_the_caches_the_apps_declare():
    from colead.insights import themes
    from colead.org import reference

    reference.bands()
    themes.lexicon()
    assert reference.bands.cache_info().currsize == 1
    memory.clear_all()
    assert reference.bands.cache_info().currsize == 0
    assert themes.lexicon.cache_info().currsize == 0
