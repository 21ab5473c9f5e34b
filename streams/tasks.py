import logging

from celery import shared_task

from streams import services

logger = logging.getLogger(__name__)


# Limits: a tick only claims (a few statements), so 20 s means the database is stuck. A poll makes
# one status call of at most KUAISHOU_CONNECT_TIMEOUT + KUAISHOU_TIMEOUT (35 s), and both limits
# stay below the claim's 60 s lease, so a stopped poll is claimed again, never run twice at once.
@shared_task(acks_late=True, ignore_result=True, soft_time_limit=20, time_limit=25)
def dispatch_status_polls():
    """Beat: expire unused push URLs and queue the polls that are due, within the call budget."""
    for session_id in services.polls_claim():
        poll_live_session.delay(session_id)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=45, time_limit=55)
def poll_live_session(session_id):
    """Apply Kuaishou's view of one live; idempotent, so a redelivered task is harmless."""
    try:
        services.live_session_sync(session_id=session_id)
    except services.GoLiveError as exc:
        # Already recorded on the session, and its next poll is scheduled: nothing to retry here.
        logger.info("Status poll of session %s failed: %s", session_id, exc)
    except services.LiveSession.DoesNotExist:
        pass
