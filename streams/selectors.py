"""Reads of live sessions: the one place that says which sessions a person may see."""

from django.contrib.auth.models import User
from django.db.models import QuerySet

from streams.models import LiveSession

# Ids are positive 64-bit integers; anything else names no session.
MAX_ID = 2**63 - 1


def session_id(value: str | int | None) -> int | None:
    """Return the session id a URL or form value names, or None (ASCII digits only: "²" is
    a digit to str.isdigit(), not to int())."""
    text = str(value) if value is not None else ""
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ID:
        return None
    return int(text)


def live_session_for(owner: User, value: str | int | None, *, with_cover: bool = False) -> LiveSession | None:
    """Return the owner's session with this id, or None: someone else's is exactly like a missing one."""
    pk = session_id(value)
    if pk is None:
        return None
    sessions = LiveSession.objects.filter(owner=owner, pk=pk)
    return (sessions if with_cover else sessions.defer("cover")).first()


def live_sessions_of(owner: User, *, status: str | None = None) -> QuerySet[LiveSession]:
    """Return the owner's sessions, newest first, without their covers (optionally of one status)."""
    sessions = LiveSession.objects.filter(owner=owner).defer("cover")
    return sessions.filter(status=status) if status else sessions
