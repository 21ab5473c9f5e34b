"""Fixtures shared by the app's tests: a sandbox-backed Kuaishou and connected people."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import KuaishouCredential


@pytest.fixture
def kuaishou_documented(settings, sandbox):
    """Point kslive at a freshly reset sandbox in its default (documented) shape, for tests
    that choose the shape themselves; return the sandbox."""
    settings.KUAISHOU_OPEN_BASE = sandbox.url("")
    sandbox.reply_shape = "documented"
    return sandbox


@pytest.fixture
def kuaishou(settings, sandbox_any_shape):
    """Point kslive at a freshly reset sandbox, once per reply shape; return the sandbox."""
    settings.KUAISHOU_OPEN_BASE = sandbox_any_shape.url("")
    return sandbox_any_shape


def make_credential(username="owner", *, name="小明", expires_in=3600, scopes=("user_info", "user_video_live"), **fields):
    """Create a person with a Kuaishou account and tokens, without any upstream call."""
    user = get_user_model().objects.create(username=username, first_name=name)
    account = SocialAccount.objects.create(
        user=user, provider="kuaishou", uid=f"openid-{username}", extra_data={"name": name}
    )
    now = timezone.now()
    defaults = {
        "access_token": f"access-{username}",
        "access_token_expires_at": now + timezone.timedelta(seconds=expires_in),
        "refresh_token": f"refresh-{username}",
        "refresh_token_expires_at": now + timezone.timedelta(days=180),
        "scopes": list(scopes),
    }
    return KuaishouCredential.objects.create(account=account, **{**defaults, **fields})


@pytest.fixture
def owner(db):
    return make_credential("owner").account.user


@pytest.fixture
def connect(kuaishou, db):
    """Return a function that connects a new person through the sandbox and returns their credential."""
    import kuaishou as client
    from accounts import services
    from kuaishou_app.calls import app_credentials

    def connect_person(username="owner", demo_user="xiaoming"):
        code = kuaishou.authorize(user=demo_user)
        grant = client.exchange_code(app_credentials(), code=code)
        user = get_user_model().objects.create(username=username, first_name=demo_user)
        account = SocialAccount.objects.create(user=user, provider="kuaishou", uid=grant.open_id)
        return services.credential_store_login(account=account, grant=grant)

    return connect_person
