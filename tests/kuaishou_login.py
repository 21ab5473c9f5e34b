"""Log a test client in through the sandbox's consent page, as a person would."""

from urllib.parse import parse_qsl, urlsplit, urlunsplit

import requests
from django.urls import reverse


def consent(authorize_url: str, *, user: str = "xiaoming", action: str = "allow", grant=None) -> str:
    """Answer the sandbox's consent page; return the URL it sends the browser back to."""
    parts = urlsplit(authorize_url)
    data = {**dict(parse_qsl(parts.query)), "user": user, "action": action}
    # The page's scope boxes start checked: a person who touches nothing grants them all.
    data["grant"] = data.get("scope", "").split(",") if grant is None else grant
    page = requests.post(urlunsplit(parts._replace(query="")), data=data, allow_redirects=False, timeout=10)
    assert page.status_code == 302, page.text[:500]
    return page.headers["Location"]


def start_login(client, **headers) -> str:
    """Press "Log in with Kuaishou"; return the consent page URL we were sent to."""
    response = client.post(reverse("kuaishou_login"), headers=headers)
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def come_back(client, callback_url: str, **kwargs):
    """Follow Kuaishou's redirect back to our callback."""
    parts = urlsplit(callback_url)
    return client.get(f"{parts.path}?{parts.query}", **kwargs)


def log_in(client, *, user: str = "xiaoming", grant=None):
    """Log in through the whole flow; return the callback's response."""
    return come_back(client, consent(start_login(client), user=user, grant=grant))
