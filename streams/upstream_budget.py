"""Shared limits on how hard we call Kuaishou, kept in the cache so every worker sees them."""

import time

from django.conf import settings
from django.core.cache import cache

BACKOFF_KEY = "kuaishou:backoff"
MAX_BACKOFF = 300


def backoff_remaining() -> float:
    """Return how many seconds every poll should still wait after a rate limit (400002)."""
    state = cache.get(BACKOFF_KEY)
    return max(0.0, state["until"] - time.time()) if state else 0.0


def backoff_trigger() -> float:
    """Record a rate limit: double the shared pause (5 s, 10 s, … up to 5 min); return it."""
    state = cache.get(BACKOFF_KEY) or {"level": 0}
    pause = min(MAX_BACKOFF, 5 * 2 ** state["level"])
    cache.set(BACKOFF_KEY, {"level": state["level"] + 1, "until": time.time() + pause}, MAX_BACKOFF * 2)
    return pause


def backoff_clear() -> None:
    if cache.get(BACKOFF_KEY):
        cache.delete(BACKOFF_KEY)


def budget_take(wanted: int) -> int:
    """Take up to `wanted` status calls from this minute's budget; return how many were granted."""
    if wanted <= 0:
        return 0
    key = f"kuaishou:status-calls:{int(time.time() // 60)}"
    cache.add(key, 0, 120)
    try:
        used = cache.incr(key, wanted)
    except ValueError:  # expired between add and incr
        cache.set(key, wanted, 120)
        used = wanted
    over = max(0, used - settings.KUAISHOU_STATUS_CALLS_PER_MINUTE)
    return max(0, wanted - over)
