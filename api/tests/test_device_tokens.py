"""Device tokens: the Devices page, the provisioning command, and Bearer authentication."""

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from api import services
from api.models import DeviceToken
from tests.helpers import Api
from tests.helpers import make_credential

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, person):
    client.force_login(person)
    return client


# The Devices page


def test_the_devices_page_needs_a_login(client):
    response = client.get("/devices/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_nav_links_to_devices_next_to_my_lives(signed_in):
    page = signed_in.get("/live/").content.decode()

    assert page.index('href="/live/"') < page.index('href="/devices/"') < page.index('href="/account/"')
    assert ">设备<" in page


def test_naming_a_device_shows_its_token_once_with_a_copy_button(signed_in, person):
    response = signed_in.post("/devices/", {"name": "DJI Mini 4 Pro"})

    page = response.content.decode()
    token = DeviceToken.objects.get()
    raw = page.split('id="device-token" type="text" readonly value="')[1].split('"')[0]
    assert raw.startswith("ksd_") and len(raw) == 4 + 43
    assert token.owner == person
    assert token.name == "DJI Mini 4 Pro"
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(DeviceToken.objects.values().get())
    assert 'data-copy="device-token"' in page
    assert "no-store" in response["Cache-Control"]
    assert raw not in signed_in.get("/devices/").content.decode()


def test_the_list_shows_prefix_and_last_use(signed_in, person):
    token, raw = services.device_token_create(owner=person, name="roof cam")

    before = signed_in.get("/devices/").content.decode()
    Api(signed_in, raw).get("/api/v1/me")
    after = signed_in.get("/devices/").content.decode()

    assert "roof cam" in before
    assert f"<code>{raw[:10]}…</code>" in before
    assert "从未使用" in before
    assert "从未使用" not in after


def test_a_device_needs_a_name(signed_in):
    response = signed_in.post("/devices/", {"name": "  "})

    assert response.status_code == 200
    assert "该字段是必填项" in response.content.decode()
    assert DeviceToken.objects.count() == 0


def test_revoking_stops_the_token_at_once(signed_in, person, client):
    token, raw = services.device_token_create(owner=person, name="roof cam")

    response = signed_in.post(f"/devices/{token.pk}/revoke/", follow=True)

    assert "已吊销" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Api(client, raw).get("/api/v1/me").status_code == 401


def test_nobody_can_revoke_someone_elses_token(signed_in):
    theirs, _raw = services.device_token_create(owner=make_credential("stranger").account.user, name="x")

    response = signed_in.post(f"/devices/{theirs.pk}/revoke/")

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


# Provisioning from the command line


def test_the_command_prints_a_token_for_the_person_with_that_open_id(client, db):
    credential = make_credential("owner")
    out = StringIO()

    call_command("create_device_token", "--open-id", "openid-owner", "--name", "fleet-007", stdout=out)

    raw = out.getvalue().strip()
    token = DeviceToken.objects.get()
    assert raw.startswith("ksd_")
    assert (token.owner, token.name) == (credential.account.user, "fleet-007")
    assert Api(client, raw).get("/api/v1/me").json()["open_id"] == "openid-owner"


def test_the_command_refuses_an_unknown_open_id(db):
    with pytest.raises(CommandError, match="open_id"):
        call_command("create_device_token", "--open-id", "nobody", "--name", "x")
    assert DeviceToken.objects.count() == 0


# Bearer authentication


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer ksd_unknown", "Bearer a b", "Token ksd_x", "Basic b3duZXI6cHc="],
)
def test_requests_without_a_valid_bearer_token_are_401(client, token, authorization):
    headers = {"Authorization": authorization} if authorization else {}

    response = client.get("/api/v1/me", headers=headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="kslive"'
    assert response.json()["error"]["code"] == "unauthorized"
    assert response.json()["error"]["upstream_code"] is None


def test_a_logged_in_browser_session_is_not_a_device_token(signed_in):
    assert signed_in.get("/api/v1/me").status_code == 401


def test_a_revoked_token_is_401(api, token):
    services.device_token_revoke(token=DeviceToken.objects.get())

    assert api.get("/api/v1/me").status_code == 401


def test_a_token_of_a_deactivated_person_is_401(api, person):
    person.is_active = False
    person.save()

    assert api.get("/api/v1/me").status_code == 401


def test_last_used_is_written_at_most_once_a_minute(api):
    api.get("/api/v1/me")
    first = DeviceToken.objects.get().last_used_at
    api.get("/api/v1/me")
    assert DeviceToken.objects.get().last_used_at == first

    DeviceToken.objects.update(last_used_at=timezone.now() - timedelta(minutes=2))
    api.get("/api/v1/me")
    assert DeviceToken.objects.get().last_used_at > first


def test_each_token_is_rate_limited_with_retry_after(api, settings, client, person):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"device": "2/min"}}
    other = Api(client, services.device_token_create(owner=person, name="second")[1])

    statuses = [api.get("/api/v1/me").status_code for _ in range(3)]
    limited = api.get("/api/v1/me")

    assert statuses == [200, 200, 429]
    assert limited.json()["error"]["code"] == "rate_limited"
    assert 0 < int(limited["Retry-After"]) <= 60
    assert other.get("/api/v1/me").status_code == 200
