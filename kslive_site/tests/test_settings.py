import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def load_settings(**env):
    """Import the settings in a fresh interpreter with exactly this environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KUAISHOU_", "DEBUG", "SECRET_KEY", "REDIS_URL", "DATABASE_URL"))}
    clean.update(env)
    code = (
        "import django, os\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'kslive_site.settings'\n"
        "django.setup()\n"
        "from django.conf import settings as s\n"
        "print(s.CELERY_BROKER_URL, s.CACHES['default']['BACKEND'], s.DATABASES['default']['ENGINE'])\n"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, env=clean, capture_output=True, text=True)


KUAISHOU = {"KUAISHOU_APP_ID": "a", "KUAISHOU_APP_SECRET": "s", "KUAISHOU_BIZ_ID": "b"}


def test_production_refuses_to_start_without_a_secret_key():
    result = load_settings(DEBUG="0", **KUAISHOU)

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_to_start_without_kuaishou_credentials():
    result = load_settings(DEBUG="0", SECRET_KEY="x" * 50, KUAISHOU_APP_ID="a")

    assert result.returncode != 0
    assert "KUAISHOU_APP_SECRET, KUAISHOU_BIZ_ID not set" in result.stderr


def test_a_misspelled_boolean_is_refused_with_its_name():
    result = load_settings(DEBUG="maybe")

    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_development_needs_no_server_at_all():
    result = load_settings(DEBUG="1")

    assert result.returncode == 0, result.stderr
    broker, cache, database = result.stdout.split()
    assert broker == "filesystem://"
    assert cache.endswith("FileBasedCache")
    assert database.endswith("sqlite3")


def test_redis_url_moves_broker_and_cache_to_redis():
    result = load_settings(DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/3")

    assert result.returncode == 0, result.stderr
    broker, cache, _ = result.stdout.split()
    assert broker == "redis://127.0.0.1:6379/3"
    assert cache.endswith("RedisCache")


def test_database_url_selects_postgresql():
    result = load_settings(DEBUG="1", DATABASE_URL="postgres://kslive@db:5432/kslive")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[2].endswith("postgresql")


def test_every_command_reads_the_env_file_like_make_does(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\nREDIS_URL=redis://127.0.0.1:6379/5\n")

    result = load_settings(KSLIVE_ENV_FILE=str(env_file))

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "redis://127.0.0.1:6379/5"


def test_the_environment_wins_over_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\nREDIS_URL=redis://127.0.0.1:6379/5\n")

    result = load_settings(KSLIVE_ENV_FILE=str(env_file), REDIS_URL="redis://127.0.0.1:6379/7")

    assert result.stdout.split()[0] == "redis://127.0.0.1:6379/7"


def test_the_example_env_file_that_make_run_copies_is_a_working_development_setup():
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=REPO, capture_output=True, text=True,
                            env={"PATH": os.environ["PATH"], "KSLIVE_ENV_FILE": str(REPO / ".env.example")})

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
