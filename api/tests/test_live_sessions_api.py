"""Contract of /api/v1/live-sessions: what a device sends, what it gets back, and what Kuaishou received."""

import io
import logging

import pytest
from django.utils import timezone

from accounts.models import KuaishouCredential
from sandbox import demo
from streams import services
from streams.models import LiveSession, LiveSessionEvent
from tests.helpers import Api, live_fields, make_credential

pytestmark = pytest.mark.django_db
Status = LiveSession.Status
SESSION_FIELDS = {
    "id", "status", "status_message", "caption", "panoramic", "shop_live", "device_name", "push_url",
    "rtmp_server", "stream_key", "live_stream_name", "expires_at", "studio_url", "went_live_at",
    "ended_at", "ended_by", "error", "retry_of", "created_at", "formats", "expires_soon", "replaced_by", "lost", "relay",
}


def error_of(response):
    assert response["Content-Type"] == "application/json", response.content
    return response.json()["error"]


# Going live


def test_going_live_answers_201_with_the_push_url_and_its_encoder_halves(api, kuaishou):
    response = api.go_live()

    session = LiveSession.objects.get()
    body = response.json()
    assert response.status_code == 201
    assert set(body) == SESSION_FIELDS
    assert body["id"] == session.pk
    assert body["status"] == "ready"
    assert body["push_url"] == session.push_url
    assert body["push_url"].startswith("rtmp://127.0.0.1:1935/gifshow/")
    assert body["rtmp_server"] == "rtmp://127.0.0.1:1935/gifshow/"
    assert body["rtmp_server"] + body["stream_key"] == body["push_url"]
    assert body["live_stream_name"] == session.live_stream_name
    assert body["studio_url"] == "https://liveopen.kuaishou.com/"
    assert body["expires_at"] is not None
    assert response["Location"] == f"/api/v1/live-sessions/{session.pk}"


def test_responses_with_a_push_url_must_not_be_cached(api, kuaishou):
    response = api.go_live()

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_kuaishou_receives_the_same_push_url_request_as_from_the_web(api, kuaishou, person):
    api.go_live(caption="湖边日出", panoramic="2", shop_live="true", device_name="Mavic 3")

    (request,) = kuaishou.requests(endpoint="pushUrls")
    assert request["form"] == {
        "app_id": demo.APP_ID,
        "access_token": person.socialaccount_set.get().kuaishou_credential.access_token,
        "bizId": demo.BIZ_ID,
        "caption": "湖边日出",
        "panoramic": "2",
        "shopLive": "true",
        "deviceName": "Mavic 3",
    }
    assert request["files"]["file"]["filename"] == "cover.jpg"


def test_the_session_history_says_it_came_from_the_device_api(api, kuaishou):
    api.go_live()

    assert list(LiveSessionEvent.objects.values_list("to_status", "source")) == [("requesting", "api"), ("ready", "api")]


def test_shop_live_is_true_or_false_as_the_schema_says(api, kuaishou):
    api.go_live(shop_live="false", headers={"Idempotency-Key": "a"})
    api.go_live(shop_live="true", headers={"Idempotency-Key": "b"})

    assert [r["form"]["shopLive"] for r in kuaishou.requests(endpoint="pushUrls")] == ["false", "true"]


@pytest.mark.parametrize("value", ["0", "1", "yes", "on"])
def test_shop_live_outside_the_schema_is_400(api, kuaishou, value):
    response = api.go_live(shop_live=value)

    assert response.status_code == 400
    assert "shop_live" in error_of(response)["fields"]
    assert kuaishou.requests(endpoint="pushUrls") == []


def test_the_same_idempotency_key_gives_the_same_session_and_one_upstream_call(api, kuaishou):
    first = api.go_live(headers={"Idempotency-Key": "drone-42-take-1"})
    second = api.go_live(headers={"Idempotency-Key": "drone-42-take-1"})

    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second.json()["push_url"] == first.json()["push_url"]
    assert LiveSession.objects.count() == 1
    assert len(kuaishou.requests(endpoint="pushUrls")) == 1


def test_without_an_idempotency_key_each_request_is_a_new_attempt(api, kuaishou):
    api.go_live()
    api.go_live()

    assert LiveSession.objects.count() == 2


