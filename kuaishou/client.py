"""One function per Kuaishou Open Platform endpoint.

Each `# Reference:` names the section of docs/kuaishou-api.md (our reading of Kuaishou's
documents, with their reply examples) that the call follows.
"""

from __future__ import annotations

import http.cookiejar
import logging
import re
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import requests
from requests.exceptions import InvalidSchema, InvalidURL, MissingSchema

from .errors import ApiError, Result, TransportError
from .types import AppCredentials, LiveState, LiveStatus, PushUrl, TokenGrant, UserProfile

logger = logging.getLogger("kuaishou")

USER_AGENT = f"kslive/1.0 python-requests/{requests.__version__}"

# OAuth replies use result 1 for success, live replies use 0.
OAUTH_SUCCESS = Result.OAUTH_SUCCESS
LIVE_SUCCESS = Result.LIVE_SUCCESS

# The consent page comes in two kinds: `h5` for phones and tablets (the platform's default),
# `pc` for desktop browsers, which shows a QR code to scan with the Kuaishou app: useless on
# the very phone that has the app. Kuaishou's own in-app browser says Kwai or ksNebula.
CONSENT_PHONE = "h5"
CONSENT_DESKTOP = "pc"
HANDHELD_BROWSER = re.compile(
    r"Mobi|Android|iPhone|iPad|iPod|HarmonyOS|OpenHarmony|Windows Phone|BlackBerry|BB10|Opera Mini|"
    r"KAIOS|Silk/|Kindle|Tablet|Kwai|ksNebula",
    re.IGNORECASE,
)
DESKTOP_BROWSER = re.compile(r"Windows NT|Macintosh|X11|CrOS", re.IGNORECASE)

SECRET_QUERY_KEYS = frozenset({"app_secret", "access_token", "code", "refresh_token", "sign"})
REDACTED = "***"

# A malformed base_url fails the same way every time; timeouts and connection errors may not.
PERMANENT_REQUEST_ERRORS = (InvalidURL, MissingSchema, InvalidSchema)

_session: requests.Session | None = None
_session_lock = threading.Lock()
# Connections kept per host: one for each thread that may call at once (a worker's poll
# threads); beyond it requests opens and drops a connection per call.
POOL_SIZE = 32


def get_session() -> requests.Session:
    """Return the shared HTTP session, creating it on first use."""
    global _session
    with _session_lock:
        if _session is None:
            session = requests.Session()
            session.headers["User-Agent"] = USER_AGENT
            # The session serves every user: a cookie set for one must not ride along for another.
            session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
            for scheme in ("https://", "http://"):
                session.mount(scheme, requests.adapters.HTTPAdapter(pool_maxsize=POOL_SIZE, max_retries=0))
            _session = session
        return _session


def redact_url(url: str) -> str:
    """Return the URL with token, secret, code and sign values replaced by ***."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = [
        (key, REDACTED if key in SECRET_QUERY_KEYS else value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(pairs, safe="*")))


def consent_page_for(user_agent: str, *, mobile_hint: str = "", touch_mac: bool = False) -> str:
    """Return the consent page kind (`ua`) for a browser: h5 for phones and tablets, pc for desktops.

    `mobile_hint` is the Sec-CH-UA-Mobile client hint ("?1" on phones). iPadOS Safari says it
    is a Mac; the page reports a touch screen on a "Mac" as `touch_mac`.
    """
    if mobile_hint.strip() == "?1" or touch_mac or HANDHELD_BROWSER.search(user_agent or ""):
        return CONSENT_PHONE
    # Unsure is the phone page: a desktop can use it, a phone cannot use the desktop's QR code.
    return CONSENT_DESKTOP if DESKTOP_BROWSER.search(user_agent or "") else CONSENT_PHONE


# Reference: docs/kuaishou-api.md, "Authorize".
def authorize_url(
    app: AppCredentials,
    *,
    redirect_uri: str,
    state: str,
    scopes: Sequence[str],
    ua: str = CONSENT_PHONE,
) -> str:
    """Return the consent page URL to send the person's browser to."""
    if isinstance(scopes, str):
        raise TypeError("scopes must be a sequence of scope names, not a string")
    if ua not in (CONSENT_PHONE, CONSENT_DESKTOP):
        raise ValueError(f"ua must be {CONSENT_PHONE!r} or {CONSENT_DESKTOP!r}, not {ua!r}")
    query = urlencode(
        {
            "app_id": app.app_id,
            "scope": ",".join(scopes),
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "state": state,
            "ua": ua,
        },
        safe=",",
    )
    return f"{_url(app, '/oauth2/authorize')}?{query}"


