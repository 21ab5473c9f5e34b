"""A person goes live with a real encoder: ffmpeg pushes to nginx-rtmp, the sandbox plays Kuaishou,
Celery polls it, and the page follows without a reload."""

import pytest
from playwright.sync_api import expect

from devtools.journeys import (
    STATUS,
    cover_jpeg,
    fill_go_live_form,
    log_in,
    press_stop,
    reveal_push_url,
    submit_go_live_form,
)
from streams.models import LiveSession

pytestmark = pytest.mark.needs("chromium, nginx-rtmp, ffmpeg")
# Celery polls once a second in these journeys; the page asks the server once a second.
UPDATE_MS = 15_000


def go_live(page, stack, screenshot=None, caption="周末露营") -> str:
    """Log in, fill the go-live form with a JPEG, reveal the push URL; return it."""
    site = stack.site
    log_in(page, site_url=site.url(), sandbox_url=site.sandbox.url())
    fill_go_live_form(page, site_url=site.url(), cover=cover_jpeg(stack.folder), caption=caption)
    if screenshot:
        screenshot(page, "form")
    submit_go_live_form(page, site_url=site.url())
    if screenshot:
        screenshot(page, "session-masked")
    push_url = reveal_push_url(page)
    if screenshot:
        screenshot(page, "session-shown")
    return push_url


def test_a_person_streams_with_ffmpeg_and_stops_from_the_page(page, stack, screenshot):
    push_url = go_live(page, stack, screenshot)
    assert push_url.startswith(stack.ingest.push_base + "/")

    encoder = stack.push(push_url)

    expect(page.locator(STATUS)).to_have_attribute("data-status", "living", timeout=UPDATE_MS)
    expect(page.locator(STATUS)).to_contain_text("直播中")
    session = LiveSession.objects.get()
    assert stack.site.sandbox.stream(session.live_stream_name)["state"] == "living"
    screenshot(page, "session-living")

    press_stop(page)

    expect(page.locator(STATUS)).to_have_attribute("data-status", "ended")
    expect(page.locator(STATUS)).to_contain_text("由你结束")
    assert encoder.wait_closed() is not None, "the RTMP server should have dropped ffmpeg's connection"
    assert [r["form"]["liveStreamName"] for r in stack.site.sandbox.requests("stopPush")] == [session.live_stream_name]
    screenshot(page, "session-ended")
    page.get_by_role("link", name="我的全部直播").click()
    expect(page.locator("main")).to_contain_text("周末露营")
    screenshot(page, "history")


def test_the_page_shows_kuaishou_ended_the_live_when_ffmpeg_stops_by_itself(page, stack):
    stack.site.sandbox.config(drop_grace=3)
    push_url = go_live(page, stack)

    encoder = stack.push(push_url, seconds=3)
    expect(page.locator(STATUS)).to_have_attribute("data-status", "living", timeout=UPDATE_MS)
    assert encoder.wait_closed() == 0

    expect(page.locator(STATUS)).to_have_attribute("data-status", "ended", timeout=UPDATE_MS)
    expect(page.locator(STATUS)).to_contain_text("由快手（推流已中断）结束")
    stream = stack.site.sandbox.stream(LiveSession.objects.get().live_stream_name)
    assert (stream["state"], stream["end_reason"]) == ("ended", "dropped")


def test_a_spent_push_url_is_refused_by_ingest_and_the_page_says_it_is_spent(page, stack):
    push_url = go_live(page, stack)
    first = stack.push(push_url)
    expect(page.locator(STATUS)).to_have_attribute("data-status", "living", timeout=UPDATE_MS)
    press_stop(page)
    expect(page.locator(STATUS)).to_have_attribute("data-status", "ended")
    first.wait_closed()

    again = stack.push(push_url)

    assert again.wait_closed() not in (None, 0), "ingest should refuse a spent push URL"
    name = LiveSession.objects.get().live_stream_name
    assert f"refused publisher of stream {name}: push URL already used" in stack.site.sandbox.output()
    assert stack.site.sandbox.stream(name)["end_reason"] == "stopped"
    page.reload()
    expect(page.locator(STATUS)).to_have_attribute("data-status", "ended")
    expect(page.locator(STATUS)).to_contain_text("这个推流地址已失效")
    expect(page.get_by_role("button", name="结束直播")).to_have_count(0)
