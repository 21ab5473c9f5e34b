import pytest

from api import services
from streams.models import LiveSession
from streams.tests.images import jpeg


class Api:
    """Django's test client speaking to the device API with one Bearer token."""

    def __init__(self, client, token):
        self.client = client
        self.token = token

    def _headers(self, headers):
        base = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**base, **(headers or {})}

    def get(self, path, data=None, headers=None):
        return self.client.get(path, data, headers=self._headers(headers))

    def post(self, path, data=None, headers=None, **kwargs):
        return self.client.post(path, data or {}, headers=self._headers(headers), **kwargs)

    def go_live(self, headers=None, **fields):
        return self.post("/api/v1/live-sessions", live_fields(**fields), headers=headers)


def live_fields(**fields):
    data = {"cover": jpeg(), "caption": "湖边日出", "panoramic": "0", "shop_live": "false", "device_name": "DJI Mini 4 Pro"}
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def person(connect):
    """小明 from the sandbox, connected and allowed to go live."""
    return connect("owner", "xiaoming").account.user


@pytest.fixture
def token(person):
    return services.device_token_create(owner=person, name="DJI Mini 4 Pro")[1]


@pytest.fixture
def api(client, token):
    return Api(client, token)


@pytest.fixture
def anonymous(client):
    return Api(client, None)


@pytest.fixture
def stranger_api(client, connect):
    """Another connected person's device."""
    stranger = connect("stranger", "aqiang").account.user
    return Api(client, services.device_token_create(owner=stranger, name="their camera")[1])


@pytest.fixture
def ready(api):
    """A session that got its push URL through the API."""
    response = api.go_live()
    assert response.status_code == 201, response.json()
    return LiveSession.objects.get(pk=response.json()["id"])
