"""Helpers for the sandbox's own tests: log in, make covers, call the live API and the hooks."""

import io
import time

import requests
from PIL import Image

from sandbox.demo import APP_ID, APP_SECRET, BIZ_ID

LIVE = "/openapi/kwaiUser/live"


def exchange(sandbox, code: str, /, **overrides) -> dict:
    """Call the code exchange as the app would."""
    params = {"app_id": APP_ID, "app_secret": APP_SECRET, "code": code, "grant_type": "authorization_code"}
    params.update(overrides)
    return requests.get(sandbox.url("/oauth2/access_token"), params=params, timeout=10).json()


def login(sandbox, user: str = "xiaoming", scope: str = "user_info,user_video_live") -> dict:
    """Consent as a demo user and exchange the code; return the token reply."""
    return exchange(sandbox, sandbox.authorize(user=user, scope=scope))


def jpeg(width: int = 72, height: int = 128) -> bytes:
    """Return a small portrait JPEG."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (255, 80, 0)).save(buffer, "JPEG")
    return buffer.getvalue()


def push_urls(sandbox, access_token: str, *, cover: bytes | None = None, filename: str = "cover.jpg",
              **fields) -> dict:
    """Ask for a push URL with a valid cover and bizId unless told otherwise."""
    data = {"app_id": APP_ID, "access_token": access_token, "bizId": BIZ_ID, "caption": "周末露营"}
    data.update(fields)
    data = {key: value for key, value in data.items() if value is not None}
    files = {"file": (filename, jpeg() if cover is None else cover, "image/jpeg")} if filename else None
    return requests.post(sandbox.url(f"{LIVE}/pushUrls"), data=data, files=files, timeout=10).json()


def go_live_url(sandbox, user: str = "xiaoming") -> tuple[str, dict]:
    """Log in and get a push URL; return the access token and the push reply's content."""
    token = login(sandbox, user=user)["access_token"]
    reply = push_urls(sandbox, token)
    assert reply["result"] == 0, reply
    return token, reply["content"]


def status(sandbox, access_token: str, name: str, app_id: str = APP_ID) -> dict:
    """Ask for a live's status."""
    params = {"app_id": app_id, "access_token": access_token}
    return requests.get(sandbox.url(f"{LIVE}/status/{name}"), params=params, timeout=10).json()


def stop_push(sandbox, access_token: str, name: str, **fields) -> dict:
    """Stop a live with a form body."""
    data = {"app_id": APP_ID, "access_token": access_token, "bizId": BIZ_ID, "liveStreamName": name}
    data.update(fields)
    data = {key: value for key, value in data.items() if value is not None}
    return requests.post(sandbox.url(f"{LIVE}/stopPush"), data=data, timeout=10).json()


def on_publish(sandbox, name: str, sign: str, *, app: str = "gifshow", clientid: str = "7") -> requests.Response:
    """Call the publish hook the way nginx-rtmp does."""
    form = {"call": "publish", "app": app, "name": name, "addr": "127.0.0.1", "clientid": clientid,
            "type": "live", "sign": sign}
    return requests.post(sandbox.url("/_ingest/on_publish"), data=form, timeout=10)


def on_publish_done(sandbox, name: str, *, clientid: str = "7") -> requests.Response:
    """Call the publish-done hook the way nginx-rtmp does."""
    form = {"call": "publish_done", "app": "gifshow", "name": name, "addr": "127.0.0.1", "clientid": clientid}
    return requests.post(sandbox.url("/_ingest/on_publish_done"), data=form, timeout=10)


def sign_of(push_url: str) -> str:
    """Return the sign query parameter of a push URL."""
    return push_url.split("?sign=", 1)[1]


def wait_for(predicate, timeout: float = 3.0) -> bool:
    """Poll until the predicate holds; return whether it did in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False
