"""Relay sessions: rehearse on kslive's ingest, go live with one click, slate while the encoder is away."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from devtools.waiting import wait_until
from relay import services
from streams import services as streams
from relay.models import Relay
from streams.models import LiveSession, LiveSessionEvent
from tests.helpers import form_data

Status = LiveSession.Status
PROBES = Path(__file__).parent / "probes"


def test_rehearse_first_makes_a_rehearsing_session_without_asking_kuaishou(rehearsing, kuaishou):
    assert rehearsing.status == Status.REHEARSING and rehearsing.relay
    assert rehearsing.push_url == "" and rehearsing.next_poll_at is None
    assert kuaishou.requests("pushUrls") == []


def test_the_page_shows_kslives_ingest_and_a_preview_but_no_push_url(rehearsing, relay, signed_in):
    page = signed_in.get(f"/live/{rehearsing.pk}/").content.decode()

    assert 'value="rtmp://relay.example.com:1936/rehearse/"' in page
    assert f'value="{relay.stream_name}?key={relay.key}"' in page
    assert f'data-hls="{relay.preview_url}"' in page
    assert "gifshow" not in page
    assert "Waiting for your encoder" in page or "等待" in page


def test_the_status_poll_carries_the_check_and_the_feed_but_never_the_key(receiving, signed_in):
    facts = services.check.facts(json.loads((PROBES / "mp3_audio.json").read_text()))
    services.relay_check_store(relay=receiving, facts=facts, connected_at=receiving.encoder_since)

    status = signed_in.get(f"/live/{receiving.session_id}/status/").content.decode()

    assert '<template data-sync="relay-check">' in status
    assert 'data-check-item="audio_codec" data-level="red"' in status
    assert receiving.key not in status


def test_a_check_begun_before_a_reconnect_is_not_kept(receiving, hook):
    started_for = receiving.encoder_since
    hook("on_publish_done", name=receiving.stream_name)
    hook("on_publish", name=receiving.stream_name, key=receiving.key, clientid="8")

    assert not services.relay_check_store(relay=receiving, facts={"video_codec": "h264"}, connected_at=started_for)


def test_going_live_needs_the_encoder_on_the_ingest(rehearsing, relay, signed_in, kuaishou):
    response = signed_in.post(f"/live/{rehearsing.pk}/go-live/", follow=True)

    rehearsing.refresh_from_db()
    assert rehearsing.status == Status.REHEARSING
    assert "Start your encoder first" in response.content.decode() or "先" in response.content.decode()
    assert kuaishou.requests("pushUrls") == []


def test_going_live_asks_kuaishou_for_the_push_url_with_the_same_cover_and_title(receiving, signed_in, kuaishou):
    signed_in.post(f"/live/{receiving.session_id}/go-live/")

    session = LiveSession.objects.get(pk=receiving.session_id)
    assert session.status == Status.READY and session.push_url.startswith("rtmp://")
    [request] = kuaishou.requests("pushUrls")
    assert request["form"]["caption"] == "彩排一下"
    assert request["files"]["file"]["filename"].endswith(".jpg")
    # kslive feeds this push URL itself: the person never gets it.
    assert session.push is None
    assert services.wanted_feed(Relay.objects.get(pk=receiving.pk)) == Relay.Feed.RELAY


def test_a_second_click_asks_kuaishou_once(receiving, signed_in, kuaishou):
    signed_in.post(f"/live/{receiving.session_id}/go-live/")
    signed_in.post(f"/live/{receiving.session_id}/go-live/")

    assert len(kuaishou.requests("pushUrls")) == 1


def test_when_kuaishou_refuses_the_rehearsal_goes_on_and_the_page_says_why(receiving, signed_in, kuaishou):
    kuaishou.fault("pushUrls", result=400006)

    response = signed_in.post(f"/live/{receiving.session_id}/go-live/", follow=True)

    session = LiveSession.objects.get(pk=receiving.session_id)
    assert session.status == Status.REHEARSING
    assert session.last_error_code == 400006
    assert response.status_code == 200
    assert [e.to_status for e in session.events.all()] == ["rehearsing", "requesting", "rehearsing"]
    assert session.events.last().note == "result 400006"


def settled(session_id):
    """Wait for a go-live that outlasted the request's deadline to be answered; return the session."""
    assert wait_until(lambda: LiveSession.objects.get(pk=session_id).status != Status.REQUESTING, timeout=15)
    return LiveSession.objects.get(pk=session_id)


@pytest.mark.django_db(transaction=True)
def test_a_refusal_that_comes_after_the_deadline_sends_the_session_back_to_rehearsing(receiving, signed_in,
                                                                                      kuaishou, settings):
    settings.KSLIVE_REQUEST_DEADLINE = 1
    kuaishou.fault("pushUrls", result=400006, latency_ms=2500)

    signed_in.post(f"/live/{receiving.session_id}/go-live/")
    assert LiveSession.objects.get(pk=receiving.session_id).status == Status.REQUESTING
    session = settled(receiving.session_id)

    assert session.status == Status.REHEARSING
    assert session.last_error_code == 400006
    assert [e.to_status for e in session.events.all()] == ["rehearsing", "requesting", "rehearsing"]
    signed_in.post(f"/live/{session.pk}/go-live/")
    session.refresh_from_db()
    assert session.status == Status.READY and session.push_url.startswith("rtmp://")