def test_a_key_whose_session_still_waits_for_kuaishou_is_202_with_that_session(api, person, kuaishou):
    waiting = LiveSession.objects.create(owner=person, cover=b"x", idempotency_key="busy")

    response = api.go_live(headers={"Idempotency-Key": "busy"})

    assert response.status_code == 202
    assert (response.json()["id"], response.json()["status"]) == (waiting.pk, "requesting")
    assert response["Location"] == f"/api/v1/live-sessions/{waiting.pk}"
    assert response["Retry-After"] == "2"
    assert kuaishou.requests(endpoint="pushUrls") == []


def test_an_overlong_idempotency_key_is_400(api, kuaishou):
    response = api.go_live(headers={"Idempotency-Key": "k" * 65})

    assert response.status_code == 400
    assert "Idempotency-Key" in error_of(response)["fields"]
    assert LiveSession.objects.count() == 0


# Validation: the web form's rules, the API's envelope


def test_a_14_character_caption_is_400_with_the_web_forms_message_and_no_upstream_call(api, kuaishou):
    response = api.go_live(caption="一二三四五六七八九十一二三四")

    error = error_of(response)
    assert response.status_code == 400
    assert error["code"] == "invalid"
    assert error["upstream_code"] is None
    assert error["fields"]["caption"] == ["标题最多 13 个字（现在是 14 个）。"]
    assert error["message"] == "标题最多 13 个字（现在是 14 个）。"
    assert LiveSession.objects.count() == 0
    assert kuaishou.requests(endpoint="pushUrls") == []


def test_english_speaking_devices_get_english_messages(api, kuaishou):
    response = api.go_live(caption="x" * 14, headers={"Accept-Language": "en"})

    assert error_of(response)["fields"]["caption"] == ["The title can have at most 13 characters (it has 14)."]


def test_a_file_that_is_not_a_picture_is_400_on_cover(api, kuaishou):
    fake = io.BytesIO(b"#!/bin/sh\necho hi\n")
    fake.name = "cover.jpg"

    response = api.go_live(cover=fake)

    assert response.status_code == 400
    assert "不是我们能读取的图片" in error_of(response)["fields"]["cover"][0]
    assert kuaishou.requests(endpoint="pushUrls") == []


def test_a_missing_cover_is_400(api, kuaishou):
    response = api.go_live(cover=None)

    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["cover"]


def test_an_unknown_panoramic_is_400(api, kuaishou):
    response = api.go_live(panoramic="3")

    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["panoramic"]


def test_a_json_body_is_415(api, kuaishou):
    response = api.post("/api/v1/live-sessions", {"caption": "x"}, content_type="application/json")

    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"


# Kuaishou refuses or fails: a failed session is kept, the envelope says why


def test_an_account_without_live_permission_is_422_and_the_session_is_kept_as_failed(client, connect, kuaishou):
    from api.services import device_token_create

    xiaohong = connect("xiaohong", "xiaohong").account.user
    api = Api(client, device_token_create(owner=xiaohong, name="cam")[1])

    response = api.go_live()

    error = error_of(response)
    session = LiveSession.objects.get()
    assert response.status_code == 422
    assert error["code"] == "no_live_permission"
    assert error["upstream_code"] == 400006
    assert "没有直播权限" in error["message"]
    assert error["session_id"] == session.pk
    assert session.status == Status.FAILED
    assert api.get(f"/api/v1/live-sessions/{session.pk}").json()["error"] == {
        "code": "no_live_permission", "message": error["message"], "upstream_code": 400006,
    }


def test_an_account_without_e_commerce_permission_is_422(client, connect, kuaishou):
    from api.services import device_token_create

    aqiang = connect("aqiang", "aqiang").account.user
    api = Api(client, device_token_create(owner=aqiang, name="cam")[1])

    response = api.go_live(shop_live="true")

    assert response.status_code == 422
    assert error_of(response)["code"] == "no_shop_live_permission"
    assert error_of(response)["upstream_code"] == 400008


def test_a_face_check_is_422_with_the_url_to_scan(client, connect, kuaishou):
    from api.services import device_token_create

    laowang = connect("laowang", "laowang").account.user
    api = Api(client, device_token_create(owner=laowang, name="cam")[1])

    response = api.go_live()

    error = error_of(response)
    assert response.status_code == 422
    assert error["code"] == "face_check_required"
    assert error["upstream_code"] == 400020
    assert error["face_verify_url"] == LiveSession.objects.get().face_verify_url != ""


