import threading

import pytest
from django.db import connection
from django.utils import timezone

import kuaishou as client
from accounts import tasks, tokens
from accounts.models import KuaishouCredential
from kslive_site.celery import app as celery_app
from kuaishou_app.calls import app_credentials
from sandbox import demo

pytestmark = pytest.mark.django_db


def expire_soon(credential, seconds=60):
    KuaishouCredential.objects.filter(pk=credential.pk).update(
        access_token_expires_at=timezone.now() + timezone.timedelta(seconds=seconds)
    )


def refreshes(sandbox):
    return sandbox.requests(endpoint="refresh_token")


def test_a_fresh_token_is_used_without_calling_kuaishou(connect, kuaishou):
    credential = connect()

    token = tokens.access_token_fresh(credential.account.user)

    assert token == credential.access_token
    assert refreshes(kuaishou) == []


def test_a_token_expiring_soon_is_refreshed_before_use(connect, kuaishou):
    credential = connect()
    old_refresh_token = credential.refresh_token
    expire_soon(credential)

    token = tokens.access_token_fresh(credential.account.user)

    (refresh,) = refreshes(kuaishou)
    assert refresh["query"] == {
        "app_id": demo.APP_ID,
        "app_secret": demo.APP_SECRET,
        "refresh_token": old_refresh_token,
        "grant_type": "refresh_token",
    }
    credential.refresh_from_db()
    assert token == credential.access_token != "" and token != old_refresh_token
    assert credential.access_token_expires_at > timezone.now() + timezone.timedelta(days=1)


def test_the_rotated_refresh_token_is_stored(connect, kuaishou):
    credential = connect()
    old_refresh_token = credential.refresh_token
    expire_soon(credential)

    tokens.access_token_fresh(credential.account.user)

    credential.refresh_from_db()
    assert credential.refresh_token != old_refresh_token
    with pytest.raises(client.ApiError) as refused:
        client.refresh_access_token(app_credentials(), refresh_token=old_refresh_token)
    assert refused.value.result == 100200105
    assert client.refresh_access_token(app_credentials(), refresh_token=credential.refresh_token).access_token


def test_a_refresh_reply_without_open_id_or_scopes_keeps_what_the_login_said(connect, kuaishou):
    credential = connect()
    open_id, scopes, old_token = credential.open_id, list(credential.scopes), credential.access_token
    expire_soon(credential)

    token = tokens.access_token_fresh(credential.account.user)

    credential.refresh_from_db()
    assert token == credential.access_token != old_token
    assert len(kuaishou.requests(endpoint="refresh_token")) == 1
    assert (credential.open_id, credential.scopes) == (open_id, scopes)
    assert credential.can_go_live
    if kuaishou.reply_shape == "documented":
        assert credential.refresh_token_expires_at is None
    else:
        assert credential.refresh_token_expires_at > timezone.now() + timezone.timedelta(days=179)


@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_make_exactly_one_upstream_refresh(connect, kuaishou):
    credential = connect()
    expire_soon(credential)
    user = credential.account.user
    results, errors = [], []

    def worker():
        try:
            results.append(tokens.access_token_fresh(user))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(refreshes(kuaishou)) == 1
    credential.refresh_from_db()
    assert results == [credential.access_token] * 8


def test_a_refused_refresh_flags_reconnect_and_stops_calling_kuaishou(connect, kuaishou, client):
    credential = connect()
    kuaishou.http.post(kuaishou.url("/_sandbox/users/xiaoming/revoke"), json={}, timeout=10).raise_for_status()
    expire_soon(credential)
    user = credential.account.user

    with pytest.raises(tokens.ReconnectRequired):
        tokens.access_token_fresh(user)
    with pytest.raises(tokens.ReconnectRequired):
        tokens.access_token_fresh(user)

    assert len(refreshes(kuaishou)) == 1
    credential.refresh_from_db()
    assert credential.needs_reconnect
    assert "100200105" in credential.reconnect_reason or "refused" in credential.reconnect_reason
    client.force_login(user)
    page = client.get("/account/").content.decode()
    assert "快手已不再接受 kslive 对你账号的授权" in page
    assert "重新连接快手" in page


