"""Browser fixtures: a headless Chromium driving kslive's live server and the sandbox."""

import os

# Playwright's sync API keeps an event loop running in the main thread, and Django refuses
# ORM calls from a thread with a running loop; the tests are synchronous, so allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from pathlib import Path  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

import pytest  # noqa: E402

from tests.needs import require_executable  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser():
    """Launch one headless Chromium for the session (the system one; never `playwright install`)."""
    executable = require_executable("chromium", CHROMIUM)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    # The machine is offline: without the background-networking flags Chromium keeps
    # dialling Google services and fills the logs with refused connections.
    browser = playwright.chromium.launch(
        executable_path=executable,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    )
    yield browser
    browser.close()
    playwright.stop()


class Site:
    """kslive's live server and the sandbox playing Kuaishou."""

    def __init__(self, live_server_url: str, sandbox):
        self.base_url = live_server_url
        self.sandbox = sandbox

    def url(self, path: str = "") -> str:
        """Return the absolute URL of a path on kslive."""
        return self.base_url + path


@pytest.fixture
def site(live_server, sandbox, settings):
    """Serve kslive over HTTP, pointed at a freshly reset sandbox."""
    # The sandbox only sends the browser back to localhost or 127.0.0.1.
    assert urlsplit(live_server.url).hostname in ("localhost", "127.0.0.1"), live_server.url
    settings.KUAISHOU_OPEN_BASE = sandbox.url("")
    # The live server speaks plain HTTP: secure cookies would never come back.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    return Site(live_server.url, sandbox)


@pytest.fixture
def page(browser):
    """Open a fresh Chinese-speaking browser window; close it after the test."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 800},
        locale="zh-CN",
        extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"},
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """Return screenshot(page, name): save docs/screenshots/<name>.png when KSLIVE_SCREENSHOTS=1."""
    enabled = os.environ.get("KSLIVE_SCREENSHOTS") == "1"

    def take(page, name: str) -> None:
        if enabled:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take
