"""Status webhooks: signed POSTs of every status change to a device's own server, retried,
never to private addresses, logged on the Devices page and in the admin."""

import http.server
import json
import re
import socket
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone

from api import callbacks, selectors, services, tasks
from api.models import DeviceToken, DeviceWebhook, WebhookDelivery
from confidential.redaction import redact
from kslive_site.celery import app as celery_app
from streams import services as stream_services
from streams import tasks as stream_tasks
from streams.models import LiveSession
from tests.fixtures import make_credential

pytestmark = pytest.mark.django_db
README = Path(__file__).resolve().parents[2] / "README.md"
Delivery = WebhookDelivery.Status
Error = WebhookDelivery.Error
ENGLISH = {"Accept-Language": "en"}


def readme_verifier():
    """Return the `verify` function of README.md's "Status webhooks" section, run as written."""
    section = README.read_text().split("### Status webhooks", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(code, namespace)
    return namespace["verify"]


class Received:
    def __init__(self, path, headers, body):
        self.path, self.headers, self.body = path, headers, body


class Receiver:
    """A device's server on this machine: records each POST and answers as told."""

    def __init__(self):
        self.received: list[Received] = []
        # What to answer, in turn: an HTTP status, "redirect" or "hang"; then `default`.
        self.replies: list = []
        self.default = 200
        self.release = threading.Event()
        self.url = ""


@pytest.fixture
def receiver():
    receiver = Receiver()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.received.append(Received(self.path, self.headers, body))
            reply = receiver.replies.pop(0) if receiver.replies else receiver.default
            if reply == "hang":
                receiver.release.wait(10)
                return
            if reply == "redirect":
                self.send_response(302)
                self.send_header("Location", "/elsewhere")
            else:
                self.send_response(reply)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    receiver.url = f"http://127.0.0.1:{server.server_port}/kslive-events"
    yield receiver
    receiver.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def allow_private(settings):
    """A receiver on this machine, over plain http, as in development."""
    settings.KSLIVE_WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def device(owner) -> DeviceToken:
    return services.device_token_create(owner=owner, name="roof cam")[0]


@pytest.fixture
def hook(device, receiver, allow_private):
    """The device's webhook pointing at the receiver; (webhook, secret)."""
    return services.webhook_register(token=device, url=receiver.url)


@pytest.fixture
def queued(monkeypatch):
    """Record the deliveries queued for the worker instead of queuing them; the list of their ids."""
    ids = []
    monkeypatch.setattr(tasks.deliver_webhook, "delay", ids.append)
    return ids


@pytest.fixture
def signed_in(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def public_dns(monkeypatch):
    """Let tests say what host names resolve to; every other name resolves as usual."""
    answers: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            return [(socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port or 443))
                    for ip in answers[host]]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def event(owner, session_id=7, previous="ready", status="living", at=None) -> list[WebhookDelivery]:
    """Record the deliveries of one status change of the owner's session, as its signal would."""
    ids = services.webhook_deliveries_create(session_id=session_id, owner_id=owner.pk, previous=previous,
                                             status=status, at=at or timezone.now())
    return list(WebhookDelivery.objects.filter(pk__in=ids))


def attempt(delivery) -> WebhookDelivery:
    tasks.deliver_webhook(delivery.pk)
    delivery.refresh_from_db()
    return delivery


def ready_session(owner) -> LiveSession:
    """A session with an unused push URL, recorded without any call to Kuaishou."""
    now = timezone.now()
    return LiveSession.objects.create(
        owner=owner, cover=b"jpeg", idempotency_key=f"k-{now.timestamp()}", status=LiveSession.Status.READY,
        live_stream_name="stream-1", push_url="rtmp://push.example/live/stream-1?sign=s3cret", issued_at=now,
        expires_at=now + timedelta(days=2),
    )


def expire(session, capture):
    """Change the session's status (ready → expired) the way the status polls do, committed."""
    LiveSession.objects.filter(pk=session.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    session.refresh_from_db()
    with capture(execute=True):
        assert stream_services.live_session_expire(session=session)


# Which status changes reach which webhooks


def test_a_status_change_queues_one_delivery_per_webhook_of_the_owner_and_none_for_anyone_else(
    owner, device, receiver, allow_private, queued, django_capture_on_commit_callbacks
):
    services.webhook_register(token=device, url=receiver.url)
    second = services.device_token_create(owner=owner, name="drone")[0]
    services.webhook_register(token=second, url=receiver.url + "?drone")
    revoked = services.device_token_create(owner=owner, name="old camera")[0]
    services.webhook_register(token=revoked, url=receiver.url + "?old")
    services.device_token_revoke(token=revoked)
    stranger = make_credential("stranger").account.user
    theirs = services.device_token_create(owner=stranger, name="their camera")[0]
    services.webhook_register(token=theirs, url=receiver.url + "?theirs")
    session = ready_session(owner)

    expire(session, django_capture_on_commit_callbacks)

    deliveries = WebhookDelivery.objects.order_by("pk")
    assert [d.webhook.token for d in deliveries] == [device, second]
    assert queued == [d.pk for d in deliveries]
    assert {json.dumps(d.payload, sort_keys=True) for d in deliveries} == {json.dumps(
        {"id": session.pk, "status": "expired", "previous": "ready", "at": deliveries[0].payload["at"]},
        sort_keys=True,
    )}
    assert receiver.received == []  # queued, not sent by the change itself


def test_a_status_change_that_rolls_back_sends_nothing(owner, hook, queued, django_capture_on_commit_callbacks):
    session = ready_session(owner)
    LiveSession.objects.filter(pk=session.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    session.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            stream_services.live_session_expire(session=session)
            raise RuntimeError("the request failed after the change")

    assert LiveSession.objects.get(pk=session.pk).status == LiveSession.Status.READY
    assert WebhookDelivery.objects.count() == 0
    assert queued == []


def test_a_poll_with_a_dead_receiver_changes_the_status_without_waiting_for_it(
    api, ready, receiver, allow_private, kuaishou, queued, django_capture_on_commit_callbacks
):
    receiver.default = "hang"  # accepts, never answers
    services.webhook_register(token=DeviceToken.objects.get(owner=ready.owner), url=receiver.url)
    kuaishou.publish(ready.live_stream_name)

    with django_capture_on_commit_callbacks(execute=True):
        stream_tasks.poll_live_session(ready.pk)

    ready.refresh_from_db()
    delivery = WebhookDelivery.objects.get()
    assert ready.status == LiveSession.Status.LIVING
    assert queued == [delivery.pk]
    assert (delivery.status, delivery.attempts, delivery.payload["previous"]) == (Delivery.PENDING, 0, "ready")
    assert receiver.received == []


def test_a_polled_change_arrives_signed_and_the_readme_verifier_accepts_it(
    api, ready, receiver, allow_private, kuaishou, queued, django_capture_on_commit_callbacks
):
    _webhook, secret = services.webhook_register(token=DeviceToken.objects.get(owner=ready.owner), url=receiver.url)
    kuaishou.publish(ready.live_stream_name)
    with django_capture_on_commit_callbacks(execute=True):
        stream_tasks.poll_live_session(ready.pk)

    delivery = attempt(WebhookDelivery.objects.get(pk=queued[0]))

    [post] = receiver.received
    body = json.loads(post.body)
    assert delivery.status == Delivery.DELIVERED
    assert readme_verifier()(secret, post.headers, post.body) is True
    assert post.headers["Content-Type"] == "application/json"
    assert abs(int(post.headers["Kslive-Timestamp"]) - time.time()) < 60
    assert list(body) == ["id", "status", "previous", "at"]
    assert (body["id"], body["status"], body["previous"]) == (ready.pk, "living", "ready")
    ready.refresh_from_db()
    assert timedelta(0) <= ready.updated_at - datetime.fromisoformat(body["at"]) < timedelta(milliseconds=1)
    assert body["at"].endswith("Z")
    assert ready.live_stream_name not in post.body.decode() and "rtmp" not in post.body.decode()


# Signatures


def test_a_tampered_body_another_secret_or_an_old_timestamp_fail_the_readme_verifier(owner, hook, receiver):
    webhook, secret = hook
    attempt(event(owner)[0])
    [post] = receiver.received
    verify = readme_verifier()
    stale = int(time.time()) - 301
    replayed = {"Kslive-Timestamp": str(stale), "Kslive-Signature": callbacks.sign(secret, stale, post.body)}

    assert verify(secret, post.headers, post.body) is True
    assert verify(secret, post.headers, post.body.replace(b'"living"', b'"ended"')) is False
    assert verify("whsec_someone-elses", post.headers, post.body) is False
    assert verify(secret, replayed, post.body) is False
    assert post.headers["Kslive-Signature"].startswith("v1=")


def test_rotating_the_secret_shows_the_new_one_once_and_the_old_one_stops_verifying(owner, hook, receiver, signed_in):
    webhook, old = hook

    page = signed_in.post(f"/devices/{webhook.token_id}/webhook/rotate/").content.decode()
    new = page.split('id="webhook-secret" type="text" readonly value="')[1].split('"')[0]
    attempt(event(owner)[0])

    [post] = receiver.received
    webhook.refresh_from_db()
    assert new.startswith("whsec_") and new != old
    assert (webhook.secret, webhook.rotated_at is not None) == (new, True)
    assert readme_verifier()(new, post.headers, post.body) is True
    assert readme_verifier()(old, post.headers, post.body) is False
    assert new not in signed_in.get("/devices/").content.decode()


# The Devices page


def test_saving_a_callback_url_shows_its_secret_once_and_keeps_it_encrypted(device, receiver, allow_private, signed_in):
    response = signed_in.post(f"/devices/{device.pk}/webhook/", {"url": receiver.url})

    page = response.content.decode()
    secret = page.split('id="webhook-secret" type="text" readonly value="')[1].split('"')[0]
    webhook = DeviceWebhook.objects.get()
    assert (webhook.token, webhook.url, webhook.secret) == (device, receiver.url, secret)
    assert secret.startswith("whsec_") and len(secret) == 6 + 43
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM api_devicewebhook")
        [(stored,)] = cursor.fetchall()
    assert secret not in stored and stored
    assert "no-store" in response["Cache-Control"]
    assert secret not in signed_in.get("/devices/").content.decode()


def test_replacing_the_url_keeps_the_secret_and_shows_it_no_more(device, hook, receiver, signed_in):
    webhook, secret = hook

    response = signed_in.post(f"/devices/{device.pk}/webhook/", {"url": receiver.url + "?v=2"}, follow=True,
                              headers=ENGLISH)

    webhook.refresh_from_db()
    assert (webhook.url, webhook.secret) == (receiver.url + "?v=2", secret)
    assert "The webhook of “roof cam” is saved." in response.content.decode()
    assert 'id="webhook-secret"' not in response.content.decode()


def test_removing_the_webhook_removes_its_log_and_stops_the_deliveries(owner, device, hook, signed_in, queued):
    event(owner)

    signed_in.post(f"/devices/{device.pk}/webhook/remove/")

    assert DeviceWebhook.objects.count() == WebhookDelivery.objects.count() == 0
    assert event(owner, status="ended") == []


def test_nobody_can_touch_someone_elses_webhook(signed_in, receiver, allow_private):
    theirs = services.device_token_create(owner=make_credential("stranger").account.user, name="x")[0]
    webhook, secret = services.webhook_register(token=theirs, url=receiver.url)

    answers = [signed_in.post(f"/devices/{theirs.pk}/webhook/{action}", {"url": receiver.url + "?mine"}).status_code
               for action in ("", "rotate/", "remove/")]

    webhook.refresh_from_db()
    assert answers == [404, 404, 404]
    assert (webhook.url, webhook.secret) == (receiver.url, secret)


def test_the_devices_page_shows_the_latest_deliveries(owner, hook, receiver, signed_in):
    receiver.replies = [204, 500]
    attempt(event(owner, session_id=41, previous="ready", status="living")[0])
    attempt(event(owner, session_id=42, previous="living", status="ended")[0])

    page = signed_in.get("/devices/", headers=ENGLISH).content.decode()

    log = page.split("Latest deliveries")[1]
    assert log.index("#42") < log.index("#41")  # the latest first
    assert "Ready: waiting for your stream → Live" in log
    assert 'href="/live/41/"' in log
    assert '<span class="badge ok">delivered</span>' in log
    assert "trying (1 of 6)" in log and "answered with an error status" in log
    assert "<td>500</td>" in log and "<td>204</td>" in log


def test_the_page_shows_at_most_twenty_deliveries_per_webhook(owner, hook):
    for session_id in range(1, 26):
        event(owner, session_id=session_id)
    tokens = list(selectors.device_tokens_of(owner))

    assert [d.session_id for d in tokens[0].webhook.recent_deliveries] == list(range(25, 5, -1))


# Delivery: success, retries, redirects


def test_a_2xx_answer_marks_the_delivery_delivered(owner, hook, receiver):
    receiver.default = 202

    delivery = attempt(event(owner)[0])

    assert (delivery.status, delivery.attempts, delivery.last_http_status) == (Delivery.DELIVERED, 1, 202)
    assert (delivery.last_error, delivery.next_attempt_at) == ("", None)
    assert receiver.received[0].path == "/kslive-events"


def test_a_failing_receiver_is_tried_six_times_with_backoff_then_the_delivery_fails(owner, hook, receiver):
    receiver.default = 500
    delivery = event(owner)[0]
    waits = []

    for _attempt in range(6):
        assert delivery.pk in services.webhook_deliveries_claim(now=delivery.next_attempt_at)
        attempt(delivery)
        if delivery.next_attempt_at:
            waits.append((delivery.next_attempt_at - delivery.last_attempt_at).total_seconds())
            assert services.webhook_deliveries_claim(now=delivery.next_attempt_at - timedelta(seconds=1)) == []

    assert waits == [10, 30, 90, 300, 900]
    assert (delivery.status, delivery.attempts, delivery.last_http_status) == (Delivery.FAILED, 6, 500)
    assert delivery.last_error == Error.HTTP_STATUS
    assert len(receiver.received) == 6
    assert services.webhook_deliveries_claim(now=timezone.now() + timedelta(days=1)) == []


def test_a_receiver_that_does_not_answer_in_time_is_tried_again(owner, hook, receiver, monkeypatch):
    monkeypatch.setattr(callbacks, "READ_TIMEOUT", 0.2)
    receiver.replies = ["hang"]

    delivery = attempt(event(owner)[0])

    assert (delivery.status, delivery.attempts, delivery.last_error) == (Delivery.PENDING, 1, Error.TIMEOUT)
    assert delivery.next_attempt_at == delivery.last_attempt_at + timedelta(seconds=10)
    assert attempt(delivery).status == Delivery.DELIVERED


def test_a_receiver_that_is_down_is_tried_again(owner, device, allow_private):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    services.webhook_register(token=device, url=f"http://127.0.0.1:{port}/")

    delivery = attempt(event(owner)[0])

    assert (delivery.status, delivery.last_error, delivery.last_http_status) == (
        Delivery.PENDING, Error.CONNECTION, None
    )


def test_redirects_are_not_followed(owner, hook, receiver):
    receiver.replies = ["redirect"]

    delivery = attempt(event(owner)[0])

    assert [post.path for post in receiver.received] == ["/kslive-events"]
    assert (delivery.status, delivery.last_http_status, delivery.last_error) == (Delivery.PENDING, 302, Error.REDIRECT)


def test_an_attempt_whose_worker_died_is_claimed_again_after_its_lease(owner, hook, receiver):
    delivery = event(owner)[0]

    assert services.webhook_deliveries_claim() == []  # held for the attempt queued with it
    later = timezone.now() + services.WEBHOOK_ATTEMPT_LEASE
    assert services.webhook_deliveries_claim(now=later) == [delivery.pk]
    assert services.webhook_deliveries_claim(now=later) == []


def test_the_sweep_queues_the_due_deliveries(owner, hook, queued):
    delivery = event(owner)[0]
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())

    tasks.dispatch_webhook_retries()

    assert queued == [delivery.pk]
    entry = celery_app.conf.beat_schedule["dispatch-webhook-retries"]
    assert (entry["task"], entry["schedule"]) == ("api.tasks.dispatch_webhook_retries", 5)


def test_the_delivery_task_has_time_limits():
    assert (tasks.deliver_webhook.soft_time_limit, tasks.deliver_webhook.time_limit) == (25, 30)


def test_a_revoked_token_sends_nothing_more(owner, device, hook, receiver):
    delivery = event(owner)[0]
    services.device_token_revoke(token=device)

    delivery = attempt(delivery)

    assert (delivery.status, delivery.last_error) == (Delivery.FAILED, Error.STOPPED)
    assert receiver.received == []


def test_the_log_keeps_the_latest_deliveries_of_each_webhook(owner, hook, receiver, monkeypatch):
    monkeypatch.setattr(services, "WEBHOOK_LOG_LENGTH", 3)
    event(owner, session_id=0)  # still being tried
    deliveries = [event(owner, session_id=n)[0] for n in range(1, 6)]
    WebhookDelivery.objects.filter(session_id__in=[1, 2, 3, 4]).update(status=Delivery.FAILED)

    attempt(deliveries[-1])

    # The newest three, and one still being tried, however old.
    assert list(WebhookDelivery.objects.order_by("session_id").values_list("session_id", flat=True)) == [0, 3, 4, 5]


def test_a_webhook_failing_for_a_day_is_disabled_until_its_url_is_saved_again(owner, device, hook, receiver,
                                                                               signed_in):
    webhook, _secret = hook
    receiver.default = 500
    delivery = event(owner)[0]
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=5)
    DeviceWebhook.objects.filter(pk=webhook.pk).update(failing_since=timezone.now() - timedelta(hours=25))

    attempt(delivery)

    webhook.refresh_from_db()
    assert delivery.status == Delivery.FAILED
    assert webhook.is_disabled
    assert event(owner, status="ended") == []
    assert "its deliveries failed for a day" in signed_in.get("/devices/", headers=ENGLISH).content.decode()
    signed_in.post(f"/devices/{device.pk}/webhook/", {"url": receiver.url})
    webhook.refresh_from_db()
    assert (webhook.disabled_at, webhook.failing_since) == (None, None)
    assert len(event(owner, status="ended")) == 1


def test_one_success_resets_the_days_count(owner, hook, receiver):
    webhook, _secret = hook
    receiver.replies = [500]
    delivery = attempt(event(owner)[0])
    webhook.refresh_from_db()
    failing_since = webhook.failing_since

    attempt(delivery)

    webhook.refresh_from_db()
    assert failing_since is not None
    assert webhook.failing_since is None


# No calls to private addresses (SSRF)

REFUSED_URLS = {
    "https://127.0.0.1/": "127.0.0.1 is at 127.0.0.1, a private, local or reserved address",
    "https://10.0.0.1/hook": "10.0.0.1 is at 10.0.0.1, a private, local or reserved address",
    "https://[::1]:8443/": "::1 is at ::1, a private, local or reserved address",
    "https://169.254.169.254/latest/meta-data/": "169.254.169.254 is at 169.254.169.254, a private",
    "https://[::ffff:192.168.1.1]/": "a private, local or reserved address",
    "https://0.0.0.0/": "a private, local or reserved address",
    "https://224.0.0.1/": "a private, local or reserved address",
    "http://hooks.example.com/": "The callback must be an https:// URL.",
    "https://user:password@hooks.example.com/": "The URL must not contain a user name or password.",
}


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_in_production_private_local_and_plain_http_callbacks_are_refused_with_the_reason(device, signed_in, url,
                                                                                          public_dns):
    public_dns["hooks.example.com"] = ["93.184.216.34"]

    response = signed_in.post(f"/devices/{device.pk}/webhook/", {"url": url}, headers=ENGLISH)

    assert response.status_code == 200
    assert REFUSED_URLS[url] in response.content.decode()
    assert DeviceWebhook.objects.count() == 0


@pytest.mark.parametrize("addresses", [["10.20.30.40"], ["93.184.216.34", "192.168.1.5"], ["2002:a00:1::1"]])
def test_a_host_name_with_any_private_address_is_refused(device, signed_in, public_dns, addresses):
    public_dns["hooks.example.com"] = addresses

    page = signed_in.post(f"/devices/{device.pk}/webhook/", {"url": "https://hooks.example.com/k"},
                          headers=ENGLISH).content.decode()

    assert "hooks.example.com is at" in page and "kslive calls only servers on the public internet." in page
    assert DeviceWebhook.objects.count() == 0


def test_a_public_https_callback_is_accepted(device, signed_in, public_dns):
    public_dns["hooks.example.com"] = ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]

    signed_in.post(f"/devices/{device.pk}/webhook/", {"url": "https://hooks.example.com/kslive"})

    assert DeviceWebhook.objects.get().url == "https://hooks.example.com/kslive"


