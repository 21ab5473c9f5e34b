"""The Celery app, configured from Django settings (CELERY_ namespace)."""

import logging
import os
from pathlib import Path

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger, beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kslive_site.settings")

app = Celery("kslive")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def create_embedded_broker_folders(sender, **kwargs):
    """Create the filesystem broker's folders, which kombu expects to exist."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


# Beat dispatches status polls every KSLIVE_POLL_TICK (1 s), and webhook retries every 5 s: INFO
# lines that would bury everything else `make run` prints. Only those routine lines are dropped;
# the polls and deliveries they queue, status changes and every warning or error still show.
HEARTBEAT = frozenset({
    "dispatch-live-status-polls", "streams.tasks.dispatch_status_polls",
    "dispatch-webhook-retries", "api.tasks.dispatch_webhook_retries",
})


class QuietHeartbeat(logging.Filter):
    def filter(self, record):
        if record.levelno > logging.INFO:
            return True
        args = record.args.values() if isinstance(record.args, dict) else record.args or ()
        return not any(isinstance(arg, str) and arg in HEARTBEAT for arg in args)


@after_setup_logger.connect
def quiet_heartbeat(logger, **kwargs):
    for handler in logger.handlers:
        handler.addFilter(QuietHeartbeat())


@after_setup_logger.connect
@after_setup_task_logger.connect
def redact_secrets(logger, **kwargs):
    """Celery replaces Django's log handlers with its own: give those the redaction filter too."""
    from confidential.redaction import RedactSecrets

    for handler in logger.handlers:
        if not any(isinstance(f, RedactSecrets) for f in handler.filters):
            handler.addFilter(RedactSecrets())


@worker_init.connect
@beat_init.connect
def refuse_bad_configuration(**kwargs):
    """At start-up, not at the first task that needs it (kslive_site/checks.py)."""
    from django.core.exceptions import ImproperlyConfigured

    from kslive_site.checks import refuse_bad_configuration

    try:
        refuse_bad_configuration()
    except ImproperlyConfigured as exc:
        # Celery logs an exception from a signal handler and starts anyway; SystemExit it lets
        # through, and the process ends with status 1 and the problem on stderr.
        raise SystemExit(str(exc)) from exc
