"""What tests build with: people with tokens, form and API bodies, a device API client.

Plain functions and classes; the fixtures that use them are in tests/fixtures.py.
"""

import uuid

from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import KuaishouCredential
from streams.tests.images import jpeg


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


def form_data(**fields):
    """Return the go-live form's fields as the page posts them (None leaves a field out)."""
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


def live_fields(**fields):
    """Return the device API's go-live body (None leaves a field out)."""
    data = {"cover": jpeg(), "caption": "湖边日出", "panoramic": "0", "shop_live": "false", "device_name": "DJI Mini 4 Pro"}
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


class Api:
    """Django's test client speaking to the device API with one Bearer token (or none)."""

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
