"""A slow Kuaishou: every request keeps one deadline, and what comes late is still kept."""

import logging

import pytest
import requests
from django.utils import timezone

from accounts import tokens
from accounts.models import KuaishouCredential
from devtools.waiting import wait_until
from kuaishou_app import deadline
from streams import services
from streams.models import LiveSession

Status = LiveSession.Status


def eventually(predicate, timeout=15.0):
    """Wait for something a background thread does; fail if it never happens."""
    if not wait_until(predicate, timeout=timeout):
        pytest.fail("it never happened")


@pytest.fixture
def timeouts_sent(monkeypatch):
    """Record the timeout of every HTTP request the client makes."""
    sent = []
    original = requests.Session.request

    def request(self, method, url, **kwargs):
        sent.append(kwargs.get("timeout"))
        return original(self, method, url, **kwargs)

    monkeypatch.setattr(requests.Session, "request", request)
    return sent


@pytest.mark.django_db
def test_within_a_request_every_call_waits_no_longer_than_what_is_left(ready_session, signed_in, kuaishou,
                                                                        settings, timeouts_sent):
    settings.KSLIVE_REQUEST_DEADLINE = 2
    kuaishou.fault("stopPush", latency_ms=4000)

    response = signed_in.post(f"/live/{ready_session.pk}/stop/", follow=True)

    assert "快手没有及时响应" in response.content.decode()
    ready_session.refresh_from_db()
    assert ready_session.status == Status.READY
    connect, read = timeouts_sent[-1]
    assert connect <= 2 and read <= 2


@pytest.mark.django_db
def test_within_a_request_one_call_connects_and_reads_within_what_is_left_together(ready_session, kuaishou,
                                                                                   settings, timeouts_sent):
    settings.KUAISHOU_CONNECT_TIMEOUT, settings.KUAISHOU_TIMEOUT = 5, 30

    with deadline.within(3):
        services.live_session_sync(session_id=ready_session.pk)

    connect, read = timeouts_sent[-1]
    assert connect > 0 and read > 0
    assert connect + read <= 3


@pytest.mark.django_db
def test_within_a_request_with_time_to_spare_a_call_connects_as_usual_and_reads_for_the_rest(
        ready_session, kuaishou, settings, timeouts_sent):
    settings.KUAISHOU_CONNECT_TIMEOUT, settings.KUAISHOU_TIMEOUT = 5, 30

    with deadline.within(15):
        services.live_session_sync(session_id=ready_session.pk)

    connect, read = timeouts_sent[-1]
    assert connect == 5
    assert 9 < read <= 10


@pytest.mark.django_db
def test_outside_a_request_a_call_gets_its_full_timeouts(ready_session, kuaishou, settings, timeouts_sent):
    services.live_session_sync(session_id=ready_session.pk)

    assert timeouts_sent[-1] == (settings.KUAISHOU_CONNECT_TIMEOUT, settings.KUAISHOU_TIMEOUT)


@pytest.mark.django_db(transaction=True)
def test_a_push_url_that_comes_after_the_deadline_is_stored_on_the_session(go_live, signed_in, kuaishou, settings):
    settings.KSLIVE_REQUEST_DEADLINE = 1
    kuaishou.fault("pushUrls", latency_ms=2500)

    response = go_live()

    session = LiveSession.objects.get()
    assert response["Location"] == f"/live/{session.pk}/"
    assert session.status == Status.REQUESTING
    assert "快手出推流地址比较慢" in signed_in.get(f"/live/{session.pk}/").content.decode()
    eventually(lambda: LiveSession.objects.get().status == Status.READY)
    session.refresh_from_db()
    (issued,) = kuaishou.requests(endpoint="pushUrls")
    assert session.live_stream_name and session.push_url.endswith(f"/{session.live_stream_name}?sign="
                                                                   f"{kuaishou.stream(session.live_stream_name)['sign']}")
    assert issued["result"] == 0


@pytest.mark.django_db(transaction=True)
def test_the_device_api_says_202_then_gives_the_same_session_once_it_is_ready(client, person, kuaishou, settings):
    from api import services as api_services
    from tests.helpers import Api

    settings.KSLIVE_REQUEST_DEADLINE = 1
    api = Api(client, api_services.device_token_create(owner=person, name="drone")[1])
    kuaishou.fault("pushUrls", latency_ms=2500)

    waiting = api.go_live(headers={"Idempotency-Key": "take-1"})

    assert waiting.status_code == 202
    assert (waiting.json()["status"], waiting.json()["push_url"]) == ("requesting", None)
    eventually(lambda: api.get(waiting["Location"]).json()["status"] == "ready")
    again = api.go_live(headers={"Idempotency-Key": "take-1"})
    assert again.status_code == 201
    assert again.json()["id"] == waiting.json()["id"] and again.json()["push_url"]
    assert len(kuaishou.requests(endpoint="pushUrls")) == 1


@pytest.mark.django_db(transaction=True)
def test_a_push_url_nobody_waits_for_any_more_is_stopped_and_logged(go_live, kuaishou, settings, caplog):
    settings.KSLIVE_REQUEST_DEADLINE = 1
    kuaishou.fault("pushUrls", latency_ms=2500)
    go_live()
    session = LiveSession.objects.get()
    services._fail(session, source="poll", error=services.KuaishouUnavailable("gave up"))

    eventually(lambda: kuaishou.requests(endpoint="stopPush"))

    (stop,) = kuaishou.requests(endpoint="stopPush")
    name = stop["form"]["liveStreamName"]
    assert kuaishou.stream(name)["end_reason"] == "stopped"
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any(name in message for message in errors)
    session.refresh_from_db()
    assert session.status == Status.FAILED and session.push_url == ""


@pytest.mark.django_db(transaction=True)
def test_tokens_from_a_refresh_that_comes_after_the_deadline_are_kept(connect, kuaishou):
    credential = connect()
    KuaishouCredential.objects.update(access_token_expires_at=timezone.now() + timezone.timedelta(seconds=60))
    old_access = credential.access_token
    kuaishou.fault("refresh_token", latency_ms=2500)

    with deadline.within(1):
        token = tokens.access_token_fresh(credential.account.user)

    assert token == old_access  # still valid: used meanwhile
    eventually(lambda: KuaishouCredential.objects.get().access_token != old_access)
    credential.refresh_from_db()
    assert kuaishou.requests(endpoint="refresh_token")[0]["result"] == 1
    assert credential.access_token_expires_at > timezone.now() + timezone.timedelta(hours=1)
    assert not credential.needs_reconnect


def test_a_session_is_given_up_on_only_after_the_longest_a_late_call_can_take(settings):
    settings.KSLIVE_REQUEST_DEADLINE, settings.KUAISHOU_CONNECT_TIMEOUT, settings.KUAISHOU_TIMEOUT = 15, 5, 30

    assert services.request_abandoned_after() == timezone.timedelta(seconds=15 + 5 + 30 + 30)
