"""Every failure under /api/ is the JSON error envelope, whatever refused the request."""

import pytest
from django.test import Client

from api import views
from streams.models import LiveSession

pytestmark = pytest.mark.django_db


def envelope(response):
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response.json()["error"]


@pytest.mark.parametrize("path", ["/api/v1/live-sessions/%C2%B2", "/api/v1/live-sessions/%C2%B2/stop",
                                  "/api/v1/live-sessions/99999999999999999999", "/api/v1/live-sessions/-1",
                                  "/api/v1/live-sessions/1e3"])
def test_any_id_that_is_not_a_session_is_the_api_404(api, path):
    response = api.post(path) if path.endswith("/stop") else api.get(path)

    assert response.status_code == 404
    assert envelope(response)["code"] == "not_found"


def test_an_unknown_api_path_is_the_api_404(api):
    response = api.get("/api/v1/nothing-here")

    assert response.status_code == 404
    assert envelope(response)["code"] == "not_found"


@pytest.mark.parametrize("query", ["?status=", "?status=paused"])
def test_an_empty_or_unknown_status_filter_is_400(api, query):
    response = api.get(f"/api/v1/live-sessions{query}")

    assert response.status_code == 400
    assert envelope(response)["code"] == "invalid"


def test_a_body_over_django_s_size_limit_is_413_in_the_envelope(api, kuaishou):
    response = api.go_live(caption="x" * 3_000_000)

    assert response.status_code == 413
    assert envelope(response)["code"] == "request_too_large"
    assert LiveSession.objects.count() == 0


def test_too_many_fields_is_400_in_the_envelope(api, kuaishou):
    response = api.post("/api/v1/live-sessions", {f"field{i}": "1" for i in range(1200)})

    assert response.status_code == 400
    assert envelope(response)["code"] == "too_many_fields"


def test_an_unexpected_error_is_500_in_the_envelope_and_says_nothing_of_it(token, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(views.selectors, "live_sessions_of", broken)
    client = Client(raise_request_exception=False)

    response = client.get("/api/v1/live-sessions", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 500
    assert envelope(response)["code"] == "server_error"
    assert "hunter2" not in response.content.decode()


def test_a_web_page_still_gets_django_s_own_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
