"""Every session ends: one Kuaishou keeps refusing, stops answering, or can no longer be asked
about (its owner disconnected) becomes `lost`, and is looked at once more when its owner
logs in again."""

import json
import re

import kuaishou as client
import pytest
from django.conf import settings
from django.utils import timezone

from accounts import services as account_services
from accounts.models import KuaishouCredential
from api import services as api_services
from api.models import WebhookDelivery
from kuaishou_app.calls import app_credentials
from streams import services, tasks
from streams.models import LiveSession, LiveSessionEvent
from streams.tests.polls import poll

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_cache")]
Status = LiveSession.Status
Lost = LiveSession.LostReason


def silent_since(session, minutes):
    LiveSession.objects.filter(pk=session.pk).update(
        last_polled_at=timezone.now() - timezone.timedelta(minutes=minutes)
    )
    session.refresh_from_db()


def disconnect(person):
    KuaishouCredential.objects.filter(account__user=person).update(needs_reconnect=True, reconnect_reason="test")


@pytest.fixture
def living_session(ready_session, kuaishou):
    kuaishou.publish(ready_session.live_stream_name)
    assert poll(ready_session).status == Status.LIVING
    return ready_session


def test_five_refused_polls_in_a_row_lose_the_session_with_its_last_known_status(living_session, kuaishou):
    kuaishou.fault("status", result=400005, count=-1)

    for _ in range(4):
        assert poll(living_session).status == Status.LIVING
    assert living_session.refusals == 4
    poll(living_session)

    assert living_session.status == Status.LOST
    assert (living_session.lost_reason, living_session.last_known_status) == (Lost.REFUSALS, Status.LIVING)
    assert living_session.last_error_code == 400005
    assert living_session.push_url == ""
    assert living_session.next_poll_at is None
    assert LiveSessionEvent.objects.filter(to_status="lost", from_status="living", source="poll").count() == 1
    assert len(kuaishou.requests(endpoint="status")) == 1 + 5


def test_a_lost_session_is_never_polled_again(living_session, kuaishou):
    LiveSession.objects.filter(pk=living_session.pk).update(status=Status.LOST, next_poll_at=timezone.now())

    assert services.live_session_polls_claim() == []
    tasks.poll_live_session(living_session.pk)
    assert len(kuaishou.requests(endpoint="status")) == 1


def test_an_answer_between_refusals_starts_the_count_again(ready_session, kuaishou):
    kuaishou.fault("status", result=400013, count=4)
    for _ in range(4):
        poll(ready_session)
    assert ready_session.refusals == 4

    poll(ready_session)
    kuaishou.fault("status", result=400013, count=1)
    poll(ready_session)

    assert ready_session.status == Status.READY
    assert ready_session.refusals == 1


def test_passing_trouble_is_no_refusal(ready_session, kuaishou):
    kuaishou.fault("status", result=400003, count=-1)

    for _ in range(6):
        poll(ready_session)

    assert ready_session.status == Status.READY
    assert ready_session.refusals == 0


def test_no_answered_poll_for_the_silence_loses_the_session(living_session, kuaishou, settings):
    settings.KSLIVE_LOST_AFTER_SILENCE = 1800
    silent_since(living_session, 31)
    kuaishou.fault("status", result=400003)

    poll(living_session)

    assert living_session.status == Status.LOST
    assert (living_session.lost_reason, living_session.last_known_status) == (Lost.SILENCE, Status.LIVING)


def test_a_short_silence_keeps_the_session(living_session, kuaishou):
    silent_since(living_session, 29)
    kuaishou.fault("status", result=400003)

    assert poll(living_session).status == Status.LIVING


def test_a_living_session_outlasts_a_long_rejection_of_our_app_and_is_polled_again_once_it_is_fixed(
        living_session, kuaishou, settings):
    settings.KSLIVE_LOST_AFTER_SILENCE = 1800
    silent_since(living_session, 31)
    kuaishou.app(suspended=True)

    for _ in range(settings.KSLIVE_LOST_AFTER_REFUSALS + 1):
        poll(living_session)

    assert living_session.status == Status.LIVING
    assert living_session.push_url.startswith("rtmp://")
    assert living_session.problem == LiveSession.Problem.APP_REJECTED
    assert living_session.refusals == 0
    assert living_session.next_poll_at > timezone.now()

    kuaishou.app(restore=True)
    kuaishou.drop(living_session.live_stream_name)
    kuaishou.clock(advance=91)
    poll(living_session)

    assert living_session.status == Status.ENDED
    assert living_session.ended_by == LiveSession.EndedBy.KUAISHOU
    assert living_session.problem == ""


def test_passing_trouble_right_after_a_long_rejection_of_our_app_loses_nothing(living_session, kuaishou, settings):
    settings.KSLIVE_LOST_AFTER_SILENCE = 1800
    silent_since(living_session, 31)
    kuaishou.app(suspended=True)
    poll(living_session)
    kuaishou.app(restore=True)
    kuaishou.fault("status", result=400003)

    poll(living_session)

    assert living_session.status == Status.LIVING
    assert living_session.problem == LiveSession.Problem.UNAVAILABLE


def test_an_owner_disconnected_for_longer_than_the_silence_loses_their_session(living_session, kuaishou, person):
    disconnect(person)
    poll(living_session)
    assert living_session.status == Status.LIVING  # briefly disconnected: looked at again later

    silent_since(living_session, 31)
    poll(living_session)

    assert living_session.status == Status.LOST
    assert living_session.lost_reason == Lost.DISCONNECTED
    assert len(kuaishou.requests(endpoint="status")) == 1  # the owner's token is not used


