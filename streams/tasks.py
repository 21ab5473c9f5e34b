import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from celery import shared_task
from celery.signals import worker_process_shutdown
from django.conf import settings
from django.db import connection

from streams import services

logger = logging.getLogger(__name__)

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


# Limits: a tick only claims (a few statements), so 20 s means the database is stuck. A poll makes
# one status call of at most KUAISHOU_CONNECT_TIMEOUT + KUAISHOU_TIMEOUT (35 s), and both limits
# stay below the claim's 60 s lease, so a stopped poll is claimed again, never run twice at once.
@shared_task(acks_late=True, ignore_result=True, soft_time_limit=20, time_limit=25)
def dispatch_status_polls():
    """Beat: expire unused push URLs, fail abandoned requests, and queue the polls that are due,
    a batch per task, within the call budget."""
    services.live_sessions_expire_due()
    services.live_sessions_fail_abandoned()
    claimed = services.live_session_polls_claim()
    size = max(1, settings.KSLIVE_POLL_BATCH)
    for start in range(0, len(claimed), size):
        poll_live_sessions.delay(claimed[start:start + size])


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=45, time_limit=55)
def poll_live_sessions(session_ids):
    """Poll a batch of sessions at once, in threads: each poll mostly waits for Kuaishou."""
    list(_threads().map(_poll_in_thread, session_ids))


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=45, time_limit=55)
def poll_live_session(session_id):
    """Apply Kuaishou's view of one live; idempotent, so a redelivered task is harmless.

    The dispatcher queues batches (poll_live_sessions); this one stays for the single polls
    queued by the version before them, which a worker may still find after an upgrade."""
    _poll(session_id)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=50, time_limit=55)
def recheck_owner_sessions(owner_id):
    """Poll a person's sessions at once after they logged in with Kuaishou again."""
    services.live_sessions_recheck(owner_id=owner_id)


def _poll(session_id):
    try:
        services.live_session_sync(session_id=session_id)
    except services.GoLiveError as exc:
        # Already recorded on the session, and its next poll is scheduled: nothing to retry here.
        logger.info("Status poll of session %s failed: %s", session_id, exc)
    except services.LiveSession.DoesNotExist:
        pass


def _poll_in_thread(session_id):
    try:
        _poll(session_id)
    except Exception:
        # One session's trouble must not hide the rest of the batch.
        logger.exception("Status poll of session %s broke", session_id)
    finally:
        _tidy_connection()


def _tidy_connection():
    """Keep this thread's database connection for its next poll while CONN_MAX_AGE allows (as
    Django does between requests), without the health check query Django would then add to it."""
    if connection.connection is None:
        return
    if (connection.get_autocommit() != connection.settings_dict["AUTOCOMMIT"] or connection.errors_occurred
            or (connection.close_at is not None and time.monotonic() >= connection.close_at)):
        connection.close()


def threads_stop() -> None:
    """Close every poll thread's database connection and stop the threads (worker shutdown, tests)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is None:
        return
    count = len(pool._threads)
    if count:
        # Each thread takes exactly one job: none returns before all have closed their connection.
        barrier = threading.Barrier(count)

        def close_mine():
            connection.close()
            barrier.wait(timeout=30)

        for future in [pool.submit(close_mine) for _ in range(count)]:
            future.result()
    pool.shutdown(wait=True)


def _threads() -> ThreadPoolExecutor:
    """Return this process's poll threads (made after the worker forked)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=settings.KSLIVE_POLL_THREADS, thread_name_prefix="status-poll")
        return _pool


@worker_process_shutdown.connect
def _close_poll_threads(**kwargs):
    threads_stop()
