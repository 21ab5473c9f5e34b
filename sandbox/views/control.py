"""The control API under /_sandbox/: reset, config, clock, faults, simulations, the request log."""

import json

from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt

from sandbox import demo
from sandbox.config import clock_set, config_as_dict, config_get, config_update, now
from sandbox.faults import (
    calls_counted,
    calls_forget,
    fault_add,
    fault_as_dict,
    faults_changed,
    faults_remove,
    request_as_dict,
)
from sandbox.models import App, DemoUser, Fault, RequestRecord, Stream
from sandbox.seed import sandbox_reset
from sandbox.services import (
    app_as_dict,
    app_update,
    stream_as_dict,
    stream_drop,
    stream_publish,
    stream_settle,
    stream_stop,
    streams_seed,
    user_revoke,
)


def _json(data, status=200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _from_form(request) -> bool:
    """Say whether a dashboard form sent this (then answer with a redirect back to it)."""
    return request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")


def _body(request) -> dict:
    """Return the JSON body, or the form fields of a dashboard post."""
    if _from_form(request):
        return {key: value for key, value in request.POST.dict().items() if value != ""}
    if not request.body:
        return {}
    return json.loads(request.body)


def _back(message: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect("/" + (f"?{urlencode({'msg': message})}" if message else ""))


def healthz(request):
    """Say the sandbox is up."""
    return _json({"ok": True})


@csrf_exempt
def reset(request):
    """Forget tokens, streams, faults, the request log and the clock; restore the env config."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    sandbox_reset()
    faults_changed()
    calls_forget()
    return _back("已重置 · reset") if _from_form(request) else _json({"ok": True})


@csrf_exempt
def config(request):
    """Show the configuration, or change a subset of it."""
    if request.method == "POST":
        try:
            config_update(changes=_body(request))
        except (ValueError, TypeError) as exc:
            return _json({"error": str(exc)}, status=400)
        if _from_form(request):
            return _back("配置已更新 · config saved")
    return _json(config_as_dict(config_get()))


@csrf_exempt
def clock(request):
    """Show the sandbox clock, or move it: {"advance": seconds} or {"offset": seconds}."""
    if request.method == "POST":
        body = _body(request)
        try:
            clock_set(advance=body.get("advance"), offset=body.get("offset"))
        except (ValueError, TypeError) as exc:
            return _json({"error": str(exc)}, status=400)
        if _from_form(request):
            return _back("时钟已调整 · clock moved")
    current = config_get()
    return _json({"now": now(current).isoformat(), "offset": current.clock_offset})


@csrf_exempt
def faults(request):
    """List, add (POST) or clear (DELETE) injected faults."""
    if request.method == "POST":
        body = _body(request)
        if _from_form(request):
            body["malformed"] = body.get("malformed") == "on"
        try:
            fault = fault_add(
                endpoint=body.get("endpoint", ""),
                result=body.get("result"),
                count=body.get("count", 1),
                latency_ms=body.get("latency_ms", 0),
                http_status=body.get("http_status"),
                malformed=body.get("malformed", False),
                body=body.get("body"),
            )
        except (ValueError, TypeError) as exc:
            return _back(f"故障无效 · {exc}") if _from_form(request) else _json({"error": str(exc)}, status=400)
        return _back("已注入故障 · fault queued") if _from_form(request) else _json(fault_as_dict(fault))
    if request.method == "DELETE":
        faults_remove()
    return _json([fault_as_dict(f) for f in Fault.objects.order_by("id")])


@csrf_exempt
def faults_clear(request):
    """Clear every fault (the dashboard's form cannot send DELETE)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    faults_remove()
    return _back("已清除故障 · faults cleared") if _from_form(request) else _json([])


def counts(request):
    """Show how many calls each upstream endpoint received since the last reset."""
    return _json(calls_counted())


@csrf_exempt
def seed_streams(request):
    """Issue many push URLs at once for a demo user, their lives already on (a bench's load):
    {"count": n, "user": "xiaoming", "living": true}; answer their names."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    body = _body(request)
    user = get_object_or_404(DemoUser, slug=body.get("user", "xiaoming"))
    app = get_object_or_404(App, app_id=body.get("app_id") or demo.APP_ID)
    try:
        count = int(body.get("count", 1))
    except (TypeError, ValueError):
        return _json({"error": "count must be a number"}, status=400)
    if not 0 < count <= 100_000:
        return _json({"error": "count must be between 1 and 100000"}, status=400)
    return _json({"names": streams_seed(app=app, user=user, count=count, living=bool(body.get("living", True)))})


def streams(request):
    """List every stream, newest first."""
    rows = Stream.objects.select_related("app", "user").order_by("-id")
    return _json([stream_as_dict(stream_settle(s)) for s in rows])


def stream_detail(request, name):
    """Show one stream's full state."""
    stream = get_object_or_404(Stream.objects.select_related("app", "user"), name=name)
    return _json(stream_as_dict(stream_settle(stream)))


@csrf_exempt
def stream_action(request, name, action):
    """Do what nginx-rtmp or stopPush would: publish, drop or stop a stream."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    stream = get_object_or_404(Stream.objects.select_related("app", "user"), name=name)
    reason = ""
    if action == "publish":
        reason = stream_publish(name=name, rtmp_app="gifshow", sign=stream.sign, client_id=f"sim-{stream.pk}")
    elif action == "drop":
        stream_drop(name=name)
    elif action == "stop":
        stream_stop(stream=stream)
    else:
        raise Http404(action)
    if _from_form(request):
        return _back(f"{name}: {reason}" if reason else "")
    state = stream_as_dict(Stream.objects.select_related("app", "user").get(pk=stream.pk))
    if reason:
        return _json({"ok": False, "reason": reason, "stream": state}, status=409)
    return _json({"ok": True, "stream": state})


@csrf_exempt
def app_detail(request, app_id):
    """Show an app, or play the operator's faults: {"secret": "<new>"|null} (null: a new random
    secret, so kslive's is wrong) and {"suspended": bool}; {"restore": true} undoes both."""
    app = get_object_or_404(App, app_id=app_id)
    if request.method == "POST":
        changes = _body(request)
        if _from_form(request):
            # The dashboard's buttons: an empty secret means a new random one.
            changes = {key: request.POST[key] for key in ("secret", "restore") if key in request.POST}
            if "suspended" in request.POST:
                changes["suspended"] = request.POST["suspended"] == "true"
        try:
            app = app_update(app=app, changes=changes)
        except (ValueError, TypeError) as exc:
            return _back(f"无效 · {exc}") if _from_form(request) else _json({"error": str(exc)}, status=400)
        if _from_form(request):
            return _back("应用已更新 · app updated")
    return _json(app_as_dict(app))


@csrf_exempt
def user_revoke_view(request, slug):
    """Revoke every token a demo user granted."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    user = get_object_or_404(DemoUser, slug=slug)
    revoked = user_revoke(user=user)
    if _from_form(request):
        return _back(f"已撤销 {user.name} 的授权 · revoked {revoked} tokens")
    return _json({"ok": True, "revoked": revoked})


def requests_log(request):
    """List recent requests to the OAuth and live endpoints, oldest first."""
    records = RequestRecord.objects.order_by("id")
    if request.GET.get("endpoint"):
        records = records.filter(endpoint=request.GET["endpoint"])
    return _json([request_as_dict(r) for r in records])