def test_an_expired_authorization_needs_reconnect_without_any_call(connect, kuaishou):
    credential = connect()
    KuaishouCredential.objects.filter(pk=credential.pk).update(
        access_token_expires_at=timezone.now(), refresh_token_expires_at=timezone.now()
    )

    with pytest.raises(tokens.ReconnectRequired):
        tokens.access_token_fresh(credential.account.user)

    assert refreshes(kuaishou) == []
    assert KuaishouCredential.objects.get().needs_reconnect


def test_a_passing_refresh_failure_keeps_a_still_valid_token(connect, kuaishou):
    credential = connect()
    expire_soon(credential, seconds=100)
    kuaishou.fault("refresh_token", result=400003)

    token = tokens.access_token_fresh(credential.account.user)

    assert token == credential.access_token
    assert not KuaishouCredential.objects.get().needs_reconnect


def test_a_passing_refresh_failure_of_an_expired_token_is_retryable(connect, kuaishou):
    credential = connect()
    expire_soon(credential, seconds=-1)
    kuaishou.fault("refresh_token", http_status=502)

    with pytest.raises(client.KuaishouError) as failure:
        tokens.access_token_fresh(credential.account.user)

    assert failure.value.retryable
    assert not KuaishouCredential.objects.get().needs_reconnect


def rejected_once(calls):
    def call(token):
        calls.append(token)
        if len(calls) == 1:
            raise client.ApiError(result=200102)
        return "done"

    return call


def test_a_rejected_token_is_refreshed_once_and_the_call_retried(connect, kuaishou):
    credential = connect()
    calls = []

    result = tokens.access_token_use(credential.account.user, rejected_once(calls))

    credential.refresh_from_db()
    assert result == "done"
    assert len(refreshes(kuaishou)) == 1
    assert calls == [calls[0], credential.access_token] and calls[0] != calls[1]


def test_a_token_rejected_after_its_refresh_needs_reconnect(connect, kuaishou):
    credential = connect()
    calls = []

    def always_rejected(token):
        calls.append(token)
        raise client.ApiError(result=200102)

    with pytest.raises(tokens.ReconnectRequired):
        tokens.access_token_use(credential.account.user, always_rejected)
    with pytest.raises(tokens.ReconnectRequired):
        tokens.access_token_use(credential.account.user, always_rejected)

    assert len(calls) == 2
    assert len(refreshes(kuaishou)) == 1
    assert KuaishouCredential.objects.get().needs_reconnect


def test_other_failures_pass_through_untouched(connect, kuaishou):
    credential = connect()

    def no_permission(token):
        raise client.ApiError(result=400006)

    with pytest.raises(client.ApiError) as failure:
        tokens.access_token_use(credential.account.user, no_permission)

    assert failure.value.result == 400006
    assert refreshes(kuaishou) == []


def test_a_person_without_kuaishou_tokens_is_not_connected(django_user_model):
    user = django_user_model.objects.create(username="stranger")

    with pytest.raises(tokens.NotConnected):
        tokens.access_token_fresh(user)


@pytest.fixture
def eager_celery():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def test_the_beat_task_renews_tokens_that_expire_within_hours_only(connect, kuaishou, eager_celery):
    idle = connect("idle", "xiaoming")
    fresh = connect("fresh", "aqiang")
    flagged = connect("flagged", "anon")
    expire_soon(idle, seconds=3600)
    expire_soon(flagged, seconds=3600)
    KuaishouCredential.objects.filter(pk=flagged.pk).update(needs_reconnect=True)
    fresh_token = fresh.access_token

    tasks.refresh_expiring_tokens()

    assert len(refreshes(kuaishou)) == 1
    idle.refresh_from_db()
    fresh.refresh_from_db()
    assert idle.access_token_expires_at > timezone.now() + timezone.timedelta(days=1)
    assert fresh.access_token == fresh_token


def test_the_beat_schedule_includes_the_token_renewal():
    schedule = celery_app.conf.beat_schedule

    assert schedule["refresh-expiring-kuaishou-tokens"]["task"] == "accounts.tasks.refresh_expiring_tokens"
