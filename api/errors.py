"""One error shape for the whole API: {"error": {"code", "message", "upstream_code"}}.

How Kuaishou's refusals map to HTTP statuses (also in the schema and the README):

| Kuaishou result                       | HTTP | code                     |
|---------------------------------------|------|--------------------------|
| 200102, 100200102 (token refused)     | 403  | reconnect_required       |
| 400002 (rate limited)                 | 429  | upstream_rate_limited    |
| 400001, 400005, 400009, 400013        | 422  | upstream_refused         |
| 400006 (no live permission)           | 422  | no_live_permission       |
| 400008 (no e-commerce permission)     | 422  | no_shop_live_permission  |
| 400014 (cover refused)                | 422  | cover_rejected           |
| 400020 (face check)                   | 422  | face_check_required      |
| 200100, 100200101 (our app refused)   | 502  | upstream_misconfigured   |
| 400003, 100200500, unknown codes      | 502  | upstream_error           |
| no answer (timeout, network, garbage) | 503  | upstream_unavailable     |
"""

import math

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from streams import upstream_budget
from streams.messages import RECONNECT, upstream_message

UPSTREAM_RETRY_AFTER = 30

UPSTREAM = {
    200102: (status.HTTP_403_FORBIDDEN, "reconnect_required"),
    100200102: (status.HTTP_403_FORBIDDEN, "reconnect_required"),
    400002: (status.HTTP_429_TOO_MANY_REQUESTS, "upstream_rate_limited"),
    400001: (422, "upstream_refused"),
    400005: (422, "upstream_refused"),
    400009: (422, "upstream_refused"),
    400013: (422, "upstream_refused"),
    400006: (422, "no_live_permission"),
    400008: (422, "no_shop_live_permission"),
    400014: (422, "cover_rejected"),
    400020: (422, "face_check_required"),
    200100: (status.HTTP_502_BAD_GATEWAY, "upstream_misconfigured"),
    100200101: (status.HTTP_502_BAD_GATEWAY, "upstream_misconfigured"),
}

# DRF's own exceptions, by the slug devices see.
DRF_CODES = {
    exceptions.ValidationError: "invalid",
    exceptions.ParseError: "malformed_request",
    exceptions.NotAuthenticated: "unauthorized",
    exceptions.AuthenticationFailed: "unauthorized",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "rate_limited",
}


class Problem(exceptions.APIException):
    """An API failure with our error code, a sentence, and Kuaishou's result code if any."""

    def __init__(self, *, status_code, code, message, upstream_code=None, retry_after=None, **extra):
        super().__init__(detail=str(message), code=code)
        self.status_code = status_code
        self.code = code
        self.message = str(message)
        self.upstream_code = upstream_code
        self.retry_after = retry_after
        self.extra = extra


IDEMPOTENCY_KEY_INVALID = _("The Idempotency-Key must be 1 to 64 printable ASCII characters.")


def in_progress() -> Problem:
    return Problem(
        status_code=status.HTTP_409_CONFLICT, code="in_progress", retry_after=1,
        message=_("A request with this Idempotency-Key is still being processed. Please retry in a moment."),
    )


def not_found() -> Problem:
    return Problem(status_code=404, code="not_found", message=_("There is no such live session."))


def upstream_problem(code: int | None, message: str = "", **extra) -> Problem:
    """Return the API failure for a Kuaishou result code (None: Kuaishou did not answer)."""
    if code is None:
        return Problem(
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE, code="upstream_unavailable",
            message=message or upstream_message(None), retry_after=UPSTREAM_RETRY_AFTER, **extra,
        )
    status_code, slug = UPSTREAM.get(code, (status.HTTP_502_BAD_GATEWAY, "upstream_error"))
    retry_after = None
    if status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        retry_after = max(UPSTREAM_RETRY_AFTER, math.ceil(upstream_budget.backoff_remaining()))
    return Problem(
        status_code=status_code, code=slug, message=message or upstream_message(code),
        upstream_code=code, retry_after=retry_after, **extra,
    )


def reconnect_problem(upstream_code=None) -> Problem:
    return Problem(status_code=403, code="reconnect_required", message=RECONNECT, upstream_code=upstream_code)


def failed_session_problem(session) -> Problem:
    """Return the API failure for a session that Kuaishou gave no push URL."""
    extra = {"session_id": session.pk}
    if session.face_verify_url:
        extra["face_verify_url"] = session.face_verify_url
    return upstream_problem(session.last_error_code, session.last_error_message, **extra)


def go_live_problem(exc) -> Problem:
    """Return the API failure for a streams.services.GoLiveError."""
    if exc.reconnect:
        return reconnect_problem(exc.code)
    if exc.conflict:
        return Problem(status_code=status.HTTP_409_CONFLICT, code="session_over", message=exc.message)
    return upstream_problem(exc.code, exc.message)


def _envelope(code, message, upstream_code=None, **extra) -> dict:
    return {"error": {"code": code, "message": str(message), "upstream_code": upstream_code, **extra}}


def exception_handler(exc, context):
    """Render every API failure as the error envelope (DRF's EXCEPTION_HANDLER)."""
    if isinstance(exc, Http404):
        exc = not_found()
    if isinstance(exc, Problem):
        response = Response(_envelope(exc.code, exc.message, exc.upstream_code, **exc.extra), status=exc.status_code)
        if exc.retry_after is not None:
            response["Retry-After"] = str(exc.retry_after)
        return response
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = next((slug for cls, slug in DRF_CODES.items() if isinstance(exc, cls)), "error")
    if isinstance(exc, exceptions.ValidationError):
        fields = _field_errors(exc.detail)
        message = next(iter(next(iter(fields.values()), [])), _("The request is not valid."))
        response.data = _envelope(code, message, fields=fields)
    else:
        response.data = _envelope(code, _message(exc))
    return response


def _message(exc) -> str:
    if isinstance(exc, exceptions.Throttled):
        return _("Too many requests from this device token. Please slow down.")
    detail = exc.detail
    if isinstance(detail, (list, dict)):
        return str(next(iter(_field_errors(detail).values()))[0])
    return str(detail)


def _field_errors(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            ("non_field_errors" if name == "__all__" else name): [str(m) for m in _flatten(messages)]
            for name, messages in detail.items()
        }
    return {"non_field_errors": [str(m) for m in _flatten(detail)]}


def _flatten(messages):
    if isinstance(messages, dict):
        for value in messages.values():
            yield from _flatten(value)
    elif isinstance(messages, (list, tuple)):
        for value in messages:
            yield from _flatten(value)
    else:
        yield messages
