"""Every page a person can reach fits a 375 px phone and passes axe-core, in Chinese and in English."""

import io
import itertools
import json
import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from api import services as device_tokens
from api.models import WebhookDelivery
from devtools.journeys import reveal_push_url
from relay import check
from relay.models import Relay
from relay.selectors import relay_of
from streams.models import LiveSession, LiveSessionEvent
from tests.e2e.axe import axe_violations, wider_than_the_viewport
from tests.e2e.conftest import TIMEOUT_MS
from tests.fixtures import make_credential

pytestmark = pytest.mark.needs("chromium")

LANGUAGES = {
    "zh": {"locale": "zh-CN", "extra_http_headers": {"Accept-Language": "zh-CN,zh;q=0.9"}},
    "en": {"locale": "en-US", "extra_http_headers": {"Accept-Language": "en-US,en;q=0.9"}},
}
SCREENS = {375: {"width": 375, "height": 812}, 1280: {"width": 1280, "height": 800}}
PHONE = 375
# A push URL as long as Kuaishou's real ones: the longest unbroken text any page shows.
PUSH_URL = ("rtmp://open-push.voip.yximgs.com/gifshow/kwai_live_openapi_3xk9q2m7v4w8z1?"
            "sign=9f2c4e7a1b3d5f6e8a0c2e4f6a8b0d2e-1767225600&biz=kslive&ks_mode=openapi")


class Visitor:
    """One person's browser at one width and in one language, on the live site."""

    def __init__(self, page, site):
        self.page, self.site = page, site

    def open(self, path: str) -> None:
        self.page.goto(self.site.url(path))

    def log_in(self, username: str = "xiaoming", **credential):
        """Connect a person with a Kuaishou credential and log this browser in as them; return them."""
        person = make_credential(username, **credential).account.user
        self.log_in_as(person)
        return person

    def log_in_as(self, person) -> None:
        client = Client()
        client.force_login(person)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": self.site.url()}])


def cover_bytes() -> bytes:
    image = Image.new("RGB", (90, 160), (250, 140, 40))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return buffer.getvalue()


def a_session(owner, status: str, **fields) -> LiveSession:
    """Create a live session in the given state, with the history that led there."""
    now = timezone.now()
    values = {
        "caption": "湖边日出", "cover": cover_bytes(), "idempotency_key": uuid.uuid4().hex,
        "device_name": "DJI Mini 4 Pro", "live_stream_name": "kwai_live_openapi_3xk9q2m7v4w8z1",
        "push_url": PUSH_URL, "status": status,
        "issued_at": now - timedelta(minutes=5), "expires_at": now + timedelta(days=1, hours=23),
    }
    if status in ("living", "ended", "lost"):
        values.update(went_live_at=now - timedelta(minutes=4))
    if status == "ended":
        values.update(ended_at=now - timedelta(minutes=1), ended_by=LiveSession.EndedBy.PERSON, push_url="")
    session = LiveSession.objects.create(owner=owner, **{**values, **fields})
    path = {"rehearsing": ["rehearsing"], "requesting": ["requesting"], "ready": ["requesting", "ready"], "living": ["requesting", "ready", "living"],
            "ended": ["requesting", "ready", "living", "ended"], "failed": ["requesting", "failed"],
            "lost": ["requesting", "ready", "living", "lost"]}[status]
    for before, after in itertools.pairwise(["", *path]):
        LiveSessionEvent.objects.create(session=session, from_status=before, to_status=after,
                                        source=LiveSessionEvent.Source.WEB,
                                        note="Kuaishou result 400020" if after == "failed" else "")
    return session


def a_failed_session_with_a_face_check(owner) -> LiveSession:
    return a_session(
        owner, "failed", push_url="", live_stream_name="", expires_at=None, issued_at=None,
        problem=LiveSession.Problem.REFUSED, last_error_code=400020, last_error_message="需要完成人脸验证",
        face_verify_url="https://open.kuaishou.com/face-verify/?ticket=7d1f0c4b9a2e4f3e8b6a5c4d3e2f1a0b",
    )


# Every page a person can reach, and how they reach it.
PAGES = {}


def page_reached(name):
    def register(visit):
        PAGES[name] = visit
        return visit

    return register


@page_reached("home")
def home(visitor):
    visitor.open("/")


@page_reached("home-logged-in")
def home_logged_in(visitor):
    visitor.log_in()
    visitor.open("/")


