import os
import socket
import threading
import time
from queue import Empty

import pytest
from kombu import Connection, Exchange, Queue

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


def test_a_drain_returns_within_half_a_second_so_a_stopping_worker_notices(tmp_path):
    # Celery's loop asks for 2 s; it checks for a shutdown request only between drains.
    options = in_folder(tmp_path)
    with Connection("filesystem://", transport=broker.Transport, transport_options=options) as connection:
        queue = Queue("celery", Exchange("celery"), "celery")
        connection.Consumer(queue, callbacks=[lambda body, message: None]).consume()
        started = time.monotonic()
        with pytest.raises(socket.timeout):
            connection.drain_events(timeout=2.0)
        assert time.monotonic() - started < 1.5


def test_a_drain_without_a_timeout_still_waits_for_a_message(tmp_path):
    options = in_folder(tmp_path)
    # kombu's virtual transports keep some queue state per process, not per folder: a queue
    # of its own keeps this test apart from the one above.
    queue = Queue("waits", Exchange("waits"), "waits")
    received, timed_out = [], []

    def consume():
        with Connection("filesystem://", transport=broker.Transport, transport_options=options) as connection:
            connection.Consumer(queue, callbacks=[lambda body, message: received.append(body)]).consume()
            try:
                connection.drain_events()
            except socket.timeout:
                timed_out.append(True)

    consumer = threading.Thread(target=consume, daemon=True)
    consumer.start()
    time.sleep(1.0)  # longer than a drain slice: a capped wait would have given up by now
    with Connection("filesystem://", transport=broker.Transport, transport_options=options) as connection:
        connection.Producer().publish({"task": "go"}, exchange=queue.exchange, routing_key="waits", declare=[queue])
    consumer.join(timeout=10)

    assert (received, timed_out) == ([{"task": "go"}], [])
