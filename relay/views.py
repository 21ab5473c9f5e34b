import hmac
import logging
from urllib.parse import parse_qsl

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

from relay import services
from relay.ingest import APPLICATION
from streams import selectors
from streams.services import GoLiveError

logger = logging.getLogger(__name__)
LOOPBACK = ("127.0.0.1", "::1")


def _from_ingest(request) -> bool:
    """Return whether a hook call comes from kslive's ingest: it carries the shared secret
    (production), or, without one, comes from this machine in development."""
    secret = settings.KSLIVE_RELAY_HOOK_SECRET
    if secret:
        return hmac.compare_digest(request.GET.get("secret", "").encode(), secret.encode())
    return settings.DEBUG and request.META.get("REMOTE_ADDR") in LOOPBACK


def _hook_params(request) -> dict:
    """Return the hook's form fields; nginx-rtmp sends the stream key's query as fields of its own."""
    params = request.POST.dict()
    name, _sep, query = params.get("name", "").partition("?")
    params["name"] = name
    for key, value in parse_qsl(query):
        params.setdefault(key, value)
    return params


@csrf_exempt
@require_POST
@sensitive_variables("params")
def on_publish(request):
    """Let an encoder publish to the ingest (2xx), or refuse it (4xx): nginx-rtmp drops it then."""
    if not _from_ingest(request):
        return HttpResponse("not the ingest", status=403, content_type="text/plain")
    params = _hook_params(request)
    if params.get("app") != APPLICATION:
        return HttpResponse("unknown application", status=404, content_type="text/plain")
    reason = services.encoder_publish(name=params.get("name", ""), key=params.get("key", ""),
                                      client_id=params.get("clientid", ""))
    if reason:
        logger.info("Ingest refused an encoder for stream %s: %s", params.get("name", "")[:32], reason)
        return HttpResponse(reason, status=403, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


@csrf_exempt
@require_POST
@sensitive_variables("params")
def on_publish_done(request):
    """Note that an encoder left the ingest."""
    if not _from_ingest(request):
        return HttpResponse("not the ingest", status=403, content_type="text/plain")
    params = _hook_params(request)
    services.encoder_publish_done(name=params.get("name", ""), client_id=params.get("clientid", ""))
    return HttpResponse("ok", content_type="text/plain")


@login_required
@require_POST
def go_live(request, pk):
    session = selectors.live_session_for(request.user, pk)
    if session is None:
        raise Http404("no such session")
    try:
        services.relay_go_live(session=session)
    except GoLiveError as exc:
        messages.error(request, exc.message)
    return redirect(session)
