"""Reads of people's Kuaishou accounts."""

from typing import Any

from django.contrib.auth.models import User
from django.db.models import OuterRef, Subquery

from accounts.models import KuaishouCredential


def credential_of(user: User) -> KuaishouCredential | None:
    """Return the person's Kuaishou credential (with its account), or None when not connected."""
    return (
        KuaishouCredential.objects.select_related("account")
        .filter(account__user=user, account__provider="kuaishou")
        .first()
    )


# What a call with the person's token needs of their credential (accounts.tokens.access_token_fresh).
_CALL_FIELDS = ("pk", "access_token", "access_token_expires_at", "needs_reconnect", "reconnect_reason")
_PREFIX = "_kuaishou_credential_"


def credential_annotations(user_field: str) -> dict[str, Subquery]:
    """Return annotations that read the credential of the person in `user_field` with the row
    that names them, in the same query (a status poll makes one SELECT, not two)."""
    rows = KuaishouCredential.objects.filter(account__user=OuterRef(user_field), account__provider="kuaishou")
    return {_PREFIX + name: Subquery(rows.values(name)[:1]) for name in _CALL_FIELDS}


def credential_from_annotations(row: Any) -> KuaishouCredential | None:
    """Return the credential read by credential_annotations, or None when the person has none."""
    values = {name: getattr(row, _PREFIX + name) for name in _CALL_FIELDS}
    if values["pk"] is None:
        return None
    return KuaishouCredential(**values)
