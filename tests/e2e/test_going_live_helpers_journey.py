"""At the shoot: the checklist, the encoder picker, a link for the operator, reissue, and the
page following the room as Kuaishou closes it, all in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from devtools.journeys import STATUS, cover_jpeg, fill_go_live_form, log_in, submit_go_live_form
from streams.models import LiveSession

pytestmark = pytest.mark.needs("chromium")
PHONE = {"width": 375, "height": 812}
UPDATE_MS = 15_000


def new_page(browser, language="zh-CN", viewport=None):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800}, locale=language,
                                  extra_http_headers={"Accept-Language": language})
    context.set_default_timeout(10_000)
    return context.new_page()


def ready_session_page(page, site, tmp_path, caption="现场直播", button="用快手登录"):
    log_in(page, site_url=site.url(), sandbox_url=site.sandbox.url(), button=button)
    fill_go_live_form(page, site_url=site.url(), cover=cover_jpeg(tmp_path), caption=caption)
    submit_go_live_form(page, site_url=site.url())
    return LiveSession.objects.get(caption=caption)


@pytest.mark.parametrize("language, show, confirm", [("zh-CN", "显示", "显示推流地址"), ("en", "Show", "Show the push URL")])
def test_the_first_show_asks_for_the_checklist_then_the_picker_shows_each_encoder_its_fields(
    browser, site, tmp_path, screenshot, language, show, confirm
):
    page = new_page(browser, language, PHONE)
    button = "用快手登录" if language == "zh-CN" else "Log in with Kuaishou"
    ready_session_page(page, site, tmp_path, button=button)

    page.get_by_role("link", name=show, exact=True).click()
    checklist = page.locator("form.checklist")
    expect(checklist).to_be_visible()
    expect(page.locator("#push-url")).to_have_count(0)
    screenshot(page, f"phone-checklist-{language[:2]}")
    checklist.get_by_role("checkbox").nth(0).check()
    checklist.get_by_role("checkbox").nth(1).check()
    checklist.get_by_role("button", name=confirm).click()

    expect(page.locator("#push-url")).to_have_value(LiveSession.objects.get().push_url)
    fields = {"obs": ["#obs-server", "#obs-key"], "phone": ["a[href^='larix://set/v1?']"],
              "drone": ["#push-url-port"], "ffmpeg": ["#ffmpeg"]}
    for choice, visible in fields.items():
        page.locator(f"input[name=encoder][value={choice}]").check()
        for selector in visible:
            expect(page.locator(selector)).to_be_visible()
        for other, hidden in fields.items():
            if other != choice:
                for selector in hidden:
                    expect(page.locator(selector)).to_be_hidden()
        if choice == "phone":
            screenshot(page, f"phone-picker-{language[:2]}")


def test_a_link_for_the_operator_works_once_follows_the_live_and_dies_on_revoke(browser, site, tmp_path,
                                                                                 screenshot):
    owner = new_page(browser)
    session = ready_session_page(owner, site, tmp_path)
    owner.get_by_role("button", name="生成给现场操作员的链接").click()
    link = owner.locator("#handoff-link").input_value()

    operator = new_page(browser, "zh-CN", PHONE)
    operator.goto(link)
    expect(operator.locator("#push-url")).to_have_value(session.push_url)
    expect(operator.locator(STATUS)).to_have_attribute("data-status", "ready")
    screenshot(operator, "phone-handoff-zh")
    site.sandbox.publish(session.live_stream_name)
    from streams import services

    services.live_session_sync(session_id=session.pk)
    expect(operator.locator(STATUS)).to_have_attribute("data-status", "living", timeout=UPDATE_MS)

    someone_else = new_page(browser, "en", PHONE)
    refused = someone_else.goto(link)
    assert refused.status == 410
    expect(someone_else.locator("main")).to_contain_text("already opened on another device")
    screenshot(someone_else, "phone-handoff-refused-en")

    owner.goto(site.url(f"/live/{session.pk}/"))
    expect(owner.locator(".handoffs")).to_contain_text("打开于")
    owner.get_by_role("button", name="吊销").click()
    assert operator.goto(link).status == 410


def test_a_link_shows_nothing_once_the_live_is_over(browser, site, tmp_path, screenshot):
    owner = new_page(browser)
    session = ready_session_page(owner, site, tmp_path)
    owner.get_by_role("button", name="生成给现场操作员的链接").click()
    link = owner.locator("#handoff-link").input_value()
    operator = new_page(browser, "en", PHONE)
    operator.goto(link)
    expect(operator.locator("#push-url")).to_have_value(session.push_url)
    screenshot(operator, "phone-handoff-en")

    owner.once("dialog", lambda dialog: dialog.accept())
    owner.get_by_role("button", name="结束直播").click()
    expect(owner.locator(STATUS)).to_have_attribute("data-status", "ended")

    assert operator.goto(link).status == 410
    expect(operator.locator("main")).to_contain_text("This live is over")
    assert session.push_url not in operator.content()


def test_reissue_gives_a_new_push_url_and_the_old_page_links_to_it(browser, site, tmp_path):
    from django.utils import timezone

    page = new_page(browser)
    session = ready_session_page(page, site, tmp_path)
    LiveSession.objects.filter(pk=session.pk).update(expires_at=timezone.now() + timezone.timedelta(hours=2))
    page.reload()

    expect(page.locator(".expiring")).to_contain_text("即将失效")
    page.get_by_role("button", name="重新获取推流地址").click()

    new = LiveSession.objects.exclude(pk=session.pk).get()
    page.wait_for_url(site.url(f"/live/{new.pk}/"))
    expect(page.locator(STATUS)).to_have_attribute("data-status", "ready")
    page.goto(site.url(f"/live/{session.pk}/"))
    expect(page.locator(STATUS)).to_have_attribute("data-status", "replaced")
    page.get_by_role("link", name="打开新的推流地址").click()
    page.wait_for_url(site.url(f"/live/{new.pk}/"))


def test_when_kuaishou_closes_the_room_the_open_page_offers_to_go_live_again_without_a_reload(
    page, site, tmp_path, celery_processes
):
    session = ready_session_page(page, site, tmp_path)
    page.evaluate("window.__stillTheSamePage = true")
    site.sandbox.publish(session.live_stream_name)
    expect(page.locator(STATUS)).to_have_attribute("data-status", "living", timeout=UPDATE_MS)
    expect(page.get_by_role("link", name="再次开播")).to_have_count(0)

    site.sandbox.http.post(site.sandbox.url(f"/_sandbox/streams/{session.live_stream_name}/stop"), json={},
                           timeout=10).raise_for_status()

    expect(page.locator(STATUS)).to_have_attribute("data-status", "ended", timeout=UPDATE_MS)
    again = page.get_by_role("link", name="再次开播")
    expect(again).to_be_visible(timeout=UPDATE_MS)
    assert re.search(rf"/live/new/\?from={session.pk}$", again.get_attribute("href"))
    assert page.evaluate("window.__stillTheSamePage") is True
