"""Which keys the stored secrets need, and refusing to start when one of them is gone."""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.db.models import CharField, Count, TextField
from django.db.models.functions import Cast, Substr

from confidential import keys
from confidential.fields import SEPARATOR, UndecryptableError, decrypt, encrypted_fields

PREFIX_LENGTH = 9  # 8 hex digits and the separator


@dataclass(frozen=True)
class KeyUse:
    """How many values of one encrypted field need one key (key None: written before fingerprints)."""

    field: str
    key: str | None
    rows: int
    readable: bool


def keys_in_use() -> list[KeyUse]:
    """Return, per encrypted field, how many stored values each key is needed for."""
    fernets = keys.configured()
    uses = []
    for model, name in encrypted_fields():
        label = f"{model._meta.label}.{name}"
        # Compared as raw text: through the field, every value would be decrypted.
        raw = model._default_manager.annotate(raw=Cast(name, TextField())).exclude(raw="").exclude(raw__isnull=True)
        prefixes = raw.annotate(prefix=Substr("raw", 1, PREFIX_LENGTH, output_field=CharField()))
        bare = []
        for group in prefixes.values("prefix").annotate(rows=Count("pk")):
            if group["prefix"].endswith(SEPARATOR):
                key = group["prefix"][:-1]
                uses.append(KeyUse(label, key, group["rows"], readable=key in fernets))
            else:
                bare.append(group["prefix"])
        if bare:
            # Values from before fingerprints say nothing about their key: try each of them
            # (only until `reencrypt_secrets` has given them fingerprints).
            values = list(prefixes.filter(prefix__in=bare).values_list("raw", flat=True))
            uses.append(KeyUse(label, None, len(values), readable=all(map(_readable, values))))
    return uses


def _readable(stored: str) -> bool:
    try:
        decrypt(stored)
    except UndecryptableError:
        return False
    return True


def describe(uses: list[KeyUse]) -> list[str]:
    """Return one line per field and key, e.g. "accounts.KuaishouCredential.access_token: 12 row(s) need key 1a2b3c4d"."""
    return [
        f"{use.field}: {use.rows} row(s) need key {use.key or '(one of the keys: written before fingerprints)'}"
        f"{'' if use.readable else ' (MISSING)'}"
        for use in uses
    ]


def refuse_unreadable_secrets() -> None:
    """Raise ImproperlyConfigured at start-up when stored secrets need a key that is not configured."""
    try:
        uses = keys_in_use()
    except DatabaseError:
        return  # not migrated yet (a fresh deploy): nothing stored to read
    missing = [use for use in uses if not use.readable]
    if missing:
        raise ImproperlyConfigured(
            "TOKEN_ENCRYPTION_KEYS lacks a key that stored secrets need:\n  "
            + "\n  ".join(describe(missing))
            + "\nPut the old key back (after the first one), run `python manage.py reencrypt_secrets`, then remove it."
        )
