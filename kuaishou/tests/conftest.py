import pytest
import responses

from kuaishou import AppCredentials

from .support import APP_ID, APP_SECRET, BASE_URL, BIZ_ID


@pytest.fixture
def app():
    return AppCredentials(app_id=APP_ID, app_secret=APP_SECRET, biz_id=BIZ_ID, base_url=BASE_URL)


@pytest.fixture
def upstream():
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture(params=["documented", "extended"])
def shape(request):
    """Each reply shape in turn: the documents' own examples, and later pages' richer ones."""
    return request.param
