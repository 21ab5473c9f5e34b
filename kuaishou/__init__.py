"""Client for the Kuaishou Open Platform: OAuth login and third-party push live.

Framework-free: only the standard library and requests.
"""

from .client import (
    CONSENT_DESKTOP,
    CONSENT_PHONE,
    authorize_url,
    consent_page_for,
    exchange_code,
    get_live_status,
    get_push_url,
    get_session,
    get_user_info,
    redact_url,
    refresh_access_token,
    stop_push,
)
from .errors import (
    RESULT_CODES,
    ApiError,
    Blame,
    KuaishouError,
    Result,
    TransportError,
    describe,
    is_retryable,
    result_for_oauth_error,
)
from .types import (
    SCOPE_USER_BASE,
    SCOPE_USER_INFO,
    SCOPE_USER_VIDEO_LIVE,
    AppCredentials,
    LiveState,
    LiveStatus,
    PushUrl,
    TokenGrant,
    UserProfile,
)

__all__ = [
    "CONSENT_DESKTOP",
    "CONSENT_PHONE",
    "RESULT_CODES",
    "SCOPE_USER_BASE",
    "SCOPE_USER_INFO",
    "SCOPE_USER_VIDEO_LIVE",
    "ApiError",
    "AppCredentials",
    "Blame",
    "KuaishouError",
    "LiveState",
    "LiveStatus",
    "PushUrl",
    "Result",
    "TokenGrant",
    "TransportError",
    "UserProfile",
    "authorize_url",
    "consent_page_for",
    "describe",
    "exchange_code",
    "get_live_status",
    "get_push_url",
    "get_session",
    "get_user_info",
    "is_retryable",
    "redact_url",
    "refresh_access_token",
    "result_for_oauth_error",
    "stop_push",
]
