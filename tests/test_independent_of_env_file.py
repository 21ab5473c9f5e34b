"""The test suite sees none of a developer's .env: hostile values there change nothing."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HOSTILE = """\
DEBUG=0
KSLIVE_POLL_READY_FAST=99
KSLIVE_POLL_LIVING=1
KSLIVE_POLL_TICK=7
KUAISHOU_STATUS_CALLS_PER_MINUTE=1
KUAISHOU_OPEN_BASE=http://192.0.2.1:9
REDIS_URL=redis://192.0.2.1:9/0
DATABASE_URL=postgres://nobody@192.0.2.1:9/none
"""


def test_a_hostile_env_file_does_not_reach_the_tests(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(HOSTILE)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "KSLIVE_", "DATABASE_URL",
                                                                                   "REDIS_URL"))}
    env["KSLIVE_ENV_FILE"] = str(env_file)  # as if `make test` ran next to it

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "streams/tests/test_polling.py::test_polls_come_often_after_issue_then_calmer_and_steady_while_living",
         "streams/tests/test_polling.py::test_beat_dispatches_polls_every_second"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "passed" in result.stdout
