import logging

import pytest

from kslive_site import health


@pytest.fixture
def broken(monkeypatch):
    def breaker(name):
        def fail():
            raise ConnectionError("down at redis://:hunter2@10.0.0.1:6379")

        monkeypatch.setattr(health, f"check_{name}", fail)

    return breaker


@pytest.mark.django_db
def test_healthz_reports_database_and_broker_reachable(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "kuaishou": "ok", "relay": "ok", "status": "ok"}


@pytest.mark.django_db
@pytest.mark.parametrize("part", ["database", "broker"])
def test_healthz_answers_503_naming_the_part_that_is_down(client, broken, part):
    broken(part)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()[part] == "unreachable"
    assert response.json()["status"] == "unhealthy"


@pytest.mark.django_db
def test_a_broker_that_is_down_is_logged_at_error_by_every_probe(client, broken, caplog):
    broken("broker")

    for _ in range(2):
        client.get("/healthz")

    assert [r.name for r in caplog.records if r.levelno >= logging.ERROR] == ["django.request", "django.request"]


@pytest.mark.django_db
def test_healthz_never_shows_the_failure_text(client, broken, caplog):
    broken("broker")

    response = client.get("/healthz")

    assert "hunter2" not in response.content.decode()
    assert "hunter2" not in caplog.text


@pytest.mark.django_db
def test_healthz_is_never_cached(client):
    response = client.get("/healthz")

    assert "no-cache" in response["Cache-Control"]
