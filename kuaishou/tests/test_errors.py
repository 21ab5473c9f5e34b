import pickle
from dataclasses import replace

import pytest
import requests

from kuaishou import (
    RESULT_CODES,
    ApiError,
    Blame,
    Result,
    KuaishouError,
    TransportError,
    exchange_code,
    get_live_status,
    get_push_url,
    get_user_info,
    stop_push,
)

from .support import (
    ACCESS_TOKEN,
    ACCESS_TOKEN_URL,
    CODE,
    COVER,
    PUSH_URLS_URL,
    STATUS_URL,
    STOP_PUSH_URL,
    STREAM_NAME,
    USER_INFO_URL,
)

P, O, T, R = Blame.PERSON, Blame.OPERATOR, Blame.TRANSIENT, Blame.REFUSED

# Whose fault each documented code is: the person's (re-consent, a permission, another cover),
# the operator's (our app's configuration), passing trouble, or a request refused for good.
OAUTH_CODES = [
    (100200100, "invalid_request", O),
    (100200101, "unauthorized_client", O),
    (100200102, "access_denied", P),
    (100200103, "unsupported_response_type", O),
    (100200104, "unsupported_grant_type", O),
    (100200105, "invalid_grant", P),
    (100200106, "invalid_scope", P),
    (100200107, "invalid_openid", O),
    (100200500, "server_error", T),
]

LIVE_CODES = [
    (200100, O),
    (200102, P),
    (400001, R),
    (400002, T),
    (400003, T),
    (400005, R),
    (400006, P),
    (400008, P),
    (400009, R),
    (400013, R),
    (400014, P),
    (400020, P),
]


def test_every_documented_code_is_in_the_table():
    documented = {code for code, _, _ in OAUTH_CODES} | {code for code, _ in LIVE_CODES}

    assert set(RESULT_CODES) == documented


def test_every_code_in_the_table_has_a_name():
    assert set(RESULT_CODES) <= set(Result)


@pytest.mark.parametrize("result, error, blame", OAUTH_CODES)
def test_oauth_failure_codes_raise_api_errors_that_say_whose_fault_they_are(app, upstream, result, error, blame):
    upstream.get(ACCESS_TOKEN_URL, json={"result": result, "error": error, "error_msg": f"upstream says {error}"})

    with pytest.raises(ApiError) as caught:
        exchange_code(app, code=CODE)

    assert caught.value.result == result
    assert caught.value.error == error
    assert caught.value.blame is blame
    assert caught.value.retryable is (blame is Blame.TRANSIENT)
    assert caught.value.message == f"upstream says {error}"
    assert str(caught.value) == f"upstream says {error}"


@pytest.mark.parametrize("result, blame", LIVE_CODES)
def test_live_failure_codes_raise_api_errors_that_say_whose_fault_they_are(app, upstream, result, blame):
    upstream.post(STOP_PUSH_URL, json={"result": result, "error_msg": f"live says {result}", "content": None})

    with pytest.raises(ApiError) as caught:
        stop_push(app, access_token=ACCESS_TOKEN, live_stream_name=STREAM_NAME)

    assert caught.value.result == result
    assert caught.value.blame is blame
    assert caught.value.message == f"live says {result}"
    assert caught.value.token_rejected is (result == 200102)


def test_a_failure_names_the_kuaishou_server_that_answered(app, upstream, caplog):
    upstream.post(STOP_PUSH_URL, json={"result": 400003, "content": None, "hostName": "live-api-7"})

    with pytest.raises(ApiError) as caught:
        stop_push(app, access_token=ACCESS_TOKEN, live_stream_name=STREAM_NAME)

    assert caught.value.host_name == "live-api-7"
    assert "from live-api-7" in caplog.text
    assert any(record.levelname == "WARNING" for record in caplog.records)


