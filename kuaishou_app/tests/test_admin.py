"""Admin pages tell the operator while Kuaishou rejects our app, and since when."""

import pytest
from django.utils import timezone

import kuaishou
from kuaishou_app import status
from kuaishou_app.models import AppStatus

pytestmark = pytest.mark.django_db
BANNER = "data-kuaishou-app-problem"


def reject_the_app():
    error = kuaishou.ApiError(result=kuaishou.Result.UNAUTHORIZED_CLIENT, host_name="open-api-3")
    status.app_rejected(family=AppStatus.Family.OAUTH, error=error)
    return status.problem()


def test_an_admin_page_says_kuaishou_rejects_our_app_and_since_when(admin_client):
    since = reject_the_app().since

    page = admin_client.get("/admin/").content.decode()

    assert BANNER in page
    assert "拒绝了 kslive 的应用" in page
    assert timezone.localtime(since).strftime("%Y-%m-%d %H:%M:%S") in page
    assert "100200101" in page and "open-api-3" in page
    assert "KUAISHOU_APP_SECRET" in page


def test_an_admin_page_shows_no_banner_while_kuaishou_accepts_our_app(admin_client):
    response = admin_client.get("/admin/")

    page = response.content.decode()
    assert response.status_code == 200
    assert BANNER not in page
    assert "拒绝了 kslive 的应用" not in page
