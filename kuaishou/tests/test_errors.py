import pickle
from dataclasses import replace

import pytest
import requests

from kuaishou import (
    RESULT_CODES,
    ApiError,
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

OAUTH_CODES = [
    (100200100, "invalid_request", False),
    (100200101, "unauthorized_client", False),
    (100200102, "access_denied", False),
    (100200103, "unsupported_response_type", False),
    (100200104, "unsupported_grant_type", False),
    (100200105, "invalid_grant", False),
    (100200106, "invalid_scope", False),
    (100200107, "invalid_openid", False),
    (100200500, "server_error", True),
]

LIVE_CODES = [
    (200100, False),
    (200102, False),
    (400001, False),
    (400002, True),
    (400003, True),
    (400005, False),
    (400006, False),
    (400008, False),
    (400009, False),
    (400013, False),
    (400014, False),
    (400020, False),
]

PREDICATES = [
    "token_rejected",
    "app_rejected",
    "grant_rejected",
    "face_check_required",
    "lacks_live_permission",
    "lacks_shop_live_permission",
    "cover_rejected",
]

EXPECTED_PREDICATE = {
    100200101: "app_rejected",
    100200102: "token_rejected",
    100200105: "grant_rejected",
    200100: "app_rejected",
    200102: "token_rejected",
    400006: "lacks_live_permission",
    400008: "lacks_shop_live_permission",
    400014: "cover_rejected",
    400020: "face_check_required",
}


def predicates_of(error: ApiError) -> dict[str, bool]:
    return {name: getattr(error, name) for name in PREDICATES}


def expected_predicates(result: int) -> dict[str, bool]:
    return {name: name == EXPECTED_PREDICATE.get(result) for name in PREDICATES}


def test_every_documented_code_is_in_the_table():
    documented = {code for code, _, _ in OAUTH_CODES} | {code for code, _ in LIVE_CODES}

    assert set(RESULT_CODES) == documented


@pytest.mark.parametrize("result, error, retryable", OAUTH_CODES)
def test_oauth_failure_codes_raise_classified_api_errors(app, upstream, result, error, retryable):
    upstream.get(ACCESS_TOKEN_URL, json={"result": result, "error": error, "error_msg": f"upstream says {error}"})

    with pytest.raises(ApiError) as caught:
        exchange_code(app, code=CODE)

    assert caught.value.result == result
    assert caught.value.error == error
    assert caught.value.retryable is retryable
    assert caught.value.message == f"upstream says {error}"
    assert str(caught.value) == f"upstream says {error}"
    assert predicates_of(caught.value) == expected_predicates(result)


@pytest.mark.parametrize("result, retryable", LIVE_CODES)
def test_live_failure_codes_raise_classified_api_errors(app, upstream, result, retryable):
    upstream.post(STOP_PUSH_URL, json={"result": result, "error_msg": f"live says {result}", "content": None})

    with pytest.raises(ApiError) as caught:
        stop_push(app, access_token=ACCESS_TOKEN, live_stream_name=STREAM_NAME)

    assert caught.value.result == result
    assert caught.value.retryable is retryable
    assert caught.value.message == f"live says {result}"
    assert predicates_of(caught.value) == expected_predicates(result)


@pytest.mark.parametrize("result, retryable", LIVE_CODES)
def test_live_failure_without_a_message_gets_a_generic_one_naming_the_code(app, upstream, result, retryable):
    upstream.get(STATUS_URL, json={"result": result, "content": None})

    with pytest.raises(ApiError) as caught:
        get_live_status(app, access_token=ACCESS_TOKEN, live_stream_name=STREAM_NAME)

    assert caught.value.message == f"Kuaishou answered result {result} ({RESULT_CODES[result].meaning})"
    assert caught.value.retryable is retryable


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

    assert caught.value.face_check_required
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
    assert not caught.value.retryable
    assert not any(predicates_of(caught.value).values())


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
    upstream.post(STOP_PUSH_URL, **stub)

    with pytest.raises(TransportError) as caught:
        stop_push(app, access_token=ACCESS_TOKEN, live_stream_name=STREAM_NAME)

    assert caught.value.retryable is retryable
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
    assert api_copy.face_check_required
    assert (transport_copy.retryable, transport_copy.http_status) == (False, 404)
