import logging
import socket
from dataclasses import replace

import pytest
import requests

from kuaishou import (
    ApiError,
    KuaishouError,
    PushUrl,
    TokenGrant,
    TransportError,
    exchange_code,
    get_live_status,
    get_push_url,
    get_user_info,
    redact_url,
    refresh_access_token,
    stop_push,
)

from .support import (
    ACCESS_TOKEN,
    ACCESS_TOKEN_URL,
    APP_ID,
    APP_SECRET,
    CODE,
    COVER,
    PUSH_URL,
    PUSH_URLS_URL,
    REFRESH_TOKEN,
    REFRESH_TOKEN_URL,
    STATUS_URL,
    STOP_PUSH_URL,
    STREAM_NAME,
    USER_INFO_URL,
    assert_no_secrets,
)

# What requests itself would put in an exception message: the full URL, secrets and all.
LEAKY_URL = f"{ACCESS_TOKEN_URL}?app_id={APP_ID}&app_secret={APP_SECRET}&code={CODE}&grant_type=authorization_code"


def exchange(app):
    exchange_code(app, code=CODE)


def refresh(app):
    refresh_access_token(app, refresh_token=REFRESH_TOKEN)


def user_info(app):
    get_user_info(app, access_token=ACCESS_TOKEN)


def push_url(app):
    get_push_url(app, access_token=ACCESS_TOKEN, cover=COVER)


def stop(app):
    stop_push(app, access_token=ACCESS_TOKEN, live_stream_name=STREAM_NAME)


def status(app):
    get_live_status(app, access_token=ACCESS_TOKEN, live_stream_name=STREAM_NAME)


CALLS = [
    pytest.param(exchange, "GET", ACCESS_TOKEN_URL, id="exchange_code"),
    pytest.param(refresh, "GET", REFRESH_TOKEN_URL, id="refresh_access_token"),
    pytest.param(user_info, "GET", USER_INFO_URL, id="get_user_info"),
    pytest.param(push_url, "POST", PUSH_URLS_URL, id="get_push_url"),
    pytest.param(stop, "POST", STOP_PUSH_URL, id="stop_push"),
    pytest.param(status, "GET", STATUS_URL, id="get_live_status"),
]

# A success code without what the call needs: every call but stop_push needs more than that.
MALFORMED_SUCCESSES = [
    pytest.param(exchange, "GET", ACCESS_TOKEN_URL, {"result": 1}, id="exchange_code"),
    pytest.param(refresh, "GET", REFRESH_TOKEN_URL, {"result": 1}, id="refresh_access_token"),
    pytest.param(user_info, "GET", USER_INFO_URL, {"result": 1}, id="get_user_info"),
    pytest.param(push_url, "POST", PUSH_URLS_URL, {"result": 0}, id="get_push_url"),
    pytest.param(status, "GET", STATUS_URL, {"result": 0}, id="get_live_status"),
    pytest.param(
        status,
        "GET",
        STATUS_URL,
        {"result": 0, "content": {"liveStreamName": STREAM_NAME}},
        id="get_live_status-no-status",
    ),
]

SENT = {
    exchange: CODE,
    refresh: REFRESH_TOKEN,
    user_info: ACCESS_TOKEN,
    push_url: ACCESS_TOKEN,
    stop: ACCESS_TOKEN,
    status: ACCESS_TOKEN,
}

FAILURES = [
    pytest.param({"body": requests.ReadTimeout(f"Read timed out. (url: {LEAKY_URL})")}, id="timeout"),
    pytest.param({"body": requests.ConnectionError(f"Max retries exceeded with url: {LEAKY_URL}")}, id="connection"),
    pytest.param({"status": 500, "body": f"<html>error at {LEAKY_URL}</html>"}, id="http-500"),
    pytest.param({"status": 429, "body": ""}, id="http-429"),
    pytest.param({"status": 404, "body": f"no route {LEAKY_URL}"}, id="http-404"),
    pytest.param({"status": 200, "body": f"<html>{LEAKY_URL}</html>"}, id="html-body"),
    pytest.param({"status": 200, "body": "{not json"}, id="invalid-json"),
    pytest.param({"status": 200, "json": {"echo": LEAKY_URL}}, id="json-without-result"),
]


def test_redact_url_masks_secret_query_values():
    redacted = redact_url(f"{LEAKY_URL}&refresh_token={REFRESH_TOKEN}&access_token={ACCESS_TOKEN}")

    assert redacted == (
        f"{ACCESS_TOKEN_URL}?app_id={APP_ID}&app_secret=***&code=***"
        "&grant_type=authorization_code&refresh_token=***&access_token=***"
    )


def test_redact_url_masks_the_sign_of_a_push_url():
    assert redact_url(PUSH_URL) == f"rtmp://open-push.voip.yximgs.com/gifshow/{STREAM_NAME}?sign=***"


