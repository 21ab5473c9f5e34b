import pytest
from django.test import override_settings
from django.utils import timezone

from accounts.models import KuaishouCredential
from kslive_site.celery import app as celery_app
from streams import services, tasks, upstream_budget
from streams.models import LiveSession, LiveSessionEvent
from streams.tests.polls import poll

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_cache")]
Status = LiveSession.Status


def status_calls(sandbox):
    return len(sandbox.requests(endpoint="status"))


def test_a_ready_session_stays_ready_until_the_stream_arrives(ready_session, kuaishou):
    poll(ready_session)

    assert ready_session.status == Status.READY
    assert ready_session.status_message  # Kuaishou's statusMsg is kept
    assert status_calls(kuaishou) == 1


def test_a_stream_that_drops_ends_by_kuaishou_after_the_grace(ready_session, kuaishou, signed_in):
    kuaishou.publish(ready_session.live_stream_name)
    poll(ready_session)
    kuaishou.drop(ready_session.live_stream_name)

    assert poll(ready_session).status == Status.LIVING
    kuaishou.clock(advance=91)
    poll(ready_session)

    assert ready_session.status == Status.ENDED
    assert ready_session.ended_by == LiveSession.EndedBy.KUAISHOU
    fragment = signed_in.get(f"/live/{ready_session.pk}/status/").content.decode()
    assert "由快手（推流已中断）结束" in fragment


def test_an_unused_push_url_expires_after_two_days_without_any_call(ready_session, kuaishou):
    LiveSession.objects.filter(pk=ready_session.pk).update(
        expires_at=timezone.now() - timezone.timedelta(seconds=1), next_poll_at=timezone.now()
    )

    expired, claimed = services.live_sessions_expire_due(), services.live_session_polls_claim()

    ready_session.refresh_from_db()
    assert (expired, claimed) == (1, [])
    assert ready_session.status == Status.EXPIRED
    assert status_calls(kuaishou) == 0
    assert LiveSessionEvent.objects.filter(to_status="expired", source="expiry").count() == 1


def test_overlapping_polls_apply_a_change_once(ready_session, kuaishou):
    kuaishou.publish(ready_session.live_stream_name)
    stale = LiveSession.objects.get(pk=ready_session.pk)

    poll(ready_session)
    services._apply_status(
        stale,
        services.kuaishou.LiveStatus(stale.live_stream_name, services.kuaishou.LiveState.LIVING),
        source="poll",
        now=timezone.now(),
    )

    assert LiveSessionEvent.objects.filter(to_status="living").count() == 1


def test_ended_failed_and_expired_sessions_are_never_polled(ready_session, kuaishou):
    for status in (Status.ENDED, Status.FAILED, Status.EXPIRED):
        LiveSession.objects.filter(pk=ready_session.pk).update(status=status, next_poll_at=timezone.now())

        assert services.live_session_polls_claim() == []


def test_polls_come_often_after_issue_then_calmer_and_steady_while_living(ready_session):
    now = timezone.now()
    assert services.poll_delay(ready_session, now).total_seconds() == 5
    later = now + timezone.timedelta(minutes=11)
    assert services.poll_delay(ready_session, later).total_seconds() == 30
    ready_session.status = Status.LIVING
    assert services.poll_delay(ready_session, now).total_seconds() == 15


def test_a_due_poll_is_claimed_once(ready_session):
    LiveSession.objects.filter(pk=ready_session.pk).update(next_poll_at=timezone.now())

    first, second = services.live_session_polls_claim(), services.live_session_polls_claim()

    assert first == [ready_session.pk]
    assert second == []


@override_settings(KUAISHOU_STATUS_CALLS_PER_MINUTE=2)
def test_the_dispatcher_stays_within_the_call_budget(signed_in, go_live, monkeypatch):
    for _ in range(4):
        go_live()
    minute_start = 60 * 1000
    claimed = 0
    for second in range(0, 60, 5):
        monkeypatch.setattr(services.time, "time", lambda second=second: minute_start + second)
        LiveSession.objects.update(next_poll_at=timezone.now())
        claimed += len(services.live_session_polls_claim())

    assert claimed == 2


@override_settings(KUAISHOU_STATUS_CALLS_PER_MINUTE=600)
def test_the_budget_is_spread_over_the_minute_not_spent_at_its_start(monkeypatch):
    monkeypatch.setattr(upstream_budget.time, "time", lambda: 60 * 1000.0)

    first = upstream_budget.budget_take(500)
    second = upstream_budget.budget_take(500)

    assert first == 20  # twice the 10 calls a second of 600 a minute
    assert second == 0


