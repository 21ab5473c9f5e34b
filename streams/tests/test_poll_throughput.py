"""Polls scale: one statement claims a tick's due sessions, a no-change poll costs two
queries, and a batch is polled in threads. (Timings live in bench/polls.py.)"""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kuaishou_app import status as app_status
from streams import services, tasks
from streams.models import LiveSession

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_cache")]
Status = LiveSession.Status


def sessions(owner, count, **fields):
    now = timezone.now()
    LiveSession.objects.bulk_create([
        LiveSession(owner=owner, cover=b"\xff" * 1000, idempotency_key=f"k{index}", status=Status.LIVING,
                    live_stream_name=f"stream-{index}", issued_at=now, expires_at=now + timezone.timedelta(days=2),
                    next_poll_at=now, **fields)
        for index in range(count)
    ])
    return list(LiveSession.objects.order_by("pk").values_list("pk", flat=True))


def statements(captured):
    return [query["sql"] for query in captured.captured_queries
            if not query["sql"].upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def test_one_statement_claims_every_due_session_of_a_tick(owner):
    ids = sessions(owner, 50)

    with CaptureQueriesContext(connection) as captured:
        claimed = services._claim(now=timezone.now(), horizon=timezone.now(), limit=1000)

    assert sorted(claimed) == ids
    assert len(statements(captured)) == 1
    assert not LiveSession.objects.filter(next_poll_at__lte=timezone.now()).exists()


def test_the_claim_skips_rows_another_dispatcher_holds_on_postgresql(owner):
    sessions(owner, 2)

    with CaptureQueriesContext(connection) as captured:
        services._claim(now=timezone.now(), horizon=timezone.now(), limit=10)

    sql = statements(captured)[0]
    if connection.vendor == "postgresql":
        assert "FOR UPDATE SKIP LOCKED" in sql
    assert "RETURNING" in sql


def test_a_tick_reads_no_cover_and_makes_three_statements_whatever_the_number_due(owner):
    sessions(owner, 200)

    with CaptureQueriesContext(connection) as captured:
        services.live_sessions_expire_due()
        services.live_sessions_fail_abandoned()
        claimed = services.live_session_polls_claim()

    sql = statements(captured)
    assert len(claimed) == 200
    assert len(sql) == 3  # expired ids, abandoned ids, the claim
    assert not any('"cover"' in query for query in sql)


def test_the_claim_takes_the_longest_due_first_within_its_limit(owner):
    ids = sessions(owner, 5)
    LiveSession.objects.filter(pk=ids[3]).update(next_poll_at=timezone.now() - timezone.timedelta(minutes=1))

    assert services._claim(now=timezone.now(), horizon=timezone.now(), limit=1) == [ids[3]]


def test_a_no_change_poll_makes_at_most_two_queries(ready_session, kuaishou, django_assert_max_num_queries,
                                                    monkeypatch):
    # Whether Kuaishou accepts our app is checked at most every 10 s per process: not per poll.
    tasks.poll_live_session(ready_session.pk)
    monkeypatch.setattr(app_status, "CLEAR_CHECK_INTERVAL", 3600)

    with django_assert_max_num_queries(2):
        services.live_session_sync(session_id=ready_session.pk)

    ready_session.refresh_from_db()
    assert ready_session.status == Status.READY
    assert ready_session.last_polled_at is not None
    assert len(kuaishou.requests(endpoint="status")) == 2


def test_a_batch_is_polled_concurrently(monkeypatch, settings):
    settings.KSLIVE_POLL_THREADS = 4
    tasks.threads_stop()
    # All four polls must be running at once to pass the barrier; one after the other, it breaks.
    barrier = threading.Barrier(4)
    polled = []

    def sync(*, session_id):
        barrier.wait(timeout=10)
        polled.append(session_id)

    monkeypatch.setattr(services, "live_session_sync", sync)
    try:
        tasks.poll_live_sessions([1, 2, 3, 4])
    finally:
        tasks.threads_stop()

    assert sorted(polled) == [1, 2, 3, 4]
    assert not barrier.broken


def test_one_broken_poll_does_not_stop_the_rest_of_its_batch(monkeypatch):
    polled = []

    def sync(*, session_id):
        if session_id == 2:
            raise RuntimeError("a bug")
        polled.append(session_id)

    monkeypatch.setattr(services, "live_session_sync", sync)
    try:
        tasks.poll_live_sessions([1, 2, 3])
    finally:
        tasks.threads_stop()

    assert sorted(polled) == [1, 3]


@pytest.mark.django_db(transaction=True)
def test_a_batch_task_polls_every_session_through_kuaishou(ready_session, kuaishou, go_live):
    go_live()
    ids = list(LiveSession.objects.values_list("pk", flat=True))
    kuaishou.publish(ready_session.live_stream_name)

    try:
        tasks.poll_live_sessions(ids)
    finally:
        tasks.threads_stop()

    assert len(kuaishou.requests(endpoint="status")) == 2
    assert LiveSession.objects.get(pk=ready_session.pk).status == Status.LIVING
