from celery import shared_task
from django.conf import settings
from django.utils import timezone

from accounts import tokens
from accounts.models import KuaishouCredential


# Limits: the sweep only queues; a refresh is one call of at most KUAISHOU_CONNECT_TIMEOUT +
# KUAISHOU_TIMEOUT (35 s) under the credential's row lock, which the hard limit releases.
@shared_task(acks_late=True, soft_time_limit=60, time_limit=75)
def refresh_expiring_tokens():
    """Queue a refresh for every token that expires soon, so idle people never lapse."""
    soon = timezone.now() + timezone.timedelta(seconds=settings.KUAISHOU_REFRESH_AHEAD)
    ids = KuaishouCredential.objects.filter(
        needs_reconnect=False, access_token_expires_at__lte=soon
    ).values_list("id", flat=True)
    for credential_id in ids:
        refresh_credential.delay(credential_id)


@shared_task(acks_late=True, bind=True, max_retries=5, soft_time_limit=45, time_limit=60)
def refresh_credential(self, credential_id):
    try:
        tokens.credential_refresh_if_expiring(credential_id, within=settings.KUAISHOU_REFRESH_AHEAD)
    except (tokens.ReconnectRequired, KuaishouCredential.DoesNotExist):
        pass  # flagged for the person, or disconnected meanwhile: nothing left to do
    except tokens.RefreshPostponed as exc:
        # Only a passing fault is worth retrying soon. Our app refused is the operator's to fix:
        # retrying every token at once would only repeat it; the next beat round tries again.
        if exc.retry_soon:
            raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from None
