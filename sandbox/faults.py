"""Fault injection and the request log, wrapped around every upstream endpoint."""

import collections
import functools
import json
import threading
import time

from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from sandbox.config import config_for_request, config_get, now
from sandbox.models import Fault, RequestRecord

ENDPOINTS = ("pushUrls", "stopPush", "status", "access_token", "refresh_token", "user_info", "authorize")
REQUEST_LOG_SIZE = 500


def fault_add(*, endpoint: str, result=None, count=1, latency_ms=0, http_status=None, malformed=False,
              body=None) -> Fault:
    """Queue a fault for the next calls of an endpoint; raise ValueError on a bad value."""
    if endpoint not in ENDPOINTS + ("*",):
        raise ValueError(f"unknown endpoint {endpoint!r}; use one of {', '.join(ENDPOINTS)} or *")
    count = int(count if count is not None else 1)
    if body is not None and not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    if count == 0 or count < -1:
        raise ValueError("count must be positive, or -1 for until cleared")
    fault = Fault.objects.create(
        endpoint=endpoint,
        result=int(result) if result not in (None, "") else None,
        remaining=count,
        latency_ms=int(latency_ms or 0),
        http_status=int(http_status) if http_status not in (None, "") else None,
        malformed=bool(malformed),
        body=body,
    )
    faults_changed()
    return fault


def faults_remove() -> None:
    """Remove every fault."""
    Fault.objects.all().delete()
    faults_changed()


# The faults as last read, and a generation that every change of them moves on: a call reads
# the table again only after a change. Faults change only through this process (the control
# API, a reset, a call using one up), which says so with faults_changed().
_faults_lock = threading.Lock()
_faults_state: dict = {"generation": 0, "read_at": -1, "faults": []}


def faults_changed() -> None:
    with _faults_lock:
        _faults_state["generation"] += 1


def _faults() -> list[Fault]:
    with _faults_lock:
        generation = _faults_state["generation"]
        if _faults_state["read_at"] == generation:
            return _faults_state["faults"]
    faults = list(Fault.objects.order_by("id"))
    with _faults_lock:
        if _faults_state["generation"] == generation:
            _faults_state.update(read_at=generation, faults=faults)
    return faults


def fault_take(endpoint: str) -> Fault | None:
    """Return the oldest fault for this endpoint and use up one of its calls."""
    # A read first, of what is known: without a fault (almost every call), or with one that
    # lasts until cleared, no query and no write lock, so concurrent calls never queue.
    fault = next((f for f in _faults() if f.endpoint in (endpoint, "*")), None)
    if fault is None or fault.remaining == -1:
        return fault
    try:
        return _fault_use(endpoint)
    finally:
        faults_changed()


def _fault_use(endpoint: str) -> Fault | None:
    with transaction.atomic():
        fault = Fault.objects.filter(endpoint__in=(endpoint, "*")).order_by("id").first()
        if fault is None:
            return None
        if fault.remaining == 1:
            fault.delete()
        elif fault.remaining > 1:
            Fault.objects.filter(pk=fault.pk).update(remaining=fault.remaining - 1)
        return fault


def fault_as_dict(fault: Fault) -> dict:
    """Return a fault as the control API shows it."""
    return {
        "endpoint": fault.endpoint,
        "result": fault.result,
        "count": fault.remaining,
        "latency_ms": fault.latency_ms,
        "http_status": fault.http_status,
        "malformed": fault.malformed,
        "body": fault.body,
    }


def fault_answer(fault: Fault, request, fault_reply) -> HttpResponse | None:
    """Return the canned reply of a fault, or None when it only adds latency."""
    if fault.malformed:
        # What a proxy in trouble might send: a truncated body under a JSON content type.
        return HttpResponse('{"result": 0, "content": {"pushU', status=fault.http_status or 200,
                            content_type="application/json")
    if fault.body is not None:
        return JsonResponse(fault.body, json_dumps_params={"ensure_ascii": False})
    if fault.http_status and fault.http_status != 200:
        page = f"<html><head><title>{fault.http_status}</title></head><body><h1>{fault.http_status}</h1><p>openresty</p></body></html>"
        return HttpResponse(page, status=fault.http_status, content_type="text/html")
    if fault.result is not None:
        return fault_reply(request, fault.result)
    return None


def _flat(querydict) -> dict:
    return {key: values[0] if len(values) == 1 else values for key, values in querydict.lists()}


# Calls per endpoint since the last reset, counted even when the log is off (a bench's load).
_counts: collections.Counter = collections.Counter()
_counts_lock = threading.Lock()


def calls_count(endpoint: str) -> None:
    with _counts_lock:
        _counts[endpoint] += 1


def calls_counted() -> dict:
    """Return how many calls each endpoint received since the last reset."""
    with _counts_lock:
        return dict(_counts)


def calls_forget() -> None:
    with _counts_lock:
        _counts.clear()


def request_record(request, endpoint: str, response: HttpResponse) -> None:
    """Keep what an endpoint received and the result it answered, for tests to read back."""
    calls_count(endpoint)
    if not config_get().request_log:
        return
    result = None
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            result = json.loads(response.content).get("result")
        except (ValueError, AttributeError):
            result = None
    files = {
        field: {"filename": upload.name, "size": upload.size, "content_type": upload.content_type}
        for field, upload in request.FILES.items()
    }
    record = RequestRecord.objects.create(
        endpoint=endpoint,
        method=request.method,
        path=request.path,
        query=_flat(request.GET),
        form=_flat(request.POST) if request.method == "POST" else {},
        files=files,
        result=result,
        http_status=response.status_code,
        received_at=now(),
    )
    RequestRecord.objects.filter(id__lte=record.id - REQUEST_LOG_SIZE).delete()


def request_as_dict(record: RequestRecord) -> dict:
    """Return a logged request as the control API shows it."""
    return {
        "endpoint": record.endpoint,
        "method": record.method,
        "path": record.path,
        "query": record.query,
        "form": record.form,
        "files": record.files,
        "result": record.result,
        "http_status": record.http_status,
        "received_at": record.received_at.isoformat(),
    }


def upstream(endpoint: str, fault_reply):
    """Make a view an upstream endpoint: faults first, then the view, then the request log."""

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            with config_for_request():
                fault = fault_take(endpoint)
                response = None
                if fault is not None:
                    if fault.latency_ms:
                        time.sleep(fault.latency_ms / 1000)
                    response = fault_answer(fault, request, fault_reply)
                if response is None:
                    response = view(request, *args, **kwargs)
                request_record(request, endpoint, response)
            if not response.streaming and not response.has_header("Content-Length"):
                # With its length said, the development server keeps the connection open for the
                # caller's next call instead of closing it after every reply.
                response["Content-Length"] = str(len(response.content))
            return response

        return wrapper

    return decorate
