import logging

from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from kslive_site import health
from kuaishou_app import status as app_status
from relay import services as relay_services

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    checks = {"database": health.check_database, "broker": health.check_broker}
    report, healthy = {}, True
    for name, check in checks.items():
        try:
            check()
            report[name] = "ok"
        except Exception as exc:
            logger.warning("healthz: %s unreachable: %s", name, type(exc).__name__)
            report[name] = "unreachable"
            healthy = False
    # Kuaishou being down is nobody's fault here; Kuaishou rejecting our app is the operator's.
    rejected = app_status.problem() if report.get("database") == "ok" else None
    report["kuaishou"] = rejected.problem if rejected else "ok"
    healthy = healthy and rejected is None
    # Relay sessions need their host's agent (python -m relay.agent), which beats every second.
    dead = relay_services.agents_dead() if report.get("database") == "ok" else []
    report["relay"] = f"agent down on {', '.join(dead)}" if dead else "ok"
    healthy = healthy and not dead
    report["status"] = "ok" if healthy else "unhealthy"
    response = JsonResponse(report, status=200 if healthy else 503)
    if rejected is not None and all(report[name] == "ok" for name in (*checks, "relay")):
        # Only Kuaishou's rejection of our app: kuaishou_app.status logged it at ERROR once, when
        # it started; django.request must not log it again for every probe meanwhile.
        response._has_been_logged = True
    return response
