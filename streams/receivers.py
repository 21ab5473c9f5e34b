"""What streams does when something happens in accounts."""

from django.dispatch import receiver

from accounts.signals import kuaishou_connected
from streams import tasks


@receiver(kuaishou_connected, dispatch_uid="streams.recheck_after_login")
def recheck_after_login(sender, *, user_id, **kwargs):
    """Poll the person's lives at once: a reconnect may bring a lost one back."""
    tasks.recheck_owner_sessions.delay(user_id)
