"""The nginx-rtmp hooks: a push URL starts one live, survives short drops, and expires."""

import datetime as dt

from sandbox.tests.support import (
    go_live_url, login, on_publish, on_publish_done, sign_of, status, stop_push, wait_for,
)


def test_the_right_sign_starts_the_live(sandbox):
    token, live = go_live_url(sandbox)
    reply = on_publish(sandbox, live["liveStreamName"], sign_of(live["pushUrl"]), clientid="41")
    assert (reply.status_code, reply.text) == (200, "ok")
    stream = sandbox.stream(live["liveStreamName"])
    assert (stream["state"], stream["client_id"]) == ("living", "41")
    assert stream["started_at"]
    assert status(sandbox, token, live["liveStreamName"])["content"]["status"] == "LIVING"


def test_a_wrong_sign_is_refused(sandbox):
    _, live = go_live_url(sandbox)
    reply = on_publish(sandbox, live["liveStreamName"], "forged-sign")
    assert reply.status_code == 403
    assert sandbox.stream(live["liveStreamName"])["state"] == "not_started"


def test_a_missing_sign_is_refused(sandbox):
    _, live = go_live_url(sandbox)
    assert on_publish(sandbox, live["liveStreamName"], "").status_code == 403


def test_another_rtmp_application_is_refused(sandbox):
    _, live = go_live_url(sandbox)
    assert on_publish(sandbox, live["liveStreamName"], sign_of(live["pushUrl"]), app="live").status_code == 403


def test_an_unknown_stream_is_refused(sandbox):
    assert on_publish(sandbox, "NoSuchStream0000", "whatever").status_code == 403


def test_a_push_url_starts_one_live_only(sandbox):
    token, live = go_live_url(sandbox)
    name, sign = live["liveStreamName"], sign_of(live["pushUrl"])
    assert on_publish(sandbox, name, sign).status_code == 200
    stop_push(sandbox, token, name)
    reply = on_publish(sandbox, name, sign)
    assert reply.status_code == 403
    assert "used" in reply.text


def test_a_dropped_encoder_keeps_the_live_open_during_the_grace(sandbox):
    token, live = go_live_url(sandbox)
    name = live["liveStreamName"]
    on_publish(sandbox, name, sign_of(live["pushUrl"]))
    assert on_publish_done(sandbox, name).status_code == 200
    content = status(sandbox, token, name)["content"]
    assert (content["status"], content["statusMsg"]) == ("LIVING", "推流中断，等待重连")
    sandbox.clock(advance=89)
    assert status(sandbox, token, name)["content"]["status"] == "LIVING"


def test_the_room_closes_when_the_grace_runs_out(sandbox):
    token, live = go_live_url(sandbox)
    name = live["liveStreamName"]
    on_publish(sandbox, name, sign_of(live["pushUrl"]))
    on_publish_done(sandbox, name)
    sandbox.clock(advance=90)
    content = status(sandbox, token, name)["content"]
    assert (content["status"], content["statusMsg"]) == ("LIVE_END", "推流中断超时，直播已关闭")
    stream = sandbox.stream(name)
    assert stream["end_reason"] == "dropped"
    grace = dt.datetime.fromisoformat(stream["ended_at"]) - dt.datetime.fromisoformat(stream["dropped_at"])
    assert grace == dt.timedelta(seconds=90)
    assert on_publish(sandbox, name, sign_of(live["pushUrl"])).status_code == 403


def test_the_drop_grace_is_configurable(sandbox):
    sandbox.config(drop_grace=5)
    token, live = go_live_url(sandbox)
    sandbox.publish(live["liveStreamName"])
    sandbox.drop(live["liveStreamName"])
    sandbox.clock(advance=5)
    assert status(sandbox, token, live["liveStreamName"])["content"]["status"] == "LIVE_END"


def test_a_reconnect_within_the_grace_keeps_the_live_going(sandbox):
    token, live = go_live_url(sandbox)
    name, sign = live["liveStreamName"], sign_of(live["pushUrl"])
    on_publish(sandbox, name, sign, clientid="1")
    on_publish_done(sandbox, name, clientid="1")
    sandbox.clock(advance=60)
    assert on_publish(sandbox, name, sign, clientid="2").status_code == 200
    sandbox.clock(advance=60)
    content = status(sandbox, token, name)["content"]
    assert (content["status"], content["statusMsg"]) == ("LIVING", "直播中")
    stream = sandbox.stream(name)
    assert (stream["dropped_at"], stream["client_id"]) == (None, "2")


def test_a_late_publish_done_from_a_replaced_connection_is_ignored(sandbox):
    token, live = go_live_url(sandbox)
    name, sign = live["liveStreamName"], sign_of(live["pushUrl"])
    on_publish(sandbox, name, sign, clientid="1")
    on_publish(sandbox, name, sign, clientid="2")
    on_publish_done(sandbox, name, clientid="1")
    assert sandbox.stream(name)["dropped_at"] is None


def test_a_push_url_expires_two_days_after_issue(sandbox):
    token, live = go_live_url(sandbox)
    sandbox.clock(advance=2 * 86400 + 1)
    reply = on_publish(sandbox, live["liveStreamName"], sign_of(live["pushUrl"]))
    assert reply.status_code == 403
    assert "expired" in reply.text
    token = login(sandbox)["access_token"]
    content = status(sandbox, token, live["liveStreamName"])["content"]
    assert (content["status"], content["statusMsg"]) == ("LIVE_END", "推流地址已过期")


def test_a_push_url_works_until_just_before_it_expires(sandbox):
    _, live = go_live_url(sandbox)
    sandbox.clock(advance=2 * 86400 - 1)
    assert on_publish(sandbox, live["liveStreamName"], sign_of(live["pushUrl"])).status_code == 200


def test_a_reconnect_to_an_open_live_is_accepted_after_the_url_expiry(sandbox):
    _, live = go_live_url(sandbox)
    name, sign = live["liveStreamName"], sign_of(live["pushUrl"])
    on_publish(sandbox, name, sign)
    sandbox.clock(advance=2 * 86400 + 10)
    on_publish_done(sandbox, name)
    assert on_publish(sandbox, name, sign).status_code == 200
    assert sandbox.stream(name)["state"] == "living"


def test_publish_done_for_an_unknown_stream_is_ignored(sandbox):
    assert on_publish_done(sandbox, "NoSuchStream0000").status_code == 200


def test_the_sign_may_arrive_on_the_name(sandbox):
    _, live = go_live_url(sandbox)
    name_with_query = f"{live['liveStreamName']}?sign={sign_of(live['pushUrl'])}"
    assert on_publish(sandbox, name_with_query, "").status_code == 200


def test_a_room_closed_by_the_grace_asks_the_rtmp_server_to_drop_the_encoder(sandbox, rtmp_control):
    sandbox.config(rtmp_control_url=rtmp_control.base_url)
    _, live = go_live_url(sandbox)
    name = live["liveStreamName"]
    sandbox.publish(name)
    sandbox.drop(name)
    sandbox.clock(advance=90)
    assert sandbox.stream(name)["state"] == "ended"
    assert wait_for(lambda: rtmp_control)
    assert rtmp_control == [f"/control/drop/publisher?app=gifshow&name={name}"]
