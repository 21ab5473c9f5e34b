from django.conf import settings
from django.contrib.auth.views import redirect_to_login


class AnonymousBodyLimitMiddleware:
    """Read no large body from someone who is not logged in.

    The CSRF check reads a form (and spools its files to disk) before any view asks who is
    asking; every page that takes a large body (a cover) is for logged-in people only. A
    larger body from an anonymous request is refused unread. The device API needs no help:
    it authenticates its Bearer token before it parses anything.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if (length > settings.KSLIVE_ANONYMOUS_BODY_LIMIT and not request.path.startswith("/api/")
                and not request.user.is_authenticated):
            response = redirect_to_login(request.get_full_path())
            # The body was not read: the connection cannot be reused for another request.
            response["Connection"] = "close"
            return response
        return self.get_response(request)
