from django.contrib.auth.models import User
from django.db.models import Prefetch, QuerySet

from api.models import DeviceToken, WebhookDelivery

DELIVERIES_SHOWN = 20


def device_tokens_of(owner: User) -> QuerySet[DeviceToken]:
    """Return the owner's device tokens, each with its webhook (if any) and that webhook's latest
    deliveries in `recent_deliveries`."""
    latest = WebhookDelivery.objects.order_by("-created_at", "-pk")[:DELIVERIES_SHOWN]
    return (
        DeviceToken.objects.filter(owner=owner)
        .select_related("webhook")
        .prefetch_related(Prefetch("webhook__deliveries", queryset=latest, to_attr="recent_deliveries"))
    )
