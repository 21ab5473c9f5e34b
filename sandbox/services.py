"""The fake platform's rules: grants, tokens, push URLs and the live lifecycle.

Every state change runs inside transaction.atomic(): the SQLite connection opens
IMMEDIATE transactions, so each atomic block holds the database write lock and
read-then-write sequences cannot interleave between the server's threads.
"""

import collections
import datetime as dt
import hashlib
import hmac
import io
import logging
import os
import secrets
import threading

import requests
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from sandbox import demo
from sandbox.config import EXTENDED, config_get, now
from sandbox.models import App, AuthCode, Config, DemoUser, Stream, Token

log = logging.getLogger("sandbox")

KNOWN_SCOPES = ("user_base", "user_info", "user_video_live")
RTMP_APP = "gifshow"
COVER_MAX_BYTES = 2 * 1024 * 1024

STATUS_MESSAGES = {
    "not_started": "推流地址已生成，等待推流",
    "living": "直播中",
    "reconnecting": "推流中断，等待重连",
    Stream.STOPPED: "主播已结束直播",
    Stream.DROPPED: "推流中断超时，直播已关闭",
    Stream.EXPIRED: "推流地址已过期",
}


class Refused(Exception):
    """A request the platform turns down with a result code."""

    def __init__(self, result: int, detail: str = "", content: dict | None = None):
        super().__init__(result, detail)
        self.result = result
        self.detail = detail
        self.content = content


# --- users ----------------------------------------------------------------


def open_id_for(app: App, user: DemoUser) -> str:
    """Return the user's open_id for this app (stable, different per app)."""
    return hashlib.sha256(f"{app.app_id}:{user.slug}".encode()).hexdigest()[:32]


def user_info_for(user: DemoUser, config: Config) -> dict:
    """Return the user_info object: only the keys this account has."""
    info = {"name": user.name, **user.profile}
    if user.has_avatar:
        base = f"{config.public_url}/_sandbox/avatars/{user.slug}.svg"
        info["head"] = f"{base}?size=120"
        info["bigHead"] = f"{base}?size=480"
    return info


def user_permissions_note(user: DemoUser) -> str:
    """Describe in a few words what this account may do."""
    if not user.can_live:
        return "无开播权限 · no live permission"
    notes = ["可开播 · can go live"]
    notes.append("可带货 · e-commerce" if user.can_shop else "无电商权限 · no e-commerce")
    if user.needs_face_check and not user.face_passed:
        notes.append("需人脸核验 · face check pending")
    if not user.has_avatar:
        notes.append("资料不全 · sparse profile")
    return " · ".join(notes)


def user_revoke(*, user: DemoUser) -> int:
    """Revoke every token the user granted; return how many were revoked."""
    return Token.objects.filter(user=user, revoked_at=None).update(revoked_at=now())


def face_check_url(*, user: DemoUser, config: Config) -> str:
    """Return the page where this user passes the face check."""
    if not user.face_token:
        user.face_token = secrets.token_urlsafe(16)
        user.save(update_fields=["face_token"])
    return f"{config.public_url}/_sandbox/face-verify/{user.face_token}"


def face_pass(*, user: DemoUser) -> None:
    """Record that the user passed the face check."""
    user.face_passed = True
    user.save(update_fields=["face_passed"])


# --- apps -------------------------------------------------------------------


def app_update(*, app: App, changes: dict) -> App:
    """Play an operator's fault on the app: a regenerated secret, a suspension, or undo both."""
    unknown = set(changes) - {"secret", "suspended", "restore"}
    if unknown:
        raise ValueError(f"unknown app field(s): {', '.join(sorted(unknown))}")
    if changes.get("restore") in (True, "true"):
        app.secret, app.suspended = demo_app_secret(), False
    if "secret" in changes:
        app.secret = changes["secret"] or secrets.token_urlsafe(24)
    if "suspended" in changes:
        if not isinstance(changes["suspended"], bool):
            raise ValueError("suspended must be true or false")
        app.suspended = changes["suspended"]
    app.save(update_fields=["secret", "suspended"])
    return app


def demo_app_secret() -> str:
    """Return the demo app's secret as the environment configures it."""
    return os.environ.get("SANDBOX_DEMO_APP_SECRET", demo.APP_SECRET)


def app_as_dict(app: App) -> dict:
    """Return an app as the control API shows it (the secret too: it is a fake)."""
    return {"app_id": app.app_id, "secret": app.secret, "biz_id": app.biz_id, "name": app.name,
            "suspended": app.suspended}


# --- OAuth ------------------------------------------------------------------


