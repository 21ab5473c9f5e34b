import pytest
from django.utils import timezone

from sandbox import demo
from streams import services
from streams.models import LiveSession, LiveSessionEvent
from streams.tests.images import jpeg
from tests.helpers import form_data

pytestmark = pytest.mark.django_db
Status = LiveSession.Status


def test_the_form_asks_for_cover_title_panoramic_e_commerce_and_device(signed_in):
    page = signed_in.get("/live/new/").content.decode()

    for field in ('name="cover"', 'name="caption"', 'name="panoramic"', 'name="shop_live"', 'name="device_name"'):
        assert field in page
    assert 'maxlength="13"' in page
    assert 'name="idempotency_key"' in page


def test_going_live_gets_a_push_url_and_shows_the_session_page(go_live, kuaishou):
    response = go_live(caption="湖边日出", panoramic="2", shop_live="true", device_name="DJI")

    session = LiveSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/live/{session.pk}/"
    assert session.status == Status.READY
    assert session.push_url.startswith("rtmp://127.0.0.1:1935/gifshow/")
    assert session.live_stream_name in session.push_url
    assert session.expires_at - session.issued_at == timezone.timedelta(days=2)
    assert [(e.from_status, e.to_status) for e in session.events.all()] == [("", "requesting"), ("requesting", "ready")]


def test_the_push_url_request_is_the_documented_multipart(go_live, kuaishou, person):
    go_live(caption="湖边日出", panoramic="1", shop_live="true", device_name="DJI Mini 4 Pro")

    (request,) = kuaishou.requests(endpoint="pushUrls")
    assert request["method"] == "POST"
    assert request["form"] == {
        "app_id": demo.APP_ID,
        "access_token": person.socialaccount_set.get().kuaishou_credential.access_token,
        "bizId": demo.BIZ_ID,
        "caption": "湖边日出",
        "panoramic": "1",
        "shopLive": "true",
        "deviceName": "DJI Mini 4 Pro",
    }
    assert request["files"]["file"]["filename"] == "cover.jpg"
    assert request["files"]["file"]["size"] == len(bytes(LiveSession.objects.get().cover))


def test_the_full_path_ready_living_stopped_ended(ready_session, kuaishou, signed_in):
    kuaishou.publish(ready_session.live_stream_name)
    services.live_session_sync(session_id=ready_session.pk)
    ready_session.refresh_from_db()
    assert ready_session.status == Status.LIVING
    assert ready_session.went_live_at is not None

    response = signed_in.post(f"/live/{ready_session.pk}/stop/", follow=True)

    ready_session.refresh_from_db()
    assert ready_session.status == Status.ENDED
    assert ready_session.ended_by == LiveSession.EndedBy.PERSON
    assert "直播已结束" in response.content.decode()
    (stop,) = kuaishou.requests(endpoint="stopPush")
    assert stop["form"]["liveStreamName"] == ready_session.live_stream_name
    assert stop["form"]["bizId"] == demo.BIZ_ID
    assert kuaishou.stream(ready_session.live_stream_name)["state"] in ("ended", "LIVE_END")


def test_a_14_character_title_is_refused_with_no_upstream_call(go_live, kuaishou):
    response = go_live(caption="一二三四五六七八九十一二三四")

    assert response.status_code == 200
    assert "标题最多 13 个字（现在是 14 个）" in response.content.decode()
    assert LiveSession.objects.count() == 0
    assert kuaishou.requests(endpoint="pushUrls") == []


def test_a_13_character_title_is_fine(go_live):
    go_live(caption="一二三四五六七八九十一二三")

    assert LiveSession.objects.get().caption == "一二三四五六七八九十一二三"


def test_a_file_that_is_not_a_picture_is_refused_inline_with_no_upstream_call(signed_in, kuaishou):
    import io

    fake = io.BytesIO(b"#!/bin/sh\necho hi\n")
    fake.name = "cover.jpg"

    response = signed_in.post("/live/new/", form_data(cover=fake))

    assert response.status_code == 200
    assert "不是我们能读取的图片" in response.content.decode()
    assert LiveSession.objects.count() == 0
    assert kuaishou.requests(endpoint="pushUrls") == []


def test_a_missing_cover_is_refused_inline(signed_in):
    response = signed_in.post("/live/new/", form_data(cover=None))

    assert "请选择封面图片" in response.content.decode()
    assert LiveSession.objects.count() == 0


def test_a_double_submit_makes_one_upstream_call_and_one_session(signed_in, kuaishou):
    data = form_data()
    first = signed_in.post("/live/new/", data)
    data["cover"] = jpeg()

    second = signed_in.post("/live/new/", data)

    assert LiveSession.objects.count() == 1
    assert len(kuaishou.requests(endpoint="pushUrls")) == 1
    assert first["Location"] == second["Location"]


