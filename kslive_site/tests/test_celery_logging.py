import logging

from kslive_site.celery import QuietHeartbeat


def record(level, msg, args):
    return logging.LogRecord("celery", level, __file__, 1, msg, args, None)


def test_the_once_a_second_dispatch_lines_are_dropped():
    quiet = QuietHeartbeat()

    beat = record(logging.INFO, "Scheduler: Sending due task %s (%s)",
                  ("dispatch-live-status-polls", "streams.tasks.dispatch_status_polls"))
    received = record(logging.INFO, "Task %(name)s[%(id)s] received",
                      {"name": "streams.tasks.dispatch_status_polls", "id": "1"})

    assert not quiet.filter(beat)
    assert not quiet.filter(received)


def test_polls_status_changes_and_failures_still_show():
    quiet = QuietHeartbeat()

    poll = record(logging.INFO, "Task %(name)s[%(id)s] received", {"name": "streams.tasks.poll_live_session", "id": "2"})
    failed = record(logging.ERROR, "Task %(name)s[%(id)s] raised: %(exc)s",
                    {"name": "streams.tasks.dispatch_status_polls", "id": "3", "exc": "boom"})

    assert quiet.filter(poll)
    assert quiet.filter(failed)
