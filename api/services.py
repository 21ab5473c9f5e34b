"""Device tokens and their webhooks: the Bearer tokens devices call the API with, and the
signed status changes kslive POSTs to a device's own server."""

import hashlib
import json
import logging
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.debug import sensitive_variables

from api import callbacks
from api.models import DeviceToken, DeviceWebhook, WebhookDelivery

logger = logging.getLogger(__name__)
TOKEN_PREFIX = "ksd_"
PREFIX_SHOWN = len(TOKEN_PREFIX) + 6
# Writing last_used_at on every request would turn each API read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class TooManyDeviceTokens(Exception):
    """The person holds as many device tokens as a person may; the message says what to do."""


def device_token_create(*, owner: User, name: str) -> tuple[DeviceToken, str]:
    """Create a token for the owner's device; return it and the raw token, which is never stored."""
    limit = settings.KSLIVE_DEVICE_TOKENS_PER_PERSON
    with transaction.atomic():
        # The owner's row lock: two creates at once cannot both take the last place.
        get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
        if DeviceToken.objects.filter(owner=owner, revoked_at__isnull=True).count() >= limit:
            raise TooManyDeviceTokens(
                gettext("You have %(count)d device tokens, as many as one person may. Revoke one you no longer use.")
                % {"count": limit}
            )
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = DeviceToken.objects.create(
            owner=owner, name=name.strip()[:64], key_hash=_hash(raw), prefix=raw[:PREFIX_SHOWN]
        )
    return token, raw


def device_token_check(raw: str) -> DeviceToken | None:
    """Return the live token a raw Bearer value stands for, or None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    # Looked up by its SHA-256: the database compares hashes, so a timing difference
    # says nothing about the token itself.
    token = (
        DeviceToken.objects.select_related("owner")
        .filter(key_hash=_hash(raw), revoked_at__isnull=True, owner__is_active=True)
        .first()
    )
    if token is not None:
        _touch(token)
    return token


def _touch(token: DeviceToken) -> None:
    now = timezone.now()
    stale = now - LAST_USED_RESOLUTION
    if token.last_used_at and token.last_used_at > stale:
        return
    # Conditional update: concurrent requests of one device write at most once a minute.
    DeviceToken.objects.filter(pk=token.pk).filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale)).update(
        last_used_at=now
    )
    token.last_used_at = now


def device_token_revoke(*, token: DeviceToken) -> bool:
    """Revoke a token at once; return False if it was already revoked."""
    revoked = DeviceToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return bool(revoked)


# Webhooks

WEBHOOK_SECRET_PREFIX = "whsec_"
# Seconds from the start of a failed attempt to the next: the first attempt is at once, the
# sixth and last about 22 minutes after the status change.
WEBHOOK_BACKOFF = (10, 30, 90, 5 * 60, 15 * 60)
WEBHOOK_ATTEMPTS = len(WEBHOOK_BACKOFF) + 1
# An attempt holds its delivery this long: longer than the task's hard time limit, so a
# delivery whose worker died is tried again by the next sweep, and only then.
WEBHOOK_ATTEMPT_LEASE = timedelta(seconds=60)
# Deliveries kept per webhook (the log); older finished ones are deleted as new ones finish.
WEBHOOK_LOG_LENGTH = 200
WEBHOOK_DISABLE_AFTER = timedelta(hours=24)
Delivery = WebhookDelivery.Status


def _new_webhook_secret() -> str:
    return WEBHOOK_SECRET_PREFIX + secrets.token_urlsafe(32)


@sensitive_variables()
def webhook_register(*, token: DeviceToken, url: str) -> tuple[DeviceWebhook, str | None]:
    """Point the token's webhook at `url`; return it, and its secret if it is new (else None).

    Saving the URL of a disabled webhook turns it back on; the secret stays until rotated.
    """
    with transaction.atomic():
        # The token's row lock: two saves at once make one webhook, not a conflict.
        DeviceToken.objects.select_for_update().filter(pk=token.pk).first()
        webhook = DeviceWebhook.objects.filter(token=token).first()
        if webhook is None:
            secret = _new_webhook_secret()
            return DeviceWebhook.objects.create(token=token, url=url, secret=secret), secret
        webhook.url, webhook.disabled_at, webhook.failing_since = url, None, None
        webhook.save(update_fields=["url", "disabled_at", "failing_since"])
    return webhook, None


@sensitive_variables()
def webhook_rotate_secret(*, webhook: DeviceWebhook) -> str:
    """Give the webhook a new secret at once (the old one signs nothing more); return it."""
    webhook.secret, webhook.rotated_at = _new_webhook_secret(), timezone.now()
    webhook.save(update_fields=["secret", "rotated_at"])
    return webhook.secret


def webhook_remove(*, token: DeviceToken) -> bool:
    """Delete the token's webhook and its delivery log; return False if it had none."""
    deleted, _by_model = DeviceWebhook.objects.filter(token=token).delete()
    return bool(deleted)


def _utc_iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# What a webhook's body holds, in this order (README: Status webhooks).
WEBHOOK_BODY_KEYS = ("id", "status", "previous", "at")


