"""Reads of people's Kuaishou accounts."""

from typing import Any

from django.contrib.auth.models import User
from django.db.models import F, FilteredRelation, Q

from accounts.models import KuaishouCredential


def credential_of(user: User) -> KuaishouCredential | None:
    """Return the person's Kuaishou credential (with its account), or None when not connected."""
    return (
        KuaishouCredential.objects.select_related("account")
        .filter(account__user=user, account__provider="kuaishou")
        .first()
    )


# What a call with the person's token needs of their credential (accounts.tokens.access_token_fresh).
_CALL_FIELDS = ("id", "access_token", "access_token_expires_at", "needs_reconnect", "reconnect_reason")
_PREFIX = "_kuaishou_credential_"


def credential_annotations(user_relation: str) -> dict[str, Any]:
    """Return annotations that read the credential of the person `user_relation` names (e.g.
    "owner") with the row that names them, in the same query: a status poll makes one SELECT,
    not two. One join, not a subquery per field: building the query costs more than running it."""
    account = f"{_PREFIX}account"
    annotations: dict[str, Any] = {account: FilteredRelation(
        f"{user_relation}__socialaccount", condition=Q(**{f"{user_relation}__socialaccount__provider": "kuaishou"}),
    )}
    for name in _CALL_FIELDS:
        annotations[_PREFIX + name] = F(f"{account}__kuaishou_credential__{name}")
    return annotations


def credential_from_annotations(row: Any) -> KuaishouCredential | None:
    """Return the credential read by credential_annotations, or None when the person has none."""
    values = {name: getattr(row, _PREFIX + name) for name in _CALL_FIELDS}
    if values["id"] is None:
        return None
    return KuaishouCredential(**values)
