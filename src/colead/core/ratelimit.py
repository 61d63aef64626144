"""Fixed-window limits on requests per client address, counted in Django's cache (shared
between processes with ``CACHE_BACKEND=database``).

The client address (``REMOTE_ADDR``: behind a proxy, the proxy's, which then makes a limit
one for everyone) is hashed with a salted HMAC and used only in the name of a cache entry that
expires with its window. It is never stored anywhere else or logged: the survey pages that
use this must not tie an address to a response (docs/privacy.md)."""

import time

from django.core.cache import cache
from django.utils.crypto import salted_hmac


def allow(request, *, scope: str, limit: int, window: int) -> tuple[bool, int]:
    """Count one more request in ``scope`` from this client. Returns (whether it is within
    ``limit`` for the current ``window``-second window, seconds until that window ends)."""
    now = time.time()
    client = salted_hmac("colead.rate-limit", request.META.get("REMOTE_ADDR", ""))
    key = f"ratelimit:{scope}:{client.hexdigest()[:20]}:{int(now // window)}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window + 5)
        count = 1
    return count <= limit, max(1, int(window - now % window))