@page_reached("login-cancelled")
def login_cancelled(visitor):
    visitor.open("/accounts/kuaishou/login/callback/?error=access_denied")
    expect(visitor.page.locator("h1")).to_have_text(re.compile("登录已取消|Login cancelled"))


@page_reached("login-error")
def login_error(visitor):
    visitor.open("/accounts/kuaishou/login/callback/?error=server_error")
    expect(visitor.page.locator("h1")).to_have_text(re.compile("失败|failed"))


@page_reached("log-in")
def log_in_page(visitor):
    visitor.open("/accounts/login/?next=/live/new/")


@page_reached("go-live-form")
def go_live_form(visitor):
    visitor.log_in()
    visitor.open("/live/new/")


@page_reached("go-live-form-with-an-error")
def go_live_form_with_an_error(visitor):
    visitor.log_in()
    visitor.open("/live/new/")
    visitor.page.locator("[data-submit]").click()
    expect(visitor.page.locator(".field.invalid .error")).to_be_visible()


@page_reached("go-live-again-form")
def go_live_again_form(visitor):
    person = visitor.log_in()
    visitor.open(f"/live/new/?from={a_session(person, 'ended').pk}")


@page_reached("session-waiting-for-kuaishou")
def session_requesting(visitor):
    person = visitor.log_in()
    visitor.open(a_session(person, "requesting", push_url="", issued_at=None, expires_at=None).get_absolute_url())
    expect(visitor.page.locator("[data-while-requesting]")).to_be_visible()


@page_reached("session-masked")
def session_masked(visitor):
    visitor.open(a_session(visitor.log_in(), "ready").get_absolute_url())


@page_reached("session-revealed")
def session_revealed(visitor):
    visitor.open(a_session(visitor.log_in(), "ready").get_absolute_url())
    reveal_push_url(visitor.page)


@page_reached("session-living")
def session_living(visitor):
    visitor.open(a_session(visitor.log_in(), "living").get_absolute_url())


@page_reached("session-ended")
def session_ended(visitor):
    visitor.open(a_session(visitor.log_in(), "ended").get_absolute_url())


@page_reached("session-lost")
def session_lost(visitor):
    session = a_session(visitor.log_in(), "lost", push_url="", lost_reason="refusals", last_known_status="living")
    visitor.open(session.get_absolute_url())
    expect(visitor.page.locator("[data-status=lost]")).to_be_visible()


@page_reached("session-failed-face-check")
def session_failed(visitor):
    visitor.open(a_failed_session_with_a_face_check(visitor.log_in()).get_absolute_url())
    expect(visitor.page.locator(".failure img.qr")).to_be_visible()


def a_relay_session(owner, status: str, **relay_fields) -> LiveSession:
    """A relay session ("Rehearse first") whose encoder pushes MP3 audio to kslive's ingest."""
    now = timezone.now()
    session = a_session(owner, status, relay=True, **({"push_url": "", "live_stream_name": "", "issued_at": None,
                                                        "expires_at": None} if status == "rehearsing" else {}))
    probe = Path(__file__).resolve().parents[2] / "relay" / "tests" / "probes" / "mp3_audio.json"
    fields = {"encoder_since": now, "check_for": now, "checked_at": now,
              "encoder_check": check.facts(json.loads(probe.read_text())), **relay_fields}
    Relay.objects.filter(pk=relay_of(session).pk).update(**fields)
    return session


@page_reached("session-rehearsing-with-a-check")
def session_rehearsing(visitor):
    visitor.open(a_relay_session(visitor.log_in(), "rehearsing").get_absolute_url())
    expect(visitor.page.locator('[data-check-item="audio_codec"]')).to_have_attribute("data-level", "red")


@page_reached("session-relayed-on-slate")
def session_on_slate(visitor):
    now = timezone.now()
    session = a_relay_session(visitor.log_in(), "living", feed=Relay.Feed.SLATE, feeding_since=now,
                              slate_since=now, encoder_since=None)
    visitor.open(session.get_absolute_url())
    expect(visitor.page.locator("[data-feed]")).to_have_attribute("data-feed", "slate")


@page_reached("my-lives")
def my_lives(visitor):
    person = visitor.log_in()
    for status in ("ended", "living", "ready"):
        a_session(person, status)
    a_failed_session_with_a_face_check(person)
    visitor.open("/live/")


@page_reached("my-lives-empty")
def my_lives_empty(visitor):
    visitor.log_in()
    visitor.open("/live/")