HOST = {"hostName": "live-api-7"}
# Success replies that lack what the client cannot work without, and the call that reads each.
INCOMPLETE_REPLIES = {
    "exchange without open_id": (
        "GET", ACCESS_TOKEN_URL, {"result": 1, "access_token": "a", "expires_in": 60, "refresh_token": "r", **HOST},
        lambda app: exchange_code(app, code=CODE)),
    "exchange without a token": (
        "GET", ACCESS_TOKEN_URL, {"result": 1, "open_id": "o", "expires_in": 60, "refresh_token": "r", **HOST},
        lambda app: exchange_code(app, code=CODE)),
    "profile without user_info": (
        "GET", USER_INFO_URL, {"result": 1, **HOST}, lambda app: get_user_info(app, access_token=ACCESS_TOKEN)),
    "push URL without content": (
        "POST", PUSH_URLS_URL, {"result": 0, "content": None, **HOST},
        lambda app: get_push_url(app, access_token=ACCESS_TOKEN, cover=COVER)),
    "push URL without pushUrl": (
        "POST", PUSH_URLS_URL, {"result": 0, "content": {"liveStreamName": STREAM_NAME}, **HOST},
        lambda app: get_push_url(app, access_token=ACCESS_TOKEN, cover=COVER)),
    "push URL without a stream name": (
        "POST", PUSH_URLS_URL, {"result": 0, "content": {"pushUrl": "rtmp://push.example/"}, **HOST},
        lambda app: get_push_url(app, access_token=ACCESS_TOKEN, cover=COVER)),
    "status without status": (
        "GET", STATUS_URL, {"result": 0, "content": {}, **HOST},
        lambda app: get_live_status(app, access_token=ACCESS_TOKEN, live_stream_name=STREAM_NAME)),
}


@pytest.mark.parametrize("method, url, reply, call", INCOMPLETE_REPLIES.values(), ids=INCOMPLETE_REPLIES.keys())
def test_an_incomplete_success_reply_names_the_kuaishou_server_that_sent_it(app, upstream, method, url, reply, call):
    upstream.add(method, url, json=reply)

    with pytest.raises(TransportError, match="lacks a usable") as caught:
        call(app)

    assert caught.value.host_name == "live-api-7"
    assert "live-api-7" in str(caught.value)
    assert caught.value.retryable


def test_an_incomplete_reply_without_a_host_name_names_none(app, upstream):
    upstream.post(PUSH_URLS_URL, json={"result": 0, "content": None})

    with pytest.raises(TransportError) as caught:
        get_push_url(app, access_token=ACCESS_TOKEN, cover=COVER)

    assert caught.value.host_name is None
    assert str(caught.value) == "Kuaishou's reply lacks a usable 'content'"


@pytest.mark.parametrize("result, blame", LIVE_CODES)
def test_live_failure_without_a_message_gets_a_generic_one_naming_the_code(app, upstream, result, blame):
    upstream.get(STATUS_URL, json={"result": result, "content": None})

    with pytest.raises(ApiError) as caught:
        get_live_status(app, access_token=ACCESS_TOKEN, live_stream_name=STREAM_NAME)

    assert caught.value.message == f"Kuaishou answered result {result} ({RESULT_CODES[result].meaning})"


def test_oauth_failure_without_error_msg_falls_back_to_the_error_name(app, upstream):
    upstream.get(ACCESS_TOKEN_URL, json={"result": 100200105, "error": "invalid_grant"})

    with pytest.raises(ApiError) as caught:
        exchange_code(app, code=CODE)

    assert caught.value.message == "invalid_grant"
    assert caught.value.error == "invalid_grant"


def test_a_token_rejected_by_an_oauth_call_is_flagged(app, upstream):
    upstream.get(USER_INFO_URL, json={"result": 100200102, "error": "access_denied"})

    with pytest.raises(ApiError) as caught:
        get_user_info(app, access_token=ACCESS_TOKEN)

    assert caught.value.token_rejected
    assert not caught.value.retryable


def test_a_live_call_answering_the_oauth_token_error_is_flagged_too(app, upstream):
    upstream.post(PUSH_URLS_URL, json={"result": 100200102, "error": "access_denied"})

    with pytest.raises(ApiError) as caught:
        get_push_url(app, access_token=ACCESS_TOKEN, cover=COVER)

    assert caught.value.token_rejected


