"""What the device API does when something happens in streams."""

from django.dispatch import receiver

from api import services, tasks
from streams.signals import live_session_status_changed


@receiver(live_session_status_changed, dispatch_uid="api.webhooks")
def enqueue_webhooks(sender, *, session_id, owner_id, previous, status, at, **kwargs):
    """Queue a delivery of the status change to each of the owner's webhooks: the poll or page
    that changed the status never waits on a device's server."""
    for delivery_id in services.webhook_deliveries_create(
        session_id=session_id, owner_id=owner_id, previous=previous, status=status, at=at
    ):
        tasks.deliver_webhook.delay_on_commit(delivery_id)
