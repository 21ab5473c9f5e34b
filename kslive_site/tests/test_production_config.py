"""Production, configured as the README says, passes Django's deploy check; a bad configuration
refuses to start instead of failing at first use."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from devtools.processes import Process
from sandbox import demo

REPO = Path(__file__).resolve().parents[2]


def documented_production_env() -> dict:
    """Return the .env of README's "Run it in production", with its placeholders filled in."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Run it in production", 1)[1]
    block = re.search(r"and write.*?```sh\n(.*?)```", section, re.S).group(1)
    env = dict(line.split("=", 1) for line in block.splitlines() if line and not line.startswith("#"))
    env.update(SECRET_KEY=Fernet.generate_key().decode() + Fernet.generate_key().decode(),
               TOKEN_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
               KUAISHOU_APP_ID="ks123456", KUAISHOU_APP_SECRET="a-real-looking-secret", KUAISHOU_BIZ_ID="biz-1")
    return env


def production_env(tmp_path: Path, **env) -> dict:
    """Return exactly the production environment plus `env`, with its files under tmp_path."""
    clean = {key: value for key, value in os.environ.items()
             if not key.startswith(("KUAISHOU_", "DEBUG", "SECRET_KEY", "REDIS_URL", "DATABASE_URL", "TOKEN_",
                                    "SITE_URL", "ALLOWED_HOSTS", "DJANGO_", "SECURE_"))}
    clean.update(documented_production_env(), VAR_DIR=str(tmp_path), STATIC_ROOT=str(tmp_path / "static"),
                 DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", KSLIVE_ENV_FILE="")
    clean.update(env)
    return clean


def run(args: list[str], tmp_path: Path, **env) -> subprocess.CompletedProcess:
    """Run a command in a fresh interpreter with exactly the production environment plus `env`."""
    return subprocess.run([sys.executable, *args], cwd=REPO, env=production_env(tmp_path, **env),
                          capture_output=True, text=True, timeout=120)


def check_deploy(tmp_path, **env):
    return run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **env)


def start_web(tmp_path, **env):
    return run(["-c", "import kslive_site.wsgi"], tmp_path, **env)


def test_the_documented_production_environment_passes_the_deploy_check_at_warning_level(tmp_path):
    result = check_deploy(tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_documented_production_environment_starts(tmp_path):
    result = start_web(tmp_path)

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("env, says", [
    ({"KUAISHOU_OPEN_BASE": "http://open.kuaishou.com"}, "KUAISHOU_OPEN_BASE is 'http://open.kuaishou.com'"),
    ({"KUAISHOU_APP_ID": demo.APP_ID}, "the sandbox's demo app"),
    ({"KUAISHOU_APP_SECRET": demo.APP_SECRET}, "the sandbox's demo app"),
    ({"SITE_URL": "http://kslive.example.com"}, "SITE_URL is 'http://kslive.example.com'"),
    ({"SITE_URL": ""}, "SITE_URL is not set"),
], ids=["http-kuaishou", "demo-app-id", "demo-app-secret", "http-site", "no-site"])
def test_a_bad_production_configuration_refuses_to_start_and_fails_the_deploy_check(tmp_path, env, says):
    started = start_web(tmp_path, **env)
    checked = check_deploy(tmp_path, **env)

    assert started.returncode != 0 and says in started.stderr
    assert checked.returncode != 0 and says in checked.stderr + checked.stdout


def test_http_to_this_very_host_is_allowed_for_a_local_sandbox(tmp_path):
    assert start_web(tmp_path, KUAISHOU_OPEN_BASE="http://127.0.0.1:8001").returncode == 0


def test_the_demo_app_is_allowed_with_a_sandbox_on_this_very_host(tmp_path):
    started = start_web(tmp_path, KUAISHOU_OPEN_BASE="http://127.0.0.1:8001", KUAISHOU_APP_ID=demo.APP_ID,
                        KUAISHOU_APP_SECRET=demo.APP_SECRET)

    assert started.returncode == 0, started.stderr


@pytest.mark.parametrize("command", ["worker", "beat"])
def test_celery_refuses_to_start_on_a_bad_production_configuration(tmp_path, command):
    # Celery only logs what a start-up signal handler raises, and goes on: this one must end it.
    started = run(["-m", "celery", "-A", "kslive_site", command, "--loglevel", "INFO"], tmp_path,
                  KUAISHOU_APP_ID=demo.APP_ID)

    assert started.returncode == 1
    assert "the sandbox's demo app" in started.stderr
    assert " ready." not in started.stdout + started.stderr


def test_celery_starts_on_the_documented_production_configuration(tmp_path):
    worker = Process("celery-worker", [sys.executable, "-m", "celery", "-A", "kslive_site", "worker", "--pool",
                                       "threads", "--concurrency", "1", "--loglevel", "INFO"],
                     env=production_env(tmp_path), log_dir=tmp_path)
    try:
        worker.start(ready=lambda: " ready." in worker.output(), timeout=60)  # raises with its output if not
        assert worker.running() and " ready." in worker.output()
    finally:
        worker.stop()


def test_webhooks_to_private_addresses_start_but_the_deploy_check_warns(tmp_path):
    checked = check_deploy(tmp_path, KSLIVE_WEBHOOK_ALLOW_PRIVATE="1")

    assert start_web(tmp_path, KSLIVE_WEBHOOK_ALLOW_PRIVATE="1").returncode == 0
    assert checked.returncode != 0 and "kslive.W001" in checked.stdout + checked.stderr


def test_an_unusable_fernet_key_refuses_to_start_naming_its_position(tmp_path):
    result = start_web(tmp_path, TOKEN_ENCRYPTION_KEYS=f"{Fernet.generate_key().decode()},not-a-key")

    assert result.returncode != 0
    assert "TOKEN_ENCRYPTION_KEYS entry 2 is not a Fernet key" in result.stderr


def store_secrets_with(key: str, tmp_path: Path) -> None:
    """Make the production database and store a person's tokens in it, encrypted with `key`."""
    assert run(["manage.py", "migrate", "-v0"], tmp_path, TOKEN_ENCRYPTION_KEYS=key).returncode == 0
    seeded = run(["-c", "import django; django.setup(); from tests.helpers import make_credential; make_credential()"],
                 tmp_path, TOKEN_ENCRYPTION_KEYS=key, DJANGO_SETTINGS_MODULE="kslive_site.settings")
    assert seeded.returncode == 0, seeded.stderr


def test_a_removed_key_that_stored_secrets_need_refuses_to_start_naming_the_rows(tmp_path):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    store_secrets_with(old, tmp_path)

    result = start_web(tmp_path, TOKEN_ENCRYPTION_KEYS=new)

    assert result.returncode != 0
    assert "accounts.KuaishouCredential.access_token: 1 row(s) need key" in result.stderr
    assert "reencrypt_secrets" in result.stderr
    assert start_web(tmp_path, TOKEN_ENCRYPTION_KEYS=f"{new},{old}").returncode == 0