def test_face_check_carries_the_verify_url_from_content(app, upstream):
    upstream.post(
        PUSH_URLS_URL,
        json={"result": 400020, "content": {"qrCodeFaceVerifyUrl": "https://verify.test/face?id=1"}},
    )

    with pytest.raises(ApiError) as caught:
        get_push_url(app, access_token=ACCESS_TOKEN, cover=COVER)

    assert caught.value.face_verify_url == "https://verify.test/face?id=1"
    assert not caught.value.retryable


def test_face_check_carries_the_verify_url_from_the_top_level(app, upstream):
    upstream.post(
        PUSH_URLS_URL,
        json={"result": 400020, "content": None, "qrCodeFaceVerifyUrl": "https://verify.test/face?id=2"},
    )

    with pytest.raises(ApiError) as caught:
        get_push_url(app, access_token=ACCESS_TOKEN, cover=COVER)

    assert caught.value.face_verify_url == "https://verify.test/face?id=2"


def test_other_failures_carry_no_verify_url(app, upstream):
    upstream.post(PUSH_URLS_URL, json={"result": 400006, "content": None})

    with pytest.raises(ApiError) as caught:
        get_push_url(app, access_token=ACCESS_TOKEN, cover=COVER)

    assert caught.value.face_verify_url is None


def test_an_unknown_code_is_permanent_and_keeps_the_upstream_message(app, upstream):
    upstream.post(PUSH_URLS_URL, json={"result": 777001, "error_msg": "新的错误"})

    with pytest.raises(ApiError) as caught:
        get_push_url(app, access_token=ACCESS_TOKEN, cover=COVER)

    assert caught.value.result == 777001
    assert caught.value.message == "新的错误"
    assert caught.value.blame is Blame.REFUSED
    assert not caught.value.retryable


def test_an_unknown_code_without_a_message_names_the_code(app, upstream):
    upstream.post(PUSH_URLS_URL, json={"result": 777001})

    with pytest.raises(ApiError, match=r"result 777001 \(unknown result code\)"):
        get_push_url(app, access_token=ACCESS_TOKEN, cover=COVER)


def test_the_live_success_code_is_a_failure_on_oauth_endpoints(app, upstream):
    upstream.get(ACCESS_TOKEN_URL, json={"result": 0})

    with pytest.raises(ApiError) as caught:
        exchange_code(app, code=CODE)

    assert caught.value.result == 0


def test_the_oauth_success_code_is_a_failure_on_live_endpoints(app, upstream):
    upstream.post(STOP_PUSH_URL, json={"result": 1})

    with pytest.raises(ApiError) as caught:
        stop_push(app, access_token=ACCESS_TOKEN, live_stream_name=STREAM_NAME)

    assert caught.value.result == 1


def test_a_result_code_sent_as_a_string_is_still_read(app, upstream):
    upstream.post(STOP_PUSH_URL, json={"result": "400002"})

    with pytest.raises(ApiError) as caught:
        stop_push(app, access_token=ACCESS_TOKEN, live_stream_name=STREAM_NAME)

    assert caught.value.result == 400002
    assert caught.value.retryable


def test_a_failure_result_under_an_http_error_status_is_still_an_api_error(app, upstream):
    upstream.post(STOP_PUSH_URL, status=500, json={"result": 400003, "error_msg": "server busy"})

    with pytest.raises(ApiError) as caught:
        stop_push(app, access_token=ACCESS_TOKEN, live_stream_name=STREAM_NAME)

    assert caught.value.result == 400003
    assert caught.value.retryable


