"""Shared limits on how hard we call Kuaishou, kept in the cache so every worker sees them."""

import math
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


def _take(key: str, wanted: int, limit: int, ttl: int) -> int:
    cache.add(key, 0, ttl)
    try:
        used = cache.incr(key, wanted)
    except ValueError:  # expired between add and incr
        cache.set(key, wanted, ttl)
        used = wanted
    granted = max(0, wanted - max(0, used - limit))
    if granted < wanted:
        _give_back(key, wanted - granted)  # what was refused stays free for the next taker
    return granted


def _keys(at: float) -> tuple[str, str]:
    return f"kuaishou:status-calls:s:{int(at)}", f"kuaishou:status-calls:m:{int(at // 60)}"


def budget_take(wanted: int, *, at: float | None = None) -> int:
    """Take up to `wanted` status calls from this second's and this minute's budget; return how
    many were granted.

    No second takes more than twice its share of the minute, so a backlog is spread over the
    minute instead of spending the whole budget in a burst at its start.
    """
    if wanted <= 0:
        return 0
    at = time.time() if at is None else at
    per_minute = settings.KUAISHOU_STATUS_CALLS_PER_MINUTE
    second, minute = _keys(at)
    granted = _take(second, wanted, max(1, math.ceil(per_minute / 30)), ttl=10)
    if not granted:
        return 0
    in_minute = _take(minute, granted, per_minute, ttl=120)
    if in_minute < granted:
        _give_back(second, granted - in_minute)
    return in_minute


def budget_return(unused: int, *, at: float) -> None:
    """Give back calls taken at `at` (by budget_take) that were not made."""
    if unused > 0:
        for key in _keys(at):
            _give_back(key, unused)


def _give_back(key: str, count: int) -> None:
    try:
        cache.decr(key, count)
    except ValueError:
        pass  # the window is over: nothing to give back to
