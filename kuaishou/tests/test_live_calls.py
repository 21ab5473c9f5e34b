from dataclasses import replace
from urllib.parse import urlsplit

import pytest

from kuaishou import LiveState, LiveStatus, PushUrl, TransportError, get_live_status, get_push_url, stop_push

from .support import (
    ACCESS_TOKEN,
    APP_ID,
    BASE_URL,
    BIZ_ID,
    COVER,
    PUSH_URL,
    PUSH_URLS_URL,
    SIGN,
    STATUS_URL,
    STOP_PUSH_URL,
    STREAM_NAME,
    field_text,
    form_of,
    multipart_of,
    query_of,
)



def push_url_reply(push_url=PUSH_URL, name=STREAM_NAME):
    return {"result": 0, "content": {"pushUrl": push_url, "liveStreamName": name}, "hostName": "live-api-7"}


def test_get_push_url_sends_the_documented_multipart_form(app, upstream):
    upstream.post(PUSH_URLS_URL, json=push_url_reply())

    get_push_url(
        app, access_token=ACCESS_TOKEN, cover=COVER, caption="周末直播", panoramic=2, device_name="DJI Mini 4"
    )

    request = upstream.calls[0].request
    assert request.method == "POST"
    assert request.url == PUSH_URLS_URL
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    parts = multipart_of(request)
    assert set(parts) == {"app_id", "access_token", "bizId", "caption", "panoramic", "shopLive", "deviceName", "file"}
    assert {name: field_text(part) for name, part in parts.items() if name != "file"} == {
        "app_id": APP_ID,
        "access_token": ACCESS_TOKEN,
        "bizId": BIZ_ID,
        "caption": "周末直播",
        "panoramic": "2",
        "shopLive": "false",
        "deviceName": "DJI Mini 4",
    }
    assert request.req_kwargs["timeout"] == app.timeout


def test_get_push_url_uploads_the_cover_as_cover_jpg(app, upstream):
    upstream.post(PUSH_URLS_URL, json=push_url_reply())

    get_push_url(app, access_token=ACCESS_TOKEN, cover=COVER)

    cover = multipart_of(upstream.calls[0].request)["file"]
    assert cover.get_filename() == "cover.jpg"
    assert cover.get_content_type() == "image/jpeg"
    assert cover.get_payload(decode=True) == COVER


def test_get_push_url_sends_the_documented_defaults(app, upstream):
    upstream.post(PUSH_URLS_URL, json=push_url_reply())

    get_push_url(app, access_token=ACCESS_TOKEN, cover=COVER)

    parts = multipart_of(upstream.calls[0].request)
    assert field_text(parts["caption"]) == ""
    assert field_text(parts["panoramic"]) == "0"
    assert field_text(parts["shopLive"]) == "false"
    assert field_text(parts["deviceName"]) == ""


def test_get_push_url_spells_shop_live_as_lowercase_true(app, upstream):
    upstream.post(PUSH_URLS_URL, json=push_url_reply())

    get_push_url(app, access_token=ACCESS_TOKEN, cover=COVER, shop_live=True)

    assert field_text(multipart_of(upstream.calls[0].request)["shopLive"]) == "true"


def test_get_push_url_keeps_the_token_out_of_the_url(app, upstream):
    upstream.post(PUSH_URLS_URL, json=push_url_reply())

    get_push_url(app, access_token=ACCESS_TOKEN, cover=COVER)

    assert urlsplit(upstream.calls[0].request.url).query == ""


@pytest.mark.parametrize(
    "bad",
    [
        {"cover": "not bytes"},
        {"panoramic": "1"},
        {"panoramic": True},
        {"shop_live": "true"},
    ],
)
def test_get_push_url_refuses_arguments_of_the_wrong_type(app, upstream, bad):
    arguments = {"access_token": ACCESS_TOKEN, "cover": COVER} | bad

    with pytest.raises(TypeError):
        get_push_url(app, **arguments)

    assert len(upstream.calls) == 0


