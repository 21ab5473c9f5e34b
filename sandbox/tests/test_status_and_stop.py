"""Live status and stopPush: what the app sees over a live's lifetime."""

import pytest
import requests

from sandbox.tests.support import (
    APP_ID, BIZ_ID, go_live_url, login, on_publish, sign_of, status, stop_push, wait_for,
)


def content(reply):
    assert reply["result"] == 0, reply
    return reply["content"]


def test_a_new_push_url_is_not_started_and_its_name_key_is_garbled_as_in_the_document(sandbox):
    token, live = go_live_url(sandbox)
    assert content(status(sandbox, token, live["liveStreamName"])) == {
        "\u201cliveStreamName\u201d": live["liveStreamName"], "status": "LIVE_NOT_START",
        "statusMsg": "推流地址已生成，等待推流",
    }


def test_the_extended_shape_names_the_stream_cleanly(sandbox):
    sandbox.use_reply_shape("extended")
    token, live = go_live_url(sandbox)
    assert content(status(sandbox, token, live["liveStreamName"]))["liveStreamName"] == live["liveStreamName"]


def test_a_published_stream_is_living(sandbox):
    token, live = go_live_url(sandbox)
    sandbox.publish(live["liveStreamName"])
    assert content(status(sandbox, token, live["liveStreamName"]))["status"] == "LIVING"
    assert content(status(sandbox, token, live["liveStreamName"]))["statusMsg"] == "直播中"


def test_stop_push_ends_the_live(sandbox):
    token, live = go_live_url(sandbox)
    sandbox.publish(live["liveStreamName"])
    reply = stop_push(sandbox, token, live["liveStreamName"])
    assert reply["result"] == 0 and reply["hostName"] == "sandbox-1"
    assert content(status(sandbox, token, live["liveStreamName"]))["status"] == "LIVE_END"
    assert content(status(sandbox, token, live["liveStreamName"]))["statusMsg"] == "主播已结束直播"
    assert sandbox.stream(live["liveStreamName"])["end_reason"] == "stopped"


def test_stopping_an_ended_live_succeeds_again(sandbox):
    token, live = go_live_url(sandbox)
    assert stop_push(sandbox, token, live["liveStreamName"])["result"] == 0
    assert stop_push(sandbox, token, live["liveStreamName"])["result"] == 0


def test_stopping_an_unused_push_url_spends_it(sandbox):
    token, live = go_live_url(sandbox)
    stop_push(sandbox, token, live["liveStreamName"])
    assert on_publish(sandbox, live["liveStreamName"], sign_of(live["pushUrl"])).status_code == 403


def test_stop_push_also_accepts_its_fields_in_the_query_string(sandbox):
    token, live = go_live_url(sandbox)
    params = {"app_id": APP_ID, "access_token": token, "bizId": BIZ_ID, "liveStreamName": live["liveStreamName"]}
    reply = requests.post(sandbox.url("/openapi/kwaiUser/live/stopPush"), params=params, timeout=10).json()
    assert reply["result"] == 0
    assert sandbox.stream(live["liveStreamName"])["state"] == "ended"


@pytest.mark.parametrize("fields", [{"bizId": None}, {"liveStreamName": None}, {"bizId": "other-biz"}])
def test_stop_push_without_its_fields_is_400001(sandbox, fields):
    token, live = go_live_url(sandbox)
    assert stop_push(sandbox, token, live["liveStreamName"], **fields)["result"] == 400001


def test_an_illegal_stream_name_is_400009(sandbox):
    token = login(sandbox)["access_token"]
    assert stop_push(sandbox, token, "bad name!")["result"] == 400009
    assert status(sandbox, token, "bad!name")["result"] == 400009
    assert status(sandbox, token, "x" * 65)["result"] == 400009


def test_an_unknown_stream_name_is_400005(sandbox):
    token = login(sandbox)["access_token"]
    assert stop_push(sandbox, token, "NoSuchStream0000")["result"] == 400005
    assert status(sandbox, token, "NoSuchStream0000")["result"] == 400005


def test_another_users_stream_is_400013(sandbox):
    _, live = go_live_url(sandbox, user="xiaoming")
    stranger = login(sandbox, user="aqiang")["access_token"]
    assert stop_push(sandbox, stranger, live["liveStreamName"])["result"] == 400013
    assert status(sandbox, stranger, live["liveStreamName"])["result"] == 400013
    assert sandbox.stream(live["liveStreamName"])["state"] == "not_started"


def test_status_needs_an_app_and_a_live_token(sandbox):
    token, live = go_live_url(sandbox)
    assert status(sandbox, token, live["liveStreamName"], app_id="nope")["result"] == 200100
    assert status(sandbox, "not-a-token", live["liveStreamName"])["result"] == 200102


def test_an_unused_push_url_ends_when_it_expires(sandbox):
    token, live = go_live_url(sandbox)
    sandbox.clock(advance=172801)
    # The access token also lasts two days: log in again, as the app would.
    token = login(sandbox)["access_token"]
    assert content(status(sandbox, token, live["liveStreamName"]))["status"] == "LIVE_END"
    assert content(status(sandbox, token, live["liveStreamName"]))["statusMsg"] == "推流地址已过期"
    stream = sandbox.stream(live["liveStreamName"])
    assert (stream["end_reason"], stream["ended_at"]) == ("expired", stream["expires_at"])


def test_stopping_a_live_asks_the_rtmp_server_to_drop_the_encoder(sandbox, rtmp_control):
    sandbox.config(rtmp_control_url=rtmp_control.base_url)
    token, live = go_live_url(sandbox)
    sandbox.publish(live["liveStreamName"])
    stop_push(sandbox, token, live["liveStreamName"])
    assert wait_for(lambda: rtmp_control)
    assert rtmp_control == [f"/control/drop/publisher?app=gifshow&name={live['liveStreamName']}"]


def test_stopping_still_works_when_the_rtmp_server_is_unreachable(sandbox):
    sandbox.config(rtmp_control_url="http://127.0.0.1:9/control")
    token, live = go_live_url(sandbox)
    sandbox.publish(live["liveStreamName"])
    assert stop_push(sandbox, token, live["liveStreamName"])["result"] == 0