# Reference: docs/kuaishou-api.md, "Exchange the code".
def exchange_code(app: AppCredentials, *, code: str) -> TokenGrant:
    """Exchange a single-use authorization code for tokens."""
    reply = _call(
        app,
        "GET",
        "/oauth2/access_token",
        query={
            "app_id": app.app_id,
            "app_secret": app.app_secret,
            "code": code,
            "grant_type": "authorization_code",
        },
        success=OAUTH_SUCCESS,
        secrets=(code,),
    )
    # The exchange is the one reply that names the person: without open_id nobody can log in.
    return _parse_token_grant(reply, open_id=_require_text(reply, "open_id"))


# Reference: docs/kuaishou-api.md, "Refresh the tokens".
def refresh_access_token(app: AppCredentials, *, refresh_token: str) -> TokenGrant:
    """Return fresh tokens; store the refresh token too, since it may rotate."""
    reply = _call(
        app,
        "GET",
        "/oauth2/refresh_token",
        query={
            "app_id": app.app_id,
            "app_secret": app.app_secret,
            "refresh_token": refresh_token,
            "grant_type": "refresh_token",
        },
        success=OAUTH_SUCCESS,
        secrets=(refresh_token,),
    )
    # The documented refresh reply has no open_id and no scopes: the caller keeps the login's.
    return _parse_token_grant(reply, open_id=_id_text(reply.get("open_id")) or None)


# Reference: docs/kuaishou-api.md, "User profile".
def get_user_info(app: AppCredentials, *, access_token: str) -> UserProfile:
    """Return the profile of the person who owns the access token."""
    reply = _call(
        app,
        "GET",
        "/openapi/user_info",
        query={"app_id": app.app_id, "access_token": access_token},
        success=OAUTH_SUCCESS,
        secrets=(access_token,),
    )
    info = _require(reply, "user_info", Mapping)
    return UserProfile(
        name=_text(info.get("name")),
        sex=_text(info.get("sex")),
        fans=_integer(info.get("fan")),
        follows=_integer(info.get("follow")),
        avatar_url=_text(info.get("head")),
        big_avatar_url=_text(info.get("bigHead")),
        city=_text(info.get("city")),
    )


# Reference: docs/kuaishou-api.md, "Get a push URL".
def get_push_url(
    app: AppCredentials,
    *,
    access_token: str,
    cover: bytes,
    caption: str = "",
    panoramic: int = 0,
    shop_live: bool = False,
    device_name: str = "",
) -> PushUrl:
    """Ask Kuaishou for a one-use RTMP push URL with the given cover and caption."""
    if not isinstance(cover, (bytes, bytearray, memoryview)):
        raise TypeError("cover must be the JPEG file's bytes")
    if isinstance(panoramic, bool) or not isinstance(panoramic, int):
        raise TypeError("panoramic must be an int (0, 1 or 2)")
    if not isinstance(shop_live, bool):
        raise TypeError("shop_live must be a bool")
    # "Every call carries app_id and access_token": for POSTs they go in the body, with the
    # other fields, which keeps the token out of URLs that proxies and servers log.
    reply = _call(
        app,
        "POST",
        "/openapi/kwaiUser/live/pushUrls",
        form={
            "app_id": app.app_id,
            "access_token": access_token,
            "bizId": app.biz_id,
            "caption": caption,
            "panoramic": str(int(panoramic)),
            "shopLive": "true" if shop_live else "false",
            "deviceName": device_name,
        },
        # The upstream requires a JPEG whose uploaded file name ends in .jpg.
        files={"file": ("cover.jpg", bytes(cover), "image/jpeg")},
        success=LIVE_SUCCESS,
        secrets=(access_token,),
    )
    content = _require(reply, "content", Mapping)
    push_url = _require(content, "pushUrl", str, reply=reply)
    # The name is also the push URL's last path segment: a reply without it still works.
    name = _text(content.get("liveStreamName")) or urlsplit(push_url).path.rpartition("/")[2]
    if not name:
        raise _lacking("liveStreamName", reply)
    return PushUrl(push_url=push_url, live_stream_name=name)


