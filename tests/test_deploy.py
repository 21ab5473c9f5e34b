"""The production layout in deploy/: the nginx site, the gunicorn config, the systemd units.

The nginx tests run the shipped site file with as few changes as a test machine needs
(a self-signed certificate instead of Let's Encrypt's, ports and folders of its own), and
each change must find exactly the text it replaces, so that they keep testing the file an
operator installs.
"""

import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings

from streams.covers import MAX_UPLOAD_BYTES
from tests.needs import require_executable
from tests.nginx_site import (
    HOST,
    SITE,
    ServedSite,
    free_port,
    nginx_config,
    replace,
    site_with_test_certificate,
)

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
GUNICORN_CONF = DEPLOY / "gunicorn.conf.py"
UNITS = DEPLOY / "systemd"
# Where README.md tells the operator to put the checkout.
CHECKOUT = "/srv/kslive"

MiB = 1024 * 1024


def directive(name: str) -> list[str]:
    """Return the value of every `name ...;` in the shipped site, comments left out."""
    text = re.sub(r"#[^\n]*", "", SITE.read_text())
    return [value.strip() for value in re.findall(rf"^\s*{name}\s+([^;]+);", text, re.M)]


def nginx_size(value: str) -> int:
    units = {"": 1, "k": 1024, "m": MiB, "g": 1024 * MiB}
    number, unit = re.fullmatch(r"(\d+)([kmg]?)", value.lower()).groups()
    return int(number) * units[unit]


def nginx_seconds(value: str) -> int:
    units = {"": 1, "s": 1, "m": 60, "h": 3600}
    number, unit = re.fullmatch(r"(\d+)([smh]?)", value).groups()
    return int(number) * units[unit]


@pytest.mark.needs("nginx")
def test_the_nginx_site_passes_nginx_t(tmp_path):
    nginx = require_executable("nginx", "/usr/sbin/nginx")
    site = site_with_test_certificate(tmp_path)
    if os.geteuid() != 0:
        # nginx -t binds the ports it would listen on; only root may bind 80 and 443.
        site = replace(site, "listen 80;", f"listen {free_port()};", 1)
        site = replace(site, "listen [::]:80;", f"listen [::]:{free_port()};", 1)
        site = replace(site, "listen 443 ", f"listen {free_port()} ", 1)
        site = replace(site, "listen [::]:443 ", f"listen [::]:{free_port()} ", 1)
    config = nginx_config(tmp_path, site)

    result = subprocess.run([nginx, "-e", "stderr", "-t", "-p", str(tmp_path), "-c", str(config)],
                            capture_output=True, text=True, timeout=30)

    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_nginx_lets_through_exactly_what_django_accepts():
    limits = directive("client_max_body_size")

    assert len(limits) == 1, limits
    limit = nginx_size(limits[0])
    # A cover of exactly MAX_UPLOAD_BYTES, plus its multipart envelope, must reach Django
    # (which accepts it); one well over must reach Django too, to get Django's message.
    assert limit > MAX_UPLOAD_BYTES, f"nginx refuses {limits[0]} and more; Django accepts {MAX_UPLOAD_BYTES} bytes"
    assert limit <= MAX_UPLOAD_BYTES + 2 * MiB, f"nginx lets through {limits[0]}, far above Django's {MAX_UPLOAD_BYTES} bytes"


# gunicorn's config, loaded in a fresh interpreter with exactly the environment a test gives.

KNOBS = ("WEB_CONCURRENCY", "WEB_THREADS", "WEB_TIMEOUT", "GUNICORN_BIND", "KSLIVE_REQUEST_DEADLINE")
SETTINGS = ("workers", "threads", "timeout", "graceful_timeout", "worker_class", "bind", "forwarded_allow_ips",
            "access_log_format", "accesslog", "errorlog", "preload_app")


def load_gunicorn_config(checkout: Path, **env):
    """Run a copy of deploy/gunicorn.conf.py placed in `checkout`; return the process result."""
    (checkout / "deploy").mkdir(exist_ok=True)
    config = shutil.copy(GUNICORN_CONF, checkout / "deploy" / "gunicorn.conf.py")
    clean = {name: value for name, value in os.environ.items() if name not in KNOBS}
    code = (
        "import json, runpy, sys\n"
        "names = runpy.run_path(sys.argv[1])\n"
        f"print(json.dumps({{name: names[name] for name in {SETTINGS!r}}}))\n"
    )
    return subprocess.run([sys.executable, "-c", code, str(config)], env={**clean, **env},
                          capture_output=True, text=True, timeout=30)


