"""kslive settings: everything comes from the environment (see .env.example)."""

import os
from pathlib import Path

from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from dotenv import load_dotenv

from confidential.keys import validated as validated_keys

BASE_DIR = Path(__file__).resolve().parent.parent
# Every entry point (manage.py, gunicorn, celery) reads .env next to manage.py, as `make` does;
# what the real environment says wins. KSLIVE_ENV_FILE names another file, or none when
# empty (the test suite: a developer's .env must not change what tests see).
ENV_FILE = os.environ.get("KSLIVE_ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE:
    load_dotenv(ENV_FILE, override=False)


def env(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


VAR_DIR = Path(env("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG")
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment, or set DEBUG=1 for development."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Where people reach kslive; the OAuth callback URL is built from it, never from the request.
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")

INSTALLED_APPS = [
    "axes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "kslive_site",
    "confidential",
    "kuaishou_app",
    "accounts",
    "accounts.kuaishou",
    "streams",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "relay",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before any view's CSRF check reads the body (process_view runs after every __call__).
    "accounts.middleware.AnonymousBodyLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "kuaishou_app.middleware.RequestDeadlineMiddleware",
    # Last: it answers a locked-out admin login itself.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kslive_site.urls"
WSGI_APPLICATION = "kslive_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context_processors.kuaishou_account",
                "kuaishou_app.context_processors.app_problem",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kslive.sqlite3'}"),
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for locks instead of failing,
    # and take the write lock up front so two writers cannot deadlock.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not memory, so that tests with threads and live servers share one
    # database; one per test run, so that two runs never trample each other.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}

AUTHENTICATION_BACKENDS = [
    # First: refuses a password login from where too many have failed (the admin's).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "live_new"
LOGOUT_REDIRECT_URL = "home"

# People only ever log in with Kuaishou, which gives no e-mail address: sign-up
# completes without a form, and there are no local passwords to manage.
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_USER_DISPLAY = "accounts.adapters.display_name"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_REQUIRED = False
SOCIALACCOUNT_QUERY_EMAIL = False
SOCIALACCOUNT_LOGIN_ON_GET = False
# Tokens are kept encrypted by accounts.KuaishouCredential, never by allauth in clear.
SOCIALACCOUNT_STORE_TOKENS = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Simplified Chinese first; English for everyone who asks for it.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Development: WhiteNoise serves static files straight from the source folders. Production
# sets STATIC_ROOT and runs collectstatic: compressed copies with a hash in their names,
# which nginx (or WhiteNoise) lets browsers cache for good.
STATIC_ROOT = env("STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = STATIC_ROOT is None
if STATIC_ROOT:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# Beat dispatches due live status polls this often (seconds).
KSLIVE_POLL_TICK = float(env("KSLIVE_POLL_TICK", "1"))

# Redis when REDIS_URL is set; otherwise an embedded broker and cache on disk,
# so that `make run` needs no server.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT = "kslive_site.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
        # The embedded broker polls its folder: often enough that a live shows up quickly.
        "polling_interval": 0.25,
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
# A task whose worker process died (killed, out of memory) goes back to the queue instead of
# being acknowledged as done: every task here is idempotent, so running it again is harmless.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Celery's Django fixup closes the database connection around every task unless this is set,
# so CONN_MAX_AGE never takes effect in a worker; a new PostgreSQL backend per poll costs more
# CPU than the poll itself (shared/measurements/poll-throughput.md, item 3).
CELERY_DB_REUSE_MAX = int(env("KSLIVE_DB_REUSE_MAX", "1000"))
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "dispatch-live-status-polls": {
        "task": "streams.tasks.dispatch_status_polls",
        "schedule": KSLIVE_POLL_TICK,
        # A tick still queued when the next one is due is stale: dropped, never run back to back.
        "options": {"expires": KSLIVE_POLL_TICK},
    },
    "refresh-expiring-kuaishou-tokens": {
        "task": "accounts.tasks.refresh_expiring_tokens",
        "schedule": 15 * 60,
    },
    "check-rejected-kuaishou-app": {
        "task": "kuaishou_app.tasks.check_rejected_app",
        "schedule": 60,
    },
    "dispatch-webhook-retries": {
        "task": "api.tasks.dispatch_webhook_retries",
        "schedule": 5,
    },
}
CELERY_TIMEZONE = "UTC"

# Kuaishou Open Platform: the sandbox's demo app stands in during development.
KUAISHOU_APP_ID = env("KUAISHOU_APP_ID")
KUAISHOU_APP_SECRET = env("KUAISHOU_APP_SECRET")
KUAISHOU_BIZ_ID = env("KUAISHOU_BIZ_ID")
KUAISHOU_OPEN_BASE = env("KUAISHOU_OPEN_BASE", "https://open.kuaishou.com")
KUAISHOU_SCOPES = env_list("KUAISHOU_SCOPES", "user_info,user_video_live")
KUAISHOU_STUDIO_URL = "https://liveopen.kuaishou.com/"
# Seconds: to connect to Kuaishou, and to wait for one answer. A web request's calls to
# Kuaishou together get KSLIVE_REQUEST_DEADLINE; a push URL or tokens that come later than
# that are still kept (the call runs its full timeout in one of KUAISHOU_BACKGROUND_CALLS
# threads). Keep WEB_TIMEOUT (deploy/gunicorn.conf.py) above the deadline.
KUAISHOU_CONNECT_TIMEOUT = float(env("KUAISHOU_CONNECT_TIMEOUT", "5"))
KUAISHOU_TIMEOUT = float(env("KUAISHOU_TIMEOUT", "30"))
KSLIVE_REQUEST_DEADLINE = float(env("KSLIVE_REQUEST_DEADLINE", "15"))
KUAISHOU_BACKGROUND_CALLS = int(env("KUAISHOU_BACKGROUND_CALLS", "8"))
# Refresh an access token this long before it expires; the beat task renews every
# token that expires within KUAISHOU_REFRESH_AHEAD, so idle people never lapse.
KUAISHOU_REFRESH_MARGIN = int(env("KUAISHOU_REFRESH_MARGIN", "300"))
KUAISHOU_REFRESH_AHEAD = int(env("KUAISHOU_REFRESH_AHEAD", str(6 * 3600)))
# Live status polls (seconds): ready sessions often right after issue, then calmer;
# living sessions steadily; never more status calls a minute than the budget.
KSLIVE_POLL_READY_FAST = int(env("KSLIVE_POLL_READY_FAST", "5"))
KSLIVE_POLL_READY_FAST_FOR = int(env("KSLIVE_POLL_READY_FAST_FOR", "600"))
KSLIVE_POLL_READY_SLOW = int(env("KSLIVE_POLL_READY_SLOW", "30"))
KSLIVE_POLL_LIVING = int(env("KSLIVE_POLL_LIVING", "15"))
# 10,000 a minute polls 2,000 living sessions every 15 s (8,000 calls a minute) with room to spare.
KUAISHOU_STATUS_CALLS_PER_MINUTE = int(env("KUAISHOU_STATUS_CALLS_PER_MINUTE", "10000"))
# A dispatch tick claims at most this many due sessions, and queues one task per
# KSLIVE_POLL_BATCH of them; that task polls its batch in KSLIVE_POLL_THREADS threads
# (a poll mostly waits for Kuaishou).
KSLIVE_POLL_CLAIM_MAX = int(env("KSLIVE_POLL_CLAIM_MAX", "1000"))
KSLIVE_POLL_BATCH = int(env("KSLIVE_POLL_BATCH", "32"))
KSLIVE_POLL_THREADS = int(env("KSLIVE_POLL_THREADS", "16"))
# A session is given up on (`lost`) after this many status polls in a row that Kuaishou
# refused for good, or when no poll was answered for this many seconds (also while its
# owner must reconnect).
KSLIVE_LOST_AFTER_REFUSALS = int(env("KSLIVE_LOST_AFTER_REFUSALS", "5"))
KSLIVE_LOST_AFTER_SILENCE = int(env("KSLIVE_LOST_AFTER_SILENCE", "1800"))
# Per person, web and API together: new lives started in any hour, and device tokens held.
KSLIVE_GO_LIVES_PER_HOUR = int(env("KSLIVE_GO_LIVES_PER_HOUR", "20"))
KSLIVE_DEVICE_TOKENS_PER_PERSON = int(env("KSLIVE_DEVICE_TOKENS_PER_PERSON", "20"))
# Device webhooks call https URLs on public addresses only (no SSRF); on, they may also call plain
# http:// and private or loopback addresses: for development and tests, or devices on a private network.
KSLIVE_WEBHOOK_ALLOW_PRIVATE = env_bool("KSLIVE_WEBHOOK_ALLOW_PRIVATE")
# Bytes of body read from someone not logged in: every login form fits many times over.
KSLIVE_ANONYMOUS_BODY_LIMIT = 64 * 1024
SOCIALACCOUNT_PROVIDERS = {
    "kuaishou": {
        "APPS": [{"client_id": KUAISHOU_APP_ID, "secret": KUAISHOU_APP_SECRET}],
        "SCOPE": KUAISHOU_SCOPES,
    }
}
# Fernet keys for tokens and push URLs at rest: the first encrypts, all decrypt.
# Development derives one from SECRET_KEY; production must set them.
TOKEN_ENCRYPTION_KEYS = env_list("TOKEN_ENCRYPTION_KEYS")
if not TOKEN_ENCRYPTION_KEYS and not DEBUG:
    raise ImproperlyConfigured(
        "TOKEN_ENCRYPTION_KEYS is not set. Generate one with "
        "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`."
    )
validated_keys(TOKEN_ENCRYPTION_KEYS)  # an unusable key stops every process at start-up

if not DEBUG:
    _missing = [
        name
        for name in ("KUAISHOU_APP_ID", "KUAISHOU_APP_SECRET", "KUAISHOU_BIZ_ID")
        if not globals()[name]
    ]
    if _missing:
        raise ImproperlyConfigured(f"{', '.join(_missing)} not set: kslive cannot reach Kuaishou.")
# More checks of a production configuration run when a process starts (kslive_site/checks.py).

# Security headers. Production answers over https only (SECURE_SSL_REDIRECT), for a year
# (HSTS), with cookies that never travel in clear; /healthz stays reachable over plain http
# from the host itself, for monitors that call gunicorn directly.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# Only behind a proxy that sets it itself (deploy/nginx/kslive.conf overwrites it on every
# request): trusted from anyone, any client could claim to be on https.
if env_bool("TRUST_X_FORWARDED_PROTO"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Relay sessions ("Rehearse first"): kslive's own RTMP ingest (python -m relay.ingest) and the
# relay agent (python -m relay.agent) on the relay host. No ingest URL: the option is not offered.
KSLIVE_RELAY_INGEST_URL = env("KSLIVE_RELAY_INGEST_URL", "rtmp://127.0.0.1:1936/rehearse" if DEBUG else "").rstrip("/")
# The same application seen from the relay host itself (ffprobe, the relay), and its HTTP side:
# the browser preview (HLS, public) and nginx-rtmp's control endpoint (loopback).
KSLIVE_RELAY_PLAY_URL = env("KSLIVE_RELAY_PLAY_URL", "rtmp://127.0.0.1:1936/rehearse").rstrip("/")
KSLIVE_RELAY_HLS_URL = env("KSLIVE_RELAY_HLS_URL", "http://127.0.0.1:8090/hls").rstrip("/")
KSLIVE_RELAY_CONTROL_URL = env("KSLIVE_RELAY_CONTROL_URL", "http://127.0.0.1:8090/control").rstrip("/")
# The ingest's hooks into kslive carry this shared secret; without it only DEBUG accepts them.
KSLIVE_RELAY_HOOK_SECRET = env("KSLIVE_RELAY_HOOK_SECRET")
# This relay host's name (its agent runs under it), and the relay hosts new relay sessions are
# spread over: each session stays on the host it was given. The four URLs above may name the
# session's host as {host} (rtmp://{host}.relay.example.com/rehearse).
KSLIVE_RELAY_HOST = env("KSLIVE_RELAY_HOST", "relay-1")
KSLIVE_RELAY_HOSTS = env_list("KSLIVE_RELAY_HOSTS", KSLIVE_RELAY_HOST)
# Seconds kslive keeps Kuaishou fed with the "back soon" slate after the encoder drops.
KSLIVE_RELAY_SLATE_WINDOW = int(env("KSLIVE_RELAY_SLATE_WINDOW", "300"))
_relay_hls_origins = sorted({"{0.scheme}://{0.netloc}".format(urlsplit(KSLIVE_RELAY_HLS_URL.format(host=host)))
                             for host in KSLIVE_RELAY_HOSTS})
if not DEBUG and KSLIVE_RELAY_INGEST_URL and not KSLIVE_RELAY_HOOK_SECRET:
    raise ImproperlyConfigured(
        "KSLIVE_RELAY_HOOK_SECRET is not set: the relay ingest's hooks would accept no call. "
        "Set it (and the same in the ingest's environment), or unset KSLIVE_RELAY_INGEST_URL."
    )
if not DEBUG and KSLIVE_RELAY_INGEST_URL:
    # nginx-rtmp's hooks speak plain http and name the host they call: the ingest calls
    # gunicorn on 127.0.0.1:8000 directly (deploy/systemd/kslive-relay-ingest.service). The
    # shared secret guards them; the public site closes /relay/hooks/ (deploy/nginx).
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, "127.0.0.1"]
    SECURE_REDIRECT_EXEMPT = [*SECURE_REDIRECT_EXEMPT, r"^relay/hooks/"]

# Content Security Policy (django-csp): our own scripts and styles only. QR codes are data:
# images, the cover preview a blob:, avatars come from Kuaishou's CDN (or the sandbox); the
# login form's redirect goes to Kuaishou.
_kuaishou_origin = "{0.scheme}://{0.netloc}".format(urlsplit(KUAISHOU_OPEN_BASE))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:", "https:", _kuaishou_origin],
        "font-src": [SELF],
        # The rehearsal preview: hls.js fetches the relay ingest's HLS and plays it from a blob:.
        "connect-src": [SELF, *_relay_hls_origins],
        "media-src": [SELF, "blob:", *_relay_hls_origins],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF, _kuaishou_origin],
    }
}

# Admin logins: after 5 failures from one address for one username, that pair waits an hour.
AXES_FAILURE_LIMIT = int(env("KSLIVE_ADMIN_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = float(env("KSLIVE_ADMIN_LOGIN_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
if env_bool("TRUST_X_FORWARDED_PROTO"):
    # Behind our nginx every request comes from 127.0.0.1. The client's address is in X-Real-IP,
    # which nginx overwrites on every request; X-Forwarded-For starts with whatever the client
    # sent, so a guesser could claim a new address for every try.
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_REAL_IP", "REMOTE_ADDR"]

# Every line passes the redaction filter, at every level and from every library (urllib3
# logs whole URLs at DEBUG, the development server logs query strings): tokens, codes, signs
# and the app secret come out as ***.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "confidential.redaction.RedactSecrets"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # axes says INFO on every successful login; its warnings (a lockout) still show.
    "loggers": {"django.server": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# Device API (api/): Bearer device tokens only, JSON only, the error envelope for every failure.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.DeviceTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.DeviceTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {"device": env("KSLIVE_API_RATE", "60/min")},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "kslive device API",
    "DESCRIPTION": "Go live on Kuaishou from drones, cameras and cloud encoders. See README.md, “Device API”.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI from our own static files: the docs work without internet access.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The relay check's green/amber/red, used by its rows and its overall level: one name.
    "ENUM_NAME_OVERRIDES": {"CheckLevelEnum": "relay.check.LEVELS"},
}

SITE_NAME = _("kslive")
