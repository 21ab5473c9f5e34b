"""A header the browser can send says nothing about the connection unless a proxy is trusted."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def https_only(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = []
    return settings


def test_x_forwarded_proto_is_ignored_without_a_trusted_proxy_and_plain_http_is_redirected(client, https_only):
    https_only.SECURE_PROXY_SSL_HEADER = None

    response = client.get("/", headers={"x-forwarded-proto": "https"})

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/"


def test_x_forwarded_proto_counts_once_the_proxy_that_sets_it_is_trusted(client, https_only):
    https_only.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    response = client.get("/", headers={"x-forwarded-proto": "https"})

    assert response.status_code == 200