@pytest.mark.parametrize(
    ("result", "status", "code"),
    [
        (400014, 422, "cover_rejected"),
        (400001, 422, "upstream_refused"),
        (400003, 502, "upstream_error"),
        (200100, 502, "upstream_misconfigured"),
        (499999, 502, "upstream_error"),
    ],
)
def test_kuaishou_result_codes_map_to_http_statuses(api, kuaishou, result, status, code):
    kuaishou.fault("pushUrls", result=result)

    response = api.go_live()

    error = error_of(response)
    assert response.status_code == status
    assert (error["code"], error["upstream_code"]) == (code, result)
    assert LiveSession.objects.get(pk=error["session_id"]).status == Status.FAILED


def test_kuaishou_rate_limiting_is_429_with_retry_after(api, kuaishou):
    kuaishou.fault("pushUrls", result=400002)

    response = api.go_live()

    assert response.status_code == 429
    assert error_of(response)["code"] == "upstream_rate_limited"
    assert error_of(response)["upstream_code"] == 400002
    assert int(response["Retry-After"]) >= 30


@pytest.mark.parametrize("fault", [{"http_status": 502}, {"malformed": True}])
def test_no_usable_answer_from_kuaishou_is_503_and_the_session_is_kept(api, kuaishou, fault):
    kuaishou.fault("pushUrls", **fault)

    response = api.go_live()

    error = error_of(response)
    assert response.status_code == 503
    assert error["code"] == "upstream_unavailable"
    assert error["upstream_code"] is None
    assert response["Retry-After"] == "30"
    assert LiveSession.objects.get(pk=error["session_id"]).status == Status.FAILED


def test_a_person_who_must_reconnect_gets_403_with_no_upstream_call(api, kuaishou):
    KuaishouCredential.objects.update(needs_reconnect=True)

    response = api.go_live()

    assert response.status_code == 403
    assert error_of(response)["code"] == "reconnect_required"
    # "Must reconnect" is our state, not something Kuaishou said this time.
    assert error_of(response)["upstream_code"] is None
    assert "请重新连接快手" in error_of(response)["message"]
    assert LiveSession.objects.count() == 0
    assert kuaishou.requests(endpoint="pushUrls") == []


def test_without_the_live_scope_the_api_says_so_before_reading_the_cover(api, kuaishou, monkeypatch):
    KuaishouCredential.objects.update(scopes=["user_base", "user_info"])
    import streams.covers

    monkeypatch.setattr(streams.covers, "make_cover", lambda *a, **k: pytest.fail("the cover was decoded"))

    response = api.go_live()

    assert response.status_code == 403
    assert error_of(response)["code"] == "live_scope_required"
    assert error_of(response)["upstream_code"] is None
    assert "user_video_live" in error_of(response)["message"]
    assert LiveSession.objects.count() == 0
    assert kuaishou.requests(endpoint="pushUrls") == []


def test_our_app_rejected_by_kuaishou_is_502_and_flags_nobody(api, kuaishou):
    kuaishou.app(suspended=True)

    response = api.go_live()

    assert response.status_code == 502
    assert (error_of(response)["code"], error_of(response)["upstream_code"]) == ("upstream_misconfigured", 200100)
    assert "不是你的问题" in error_of(response)["message"]
    assert not KuaishouCredential.objects.get().needs_reconnect


def test_our_app_rejected_is_logged_at_error_once_however_many_devices_ask(api, kuaishou, caplog):
    kuaishou.app(suspended=True)
    caplog.set_level(logging.INFO)

    statuses = [api.go_live(headers={"Idempotency-Key": f"take-{n}"}).status_code for n in range(3)]

    assert statuses == [502, 502, 502]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.name for r in errors] == ["kuaishou_app.status"]
    assert "rejects kslive's app" in errors[0].getMessage()


def test_a_token_kuaishou_keeps_refusing_is_403_reconnect_required(api, kuaishou):
    kuaishou.fault("pushUrls", result=200102, count=2)

    response = api.go_live()

    assert response.status_code == 403
    assert (error_of(response)["code"], error_of(response)["upstream_code"]) == ("reconnect_required", 200102)
    assert KuaishouCredential.objects.get().needs_reconnect
    assert LiveSession.objects.get().status == Status.FAILED


# Reading


