import pytest

from relay.models import Relay
from relay.selectors import relay_of
from streams.models import LiveSession
from tests.helpers import form_data

HOOK_SECRET = "hook-secret-for-tests"


@pytest.fixture(autouse=True)
def relay_settings(settings):
    settings.KSLIVE_RELAY_INGEST_URL = "rtmp://relay.example.com:1936/rehearse"
    settings.KSLIVE_RELAY_HOOK_SECRET = HOOK_SECRET
    settings.KSLIVE_RELAY_SLATE_WINDOW = 300
    return settings


@pytest.fixture
def rehearsing(signed_in) -> LiveSession:
    """A relay session just made on the go-live form (Rehearse first)."""
    response = signed_in.post("/live/new/", form_data(relay="true", caption="彩排一下"))
    assert response.status_code == 302, response.content
    return LiveSession.objects.get()


@pytest.fixture
def relay(rehearsing) -> Relay:
    return relay_of(rehearsing)


@pytest.fixture
def hook(client):
    """Call an ingest hook as nginx-rtmp does (a form POST), with the shared secret unless told."""

    def call(event, *, secret=HOOK_SECRET, **fields):
        query = f"?secret={secret}" if secret is not None else ""
        data = {"app": "rehearse", "call": event.replace("on_", ""), "clientid": "7", **fields}
        return client.post(f"/relay/hooks/{event}{query}", data)

    return call


@pytest.fixture
def receiving(relay, hook):
    """The encoder pushes to the ingest with the right key."""
    response = hook("on_publish", name=relay.stream_name, key=relay.key)
    assert response.status_code == 200
    relay.refresh_from_db()
    return relay
