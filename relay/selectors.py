"""Reads of relays."""

import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from relay.models import Relay, RelayAgent
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
                                        key=secrets.token_urlsafe(18), host=relay_host_least_busy())
    except IntegrityError:
        # Two first reads at once (the page and its poller): the session's one relay wins.
        return Relay.objects.get(session=session)


def relay_host_least_busy() -> str:
    """Return the relay host for a new relay session: of KSLIVE_RELAY_HOSTS, one whose agent is
    alive (any, if none is) with the fewest unfinished relays; the first listed on a tie."""
    hosts: list[str] = settings.KSLIVE_RELAY_HOSTS
    if len(hosts) == 1:
        return hosts[0]
    heard = set(RelayAgent.objects.filter(host__in=hosts, seen_at__gte=timezone.now() - RelayAgent.STALE_AFTER)
                .values_list("host", flat=True))
    candidates = [host for host in hosts if host in heard] or hosts
    busy = dict(Relay.objects.filter(host__in=candidates, finished_at__isnull=True).values("host")
                .annotate(relays=Count("id")).values_list("host", "relays"))
    return min(candidates, key=lambda host: busy.get(host, 0))


def relay_by_stream(name: str) -> Relay | None:
    return Relay.objects.select_related("session").filter(stream_name=name).first()
