"""Business rules for people's Kuaishou accounts."""

import logging
from datetime import timedelta
from typing import Any

from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

import kuaishou
from accounts import signals
from accounts.models import KuaishouCredential

logger = logging.getLogger(__name__)


@sensitive_variables("grant", "fields")
def _token_fields(grant: kuaishou.TokenGrant) -> dict[str, Any]:
    now = timezone.now()
    fields = {
        "access_token": grant.access_token,
        "access_token_expires_at": now + timedelta(seconds=grant.expires_in),
        "refresh_token": grant.refresh_token,
        "refresh_token_expires_at": None,
        "refreshed_at": now,
    }
    if grant.refresh_token_expires_in is not None:
        fields["refresh_token_expires_at"] = now + timedelta(seconds=grant.refresh_token_expires_in)
    if grant.scopes is not None:
        fields["scopes"] = list(grant.scopes)
    return fields


@sensitive_variables("grant", "fields")
def credential_store_login(*, account: SocialAccount, grant: kuaishou.TokenGrant) -> KuaishouCredential:
    """Keep the tokens of a completed login; a login also clears "needs reconnect"."""
    # A reply that does not say which scopes were granted: take what we asked for as granted.
    # A live call refused even after a refresh then asks the person to grant again.
    fields = {"scopes": list(settings.KUAISHOU_SCOPES), **_token_fields(grant)}
    credential, _ = KuaishouCredential.objects.update_or_create(
        account=account,
        defaults={**fields, "needs_reconnect": False, "reconnect_reason": ""},
    )
    logger.info(
        "Stored Kuaishou tokens for account %s (scopes %s%s)", account.pk, ",".join(fields["scopes"]),
        "" if grant.scopes is not None else ", as asked: Kuaishou did not say",
    )
    # Once committed: what waited for this person's tokens (their lives' polls) may go on.
    user_id = account.user_id
    transaction.on_commit(lambda: signals.kuaishou_connected.send_robust(sender=KuaishouCredential, user_id=user_id))
    return credential


@sensitive_variables("grant", "fields", "value")
def credential_store_refresh(*, credential: KuaishouCredential, grant: kuaishou.TokenGrant) -> None:
    """Keep refreshed tokens, including the rotated refresh token.

    A refresh reply names neither the person nor, as documented, the scopes: both stay as
    the login left them.
    """
    fields = _token_fields(grant)
    if grant.refresh_token_expires_in is None and grant.refresh_token == credential.refresh_token:
        # The same refresh token, no new lifetime: its old expiry still holds.
        del fields["refresh_token_expires_at"]
    for name, value in fields.items():
        setattr(credential, name, value)
    credential.save(update_fields=[*fields, "updated_at"])
    logger.info("Refreshed Kuaishou tokens for credential %s", credential.pk)


@sensitive_variables("refresh_token", "grant", "fields", "value")
def credential_store_late_refresh(*, credential_id: int, refresh_token: str, grant: kuaishou.TokenGrant) -> bool:
    """Keep tokens from a refresh that answered after its request gave up; return whether kept.

    Kept only if the credential still holds the refresh token that was traded: otherwise a
    later refresh has already moved on. A "must reconnect" set meanwhile because the traded
    token was refused is lifted: these tokens prove the access still stands.
    """
    with transaction.atomic():
        # Row lock, as for every refresh: the stored refresh token is what decides.
        credential = KuaishouCredential.objects.select_for_update().filter(pk=credential_id).first()
        if credential is None or credential.refresh_token != refresh_token:
            logger.info("Late Kuaishou tokens for credential %s dropped: refreshed again meanwhile", credential_id)
            return False
        credential.needs_reconnect, credential.reconnect_reason = False, ""
        fields = _token_fields(grant)
        for name, value in fields.items():
            setattr(credential, name, value)
        credential.save(update_fields=[*fields, "needs_reconnect", "reconnect_reason", "updated_at"])
    logger.info("Kept late Kuaishou tokens for credential %s", credential_id)
    return True


def credential_require_reconnect(*, credential: KuaishouCredential, reason: str) -> None:
    """Stop calling Kuaishou for this person until they log in with Kuaishou again."""
    KuaishouCredential.objects.filter(pk=credential.pk).update(
        needs_reconnect=True, reconnect_reason=reason[:300], updated_at=timezone.now()
    )
    credential.needs_reconnect, credential.reconnect_reason = True, reason[:300]
    logger.warning("Kuaishou credential %s needs reconnect: %s", credential.pk, reason)


@transaction.atomic
def credential_disconnect(*, user: User) -> bool:
    """Delete the tokens we hold for the person; return whether there were any."""
    deleted, _ = KuaishouCredential.objects.filter(account__user=user, account__provider="kuaishou").delete()
    return bool(deleted)