def test_reading_a_session_shows_its_status_and_times(api, ready, kuaishou):
    kuaishou.publish(ready.live_stream_name)
    services.live_session_sync(session_id=ready.pk)

    response = api.get(f"/api/v1/live-sessions/{ready.pk}")

    body = response.json()
    assert response.status_code == 200
    assert set(body) == SESSION_FIELDS
    assert body["status"] == "living"
    assert body["went_live_at"] is not None
    assert body["status_message"] != ""
    assert (body["ended_at"], body["ended_by"], body["error"]) == (None, None, None)
    assert body["push_url"] == ready.push_url
    assert "no-store" in response["Cache-Control"]


def test_listing_shows_the_owners_sessions_newest_first_paginated(api, kuaishou, stranger_api):
    ids = [api.go_live().json()["id"] for _ in range(3)]
    stranger_api.go_live()

    response = api.get("/api/v1/live-sessions", {"page_size": 2})

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 3
    assert [s["id"] for s in body["results"]] == ids[::-1][:2]
    assert body["next"].endswith("page=2&page_size=2")
    assert [s["id"] for s in api.get(body["next"]).json()["results"]] == ids[:1]


def test_listing_filters_by_status(api, kuaishou):
    ready_id = api.go_live().json()["id"]
    ended_id = api.go_live().json()["id"]
    api.post(f"/api/v1/live-sessions/{ended_id}/stop")

    assert [s["id"] for s in api.get("/api/v1/live-sessions", {"status": "ready"}).json()["results"]] == [ready_id]
    assert [s["id"] for s in api.get("/api/v1/live-sessions", {"status": "ended"}).json()["results"]] == [ended_id]


def test_an_unknown_status_filter_is_400(api):
    response = api.get("/api/v1/live-sessions", {"status": "sleeping"})

    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["status"]


def test_a_page_past_the_end_is_404(api):
    response = api.get("/api/v1/live-sessions", {"page": 9})

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize("session_id", ["999", "abc", "-1", "0", str(2**70)])
def test_a_missing_session_is_404_json(api, session_id):
    for response in (api.get(f"/api/v1/live-sessions/{session_id}"), api.post(f"/api/v1/live-sessions/{session_id}/stop")):
        assert response.status_code == 404
        assert error_of(response) == {"code": "not_found", "message": "没有这场直播。", "upstream_code": None}


def test_someone_elses_session_is_404_to_read_list_and_stop(stranger_api, ready, kuaishou):
    assert stranger_api.get(f"/api/v1/live-sessions/{ready.pk}").status_code == 404
    assert stranger_api.post(f"/api/v1/live-sessions/{ready.pk}/stop").status_code == 404
    assert stranger_api.get("/api/v1/live-sessions").json()["count"] == 0
    assert kuaishou.requests(endpoint="stopPush") == []
    ready.refresh_from_db()
    assert ready.status == Status.READY


# Stopping


def test_stopping_ends_the_live_on_kuaishou_and_answers_200_with_the_session(api, ready, kuaishou):
    response = api.post(f"/api/v1/live-sessions/{ready.pk}/stop")

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ended"
    assert body["ended_by"] == "person"
    assert body["ended_at"] is not None
    assert body["push_url"] is None, "a spent push URL is not handed out again"
    (stop,) = kuaishou.requests(endpoint="stopPush")
    assert stop["form"]["liveStreamName"] == ready.live_stream_name
    assert list(ready.events.values_list("to_status", "source"))[-1] == ("ended", "api")


def test_stopping_an_ended_session_is_409(api, ready, kuaishou):
    api.post(f"/api/v1/live-sessions/{ready.pk}/stop")

    response = api.post(f"/api/v1/live-sessions/{ready.pk}/stop")

    assert response.status_code == 409
    assert error_of(response)["code"] == "session_over"
    assert len(kuaishou.requests(endpoint="stopPush")) == 1


def test_stopping_when_kuaishou_fails_is_502_and_the_session_stays_ready(api, ready, kuaishou):
    kuaishou.fault("stopPush", result=400003)

    response = api.post(f"/api/v1/live-sessions/{ready.pk}/stop")

    assert response.status_code == 502
    assert error_of(response)["upstream_code"] == 400003
    ready.refresh_from_db()
    assert ready.status == Status.READY


def test_stopping_when_the_account_must_reconnect_is_403(api, ready, kuaishou):
    kuaishou.fault("stopPush", result=200102, count=2)

    response = api.post(f"/api/v1/live-sessions/{ready.pk}/stop")

    assert response.status_code == 403
    assert error_of(response)["code"] == "reconnect_required"


