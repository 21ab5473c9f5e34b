from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from kuaishou_app import status


def app_problem(request: HttpRequest) -> dict[str, Any]:
    """Give admin pages Kuaishou's refusal of our app, if any; fetched only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_staff or not request.path.startswith("/admin/"):
        return {}
    return {"kuaishou_app_problem": SimpleLazyObject(status.problem)}