# Reference: docs/kuaishou-api.md, "Stop a live".
def stop_push(app: AppCredentials, *, access_token: str, live_stream_name: str) -> None:
    """End the live: Kuaishou closes the room and the push URL is spent."""
    _call(
        app,
        "POST",
        "/openapi/kwaiUser/live/stopPush",
        form={
            "app_id": app.app_id,
            "access_token": access_token,
            "bizId": app.biz_id,
            "liveStreamName": live_stream_name,
        },
        success=LIVE_SUCCESS,
        secrets=(access_token,),
    )


# Reference: docs/kuaishou-api.md, "Live status".
def get_live_status(app: AppCredentials, *, access_token: str, live_stream_name: str) -> LiveStatus:
    """Return whether the live has not started, is on air, or has ended."""
    reply = _call(
        app,
        "GET",
        f"/openapi/kwaiUser/live/status/{quote(live_stream_name, safe='')}",
        query={"app_id": app.app_id, "access_token": access_token},
        success=LIVE_SUCCESS,
        secrets=(access_token,),
    )
    content = _require(reply, "content", Mapping)
    if "status" not in content:
        raise _lacking("status", reply)
    # The document's own example garbles the stream-name key, so it is never read: we know
    # the name we asked about. An empty or new status is "unknown this time", not an error.
    raw = _text(content["status"]).strip()
    state = LiveState(raw) if raw in LiveState.__members__ else None
    if state is None:
        logger.warning("Status of stream %s: Kuaishou answered an unknown status %r (from %s)",
                       live_stream_name, raw, _text(reply.get("hostName")) or "?")
    return LiveStatus(
        live_stream_name=live_stream_name,
        status=state,
        status_message=_text(content.get("statusMsg")),
        raw_status=raw,
    )


def _url(app: AppCredentials, path: str) -> str:
    return app.base_url.rstrip("/") + path


