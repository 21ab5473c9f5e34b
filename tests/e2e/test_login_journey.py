"""A person logs in with Kuaishou in a real browser, through the sandbox's consent page."""

import re
from urllib.parse import urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

pytestmark = pytest.mark.needs("chromium")
User = get_user_model()


def open_the_consent_page(page, site, screenshot=None):
    """Open kslive's home page and press 用快手登录; land on the sandbox's consent page."""
    page.goto(site.url("/"))
    if screenshot:
        screenshot(page, "home")
    page.get_by_role("button", name="用快手登录").click()
    page.wait_for_url(site.sandbox.url("/oauth2/authorize") + "?**")


def test_a_person_logs_in_through_the_consent_page_and_sees_their_name(page, site, screenshot):
    open_the_consent_page(page, site, screenshot)

    assert urlsplit(page.url).netloc == urlsplit(site.sandbox.url()).netloc
    expect(page.get_by_role("heading", level=1)).to_contain_text("申请使用你的快手账号")
    expect(page.locator("body")).to_contain_text(urlsplit(site.url()).netloc)
    screenshot(page, "consent")
    xiaoming = page.get_by_role("radio", name=re.compile("小明"))
    xiaoming.check()
    expect(xiaoming).to_be_checked()
    page.get_by_role("button", name=re.compile("同意授权")).click()

    page.wait_for_url(site.url("/") + "**")
    page.get_by_role("link", name="我的账号").click()
    page.wait_for_url(site.url("/account/"))
    expect(page.locator(".profile-name")).to_have_text("小明")
    open_id = SocialAccount.objects.get(user__first_name="小明").uid
    expect(page.locator(".facts")).to_contain_text(open_id)
    screenshot(page, "account")


def test_a_person_who_denies_sees_a_friendly_page(page, site):
    open_the_consent_page(page, site)

    page.get_by_role("button", name=re.compile("取消")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("登录已取消")
    assert urlsplit(page.url).netloc == urlsplit(site.url()).netloc
    assert User.objects.count() == 0
    assert site.sandbox.requests(endpoint="access_token") == []


def test_english_is_one_click_away(page, site):
    page.goto(site.url("/"))
    expect(page.get_by_role("button", name="用快手登录")).to_be_visible()

    page.locator("form.lang button[value=en]").click()

    expect(page.get_by_role("button", name="Log in with Kuaishou")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")


# Django's {% get_available_languages %} passes each name through gettext, so in Chinese
# "English" becomes 英语; base.html should show get_language_info_list's name_local.
def test_the_chinese_page_offers_english_under_its_own_name(page, site):
    page.goto(site.url("/"))

    expect(page.locator("form.lang button")).to_have_text(["简体中文", "English"], timeout=1000)