def test_logging_in_again_polls_the_persons_sessions_at_once(person, django_capture_on_commit_callbacks,
                                                            monkeypatch, kuaishou):
    queued = []
    monkeypatch.setattr(tasks.recheck_owner_sessions, "delay", queued.append)
    credential = KuaishouCredential.objects.get(account__user=person)
    grant = client.exchange_code(app_credentials(), code=kuaishou.authorize(user="xiaoming"))

    with django_capture_on_commit_callbacks(execute=True):
        account_services.credential_store_login(account=credential.account, grant=grant)

    assert queued == [person.pk]


def lose(session, reason=Lost.DISCONNECTED):
    LiveSession.objects.filter(pk=session.pk).update(
        status=Status.LOST, lost_reason=reason, last_known_status=session.status, next_poll_at=None, push_url=""
    )
    session.refresh_from_db()


def test_a_lost_session_still_living_on_kuaishou_is_living_again_after_a_reconnect(living_session, kuaishou,
                                                                                   person):
    lose(living_session)

    tasks.recheck_owner_sessions(person.pk)

    living_session.refresh_from_db()
    assert living_session.status == Status.LIVING
    assert living_session.lost_reason == ""
    assert living_session.next_poll_at is not None


def test_a_lost_session_ended_on_kuaishou_is_ended_by_kuaishou_after_a_reconnect(living_session, kuaishou, person):
    lose(living_session)
    kuaishou.drop(living_session.live_stream_name)
    kuaishou.clock(advance=91)

    services.live_sessions_recheck(owner_id=person.pk)

    living_session.refresh_from_db()
    assert living_session.status == Status.ENDED
    assert living_session.ended_by == LiveSession.EndedBy.KUAISHOU


def test_a_lost_session_kuaishou_says_nothing_new_about_stays_lost(ready_session, kuaishou, person):
    lose(ready_session)

    services.live_sessions_recheck(owner_id=person.pk)

    ready_session.refresh_from_db()
    assert ready_session.status == Status.LOST
    assert len(kuaishou.requests(endpoint="status")) == 1


def test_only_sessions_lost_while_disconnected_are_looked_at_again(living_session, kuaishou, person):
    lose(living_session, reason=Lost.REFUSALS)

    services.live_sessions_recheck(owner_id=person.pk)

    living_session.refresh_from_db()
    assert living_session.status == Status.LOST
    assert len(kuaishou.requests(endpoint="status")) == 1


def test_the_reconnect_makes_active_sessions_due_at_once(ready_session, kuaishou, person):
    LiveSession.objects.filter(pk=ready_session.pk).update(next_poll_at=timezone.now() + timezone.timedelta(minutes=5))
    kuaishou.publish(ready_session.live_stream_name)

    services.live_sessions_recheck(owner_id=person.pk)
    claimed = services.live_session_polls_claim()
    for session_id in claimed:
        tasks.poll_live_session(session_id)

    ready_session.refresh_from_db()
    assert claimed == [ready_session.pk]
    assert ready_session.status == Status.LIVING


def test_the_page_shows_a_lost_session_and_its_last_known_status(living_session, kuaishou, signed_in):
    kuaishou.fault("status", result=400005, count=-1)
    for _ in range(5):
        poll(living_session)

    fragment = signed_in.get(f"/live/{living_session.pk}/status/").content.decode()
    page = signed_in.get(f"/live/{living_session.pk}/").content.decode()

    assert 'data-status="lost"' in fragment
    assert "与快手失去联系" in fragment
    assert "最后已知状态：直播中。" in fragment
    assert "rtmp://" not in page
    english = signed_in.get(f"/live/{living_session.pk}/status/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Lost contact with Kuaishou" in english
    assert "Last known status: Live." in english


def test_the_pages_status_poller_stops_at_every_final_status_lost_included():
    script = (settings.BASE_DIR / "static" / "js" / "kslive.js").read_text()
    final = json.loads(re.search(r"var final = (\[[^\]]*\]);", script).group(1))

    assert sorted(final) == sorted(LiveSession.FINAL)
    assert "lost" in final


def test_a_device_sees_a_lost_session_and_its_webhook_hears_of_it(api, kuaishou, settings,
                                                                  django_capture_on_commit_callbacks, monkeypatch):
    settings.KSLIVE_WEBHOOK_ALLOW_PRIVATE = True
    session_id = api.go_live().json()["id"]
    token = api_services.DeviceToken.objects.get()
    api_services.webhook_register(token=token, url="http://127.0.0.1:9/hook")
    monkeypatch.setattr(api_services, "webhook_deliveries_claim", lambda **kwargs: [])
    kuaishou.fault("status", result=400005, count=-1)

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            tasks.poll_live_session(session_id)

    body = api.get(f"/api/v1/live-sessions/{session_id}").json()
    assert body["status"] == "lost"
    assert body["push_url"] is None
    assert body["lost"]["reason"] == "refusals"
    assert body["lost"]["last_known_status"] == "ready"
    assert api.get("/api/v1/live-sessions", {"status": "lost"}).json()["count"] == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.payload["status"], delivery.payload["previous"]) == ("lost", "ready")


def test_the_api_schema_knows_lost(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()

    assert '"lost"' in schema or "- lost" in schema