def scopes_parse(raw: str) -> list[str]:
    """Split a comma-separated scope list; raise Refused 100200106 on an unknown scope."""
    asked = [s.strip() for s in (raw or "").split(",") if s.strip()]
    unknown = [s for s in asked if s not in KNOWN_SCOPES]
    if unknown:
        raise Refused(100200106, ",".join(unknown))
    return asked


def scopes_granted(asked: list[str], ticked: list[str]) -> list[str]:
    """Return the granted scopes in canonical order; user_base always comes with any consent."""
    granted = set(asked) & set(ticked)
    granted.add("user_base")
    return [s for s in KNOWN_SCOPES if s in granted]


def code_issue(*, app: App, user: DemoUser, scopes: list[str], redirect_uri: str) -> AuthCode:
    """Issue a single-use authorization code."""
    config = config_get()
    return AuthCode.objects.create(
        code=secrets.token_urlsafe(24),
        app=app,
        user=user,
        scopes=scopes,
        redirect_uri=redirect_uri,
        expires_at=now(config) + dt.timedelta(seconds=config.code_ttl),
    )


def tokens_issue(*, app: App, user: DemoUser, scopes: list[str], config: Config, refresh: bool = False) -> dict:
    """Issue an access and refresh token pair; return the reply fields.

    The documented shape is the auth document's example, exactly: the code exchange names
    the open_id, a refresh does not. The extended shape adds what later pages show.
    """
    issued = now(config)

    def create(kind, ttl):
        return Token.objects.create(
            kind=kind,
            value=secrets.token_urlsafe(32),
            app=app,
            user=user,
            scopes=scopes,
            issued_at=issued,
            expires_at=issued + dt.timedelta(seconds=ttl),
        )

    access = create(Token.ACCESS, config.access_token_ttl)
    fresh = create(Token.REFRESH, config.refresh_token_ttl)
    reply = {"access_token": access.value, "refresh_token": fresh.value}
    if not refresh:
        reply["open_id"] = open_id_for(app, user)
    reply["expires_in"] = config.access_token_ttl
    if config.reply_shape == EXTENDED:
        reply["refresh_token_expires_in"] = config.refresh_token_ttl
        reply["scopes"] = scopes
    return reply


def code_exchange(*, app: App, code: str) -> dict:
    """Trade a code for tokens; raise Refused 100200105 if it is unknown, used or expired."""
    config = config_get()
    with transaction.atomic():
        grant = AuthCode.objects.filter(code=code, app=app).select_related("user").first()
        if grant is None:
            raise Refused(100200105, "code 不存在")
        if grant.used_at is not None:
            raise Refused(100200105, "code 已使用")
        if now(config) >= grant.expires_at:
            raise Refused(100200105, "code 已过期")
        grant.used_at = now(config)
        grant.save(update_fields=["used_at"])
        return tokens_issue(app=app, user=grant.user, scopes=grant.scopes, config=config)


def token_refresh(*, app: App, value: str) -> dict:
    """Trade a refresh token for a new pair; the old refresh token stops working."""
    config = config_get()
    with transaction.atomic():
        old = Token.objects.filter(kind=Token.REFRESH, value=value, app=app).select_related("user").first()
        if old is None:
            raise Refused(100200105, "refresh_token 不存在")
        if old.revoked_at is not None:
            raise Refused(100200105, "用户已取消授权")
        if old.spent_at is not None:
            raise Refused(100200105, "refresh_token 已被使用")
        if now(config) >= old.expires_at:
            raise Refused(100200105, "refresh_token 已过期")
        old.spent_at = now(config)
        old.save(update_fields=["spent_at"])
        return tokens_issue(app=app, user=old.user, scopes=old.scopes, config=config, refresh=True)


def access_token_find(*, app: App, value: str) -> Token | None:
    """Return the live access token of this app, or None if bad, expired or revoked."""
    token = Token.objects.filter(kind=Token.ACCESS, value=value or "", app=app).select_related("user").first()
    if token is None or token.revoked_at is not None or now() >= token.expires_at:
        return None
    return token


# --- rate limit -------------------------------------------------------------

_calls: dict[str, collections.deque] = collections.defaultdict(collections.deque)
_calls_lock = threading.Lock()


def rate_limit_allow(*, app: App, config: Config) -> bool:
    """Count one live API call; return False if the app is over its per-minute limit."""
    if config.rate_limit <= 0:
        return True
    moment = now(config).timestamp()
    with _calls_lock:
        window = _calls[app.app_id]
        while window and window[0] <= moment - 60:
            window.popleft()
        if len(window) >= config.rate_limit:
            return False
        window.append(moment)
        return True


