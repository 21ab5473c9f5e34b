"""Device tokens: create, check and revoke the Bearer tokens devices call the API with."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from api.models import DeviceToken

TOKEN_PREFIX = "ksd_"
PREFIX_SHOWN = len(TOKEN_PREFIX) + 6
# Writing last_used_at on every request would turn each API read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class TooManyDeviceTokens(Exception):
    """The person holds as many device tokens as a person may; the message says what to do."""


def device_token_create(*, owner, name: str) -> tuple[DeviceToken, str]:
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
