"""Relay sessions: the ingest's hooks, the encoder check, going live through the relay, and
what the agent must feed Kuaishou (the encoder's stream, or the slate while it is away)."""

import hmac
import logging
from datetime import datetime
from typing import Any

import requests
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from relay import check
from relay.models import Relay, RelayAgent
from relay.selectors import relay_by_stream, relay_of
from streams import services as streams
from streams.models import LiveSession, LiveSessionEvent

logger = logging.getLogger(__name__)
Status = LiveSession.Status
Kind = LiveSessionEvent.Kind
Feed = Relay.Feed
Source = LiveSessionEvent.Source


class NotReceiving(streams.GoLiveError):
    """Going live needs the encoder pushing to kslive's ingest first."""


def encoder_publish(*, name: str, key: str, client_id: str) -> str:
    """Let an encoder publish to the ingest; return "" if accepted, else the reason for refusing."""
    relay = relay_by_stream(name)
    # The same answer for an unknown stream and a wrong key: the hook says nothing to guessers.
    # A finished relay has no key any more: nothing matches it, not even an empty one.
    if relay is None or not relay.key or not hmac.compare_digest(key.encode(), relay.key.encode()):
        return "unknown stream or wrong key"
    session = relay.session
    # Also while Kuaishou is asked for the push URL (requesting): a reconnect then is no reason to refuse.
    if session.is_final:
        return "the session is over"
    now = timezone.now()
    # Conditional update: of two encoders racing, nginx-rtmp lets one publish; this records it.
    Relay.objects.filter(pk=relay.pk).update(encoder_since=now, encoder_client=client_id[:32])
    if relay.encoder_dropped_at is not None and relay.feed == Feed.SLATE:
        away = (now - relay.encoder_dropped_at).total_seconds()
        # How long Kuaishou saw the slate, in no language: the timeline shows it as "(20 s)".
        streams.live_session_note(session=session, kind=Kind.ENCODER_BACK, source=Source.RELAY, note=f"{away:.0f} s")
    return ""


def encoder_publish_done(*, name: str, client_id: str) -> Relay | None:
    """Record that the encoder left the ingest (a drop while live shows on the timeline)."""
    relay = relay_by_stream(name)
    if relay is None:
        return None
    now = timezone.now()
    # A late publish_done from a connection already replaced changes nothing.
    if not Relay.objects.filter(pk=relay.pk, encoder_client=client_id[:32], encoder_since__isnull=False).update(
            encoder_since=None, encoder_dropped_at=now):
        return relay
    relay.refresh_from_db()
    if relay.feed and relay.session.status in LiveSession.ON_KUAISHOU:
        Relay.objects.filter(pk=relay.pk).update(drops=F("drops") + 1)
        streams.live_session_note(session=relay.session, kind=Kind.ENCODER_DROPPED, source=Source.RELAY)
    return relay


def relay_check_store(*, relay: Relay, facts: dict[str, Any], connected_at: datetime | None) -> bool:
    """Keep a check's facts, unless the encoder has reconnected since it began (then it is stale)."""
    return bool(Relay.objects.filter(pk=relay.pk, encoder_since=connected_at).update(
        encoder_check=facts, checked_at=timezone.now(), check_for=connected_at))


def relay_go_live(*, session: LiveSession, source: str = Source.WEB) -> LiveSession:
    """Go live on Kuaishou with a rehearsing session: get its push URL; the agent relays to it."""
    relay = relay_of(session)
    if relay is None:
        raise streams.SessionOver(_("This live does not go through kslive's relay."))
    if session.status == Status.REHEARSING and not relay.receiving:
        raise NotReceiving(_("Start your encoder first: kslive relays what it receives, and receives nothing yet."))
    return streams.live_session_go_live(session=session, source=source)


def wanted_feed(relay: Relay, *, now: datetime | None = None) -> str:
    """Return what Kuaishou should get now: the encoder's stream, the slate, or nothing."""
    session = relay.session
    if session.status not in LiveSession.ON_KUAISHOU or not session.push_url:
        return Feed.NONE
    if relay.receiving:
        return Feed.RELAY
    if relay.feeding_since is None:
        return Feed.NONE  # never fed: nothing to keep alive
    ends = relay.slate_ends_at
    if ends is not None and (now or timezone.now()) >= ends:
        return Feed.NONE
    return Feed.SLATE


def relay_feed_changed(*, relay: Relay, feed: str) -> None:
    """Record what the agent now feeds Kuaishou."""
    now = timezone.now()
    fields: dict[str, Any] = {"feed": feed}
    if feed == Feed.RELAY:
        fields["slate_since"] = None
        if relay.feeding_since is None:
            fields["feeding_since"] = now
    elif feed == Feed.SLATE and relay.slate_since is None:
        fields["slate_since"] = relay.encoder_dropped_at or now
    Relay.objects.filter(pk=relay.pk).update(**fields)
    for name, value in fields.items():
        setattr(relay, name, value)


def relay_slate_expired(*, relay: Relay) -> None:
    """End the live: the encoder did not come back within the slate window."""
    Relay.objects.filter(pk=relay.pk).update(slate_since=None)
    session = relay.session
    logger.info("Session %s: the encoder stayed away past the slate window; ending the live", session.pk)
    try:
        streams.live_session_stop(session=session, source=Source.RELAY, ended_by=LiveSession.EndedBy.RELAY)
    except streams.GoLiveError as exc:
        logger.warning("Session %s could not be stopped on Kuaishou: %s", session.pk, exc.message)


def relay_finish(*, relay: Relay) -> None:
    """Mark a relay done, forget its ingest key, and disconnect its encoder from the ingest."""
    # The key is a password to a session that is over: kept no longer than it can be used.
    Relay.objects.filter(pk=relay.pk).update(finished_at=timezone.now(), feed=Feed.NONE, key="")
    encoder_disconnect(relay=relay)


def encoder_disconnect(*, relay: Relay) -> None:
    """Ask nginx-rtmp's control endpoint to drop the session's encoder, best-effort."""
    from relay.ingest import APPLICATION

    try:
        reply = requests.get(f"{relay.control_url}/drop/publisher",
                             params={"app": APPLICATION, "name": relay.stream_name}, timeout=3)
        logger.info("Asked the ingest to drop the encoder of session %s: HTTP %s", relay.session_id,
                    reply.status_code)
    except requests.RequestException as exc:
        logger.warning("Could not ask the ingest to drop the encoder of session %s: %s", relay.session_id,
                       type(exc).__name__)


def agent_beat(*, host: str, pid: int, children: int) -> None:
    """Record that the host's agent is alive."""
    RelayAgent.objects.update_or_create(host=host, defaults={"pid": pid, "seen_at": timezone.now(),
                                                             "children": children})


def agents_dead() -> list[str]:
    """Return the relay hosts with relays to serve whose agent has not beaten lately."""
    hosts = set(Relay.objects.filter(finished_at__isnull=True, session__status__in=LiveSession.ACTIVE)
                .values_list("host", flat=True))
    fresh = set(RelayAgent.objects.filter(seen_at__gte=timezone.now() - RelayAgent.STALE_AFTER).values_list("host", flat=True))
    return sorted(hosts - fresh)


def check_rows(relay: Relay) -> list[check.Row]:
    return check.grade(relay.encoder_check or {})