def test_a_person_who_must_reconnect_gets_no_session_and_no_upstream_call(go_live, person, kuaishou):
    person.socialaccount_set.get().kuaishou_credential.__class__.objects.update(needs_reconnect=True)

    response = go_live()

    assert response.status_code == 403
    assert "请重新连接快手" in response.content.decode()
    assert LiveSession.objects.count() == 0
    assert kuaishou.requests(endpoint="pushUrls") == []
    assert kuaishou.requests(endpoint="refresh_token") == []


def test_going_live_again_prefills_cover_and_title(ready_session, signed_in, kuaishou):
    signed_in.post(f"/live/{ready_session.pk}/stop/")

    page = signed_in.get(f"/live/new/?from={ready_session.pk}").content.decode()
    response = signed_in.post(
        "/live/new/", form_data(cover=None, reuse_cover=str(ready_session.pk), caption=ready_session.caption)
    )

    assert 'value="湖边日出"' in page
    assert f"/live/{ready_session.pk}/cover.jpg" in page
    again = LiveSession.objects.exclude(pk=ready_session.pk).get()
    assert response["Location"] == f"/live/{again.pk}/"
    assert bytes(again.cover) == bytes(ready_session.cover)
    assert again.live_stream_name != ready_session.live_stream_name


def test_another_persons_cover_cannot_be_reused(go_live, signed_in, django_user_model):
    from tests.helpers import make_credential

    stranger = make_credential("stranger").account.user
    theirs = LiveSession.objects.create(owner=stranger, cover=b"x", idempotency_key="k")

    response = signed_in.post("/live/new/", form_data(cover=None, reuse_cover=str(theirs.pk)))

    assert response.status_code == 200
    assert "请选择封面图片" in response.content.decode()
    assert LiveSession.objects.filter(owner__username="owner").count() == 0


def test_stopping_an_ended_live_says_it_is_over(ready_session, signed_in, kuaishou):
    signed_in.post(f"/live/{ready_session.pk}/stop/")

    response = signed_in.post(f"/live/{ready_session.pk}/stop/", follow=True)

    assert "这场直播已经结束" in response.content.decode()
    assert len(kuaishou.requests(endpoint="stopPush")) == 1


def test_every_status_change_is_recorded(ready_session, kuaishou, signed_in):
    kuaishou.publish(ready_session.live_stream_name)
    services.live_session_sync(session_id=ready_session.pk)
    signed_in.post(f"/live/{ready_session.pk}/stop/")

    events = list(LiveSessionEvent.objects.values_list("from_status", "to_status", "source"))

    assert events == [
        ("", "requesting", "web"),
        ("requesting", "ready", "web"),
        ("ready", "living", "poll"),
        ("living", "ended", "web"),
    ]


def test_without_the_live_scope_the_form_says_so_and_offers_to_grant_it(signed_in, person):
    person.socialaccount_set.get().kuaishou_credential.__class__.objects.update(scopes=["user_base", "user_info"])

    page = signed_in.get("/live/new/").content.decode()

    assert "你没有授权 kslive 代你开播" in page
    assert "重新用快手登录" in page
    assert 'name="cover"' not in page


def test_without_the_live_scope_a_submit_decodes_nothing_and_calls_nobody(go_live, person, kuaishou, monkeypatch):
    person.socialaccount_set.get().kuaishou_credential.__class__.objects.update(scopes=["user_info"])
    import streams.covers

    monkeypatch.setattr(streams.covers, "make_cover", lambda *a, **k: pytest.fail("the cover was decoded"))

    response = go_live()

    assert response.status_code == 403
    assert LiveSession.objects.count() == 0
    assert kuaishou.requests(endpoint="pushUrls") == kuaishou.requests(endpoint="refresh_token") == []


def test_an_operator_fault_fails_the_session_saying_it_is_not_the_persons_fault(go_live, kuaishou, signed_in):
    kuaishou.app(suspended=True)

    go_live()

    session = LiveSession.objects.get()
    assert session.status == Status.FAILED
    assert (session.problem, session.last_error_code) == ("app_rejected", 200100)
    page = signed_in.get(f"/live/{session.pk}/").content.decode()
    assert "这不是你的问题" in page
    assert not session.owner.socialaccount_set.get().kuaishou_credential.needs_reconnect


@pytest.mark.parametrize("end", ["stop", "expire", "fail"])
def test_a_session_that_is_over_keeps_no_push_url(end, ready_session, signed_in, kuaishou):
    if end == "stop":
        signed_in.post(f"/live/{ready_session.pk}/stop/")
    elif end == "expire":
        LiveSession.objects.filter(pk=ready_session.pk).update(expires_at=timezone.now())
        ready_session.refresh_from_db()
        services.live_session_expire(session=ready_session)
    else:
        services._transition(ready_session, to=Status.FAILED, source="admin")

    ready_session.refresh_from_db()
    assert ready_session.is_final
    assert ready_session.push_url == ""
    assert "sign=" not in signed_in.get(f"/live/{ready_session.pk}/?reveal=1").content.decode()