def webhook_deliveries_create(*, session_id: int, owner_id: int, previous: str, status: str,
                              at: datetime) -> list[int]:
    """Record a pending delivery of one status change to each live webhook of the owner's tokens;
    return their ids, to be attempted at once."""
    webhooks = DeviceWebhook.objects.filter(
        token__owner_id=owner_id, token__owner__is_active=True, token__revoked_at__isnull=True,
        disabled_at__isnull=True,
    )
    # Only what the session's owner may know, and nothing secret: never the push URL.
    payload = dict(zip(WEBHOOK_BODY_KEYS, (session_id, status, previous, _utc_iso(at)), strict=True))
    # Held for the attempt queued now; the sweep takes it if that message is lost.
    held_until = timezone.now() + WEBHOOK_ATTEMPT_LEASE
    return [
        WebhookDelivery.objects.create(webhook=webhook, session_id=session_id, payload=payload,
                                       next_attempt_at=held_until).pk
        for webhook in webhooks
    ]


def webhook_deliveries_claim(*, now: datetime | None = None) -> list[int]:
    """Claim the pending deliveries whose next attempt is due; return their ids."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(status=Delivery.PENDING, next_attempt_at__lte=now).order_by("next_attempt_at")
    claimed = []
    for pk, due_at in due.values_list("pk", "next_attempt_at")[:500]:
        # Conditional update: two sweeps never both queue one attempt.
        if WebhookDelivery.objects.filter(pk=pk, next_attempt_at=due_at).update(
            next_attempt_at=now + WEBHOOK_ATTEMPT_LEASE
        ):
            claimed.append(pk)
    return claimed


@sensitive_variables()
def webhook_delivery_attempt(*, delivery_id: int) -> WebhookDelivery | None:
    """POST the delivery's event to its webhook once and record what came of it: delivered, the
    next attempt's time, or failed after the last one. Return the delivery (None if gone)."""
    delivery = WebhookDelivery.objects.select_related("webhook__token__owner").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != Delivery.PENDING:
        return delivery  # removed with its webhook, or finished by an earlier copy of this task
    webhook = delivery.webhook
    if webhook.is_disabled or webhook.token.is_revoked or not webhook.token.owner.is_active:
        _finish(delivery, Delivery.FAILED, last_error=WebhookDelivery.Error.STOPPED)
        return delivery
    if delivery.attempts >= WEBHOOK_ATTEMPTS:
        # The last attempt's worker died before recording it.
        _finish(delivery, Delivery.FAILED)
        return delivery
    now = timezone.now()
    # Conditional update: a task message delivered twice makes one attempt, not two at once.
    if not WebhookDelivery.objects.filter(pk=delivery.pk, status=Delivery.PENDING, attempts=delivery.attempts).update(
        attempts=F("attempts") + 1, last_attempt_at=now, next_attempt_at=now + WEBHOOK_ATTEMPT_LEASE
    ):
        return delivery
    delivery.attempts += 1
    delivery.last_attempt_at = now
    # In the documented order: PostgreSQL's jsonb keeps the keys, not their order.
    body = json.dumps({key: delivery.payload[key] for key in WEBHOOK_BODY_KEYS}, separators=(",", ":")).encode()
    outcome = callbacks.post(webhook.url, body=body, secret=webhook.secret, timestamp=int(time.time()))
    _record(delivery, outcome)
    return delivery


def _record(delivery: WebhookDelivery, outcome: callbacks.Outcome) -> None:
    now = timezone.now()
    webhook = delivery.webhook
    fields: dict[str, Any] = {"last_http_status": outcome.http_status, "last_error": outcome.error}
    if outcome.delivered:
        DeviceWebhook.objects.filter(pk=webhook.pk).exclude(failing_since=None).update(failing_since=None)
        _finish(delivery, Delivery.DELIVERED, **fields)
        return
    DeviceWebhook.objects.filter(pk=webhook.pk, failing_since=None).update(failing_since=now)
    if delivery.attempts < WEBHOOK_ATTEMPTS:
        # Counted from the attempt's start: a timed-out attempt does not push the schedule back.
        started = delivery.last_attempt_at or now
        fields["next_attempt_at"] = started + timedelta(seconds=WEBHOOK_BACKOFF[delivery.attempts - 1])
        WebhookDelivery.objects.filter(pk=delivery.pk, status=Delivery.PENDING).update(**fields)
        for name, value in fields.items():
            setattr(delivery, name, value)
        return
    _finish(delivery, Delivery.FAILED, **fields)
    # Conditional update: only a webhook failing since a day ago, and only once.
    if DeviceWebhook.objects.filter(
        pk=webhook.pk, disabled_at=None, failing_since__lte=now - WEBHOOK_DISABLE_AFTER
    ).update(disabled_at=now):
        logger.warning("Webhook of device token %s (host %s) disabled: its deliveries failed for a day",
                       webhook.token_id, urlsplit(webhook.url).hostname)


def _finish(delivery: WebhookDelivery, status: str, **fields: Any) -> None:
    fields = {"status": status, "next_attempt_at": None, **fields}
    WebhookDelivery.objects.filter(pk=delivery.pk, status=Delivery.PENDING).update(**fields)
    for name, value in fields.items():
        setattr(delivery, name, value)
    # The log stays bounded: past the newest WEBHOOK_LOG_LENGTH, finished deliveries go.
    oldest_kept = list(
        WebhookDelivery.objects.filter(webhook_id=delivery.webhook_id).order_by("-pk")
        .values_list("pk", flat=True)[WEBHOOK_LOG_LENGTH - 1:WEBHOOK_LOG_LENGTH]
    )
    if oldest_kept:
        WebhookDelivery.objects.filter(webhook_id=delivery.webhook_id, pk__lt=oldest_kept[0]).exclude(
            status=Delivery.PENDING
        ).delete()
