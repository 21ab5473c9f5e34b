"""Waiting for something another process or thread does, without guessing how long it takes."""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(check: Callable[[], T], *, timeout: float, interval: float = 0.05) -> T:
    """Call `check` until it returns something true, and return that; past `timeout` seconds,
    return its last (false) answer, for the caller to fail with what it knows."""
    deadline = time.monotonic() + timeout
    while True:
        answer = check()
        if answer or time.monotonic() > deadline:
            return answer
        time.sleep(interval)
