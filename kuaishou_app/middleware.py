from django.conf import settings

from kuaishou_app import deadline


class RequestDeadlineMiddleware:
    """Give each request KSLIVE_REQUEST_DEADLINE seconds of Kuaishou's time, all calls together."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with deadline.within(settings.KSLIVE_REQUEST_DEADLINE):
            return self.get_response(request)