def test_calls_claimed_but_not_made_go_back_to_the_budget(settings):
    settings.KUAISHOU_STATUS_CALLS_PER_MINUTE = 60
    at = 60 * 1000.0

    granted = upstream_budget.budget_take(2, at=at)
    upstream_budget.budget_return(granted, at=at)

    assert upstream_budget.budget_take(2, at=at) == 2


def test_the_default_budget_polls_two_thousand_living_sessions_every_15_seconds(settings):
    assert settings.KUAISHOU_STATUS_CALLS_PER_MINUTE >= 2000 * 60 / 15


def test_a_rate_limit_slows_every_poll_down(ready_session, kuaishou):
    kuaishou.fault("status", result=400002)

    poll(ready_session)

    assert upstream_budget.backoff_remaining() > 0
    LiveSession.objects.update(next_poll_at=timezone.now())
    assert services.live_session_polls_claim() == []
    assert ready_session.last_error_code == 400002


def test_the_backoff_doubles_and_clears_after_a_good_answer(ready_session, kuaishou):
    assert upstream_budget.backoff_trigger() == 5
    assert upstream_budget.backoff_trigger() == 10

    poll(ready_session)

    assert upstream_budget.backoff_remaining() == 0


def test_a_rejected_token_during_polls_refreshes_once_then_asks_to_reconnect(ready_session, kuaishou):
    kuaishou.fault("status", result=200102, count=-1)

    poll(ready_session)
    poll(ready_session)

    assert KuaishouCredential.objects.get().needs_reconnect
    assert len(kuaishou.requests(endpoint="refresh_token")) == 1
    assert status_calls(kuaishou) == 2
    # The second poll made no call: "must reconnect" is ours, so no Kuaishou code is recorded.
    assert (ready_session.problem, ready_session.last_error_code) == ("reconnect", None)
    assert ready_session.status == Status.READY


def test_the_status_fragment_never_calls_kuaishou(ready_session, kuaishou, signed_in):
    for _ in range(3):
        response = signed_in.get(f"/live/{ready_session.pk}/status/")

    assert response.status_code == 200
    assert 'data-status="ready"' in response.content.decode()
    assert status_calls(kuaishou) == 0


def test_beat_dispatches_polls_every_second():
    entry = celery_app.conf.beat_schedule["dispatch-live-status-polls"]

    assert entry["task"] == "streams.tasks.dispatch_status_polls"
    assert entry["schedule"] == 1.0


def test_the_dispatch_task_queues_one_poll_task_per_batch_of_claimed_sessions(signed_in, go_live, monkeypatch,
                                                                              settings):
    settings.KSLIVE_POLL_BATCH = 2
    for _ in range(3):
        go_live()
    queued = []
    monkeypatch.setattr(tasks.poll_live_sessions, "delay", queued.append)
    LiveSession.objects.update(next_poll_at=timezone.now())

    tasks.dispatch_status_polls()

    ids = sorted(LiveSession.objects.values_list("pk", flat=True))
    assert [len(batch) for batch in queued] == [2, 1]
    assert sorted(pk for batch in queued for pk in batch) == ids


def test_a_request_abandoned_mid_call_ends_failed_instead_of_hanging(person):
    session = LiveSession.objects.create(owner=person, cover=b"x", idempotency_key="k")
    began = timezone.now() - timezone.timedelta(minutes=3)
    LiveSession.objects.filter(pk=session.pk).update(created_at=began, updated_at=began)

    assert services.live_sessions_fail_abandoned() == 1

    session.refresh_from_db()
    assert session.status == Status.FAILED
    assert session.last_error_code is None


def test_the_documents_status_reply_with_its_garbled_name_key_still_moves_the_session(ready_session, kuaishou):
    # The sandbox's documented shape garbles the name key exactly as the document's example does.
    kuaishou.publish(ready_session.live_stream_name)

    poll(ready_session)

    assert ready_session.status == Status.LIVING


@pytest.mark.parametrize("raw", ["", "PAUSED", None])
def test_an_empty_or_unknown_status_changes_nothing_and_polls_again(ready_session, kuaishou, raw):
    kuaishou.fault("status", body={"result": 0, "content": {"status": raw, "statusMsg": ""}, "hostName": "h1"})
    before = ready_session.next_poll_at

    poll(ready_session)

    assert ready_session.status == Status.READY
    assert ready_session.problem == ""
    assert ready_session.next_poll_at > before
    assert ready_session.events.count() == 2


def test_an_operator_fault_during_polls_flags_nobody(ready_session, kuaishou):
    kuaishou.app(suspended=True)

    poll(ready_session)

    assert ready_session.status == Status.READY
    assert ready_session.problem == "app_rejected"
    assert not KuaishouCredential.objects.get().needs_reconnect