@pytest.mark.parametrize(
    "stub, retryable, http_status",
    [
        pytest.param({"body": requests.ReadTimeout("read timed out")}, True, None, id="timeout"),
        pytest.param({"body": requests.ConnectTimeout("connect timed out")}, True, None, id="connect-timeout"),
        pytest.param({"body": requests.ConnectionError("refused")}, True, None, id="connection-error"),
        pytest.param({"body": requests.exceptions.ChunkedEncodingError("cut")}, True, None, id="cut-short"),
        pytest.param({"status": 500, "body": "Internal Server Error"}, True, 500, id="http-500"),
        pytest.param({"status": 502, "body": "<html>Bad Gateway</html>"}, True, 502, id="http-502"),
        pytest.param({"status": 503, "body": ""}, True, 503, id="http-503"),
        pytest.param({"status": 429, "body": "slow down"}, True, 429, id="http-429"),
        pytest.param({"status": 200, "body": "<html>login portal</html>"}, True, 200, id="html-body"),
        pytest.param({"status": 200, "body": '{"result": 0,'}, True, 200, id="invalid-json"),
        pytest.param({"status": 200, "json": [0]}, True, 200, id="json-not-an-object"),
        pytest.param({"status": 200, "json": {"content": None}}, True, 200, id="json-without-result"),
        pytest.param({"status": 200, "json": {"result": None}}, True, 200, id="null-result"),
        # A 4xx or redirect without a result code means a wrong base_url or path: fails every time.
        pytest.param({"status": 404, "body": "<html>Not Found</html>"}, False, 404, id="http-404"),
        pytest.param({"status": 403, "body": ""}, False, 403, id="http-403"),
        pytest.param({"status": 302, "headers": {"Location": "https://elsewhere.test/"}}, False, 302, id="redirect"),
    ],
)
def test_no_usable_reply_raises_transport_error(app, upstream, stub, retryable, http_status):
    # Not retryable means the same every time: our base URL, our app's standing. The operator's.
    upstream.post(STOP_PUSH_URL, **stub)

    with pytest.raises(TransportError) as caught:
        stop_push(app, access_token=ACCESS_TOKEN, live_stream_name=STREAM_NAME)

    assert caught.value.retryable is retryable
    assert caught.value.blame is (Blame.TRANSIENT if retryable else Blame.OPERATOR)
    assert caught.value.http_status == http_status
    assert caught.value.result is None
    assert "/openapi/kwaiUser/live/stopPush" in caught.value.message


def test_a_redirect_is_not_followed(app, upstream):
    upstream.get(ACCESS_TOKEN_URL, status=301, headers={"Location": "https://elsewhere.test/steal"})

    with pytest.raises(TransportError):
        exchange_code(app, code=CODE)

    assert len(upstream.calls) == 1


def test_a_malformed_base_url_is_a_permanent_transport_error(app, upstream):
    with pytest.raises(TransportError) as caught:
        stop_push(replace(app, base_url="open.kuaishou.com"), access_token=ACCESS_TOKEN, live_stream_name=STREAM_NAME)

    assert not caught.value.retryable
    assert caught.value.blame is Blame.OPERATOR


def test_all_client_errors_share_one_family():
    assert issubclass(ApiError, KuaishouError)
    assert issubclass(TransportError, KuaishouError)
    assert issubclass(KuaishouError, Exception)


def test_errors_survive_pickling_for_task_queues():
    api_error = ApiError("人脸验证", result=400020, face_verify_url="https://verify.test/f")
    transport_error = TransportError("GET /x answered HTTP 404", permanent=True, http_status=404)

    api_copy = pickle.loads(pickle.dumps(api_error))
    transport_copy = pickle.loads(pickle.dumps(transport_error))

    assert (api_copy.result, api_copy.message, api_copy.face_verify_url) == (400020, "人脸验证", "https://verify.test/f")
    assert api_copy.blame is Blame.PERSON
    assert (transport_copy.retryable, transport_copy.blame, transport_copy.http_status) == (False, Blame.OPERATOR, 404)


@pytest.mark.parametrize("name, result", [("server_error", 100200500), ("unauthorized_client", 100200101),
                                          ("invalid_scope", 100200106), ("made_up", None)])
def test_a_consent_error_name_maps_to_its_result_code(name, result):
    from kuaishou import result_for_oauth_error

    assert result_for_oauth_error(name) == result
