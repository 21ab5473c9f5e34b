"""Reads of people's Kuaishou accounts."""

from django.contrib.auth.models import User

from accounts.models import KuaishouCredential


def credential_of(user: User) -> KuaishouCredential | None:
    """Return the person's Kuaishou credential (with its account), or None when not connected."""
    return (
        KuaishouCredential.objects.select_related("account")
        .filter(account__user=user, account__provider="kuaishou")
        .first()
    )
