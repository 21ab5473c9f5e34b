"""Whether Kuaishou accepts our app: flagged by an operator's fault, cleared by the next good answer."""

import logging
import time

from django.db.models import Q
from django.utils import timezone

import kuaishou
from kuaishou_app.models import AppStatus

logger = logging.getLogger(__name__)
ROW = 1
# A good answer clears the flag; checking for one at most this often per process keeps a
# busy worker from spending a query on every successful call.
CLEAR_CHECK_INTERVAL = 10.0
_last_clear_check: dict[str, float] = {}


def current() -> AppStatus:
    """Return the app's status row (created on first use)."""
    return AppStatus.objects.get_or_create(pk=ROW)[0]


def problem() -> AppStatus | None:
    """Return the status while Kuaishou rejects our app, else None."""
    return AppStatus.objects.filter(pk=ROW).exclude(problem="").first()


def app_rejected(*, family: str, error: kuaishou.KuaishouError) -> None:
    """Record that Kuaishou refused our app; log it at ERROR once, when it starts."""
    now = timezone.now()
    fields = {
        "last_seen_at": now,
        "result": error.result,
        "http_status": getattr(error, "http_status", None),
        "host_name": (error.host_name or "")[:100],
        "detail": error.message[:300],
    }
    current()
    # Conditional update: of all processes that meet the fault, exactly one starts the problem
    # and logs it; the others only note that it goes on.
    started = AppStatus.objects.filter(pk=ROW, problem="").update(
        problem=AppStatus.Problem.APP_REJECTED, family=family, since=now, **fields
    )
    _last_clear_check.pop(family, None)
    if started:
        logger.error(
            "Kuaishou rejects kslive's app on the %s endpoints: %s (result %s, HTTP %s, server %s). "
            "Check KUAISHOU_APP_ID, KUAISHOU_APP_SECRET, KUAISHOU_BIZ_ID and KUAISHOU_OPEN_BASE; "
            "nobody is asked to reconnect meanwhile.",
            family, error.message, error.result, fields["http_status"], error.host_name or "?",
        )
    else:
        AppStatus.objects.filter(pk=ROW).update(**fields)
        logger.info("Kuaishou still rejects kslive's app (%s): %s", family, error.message)


def app_accepted(*, family: str) -> None:
    """Clear a problem of this endpoint family: Kuaishou has just accepted the app there."""
    moment = time.monotonic()
    if moment - _last_clear_check.get(family, float("-inf")) < CLEAR_CHECK_INTERVAL:
        return
    _last_clear_check[family] = moment
    cleared = AppStatus.objects.filter(Q(pk=ROW), ~Q(problem=""), family=family).update(
        problem="", family="", since=None, result=None, http_status=None, host_name="", detail=""
    )
    if cleared:
        logger.warning("Kuaishou accepts kslive's app again on the %s endpoints.", family)
