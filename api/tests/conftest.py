import pytest

from streams.models import LiveSession


@pytest.fixture
def ready(api):
    """A session that got its push URL through the API."""
    response = api.go_live()
    assert response.status_code == 201, response.json()
    return LiveSession.objects.get(pk=response.json()["id"])
