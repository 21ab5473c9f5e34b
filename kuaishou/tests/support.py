"""Shared values and helpers for the Kuaishou client tests."""

import email
import email.policy
from urllib.parse import parse_qs, urlsplit

BASE_URL = "https://open.kuaishou.test"
APP_ID = "kslive-test-app"
APP_SECRET = "app-secret-S3CR3T"
BIZ_ID = "biz-42"
ACCESS_TOKEN = "access-token-T0K3N"
REFRESH_TOKEN = "refresh-token-R3FR3SH"
CODE = "auth-code-C0D3"
SIGN = "sign-S1GN"
SECRETS = (APP_SECRET, ACCESS_TOKEN, REFRESH_TOKEN, CODE, SIGN)

ACCESS_TOKEN_URL = f"{BASE_URL}/oauth2/access_token"
REFRESH_TOKEN_URL = f"{BASE_URL}/oauth2/refresh_token"
USER_INFO_URL = f"{BASE_URL}/openapi/user_info"
PUSH_URLS_URL = f"{BASE_URL}/openapi/kwaiUser/live/pushUrls"
STOP_PUSH_URL = f"{BASE_URL}/openapi/kwaiUser/live/stopPush"

STREAM_NAME = "kslive_stream_01"
STATUS_URL = f"{BASE_URL}/openapi/kwaiUser/live/status/{STREAM_NAME}"
PUSH_URL = f"rtmp://open-push.voip.yximgs.com/gifshow/{STREAM_NAME}?sign={SIGN}"
COVER = b"\xff\xd8\xff\xe0 fake jpeg \x00\x01\xff\xd9"


def query_of(request) -> dict[str, list[str]]:
    return parse_qs(urlsplit(request.url).query, keep_blank_values=True)


def form_of(request) -> dict[str, list[str]]:
    body = request.body.decode() if isinstance(request.body, bytes) else request.body
    return parse_qs(body, keep_blank_values=True)


def multipart_of(request) -> dict[str, email.message.EmailMessage]:
    """Parse a multipart/form-data request body into its parts, by field name."""
    head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
    message = email.message_from_bytes(head + request.body, policy=email.policy.HTTP)
    assert message.is_multipart()
    return {
        part.get_param("name", header="content-disposition"): part
        for part in message.iter_parts()
    }


def field_text(part) -> str:
    return part.get_payload(decode=True).decode()


def assert_no_secrets(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} leaked into {text!r}"


def oauth_token_reply(shape="documented", *, refresh=False, **overrides):
    """A token reply: exactly the auth document's example, or with what later pages add.

    The documented exchange reply has no scopes and no refresh lifetime; the documented
    refresh reply has no open_id either.
    """
    reply = {"result": 1, "access_token": ACCESS_TOKEN, "refresh_token": REFRESH_TOKEN, "expires_in": 172800}
    if not refresh:
        reply["open_id"] = "open-id-123"
    if shape == "extended":
        reply.update(refresh_token_expires_in=15552000, scopes=["user_info", "user_video_live"])
    reply.update(overrides)
    return reply
