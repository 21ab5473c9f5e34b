"""The Fernet keys of TOKEN_ENCRYPTION_KEYS, each known by a short fingerprint.

A stored secret starts with the fingerprint of the key that encrypted it, so kslive can tell
at start-up, without decrypting anything, that a key it still needs has been removed.
"""

import base64
import functools
import hashlib

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def fingerprint(key: str) -> str:
    """Return the 8-hex-digit name of a key (not secret: a hash of it)."""
    return hashlib.sha256(key.strip().encode()).hexdigest()[:8]


def development_key(secret_key: str) -> str:
    """Return the key derived from SECRET_KEY, used only when DEBUG runs without keys."""
    derived = hashlib.sha256(f"kslive-token-key:{secret_key}".encode()).digest()
    return base64.urlsafe_b64encode(derived).decode()


def validated(keys: list[str]) -> list[str]:
    """Return the keys, or raise ImproperlyConfigured naming the first one that is no Fernet key."""
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except ValueError:
            raise ImproperlyConfigured(
                f"TOKEN_ENCRYPTION_KEYS entry {position} is not a Fernet key (32 url-safe base64-encoded bytes); "
                "make one with `python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`."
            ) from None
    return keys


def configured() -> dict[str, Fernet]:
    """Return the configured keys by fingerprint, the one that encrypts first."""
    return _fernets(tuple(settings.TOKEN_ENCRYPTION_KEYS), settings.SECRET_KEY)


@functools.cache
def _fernets(keys: tuple[str, ...], secret_key: str) -> dict[str, Fernet]:
    keys = keys or (development_key(secret_key),)
    return {fingerprint(key): Fernet(key.encode()) for key in validated(list(keys))}
