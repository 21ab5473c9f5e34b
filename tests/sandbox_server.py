"""Pytest plugin: run the Kuaishou sandbox (python -m sandbox) for tests that need it.

Fixtures:
- ``sandbox_server`` (session): one sandbox process for the whole run.
- ``sandbox`` (function): the same server, reset to its seeded state before the test. Its
  reply shape is the run's: "documented" unless KSLIVE_TEST_REPLY_SHAPE=extended (CI's second
  pass), so every test that does not choose a shape runs in both.
- ``sandbox_any_shape`` (function): the same, once per reply shape: "documented" (exactly
  the fields of the documents' examples, the default) and "extended" (later pages' fields).

Each is a devtools.sandbox_server.SandboxServer: point the code under test at ``sandbox.url()``.
"""

import pytest

from devtools.sandbox_server import SandboxServer

REPLY_SHAPES = ("documented", "extended")


@pytest.fixture(scope="session")
def sandbox_server():
    """Run one sandbox process for the test session."""
    server = SandboxServer().start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server):
    """Give the test a freshly reset sandbox, in the run's reply shape (KSLIVE_TEST_REPLY_SHAPE)."""
    sandbox_server.reset()
    yield sandbox_server


@pytest.fixture(params=REPLY_SHAPES)
def sandbox_any_shape(request, sandbox):
    """Give the test a freshly reset sandbox replying in each shape in turn."""
    return sandbox.use_reply_shape(request.param)
