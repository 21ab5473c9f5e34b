"""Staff look at live sessions in the Django admin."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from streams.models import LiveSession
from tests.helpers import make_credential

pytestmark = pytest.mark.needs("chromium")


def test_staff_see_live_sessions_in_the_admin(page, site, screenshot):
    get_user_model().objects.create_superuser("ops", password="a-long-test-password")
    owner = make_credential("xiaoming").account.user
    now = timezone.now()
    LiveSession.objects.create(
        owner=owner, caption="周末露营", cover=b"\xff\xd8\xff", idempotency_key="a", live_stream_name="abc123",
        status=LiveSession.Status.ENDED, issued_at=now, went_live_at=now, ended_at=now,
        ended_by=LiveSession.EndedBy.PERSON, device_name="DJI Mini 4 Pro",
    )

    page.goto(site.url("/admin/login/"))
    page.locator("#id_username").fill("ops")
    page.locator("#id_password").fill("a-long-test-password")
    page.locator("input[type=submit]").click()
    page.goto(site.url("/admin/streams/livesession/"))

    expect(page.locator("#result_list")).to_contain_text("周末露营")
    expect(page.locator("#result_list")).to_contain_text("DJI Mini 4 Pro")
    screenshot(page, "admin")
