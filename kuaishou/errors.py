"""Exceptions raised by the Kuaishou client, and what each upstream result code means."""

from __future__ import annotations

from typing import NamedTuple


class ResultCode(NamedTuple):
    meaning: str
    retryable: bool


# Reference: kuaishou-open-platform.md, "OAuth errors" and "Result codes (live API)".
# A code missing here is treated as permanent: retrying blindly could burn a push URL.
RESULT_CODES: dict[int, ResultCode] = {
    # OAuth endpoints (login, token refresh, user profile).
    100200100: ResultCode("a required parameter is missing", False),  # our bug
    100200101: ResultCode("the app is unknown or disabled", False),  # operator fixes app_id/secret
    100200102: ResultCode("the token was rejected", False),  # refresh once, then reconnect
    100200103: ResultCode("unsupported response type", False),  # our bug
    100200104: ResultCode("unsupported grant type", False),  # our bug
    100200105: ResultCode("the code is wrong, used or expired", False),  # person logs in again
    100200106: ResultCode("bad scope, or the consent was cancelled", False),  # person decides
    100200107: ResultCode("invalid open_id", False),  # our bug
    100200500: ResultCode("Kuaishou server error", True),  # transient on Kuaishou's side
    # Live endpoints (push URL, stop, status).
    200100: ResultCode("app_id is wrong", False),  # operator fixes the configuration
    200102: ResultCode("authorization failed", False),  # refresh once, then reconnect
    400001: ResultCode("parameter error", False),  # the same request fails again
    400002: ResultCode("API rate limited", True),  # back off
    400003: ResultCode("Kuaishou server error", True),  # retry with backoff
    400005: ResultCode("the stream name does not exist", False),
    400006: ResultCode("the account has no live permission", False),  # person asks Kuaishou
    400008: ResultCode("the account has no e-commerce live permission", False),  # drop shopLive
    400009: ResultCode("illegal stream name", False),
    400013: ResultCode("this live belongs to another account", False),
    400014: ResultCode("illegal cover file", False),  # person picks another cover
    400020: ResultCode("the account must pass a face check", False),  # scan, then retry by hand
}

TOKEN_REJECTED = frozenset({200102, 100200102})
APP_REJECTED = frozenset({200100, 100200101})


def is_retryable(result: int) -> bool:
    """Return whether a failure result code is worth retrying later."""
    code = RESULT_CODES.get(result)
    return code.retryable if code else False


def describe(result: int) -> str:
    """Return a generic English message for a result code."""
    code = RESULT_CODES.get(result)
    meaning = code.meaning if code else "unknown result code"
    return f"Kuaishou answered result {result} ({meaning})"


class KuaishouError(Exception):
    """Base of every error the client raises."""

    def __init__(
        self,
        message: str,
        *,
        result: int | None = None,
        error: str | None = None,
        retryable: bool = False,
    ):
        super().__init__(message)
        self.message = message
        self.result = result
        self.error = error
        self.retryable = retryable

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(result={self.result!r}, error={self.error!r}, "
            f"retryable={self.retryable!r}, message={self.message!r})"
        )

    def __reduce__(self):
        # Celery pickles exceptions; rebuild from the message, then restore every attribute.
        return (type(self), (self.message,), self.__dict__)


class TransportError(KuaishouError):
    """No usable reply: the network failed, or the upstream answered something unreadable."""

    def __init__(self, message: str, *, permanent: bool = False, http_status: int | None = None):
        super().__init__(message, retryable=not permanent)
        self.http_status = http_status


class ApiError(KuaishouError):
    """The upstream answered with a failure result code."""

    def __init__(
        self,
        message: str | None = None,
        *,
        result: int | None = None,
        error: str | None = None,
        face_verify_url: str | None = None,
    ):
        if not message:
            message = describe(result) if result is not None else "Kuaishou reported a failure"
        retryable = is_retryable(result) if result is not None else False
        super().__init__(message, result=result, error=error, retryable=retryable)
        self.face_verify_url = face_verify_url

    @property
    def token_rejected(self) -> bool:
        """Return whether the access token is no good (refresh once, then reconnect)."""
        return self.result in TOKEN_REJECTED

    @property
    def app_rejected(self) -> bool:
        """Return whether Kuaishou rejected our app credentials (the operator must fix)."""
        return self.result in APP_REJECTED

    @property
    def grant_rejected(self) -> bool:
        """Return whether the authorization code is wrong, used or expired."""
        return self.result == 100200105

    @property
    def face_check_required(self) -> bool:
        """Return whether the person must scan `face_verify_url` before retrying."""
        return self.result == 400020

    @property
    def lacks_live_permission(self) -> bool:
        """Return whether the Kuaishou account may not go live at all."""
        return self.result == 400006

    @property
    def lacks_shop_live_permission(self) -> bool:
        """Return whether the account may not run an e-commerce live."""
        return self.result == 400008

    @property
    def cover_rejected(self) -> bool:
        """Return whether Kuaishou refused the cover image."""
        return self.result == 400014
