"""Browser fixtures: a headless Chromium driving kslive's live server and the sandbox."""

import os

# Playwright's sync API keeps an event loop running in the main thread, and Django refuses
# ORM calls from a thread with a running loop; the tests are synchronous, so allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import copy  # noqa: E402
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
    settings.SITE_URL = live_server.url
    # The login redirect and the avatars come from this sandbox: the Content Security Policy,
    # made from KUAISHOU_OPEN_BASE at start-up, follows it.
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    for directive in ("form-action", "img-src"):
        policy["DIRECTIVES"][directive] = [*policy["DIRECTIVES"][directive][:-1], sandbox.url("")]
    settings.CONTENT_SECURITY_POLICY = policy
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


# Real RTMP ingest, Celery worker and beat for the streaming journeys (see processes.py).
# Short polls keep the journeys quick; bench/latency.py measures the production defaults.
E2E_POLLS = {"KSLIVE_POLL_READY_FAST": 1, "KSLIVE_POLL_LIVING": 2, "KSLIVE_POLL_TICK": 0.5}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """When a streaming journey fails, show what every process said."""
    outcome = yield
    report = outcome.get_result()
    stack = getattr(item, "funcargs", {}).get("stack")
    if report.when == "call" and report.failed and stack is not None:
        report.sections.append(("processes", stack.output()))


@pytest.fixture(scope="session")
def e2e_workspace():
    from devtools.processes import Workspace

    workspace = Workspace()
    yield workspace.path
    workspace.remove()


@pytest.fixture(scope="session")
def rtmp_ingest(sandbox_server, e2e_workspace):
    """Run nginx-rtmp for the session, asking the sandbox whether encoders may publish."""
    from devtools.processes import RtmpIngest
    from tests.needs import require_rtmp_ingest

    require_rtmp_ingest()
    ingest = RtmpIngest(hooks_url=sandbox_server.url(), log_dir=e2e_workspace).start()
    yield ingest
    ingest.stop()


@pytest.fixture(scope="session")
def celery_processes(django_db_setup, django_db_blocker, sandbox_server, e2e_workspace):
    """Run a Celery worker and beat on the test database, polling the sandbox."""
    from django.db import connection

    from devtools.processes import Celery, database_url, kslive_env

    with django_db_blocker.unblock():
        database = database_url(connection.settings_dict)
    env = kslive_env(database=database, var_dir=e2e_workspace / "var", kuaishou_base=sandbox_server.url(),
                     **E2E_POLLS)
    celery = Celery(env=env, log_dir=e2e_workspace).start()
    yield celery
    celery.stop()


class Stack:
    """The site, with the sandbox's push URLs pointing at real nginx-rtmp and Celery polling."""

    def __init__(self, site, ingest, celery, folder):
        self.site, self.ingest, self.celery, self.folder = site, ingest, celery, folder
        self.encoders = []

    def push(self, push_url: str, *, seconds: float | None = None):
        """Start ffmpeg pushing to the push URL; stopped after the test."""
        from devtools.processes import Encoder

        encoder = Encoder(push_url, log_dir=self.folder, seconds=seconds, name=f"ffmpeg-{len(self.encoders) + 1}")
        self.encoders.append(encoder)
        return encoder.start()

    def output(self) -> str:
        parts = [self.celery.output(), f"--- nginx-rtmp ---\n{self.ingest.process.output()[-4000:]}",
                 f"--- sandbox ---\n{self.site.sandbox.output()[-6000:]}"]
        parts += [f"--- {e.process.name} ---\n{e.output()[-2000:]}" for e in self.encoders]
        return "\n".join(parts)


@pytest.fixture
def stack(site, rtmp_ingest, celery_processes, tmp_path):
    """Give the test the whole stack; stop its encoders afterwards."""
    rtmp_ingest.point(site.sandbox)
    stack = Stack(site, rtmp_ingest, celery_processes, tmp_path)
    yield stack
    for encoder in stack.encoders:
        encoder.stop()


# kslive's own relay: its ingest (nginx-rtmp calling the live server's hooks) and its agent.
RELAY_HOOK_SECRET = "e2e-relay-hook-secret"
RELAY_SLATE_WINDOW = 120


@pytest.fixture(scope="session")
def relay_ingest(live_server, e2e_workspace):
    """Run kslive's relay ingest for the session, asking the live server whether encoders may publish."""
    from devtools.processes import RelayIngest
    from tests.needs import require_rtmp_ingest

    require_rtmp_ingest()
    require_executable("ffprobe")
    ingest = RelayIngest(hooks_url=live_server.url + "/relay/hooks", hook_secret=RELAY_HOOK_SECRET,
                         site_url=live_server.url, log_dir=e2e_workspace).start()
    yield ingest
    ingest.stop()


@pytest.fixture(scope="session")
def relay_agent(django_db_setup, django_db_blocker, sandbox_server, relay_ingest, e2e_workspace):
    """Run the relay agent on the test database, feeding the sandbox's ingest."""
    from django.db import connection

    from devtools.processes import RelayAgent, database_url, kslive_env

    with django_db_blocker.unblock():
        database = database_url(connection.settings_dict)
    env = kslive_env(database=database, var_dir=e2e_workspace / "var", kuaishou_base=sandbox_server.url(),
                     **relay_ingest.settings(), KSLIVE_RELAY_HOOK_SECRET=RELAY_HOOK_SECRET,
                     KSLIVE_RELAY_SLATE_WINDOW=RELAY_SLATE_WINDOW, **E2E_POLLS)
    agent = RelayAgent(env=env, log_dir=e2e_workspace).start()
    yield agent
    agent.stop()


class RelayStack(Stack):
    """The stack, with kslive's relay ingest and agent in front of the sandbox's ingest."""

    def __init__(self, site, ingest, celery, folder, relay_ingest, agent):
        super().__init__(site, ingest, celery, folder)
        self.relay_ingest, self.agent = relay_ingest, agent

    def push(self, push_url: str, *, seconds: float | None = None, **shape):
        from devtools.processes import Encoder

        encoder = Encoder(push_url, log_dir=self.folder, seconds=seconds, name=f"ffmpeg-{len(self.encoders) + 1}",
                          **shape)
        self.encoders.append(encoder)
        return encoder.start()

    def output(self) -> str:
        return "\n".join([super().output(), f"--- relay agent ---\n{self.agent.output()[-6000:]}",
                          f"--- relay ingest ---\n{self.relay_ingest.process.output()[-3000:]}"])


@pytest.fixture
def relay_stack(site, settings, rtmp_ingest, celery_processes, relay_ingest, relay_agent, tmp_path):
    """Give the test the whole stack with kslive's relay; stop its encoders afterwards."""
    rtmp_ingest.point(site.sandbox)
    for name, value in relay_ingest.settings().items():
        setattr(settings, name, value)
    settings.KSLIVE_RELAY_HOOK_SECRET = RELAY_HOOK_SECRET
    settings.KSLIVE_RELAY_SLATE_WINDOW = RELAY_SLATE_WINDOW
    # The preview comes from this ingest's HTTP port: the Content Security Policy follows it.
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    for directive in ("connect-src", "media-src"):
        policy["DIRECTIVES"][directive] = [*policy["DIRECTIVES"][directive][:-1], relay_ingest.http_url]
    settings.CONTENT_SECURITY_POLICY = policy
    stack = RelayStack(site, rtmp_ingest, celery_processes, tmp_path, relay_ingest, relay_agent)
    yield stack
    for encoder in stack.encoders:
        encoder.stop()