def test_get_push_url_returns_the_push_url(app, upstream):
    upstream.post(PUSH_URLS_URL, json=push_url_reply())

    push = get_push_url(app, access_token=ACCESS_TOKEN, cover=COVER)

    assert push == PushUrl(push_url=PUSH_URL, live_stream_name=STREAM_NAME)


def test_get_push_url_treats_a_success_without_a_push_url_as_malformed(app, upstream):
    reply = push_url_reply()
    del reply["content"]["pushUrl"]
    upstream.post(PUSH_URLS_URL, json=reply)

    with pytest.raises(TransportError, match="pushUrl") as caught:
        get_push_url(app, access_token=ACCESS_TOKEN, cover=COVER)

    assert caught.value.retryable


def test_get_push_url_takes_the_stream_name_from_the_push_url_when_the_reply_lacks_it(app, upstream):
    reply = push_url_reply()
    del reply["content"]["liveStreamName"]
    upstream.post(PUSH_URLS_URL, json=reply)

    push = get_push_url(app, access_token=ACCESS_TOKEN, cover=COVER)

    assert push == PushUrl(push_url=PUSH_URL, live_stream_name=STREAM_NAME)


def test_get_push_url_treats_a_success_with_null_content_as_malformed(app, upstream):
    upstream.post(PUSH_URLS_URL, json={"result": 0, "content": None})

    with pytest.raises(TransportError, match="content"):
        get_push_url(app, access_token=ACCESS_TOKEN, cover=COVER)


def test_push_url_splits_into_server_and_stream_key_for_encoders():
    push = PushUrl(push_url=PUSH_URL, live_stream_name=STREAM_NAME)

    assert push.rtmp_server == "rtmp://open-push.voip.yximgs.com/gifshow/"
    assert push.stream_key == f"{STREAM_NAME}?sign={SIGN}"
    assert push.rtmp_server + push.stream_key == PUSH_URL


def test_push_url_spells_out_the_rtmp_port_for_picky_devices():
    push = PushUrl(push_url=PUSH_URL, live_stream_name=STREAM_NAME)

    assert push.with_port == f"rtmp://open-push.voip.yximgs.com:1935/gifshow/{STREAM_NAME}?sign={SIGN}"


def test_push_url_keeps_an_explicit_port():
    url = f"rtmp://127.0.0.1:19350/gifshow/{STREAM_NAME}?sign={SIGN}"
    push = PushUrl(push_url=url, live_stream_name=STREAM_NAME)

    assert push.with_port == url
    assert push.rtmp_server == "rtmp://127.0.0.1:19350/gifshow/"
    assert push.stream_key == f"{STREAM_NAME}?sign={SIGN}"


def test_push_url_without_a_sign_has_a_bare_stream_key():
    push = PushUrl(push_url=f"rtmp://h.test/gifshow/{STREAM_NAME}", live_stream_name=STREAM_NAME)

    assert push.stream_key == STREAM_NAME


def test_stop_push_sends_the_documented_form_body(app, upstream):
    upstream.post(STOP_PUSH_URL, json={"result": 0, "content": None, "hostName": "live-api-7"})

    assert stop_push(app, access_token=ACCESS_TOKEN, live_stream_name=STREAM_NAME) is None

    request = upstream.calls[0].request
    assert request.method == "POST"
    assert request.url == STOP_PUSH_URL
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form_of(request) == {
        "app_id": [APP_ID],
        "access_token": [ACCESS_TOKEN],
        "bizId": [BIZ_ID],
        "liveStreamName": [STREAM_NAME],
    }
    assert request.req_kwargs["timeout"] == app.timeout


