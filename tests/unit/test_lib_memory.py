"""colead.lib.memory: the small LRU behind the results and direction caches, and the one
registry every process-level cache is declared in."""

import pytest

from colead.lib import memory
from colead.lib.memory import Recent


def test_the_least_recently_used_value_goes_first():
    recent = Recent(2)
    assert recent.put("a", 1) == 1
    recent.put("b", 2)
    assert recent.get("a") == 1  # "a" is now the most recent
    recent.put("c", 3)
    assert recent.keys() == ["a", "c"] and recent.get("b") is None
    recent.put("a", 10)  # replacing keeps one entry
    assert len(recent) == 2 and recent.get("a") == 10
    recent.clear()
    assert len(recent) == 0 and recent.get("a", "gone") == "gone"


@pytest.fixture
def own_registry(monkeypatch):
    """The process's registry stays as it was: these tests declare caches of their own."""
    monkeypatch.setattr(memory, "_REGISTRY", {})


def test_clear_all_empties_every_declared_kind_of_cache(own_registry):
    calls = []

    @memory.cached
    def square(number):
        calls.append(number)
        return number * number

    recent = memory.recent(2, "test: recent")
    plain = memory.register({}, "test: dict")
    square(3)
    recent.put("a", 1)
    plain["b"] = 2
    assert memory.registered()[f"{__name__}.{square.__qualname__}"] is square
    memory.clear_all()
    square(3)
    assert calls == [3, 3] and len(recent) == 0 and plain == {}


def test_a_cache_that_cannot_be_cleared_is_refused_with_what_to_declare(own_registry):
    with pytest.raises(TypeError, match="declare a Recent, a dict or a function"):
        memory.register(object(), "test: unclearable")
    assert "test: unclearable" not in memory.registered()


def test_cached_keeps_the_bound_it_is_given(own_registry):
    @memory.cached(maxsize=1)
    def double(number):
        return number * 2

    double(1), double(2)
    assert double.cache_info().currsize == 1 and double.cache_info().maxsize == 1
