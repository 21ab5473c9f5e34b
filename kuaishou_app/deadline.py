"""One total deadline for everything a web request asks of Kuaishou.

A request that calls Kuaishou may make several calls (a token refresh, the call, a retry):
their timeouts shrink to fit what is left, so a slow Kuaishou gives the person a clear
"try again" long before the web server's worker timeout. Celery tasks set no deadline;
there each call's own timeout is the bound.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_deadline: ContextVar[float | None] = ContextVar("kuaishou_deadline", default=None)


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Give everything called inside at most `seconds` of Kuaishou's time in total."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining() -> float | None:
    """Return the seconds left before the deadline (may be negative), or None without one."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()
