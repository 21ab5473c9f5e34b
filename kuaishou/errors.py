"""Exceptions raised by the Kuaishou client, and whose fault each upstream result code is."""

from __future__ import annotations

import enum
from typing import Any, NamedTuple


class Blame(enum.StrEnum):
    """Who can put a failure right, which decides what kslive does about it."""

    PERSON = "person"  # the person acts: logs in again, gets a permission, picks another cover
    OPERATOR = "operator"  # our app's configuration or standing: no person can fix it, never flag one
    TRANSIENT = "transient"  # passing trouble on Kuaishou's side or on the way there: try again later
    REFUSED = "refused"  # this request is refused for good; a different request may work


class Result(enum.IntEnum):
    """Kuaishou's result codes, by name. Reference: docs/kuaishou-api.md, "Result codes"."""

    # OAuth endpoints (login, token refresh, user profile): success is 1.
    OAUTH_SUCCESS = 1
    INVALID_REQUEST = 100200100
    UNAUTHORIZED_CLIENT = 100200101
    ACCESS_DENIED = 100200102
    UNSUPPORTED_RESPONSE_TYPE = 100200103
    UNSUPPORTED_GRANT_TYPE = 100200104
    INVALID_GRANT = 100200105
    INVALID_SCOPE = 100200106
    INVALID_OPENID = 100200107
    OAUTH_SERVER_ERROR = 100200500
    # Live endpoints (push URL, stop, status): success is 0.
    LIVE_SUCCESS = 0
    APP_ID_WRONG = 200100
    AUTHORIZATION_FAILED = 200102
    PARAMETER_ERROR = 400001
    RATE_LIMITED = 400002
    SERVER_ERROR = 400003
    STREAM_NOT_FOUND = 400005
    NO_LIVE_PERMISSION = 400006
    NO_SHOP_LIVE_PERMISSION = 400008
    ILLEGAL_STREAM_NAME = 400009
    NOT_YOUR_LIVE = 400013
    ILLEGAL_COVER = 400014
    FACE_CHECK_REQUIRED = 400020


class ResultCode(NamedTuple):
    meaning: str
    blame: Blame


# The one table of failure codes. A code missing here is REFUSED: never retried blindly
# (a retry could burn a push URL), shown to the person with Kuaishou's own words.
RESULT_CODES: dict[int, ResultCode] = {
    Result.INVALID_REQUEST: ResultCode("a required parameter is missing", Blame.OPERATOR),  # our request is wrong
    Result.UNAUTHORIZED_CLIENT: ResultCode("the app is unknown or disabled", Blame.OPERATOR),  # id or secret
    Result.ACCESS_DENIED: ResultCode("the token was rejected", Blame.PERSON),  # refresh once, then reconnect
    Result.UNSUPPORTED_RESPONSE_TYPE: ResultCode("unsupported response type", Blame.OPERATOR),
    Result.UNSUPPORTED_GRANT_TYPE: ResultCode("unsupported grant type", Blame.OPERATOR),
    Result.INVALID_GRANT: ResultCode("the code or refresh token is wrong, used or expired", Blame.PERSON),
    Result.INVALID_SCOPE: ResultCode("bad scope, or the consent was cancelled", Blame.PERSON),
    Result.INVALID_OPENID: ResultCode("invalid open_id", Blame.OPERATOR),
    Result.OAUTH_SERVER_ERROR: ResultCode("Kuaishou server error", Blame.TRANSIENT),
    Result.APP_ID_WRONG: ResultCode("app_id is wrong", Blame.OPERATOR),
    Result.AUTHORIZATION_FAILED: ResultCode("authorization failed", Blame.PERSON),  # refresh once, then reconnect
    Result.PARAMETER_ERROR: ResultCode("parameter error", Blame.REFUSED),
    Result.RATE_LIMITED: ResultCode("API rate limited", Blame.TRANSIENT),
    Result.SERVER_ERROR: ResultCode("Kuaishou server error", Blame.TRANSIENT),
    Result.STREAM_NOT_FOUND: ResultCode("the stream name does not exist", Blame.REFUSED),
    Result.NO_LIVE_PERMISSION: ResultCode("the account has no live permission", Blame.PERSON),
    Result.NO_SHOP_LIVE_PERMISSION: ResultCode("the account has no e-commerce live permission", Blame.PERSON),
    Result.ILLEGAL_STREAM_NAME: ResultCode("illegal stream name", Blame.REFUSED),
    Result.NOT_YOUR_LIVE: ResultCode("this live belongs to another account", Blame.REFUSED),
    Result.ILLEGAL_COVER: ResultCode("illegal cover file", Blame.PERSON),
    Result.FACE_CHECK_REQUIRED: ResultCode("the account must pass a face check", Blame.PERSON),
}

