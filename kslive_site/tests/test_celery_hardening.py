"""The worker's safety nets: a lost worker's task runs again, a stale tick is dropped, and no
task runs for ever."""

import pytest
from django.conf import settings

from kslive_site.celery import app as celery_app

# Every task of ours: each has a soft limit (the task can clean up) below a hard one (the
# worker process is replaced).
OUR_TASK_PREFIXES = ("streams.", "accounts.", "api.", "kuaishou_app.")


def our_tasks():
    celery_app.loader.import_default_modules()
    return sorted(name for name in celery_app.tasks if name.startswith(OUR_TASK_PREFIXES))


def test_a_task_whose_worker_died_goes_back_to_the_queue():
    assert celery_app.conf.task_reject_on_worker_lost is True
    assert celery_app.conf.task_acks_late is True


def test_the_worker_keeps_its_database_connections_between_tasks():
    assert celery_app.conf.db_reuse_max and celery_app.conf.db_reuse_max >= 100


def test_a_dispatch_tick_still_queued_when_the_next_is_due_expires():
    entry = celery_app.conf.beat_schedule["dispatch-live-status-polls"]

    assert entry["options"]["expires"] == settings.KSLIVE_POLL_TICK


def test_every_task_of_ours_is_found():
    names = our_tasks()

    assert "streams.tasks.dispatch_status_polls" in names
    assert "accounts.tasks.refresh_credential" in names
    assert "api.tasks.deliver_webhook" in names
    assert "kuaishou_app.tasks.check_rejected_app" in names


@pytest.mark.parametrize("name", our_tasks())
def test_every_task_has_a_soft_time_limit_below_its_hard_one(name):
    task = celery_app.tasks[name]

    assert task.soft_time_limit, f"{name} has no soft time limit"
    assert task.time_limit, f"{name} has no hard time limit"
    assert task.soft_time_limit < task.time_limit


def test_polls_stop_before_their_claim_lapses():
    # A poll still running when its 60 s claim lapses would be polled twice at once.
    for name in our_tasks():
        if name.startswith("streams.tasks.poll"):
            assert celery_app.tasks[name].time_limit < 60
