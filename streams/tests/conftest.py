import pytest
from django.core.cache import cache

from streams.models import LiveSession
from tests.helpers import form_data


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
    assert session.status == LiveSession.Status.READY, session.problem_message
    return session


@pytest.fixture
def clean_cache():
    """An empty cache before and after: the call budget, the back-off and the app's status live there."""
    cache.clear()
    yield
    cache.clear()
