"""Reads of relays."""

import secrets

from django.conf import settings
from django.db import IntegrityError, transaction

from relay.models import Relay
from streams.models import LiveSession


def relay_of(session: LiveSession) -> Relay | None:
    """Return a relay session's relay, made on first use (None for a direct session)."""
    if not session.relay:
        return None
    relay = Relay.objects.filter(session=session).first()
    if relay is not None:
        return relay
    try:
        with transaction.atomic():
            return Relay.objects.create(session=session, stream_name=secrets.token_hex(8),
                                        key=secrets.token_urlsafe(18), host=settings.KSLIVE_RELAY_HOST)
    except IntegrityError:
        # Two first reads at once (the page and its poller): the session's one relay wins.
        return Relay.objects.get(session=session)


def relay_by_stream(name: str) -> Relay | None:
    return Relay.objects.select_related("session").filter(stream_name=name).first()
