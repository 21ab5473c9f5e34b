"""Encryption at rest for credentials: Kuaishou tokens and push URLs."""

from typing import TYPE_CHECKING

from cryptography.fernet import InvalidToken, MultiFernet
from django.db import models

from confidential import keys

SEPARATOR = "$"
# Fernet tokens are url-safe base64 and start with this (version 0x80); values written before
# fingerprints existed are bare tokens.
BARE_TOKEN = "gAAAAA"


class UndecryptableError(Exception):
    """A stored secret was encrypted with a key that TOKEN_ENCRYPTION_KEYS no longer holds."""


def encrypt(plaintext: str) -> str:
    """Return the plaintext encrypted with the first key, prefixed with that key's fingerprint."""
    name, fernet = next(iter(keys.configured().items()))
    return f"{name}{SEPARATOR}{fernet.encrypt(plaintext.encode()).decode()}"


def key_of(stored: str) -> str | None:
    """Return the fingerprint a stored secret names, or None for one written before fingerprints."""
    name, separator, _token = stored.partition(SEPARATOR)
    return name if separator else None


def decrypt(stored: str) -> str:
    """Return the plaintext of a stored secret, or raise UndecryptableError saying which key is missing."""
    name = key_of(stored)
    fernets = keys.configured()
    try:
        if name is None:
            return MultiFernet(list(fernets.values())).decrypt(stored.encode()).decode()
        if name not in fernets:
            raise UndecryptableError(
                f"A stored secret was encrypted with key {name}, which TOKEN_ENCRYPTION_KEYS no longer holds."
            )
        return fernets[name].decrypt(stored.partition(SEPARATOR)[2].encode()).decode()
    except InvalidToken as exc:
        raise UndecryptableError(
            "A stored secret cannot be decrypted: was its key removed from TOKEN_ENCRYPTION_KEYS?"
        ) from exc


if TYPE_CHECKING:
    # For type checkers: the field holds and gives plain text (Django's fields take no type arguments at run time).
    _TextField = models.TextField[str, str]
else:
    _TextField = models.TextField


class EncryptedTextField(_TextField):
    """A text field stored Fernet-encrypted; Python code sees the plain text."""

    def from_db_value(self, value: str | None, expression: object, connection: object) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: object) -> str | None:
        text = super().get_prep_value(value)  # TextField's: str(value), or None
        if text is None:
            return None
        return encrypt(str(text)) if text else ""


def encrypted_fields() -> list[tuple[type[models.Model], str]]:
    """Return every (model, field name) stored encrypted."""
    from django.apps import apps

    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, EncryptedTextField)
    ]
