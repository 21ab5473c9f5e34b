"""The dashboard and the control API behind its buttons."""

import requests

from sandbox.tests.support import APP_SECRET, go_live_url, login, push_urls, status


def post_form(sandbox, path, data=None):
    return requests.post(sandbox.url(path), data=data or {"go": "1"}, allow_redirects=False, timeout=10)


def test_the_dashboard_shows_the_app_users_and_config_but_not_the_secret(sandbox):
    page = requests.get(sandbox.url("/"), timeout=10)
    assert page.status_code == 200
    for text in ("kslive-demo", "kslive-demo-biz", "小明", "老王", "匿名用户", "drop_grace", "rtmp_url", "待核验"):
        assert text in page.text
    assert APP_SECRET not in page.text


def test_the_dashboard_lists_streams_newest_first_with_their_status(sandbox):
    token, first = go_live_url(sandbox)
    second = push_urls(sandbox, token, caption="第二场")["content"]
    page = requests.get(sandbox.url("/"), timeout=10).text
    assert page.index(second["liveStreamName"]) < page.index(first["liveStreamName"])
    assert "第二场" in page and "LIVE_NOT_START" in page
    assert first["pushUrl"].split("?sign=")[1] not in page


def test_the_simulate_buttons_publish_drop_and_stop(sandbox):
    token, live = go_live_url(sandbox)
    name = live["liveStreamName"]
    reply = post_form(sandbox, f"/_sandbox/streams/{name}/publish")
    assert (reply.status_code, reply.headers["Location"]) == (302, "/")
    assert status(sandbox, token, name)["content"]["statusMsg"] == "直播中"
    post_form(sandbox, f"/_sandbox/streams/{name}/drop")
    assert status(sandbox, token, name)["content"]["statusMsg"] == "推流中断，等待重连"
    post_form(sandbox, f"/_sandbox/streams/{name}/stop")
    assert status(sandbox, token, name)["content"]["statusMsg"] == "主播已结束直播"
    refused = post_form(sandbox, f"/_sandbox/streams/{name}/publish")
    assert "used" in requests.get(sandbox.url(refused.headers["Location"]), timeout=10).text


def test_simulating_publish_on_a_spent_url_reports_the_refusal(sandbox):
    token, live = go_live_url(sandbox)
    sandbox.publish(live["liveStreamName"])
    requests.post(sandbox.url(f"/_sandbox/streams/{live['liveStreamName']}/stop"), json={}, timeout=10)
    reply = sandbox.publish(live["liveStreamName"])
    assert reply["ok"] is False and "used" in reply["reason"]


def test_the_revoke_button_cuts_off_the_users_tokens(sandbox):
    token = login(sandbox)["access_token"]
    reply = post_form(sandbox, "/_sandbox/users/xiaoming/revoke")
    assert reply.status_code == 302
    assert push_urls(sandbox, token)["result"] == 200102


def test_the_fault_form_queues_a_fault(sandbox):
    token = login(sandbox)["access_token"]
    post_form(sandbox, "/_sandbox/faults", {"endpoint": "pushUrls", "result": "400003", "count": "1",
                                            "latency_ms": "", "http_status": ""})
    assert "400003" in requests.get(sandbox.url("/"), timeout=10).text
    assert push_urls(sandbox, token)["result"] == 400003


def test_the_clock_form_moves_the_clock(sandbox):
    post_form(sandbox, "/_sandbox/clock", {"advance": "3600"})
    assert requests.get(sandbox.url("/_sandbox/clock"), timeout=10).json()["offset"] == 3600


def test_config_changes_show_up_and_reset_restores_the_defaults(sandbox):
    changed = sandbox.config(drop_grace=5, rate_limit=10)
    assert (changed["drop_grace"], changed["rate_limit"], changed["push_url_ttl"]) == (5, 10, 172800)
    sandbox.clock(advance=100)
    _, live = go_live_url(sandbox)
    sandbox.reset()
    config = requests.get(sandbox.url("/_sandbox/config"), timeout=10).json()
    assert (config["drop_grace"], config["rate_limit"], config["clock_offset"]) == (90, 300, 0)
    assert requests.get(sandbox.url(f"/_sandbox/streams/{live['liveStreamName']}"), timeout=10).status_code == 404


def test_an_unknown_setting_is_refused(sandbox):
    reply = requests.post(sandbox.url("/_sandbox/config"), json={"colour": "red"}, timeout=10)
    assert reply.status_code == 400
    assert "colour" in reply.json()["error"]


def test_reset_brings_the_face_check_back(sandbox):
    token = login(sandbox, user="laowang")["access_token"]
    url = push_urls(sandbox, token)["content"]["qrCodeFaceVerifyUrl"]
    requests.post(url, timeout=10)
    sandbox.reset()
    token = login(sandbox, user="laowang")["access_token"]
    assert push_urls(sandbox, token)["result"] == 400020
    assert requests.get(url, timeout=10).status_code == 404


def test_the_health_check_answers(sandbox):
    assert requests.get(sandbox.url("/_sandbox/healthz"), timeout=10).json() == {"ok": True}


def test_a_streams_cover_is_served_as_uploaded(sandbox):
    _, live = go_live_url(sandbox)
    reply = requests.get(sandbox.url(f"/_sandbox/streams/{live['liveStreamName']}/cover.jpg"), timeout=10)
    assert reply.headers["Content-Type"] == "image/jpeg"
    assert reply.content[:3] == b"\xff\xd8\xff"
