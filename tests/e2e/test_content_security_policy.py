"""Every page works under our Content Security Policy: the browser reports no violation."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from devtools.journeys import cover_jpeg, fill_go_live_form, log_in, reveal_push_url, submit_go_live_form

pytestmark = pytest.mark.needs("chromium")

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def test_pages_carry_the_policy_and_break_none_of_it(page, site, tmp_path):
    page.add_init_script(RECORD_VIOLATIONS)
    seen = {}

    home = page.goto(site.url("/"))
    assert "default-src 'self'" in home.headers["content-security-policy"]
    log_in(page, site_url=site.url(), sandbox_url=site.sandbox.url())
    fill_go_live_form(page, site_url=site.url(), cover=cover_jpeg(tmp_path), caption="策略")
    seen["form"] = violations(page)
    submit_go_live_form(page, site_url=site.url())
    reveal_push_url(page)
    seen["session"] = violations(page)
    for path in ("/live/", "/devices/", "/account/", "/api/docs/"):
        page.goto(site.url(path))
        page.wait_for_load_state("networkidle")
        seen[path] = violations(page)
    expect(page.locator(".swagger-ui")).to_be_visible()

    get_user_model().objects.create_superuser("ops", password="a-long-test-password")
    page.goto(site.url("/admin/login/"))
    page.locator("#id_username").fill("ops")
    page.locator("#id_password").fill("a-long-test-password")
    page.locator("input[type=submit]").click()
    for path in ("/admin/", "/admin/streams/livesession/", "/admin/accounts/kuaishoucredential/"):
        page.goto(site.url(path))
        seen[path] = violations(page)

    assert {where: found for where, found in seen.items() if found} == {}