def rate_limit_reset() -> None:
    """Forget every counted call."""
    with _calls_lock:
        _calls.clear()


# --- streams ----------------------------------------------------------------


def cover_check(upload) -> tuple[bytes, int, int]:
    """Return the cover's bytes and size; raise Refused 400014 unless it is a small JPEG named .jpg."""
    if not upload.name.endswith(".jpg"):
        raise Refused(400014, "文件名必须以 .jpg 结尾")
    if upload.size > COVER_MAX_BYTES:
        raise Refused(400014, "封面不能超过 2MB")
    data = upload.read()
    if not data.startswith(b"\xff\xd8\xff"):
        raise Refused(400014, "封面必须是 JPEG 图片")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "JPEG":
                raise Refused(400014, "封面必须是 JPEG 图片")
            width, height = image.size
            # Decode it all: a truncated upload still has a valid header.
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise Refused(400014, "封面无法解析") from exc
    return data, width, height


def stream_issue(*, app: App, user: DemoUser, caption: str, panoramic: int, shop_live: bool,
                 device_name: str, cover: bytes, cover_width: int, cover_height: int) -> Stream:
    """Issue a push URL: a new stream that may start one live within the URL's lifetime."""
    config = config_get()
    issued = now(config)
    name = secrets.token_urlsafe(18)
    sign = secrets.token_urlsafe(24)
    return Stream.objects.create(
        name=name,
        app=app,
        user=user,
        caption=caption,
        panoramic=panoramic,
        shop_live=shop_live,
        device_name=device_name,
        cover=cover,
        cover_size=len(cover),
        cover_width=cover_width,
        cover_height=cover_height,
        push_url=f"{config.rtmp_url}/{name}?sign={sign}",
        sign=sign,
        issued_at=issued,
        expires_at=issued + dt.timedelta(seconds=config.push_url_ttl),
    )


def stream_settle(stream: Stream, config: Config | None = None) -> Stream:
    """Apply the transitions that time alone causes: URL expiry and the room closing after a drop."""
    config = config or config_get()
    moment = now(config)
    if not transaction.get_connection().in_atomic_block and not _may_settle(stream, config, moment):
        return stream  # nothing is due: no write lock for a plain status call (a caller's lock re-reads)
    with transaction.atomic():
        stream.refresh_from_db()
        if stream.state == Stream.NOT_STARTED and moment >= stream.expires_at:
            stream.state, stream.end_reason, stream.ended_at = Stream.ENDED, Stream.EXPIRED, stream.expires_at
            stream.save()
        elif stream.state == Stream.LIVING and stream.dropped_at is not None:
            closes_at = stream.dropped_at + dt.timedelta(seconds=config.drop_grace)
            if moment >= closes_at:
                stream.state, stream.end_reason, stream.ended_at = Stream.ENDED, Stream.DROPPED, closes_at
                stream.save()
                # The encoder should be gone already; ask anyway, as the platform would.
                name = stream.name
                transaction.on_commit(lambda: encoder_drop(control_url=config.rtmp_control_url, name=name))
    return stream


def _may_settle(stream: Stream, config: Config, moment) -> bool:
    if stream.state == Stream.NOT_STARTED:
        return moment >= stream.expires_at
    if stream.state == Stream.LIVING and stream.dropped_at is not None:
        return moment >= stream.dropped_at + dt.timedelta(seconds=config.drop_grace)
    return False


def streams_seed(*, app: App, user: DemoUser, count: int, living: bool = True) -> list[str]:
    """Issue `count` push URLs at once (a bench's load), their lives already on; return their names."""
    config = config_get()
    issued = now(config)
    rows = []
    for _ in range(count):
        name, sign = secrets.token_urlsafe(18), secrets.token_urlsafe(24)
        rows.append(Stream(
            name=name, app=app, user=user, caption="bench", panoramic=0, shop_live=False, device_name="bench",
            cover=b"", cover_size=0, cover_width=720, cover_height=1280,
            push_url=f"{config.rtmp_url}/{name}?sign={sign}", sign=sign, issued_at=issued,
            expires_at=issued + dt.timedelta(seconds=config.push_url_ttl),
            state=Stream.LIVING if living else Stream.NOT_STARTED, started_at=issued if living else None,
        ))
    Stream.objects.bulk_create(rows, batch_size=500)
    return [row.name for row in rows]


