"""Fixtures of the sandbox's own tests (the sandbox fixture itself lives in tests/sandbox_server.py)."""

import http.server
import threading

import pytest


@pytest.fixture
def sandbox(sandbox):
    """The sandbox in its own default shape, the documented one, whatever shape the run's is:
    these tests check that default; the tests that want the extended shape switch to it."""
    return sandbox.use_reply_shape("documented")


class Asked(list):
    """The paths asked of the stand-in control API, and its base URL."""

    base_url = ""


@pytest.fixture
def rtmp_control():
    """Run a stand-in for nginx-rtmp's control API; yield the list of paths it was asked for."""
    asked = Asked()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"1")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    asked.base_url = f"http://127.0.0.1:{server.server_port}/control"
    yield asked
    server.shutdown()
    server.server_close()
