"""Helpers at the shoot: the checklist before the first Show, the encoder picker, a link for
the operator, expiry warnings and reissue."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from streams import services
from streams.models import Handoff, LiveSession, LiveSessionEvent

pytestmark = pytest.mark.django_db
Status = LiveSession.Status


def page_of(client, session, query=""):
    return client.get(f"/live/{session.pk}/{query}").content.decode()


def confirm_checklist(client, session, **ticks):
    return client.post(f"/live/{session.pk}/reveal/", {"codecs": "1", "no_autoconfig": "1", **ticks})


# The checklist before the first Show


def test_the_first_show_asks_for_the_encoder_checklist_instead_of_the_url(ready_session, signed_in):
    page = page_of(signed_in, ready_session, "?reveal=1")

    assert ready_session.push_url not in page
    assert 'name="codecs"' in page and 'name="no_autoconfig"' in page
    assert "第一次推流就是真正开播" in page


def test_the_url_shows_only_when_both_lines_are_ticked(ready_session, signed_in):
    confirm_checklist(signed_in, ready_session, no_autoconfig="")
    assert ready_session.push_url not in page_of(signed_in, ready_session, "?reveal=1")

    confirm_checklist(signed_in, ready_session)

    assert ready_session.push_url in page_of(signed_in, ready_session, "?reveal=1")


def test_the_first_show_is_an_event_on_the_timeline_once(ready_session, signed_in):
    confirm_checklist(signed_in, ready_session)
    confirm_checklist(signed_in, ready_session)

    events = ready_session.events.filter(kind=LiveSessionEvent.Kind.REVEALED)
    assert events.count() == 1
    assert "推流地址已显示" in page_of(signed_in, ready_session)


# What are you streaming from?


def test_the_revealed_page_has_a_section_per_encoder_with_what_it_needs(ready_session, signed_in):
    confirm_checklist(signed_in, ready_session)
    page = page_of(signed_in, ready_session, "?reveal=1")
    push = ready_session.push

    for encoder in ("obs", "phone", "drone", "ffmpeg"):
        assert f'data-encoder="{encoder}"' in page
    assert f'value="{push.rtmp_server}"' in page and f'value="{push.stream_key}"' in page
    assert f'value="{push.with_port}"' in page
    assert "larix://set/v1?conn[][url]=" in page
    assert "-c:v libx264" in page and "-c:a aac" in page


def test_the_larix_link_carries_the_push_url_as_larix_documents_it(ready_session):
    link = ready_session.encoder_formats["larix"]

    query = parse_qs(urlsplit(link.replace("larix://", "https://", 1)).query)
    assert link.startswith("larix://set/v1?")
    assert query["conn[][url]"] == [ready_session.push_url]
    assert query["conn[][name]"] == ["湖边日出"]


def test_the_api_gives_the_same_formats(api, kuaishou):
    session = api.go_live().json()

    formats = session["formats"]
    assert formats["url"] == session["push_url"]
    assert formats["obs"] == {"server": session["rtmp_server"], "stream_key": session["stream_key"]}
    assert formats["larix"].startswith("larix://set/v1?") and formats["ffmpeg"].startswith("ffmpeg ")
    assert formats["url_with_port"].startswith("rtmp://127.0.0.1:1935/")


# A link for the operator


def make_link(signed_in, session):
    page = signed_in.post(f"/live/{session.pk}/handoffs/").content.decode()
    start = page.index("http://testserver/h/")
    return page[start:page.index('"', start)].removeprefix("http://testserver")


def test_a_link_shows_the_push_url_and_the_state_to_someone_without_a_login(ready_session, signed_in):
    path = make_link(signed_in, ready_session)
    operator = Client()

    page = operator.get(path)

    assert page.status_code == 200
    assert ready_session.push_url in page.content.decode()
    assert 'data-status="ready"' in page.content.decode()
    assert page["Referrer-Policy"] == "no-referrer"
    assert operator.get(path + "status/").status_code == 200


def test_a_link_works_in_the_first_browser_only(ready_session, signed_in):
    path = make_link(signed_in, ready_session)
    first, second = Client(), Client()
    first.get(path)

    refused = second.get(path)

    assert refused.status_code == 410
    assert "已在另一台设备上打开" in refused.content.decode()
    assert ready_session.push_url not in refused.content.decode()
    assert first.get(path).status_code == 200


def test_the_owner_sees_it_was_opened_and_the_timeline_says_so(ready_session, signed_in):
    Client().get(make_link(signed_in, ready_session))

    page = page_of(signed_in, ready_session)

    assert "打开于" in page
    kinds = list(ready_session.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["handoff_created", "handoff_opened"]


def test_a_revoked_link_shows_nothing(ready_session, signed_in):
    path = make_link(signed_in, ready_session)
    operator = Client()
    operator.get(path)

    signed_in.post(f"/live/{ready_session.pk}/handoffs/{Handoff.objects.get().pk}/revoke/")

    assert operator.get(path).status_code == 410
    assert operator.get(path + "status/").status_code == 410


def test_a_link_dies_with_its_session(ready_session, signed_in):
    path = make_link(signed_in, ready_session)
    operator = Client()
    operator.get(path)

    signed_in.post(f"/live/{ready_session.pk}/stop/")

    assert operator.get(path).status_code == 410


def test_a_link_not_opened_within_15_minutes_has_expired(ready_session, signed_in):
    path = make_link(signed_in, ready_session)
    Handoff.objects.update(expires_at=timezone.now())

    assert Client().get(path).status_code == 410


def test_only_the_hash_of_a_link_is_kept(ready_session, signed_in):
    path = make_link(signed_in, ready_session)

    raw = path.split("/")[2]
    assert raw not in Handoff.objects.get().key_hash


# Expiry and reissue


def test_six_hours_before_an_unused_url_lapses_the_page_and_the_api_say_so(api, signed_in, kuaishou):
    session = LiveSession.objects.get(pk=api.go_live().json()["id"])
    assert not api.get(f"/api/v1/live-sessions/{session.pk}").json()["expires_soon"]

    LiveSession.objects.filter(pk=session.pk).update(expires_at=timezone.now() + timezone.timedelta(hours=5))

    assert api.get(f"/api/v1/live-sessions/{session.pk}").json()["expires_soon"]
    assert "重新获取推流地址" in page_of(signed_in, session)


def test_reissue_gives_a_new_push_url_with_the_same_cover_and_title_and_retires_the_old(ready_session, signed_in,
                                                                                        kuaishou):
    response = signed_in.post(f"/live/{ready_session.pk}/reissue/")

    new = LiveSession.objects.exclude(pk=ready_session.pk).get()
    ready_session.refresh_from_db()
    assert response["Location"] == f"/live/{new.pk}/"
    assert new.status == Status.READY and new.push_url != ""
    assert (new.caption, bytes(new.cover)) == (ready_session.caption, bytes(ready_session.cover))
    assert ready_session.status == Status.REPLACED and ready_session.replaced_by == new
    assert ready_session.push_url == ""
    assert kuaishou.stream(ready_session.live_stream_name)["end_reason"] == "stopped"
    assert f"/live/{new.pk}/" in page_of(signed_in, ready_session)


def test_reissuing_twice_gives_the_same_new_session(ready_session, signed_in, kuaishou):
    signed_in.post(f"/live/{ready_session.pk}/reissue/")
    signed_in.post(f"/live/{ready_session.pk}/reissue/")

    assert LiveSession.objects.count() == 2
    assert len(kuaishou.requests(endpoint="pushUrls")) == 2


def test_an_expired_session_can_be_reissued_in_one_click(ready_session, signed_in, kuaishou):
    LiveSession.objects.filter(pk=ready_session.pk).update(expires_at=timezone.now())
    ready_session.refresh_from_db()
    services.live_session_expire(session=ready_session)

    signed_in.post(f"/live/{ready_session.pk}/reissue/")

    ready_session.refresh_from_db()
    assert ready_session.status == Status.EXPIRED
    assert ready_session.replaced_by.status == Status.READY


def test_a_used_session_cannot_be_reissued(ready_session, signed_in, kuaishou):
    kuaishou.publish(ready_session.live_stream_name)
    services.live_session_sync(session_id=ready_session.pk)

    signed_in.post(f"/live/{ready_session.pk}/reissue/")

    assert LiveSession.objects.count() == 1


def test_the_api_reissues_too(api, kuaishou):
    old = api.go_live().json()

    response = api.post(f"/api/v1/live-sessions/{old['id']}/reissue")

    assert response.status_code == 201
    assert api.get(f"/api/v1/live-sessions/{old['id']}").json()["replaced_by"] == response.json()["id"]
    assert api.post(f"/api/v1/live-sessions/{old['id']}/reissue").status_code == 409


# Following the live


def test_the_go_live_again_box_is_always_on_the_page_for_the_status_poll_to_fill(ready_session, signed_in):
    page = page_of(signed_in, ready_session)

    assert 'class="again-box" data-refresh-on-change' in page
    assert "再次开播" not in page
