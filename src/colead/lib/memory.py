"""Small per-process memories of recent results (scored waves, results tables, fitted
comment themes, an organisation's objectives, parsed instruments), shared by a worker's
threads.

Every process-level cache is declared here, through one registry, so that one call
(``clear_all``) forgets everything a process remembers: tests call it before each test,
and a test walks every colead module to check no cache was declared another way.

- ``recent(size, name)``: a bounded least-recently-used memory (``Recent``);
- ``cached`` / ``cached(maxsize=...)``: ``functools.lru_cache`` on a function;
- ``register(cache, name)``: anything else with ``clear()`` (a dict memo with its own rules).
"""

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

Cache = TypeVar("Cache")


class Recent:
    """Up to ``size`` values by key; the least recently used goes first. Thread-safe."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, default=None):
        with self._lock:
            value = self._items.get(key, default)
            if key in self._items:
                self._items.move_to_end(key)
            return value

    def put(self, key, value):
        """Keep ``value`` under ``key`` and return it."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def keys(self) -> list:
        """The keys, least recently used first."""
        with self._lock:
            return list(self._items)

    def __len__(self) -> int:
        return len(self._items)


# name -> the cache. Declaring a name again (a module reloaded) replaces the old cache.
_REGISTRY: dict[str, object] = {}
_REGISTRY_LOCK = threading.Lock()


def register(cache: Cache, name: str) -> Cache:
    """Declare ``cache`` (anything with ``clear()`` or ``cache_clear()``) as a process-level
    cache called ``name``, and return it."""
    if not callable(getattr(cache, "clear", None)) and not callable(
        getattr(cache, "cache_clear", None)
    ):
        raise TypeError(
            f"The cache {name!r} has no clear() or cache_clear(), so clear_all() could not "
            "empty it: declare a Recent, a dict or a function wrapped by memory.cached."
        )
    with _REGISTRY_LOCK:
        _REGISTRY[name] = cache
    return cache


def recent(size: int, name: str) -> Recent:
    """A registered ``Recent`` of at most ``size`` values."""
    return register(Recent(size), name)


def cached(function: Callable | None = None, *, maxsize: int | None = None):
    """``functools.lru_cache`` (unbounded unless ``maxsize``), registered under the function's
    module and name. Use as ``@memory.cached`` or ``@memory.cached(maxsize=128)``."""

    def wrap(function: Callable):
        wrapper = functools.lru_cache(maxsize=maxsize)(function)
        return register(wrapper, f"{function.__module__}.{function.__qualname__}")

    return wrap if function is None else wrap(function)


def registered() -> dict[str, object]:
    """Every declared cache by name."""
    with _REGISTRY_LOCK:
        return dict(_REGISTRY)


def clear_all() -> None:
    """Forget everything every declared cache holds."""
    for cache in registered().values():
        clear = getattr(cache, "cache_clear", None) or cache.clear
        clear()