def test_a_host_that_does_not_resolve_is_refused(device, signed_in, monkeypatch):
    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)

    page = signed_in.post(f"/devices/{device.pk}/webhook/", {"url": "https://nowhere.example/"},
                          headers=ENGLISH).content.decode()

    assert "kslive cannot find the host nowhere.example." in page


def test_the_setting_allows_a_receiver_on_this_machine(device, signed_in, receiver, allow_private):
    signed_in.post(f"/devices/{device.pk}/webhook/", {"url": receiver.url})

    assert DeviceWebhook.objects.get().url == receiver.url


def test_delivery_checks_the_address_again_and_refuses_when_dns_changed(owner, device, signed_in, receiver,
                                                                        public_dns):
    public_dns["hooks.example.com"] = ["93.184.216.34"]
    port = receiver.url.split(":")[2].split("/")[0]
    signed_in.post(f"/devices/{device.pk}/webhook/", {"url": f"https://hooks.example.com:{port}/kslive-events"})
    assert DeviceWebhook.objects.count() == 1
    public_dns["hooks.example.com"] = ["93.184.216.34", "127.0.0.1"]  # where the receiver listens

    delivery = attempt(event(owner)[0])

    assert (delivery.status, delivery.last_error, delivery.attempts) == (Delivery.PENDING, Error.REFUSED, 1)
    assert receiver.received == []


