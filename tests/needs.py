"""Skip a test whose outside tool or service is missing, or fail it under CI=true."""

import os
import shutil

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(reason: str):
    """Skip with a named reason; under CI=true a missing tool is a failure."""
    if in_ci():
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def require_executable(name: str, path: str | None = None) -> str:
    """Return the path of an executable, or skip/fail naming it."""
    found = path if path and os.access(path, os.X_OK) else shutil.which(name)
    if not found:
        missing(f"{name} is not installed (run `make deps-system`)")
    return found


def require_service(name: str, url: str) -> None:
    """Skip/fail unless a TCP service (PostgreSQL, Redis) answers at the URL's host and port."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=2).close()
    except OSError:
        missing(f"{name} is not running at {parts.hostname}:{parts.port}")


def require_rtmp_ingest() -> None:
    """Skip (fail under CI=true) unless nginx with its RTMP module and ffmpeg are installed."""
    from sandbox.rtmp import missing_reason

    require_executable("ffmpeg")
    reason = missing_reason()
    if reason:
        missing(f"{reason} (run `make deps-system`)")
