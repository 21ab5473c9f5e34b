"""The production layout, started for real: nginx with the shipped site, gunicorn with the
shipped config and DEBUG off, PostgreSQL, Redis, the Celery worker and beat, the relay ingest
and agent, each as its systemd unit runs it, and the sandbox as Kuaishou, 20 s slow to issue a
push URL.

A slow Kuaishou must cost the device a clear answer within the request's deadline, not a
killed worker or a lost push URL, and must hold up nobody else meanwhile.
"""

import io
import os
import re
import shlex
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet
from PIL import Image

from devtools.processes import Encoder
from devtools.sandbox_server import SandboxServer
from devtools.waiting import wait_until
from tests.needs import require_executable, require_rtmp_ingest, require_service
from tests.nginx_site import HOST, ServedSite, free_port

pytestmark = [
    pytest.mark.needs("nginx, nginx-rtmp, ffmpeg, postgresql, redis"),
    # The test certificate is for the site's name, and requests connect to 127.0.0.1.
    pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning"),
]

REPO = Path(__file__).resolve().parents[1]
UNITS = REPO / "deploy" / "systemd"
POSTGRES = os.environ.get("KSLIVE_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("KSLIVE_TEST_REDIS", "redis://127.0.0.1:6379/9")
APP = {"SANDBOX_DEMO_APP_ID": "ks-production-check", "SANDBOX_DEMO_APP_SECRET": "production-check-secret",
       "SANDBOX_DEMO_BIZ_ID": "production-check-biz"}
SLOW_PUSH_URL_MS = 20_000


def unit_command(name: str, var_dir: Path, ports: dict[int, int]) -> list[str]:
    """Return a systemd unit's ExecStart, pointed at this checkout instead of /srv/kslive and
    at free ports instead of the shipped ones."""
    line = next(line for line in (UNITS / name).read_text().splitlines() if line.startswith("ExecStart="))
    line = line.removeprefix("ExecStart=").replace("/srv/kslive/", f"{REPO}/").replace("/var/lib/kslive", str(var_dir))
    for shipped, free in ports.items():
        line = re.sub(rf"(?<=[ :]){shipped}\b", str(free), line)
    return shlex.split(line)


class Layout:
    """Everything the README's production section sets up, on free ports and a fresh database."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.database = f"kslive_layout_{os.getpid()}"
        self.processes: list[subprocess.Popen] = []
        self.gunicorn_port = free_port()
        # The units' ports (gunicorn 8000, relay RTMP 1936, relay HLS and control 8090) on free ones.
        self.ports = {8000: self.gunicorn_port, 1936: free_port(), 8090: free_port()}
        self.sandbox = SandboxServer(**APP)
        self.site: ServedSite | None = None

    def env(self) -> dict:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("KUAISHOU_", "SANDBOX_", "PYTEST_", "DJANGO_", "DATABASE_URL", "REDIS_URL"))}
        env.update(
            DEBUG="0", SECRET_KEY=Fernet.generate_key().decode() * 2, TOKEN_ENCRYPTION_KEYS=self.key,
            SITE_URL=self.site_url, ALLOWED_HOSTS=HOST, CSRF_TRUSTED_ORIGINS=self.site_url,
            TRUST_X_FORWARDED_PROTO="1", DATABASE_URL=f"{POSTGRES}/{self.database}", REDIS_URL=REDIS,
            KUAISHOU_APP_ID=APP["SANDBOX_DEMO_APP_ID"], KUAISHOU_APP_SECRET=APP["SANDBOX_DEMO_APP_SECRET"],
            KUAISHOU_BIZ_ID=APP["SANDBOX_DEMO_BIZ_ID"], KUAISHOU_OPEN_BASE=self.sandbox.url(),
            STATIC_ROOT=str(self.directory / "staticfiles"), VAR_DIR=str(self.directory / "var"),
            GUNICORN_BIND=f"127.0.0.1:{self.gunicorn_port}", KSLIVE_ENV_FILE="", PYTHONUNBUFFERED="1",
            KSLIVE_RELAY_INGEST_URL=f"rtmp://127.0.0.1:{self.ports[1936]}/rehearse",
            KSLIVE_RELAY_PLAY_URL=f"rtmp://127.0.0.1:{self.ports[1936]}/rehearse",
            KSLIVE_RELAY_HLS_URL=f"http://127.0.0.1:{self.ports[8090]}/hls",
            KSLIVE_RELAY_CONTROL_URL=f"http://127.0.0.1:{self.ports[8090]}/control",
            KSLIVE_RELAY_HOOK_SECRET="production-check-hook-secret",
        )
        return env

    def start(self) -> "Layout":
        self.key = Fernet.generate_key().decode()
        self.sandbox.start()
        self._psql(f'CREATE DATABASE "{self.database}"')
        self._redis("FLUSHDB")
        (self.directory / "var").mkdir()
        (self.directory / "nginx").mkdir()
        self.site = ServedSite(self.directory / "nginx", require_executable("nginx", "/usr/sbin/nginx"),
                               upstream_port=self.gunicorn_port, static=self.directory / "staticfiles")
        self.site_url = self.site.url
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        for unit in UNITS.glob("kslive-*.service"):
            self._spawn(unit.stem, unit_command(unit.name, self.directory / "var", self.ports))
        self._wait_until(lambda: self._answers(f"http://127.0.0.1:{self.gunicorn_port}/healthz"), "gunicorn")
        return self

    def manage(self, *args: str) -> str:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=self.env(),
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def get(self, path: str, **kwargs) -> requests.Response:
        return requests.get(self._url(path), **self._through_nginx(kwargs))

    def post(self, path: str, **kwargs) -> requests.Response:
        return requests.post(self._url(path), **self._through_nginx(kwargs))

    def _url(self, path: str) -> str:
        # The site's name does not resolve here: connect to this machine and name the host in
        # the Host header, as a browser would after DNS. (tests/test_deploy.py checks TLS itself.)
        return f"https://127.0.0.1:{self.site.https_port}{path}"

    @staticmethod
    def _through_nginx(kwargs: dict) -> dict:
        kwargs.setdefault("timeout", 30)
        kwargs["headers"] = {"Host": HOST, **kwargs.get("headers", {})}
        kwargs["verify"] = False
        return kwargs

    def output(self) -> str:
        logs = [f"--- {path.stem} ---\n{path.read_text(errors='replace')[-4000:]}"
                for path in sorted(self.directory.glob("*.log"))]
        return "\n".join(logs + [f"--- sandbox ---\n{self.sandbox.output()[-3000:]}"])

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        if self.site:
            self.site.stop()
        self.sandbox.stop()
        self._redis("FLUSHDB")
        self._psql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def _spawn(self, name: str, command: list[str]) -> None:
        log = open(self.directory / f"{name}.log", "wb")
        self.processes.append(subprocess.Popen(command, cwd=REPO, env=self.env(), stdout=log,
                                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL))

    def _wait_until(self, ready, what: str, timeout: float = 60) -> None:
        end = time.monotonic() + timeout
        while not ready():
            if time.monotonic() > end or any(p.poll() is not None for p in self.processes):
                pytest.fail(f"{what} did not start:\n{self.output()}")
            time.sleep(0.2)

    @staticmethod
    def _answers(url: str) -> bool:
        try:
            return requests.get(url, headers={"Host": HOST}, timeout=2).status_code == 200
        except requests.RequestException:
            return False

    @staticmethod
    def _psql(statement: str) -> None:
        import psycopg

        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
            connection.execute(statement)

    @staticmethod
    def _redis(*command: str) -> None:
        import redis

        redis.Redis.from_url(REDIS).execute_command(*command)


@pytest.fixture(scope="module")
def layout(tmp_path_factory):
    require_service("PostgreSQL", POSTGRES)
    require_service("Redis", REDIS)
    require_rtmp_ingest()
    layout = Layout(tmp_path_factory.mktemp("production"))
    try:
        layout.start()
        yield layout
    finally:
        layout.stop()


@pytest.fixture(scope="module")
def device(layout):
    """A person connected through the sandbox's consent, and a device token of theirs."""
    code = layout.sandbox.authorize(app_id=APP["SANDBOX_DEMO_APP_ID"])
    open_id = layout.manage("shell", "--no-imports", "-c", (
        "import kuaishou\n"
        "from allauth.socialaccount.models import SocialAccount\n"
        "from django.contrib.auth import get_user_model\n"
        "from accounts import services\n"
        "from kuaishou_app.calls import call\n"
        f"grant = call(kuaishou.exchange_code, code={code!r})\n"
        "user = get_user_model().objects.create(username='ks_layout', first_name='小明')\n"
        "account = SocialAccount.objects.create(user=user, provider='kuaishou', uid=grant.open_id)\n"
        "services.credential_store_login(account=account, grant=grant)\n"
        "print(account.uid)\n"
    )).strip()
    device_token = layout.manage("create_device_token", "--open-id", open_id, "--name", "drone").strip()
    return {"Authorization": f"Bearer {device_token}"}


def cover() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (720, 1280), (250, 140, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def go_live(layout, headers, key):
    return layout.post("/api/v1/live-sessions", headers={**headers, "Idempotency-Key": key},
                       files={"cover": ("cover.jpg", cover(), "image/jpeg")}, data={"caption": "生产检查"})


def test_a_slow_kuaishou_costs_a_clear_answer_and_loses_no_push_url(layout, device):
    assert layout.get("/healthz").json()["status"] == "ok"
    layout.sandbox.fault("pushUrls", latency_ms=SLOW_PUSH_URL_MS)
    first_key, answers = uuid.uuid4().hex, {}
    slow = threading.Thread(target=lambda: answers.update(first=go_live(layout, device, first_key)))
    slow.start()

    # Meanwhile the site answers everyone else at once: the health check within a second each
    # time, and another go-live (Kuaishou is quick for it) at once.
    time.sleep(1)
    for _ in range(5):
        assert layout.get("/healthz", timeout=1).status_code == 200
    second = go_live(layout, device, uuid.uuid4().hex)
    assert second.status_code == 201, second.text
    assert second.json()["status"] == "ready" and second.json()["push_url"]

    slow.join(timeout=60)
    first = answers["first"]
    assert first.status_code == 202, first.text  # the deadline, not a killed worker
    assert first.json()["status"] == "requesting"
    session = first.headers["Location"]
    wait_until(lambda: layout.get(session, headers=device).json()["status"] != "requesting", timeout=40, interval=0.5)
    ready = layout.get(session, headers=device).json()
    assert ready["status"] == "ready", layout.output()
    assert ready["push_url"] and layout.sandbox.stream(ready["live_stream_name"])["state"] == "not_started"
    again = go_live(layout, device, first_key)
    assert (again.status_code, again.json()["id"]) == (201, first.json()["id"])
    assert len(layout.sandbox.requests(endpoint="pushUrls")) == 2


def test_pages_come_over_https_with_security_headers_and_static_files_cached_for_good(layout):
    home = layout.get("/")
    assert home.status_code == 200
    assert "max-age=31536000" in home.headers["Strict-Transport-Security"]
    assert "default-src 'self'" in home.headers["Content-Security-Policy"]
    stylesheet = re.search(r'href="(/static/css/kslive\.[0-9a-f]{12}\.css)"', home.text).group(1)
    css = layout.get(stylesheet)
    assert css.status_code == 200 and "immutable" in css.headers["Cache-Control"]
    plain = requests.get(f"http://127.0.0.1:{layout.site.http_port}/", headers={"Host": HOST},
                         allow_redirects=False, timeout=10)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")


def test_a_relay_session_hears_its_encoder_through_the_ingests_hooks(layout, device):
    # The relay ingest's hooks call gunicorn directly, over plain http on loopback: the
    # production settings must let them through (no https redirect, no foreign Host refusal).
    created = layout.post("/api/v1/live-sessions", headers={**device, "Idempotency-Key": uuid.uuid4().hex},
                          files={"cover": ("cover.jpg", cover(), "image/jpeg")},
                          data={"caption": "彩排", "relay": "true"})
    assert created.status_code == 201, created.text
    relay = created.json()["relay"]
    assert relay["ingest_url"].startswith(f"rtmp://127.0.0.1:{layout.ports[1936]}/rehearse")
    encoder = Encoder(relay["ingest_url"], log_dir=layout.directory).start()
    try:
        session = created.headers["Location"]

        def relay_now() -> dict:
            return layout.get(session, headers=device).json()["relay"]

        wait_until(lambda: (now := relay_now())["receiving"] and now["check"]["overall"], timeout=30, interval=0.5)
        relay = relay_now()
        assert relay["receiving"], layout.output()
        assert relay["check"]["overall"] in ("green", "amber"), relay["check"]  # the agent checked it
    finally:
        encoder.kill()
    # A push with a made-up key is refused by the hook, so the ingest drops it.
    stranger = Encoder(f"rtmp://127.0.0.1:{layout.ports[1936]}/rehearse/nobody?key=guess",
                       log_dir=layout.directory, name="stranger", seconds=5).start()
    assert stranger.process.popen.wait(timeout=20) != 0


def test_admin_password_guesses_are_limited_whatever_address_the_guesser_claims(layout):
    layout.manage("shell", "--no-imports", "-c", (
        "from django.contrib.auth import get_user_model\n"
        "get_user_model().objects.create_superuser('ops', password='the-right-long-password')\n"))
    admin = requests.Session()

    def guess(number: int) -> int:
        login = layout.get("/admin/login/", cookies=admin.cookies)
        admin.cookies.update(login.cookies)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
        return layout.post("/admin/login/?next=/admin/", cookies=admin.cookies, allow_redirects=False,
                           headers={"X-Forwarded-For": f"198.51.100.{number}", "Referer": layout.site_url + "/admin/login/"},
                           data={"csrfmiddlewaretoken": token, "username": "ops", "password": f"guess-{number}"}).status_code

    answers = [guess(number) for number in range(1, 8)]

    assert answers[:4] == [200] * 4, answers  # the form again, with an error
    assert set(answers[4:]) == {429}, answers  # locked out, though each try claimed a new address
