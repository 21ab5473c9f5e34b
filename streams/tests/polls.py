"""Helpers for the status-poll tests."""

from streams import tasks


def poll(session):
    """Poll the session as the worker does, and return it as it is now."""
    tasks.poll_live_session(session.pk)
    session.refresh_from_db()
    return session
