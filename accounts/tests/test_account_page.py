import pytest

from accounts.models import KuaishouCredential
from tests.helpers import make_credential

pytestmark = pytest.mark.django_db


def test_the_account_page_needs_a_login(client):
    response = client.get("/account/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_login_page_offers_only_kuaishou(client):
    page = client.get("/accounts/login/?next=/account/").content.decode()

    assert "用快手登录" in page
    assert 'type="password"' not in page


def test_the_account_page_shows_the_kuaishou_profile_and_token_expiry(client):
    credential = make_credential("owner", name="小明")
    client.force_login(credential.account.user)

    page = client.get("/account/").content.decode()

    assert "小明" in page
    assert credential.open_id in page
    assert "授权有效期至" in page
    assert credential.access_token not in page
    assert credential.refresh_token not in page


def test_disconnecting_deletes_our_tokens_and_keeps_the_person_logged_in(client):
    credential = make_credential("owner")
    client.force_login(credential.account.user)

    response = client.post("/account/disconnect/", follow=True)

    assert KuaishouCredential.objects.count() == 0
    page = response.content.decode()
    assert "你的快手令牌已删除" in page
    assert "你的快手账号尚未连接" in page


def test_disconnecting_takes_a_post(client):
    credential = make_credential("owner")
    client.force_login(credential.account.user)

    response = client.get("/account/disconnect/")

    assert response.status_code == 405
    assert KuaishouCredential.objects.count() == 1


def test_a_person_without_live_permission_is_offered_to_grant_it(client):
    credential = make_credential("owner", scopes=["user_info"])
    client.force_login(credential.account.user)

    page = client.get("/account/").content.decode()

    assert "允许开播" in page
    assert "未授权" in page


def test_the_home_page_offers_login_to_visitors(client):
    page = client.get("/").content.decode()

    assert 'action="/accounts/kuaishou/login/?process=login' in page
    assert 'method="post"' in page
