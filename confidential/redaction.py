"""A logging filter that takes secrets out of every line before it is written.

Our own code never logs a secret; libraries do (urllib3 logs whole request URLs at DEBUG, the
development server logs query strings, a traceback may quote a URL). This filter sits on
every handler, so nothing reaches a log file with a token, an authorization code, a push URL's
sign, a device token, a webhook secret or the app secret in it.
"""

import logging
import re
from functools import lru_cache

from django.conf import settings

REDACTED = "***"

# name=value in query strings and form bodies; "name": "value" in JSON; Bearer headers.
SECRET_NAMES = r"app_secret|access_token|refresh_token|code|sign|secret|password|token|authorization_code|key"
PATTERNS = (
    re.compile(rf"(?i)(?<![\w-])((?:{SECRET_NAMES})=)[^&\s'\"<>]+"),
    re.compile(rf"(?i)([\"'](?:{SECRET_NAMES}|accessToken|refreshToken|pushUrl)[\"']\s*:\s*[\"'])[^\"']+"),
    re.compile(r"(?i)(Bearer\s+)[\w.~+/=-]+"),
    re.compile(r"(ksd_)[\w-]{8,}"),  # device tokens
    re.compile(r"(whsec_)[\w-]{8,}"),  # device webhooks' signing secrets
)


def redact(text: str) -> str:
    """Return the text with every secret we know of replaced by ***."""
    for pattern in PATTERNS:
        text = pattern.sub(rf"\1{REDACTED}", text)
    for secret in _configured_secrets():
        text = text.replace(secret, REDACTED)
    return text


@lru_cache(maxsize=8)
def _literals(*secrets: str) -> tuple[str, ...]:
    # Longest first, so that a secret containing another is replaced whole.
    return tuple(sorted({secret for secret in secrets if len(secret) >= 8}, key=len, reverse=True))


def _configured_secrets() -> tuple[str, ...]:
    if not settings.configured:
        return ()
    return _literals(
        getattr(settings, "KUAISHOU_APP_SECRET", ""), getattr(settings, "SECRET_KEY", ""),
        *getattr(settings, "TOKEN_ENCRYPTION_KEYS", ()),
    )


class RedactSecrets(logging.Filter):
    """Rewrite each record's message (and traceback) without secrets; never drop a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging module's to report, not ours
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