# The `error` names of OAuth failures, which is all a consent page's redirect carries.
OAUTH_ERROR_NAMES = {
    "invalid_request": Result.INVALID_REQUEST,
    "unauthorized_client": Result.UNAUTHORIZED_CLIENT,
    "access_denied": Result.ACCESS_DENIED,
    "unsupported_response_type": Result.UNSUPPORTED_RESPONSE_TYPE,
    "unsupported_grant_type": Result.UNSUPPORTED_GRANT_TYPE,
    "invalid_grant": Result.INVALID_GRANT,
    "invalid_scope": Result.INVALID_SCOPE,
    "invalid_openid": Result.INVALID_OPENID,
    "server_error": Result.OAUTH_SERVER_ERROR,
}

TOKEN_REJECTED = frozenset({Result.AUTHORIZATION_FAILED, Result.ACCESS_DENIED})


def blame_of(result: int) -> Blame:
    """Return who can put a failure result code right."""
    code = RESULT_CODES.get(result)
    return code.blame if code else Blame.REFUSED


def result_for_oauth_error(name: str) -> Result | None:
    """Return the result code of an OAuth `error` name, or None for a name we do not know."""
    return OAUTH_ERROR_NAMES.get(name)


def is_retryable(result: int) -> bool:
    """Return whether a failure result code is worth retrying later."""
    return blame_of(result) is Blame.TRANSIENT


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
        blame: Blame,
        result: int | None = None,
        error: str | None = None,
        host_name: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.blame = blame
        self.result = result
        self.error = error
        # Kuaishou's server that answered: what its support asks for.
        self.host_name = host_name

    @property
    def retryable(self) -> bool:
        """Return whether trying the same call again later may succeed."""
        return self.blame is Blame.TRANSIENT

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(result={self.result!r}, blame={self.blame.value!r}, "
            f"host_name={self.host_name!r}, message={self.message!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Celery pickles exceptions; rebuild bare, then restore every attribute.
        return (_rebuild, (type(self), self.__dict__))


def _rebuild(cls: type[KuaishouError], state: dict[str, Any]) -> KuaishouError:
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("message", ""))
    error.__dict__.update(state)
    return error


class TransportError(KuaishouError):
    """No usable reply: the network failed, or the upstream answered something unreadable."""

    def __init__(
        self, message: str, *, permanent: bool = False, http_status: int | None = None, host_name: str | None = None
    ):
        # What fails the same way every time (a redirect, a 4xx page without a result code, a
        # malformed base URL) is our configuration or our app's standing: the operator's.
        super().__init__(message, blame=Blame.OPERATOR if permanent else Blame.TRANSIENT, host_name=host_name)
        self.http_status = http_status


class ApiError(KuaishouError):
    """The upstream answered with a failure result code."""

    def __init__(
        self,
        message: str | None = None,
        *,
        result: int,
        error: str | None = None,
        face_verify_url: str | None = None,
        host_name: str | None = None,
    ):
        super().__init__(
            message or describe(result), blame=blame_of(result), result=result, error=error, host_name=host_name
        )
        self.face_verify_url = face_verify_url

    @property
    def token_rejected(self) -> bool:
        """Return whether the access token is no good (refresh once, then reconnect)."""
        return self.result in TOKEN_REJECTED
