import pytest

from accounts.models import KuaishouCredential
from tests.helpers import make_credential

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(admin_client):
    return admin_client


def test_the_user_list_shows_the_kuaishou_account(staff):
    credential = make_credential("owner", name="小明")

    page = staff.get("/admin/auth/user/").content.decode()

    assert credential.open_id in page
    assert "小明" in page


@pytest.mark.parametrize("query", ["openid-owner", "小明"])
def test_kuaishou_accounts_can_be_found_by_open_id_or_name(staff, query):
    make_credential("owner", name="小明")
    make_credential("other", name="小红")

    page = staff.get("/admin/accounts/kuaishoucredential/", {"q": query}).content.decode()

    assert "openid-owner" in page
    assert "openid-other" not in page


def test_the_admin_never_shows_a_token(staff):
    credential = make_credential("owner")

    pages = [
        staff.get("/admin/accounts/kuaishoucredential/").content.decode(),
        staff.get(f"/admin/accounts/kuaishoucredential/{credential.pk}/change/").content.decode(),
        staff.get(f"/admin/auth/user/{credential.account.user.pk}/change/").content.decode(),
    ]

    for page in pages:
        assert "access-owner" not in page
        assert "refresh-owner" not in page


def test_require_reconnect_flags_the_account(staff):
    credential = make_credential("owner")

    staff.post(
        "/admin/accounts/kuaishoucredential/",
        {"action": "require_reconnect", "_selected_action": [credential.pk]},
    )

    assert KuaishouCredential.objects.get().needs_reconnect


def test_refresh_token_now_refreshes_through_kuaishou(staff, connect, kuaishou):
    credential = connect()
    old = credential.access_token

    staff.post(
        "/admin/accounts/kuaishoucredential/",
        {"action": "refresh_token_now", "_selected_action": [credential.pk]},
    )

    assert len(kuaishou.requests(endpoint="refresh_token")) == 1
    assert KuaishouCredential.objects.get().access_token != old


def test_refresh_token_now_says_why_it_failed(staff):
    credential = make_credential("owner", needs_reconnect=True, reconnect_reason="revoked in Kuaishou")

    response = staff.post(
        "/admin/accounts/kuaishoucredential/",
        {"action": "refresh_token_now", "_selected_action": [credential.pk]},
        follow=True,
    )

    assert "revoked in Kuaishou" in response.content.decode()
