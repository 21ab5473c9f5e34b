"""The hooks nginx-rtmp calls when an encoder starts or stops publishing."""

import logging
from urllib.parse import parse_qsl

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from sandbox.faults import request_record
from sandbox.services import stream_drop, stream_publish

log = logging.getLogger("sandbox")


def _hook_params(request) -> dict:
    """Return the hook's fields; nginx-rtmp posts a form, or uses the query with notify_method get."""
    params = request.GET.dict()
    params.update(request.POST.dict())
    # nginx-rtmp sends the push URL's query as separate fields; tolerate it left on the name.
    name, _, query = params.get("name", "").partition("?")
    params["name"] = name
    for key, value in parse_qsl(query):
        if not params.get(key):
            params[key] = value
    return params


@csrf_exempt
def on_publish(request):
    """Accept or refuse an encoder: any answer but 2xx makes nginx-rtmp drop it."""
    params = _hook_params(request)
    reason = stream_publish(
        name=params["name"],
        rtmp_app=params.get("app", ""),
        sign=params.get("sign", ""),
        client_id=params.get("clientid", ""),
    )
    if reason:
        log.info("refused publisher of stream %s: %s", params["name"], reason)
        response = HttpResponse(reason, status=403, content_type="text/plain")
    else:
        log.info("stream %s is live (client %s)", params["name"], params.get("clientid", "?"))
        response = HttpResponse("ok", content_type="text/plain")
    # In the request log too: tests measure the gaps an encoder's reconnects leave.
    request_record(request, "on_publish", response)
    return response


@csrf_exempt
def on_publish_done(request):
    """Note that an encoder went away; the room stays open for the drop grace."""
    params = _hook_params(request)
    stream = stream_drop(name=params["name"], client_id=params.get("clientid", ""))
    if stream is not None:
        log.info("stream %s lost its encoder", params["name"])
    response = HttpResponse("ok", content_type="text/plain")
    request_record(request, "on_publish_done", response)
    return response
