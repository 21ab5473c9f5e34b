"""The Kuaishou sandbox (python -m sandbox) as a process tests and benches start and steer.

Point the code under test at ``server.url()`` (the OAuth and live API base URL). Change
settings with ``server.config(drop_grace=5)`` rather than by restarting. The pytest fixtures
around it are in tests/sandbox_server.py.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

from devtools.processes import free_port
from sandbox import demo

REPO_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 20
# The reply shape a test run's sandboxes start in: "documented" (the sandbox's own default,
# exactly the documents' examples) or "extended" (what later pages add). CI runs the whole
# suite once in each.
REPLY_SHAPE = os.environ.get("KSLIVE_TEST_REPLY_SHAPE", "documented")


class SandboxServer:
    """A sandbox process on a free port with its own throw-away database."""

    def __init__(self, **env):
        self.env = env  # SANDBOX_* settings of this sandbox, e.g. SANDBOX_DEMO_APP_ID
        self.default_reply_shape = env.get("SANDBOX_REPLY_SHAPE", REPLY_SHAPE)
        self.reply_shape = self.default_reply_shape  # what it replies in now
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._dir = tempfile.mkdtemp(prefix="kslive-sandbox-")
        self._log_path = Path(self._dir) / "sandbox.log"
        self._process = None
        self.http = requests.Session()

    def start(self) -> "SandboxServer":
        """Start the process and wait until it answers its health check."""
        # Start from the sandbox's own defaults, whatever the developer's shell exports.
        env = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_") and k != "DJANGO_SETTINGS_MODULE"}
        env.update(SANDBOX_DB=str(Path(self._dir) / "sandbox.sqlite3"), SANDBOX_PUBLIC_URL=self.base_url,
                   SANDBOX_REPLY_SHAPE=self.default_reply_shape)
        env.update(self.env)
        log = open(self._log_path, "wb")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "sandbox", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            try:
                if self.http.get(self.url("/_sandbox/healthz"), timeout=1).ok:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the sandbox did not start; its output:\n{self.output()}")

    def stop(self) -> None:
        """Stop the process and remove its database."""
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self.http.close()
        shutil.rmtree(self._dir, ignore_errors=True)

    def output(self) -> str:
        """Return what the process has printed so far."""
        try:
            return self._log_path.read_text(errors="replace")
        except OSError:
            return ""

    def url(self, path: str = "") -> str:
        """Return the absolute URL of a path on the sandbox ("" for the base URL)."""
        return self.base_url + path

    def _post(self, path: str, payload: dict | None = None) -> dict:
        reply = self.http.post(self.url(path), json=payload or {}, timeout=10)
        reply.raise_for_status()
        return reply.json()

    def reset(self) -> None:
        """Forget everything (tokens, streams, faults, log, clock) and restore the default config."""
        self._post("/_sandbox/reset")
        self.reply_shape = self.default_reply_shape

    def use_reply_shape(self, shape: str) -> "SandboxServer":
        """Reply in this shape ("documented" or "extended") until the next reset."""
        if shape != self.reply_shape:
            self.config(reply_shape=shape)
            self.reply_shape = shape
        return self

    def config(self, **settings) -> dict:
        """Change settings (access_token_ttl, code_ttl, push_url_ttl, drop_grace, rate_limit, rtmp_url, ...)."""
        return self._post("/_sandbox/config", settings)

    def clock(self, advance: float | None = None, offset: float | None = None) -> dict:
        """Move the sandbox clock forward by ``advance`` seconds (or set its offset)."""
        payload = {key: value for key, value in (("advance", advance), ("offset", offset)) if value is not None}
        return self._post("/_sandbox/clock", payload)

    def fault(self, endpoint: str, result: int | None = None, count: int = 1, latency_ms: int = 0,
              http_status: int | None = None, malformed: bool = False, body: dict | None = None) -> dict:
        """Make the next ``count`` calls of an endpoint fail (count -1: until reset); ``body``
        answers exactly that JSON object."""
        return self._post("/_sandbox/faults", {
            "endpoint": endpoint, "result": result, "count": count, "latency_ms": latency_ms,
            "http_status": http_status, "malformed": malformed, "body": body,
        })

    def requests(self, endpoint: str | None = None) -> list[dict]:
        """Return the requests the upstream endpoints received, oldest first."""
        reply = self.http.get(self.url("/_sandbox/requests"), params={"endpoint": endpoint or ""}, timeout=10)
        reply.raise_for_status()
        return reply.json()

    def seed_streams(self, count: int, *, user: str = "xiaoming", living: bool = True) -> list[str]:
        """Issue `count` push URLs for a demo user at once, their lives already on; return their names."""
        return self._post("/_sandbox/seed-streams", {"count": count, "user": user, "living": living})["names"]

    def calls(self) -> dict:
        """Return how many calls each upstream endpoint received since the last reset."""
        reply = self.http.get(self.url("/_sandbox/counts"), timeout=10)
        reply.raise_for_status()
        return reply.json()

    def status_calls(self) -> int:
        """Return how many status calls the sandbox answered since the last reset (counted even with
        the request log off: config(request_log=0))."""
        return self.calls().get("status", 0)

    def publish(self, name: str) -> dict:
        """Act as an encoder connecting to the push URL; return {"ok", "stream"}, plus "reason" if refused."""
        return self.http.post(self.url(f"/_sandbox/streams/{name}/publish"), json={}, timeout=10).json()

    def drop(self, name: str) -> dict:
        """Act as the encoder disconnecting; return {"ok", "stream"}."""
        return self._post(f"/_sandbox/streams/{name}/drop")

    def publisher_gaps(self, name: str) -> list[float]:
        """Return the seconds a stream went without a publisher, per reconnect (from the ingest's
        hooks in the request log: each publish_done to the next accepted publish)."""
        from datetime import datetime

        done = [datetime.fromisoformat(r["received_at"]) for r in self.requests("on_publish_done")
                if r["form"].get("name") == name]
        published = [datetime.fromisoformat(r["received_at"]) for r in self.requests("on_publish")
                     if r["form"].get("name", "").partition("?")[0] == name and r["http_status"] == 200]
        gaps = []
        for left in done:
            back = [at for at in published if at >= left]
            if back:
                gaps.append((min(back) - left).total_seconds())
        return gaps

    def stream(self, name: str) -> dict:
        """Return a stream's full state (state, end_reason, sign, times, cover)."""
        reply = self.http.get(self.url(f"/_sandbox/streams/{name}"), timeout=10)
        reply.raise_for_status()
        return reply.json()

    def app(self, app_id: str = demo.APP_ID, **changes) -> dict:
        """Play an operator's fault on the app: app(secret=None) regenerates its secret, so
        ours is wrong; app(suspended=True); app(restore=True) undoes both."""
        return self._post(f"/_sandbox/apps/{app_id}", changes)

    def authorize(self, user: str = "xiaoming", scope: str = "user_info,user_video_live",
                  redirect_uri: str = "http://127.0.0.1/callback", app_id: str = demo.APP_ID) -> str:
        """Consent as a demo user, as a person would on the consent page; return the code."""
        reply = self.http.post(self.url("/oauth2/authorize"), data={
            "app_id": app_id, "redirect_uri": redirect_uri, "scope": scope, "user": user,
            "grant": scope.split(","), "action": "allow",
        }, allow_redirects=False, timeout=10)
        return parse_qs(urlsplit(reply.headers["Location"]).query)["code"][0]