def status_content(stream: Stream, config: Config) -> dict:
    """Return the status reply's content; the documented shape garbles the name key as the example does."""
    status, message = stream_status(stream)
    name_key = "liveStreamName" if config.reply_shape == EXTENDED else "\u201cliveStreamName\u201d"
    return {name_key: stream.name, "status": status, "statusMsg": message}


def stream_status(stream: Stream) -> tuple[str, str]:
    """Return the (status, statusMsg) pair the status endpoint shows."""
    if stream.state == Stream.NOT_STARTED:
        return "LIVE_NOT_START", STATUS_MESSAGES["not_started"]
    if stream.state == Stream.LIVING:
        return "LIVING", STATUS_MESSAGES["reconnecting" if stream.dropped_at else "living"]
    return "LIVE_END", STATUS_MESSAGES[stream.end_reason]


def stream_publish(*, name: str, rtmp_app: str, sign: str, client_id: str) -> str:
    """Let an encoder publish to a push URL; return "" if accepted, else the reason for refusing."""
    if rtmp_app != RTMP_APP:
        return f"unknown application {rtmp_app!r}"
    stream = Stream.objects.filter(name=name).first()
    if stream is None:
        return "unknown stream"
    if not hmac.compare_digest((sign or "").encode(), stream.sign.encode()):
        return "bad sign"
    with transaction.atomic():
        stream = stream_settle(stream)
        if stream.state == Stream.ENDED:
            return "push URL expired" if stream.end_reason == Stream.EXPIRED else "push URL already used"
        if stream.state == Stream.NOT_STARTED:
            stream.state = Stream.LIVING
            stream.started_at = now()
        # A reconnect while the live is still open is accepted, even after URL expiry.
        stream.dropped_at = None
        stream.client_id = client_id or ""
        stream.save()
    return ""


def stream_drop(*, name: str, client_id: str = "") -> Stream | None:
    """Record that the encoder disconnected; the room closes after the drop grace."""
    stream = Stream.objects.filter(name=name).first()
    if stream is None:
        return None
    with transaction.atomic():
        stream = stream_settle(stream)
        # A late publish_done from a connection that was already replaced changes nothing.
        stale = client_id and stream.client_id and client_id != stream.client_id
        if stream.state == Stream.LIVING and stream.dropped_at is None and not stale:
            stream.dropped_at = now()
            stream.save(update_fields=["dropped_at"])
    return stream


def stream_stop(*, stream: Stream) -> Stream:
    """End the live for good (the URL is spent) and disconnect the encoder."""
    config = config_get()
    with transaction.atomic():
        stream = stream_settle(stream)
        if stream.state != Stream.ENDED:
            was_living = stream.state == Stream.LIVING
            stream.state, stream.end_reason, stream.ended_at = Stream.ENDED, Stream.STOPPED, now(config)
            stream.save()
            if was_living:
                name = stream.name
                transaction.on_commit(lambda: encoder_drop(control_url=config.rtmp_control_url, name=name))
    return stream


def encoder_drop(*, control_url: str, name: str) -> threading.Thread | None:
    """Ask nginx-rtmp's control API to disconnect the stream's publisher, best-effort."""
    if not control_url:
        return None

    def call():
        try:
            reply = requests.get(
                f"{control_url}/drop/publisher", params={"app": RTMP_APP, "name": name}, timeout=3
            )
            log.info("asked the RTMP server to drop stream %s: HTTP %s", name, reply.status_code)
        except requests.RequestException as exc:
            log.warning("could not ask the RTMP server to drop stream %s: %s", name, type(exc).__name__)

    # In a thread: the RTMP server calls on_publish_done back while it drops.
    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    return thread


def stream_as_dict(stream: Stream) -> dict:
    """Return the stream's full state for the control API."""
    status, status_msg = stream_status(stream)

    def iso(value):
        return value.isoformat() if value else None

    return {
        "name": stream.name,
        "app_id": stream.app.app_id,
        "user": stream.user.slug,
        "open_id": open_id_for(stream.app, stream.user),
        "caption": stream.caption,
        "panoramic": stream.panoramic,
        "shop_live": stream.shop_live,
        "device_name": stream.device_name,
        "state": stream.state,
        "status": status,
        "status_msg": status_msg,
        "end_reason": stream.end_reason or None,
        "push_url": stream.push_url,
        "sign": stream.sign,
        "client_id": stream.client_id,
        "issued_at": iso(stream.issued_at),
        "expires_at": iso(stream.expires_at),
        "started_at": iso(stream.started_at),
        "dropped_at": iso(stream.dropped_at),
        "ended_at": iso(stream.ended_at),
        "cover": {"size": stream.cover_size, "width": stream.cover_width, "height": stream.cover_height},
    }
