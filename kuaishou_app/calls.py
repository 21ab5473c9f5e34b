"""The one way to call Kuaishou: with our app's credentials, within the request's deadline,
noting whether Kuaishou accepts the app."""

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection
from django.views.decorators.debug import sensitive_variables

import kuaishou
from kuaishou_app import deadline, status
from kuaishou_app.models import AppStatus

logger = logging.getLogger(__name__)
T = TypeVar("T")
Family = AppStatus.Family

FAMILIES: dict[Callable[..., Any], str] = {
    kuaishou.exchange_code: Family.OAUTH,
    kuaishou.refresh_access_token: Family.OAUTH,
    kuaishou.get_user_info: Family.OAUTH,
    kuaishou.get_push_url: Family.LIVE,
    kuaishou.stop_push: Family.LIVE,
    kuaishou.get_live_status: Family.LIVE,
}
# Less than this left of the deadline: not worth starting a call.
MIN_CALL_SECONDS = 0.5

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


class StillWaiting(Exception):
    """The request's deadline passed while Kuaishou was still answering; the answer will be
    handed to the `on_late` callback when it comes."""


def app_credentials(*, read_timeout: float | None = None, connect_timeout: float | None = None) -> kuaishou.AppCredentials:
    """Return our app's Kuaishou credentials and endpoint from settings."""
    return kuaishou.AppCredentials(
        app_id=settings.KUAISHOU_APP_ID,
        app_secret=settings.KUAISHOU_APP_SECRET,
        biz_id=settings.KUAISHOU_BIZ_ID,
        base_url=settings.KUAISHOU_OPEN_BASE,
        timeout=(
            connect_timeout if connect_timeout is not None else settings.KUAISHOU_CONNECT_TIMEOUT,
            read_timeout if read_timeout is not None else settings.KUAISHOU_TIMEOUT,
        ),
    )


@sensitive_variables()
def call(endpoint: Callable[..., T], /, *, on_late: "Callable[[Future[T]], None] | None" = None, **arguments: Any) -> T:
    """Call one client function (e.g. kuaishou.stop_push) with our app; return its result.

    Within a request's deadline the call's timeouts shrink to what is left. A call whose
    answer must not be lost (`on_late`: a push URL, rotated tokens) runs in a background
    thread with its full timeout instead: when the deadline passes first, this raises
    StillWaiting and `on_late(future)` gets the answer when it comes.

    An operator's fault (our app refused, a wrong base URL) is recorded for /healthz and the
    admin; any answer that judged something other than the app proves the app is accepted.
    """
    family = FAMILIES[endpoint]
    left = deadline.remaining()
    if left is not None and left < MIN_CALL_SECONDS:
        raise kuaishou.TransportError(f"no time left to call {endpoint.__name__} before the request's deadline")
    if left is None or on_late is None:
        timeouts = {} if left is None else _within(left)
        return _noted(family, lambda: endpoint(app_credentials(**timeouts), **arguments))
    future = _background().submit(endpoint, app_credentials(), **arguments)
    try:
        future.result(timeout=left)
    except FutureTimeout:
        future.add_done_callback(lambda done: _late(family, done, on_late))
        raise StillWaiting(f"{endpoint.__name__} is still waiting for Kuaishou") from None
    except kuaishou.KuaishouError:
        pass  # noted and raised just below
    return _noted(family, future.result)


def _within(left: float) -> dict[str, float]:
    """Return connect and read timeouts that add up to no more than the `left` seconds."""
    # Connecting and reading each wait their own timeout, one after the other: capped each at what
    # is left, a call could take twice that. Half of it at most for connecting leaves the reply time.
    connect = min(settings.KUAISHOU_CONNECT_TIMEOUT, left / 2)
    return {"connect_timeout": connect, "read_timeout": min(settings.KUAISHOU_TIMEOUT, left - connect)}


def _noted(family: str, answer: Callable[[], T]) -> T:
    try:
        result = answer()
    except kuaishou.KuaishouError as exc:
        if exc.blame is kuaishou.Blame.OPERATOR:
            status.app_rejected(family=family, error=exc)
        elif exc.result is not None:
            status.app_accepted(family=family)
        raise
    status.app_accepted(family=family)
    return result


def _late(family: str, future: "Future[T]", on_late: "Callable[[Future[T]], None]") -> None:
    """Run in the background thread once a late answer is in: note it, then hand it over."""
    try:
        try:
            _noted(family, future.result)
        except kuaishou.KuaishouError:
            pass
        on_late(future)
    except Exception:
        # Nobody waits for this thread: whatever went wrong must at least be on record.
        logger.exception("Handling Kuaishou's late answer failed")
    finally:
        connection.close()


def _background() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=settings.KUAISHOU_BACKGROUND_CALLS, thread_name_prefix="kuaishou-call"
            )
        return _executor
