"""One error shape for the whole API: {"error": {"code", "message", "upstream_code"}}.

How going-live outcomes map to HTTP statuses (also in the schema and the README).
`upstream_code` is Kuaishou's result code, only when Kuaishou sent one.

| outcome                                         | HTTP | code                     |
|-------------------------------------------------|------|--------------------------|
| must reconnect (ours; Kuaishou's 200102 if sent) | 403  | reconnect_required       |
| the live scope was not granted                  | 403  | live_scope_required      |
| session already over                            | 409  | session_over             |
| too many lives started by the owner this hour   | 429  | go_live_rate_limited     |
| Kuaishou rate limited (400002)                  | 429  | upstream_rate_limited    |
| 400001, 400005, 400009, 400013                  | 422  | upstream_refused         |
| 400006 (no live permission)                     | 422  | no_live_permission       |
| 400008 (no e-commerce permission)               | 422  | no_shop_live_permission  |
| 400014 (cover refused)                          | 422  | cover_rejected           |
| 400020 (face check)                             | 422  | face_check_required      |
| our app rejected (e.g. 200100, 100200101, 4xx)  | 502  | upstream_misconfigured   |
| 400003, 100200500, unknown codes                | 502  | upstream_error           |
| no answer (timeout, network, garbage)           | 503  | upstream_unavailable     |
"""

import math

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from streams import services

UPSTREAM_RETRY_AFTER = 30

# How each going-live failure, as streams names it (GoLiveError.reason,
# LiveSession.failure_reason), reaches a device.
FAILURE_STATUS = {
    "reconnect_required": status.HTTP_403_FORBIDDEN,
    "upstream_misconfigured": status.HTTP_502_BAD_GATEWAY,
    "upstream_unavailable": status.HTTP_503_SERVICE_UNAVAILABLE,
    "upstream_rate_limited": status.HTTP_429_TOO_MANY_REQUESTS,
    "upstream_refused": 422,
    "no_live_permission": 422,
    "no_shop_live_permission": 422,
    "cover_rejected": 422,
    "face_check_required": 422,
    "upstream_error": status.HTTP_502_BAD_GATEWAY,
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


def not_found() -> Problem:
    return Problem(status_code=404, code="not_found", message=_("There is no such live session."))


def failure_problem(reason: str, upstream_code: int | None, message: str, **extra) -> Problem:
    """Return the API failure for a going-live failure named `reason` (see FAILURE_STATUS)."""
    retry_after = None
    if reason == "upstream_unavailable":
        retry_after = UPSTREAM_RETRY_AFTER
    elif reason == "upstream_rate_limited":
        retry_after = max(UPSTREAM_RETRY_AFTER, math.ceil(services.kuaishou_backoff_seconds()))
    return Problem(status_code=FAILURE_STATUS[reason], code=reason, message=message, upstream_code=upstream_code,
                   retry_after=retry_after, **extra)


def failed_session_problem(session) -> Problem:
    """Return the API failure for a session that Kuaishou gave no push URL."""
    extra = {"session_id": session.pk}
    if session.face_verify_url:
        extra["face_verify_url"] = session.face_verify_url
    return failure_problem(session.failure_reason, session.last_error_code, session.problem_message, **extra)


def go_live_problem(exc: services.GoLiveError) -> Problem:
    """Return the API failure for a going-live outcome (streams.services.GoLiveError)."""
    if isinstance(exc, services.LiveScopeMissing):
        return Problem(status_code=403, code="live_scope_required", message=exc.message)
    if isinstance(exc, services.SessionOver):
        return Problem(status_code=status.HTTP_409_CONFLICT, code="session_over", message=exc.message)
    if isinstance(exc, services.GoLiveRateLimited):
        return Problem(status_code=status.HTTP_429_TOO_MANY_REQUESTS, code="go_live_rate_limited",
                       message=exc.message, retry_after=exc.retry_after)
    if isinstance(exc, services.CoverUnusable):
        return Problem(status_code=status.HTTP_400_BAD_REQUEST, code="invalid", message=exc.message,
                       fields={"cover": [exc.message]})
    return failure_problem(exc.reason, exc.upstream_code, exc.message)


def _envelope(code, message, upstream_code=None, **extra) -> dict:
    return {"error": {"code": code, "message": str(message), "upstream_code": upstream_code, **extra}}


# Django refuses a body before any parser or serializer sees it: by its size, or its count of
# fields or files (DATA_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_FIELDS, …).
BODY_REFUSALS = (
    (RequestDataTooBig, status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, "request_too_large",
     _("The request is too large. A cover may have up to 20 MB; the other fields are short.")),
    ((TooManyFieldsSent, TooManyFilesSent), status.HTTP_400_BAD_REQUEST, "too_many_fields",
     _("The request has too many fields or files.")),
)


def exception_handler(exc, context):
    """Render every API failure as the error envelope (DRF's EXCEPTION_HANDLER)."""
    if isinstance(exc, Http404):
        exc = not_found()
    for kinds, status_code, code, message in BODY_REFUSALS:
        if isinstance(exc, kinds):
            exc = Problem(status_code=status_code, code=code, message=message)
    if isinstance(exc, Problem):
        response = Response(_envelope(exc.code, exc.message, exc.upstream_code, **exc.extra), status=exc.status_code)
        if exc.retry_after is not None:
            response["Retry-After"] = str(exc.retry_after)
        if exc.code == "upstream_misconfigured":
            # kuaishou_app.status logged the operator's fault at ERROR once, when it started;
            # django.request must not log it again for every device that asks meanwhile.
            response._has_been_logged = True
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


def page_not_found(request, exception):
    """The site's 404: the error envelope under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(_envelope("not_found", _("There is no such API endpoint.")), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """The site's 500: the error envelope under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        message = _("Something went wrong on kslive's side. It has been logged; please try again later.")
        return JsonResponse(_envelope("server_error", message), status=500)
    return defaults.server_error(request)
