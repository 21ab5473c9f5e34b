"""The live API: push URLs, stopping a live, and its status."""

import re

from django.http import HttpResponseNotAllowed

from sandbox.config import config_get, now
from sandbox.faults import upstream
from sandbox.models import App, Stream, Token
from sandbox.replies import live_error, live_ok
from sandbox.services import (
    Refused,
    access_token_find,
    cover_check,
    face_check_url,
    rate_limit_allow,
    stream_issue,
    status_content,
    stream_settle,
    stream_stop,
)

STREAM_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
CAPTION_MAX = 13


def _params(request) -> dict:
    """Return query and form parameters in one dict: the platform accepts both."""
    params = request.GET.dict()
    if request.method == "POST":
        params.update(request.POST.dict())
    return params


def _authorize(params, config=None) -> tuple[App, Token]:
    """Return the app and the caller's token, checked in the platform's order."""
    config = config or config_get()
    app_id = params.get("app_id") or ""
    # The token with its app in one query (a status call is the busiest); which of the two is
    # wrong is only asked when one is.
    token = (Token.objects.filter(kind=Token.ACCESS, value=params.get("access_token", "") or "", app__app_id=app_id,
                                  app__suspended=False).select_related("app", "user").first())
    if token is None or token.revoked_at is not None or now(config) >= token.expires_at:
        if not App.objects.filter(app_id=app_id, suspended=False).exists():
            raise Refused(200100)
        raise Refused(200102)
    app = token.app
    if "user_video_live" not in token.scopes:
        raise Refused(200102, "未授权 user_video_live")
    if not rate_limit_allow(app=app, config=config):
        raise Refused(400002)
    return app, token


def _stream_of(name: str, app: App, token: Token) -> Stream:
    """Return the caller's own stream by name, or refuse as the platform does."""
    if not STREAM_NAME.fullmatch(name):
        raise Refused(400009)
    stream = Stream.objects.filter(name=name).select_related("app", "user").first()
    if stream is None:
        raise Refused(400005)
    if stream.app_id != app.id or stream.user_id != token.user_id:
        raise Refused(400013)
    return stream


def _face_check_content(user) -> dict:
    """Return the 400020 content: where the person passes the face check."""
    # Third-party copies of the docs put the URL in content, not at the top level.
    return {"qrCodeFaceVerifyUrl": face_check_url(user=user, config=config_get())}


def live_fault_reply(request, result: int):
    """Answer an injected fault in the live reply shape."""
    content = None
    if result == 400020:
        params = _params(request)
        app = App.objects.filter(app_id=params.get("app_id") or "").first()
        token = app and access_token_find(app=app, value=params.get("access_token", ""))
        if token:
            content = _face_check_content(token.user)
        else:
            content = {"qrCodeFaceVerifyUrl": f"{config_get().public_url}/_sandbox/face-verify/unknown"}
    return live_error(result, "注入的故障 · injected fault", content)


@upstream("pushUrls", live_fault_reply)
def push_urls(request):
    """Issue a push URL for the token's user."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    params = _params(request)
    try:
        app, token = _authorize(params)
        user = token.user
        if params.get("bizId") != app.biz_id:
            raise Refused(400001, "bizId 缺失或错误")
        caption = params.get("caption", "")
        if len(caption) > CAPTION_MAX:
            raise Refused(400001, f"caption 不能超过 {CAPTION_MAX} 个字")
        panoramic = params.get("panoramic", "0")
        if panoramic not in ("0", "1", "2"):
            raise Refused(400001, "panoramic 只能是 0、1 或 2")
        shop_live = params.get("shopLive", "false").lower()
        if shop_live not in ("true", "false"):
            raise Refused(400001, "shopLive 只能是 true 或 false")
        upload = request.FILES.get("file")
        if upload is None:
            raise Refused(400001, "缺少封面文件 file")
        cover, width, height = cover_check(upload)
        if not user.can_live:
            raise Refused(400006)
        if shop_live == "true" and not user.can_shop:
            raise Refused(400008)
        if user.needs_face_check and not user.face_passed:
            raise Refused(400020, content=_face_check_content(user))
    except Refused as refused:
        return live_error(refused.result, refused.detail, refused.content)
    stream = stream_issue(
        app=app,
        user=user,
        caption=caption,
        panoramic=int(panoramic),
        shop_live=shop_live == "true",
        device_name=params.get("deviceName", ""),
        cover=cover,
        cover_width=width,
        cover_height=height,
    )
    return live_ok({"pushUrl": stream.push_url, "liveStreamName": stream.name})


@upstream("stopPush", live_fault_reply)
def stop_push(request):
    """End the caller's live; stopping an ended live succeeds too."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    params = _params(request)
    try:
        app, token = _authorize(params)
        name = params.get("liveStreamName", "")
        if not params.get("bizId") or not name:
            raise Refused(400001, "缺少 bizId 或 liveStreamName")
        if params["bizId"] != app.biz_id:
            raise Refused(400001, "bizId 错误")
        stream = _stream_of(name, app, token)
    except Refused as refused:
        return live_error(refused.result, refused.detail)
    stream_stop(stream=stream)
    return live_ok(None)


@upstream("status", live_fault_reply)
def status(request, name):
    """Show whether the caller's live has started, is on, or has ended."""
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    config = config_get()
    try:
        app, token = _authorize(_params(request), config)
        stream = stream_settle(_stream_of(name, app, token), config)
    except Refused as refused:
        return live_error(refused.result, refused.detail)
    return live_ok(status_content(stream, config))
