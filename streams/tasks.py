import logging

from celery import shared_task

from streams import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def dispatch_status_polls():
    """Beat: expire unused push URLs and queue the polls that are due, within the call budget."""
    for session_id in services.polls_claim():
        poll_live_session.delay(session_id)


@shared_task(acks_late=True, ignore_result=True)
def poll_live_session(session_id):
    """Apply Kuaishou's view of one live; idempotent, so a redelivered task is harmless."""
    try:
        services.live_session_sync(session_id=session_id)
    except services.GoLiveError as exc:
        # Already recorded on the session, and its next poll is scheduled: nothing to retry here.
        logger.info("Status poll of session %s failed: %s", session_id, exc)
    except services.LiveSession.DoesNotExist:
        pass
