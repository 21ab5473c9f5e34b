import logging

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from kslive_site import health

logger = logging.getLogger(__name__)


def home(request):
    return render(request, "home.html")


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
    report["status"] = "ok" if healthy else "unhealthy"
    return JsonResponse(report, status=200 if healthy else 503)