def test_redact_url_leaves_a_url_without_query_alone():
    assert redact_url(STOP_PUSH_URL) == STOP_PUSH_URL


def test_app_credentials_repr_hides_the_secret(app):
    assert APP_SECRET not in repr(app)
    assert APP_ID in repr(app)


def test_token_grant_repr_hides_the_tokens():
    grant = TokenGrant(ACCESS_TOKEN, 172800, REFRESH_TOKEN, 15552000, "open-id-123", ("user_info",))

    assert_no_secrets(repr(grant), str(grant))
    assert "open-id-123" in repr(grant)


def test_push_url_repr_hides_the_url():
    push = PushUrl(push_url=PUSH_URL, live_stream_name=STREAM_NAME)

    assert_no_secrets(repr(push), str(push))
    assert STREAM_NAME in repr(push)


@pytest.mark.parametrize("call, method, url", CALLS)
@pytest.mark.parametrize("stub", FAILURES)
def test_transport_errors_and_logs_carry_no_secret(app, upstream, caplog, call, method, url, stub):
    upstream.add(method, url, **stub)
    caplog.set_level(logging.DEBUG, logger="kuaishou")

    with pytest.raises(TransportError) as caught:
        call(app)

    assert_no_secrets(str(caught.value), repr(caught.value), caplog.text)


@pytest.mark.parametrize("call, method, url, reply", MALFORMED_SUCCESSES)
def test_malformed_success_errors_and_logs_carry_no_secret(app, upstream, caplog, call, method, url, reply):
    upstream.add(method, url, json=reply)
    caplog.set_level(logging.DEBUG, logger="kuaishou")

    with pytest.raises(TransportError) as caught:
        call(app)

    assert caught.value.retryable
    assert_no_secrets(str(caught.value), repr(caught.value), caplog.text)


@pytest.mark.parametrize("call, method, url", CALLS)
def test_transport_errors_do_not_chain_the_leaky_requests_exception(app, upstream, call, method, url):
    upstream.add(method, url, body=requests.ConnectionError(f"Max retries exceeded with url: {LEAKY_URL}"))

    with pytest.raises(TransportError) as caught:
        call(app)

    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None


def test_a_real_connection_failure_carries_no_secret(app, caplog):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    caplog.set_level(logging.DEBUG, logger="kuaishou")

    with pytest.raises(TransportError) as caught:
        exchange_code(replace(app, base_url=f"http://127.0.0.1:{closed_port}", timeout=2), code=CODE)

    assert caught.value.retryable
    assert "app_secret=***" in caught.value.message
    assert_no_secrets(str(caught.value), repr(caught.value), caplog.text)


@pytest.mark.parametrize("call, method, url", CALLS)
def test_an_upstream_message_echoing_our_secrets_is_scrubbed(app, upstream, caplog, call, method, url):
    # Each call can only scrub what it sent; the app secret it always knows.
    echo = f"bad request {APP_SECRET} {SENT[call]}"
    upstream.add(method, url, json={"result": 400001, "error_msg": echo, "error": "invalid_request"})
    caplog.set_level(logging.DEBUG, logger="kuaishou")

    with pytest.raises(ApiError) as caught:
        call(app)

    assert caught.value.message == "bad request *** ***"
    assert_no_secrets(str(caught.value), repr(caught.value), caplog.text)


def test_each_call_logs_one_line_with_method_path_result_and_duration(app, upstream, caplog):
    upstream.post(
        PUSH_URLS_URL,
        json={"result": 0, "content": {"pushUrl": PUSH_URL, "liveStreamName": STREAM_NAME}},
    )
    caplog.set_level(logging.DEBUG, logger="kuaishou")

    get_push_url(app, access_token=ACCESS_TOKEN, cover=COVER)

    [record] = caplog.records
    assert record.name == "kuaishou"
    assert record.getMessage().startswith("POST /openapi/kwaiUser/live/pushUrls -> HTTP 200, result 0 in ")
    assert record.getMessage().endswith(" ms")
    assert_no_secrets(caplog.text)
    assert PUSH_URL not in caplog.text


def test_a_get_logs_its_path_without_the_query(app, upstream, caplog):
    upstream.get(USER_INFO_URL, json={"result": 1, "user_info": {}})
    caplog.set_level(logging.DEBUG, logger="kuaishou")

    get_user_info(app, access_token=ACCESS_TOKEN)

    [record] = caplog.records
    assert record.getMessage().startswith("GET /openapi/user_info -> HTTP 200, result 1 in ")
    assert "?" not in record.getMessage()


def test_api_error_repr_names_the_code_but_not_the_verify_url():
    error = ApiError(result=400020, face_verify_url="https://verify.test/face?ticket=T1CK3T")

    assert repr(error).startswith("ApiError(result=400020, blame='person', host_name=None, message=")
    assert "T1CK3T" not in repr(error) + str(error)
    assert isinstance(error, KuaishouError)
