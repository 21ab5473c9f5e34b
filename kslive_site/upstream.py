"""Our Kuaishou app, as the framework-free client wants it."""

from django.conf import settings

import kuaishou


def kuaishou_app() -> kuaishou.AppCredentials:
    """Return our app's Kuaishou credentials and endpoint from settings."""
    return kuaishou.AppCredentials(
        app_id=settings.KUAISHOU_APP_ID,
        app_secret=settings.KUAISHOU_APP_SECRET,
        biz_id=settings.KUAISHOU_BIZ_ID,
        base_url=settings.KUAISHOU_OPEN_BASE,
        timeout=(5, settings.KUAISHOU_TIMEOUT),
    )