def test_delivery_refuses_plain_http_once_private_callbacks_are_no_longer_allowed(owner, hook, receiver, settings):
    settings.KSLIVE_WEBHOOK_ALLOW_PRIVATE = False

    delivery = attempt(event(owner)[0])

    assert delivery.last_error == Error.REFUSED
    assert receiver.received == []


@pytest.mark.parametrize("address, public", [
    ("93.184.216.34", True), ("2606:4700::1111", True), ("100.64.0.1", False), ("fe80::1%eth0", False),
    ("::", False), ("64:ff9b::a00:1", False), ("198.18.0.1", False), ("239.1.1.1", False),
])
def test_only_public_addresses_count_as_public(address, public):
    assert callbacks.is_public(address) is public


# The admin, and secrets


def test_the_admin_lists_deliveries_by_token_and_result_without_secrets(owner, hook, receiver, admin_client):
    webhook, secret = hook
    receiver.replies = [200, 500]
    delivered, pending = attempt(event(owner, session_id=41)[0]), attempt(event(owner, session_id=42)[0])

    everything = admin_client.get("/admin/api/webhookdelivery/").content.decode()
    failing = admin_client.get("/admin/api/webhookdelivery/", {"status__exact": "pending"}).content.decode()
    by_token = admin_client.get("/admin/api/webhookdelivery/", {"webhook__token__id__exact": webhook.token_id})
    detail = admin_client.get(f"/admin/api/webhookdelivery/{pending.pk}/change/").content.decode()
    webhook_page = admin_client.get(f"/admin/api/devicewebhook/{webhook.pk}/change/").content.decode()

    assert f"/admin/api/webhookdelivery/{delivered.pk}/change/" in everything
    assert f"/admin/api/webhookdelivery/{pending.pk}/change/" in failing
    assert f"/admin/api/webhookdelivery/{delivered.pk}/change/" not in failing
    assert by_token.status_code == 200 and f"/{delivered.pk}/change/" in by_token.content.decode()
    assert "ready → living" in everything
    for page in (everything, detail, webhook_page):
        assert secret not in page
        assert webhook.secret not in page
    assert receiver.url in webhook_page


def test_webhook_secrets_are_redacted_from_logs():
    secret = services._new_webhook_secret()

    assert redact(f"payload with {secret} in it") == "payload with whsec_*** in it"
