"""colead.lib.memory.Recent: the small LRU behind the results and direction caches."""

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
