"""The operator's fault: Kuaishou's console regenerated our app secret, so ours is wrong.

Nobody is asked to reconnect, /healthz names Kuaishou, every admin page says what is wrong and
since when; once the secret is right again, everything works without anyone logging in.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import KuaishouCredential
from devtools.journeys import cover_jpeg, fill_go_live_form, log_in, submit_go_live_form
from kuaishou_app.tasks import CHECK_VALUE, check_rejected_app
from streams.models import LiveSession

pytestmark = pytest.mark.needs("chromium")


def expire_soon(seconds: int) -> None:
    KuaishouCredential.objects.update(access_token_expires_at=timezone.now() + timezone.timedelta(seconds=seconds))


def refreshes_of_people(sandbox) -> list[int]:
    """Return the results of the refreshes of people's tokens, oldest first: beat's app check
    (every minute while the app is flagged) refreshes a made-up token as well."""
    return [r["result"] for r in sandbox.requests(endpoint="refresh_token")
            if r["query"].get("refresh_token") != CHECK_VALUE]


def admin_page(browser, site):
    get_user_model().objects.create_superuser("ops", password="a-long-test-password")
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN",
                                  extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    admin = context.new_page()
    admin.goto(site.url("/admin/login/"))
    admin.locator("#id_username").fill("ops")
    admin.locator("#id_password").fill("a-long-test-password")
    admin.locator("input[type=submit]").click()
    admin.wait_for_url(site.url("/admin/"))
    return admin


def test_a_wrong_app_secret_during_a_refresh_leaves_everyone_connected_until_it_is_fixed(
    page, browser, site, screenshot, tmp_path
):
    log_in(page, site_url=site.url(), sandbox_url=site.sandbox.url())
    cover = cover_jpeg(tmp_path)
    site.sandbox.app(secret=None)  # Kuaishou's console made a new secret; ours is now wrong
    expire_soon(120)  # due for a refresh before the next use, still valid

    fill_go_live_form(page, site_url=site.url(), cover=cover, caption="密钥错了")
    submit_go_live_form(page, site_url=site.url())

    # The refresh failed on our app, not on the person: still connected, the live still starts.
    credential = KuaishouCredential.objects.get()
    assert not credential.needs_reconnect
    assert refreshes_of_people(site.sandbox) == [100200101]
    expect(page.locator(".banner.warning")).to_have_count(0)
    health = page.request.get(site.url("/healthz"))
    assert health.status == 503
    assert health.json()["kuaishou"] == "app_rejected"

    admin = admin_page(browser, site)
    banner = admin.locator("[data-kuaishou-app-problem]")
    expect(banner).to_contain_text("拒绝了 kslive 的应用")
    expect(banner).to_contain_text("KUAISHOU_APP_SECRET")
    expect(banner).to_contain_text("100200101")
    screenshot(admin, "admin-kuaishou-app-rejected")
    admin.goto(site.url("/admin/streams/livesession/"))
    expect(admin.locator("[data-kuaishou-app-problem]")).to_be_visible()

    site.sandbox.app(restore=True)  # the operator puts the right secret back
    check_rejected_app()  # what beat runs every minute

    assert page.request.get(site.url("/healthz")).status == 200
    admin.reload()
    expect(admin.locator("[data-kuaishou-app-problem]")).to_have_count(0)
    expire_soon(120)
    fill_go_live_form(page, site_url=site.url(), cover=cover, caption="修好了")
    submit_go_live_form(page, site_url=site.url())
    assert refreshes_of_people(site.sandbox)[-1] == 1
    assert LiveSession.objects.filter(status=LiveSession.Status.READY).count() == 2
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("修好了"))