def test_a_go_live_abandoned_mid_call_sends_the_session_back_to_rehearsing(receiving):
    LiveSession.objects.filter(pk=receiving.session_id).update(
        status=Status.REQUESTING, updated_at=timezone.now() - timedelta(minutes=3))

    assert streams.live_sessions_fail_abandoned() == 1

    session = LiveSession.objects.get(pk=receiving.session_id)
    assert session.status == Status.REHEARSING
    assert session.problem == LiveSession.Problem.UNAVAILABLE


@pytest.mark.django_db(transaction=True)
def test_a_go_live_after_a_long_rehearsal_is_not_given_up_on_while_kuaishou_answers(receiving, signed_in,
                                                                                    kuaishou, settings):
    LiveSession.objects.filter(pk=receiving.session_id).update(created_at=timezone.now() - timedelta(hours=1))
    settings.KSLIVE_REQUEST_DEADLINE = 1
    kuaishou.fault("pushUrls", latency_ms=2500)
    signed_in.post(f"/live/{receiving.session_id}/go-live/")

    assert streams.live_sessions_fail_abandoned() == 0

    session = settled(receiving.session_id)
    assert session.status == Status.READY and session.push_url.startswith("rtmp://")
    assert kuaishou.requests("stopPush") == []


def test_stopping_a_rehearsal_ends_it_without_calling_kuaishou(rehearsing, signed_in, kuaishou):
    signed_in.post(f"/live/{rehearsing.pk}/stop/")

    rehearsing.refresh_from_db()
    assert rehearsing.status == Status.ENDED
    assert kuaishou.requests("stopPush") == []


def live(relay: Relay) -> Relay:
    """Make the relay's session live, its agent feeding Kuaishou the encoder's stream."""
    LiveSession.objects.filter(pk=relay.session_id).update(status=Status.LIVING, push_url="rtmp://k/gifshow/x?sign=s")
    relay = Relay.objects.select_related("session").get(pk=relay.pk)
    services.relay_feed_changed(relay=relay, feed=Relay.Feed.RELAY)
    return relay


def test_a_drop_while_live_brings_the_slate_and_shows_on_the_timeline(receiving, hook):
    relay = live(receiving)

    hook("on_publish_done", name=relay.stream_name)

    relay = Relay.objects.select_related("session").get(pk=relay.pk)
    assert services.wanted_feed(relay) == Relay.Feed.SLATE
    assert relay.drops == 1
    [event] = relay.session.events.filter(kind=LiveSessionEvent.Kind.ENCODER_DROPPED)
    assert event.source == LiveSessionEvent.Source.RELAY


def test_the_encoders_return_ends_the_slate_and_notes_how_long_it_was_away(receiving, hook):
    relay = live(receiving)
    hook("on_publish_done", name=relay.stream_name)
    relay = Relay.objects.select_related("session").get(pk=relay.pk)
    services.relay_feed_changed(relay=relay, feed=Relay.Feed.SLATE)
    Relay.objects.filter(pk=relay.pk).update(encoder_dropped_at=timezone.now() - timedelta(seconds=20))

    hook("on_publish", name=relay.stream_name, key=relay.key, clientid="9")

    relay = Relay.objects.select_related("session").get(pk=relay.pk)
    assert services.wanted_feed(relay) == Relay.Feed.RELAY
    [event] = relay.session.events.filter(kind=LiveSessionEvent.Kind.ENCODER_BACK)
    assert event.note == "20 s"


def test_after_the_slate_window_the_live_ends(receiving, hook, settings):
    relay = live(receiving)
    hook("on_publish_done", name=relay.stream_name)
    relay = Relay.objects.select_related("session").get(pk=relay.pk)
    services.relay_feed_changed(relay=relay, feed=Relay.Feed.SLATE)
    Relay.objects.filter(pk=relay.pk).update(slate_since=timezone.now() - timedelta(seconds=301))
    relay = Relay.objects.select_related("session").get(pk=relay.pk)

    assert services.wanted_feed(relay) == Relay.Feed.NONE


def test_a_session_that_never_fed_kuaishou_gets_no_slate(receiving, hook):
    LiveSession.objects.filter(pk=receiving.session_id).update(status=Status.READY, push_url="rtmp://k/g/x?sign=s")
    hook("on_publish_done", name=receiving.stream_name)

    relay = Relay.objects.select_related("session").get(pk=receiving.pk)
    assert services.wanted_feed(relay) == Relay.Feed.NONE


def test_the_form_refuses_rehearsing_where_no_ingest_is_configured(signed_in, settings):
    settings.KSLIVE_RELAY_INGEST_URL = ""

    response = signed_in.post("/live/new/", form_data(relay="true"))

    assert response.status_code == 200
    assert not LiveSession.objects.exists()


def test_a_dead_agent_makes_healthz_unhealthy(relay, client):
    from relay.models import RelayAgent

    RelayAgent.objects.create(host=relay.host, seen_at=timezone.now() - timedelta(minutes=1))

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["relay"] == f"agent down on {relay.host}"


def test_a_relay_sessions_push_url_is_never_reissued(receiving, signed_in, api):
    signed_in.post(f"/live/{receiving.session_id}/go-live/")

    response = api.post(f"/api/v1/live-sessions/{receiving.session_id}/reissue")

    assert response.status_code == 409
    assert LiveSession.objects.count() == 1


def test_staff_see_the_relay_in_the_admin_but_never_its_key(receiving, admin_client):
    page = admin_client.get(f"/admin/relay/relay/{receiving.pk}/change/").content.decode()

    assert receiving.stream_name in page
    assert receiving.key not in page
