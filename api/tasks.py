from celery import shared_task

from api import services


# Limits: an attempt waits at most 3 s to connect and 5 s for each read; the soft limit stops a
# receiver that answers a byte at a time, the hard one a worker stuck anyway. Both are below
# the attempt's lease, so a stopped attempt is tried again by the sweep, never twice at once.
@shared_task(acks_late=True, ignore_result=True, soft_time_limit=25, time_limit=30)
def deliver_webhook(delivery_id):
    """Make one attempt to deliver a status change to a device's webhook; a failure schedules the next."""
    services.webhook_delivery_attempt(delivery_id=delivery_id)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=25, time_limit=30)
def dispatch_webhook_retries():
    """Beat: queue the webhook deliveries whose next attempt is due."""
    for delivery_id in services.webhook_deliveries_claim():
        deliver_webhook.delay(delivery_id)
