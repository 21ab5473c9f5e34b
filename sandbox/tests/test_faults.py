"""Fault injection and the request log, as the app's own tests use them."""

import time

import requests

from sandbox.tests.support import APP_ID, APP_SECRET, BIZ_ID, exchange, go_live_url, jpeg, login, push_urls, status


def test_a_result_fault_answers_the_next_call_only(sandbox):
    token = login(sandbox)["access_token"]
    sandbox.fault("pushUrls", result=400003)
    reply = push_urls(sandbox, token)
    assert (reply["result"], reply["content"], reply["hostName"]) == (400003, None, "sandbox-1")
    assert reply["error_msg"]
    assert push_urls(sandbox, token)["result"] == 0


def test_a_fault_with_a_count_answers_that_many_calls(sandbox):
    token = login(sandbox)["access_token"]
    sandbox.fault("pushUrls", result=400002, count=2)
    assert [push_urls(sandbox, token)["result"] for _ in range(3)] == [400002, 400002, 0]


def test_a_fault_without_end_lasts_until_cleared(sandbox):
    token = login(sandbox)["access_token"]
    sandbox.fault("pushUrls", result=400003, count=-1)
    assert {push_urls(sandbox, token)["result"] for _ in range(4)} == {400003}
    assert requests.delete(sandbox.url("/_sandbox/faults"), timeout=10).json() == []
    assert push_urls(sandbox, token)["result"] == 0


def test_a_fault_only_hits_its_own_endpoint(sandbox):
    token, live = go_live_url(sandbox)
    sandbox.fault("stopPush", result=400003)
    assert status(sandbox, token, live["liveStreamName"])["result"] == 0
    assert push_urls(sandbox, token)["result"] == 0


def test_a_star_fault_hits_whichever_endpoint_comes_next(sandbox):
    code = sandbox.authorize()
    sandbox.fault("*", result=100200500)
    assert exchange(sandbox, code)["result"] == 100200500


def test_an_http_status_fault_answers_an_html_error_page(sandbox):
    token = login(sandbox)["access_token"]
    sandbox.fault("pushUrls", http_status=502)
    reply = requests.post(sandbox.url("/openapi/kwaiUser/live/pushUrls"),
                          data={"app_id": APP_ID, "access_token": token}, timeout=10)
    assert reply.status_code == 502
    assert reply.headers["Content-Type"].startswith("text/html")
    assert "502" in reply.text


def test_a_malformed_fault_answers_a_body_that_is_not_json(sandbox):
    token, live = go_live_url(sandbox)
    sandbox.fault("status", malformed=True)
    reply = requests.get(sandbox.url(f"/openapi/kwaiUser/live/status/{live['liveStreamName']}"),
                         params={"app_id": APP_ID, "access_token": token}, timeout=10)
    assert reply.status_code == 200
    try:
        reply.json()
    except ValueError:
        pass
    else:
        raise AssertionError(f"expected a body that is not JSON, got {reply.text!r}")


def test_latency_alone_delays_the_real_answer(sandbox):
    token = login(sandbox)["access_token"]
    sandbox.fault("pushUrls", latency_ms=300)
    started = time.monotonic()
    reply = push_urls(sandbox, token)
    assert time.monotonic() - started >= 0.3
    assert reply["result"] == 0


def test_a_face_check_fault_carries_the_verify_url(sandbox):
    token = login(sandbox)["access_token"]
    sandbox.fault("pushUrls", result=400020)
    reply = push_urls(sandbox, token)
    assert reply["result"] == 400020
    assert reply["content"]["qrCodeFaceVerifyUrl"].startswith(sandbox.url("/_sandbox/face-verify/"))


def test_oauth_faults_answer_in_the_oauth_shape(sandbox):
    token = login(sandbox)["access_token"]
    sandbox.fault("user_info", result=100200107)
    reply = requests.get(sandbox.url("/openapi/user_info"),
                         params={"app_id": APP_ID, "access_token": token}, timeout=10).json()
    assert (reply["result"], reply["error"]) == (100200107, "invalid_openid")


def test_a_refresh_fault_answers_a_server_error(sandbox):
    tokens = login(sandbox)
    sandbox.fault("refresh_token", result=100200500)
    params = {"app_id": APP_ID, "app_secret": APP_SECRET, "refresh_token": tokens["refresh_token"],
              "grant_type": "refresh_token"}
    reply = requests.get(sandbox.url("/oauth2/refresh_token"), params=params, timeout=10).json()
    assert (reply["result"], reply["error"]) == (100200500, "server_error")


def test_an_authorize_fault_sends_the_browser_back_with_the_error(sandbox):
    sandbox.fault("authorize", result=100200500)
    reply = requests.get(sandbox.url("/oauth2/authorize"), params={
        "app_id": APP_ID, "redirect_uri": "http://127.0.0.1/cb", "response_type": "code",
        "scope": "user_info", "state": "s1",
    }, allow_redirects=False, timeout=10)
    assert reply.status_code == 302
    assert reply.headers["Location"].startswith("http://127.0.0.1/cb?error=server_error&")
    assert reply.headers["Location"].endswith("&state=s1")


def test_an_unknown_fault_endpoint_is_refused(sandbox):
    reply = requests.post(sandbox.url("/_sandbox/faults"), json={"endpoint": "nope", "result": 1}, timeout=10)
    assert reply.status_code == 400


def test_reset_clears_faults(sandbox):
    sandbox.fault("pushUrls", result=400003, count=-1)
    sandbox.reset()
    assert requests.get(sandbox.url("/_sandbox/faults"), timeout=10).json() == []


def test_the_request_log_shows_exactly_what_the_upstream_received(sandbox):
    token = login(sandbox)["access_token"]
    cover = jpeg()
    push_urls(sandbox, token, cover=cover, caption="周末露营", deviceName="OBS")
    (record,) = sandbox.requests(endpoint="pushUrls")
    assert record["method"] == "POST"
    assert record["path"] == "/openapi/kwaiUser/live/pushUrls"
    assert record["query"] == {}
    assert record["form"] == {"app_id": APP_ID, "access_token": token, "bizId": BIZ_ID,
                              "caption": "周末露营", "deviceName": "OBS"}
    assert record["files"] == {"file": {"filename": "cover.jpg", "size": len(cover), "content_type": "image/jpeg"}}
    assert record["result"] == 0


def test_the_request_log_lists_the_oauth_calls_oldest_first(sandbox):
    code = sandbox.authorize()
    exchange(sandbox, code)
    exchange(sandbox, code)
    records = sandbox.requests()
    assert [r["endpoint"] for r in records] == ["authorize", "access_token", "access_token"]
    assert [r["result"] for r in records[1:]] == [1, 100200105]
    assert records[1]["query"] == {"app_id": APP_ID, "app_secret": APP_SECRET, "code": code,
                                   "grant_type": "authorization_code"}


def test_seeded_streams_are_living_and_their_status_calls_are_counted_without_a_log(sandbox):
    token = login(sandbox)["access_token"]
    names = sandbox.seed_streams(3)
    sandbox.config(request_log=0)

    replies = [status(sandbox, token, name) for name in names]

    assert {reply["content"]["status"] for reply in replies} == {"LIVING"}
    assert sandbox.status_calls() == 3
    assert sandbox.requests("status") == []
    sandbox.reset()
    assert sandbox.status_calls() == 0
