from celery import shared_task

import kuaishou
from kuaishou_app import calls, status
from kuaishou_app.models import AppStatus

# Made-up values: Kuaishou refuses them for what they are (a bad grant, an unknown token)
# only after our app itself has passed, which is all a check needs to know.
CHECK_VALUE = "kslive-app-check"


# Limits: one call of at most KUAISHOU_CONNECT_TIMEOUT + KUAISHOU_TIMEOUT (35 s), beat sends it every 60 s.
@shared_task(ignore_result=True, soft_time_limit=45, time_limit=55)
def check_rejected_app() -> None:
    """Beat: while Kuaishou rejects our app, ask again, so a fixed configuration clears by itself."""
    rejected = status.problem()
    if rejected is not None:
        check_app(rejected.family)


# Limits: the same one call; queued when a consent page sends a browser back with an app error.
@shared_task(ignore_result=True, soft_time_limit=45, time_limit=55)
def check_app(family: str) -> None:
    """Ask Kuaishou whether it accepts our app on one endpoint family; calls.call records the answer."""
    try:
        if family == AppStatus.Family.OAUTH:
            calls.call(kuaishou.refresh_access_token, refresh_token=CHECK_VALUE)
        else:
            calls.call(kuaishou.get_live_status, access_token=CHECK_VALUE, live_stream_name=CHECK_VALUE)
    except kuaishou.KuaishouError:
        pass  # recorded by calls.call either way