def test_get_is_not_allowed_on_stop(api, ready):
    response = api.get(f"/api/v1/live-sessions/{ready.pk}/stop")

    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


# Me


def test_me_shows_the_kuaishou_profile_and_no_reconnect(client, db):
    from api.services import device_token_create

    credential = make_credential("owner", name="小明")
    credential.account.extra_data = {"name": "小明", "city": "北京", "fans": 12580, "follows": 321, "avatar_url": "https://a/b.jpg"}
    credential.account.save()
    api = Api(client, device_token_create(owner=credential.account.user, name="roof cam")[1])

    response = api.get("/api/v1/me")

    assert response.status_code == 200
    assert response.json() == {
        "connected": True, "reconnect_required": False, "can_go_live": True, "open_id": "openid-owner",
        "name": "小明", "avatar_url": "https://a/b.jpg", "city": "北京", "fans": 12580, "follows": 321,
        "device_name": "roof cam",
    }


def test_me_says_when_kuaishou_must_be_reconnected(api):
    KuaishouCredential.objects.update(needs_reconnect=True)

    assert api.get("/api/v1/me").json()["reconnect_required"] is True


def test_me_says_when_kuaishou_is_not_connected(api):
    KuaishouCredential.objects.all().delete()

    body = api.get("/api/v1/me").json()

    assert (body["connected"], body["reconnect_required"], body["open_id"]) == (False, True, None)


def test_expired_push_urls_show_as_expired(api, ready):
    LiveSession.objects.filter(pk=ready.pk).update(expires_at=timezone.now() - timezone.timedelta(seconds=1))
    services.live_session_expire(session=LiveSession.objects.get(pk=ready.pk))

    body = api.get(f"/api/v1/live-sessions/{ready.pk}").json()

    assert (body["status"], body["push_url"]) == ("expired", None)


def test_the_device_form_fields_are_the_web_forms(api, kuaishou):
    response = api.go_live(**{**live_fields(), "cover_fit": "pad"})

    assert response.status_code == 201


# Retries that recover


def test_after_no_answer_the_same_key_asks_kuaishou_again_and_says_so(api, kuaishou):
    kuaishou.fault("pushUrls", http_status=502)
    first = api.go_live(headers={"Idempotency-Key": "take-7"})
    assert first.status_code == 503

    second = api.go_live(headers={"Idempotency-Key": "take-7"})

    assert second.status_code == 201
    assert second.json()["retry_of"] == error_of(first)["session_id"]
    assert second.json()["push_url"]
    assert len(kuaishou.requests(endpoint="pushUrls")) == 2
    retry = LiveSession.objects.get(pk=second.json()["id"])
    assert retry.events.first().note == f"retry of #{error_of(first)['session_id']}"
    # And a third time: the ready session answers, nothing new is asked.
    assert api.go_live(headers={"Idempotency-Key": "take-7"}).json()["id"] == retry.pk
    assert len(kuaishou.requests(endpoint="pushUrls")) == 2


def test_after_our_app_was_rejected_the_same_key_tries_again_once_it_is_fixed(api, kuaishou):
    kuaishou.app(suspended=True)
    assert api.go_live(headers={"Idempotency-Key": "take-8"}).status_code == 502
    kuaishou.app(restore=True)

    assert api.go_live(headers={"Idempotency-Key": "take-8"}).status_code == 201


def test_a_refusal_keeps_its_key_the_same_request_would_be_refused_again(api, kuaishou):
    kuaishou.fault("pushUrls", result=400014)
    first = api.go_live(headers={"Idempotency-Key": "take-9"})

    second = api.go_live(headers={"Idempotency-Key": "take-9"})

    assert first.status_code == second.status_code == 422
    assert error_of(first)["session_id"] == error_of(second)["session_id"]
    assert len(kuaishou.requests(endpoint="pushUrls")) == 1


def test_repeating_a_request_returns_its_session_before_decoding_the_cover_again(api, kuaishou, monkeypatch):
    import streams.covers

    first = api.go_live(headers={"Idempotency-Key": "take-10"})
    monkeypatch.setattr(streams.covers, "make_cover", lambda *a, **k: pytest.fail("the cover was decoded again"))

    again = api.go_live(headers={"Idempotency-Key": "take-10"})

    assert again.json()["id"] == first.json()["id"]
