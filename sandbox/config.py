"""Run-time settings (seeded from the environment) and the sandbox clock."""

import contextlib
import datetime as dt
import os
import threading

from django.utils import timezone

from sandbox.models import Config

INT_KEYS = ("access_token_ttl", "refresh_token_ttl", "code_ttl", "push_url_ttl", "drop_grace", "rate_limit",
            "request_log")
STR_KEYS = ("rtmp_url", "rtmp_control_url", "public_url", "redirect_hosts", "cancel_error", "reply_shape")
# Reply shapes: exactly the documents' examples (the default), or with what later pages add.
DOCUMENTED = "documented"
EXTENDED = "extended"
REPLY_SHAPES = (DOCUMENTED, EXTENDED)


def env_defaults() -> dict:
    """Return the configuration the environment asks for."""
    env = os.environ.get
    return {
        "access_token_ttl": int(env("SANDBOX_ACCESS_TOKEN_TTL", "172800")),
        "refresh_token_ttl": int(env("SANDBOX_REFRESH_TOKEN_TTL", "15552000")),
        "code_ttl": int(env("SANDBOX_CODE_TTL", "600")),
        "push_url_ttl": int(env("SANDBOX_PUSH_URL_TTL", "172800")),
        "drop_grace": int(env("SANDBOX_DROP_GRACE", "90")),
        "rate_limit": int(env("SANDBOX_RATE_LIMIT", "300")),
        # 0: keep no request log (a bench's load); calls are still counted (/_sandbox/counts).
        "request_log": int(env("SANDBOX_REQUEST_LOG", "1")),
        "rtmp_url": env("SANDBOX_RTMP_URL", "rtmp://127.0.0.1:1935/gifshow").rstrip("/"),
        "rtmp_control_url": env("SANDBOX_RTMP_CONTROL_URL", "").rstrip("/"),
        "public_url": env("SANDBOX_PUBLIC_URL", "http://127.0.0.1:8001").rstrip("/"),
        "redirect_hosts": env("SANDBOX_REDIRECT_HOSTS", "127.0.0.1,localhost,testserver"),
        # The reference files "the user cancelled the consent" under invalid_scope.
        "cancel_error": env("SANDBOX_CANCEL_ERROR", "invalid_scope"),
        # "documented": exactly the fields of the documents' reply examples; "extended": with
        # what later pages add (scopes, refresh_token_expires_in, a clean status name key).
        "reply_shape": _reply_shape(env("SANDBOX_REPLY_SHAPE", DOCUMENTED)),
    }


def _reply_shape(value: str) -> str:
    if value not in REPLY_SHAPES:
        raise ValueError(f"reply_shape must be one of {', '.join(REPLY_SHAPES)}, not {value!r}")
    return value


_request = threading.local()


@contextlib.contextmanager
def config_for_request():
    """Read the configuration once for the whole of an upstream call (a status call asked for it
    three times); changes made meanwhile apply from the next call."""
    _request.config = None
    try:
        yield
    finally:
        _request.config = None


def config_get() -> Config:
    """Return the configuration row, creating it from the environment."""
    if getattr(_request, "config", None) is not None:
        return _request.config
    config = Config.objects.first()
    if config is None:
        config = Config.objects.create(**env_defaults())
    if hasattr(_request, "config"):
        _request.config = config
    return config


def config_as_dict(config: Config) -> dict:
    """Return the configuration as the control API shows it."""
    values = {key: getattr(config, key) for key in INT_KEYS + STR_KEYS}
    values["clock_offset"] = config.clock_offset
    return values


def config_update(*, changes: dict) -> Config:
    """Apply a subset of settings; raise ValueError naming a bad key or value."""
    config = config_get()
    for key, value in changes.items():
        if key in INT_KEYS:
            if isinstance(value, bool) or int(value) < 0:
                raise ValueError(f"{key} must be a non-negative integer")
            setattr(config, key, int(value))
        elif key == "reply_shape":
            config.reply_shape = _reply_shape(str(value))
        elif key in STR_KEYS:
            value = str(value or "")
            setattr(config, key, value if key in ("redirect_hosts", "cancel_error") else value.rstrip("/"))
        else:
            raise ValueError(f"unknown setting {key!r}")
    config.save()
    return config


def now(config: Config | None = None) -> dt.datetime:
    """Return the sandbox's current time: real UTC time plus the stored offset."""
    config = config or config_get()
    return timezone.now() + dt.timedelta(seconds=config.clock_offset)


def clock_set(*, advance: float | None = None, offset: float | None = None) -> Config:
    """Move the sandbox clock forward by some seconds, or set its offset outright."""
    config = config_get()
    if offset is not None:
        config.clock_offset = float(offset)
    if advance is not None:
        config.clock_offset += float(advance)
    config.save(update_fields=["clock_offset"])
    return config
