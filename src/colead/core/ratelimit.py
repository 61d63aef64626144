"""Fixed-window limits on requests per client address, counted in Django's cache (shared
between processes with ``CACHE_BACKEND=database``).

The client address (``REMOTE_ADDR``: behind a proxy, the proxy's, which then makes a limit
one for everyone) is hashed with a salted HMAC and used only in the name of a cache entry that
expires with its window. It is never stored anywhere else or logged: the survey pages that
use this must not tie an address to a response (docs/privacy.md)."""

import time

from django.core.cache import cache
from django.utils.crypto import salted_hmac


def _key(request, scope: str, window: int, now: float) -> str:
    client = salted_hmac("colead.rate-limit", request.META.get("REMOTE_ADDR", ""))
    return f"ratelimit:{scope}:{client.hexdigest()[:20]}:{int(now // window)}"


def counted(request, *, scope: str, window: int) -> int:
    """How many this client has counted in ``scope`` in the current window (not counting
    this request)."""
    return cache.get(_key(request, scope, window, time.time()), 0)


def allow(request, *, scope: str, limit: int, window: int) -> tuple[bool, int]:
    """Count one more request in ``scope`` from this client. Returns (whether it is within
    ``limit`` for the current ``window``-second window, seconds until that window ends)."""
    now = time.time()
    key = _key(request, scope, window, now)
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window + 5)
        count = 1
    return count <= limit, max(1, int(window - now % window))
