"""The fixtures every app's tests share: a sandbox-backed Kuaishou, and the people in a test.

- `person`: 小明, connected through the sandbox, allowed to go live (the owner of most things);
- `stranger`: 阿强, another connected person;
- `signed_in`: a browser logged in as `person`;
- `api`, `stranger_api`, `anonymous`: device API clients with `person`'s token, the stranger's, none;
- `owner`: a person with tokens made up without any sandbox (for tests that never call Kuaishou).
Helpers to build things (make_credential, form_data, Api) are in tests/helpers.py.
"""

import pytest
from django.contrib.auth import get_user_model

from tests.helpers import Api, make_credential


@pytest.fixture
def kuaishou_documented(settings, sandbox):
    """Point kslive at a freshly reset sandbox in its default (documented) shape, for tests
    that choose the shape themselves; return the sandbox."""
    settings.KUAISHOU_OPEN_BASE = sandbox.url("")
    return sandbox.use_reply_shape("documented")


@pytest.fixture
def kuaishou(settings, sandbox_any_shape):
    """Point kslive at a freshly reset sandbox, once per reply shape; return the sandbox."""
    settings.KUAISHOU_OPEN_BASE = sandbox_any_shape.url("")
    return sandbox_any_shape


@pytest.fixture
def owner(db):
    return make_credential("owner").account.user


@pytest.fixture
def connect(kuaishou, db):
    """Return a function that connects a new person through the sandbox and returns their credential."""
    import kuaishou as client
    from allauth.socialaccount.models import SocialAccount

    from accounts import services
    from kuaishou_app.calls import app_credentials

    def connect_person(username="owner", demo_user="xiaoming"):
        code = kuaishou.authorize(user=demo_user)
        grant = client.exchange_code(app_credentials(), code=code)
        user = get_user_model().objects.create(username=username, first_name=demo_user)
        account = SocialAccount.objects.create(user=user, provider="kuaishou", uid=grant.open_id)
        return services.credential_store_login(account=account, grant=grant)

    return connect_person


@pytest.fixture
def person(connect):
    """小明 from the sandbox, connected and allowed to go live."""
    return connect("owner", "xiaoming").account.user


@pytest.fixture
def stranger(connect):
    """阿强 from the sandbox: another connected person."""
    return connect("stranger", "aqiang").account.user


@pytest.fixture
def signed_in(client, person):
    client.force_login(person)
    return client


@pytest.fixture
def token(person):
    from api import services

    return services.device_token_create(owner=person, name="DJI Mini 4 Pro")[1]


@pytest.fixture
def api(client, token):
    return Api(client, token)


@pytest.fixture
def anonymous(client):
    return Api(client, None)


@pytest.fixture
def stranger_api(client, stranger):
    from api import services

    return Api(client, services.device_token_create(owner=stranger, name="their camera")[1])
