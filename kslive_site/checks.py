"""A production configuration that would fail at first use, or leak, refuses to start.

Run when a process starts (wsgi.py, the Celery worker and beat) and by `manage.py check
--deploy`; settings.py itself refuses only what no process can start without.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from sandbox import demo

SANDBOX_DEMO_APP = (demo.APP_ID, demo.APP_SECRET)
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _plain_http_off_this_host(url: str) -> bool:
    # Plain http only to this very host (a sandbox, a test): nothing crosses a network in clear.
    parts = urlsplit(url)
    return parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK)


def configuration_problems() -> list[str]:
    """Return what is wrong with a production (DEBUG off) configuration, one sentence each."""
    if settings.DEBUG:
        return []
    problems = []
    if not settings.SITE_URL:
        problems.append("SITE_URL is not set: the OAuth callback is built from it (e.g. https://kslive.example.com).")
    elif _plain_http_off_this_host(settings.SITE_URL):
        problems.append(f"SITE_URL is {settings.SITE_URL!r}: people must reach kslive over https://.")
    if not settings.ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS is not set: name the host people use (e.g. kslive.example.com).")
    if _plain_http_off_this_host(settings.KUAISHOU_OPEN_BASE):
        problems.append(
            f"KUAISHOU_OPEN_BASE is {settings.KUAISHOU_OPEN_BASE!r}: it must be https:// (every call carries the "
            "app secret or a person's token); leave it unset for https://open.kuaishou.com."
        )
    # The demo app works only with a sandbox; a sandbox on this very host is a rehearsal (tests,
    # benches), one anywhere else means the real Kuaishou was meant.
    on_this_host = urlsplit(settings.KUAISHOU_OPEN_BASE).hostname in LOOPBACK
    if not on_this_host and (settings.KUAISHOU_APP_ID in SANDBOX_DEMO_APP
                             or settings.KUAISHOU_APP_SECRET in SANDBOX_DEMO_APP):
        problems.append(
            "KUAISHOU_APP_ID/KUAISHOU_APP_SECRET are the sandbox's demo app: set your app from Kuaishou's developer "
            "console (a sandbox can seed another app with SANDBOX_DEMO_APP_ID)."
        )
    return problems


def refuse_bad_configuration() -> None:
    """Raise ImproperlyConfigured naming every problem: the process does not start."""
    from confidential.stored import refuse_unreadable_secrets

    problems = configuration_problems()
    if problems:
        raise ImproperlyConfigured("kslive's production configuration is not usable:\n  " + "\n  ".join(problems))
    refuse_unreadable_secrets()


@checks.register(checks.Tags.security, deploy=True)
def production_configuration(app_configs, **kwargs):
    """`manage.py check --deploy` reports the same problems."""
    return [checks.Error(problem, id="kslive.E001") for problem in configuration_problems()]


@checks.register(checks.Tags.security, deploy=True)
def webhooks_to_private_addresses(app_configs, **kwargs):
    """Allowed on purpose for receivers on a private network, but said out loud in production."""
    if settings.DEBUG or not settings.KSLIVE_WEBHOOK_ALLOW_PRIVATE:
        return []
    return [checks.Warning(
        "KSLIVE_WEBHOOK_ALLOW_PRIVATE is on: any device-token holder can make kslive POST to this network's "
        "private addresses (cloud metadata, internal services) and over plain http://.",
        hint="Leave it off unless your webhook receivers live on a private network you trust.",
        id="kslive.W001",
    )]
