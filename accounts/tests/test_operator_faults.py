"""A fault only the operator can fix (our app refused, a wrong base URL) never flags a person."""

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

import kuaishou as client
from accounts import tasks, tokens
from accounts.models import KuaishouCredential
from kuaishou_app import status, tasks as app_tasks
from kuaishou_app.tasks import check_rejected_app
from sandbox import demo
from tests.kuaishou_login import start_login

pytestmark = pytest.mark.django_db


def expire_soon(credential, seconds=60):
    KuaishouCredential.objects.filter(pk=credential.pk).update(
        access_token_expires_at=timezone.now() + timezone.timedelta(seconds=seconds)
    )


OPERATOR_FAULTS = {
    "wrong secret": lambda sandbox: sandbox.app(secret=None),
    "suspended app": lambda sandbox: sandbox.app(suspended=True),
    "gateway 403 page": lambda sandbox: sandbox.fault("refresh_token", http_status=403, count=-1),
    "gateway 404 page": lambda sandbox: sandbox.fault("refresh_token", http_status=404, count=-1),
    "invalid_request": lambda sandbox: sandbox.fault("refresh_token", result=100200100, count=-1),
}


@pytest.mark.parametrize("fault", OPERATOR_FAULTS.values(), ids=OPERATOR_FAULTS.keys())
def test_an_operator_fault_during_a_refresh_keeps_the_person_connected_and_their_token(connect, kuaishou, fault):
    credential = connect()
    expire_soon(credential)
    fault(kuaishou)

    token = tokens.access_token_fresh(credential.account.user)

    credential.refresh_from_db()
    assert token == credential.access_token
    assert not credential.needs_reconnect
    assert status.problem().problem == "app_rejected"


def test_an_operator_fault_on_an_expired_token_raises_without_flagging_anyone(connect, kuaishou):
    credential = connect()
    expire_soon(credential, seconds=-1)
    kuaishou.app(secret=None)

    with pytest.raises(client.KuaishouError) as failure:
        tokens.access_token_fresh(credential.account.user)

    assert failure.value.blame is client.Blame.OPERATOR
    assert not KuaishouCredential.objects.get().needs_reconnect


def test_an_operator_fault_is_logged_at_error_once(connect, kuaishou, caplog):
    first, second = connect("first", "xiaoming"), connect("second", "aqiang")
    for credential in (first, second):
        expire_soon(credential)
    kuaishou.app(secret=None)

    tokens.access_token_fresh(first.account.user)
    tokens.access_token_fresh(second.account.user)

    errors = [r for r in caplog.records if r.levelname == "ERROR" and "rejects kslive's app" in r.getMessage()]
    assert len(errors) == 1
    assert demo.APP_SECRET not in caplog.text


def test_healthz_names_kuaishou_while_our_app_is_rejected(client_with_app_rejected):
    response = client_with_app_rejected.get("/healthz")

    assert response.status_code == 503
    assert response.json()["kuaishou"] == "app_rejected"
    assert response.json()["database"] == "ok"


@pytest.fixture
def client_with_app_rejected(client, connect, kuaishou):
    credential = connect()
    expire_soon(credential)
    kuaishou.app(secret=None)
    tokens.access_token_fresh(credential.account.user)
    return client


def test_healthz_probes_while_our_app_is_rejected_log_no_error_of_their_own(client_with_app_rejected, caplog):
    caplog.clear()
    caplog.set_level(logging.INFO)

    statuses = [client_with_app_rejected.get("/healthz").status_code for _ in range(3)]

    assert statuses == [503, 503, 503]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_the_beat_task_does_not_retry_every_token_when_our_app_is_rejected(connect, kuaishou, monkeypatch):
    credential = connect()
    expire_soon(credential, seconds=-1)
    kuaishou.app(secret=None)
    retried = []
    monkeypatch.setattr(tasks.refresh_credential, "retry", lambda **kw: retried.append(kw))

    tasks.refresh_credential(credential.pk)

    assert retried == []
    assert not KuaishouCredential.objects.get().needs_reconnect


def test_once_the_secret_is_fixed_the_check_clears_the_problem_and_refreshes_work_again(connect, kuaishou, client):
    credential = connect()
    expire_soon(credential, seconds=-1)
    kuaishou.app(secret=None)
    with pytest.raises(client_errors()):
        tokens.access_token_fresh(credential.account.user)
    check_rejected_app()
    assert status.problem() is not None

    kuaishou.app(restore=True)
    check_rejected_app()

    assert status.problem() is None
    assert client.get("/healthz").status_code == 200
    token = tokens.access_token_fresh(credential.account.user)
    credential.refresh_from_db()
    assert token == credential.access_token and not credential.needs_reconnect


def client_errors():
    return client.KuaishouError


def test_a_live_call_that_works_does_not_clear_a_problem_of_the_login_endpoints(connect, kuaishou):
    credential = connect()
    expire_soon(credential)
    kuaishou.app(secret=None)
    tokens.access_token_fresh(credential.account.user)

    from kuaishou_app.calls import call
    with pytest.raises(client.ApiError):
        call(client.get_live_status, access_token=credential.access_token, live_stream_name="nope")

    assert status.problem().family == "oauth"


@pytest.mark.parametrize("state", ["", "&state=forged-state"], ids=["no-state", "forged-state"])
@pytest.mark.parametrize("error", ["unauthorized_client", "invalid_request"])
def test_a_forged_callback_naming_an_app_error_records_nothing_and_healthz_stays_up(client, kuaishou, error, state):
    response = client.get(f"/accounts/kuaishou/login/callback/?error={error}{state}")

    assert response.status_code == 401
    assert "登录失败" in response.content.decode()
    assert status.problem() is None
    assert client.get("/healthz").status_code == 200
    assert kuaishou.requests() == []


@pytest.fixture
def checks(monkeypatch):
    """Catch the app checks a request queues; return them."""
    queued = []
    monkeypatch.setattr(app_tasks.check_app, "delay", queued.append)
    return queued


def come_back_with(client, error):
    state = parse_qs(urlsplit(start_login(client)).query)["state"][0]
    return client.get(f"/accounts/kuaishou/login/callback/?error={error}&state={state}")


def test_an_app_error_from_the_consent_page_is_logged_as_a_warning_and_only_queues_a_check(client, kuaishou, checks, caplog):
    caplog.set_level(logging.INFO)

    response = come_back_with(client, "unauthorized_client")

    assert "不是你的问题" in response.content.decode()
    assert checks == ["oauth"]
    assert status.problem() is None
    assert client.get("/healthz").status_code == 200
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert any(r.levelno == logging.WARNING and "unauthorized_client" in r.getMessage() for r in caplog.records)


def test_the_check_after_an_app_error_records_nothing_while_kuaishou_accepts_the_app(client, kuaishou, checks):
    come_back_with(client, "unauthorized_client")

    (family,) = checks
    app_tasks.check_app(family)

    assert [r["result"] for r in kuaishou.requests(endpoint="refresh_token")] == [100200105]
    assert status.problem() is None
    assert client.get("/healthz").status_code == 200


def test_the_check_after_an_app_error_records_it_when_kuaishou_confirms(client, kuaishou, checks):
    come_back_with(client, "unauthorized_client")
    kuaishou.app(secret=None)

    (family,) = checks
    app_tasks.check_app(family)

    assert status.problem().problem == "app_rejected"
    assert client.get("/healthz").status_code == 503
