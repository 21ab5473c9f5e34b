import os
from queue import Empty

import pytest
from kombu.transport import filesystem
from kombu import Connection

from kslive_site import broker


def in_folder(folder):
    """Transport options that keep messages and bindings in one folder."""
    return {"data_folder_in": str(folder), "data_folder_out": str(folder), "control_folder": str(folder)}


@pytest.fixture
def channel(tmp_path):
    options = in_folder(tmp_path)
    with Connection("filesystem://", transport=broker.Transport, transport_options=options) as connection:
        yield connection.default_channel


def test_a_message_goes_in_and_comes_out_whole(channel):
    channel._put("celery", {"task": "poll", "id": 7})

    assert channel._get("celery") == {"task": "poll", "id": 7}


def test_a_reader_never_sees_a_message_that_is_still_being_written(channel, tmp_path, monkeypatch):
    seen_while_writing = []
    replace = os.replace

    def replace_after_a_look(source, destination):
        # The reader polls the folder at the worst moment: the bytes are written, not yet renamed.
        with pytest.raises(Empty):
            channel._get("celery")
        seen_while_writing.extend(os.listdir(tmp_path))
        replace(source, destination)

    monkeypatch.setattr(broker.os, "replace", replace_after_a_look)

    channel._put("celery", {"task": "poll"})

    assert [name.endswith(".msg.tmp") for name in seen_while_writing] == [True]
    assert channel._get("celery") == {"task": "poll"}


def test_without_redis_the_broker_is_the_atomic_embedded_one(settings):
    from kslive_site.celery import app

    with app.connection_for_write() as connection:
        if settings.REDIS_URL:
            assert connection.transport.driver_type == "redis"
        else:
            assert isinstance(connection.transport, broker.Transport)


@pytest.fixture
def drains(monkeypatch):
    """Record the timeout each drain hands kombu's filesystem transport."""
    asked = []

    def drain_events(self, connection, timeout=None):
        asked.append(timeout)

    monkeypatch.setattr(filesystem.Transport, "drain_events", drain_events)
    return asked


def test_a_drain_waits_at_most_half_a_second_so_a_stopping_worker_notices(drains):
    # Celery's loop asks for 2 s, and checks for a shutdown request only between drains.
    broker.Transport.drain_events(object.__new__(broker.Transport), None, timeout=2.0)

    assert drains == [broker.Transport.drain_slice] and broker.Transport.drain_slice <= 0.5


def test_a_shorter_drain_is_left_as_asked(drains):
    broker.Transport.drain_events(object.__new__(broker.Transport), None, timeout=0.1)

    assert drains == [0.1]


def test_a_drain_without_a_timeout_still_waits_for_a_message(drains):
    # kombu promises that a drain without a timeout waits for a message: no cap then.
    broker.Transport.drain_events(object.__new__(broker.Transport), None)

    assert drains == [None]
