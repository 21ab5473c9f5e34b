from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from kuaishou_app import deadline


class RequestDeadlineMiddleware:
    """Give each request KSLIVE_REQUEST_DEADLINE seconds of Kuaishou's time, all calls together."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with deadline.within(settings.KSLIVE_REQUEST_DEADLINE):
            return self.get_response(request)
