"""gunicorn in production: gunicorn -c deploy/gunicorn.conf.py kslive_site.wsgi

Behind nginx on the same host (deploy/nginx/kslive.conf). The numbers come from the
environment or the checkout's .env; README.md, "Run it in production", lists them.
"""

import os
from pathlib import Path

from dotenv import load_dotenv

# gunicorn reads this file before it loads the app, so it reads the .env that manage.py and
# wsgi.py read, for the WEB_* settings below. Variables already in the environment win.
load_dotenv(Path(__file__).resolve().parent.parent / ".env", override=False)


def number(name, default, kind=int):
    """Return the environment's number called name, or the default."""
    value = os.environ.get(name) or str(default)
    try:
        return kind(value)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise RuntimeError(f"{name} must be {what}, not {value!r}") from None


bind = os.environ.get("GUNICORN_BIND") or "127.0.0.1:8000"

# Threads, not processes, carry the concurrency: a request mostly waits for Kuaishou.
worker_class = "gthread"
workers = number("WEB_CONCURRENCY", 2)
threads = number("WEB_THREADS", 8)

# A request that calls Kuaishou stops waiting after KSLIVE_REQUEST_DEADLINE seconds; the
# timeout covers that deadline plus the work around it. With gthread it only kills a worker
# whose whole process hangs (a single slow request keeps its thread, and nginx's
# proxy_read_timeout bounds it), but it stays above the deadline so that it also holds if
# the worker class changes to one that times out single requests.
REQUEST_DEADLINE = number("KSLIVE_REQUEST_DEADLINE", 15, float)
timeout = number("WEB_TIMEOUT", 60)
if timeout < REQUEST_DEADLINE + 15:
    raise RuntimeError(
        f"WEB_TIMEOUT ({timeout}) must be at least KSLIVE_REQUEST_DEADLINE + 15 "
        f"({REQUEST_DEADLINE:g} + 15): it must outlast the longest request that waits for Kuaishou."
    )
# On restart, requests in flight may finish as they would have otherwise. systemd's stop
# timeout (90 s by default) must stay above this.
graceful_timeout = timeout
keepalive = 5

# Restart each worker after about a thousand requests, at different times, so that a slow
# leak never grows and the workers never restart together.
max_requests = 1000
max_requests_jitter = 100

# Each worker imports the app itself: a reload (systemctl reload kslive-web, which sends
# HUP) picks up new code, and no database connection or thread is shared across a fork.
preload_app = False

# Only nginx, on this host, may say the request came over HTTPS, and only with the one
# header it overwrites (gunicorn's default also honours X-Forwarded-Ssl and
# X-Forwarded-Protocol, which nginx passes through from the client untouched).
forwarded_allow_ips = "127.0.0.1"
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# The heartbeat file on memory, not disk, where a busy disk could stall it.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# systemd runs and reloads us; gunicornc's control socket would only be one more way in.
control_socket_disable = True
proc_name = "kslive-web"

# Access log to stdout, error log to stderr: the journal keeps both, with timestamps.
# The path without the query string (%(U)s, never %(r)s or %(q)s): the Kuaishou login
# callback's query carries a one-time code. The client is nginx's X-Real-IP.
accesslog = "-"
errorlog = "-"
access_log_format = '%({x-real-ip}i)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