def status_reply(status, message="说明", shape="documented"):
    # The document's own example garbles the stream-name key; later pages spell it cleanly.
    name_key = "liveStreamName" if shape == "extended" else "\u201cliveStreamName\u201d"
    return {"result": 0, "content": {name_key: STREAM_NAME, "status": status, "statusMsg": message},
            "hostName": "live-api-7"}


def test_get_live_status_sends_the_documented_query(app, upstream):
    upstream.get(STATUS_URL, json=status_reply("LIVING", "直播中"))

    get_live_status(app, access_token=ACCESS_TOKEN, live_stream_name=STREAM_NAME)

    request = upstream.calls[0].request
    assert request.method == "GET"
    assert urlsplit(request.url).path == f"/openapi/kwaiUser/live/status/{STREAM_NAME}"
    assert query_of(request) == {"app_id": [APP_ID], "access_token": [ACCESS_TOKEN]}
    assert request.req_kwargs["timeout"] == app.timeout


def test_get_live_status_quotes_the_stream_name_into_the_path(app, upstream):
    odd_name = "live/01 ?#"
    upstream.get(f"{BASE_URL}/openapi/kwaiUser/live/status/live%2F01%20%3F%23", json=status_reply("LIVE_END"))

    status = get_live_status(app, access_token=ACCESS_TOKEN, live_stream_name=odd_name)

    assert urlsplit(upstream.calls[0].request.url).path == "/openapi/kwaiUser/live/status/live%2F01%20%3F%23"
    assert status.live_stream_name == odd_name


@pytest.mark.parametrize("state", list(LiveState))
def test_get_live_status_returns_each_documented_state(app, upstream, state, shape):
    upstream.get(STATUS_URL, json=status_reply(state.value, shape=shape))

    status = get_live_status(app, access_token=ACCESS_TOKEN, live_stream_name=STREAM_NAME)

    assert status == LiveStatus(live_stream_name=STREAM_NAME, status=state, status_message="说明",
                                raw_status=state.value)


def test_get_live_status_needs_no_stream_name_in_the_reply(app, upstream):
    upstream.get(STATUS_URL, json={"result": 0, "content": {"status": "LIVING"}})

    status = get_live_status(app, access_token=ACCESS_TOKEN, live_stream_name=STREAM_NAME)

    assert (status.live_stream_name, status.status, status.status_message) == (STREAM_NAME, LiveState.LIVING, "")


@pytest.mark.parametrize("raw", ["PAUSED", "", "living", None])
def test_get_live_status_calls_an_empty_or_unknown_state_unknown_this_time(app, upstream, raw, caplog):
    upstream.get(STATUS_URL, json={"result": 0, "content": {"status": raw, "statusMsg": "审核中"}})

    status = get_live_status(app, access_token=ACCESS_TOKEN, live_stream_name=STREAM_NAME)

    assert status.status is None
    assert status.status_message == "审核中"
    assert status.raw_status == (raw or "")
    assert "unknown status" in caplog.text


def test_get_live_status_treats_a_reply_without_a_status_as_malformed(app, upstream):
    upstream.get(STATUS_URL, json={"result": 0, "content": {"statusMsg": "?"}})

    with pytest.raises(TransportError, match="status") as caught:
        get_live_status(app, access_token=ACCESS_TOKEN, live_stream_name=STREAM_NAME)

    assert caught.value.retryable


def test_live_calls_honour_a_base_url_with_a_path_prefix(app, upstream):
    upstream.post("http://sandbox.test:8000/ks/openapi/kwaiUser/live/stopPush", json={"result": 0})

    stop_push(
        replace(app, base_url="http://sandbox.test:8000/ks/"), access_token=ACCESS_TOKEN, live_stream_name=STREAM_NAME
    )

    assert len(upstream.calls) == 1


def test_the_shared_session_keeps_a_connection_for_each_of_a_workers_poll_threads():
    from kuaishou import client

    adapter = client.get_session().get_adapter("https://open.kuaishou.com/")

    assert adapter._pool_maxsize >= 16
