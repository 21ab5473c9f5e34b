import uuid

import pytest

from streams.models import LiveSession
from streams.tests.images import jpeg


@pytest.fixture
def person(connect):
    """A person logged in with the sandbox's 小明, who may go live."""
    return connect("owner", "xiaoming").account.user


@pytest.fixture
def signed_in(client, person):
    client.force_login(person)
    return client


def form_data(**fields):
    data = {
        "cover": jpeg(),
        "cover_fit": "crop",
        "caption": "湖边日出",
        "panoramic": "0",
        "device_name": "DJI Mini 4 Pro",
        "idempotency_key": uuid.uuid4().hex,
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def go_live(signed_in):
    """Submit the go-live form as the person; return the response."""

    def submit(**fields):
        return signed_in.post("/live/new/", form_data(**fields))

    return submit


@pytest.fixture
def ready_session(go_live):
    """A session that got its push URL from the sandbox."""
    go_live()
    session = LiveSession.objects.get()
    assert session.status == LiveSession.Status.READY, session.last_error_message
    return session
