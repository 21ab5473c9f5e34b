"""No secret reaches a log line, at any level, from our code or any library's."""

import copy
import io
import logging
import logging.config

import pytest
from django.conf import settings

import kuaishou as client
from accounts import services as account_services
from accounts import tokens
from accounts.models import KuaishouCredential
from api import services as api_services
from confidential.redaction import RedactSecrets, redact
from kslive_site.celery import redact_secrets
from streams import services, tasks
from streams.models import LiveSession
from tests.helpers import form_data
from streams.tests.images import jpeg
from tests.kuaishou_login import log_in


@pytest.mark.parametrize("line, secret", [
    ('https://open.kuaishou.com:443 "GET /oauth2/access_token?app_id=a&app_secret=S3CR3T&code=C0D3&'
     'grant_type=authorization_code HTTP/1.1" 200 None', "S3CR3T"),
    ('"GET /accounts/kuaishou/login/callback/?code=C0D3&state=x HTTP/1.1" 302 0', "C0D3"),
    ("pushing to rtmp://h/gifshow/name?sign=S1GN0123", "S1GN0123"),
    ('{"access_token": "T0K3N-abc", "expires_in": 172800}', "T0K3N-abc"),
    ("Authorization: Bearer ksd_abcdefghijklmnop", "abcdefghijklmnop"),
    ("device ksd_abcdefghijklmnop failed", "abcdefghijklmnop"),
    ("refresh_token=R3FR3SH&grant_type=refresh_token", "R3FR3SH"),
])
def test_redaction_takes_out_what_libraries_write(line, secret):
    assert secret not in redact(line)
    assert "***" in redact(line)


def test_the_app_secret_and_the_encryption_keys_are_taken_out_wherever_they_appear(settings):
    settings.KUAISHOU_APP_SECRET = "the-app-secret-value"

    assert "the-app-secret-value" not in redact("oops: the-app-secret-value in a traceback")
    assert settings.TOKEN_ENCRYPTION_KEYS[0] not in redact(f"key {settings.TOKEN_ENCRYPTION_KEYS[0]}")


def test_a_traceback_is_redacted_too():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, None)
    try:
        raise ValueError("GET /openapi/user_info?access_token=T0K3N-xyz")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()

    RedactSecrets().filter(record)

    assert "T0K3N-xyz" not in record.exc_text


def test_celerys_own_log_handlers_get_the_filter():
    logger = logging.getLogger("celery-like")
    handler = logging.StreamHandler()
    logger.addHandler(handler)
    try:
        redact_secrets(logger=logger)
        redact_secrets(logger=logger)
        assert sum(isinstance(f, RedactSecrets) for f in handler.filters) == 1
    finally:
        logger.removeHandler(handler)


@pytest.fixture
def debug_logs():
    """Log everything at DEBUG through kslive's own logging configuration; return what it wrote."""
    written = io.StringIO()
    config = copy.deepcopy(settings.LOGGING)
    config["root"]["level"] = "DEBUG"
    config["loggers"] = {}
    config["handlers"]["console"]["stream"] = written
    logging.config.dictConfig(config)
    yield written.getvalue
    logging.config.dictConfig(settings.LOGGING)


@pytest.mark.django_db
def test_a_whole_journey_at_debug_level_logs_no_secret(client, kuaishou, debug_logs):
    # Log in through the consent page, go live on the page and through the API, poll, refresh, stop.
    log_in(client)
    credential = KuaishouCredential.objects.get()
    user = credential.account.user
    secrets = {credential.access_token, credential.refresh_token, settings.KUAISHOU_APP_SECRET}
    secrets |= {r["query"]["code"] for r in kuaishou.requests(endpoint="access_token")}
    client.post("/live/new/", form_data())
    device_token = api_services.device_token_create(owner=user, name="cam")[1]
    client.post("/api/v1/live-sessions", {"cover": jpeg(), "caption": "x"}, headers={"Authorization": f"Bearer {device_token}"})
    for session in LiveSession.objects.all():
        kuaishou.publish(session.live_stream_name)
        tasks.poll_live_session(session.pk)
        secrets |= {session.push_url, session.push_url.rpartition("sign=")[2]}
    KuaishouCredential.objects.update(access_token_expires_at=credential.access_token_expires_at.replace(year=2000))
    tokens.access_token_fresh(user)
    credential.refresh_from_db()
    secrets |= {credential.access_token, credential.refresh_token, device_token}
    for session in LiveSession.objects.all():
        services.live_session_stop(session=session)

    written = debug_logs()
    assert "DEBUG" in written and "urllib3" in written  # libraries did log at DEBUG
    assert [secret for secret in secrets if secret and secret in written] == []