def gunicorn_settings(checkout: Path, **env) -> dict:
    result = load_gunicorn_config(checkout, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_gunicorn_runs_threaded_workers_on_localhost_by_default(tmp_path):
    config = gunicorn_settings(tmp_path)

    assert config["worker_class"] == "gthread"
    assert (config["workers"], config["threads"], config["timeout"]) == (2, 8, 60)
    assert config["bind"] == "127.0.0.1:8000"
    assert config["forwarded_allow_ips"] == "127.0.0.1"
    assert config["preload_app"] is False


def test_gunicorn_takes_its_numbers_from_the_environment(tmp_path):
    config = gunicorn_settings(tmp_path, WEB_CONCURRENCY="3", WEB_THREADS="16", WEB_TIMEOUT="90",
                               GUNICORN_BIND="127.0.0.1:9000")

    assert (config["workers"], config["threads"], config["timeout"]) == (3, 16, 90)
    assert config["graceful_timeout"] == 90
    assert config["bind"] == "127.0.0.1:9000"


def test_gunicorn_reads_the_checkouts_env_file_but_the_environment_wins(tmp_path):
    (tmp_path / ".env").write_text("WEB_CONCURRENCY=4\nWEB_THREADS=12\n")

    config = gunicorn_settings(tmp_path, WEB_THREADS="6")

    assert (config["workers"], config["threads"]) == (4, 6)


def test_gunicorn_refuses_a_timeout_below_the_request_deadline(tmp_path):
    result = load_gunicorn_config(tmp_path, WEB_TIMEOUT="25")

    assert result.returncode != 0
    assert "WEB_TIMEOUT (25) must be at least KSLIVE_REQUEST_DEADLINE + 15" in result.stderr


def test_gunicorn_refuses_a_longer_deadline_without_a_longer_timeout(tmp_path):
    result = load_gunicorn_config(tmp_path, KSLIVE_REQUEST_DEADLINE="50")

    assert result.returncode != 0
    assert "WEB_TIMEOUT (60) must be at least KSLIVE_REQUEST_DEADLINE + 15 (50 + 15)" in result.stderr


def test_gunicorn_names_a_setting_that_is_not_a_number(tmp_path):
    result = load_gunicorn_config(tmp_path, WEB_THREADS="eight")

    assert result.returncode != 0
    assert "WEB_THREADS must be a whole number, not 'eight'" in result.stderr


def test_gunicorns_logs_leave_out_query_strings(tmp_path):
    config = gunicorn_settings(tmp_path)

    assert (config["accesslog"], config["errorlog"]) == ("-", "-")
    assert "%(U)s" in config["access_log_format"]
    assert "%(r)s" not in config["access_log_format"]
    assert "%(q)s" not in config["access_log_format"]


def test_gunicorn_accepts_the_config_and_loads_the_app(tmp_path):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = {**os.environ, "DEBUG": "1", "VAR_DIR": str(tmp_path)}

    result = subprocess.run([str(gunicorn), "--check-config", "-c", str(GUNICORN_CONF), "kslive_site.wsgi"],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stdout + result.stderr


def test_gunicorn_outlasts_djangos_request_deadline(tmp_path):
    deadline = getattr(settings, "KSLIVE_REQUEST_DEADLINE", None)
    if deadline is None:
        pytest.skip("settings.KSLIVE_REQUEST_DEADLINE is not there yet")

    assert gunicorn_settings(tmp_path)["timeout"] >= deadline + 15


def test_nginx_waits_for_gunicorn_longer_than_gunicorn_waits_for_django(tmp_path):
    (read_timeout,) = directive("proxy_read_timeout")

    assert nginx_seconds(read_timeout) > gunicorn_settings(tmp_path)["timeout"]


# The systemd units.

def read_unit(path: Path) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # systemd's keys are case-sensitive
    unit.read_string(path.read_text())
    return unit


def services() -> dict[str, configparser.ConfigParser]:
    return {path.name: read_unit(path) for path in sorted(UNITS.glob("*.service"))}


def command(unit: configparser.ConfigParser) -> list[str]:
    return unit["Service"]["ExecStart"].split()


def test_there_is_a_unit_for_web_worker_beat_and_the_relay():
    assert set(services()) == {"kslive-web.service", "kslive-worker.service", "kslive-beat.service",
                              "kslive-relay-ingest.service", "kslive-relay-agent.service"}


def test_every_unit_runs_from_the_checkouts_venv_as_kslive():
    for name, unit in services().items():
        service = unit["Service"]
        assert command(unit)[0].startswith(f"{CHECKOUT}/.venv/bin/"), name
        assert service["User"] == "kslive", name
        assert service["WorkingDirectory"] == CHECKOUT, name
        assert service["Restart"] == "on-failure", name


def test_every_unit_may_write_only_to_var_lib_kslive():
    for name, unit in services().items():
        service = unit["Service"]
        assert service["ProtectSystem"] == "strict", name
        assert service["ReadWritePaths"] == "/var/lib/kslive", name
        assert (service["NoNewPrivileges"], service["PrivateTmp"], service["ProtectHome"]) == ("yes", "yes", "yes"), name


def test_the_web_unit_runs_gunicorn_with_the_shipped_config():
    args = command(services()["kslive-web.service"])

    assert args[0] == f"{CHECKOUT}/.venv/bin/gunicorn"
    config = args[args.index("-c") + 1]
    assert config == f"{CHECKOUT}/deploy/gunicorn.conf.py"
    assert (REPO / Path(config).relative_to(CHECKOUT)).is_file()
    assert args[-1] == "kslive_site.wsgi"


def test_exactly_one_unit_runs_beat_and_no_worker_runs_it_too():
    commands = {name: command(unit) for name, unit in services().items()}

    beats = [name for name, args in commands.items() if "beat" in args]
    assert beats == ["kslive-beat.service"]
    for name, args in commands.items():
        assert "-B" not in args and "--beat" not in args, name
    assert commands["kslive-worker.service"][1:4] == ["-A", "kslive_site", "worker"]


def test_beat_keeps_its_schedule_where_it_may_write():
    unit = services()["kslive-beat.service"]
    args = command(unit)

    schedule = args[args.index("--schedule") + 1]
    assert schedule.startswith(unit["Service"]["ReadWritePaths"] + "/")


def test_the_target_starts_and_stops_all_three():
    target = read_unit(UNITS / "kslive.target")

    assert set(target["Unit"]["Wants"].split()) == set(services())
    for name, unit in services().items():
        assert unit["Unit"]["PartOf"] == "kslive.target", name
    assert target["Install"]["WantedBy"] == "multi-user.target"


def test_systemd_finds_nothing_wrong_with_the_units_but_the_missing_venv():
    # An extra check, where systemd-analyze exists: never required, not even under CI=true.
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("systemd-analyze is not installed")
    units = sorted(str(path) for path in UNITS.iterdir())

    result = subprocess.run([analyze, "verify", *units], capture_output=True, text=True, timeout=60)

    # Here the checkout's venv does not exist; on the server it does.
    missing_venv = re.compile(rf"^\S+: Command {CHECKOUT}/\.venv/bin/\w+ is not executable: No such file or directory$")
    complaints = [line for line in (result.stdout + result.stderr).splitlines() if not missing_venv.match(line)]
    assert complaints == []


# The site served for real by nginx, with gunicorn played by a server that records what it gets.

class Upstream(ThreadingHTTPServer):
    """Answer every request with 200 and remember what reached it."""

    daemon_threads = True

    def __init__(self):
        self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(handler):
                self.received.append({"path": handler.path, "headers": handler.headers, "body_length": 0})
                self.answer(handler)

            def do_POST(handler):
                length = int(handler.headers["Content-Length"])
                while length:
                    length -= len(handler.rfile.read(min(length, MiB)))
                self.received.append({"path": handler.path, "headers": handler.headers,
                                      "body_length": int(handler.headers["Content-Length"])})
                self.answer(handler)

            def log_message(handler, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @staticmethod
    def answer(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "6")
        handler.end_headers()
        handler.wfile.write(b"django")


@pytest.fixture(scope="module")
def served_site(tmp_path_factory):
    nginx = require_executable("nginx", "/usr/sbin/nginx")
    upstream = Upstream()
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    site = ServedSite(tmp_path_factory.mktemp("nginx"), nginx, upstream_port=upstream.server_address[1])
    site.upstream = upstream
    yield site
    site.stop()
    upstream.shutdown()
    upstream.server_close()


@pytest.fixture
def upstream(served_site):
    """The requests that reach gunicorn's place during one test."""
    served_site.upstream.received.clear()
    return served_site.upstream.received


@pytest.mark.needs("nginx")
def test_plain_http_is_sent_to_https(served_site, upstream):
    response = served_site.over_http("GET", "/live/new/?from=qr")

    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}/live/new/?from=qr"
    assert response.getheader("Server") == "nginx"  # no version
    assert upstream == []


@pytest.mark.needs("nginx")
def test_certbot_renews_over_plain_http(served_site):
    challenge = served_site.acme / ".well-known" / "acme-challenge" / "token-123"
    challenge.parent.mkdir(parents=True, exist_ok=True)
    challenge.write_text("token-123.thumbprint")

    response = served_site.over_http("GET", "/.well-known/acme-challenge/token-123")

    assert response.status == 200
    assert response.text == "token-123.thumbprint"


@pytest.mark.needs("nginx")
def test_django_hears_https_and_the_real_client_whatever_the_client_claims(served_site, upstream):
    response = served_site.over_https("GET", "/live/new/", headers={
        "X-Forwarded-Proto": "http", "X-Real-IP": "203.0.113.9", "X-Forwarded-For": "203.0.113.9",
    })

    assert (response.status, response.text) == (200, "django")
    (request,) = upstream
    assert request["path"] == "/live/new/"
    assert request["headers"]["Host"] == HOST
    assert request["headers"].get_all("X-Forwarded-Proto") == ["https"]
    assert request["headers"]["X-Real-IP"] == "127.0.0.1"
    # Django and gunicorn look only at the last address, the one nginx saw.
    assert request["headers"]["X-Forwarded-For"] == "203.0.113.9, 127.0.0.1"


@pytest.mark.needs("nginx")
def test_a_cover_of_the_largest_size_django_accepts_reaches_django(served_site, upstream):
    boundary = "kslive-test-boundary"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"caption\"\r\n\r\n湖边日出\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"cover\"; filename=\"cover.jpg\"\r\n"
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode() + b"\xff" * MAX_UPLOAD_BYTES + f"\r\n--{boundary}--\r\n".encode()

    response = served_site.over_https("POST", "/live/new/", body=body,
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})

    assert response.status == 200
    assert [request["body_length"] for request in upstream] == [len(body)]


@pytest.mark.needs("nginx")
def test_an_upload_far_above_the_limit_is_refused_by_nginx(served_site, upstream):
    connection = served_site.tls_connection()
    # nginx answers from the announced length, before any of the body arrives.
    connection.putrequest("POST", "/live/new/", skip_host=True)
    connection.putheader("Host", HOST)
    connection.putheader("Content-Length", str(MAX_UPLOAD_BYTES + 4 * MiB))
    connection.endheaders()

    response = connection.getresponse()

    assert response.status == 413
    assert upstream == []


@pytest.mark.needs("nginx")
def test_static_files_come_from_static_root_and_hashed_ones_are_cached_for_good(served_site, upstream):
    (served_site.static / "css").mkdir(exist_ok=True)
    (served_site.static / "css" / "site.3f2a1b4c5d6e.css").write_text("body { color: red }")
    (served_site.static / "css" / "site.css").write_text("body { color: blue }")

    hashed = served_site.over_https("GET", "/static/css/site.3f2a1b4c5d6e.css")
    plain = served_site.over_https("GET", "/static/css/site.css")

    assert (hashed.status, hashed.text) == (200, "body { color: red }")
    assert hashed.getheader("Content-Type") == "text/css"
    assert hashed.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert (plain.status, plain.text) == (200, "body { color: blue }")
    assert plain.getheader("Cache-Control") == "public, max-age=60"
    assert upstream == []


@pytest.mark.needs("nginx")
def test_the_access_log_leaves_out_query_strings(served_site):
    served_site.over_https("GET", "/accounts/kuaishou/login/callback/?code=one-time-code-42&state=abc")

    log = served_site.access_log_after('"GET /accounts/kuaishou/login/callback/ HTTP/1.1"')
    assert '"GET /accounts/kuaishou/login/callback/ HTTP/1.1" 200' in log
    assert "one-time-code-42" not in log
