"""A device goes live through the API (api/) on the streaming journeys' stack (conftest.py): it streams with
ffmpeg to real nginx-rtmp, Celery polls the sandbox, and the API shows `living`, then `ended`."""

import uuid

import pytest
import requests

from api import services as token_services
from devtools.waiting import wait_until
from streams.tests.images import jpeg
from tests.needs import require_executable

pytestmark = pytest.mark.needs("nginx-rtmp, ffmpeg")
UPDATE_SECONDS = 15


def wait_for_status(http, url, wanted, stack):
    body = {}

    def arrived():
        body.update(http.get(url, timeout=10).json())
        return body["status"] == wanted

    if wait_until(arrived, timeout=UPDATE_SECONDS, interval=0.25):
        return body
    raise AssertionError(f"the session stayed {body['status']!r}, not {wanted!r}\n{stack.output()}")


def test_a_device_goes_live_through_the_api_pushes_with_ffmpeg_and_stops(stack, connect):
    require_executable("ffmpeg")
    person = connect("owner", "xiaoming").account.user
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token_services.device_token_create(owner=person, name='drone')[1]}"

    created = http.post(
        stack.site.url("/api/v1/live-sessions"),
        files={"cover": ("cover.jpg", jpeg().getvalue(), "image/jpeg")},
        data={"caption": "无人机航拍", "device_name": "DJI Mini 4 Pro"},
        headers={"Idempotency-Key": uuid.uuid4().hex},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    session = created.json()
    assert session["push_url"].startswith(stack.ingest.push_base + "/")

    # Pushed the way an encoder with separate server and key fields would.
    encoder = stack.push(session["rtmp_server"] + session["stream_key"])
    url = stack.site.url(f"/api/v1/live-sessions/{session['id']}")
    living = wait_for_status(http, url, "living", stack)

    assert living["went_live_at"] is not None
    assert stack.site.sandbox.stream(session["live_stream_name"])["state"] == "living"

    stopped = http.post(url + "/stop", timeout=30)

    assert stopped.status_code == 200, stopped.text
    assert (stopped.json()["status"], stopped.json()["ended_by"]) == ("ended", "person")
    assert encoder.wait_closed() is not None, "the RTMP server should have dropped ffmpeg's connection"
    assert http.get(url, timeout=10).json()["status"] == "ended"
