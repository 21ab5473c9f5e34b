"""Steps a person takes in the browser (Playwright), shared by the journeys in tests/e2e and bench/latency.py."""

import io
import re
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.sync_api import expect

STATUS = "[data-status-poll] [data-status]"


def log_in(page, *, site_url: str, sandbox_url: str, person: str = "小明", button: str = "用快手登录") -> None:
    """Press 用快手登录 (or `button`, in another language) on the home page and consent on the
    sandbox's page as a demo person."""
    page.goto(site_url + "/")
    page.get_by_role("button", name=button).click()
    page.wait_for_url(sandbox_url + "/oauth2/authorize?**")
    page.get_by_role("radio", name=re.compile(person)).check()
    page.get_by_role("button", name=re.compile("同意授权")).click()
    page.wait_for_url(site_url + "/**")


def cover_jpeg(folder: Path) -> Path:
    """Write a real portrait JPEG, as a phone camera would give, and return its path."""
    image = Image.new("RGB", (1080, 1920), (250, 140, 40))
    draw = ImageDraw.Draw(image)
    for y in range(0, 1920, 12):
        draw.line([(0, y), (1080, y)], fill=(250, 140 + y // 30, 40 + y // 20), width=12)
    draw.ellipse([340, 500, 740, 900], fill=(255, 230, 120))
    path = Path(folder) / "camping.jpg"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    path.write_bytes(buffer.getvalue())
    return path


def fill_go_live_form(page, *, site_url: str, cover: Path, caption: str, device: str = "ffmpeg") -> None:
    """Open the go-live form and fill it in, without submitting."""
    page.goto(site_url + "/live/new/")
    page.locator("input[type=file][name=cover]").set_input_files(str(cover))
    page.locator("input[name=caption]").fill(caption)
    page.locator("input[name=device_name]").fill(device)


def submit_go_live_form(page, *, site_url: str) -> None:
    """Press 获取推流地址 (the form's button, in any language) and land on the new session's page."""
    page.locator("form[data-golive] [data-submit]").click()
    page.wait_for_url(re.compile(re.escape(site_url) + r"/live/\d+/$"))
    expect(page.locator(STATUS)).to_have_attribute("data-status", "ready")


def reveal_push_url(page) -> str:
    """Press 显示 (Show, in any language), confirm the encoder checklist the first time, and return
    the full push URL."""
    page.locator('a[href="?reveal=1"]').click()
    page.wait_for_url("**?reveal=1")
    checklist = page.locator("form.checklist")
    if checklist.count():
        checklist.get_by_role("checkbox").nth(0).check()
        checklist.get_by_role("checkbox").nth(1).check()
        checklist.get_by_role("button").click()
        page.wait_for_url("**?reveal=1")
    return page.locator("#push-url").input_value()


def press_stop(page) -> None:
    """Press 结束直播 and confirm the browser's question."""
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="结束直播").click()


def start_rehearsal(page, *, site_url: str, cover: Path, caption: str, rehearse: str = "先彩排") -> str:
    """Fill the go-live form with "Rehearse first" (`rehearse`, its label in the page's language)
    ticked, submit it, and return the ingest URL the page shows (server + stream key)."""
    fill_go_live_form(page, site_url=site_url, cover=cover, caption=caption)
    page.get_by_label(rehearse).check()
    page.locator("form[data-golive] [data-submit]").click()
    page.wait_for_url(re.compile(re.escape(site_url) + r"/live/\d+/$"))
    expect(page.locator(STATUS)).to_have_attribute("data-status", "rehearsing")
    return page.locator("#relay-server").input_value() + page.locator("#relay-key").input_value()


def press_go_live(page) -> None:
    """Press 在快手开播 (Go live on Kuaishou) on a rehearsal and confirm the browser's question."""
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[data-go-live]").click()
