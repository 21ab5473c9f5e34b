"""Reachability checks for /healthz."""

import os

from django.db import connection

from kslive_site.celery import app as celery_app


def check_database() -> None:
    """Raise unless the database answers a query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_broker() -> None:
    """Raise unless the Celery broker accepts a connection."""
    options = celery_app.conf.broker_transport_options or {}
    if celery_app.conf.broker_url.startswith("filesystem"):
        # The embedded broker "connects" to anything: check its folder instead.
        folder = options["data_folder_out"]
        if not os.access(folder, os.W_OK):
            raise OSError(f"broker folder {folder} is not writable")
        return
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
