"""Settings of the sandbox process: a fake Kuaishou, sharing nothing with kslive."""

import os
import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# A fake service: the key protects nothing, so a fixed one keeps startup config-free.
SECRET_KEY = "kuaishou-sandbox-not-a-secret"
DEBUG = os.environ.get("SANDBOX_DEBUG", "").lower() in ("1", "true", "yes")
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = ["sandbox"]
# No sessions, auth or CSRF: every caller is a test, a demo or the kslive app.
MIDDLEWARE = []
ROOT_URLCONF = "sandbox.urls"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": []},
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("SANDBOX_DB") or str(REPO_ROOT / "var" / "sandbox.sqlite3"),
        "OPTIONS": {
            # The dev server answers each request in its own thread: take the write
            # lock up front and wait for it, instead of failing on upgrade deadlocks.
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;",
        },
    }
}

USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "zh-hans"
USE_I18N = False

# Covers up to 2 MiB must reach the view so it can answer 400014 itself.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024


class HideQueryStrings:
    """Drop query strings from request log lines: they carry tokens and secrets."""

    pattern = re.compile(r"\?\S*")

    def filter(self, record):
        if record.args and isinstance(record.args, tuple) and isinstance(record.args[0], str):
            record.args = (self.pattern.sub("?…", record.args[0]),) + record.args[1:]
        return True


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"hide_query": {"()": HideQueryStrings}},
    "formatters": {"plain": {"format": "[sandbox] %(levelname)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["hide_query"]},
    },
    "loggers": {
        # SANDBOX_LOG_LEVEL=WARNING drops the line per request (a bench's load).
        "django.server": {"handlers": ["console"], "level": os.environ.get("SANDBOX_LOG_LEVEL", "INFO"),
                          "propagate": False},
        "sandbox": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
