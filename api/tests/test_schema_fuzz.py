"""Property-based fuzzing of the device API against its own OpenAPI schema (Schemathesis).

Every operation gets generated requests, valid and invalid, sent in-process to the WSGI app
with a connected person's token (the sandbox plays Kuaishou). No answer may be a server
error, and every answer must be documented and match its response schema.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api import services as token_services
from streams.models import LiveSession

EXAMPLES_PER_OPERATION = 25
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]


@pytest.fixture
def api_schema(db, person, kuaishou, settings):
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()

    # Schemathesis' WSGI client calls itself "localhost".
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    # Fuzzing sends hundreds of requests: our own rate limit would answer most with 429.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"device": "100000/min"}}
    # As Django's test client does: a request must not close the test's database connection.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def bearer(person):
    return {"Authorization": f"Bearer {token_services.device_token_create(owner=person, name='fuzzer')[1]}"}


@pytest.fixture
def seeded(person):
    """A ready session, so that generated ids sometimes find one to read and stop."""
    return LiveSession.objects.create(
        owner=person, cover=b"x", idempotency_key="seed", status=LiveSession.Status.READY,
        live_stream_name="seeded", push_url="rtmp://127.0.0.1/gifshow/seeded?sign=x",
    )


def test_the_schema_has_every_endpoint(api_schema):
    operations = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}

    assert operations == {
        ("GET", "/api/v1/live-sessions"),
        ("POST", "/api/v1/live-sessions"),
        ("GET", "/api/v1/live-sessions/{id}"),
        ("POST", "/api/v1/live-sessions/{id}/reissue"),
        ("POST", "/api/v1/live-sessions/{id}/stop"),
        ("POST", "/api/v1/live-sessions/{id}/go-live"),
        ("GET", "/api/v1/me"),
    }


def test_the_api_answers_every_generated_request_within_its_schema(api_schema, bearer, seeded):
    # Hypothesis drives each operation directly: Schemathesis' lazy pytest loader
    # (schemathesis.pytest.from_fixture) does not run under pytest 9.
    seen = {}
    for result in api_schema.get_all_operations():
        operation = result.ok()
        cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

        @given(case=cases)
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
        )
        def answers_within_schema(case):
            response = case.call_and_validate(headers=bearer, checks=CHECKS)
            seen.setdefault(f"{case.method} {case.path}", set()).add(response.status_code)

        answers_within_schema()

    # The fuzzer got past authentication and validation, and was refused by validation too.
    assert 200 in seen["GET /api/v1/me"]
    assert 200 in seen["GET /api/v1/live-sessions"]
    assert 400 in seen["POST /api/v1/live-sessions"]
    assert 404 in seen["GET /api/v1/live-sessions/{id}"]


def test_the_schema_and_the_interactive_docs_need_no_token(client, db):
    schema = client.get("/api/schema/?format=json")
    docs = client.get("/api/docs/")
    script = client.get("/api/docs/?script=")

    assert schema.status_code == 200
    scheme = schema.json()["components"]["securitySchemes"]["deviceToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert docs.status_code == 200
    # The page's script is a file of its own (no inline script under our Content Security Policy).
    assert '<script src="/api/docs/?script="></script>' in docs.content.decode()
    assert "/api/schema/" in script.content.decode()
    # Served from our own static files, so the docs work offline.
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in docs.content.decode()
    assert "cdn.jsdelivr.net" not in docs.content.decode()
