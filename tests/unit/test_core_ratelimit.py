from types import SimpleNamespace

import pytest
from django.core.cache import cache

from colead.core import ratelimit


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def client(address):
    return SimpleNamespace(META={"REMOTE_ADDR": address})


def test_a_window_allows_the_limit_per_client_and_scope(monkeypatch):
    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_000_050.0)  # 30 s into a window
    answers = [ratelimit.allow(client("10.0.0.1"), scope="s", limit=3, window=60) for _ in range(4)]
    assert answers == [(True, 30), (True, 30), (True, 30), (False, 30)]
    assert ratelimit.allow(client("10.0.0.2"), scope="s", limit=3, window=60)[0]
    assert ratelimit.allow(client("10.0.0.1"), scope="other", limit=3, window=60)[0]
    # The next window starts afresh.
    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_000_100.0)  # 20 s into the next
    assert ratelimit.allow(client("10.0.0.1"), scope="s", limit=3, window=60) == (True, 40)


def test_the_address_is_not_in_the_cache_key(monkeypatch):
    seen = []
    real_add = cache.add
    monkeypatch.setattr(
        cache, "add", lambda key, *a, **k: seen.append(key) or real_add(key, *a, **k)
    )
    ratelimit.allow(client("192.168.7.9"), scope="s", limit=1, window=60)
    assert seen and "192.168.7.9" not in seen[0]