def _call(
    app: AppCredentials,
    method: str,
    path: str,
    *,
    query: Mapping[str, str] | None = None,
    form: Mapping[str, str] | None = None,
    files: Mapping[str, tuple[str, bytes, str]] | None = None,
    success: int,
    secrets: Sequence[str] = (),
) -> dict[str, Any]:
    """Send one request and return the reply's JSON object when it reports success."""
    url = _url(app, path)
    if query:
        url = f"{url}?{urlencode(query)}"
    log_path = urlsplit(url).path
    started = time.monotonic()

    # The requests exception is never chained: its text holds the full URL, secrets included.
    failure: TransportError | None = None
    where = f"{method} {redact_url(url)}"
    try:
        response = get_session().request(
            method,
            url,
            data=form,
            files=files,
            timeout=app.timeout,
            # Following a redirect would resend the secret wherever it points; a redirect
            # from an API endpoint means base_url is wrong.
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        failure_kind = type(exc).__name__
        failure = TransportError(
            f"{where} failed ({failure_kind})",
            permanent=isinstance(exc, PERMANENT_REQUEST_ERRORS),
        )
    elapsed_ms = round((time.monotonic() - started) * 1000)
    if failure is not None:
        logger.warning("%s %s -> no reply (%s) in %d ms", method, log_path, failure_kind, elapsed_ms)
        raise failure

    status = response.status_code
    reply = _json_object(response)
    if reply is None:
        logger.warning("%s %s -> HTTP %d, no JSON object in %d ms", method, log_path, status, elapsed_ms)
        raise _no_usable_reply(where, status, None)
    result = _integer(reply.get("result"))
    host_name = _text(reply.get("hostName"))
    failed = result is None or result != success or not 200 <= status < 300
    # A failure names Kuaishou's server: it is what Kuaishou's support asks for.
    logger.log(
        logging.WARNING if failed else logging.INFO,
        "%s %s -> HTTP %d, result %s in %d ms%s", method, log_path, status, result, elapsed_ms,
        f" from {host_name}" if host_name else "",
    )

    if result is not None and result != success:
        raise _api_error(reply, result, (app.app_secret, *secrets), host_name=host_name or None)
    if result is not None and 200 <= status < 300:
        return reply
    raise _no_usable_reply(where, status, reply)


def _json_object(response: requests.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _no_usable_reply(where: str, status: int, reply: Mapping[str, Any] | None) -> TransportError:
    if status == 429 or status >= 500:
        return TransportError(f"{where} answered HTTP {status}", http_status=status)
    if 300 <= status < 500:
        # A redirect or a 4xx without a result code: wrong base_url or path, fails every time.
        return TransportError(f"{where} answered HTTP {status}", permanent=True, http_status=status)
    if reply is None:
        # Typically a proxy or gateway error page served with 200: worth another try.
        return TransportError(f"{where} answered a body that is not a JSON object", http_status=status)
    return TransportError(f"{where} answered JSON without a result code", http_status=status)


def _api_error(reply: Mapping[str, Any], result: int, secrets: Sequence[str], *, host_name: str | None) -> ApiError:
    error = reply.get("error") if isinstance(reply.get("error"), str) else None
    message = reply.get("error_msg") or error
    content = reply.get("content")
    # Copies of the docs disagree: qrCodeFaceVerifyUrl sits in content, or at the top level.
    face_verify_url = None
    if isinstance(content, Mapping):
        face_verify_url = content.get("qrCodeFaceVerifyUrl")
    face_verify_url = face_verify_url or reply.get("qrCodeFaceVerifyUrl")
    return ApiError(
        _scrub(str(message), secrets) if message else None,
        result=result,
        error=error,
        face_verify_url=face_verify_url if isinstance(face_verify_url, str) else None,
        host_name=host_name,
    )


def _scrub(text: str, secrets: Sequence[str]) -> str:
    # An upstream message that echoes the request must not carry the secret into our logs.
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def _parse_token_grant(reply: Mapping[str, Any], *, open_id: str | None) -> TokenGrant:
    # Required: what no token can work without. The rest is read when present.
    scopes = reply.get("scopes")
    if isinstance(scopes, str):
        scopes = scopes.split(",")
    granted = None
    if isinstance(scopes, (list, tuple)):
        granted = tuple(str(scope).strip() for scope in scopes if str(scope).strip())
    return TokenGrant(
        access_token=_require(reply, "access_token", str),
        expires_in=_require_integer(reply, "expires_in"),
        refresh_token=_require(reply, "refresh_token", str),
        open_id=open_id,
        refresh_token_expires_in=_integer(reply.get("refresh_token_expires_in")),
        scopes=granted,
    )


def _require(
    fields: Mapping[str, Any], key: str, kind: type | tuple[type, ...], *, reply: Mapping[str, Any] | None = None
) -> Any:
    # `fields` is the reply itself, or a part of it (`content`) with the whole `reply` beside it.
    value = fields.get(key)
    if not isinstance(value, kind) or (isinstance(value, str) and not value):
        raise _lacking(key, fields if reply is None else reply)
    return value


def _lacking(key: str, reply: Mapping[str, Any]) -> TransportError:
    """Return the error for a success reply without a field we cannot work without."""
    # Kuaishou's support asks which server answered, for an incomplete reply as for a failure.
    host_name = _text(reply.get("hostName"))
    where = f" (from {host_name})" if host_name else ""
    return TransportError(f"Kuaishou's reply lacks a usable {key!r}{where}", host_name=host_name or None)


def _id_text(value: Any) -> str:
    # An id sent as a number is still an id.
    return str(value) if _integer(value) is not None else _text(value)


def _require_text(reply: Mapping[str, Any], key: str) -> str:
    text = _id_text(reply.get(key))
    if not text:
        raise _lacking(key, reply)
    return text


def _require_integer(reply: Mapping[str, Any], key: str) -> int:
    value = _integer(reply.get(key))
    if value is None:
        raise _lacking(key, reply)
    return value


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
