"""Client for the Kuaishou Open Platform: OAuth login and third-party push live.

Framework-free: only the standard library and requests.
"""

from .client import (
    authorize_url,
    exchange_code,
    get_live_status,
    get_push_url,
    get_session,
    get_user_info,
    redact_url,
    refresh_access_token,
    stop_push,
)
from .errors import RESULT_CODES, ApiError, KuaishouError, TransportError, describe, is_retryable
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
    "RESULT_CODES",
    "SCOPE_USER_BASE",
    "SCOPE_USER_INFO",
    "SCOPE_USER_VIDEO_LIVE",
    "ApiError",
    "AppCredentials",
    "KuaishouError",
    "LiveState",
    "LiveStatus",
    "PushUrl",
    "TokenGrant",
    "TransportError",
    "UserProfile",
    "authorize_url",
    "describe",
    "exchange_code",
    "get_live_status",
    "get_push_url",
    "get_session",
    "get_user_info",
    "is_retryable",
    "redact_url",
    "refresh_access_token",
    "stop_push",
]