@page_reached("devices-with-a-new-token")
def devices_with_a_new_token(visitor):
    person = visitor.log_in()
    old, _ = device_tokens.device_token_create(owner=person, name="Old action camera")
    device_tokens.device_token_revoke(token=old)
    device_tokens.device_token_create(owner=person, name="OBS on the studio PC")
    visitor.open("/devices/")
    visitor.page.locator("input[name=name]").fill("DJI Mini 4 Pro")
    visitor.page.locator(".device-form button[type=submit]").click()
    expect(visitor.page.locator("#device-token")).not_to_have_value("")


@page_reached("devices-with-a-webhook")
def devices_with_a_webhook(visitor):
    person = visitor.log_in()
    token, _ = device_tokens.device_token_create(owner=person, name="DJI Mini 4 Pro")
    webhook, _ = device_tokens.webhook_register(token=token, url="https://hooks.example.com/kslive/status")
    now = timezone.now()
    Delivery = WebhookDelivery.Status
    for minutes, status, previous, outcome in [
        (1, "living", "ready", dict(status=Delivery.PENDING, attempts=2, last_error="timeout")),
        (3, "ready", "requesting", dict(status=Delivery.DELIVERED, attempts=1, last_http_status=204)),
        (9, "ended", "living", dict(status=Delivery.FAILED, attempts=6, last_http_status=500, last_error="http_status")),
    ]:
        WebhookDelivery.objects.create(
            webhook=webhook, session_id=41, created_at=now - timedelta(minutes=minutes), last_attempt_at=now,
            payload={"id": 41, "status": status, "previous": previous, "at": now.isoformat()}, **outcome)
    visitor.open("/devices/")


@page_reached("account")
def account(visitor):
    visitor.log_in()
    visitor.open("/account/")


@page_reached("account-needs-reconnect")
def account_needs_reconnect(visitor):
    visitor.log_in(needs_reconnect=True)
    visitor.open("/account/")


@page_reached("account-without-live-scope")
def account_without_live_scope(visitor):
    visitor.log_in(scopes=["user_info"])
    visitor.open("/account/")


@page_reached("account-disconnected")
def account_disconnected(visitor):
    visitor.log_in_as(get_user_model().objects.create(username="no-kuaishou"))
    visitor.open("/account/")


@page_reached("cannot-go-live")
def cannot_go_live(visitor):
    visitor.log_in(scopes=["user_info"])
    visitor.open("/live/new/")


@page_reached("admin-login")
def admin_login(visitor):
    visitor.open("/admin/login/")


@pytest.fixture
def visitor(browser, site, language, width):
    context = browser.new_context(viewport=SCREENS[width], **LANGUAGES[language])
    context.set_default_timeout(TIMEOUT_MS)
    yield Visitor(context.new_page(), site)
    context.close()


@pytest.mark.parametrize("width", list(SCREENS), ids=lambda width: f"{width}px")
@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("name", list(PAGES))
def test_the_page_fits_the_screen_and_passes_axe(name, visitor, language, width):
    PAGES[name](visitor)
    expect(visitor.page.locator("html")).to_have_attribute("lang", "zh-hans" if language == "zh" else "en")

    problems = [f"too wide: {what}" for what in wider_than_the_viewport(visitor.page)]
    problems += [f"axe: {what}" for what in axe_violations(visitor.page)]

    assert not problems, f"{name} in {language} at {width}px:\n" + "\n".join(problems)


@pytest.mark.parametrize("width", [PHONE], ids=lambda width: f"{width}px")
@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("name", ["home", "go-live-form", "session-revealed", "session-lost"])
def test_the_main_pages_fit_a_phone_as_the_screenshots_show(name, visitor, language, screenshot):
    PAGES[name](visitor)

    screenshot(visitor.page, f"phone-{name}-{language}")

    assert visitor.page.evaluate("document.documentElement.scrollWidth") <= PHONE


@pytest.mark.parametrize("width", [PHONE], ids=lambda width: f"{width}px")
@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_countdown_counts_in_the_units_the_page_gives_in_its_language(visitor, language):
    session_masked(visitor)  # its push URL expires in 1 day 23 hours
    countdown = visitor.page.locator("[data-countdown]")
    days, hours, minutes = (countdown.get_attribute(f"data-{unit}") for unit in ("days", "hours", "minutes"))

    expect(countdown).to_have_text(re.compile(
        rf"^1{re.escape(days)} 2[23]{re.escape(hours)} \d\d{re.escape(minutes)}$"))
    assert (days, hours, minutes) == {"en": ("d", "h", "m"), "zh": ("天", "小时", "分")}[language]