@pytest.mark.django_db
def test_an_error_report_shows_no_token_from_the_functions_that_hold_them(connect, kuaishou):
    import sys

    from django.views.debug import ExceptionReporter

    credential = connect()

    def broken(token):
        raise RuntimeError("something went wrong")

    try:
        tokens.access_token_use(credential.account.user, broken)
    except RuntimeError:
        frames = ExceptionReporter(None, *sys.exc_info()).get_traceback_frames()

    (frame,) = [frame for frame in frames if frame["function"] == "access_token_use"]
    shown = dict(frame["vars"])
    assert "token" in shown
    assert credential.access_token not in str(shown)


def error_report_of(call):
    """Run `call`, which must fail; return the frames of the error report Django would send."""
    import sys

    from django.views.debug import ExceptionReporter

    try:
        call()
    except Exception:
        return ExceptionReporter(None, *sys.exc_info()).get_traceback_frames()
    pytest.fail("the call did not fail")


def shown_in(frames, function) -> str:
    """Return what the report shows of the variables of every frame of `function`."""
    shown = [str(dict(frame["vars"])) for frame in frames if frame["function"] == function]
    assert shown, f"no frame of {function}"
    return "\n".join(shown)


def fresh_grant(**changes):
    fields = {"access_token": "access-from-the-reply", "expires_in": 3600, "refresh_token": "refresh-from-the-reply",
              "refresh_token_expires_in": 15552000}
    return client.TokenGrant(**{**fields, **changes})


class Broken:
    def info(self, *args, **kwargs):
        raise RuntimeError("something went wrong")


@pytest.mark.django_db
@pytest.mark.parametrize("function", ["credential_store_login", "credential_store_refresh",
                                      "credential_store_late_refresh"])
def test_an_error_report_shows_no_token_from_the_services_that_store_them(monkeypatch, function):
    from tests.helpers import make_credential

    credential = make_credential("owner")
    held = {credential.access_token, credential.refresh_token, "access-from-the-reply", "refresh-from-the-reply"}
    calls = {
        "credential_store_login": lambda: account_services.credential_store_login(
            account=credential.account, grant=fresh_grant()),
        "credential_store_refresh": lambda: account_services.credential_store_refresh(
            credential=credential, grant=fresh_grant()),
        "credential_store_late_refresh": lambda: account_services.credential_store_late_refresh(
            credential_id=credential.pk, refresh_token=credential.refresh_token, grant=fresh_grant()),
    }
    # Fails once the tokens are in the function's locals: on its closing log line.
    monkeypatch.setattr(account_services, "logger", Broken())

    shown = shown_in(error_report_of(calls[function]), function)

    assert "grant" in shown
    assert [token for token in held if token in shown] == []


def test_an_error_report_shows_no_token_from_the_fields_made_of_a_grant():
    grant = fresh_grant(refresh_token_expires_in="not a number")  # fails once the tokens are in `fields`

    shown = shown_in(error_report_of(lambda: account_services._token_fields(grant)), "_token_fields")

    assert "fields" in shown
    assert "access-from-the-reply" not in shown and "refresh-from-the-reply" not in shown


@pytest.mark.django_db
def test_an_error_report_of_a_failed_login_shows_no_token(client, kuaishou, monkeypatch):
    from accounts.kuaishou.provider import KuaishouProvider

    def broken(*args, **kwargs):
        raise RuntimeError("something went wrong")

    monkeypatch.setattr(KuaishouProvider, "sociallogin_from_response", broken)

    frames = error_report_of(lambda: log_in(client))

    (user_info,) = kuaishou.requests(endpoint="user_info")
    access_token = user_info["query"]["access_token"]
    # complete_login's own frame, and allauth's callback view (its `access_token` reply) below ours.
    assert access_token not in shown_in(frames, "complete_login")
    assert access_token not in shown_in(frames, "dispatch")
