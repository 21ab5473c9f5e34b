"""The one way to call Kuaishou: with our app's credentials, noting whether Kuaishou accepts the app."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings

import kuaishou
from kuaishou_app import status
from kuaishou_app.models import AppStatus

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


def app_credentials() -> kuaishou.AppCredentials:
    """Return our app's Kuaishou credentials and endpoint from settings."""
    return kuaishou.AppCredentials(
        app_id=settings.KUAISHOU_APP_ID,
        app_secret=settings.KUAISHOU_APP_SECRET,
        biz_id=settings.KUAISHOU_BIZ_ID,
        base_url=settings.KUAISHOU_OPEN_BASE,
        timeout=(5, settings.KUAISHOU_TIMEOUT),
    )


def call(endpoint: Callable[..., T], /, **arguments: Any) -> T:
    """Call one client function (e.g. kuaishou.stop_push) with our app; return its result.

    An operator's fault (our app refused, a wrong base URL) is recorded for /healthz and the
    admin; any answer that judged something other than the app proves the app is accepted.
    """
    family = FAMILIES[endpoint]
    try:
        result = endpoint(app_credentials(), **arguments)
    except kuaishou.KuaishouError as exc:
        if exc.blame is kuaishou.Blame.OPERATOR:
            status.app_rejected(family=family, error=exc)
        elif exc.result is not None:
            status.app_accepted(family=family)
        raise
    status.app_accepted(family=family)
    return result
