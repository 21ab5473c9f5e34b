"""How often are living sessions polled under load? .venv/bin/python bench/polls.py [--sessions 300] [--latency-ms 50]

Seeds N living sessions (one person, N streams on the sandbox, already living), starts the
real Celery worker (as the Procfile runs it) and beat on a throw-away database, lets them
settle, then watches one minute of steady state: every second it reads each session's last
answered poll, and prints the worst and median time between two polls of a session, polls
per second (status calls the sandbox answered) and the CPU each process used.

Stacks: the embedded one (SQLite and the embedded broker) by default; with DATABASE_URL
(postgres://…) and REDIS_URL set, PostgreSQL and Redis. The bench never touches the database
or Redis database those name: it creates its own database `kslive_bench` next to it (dropped
and made anew each run) and uses Redis database 9 (BENCH_REDIS_DB), which it empties.

The sandbox plays Kuaishou with its request log off (calls are counted instead) and no rate
limit; --latency-ms is added to every status call by its fault injection. The sandbox itself
takes CPU on the same two cores: its share is printed too.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
from devtools.bench import machine, tear_down, use_throwaway_settings  # noqa: E402

use_throwaway_settings()

from devtools.processes import Celery, Workspace, kslive_env  # noqa: E402
from devtools.sandbox_server import SandboxServer  # noqa: E402

BENCH_DATABASE = "kslive_bench"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def postgres_bench_url(url: str) -> str:
    """Return the URL of a fresh bench database on the server `url` names (dropped and created)."""
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    return urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}"))


def redis_bench_url(url: str) -> str:
    """Return the URL of the bench's own Redis database, emptied."""
    import redis

    parts = urlsplit(url)
    bench = urlunsplit(parts._replace(path=f"/{os.environ.get('BENCH_REDIS_DB', '9')}"))
    redis.Redis.from_url(bench).flushdb()
    return bench


# --- CPU per process, read from /proc -------------------------------------------------------

def _stat(pid: int) -> tuple[str, int, int] | None:
    """Return (name, parent pid, CPU ticks used) of a process, or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = raw[raw.index("(") + 1:raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2:].split()
    return name, int(fields[1]), int(fields[11]) + int(fields[12])


def _processes() -> dict[int, tuple[str, int, int]]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat:
                found[int(entry.name)] = stat
    return found


def cpu_ticks(roots: dict[str, int]) -> dict[str, int]:
    """Return the CPU ticks used so far by each named process with its descendants, and by every
    PostgreSQL and Redis server process on the machine."""
    table = _processes()
    children: dict[int, list[int]] = {}
    for pid, (_name, parent, _ticks) in table.items():
        children.setdefault(parent, []).append(pid)
    used = {}
    for label, root in roots.items():
        total, todo = 0, [root]
        while todo:
            pid = todo.pop()
            if pid in table:
                total += table[pid][2]
            todo.extend(children.get(pid, []))
        used[label] = total
    used["postgres (all)"] = sum(ticks for name, _p, ticks in table.values() if name.startswith("postgres"))
    used["redis (all)"] = sum(ticks for name, _p, ticks in table.values() if name.startswith("redis-server"))
    return used


# --- the load -------------------------------------------------------------------------------

def seed(sandbox: SandboxServer, count: int, interval: float) -> None:
    """Connect 小明 through the sandbox and give them `count` living sessions, due evenly over one interval."""
    from allauth.socialaccount.models import SocialAccount
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    import kuaishou
    from accounts import services as account_services
    from kuaishou_app.calls import app_credentials
    from streams.models import LiveSession

    grant = kuaishou.exchange_code(app_credentials(), code=sandbox.authorize(user="xiaoming"))
    user = get_user_model().objects.create(username="bench", first_name="xiaoming")
    account = SocialAccount.objects.create(user=user, provider="kuaishou", uid=grant.open_id)
    account_services.credential_store_login(account=account, grant=grant)
    names = sandbox.seed_streams(count)
    now = timezone.now()
    LiveSession.objects.bulk_create([
        LiveSession(
            owner=user, cover=b"", idempotency_key=f"bench-{index}", status=LiveSession.Status.LIVING,
            live_stream_name=name, push_url=f"rtmp://127.0.0.1/gifshow/{name}", issued_at=now,
            expires_at=now + timezone.timedelta(days=2), went_live_at=now, last_polled_at=now,
            next_poll_at=now + timezone.timedelta(seconds=interval * index / count),
        )
        for index, name in enumerate(names)
    ], batch_size=500)


def watch(seconds: float) -> tuple[list[float], list[float], int]:
    """Read every session's last answered poll each second for `seconds`; return the gaps between
    two polls seen, the gaps still open at the end, and the polls seen."""
    from django.db import connection

    from streams.models import LiveSession

    seen: dict[int, list] = {}
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for pk, at in LiveSession.objects.values_list("pk", "last_polled_at"):
            moments = seen.setdefault(pk, [])
            if not moments or moments[-1] != at:
                moments.append(at)
        connection.close()
        time.sleep(1)
    from django.utils import timezone

    now = timezone.now()
    gaps, open_gaps, polls = [], [], 0
    for moments in seen.values():
        # The first value is whatever was there when watching began: a gap from it is a real
        # gap between two polls only once a second poll is seen.
        for earlier, later in zip(moments[:-1], moments[1:], strict=True):
            gaps.append((later - earlier).total_seconds())
        polls += len(moments) - 1
        open_gaps.append((now - moments[-1]).total_seconds())
    connection.close()
    return gaps, open_gaps, polls


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=300)
    parser.add_argument("--latency-ms", type=int, default=50, help="added to every status call")
    parser.add_argument("--seconds", type=float, default=60, help="steady state watched")
    parser.add_argument("--warmup", type=float, default=30, help="seconds before watching")
    parser.add_argument("--living-poll", type=int, default=15, help="KSLIVE_POLL_LIVING (production default 15)")
    parser.add_argument("--keep-logs", action="store_true", help="keep every process's log and say where")
    args = parser.parse_args(argv)

    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    workspace = Workspace("kslive-bench-polls-")
    folder = workspace.path
    started: list = []
    try:
        sandbox = SandboxServer(SANDBOX_LOG_LEVEL="WARNING").start()
        started.append(sandbox)
        sandbox.config(rate_limit=0, request_log=0)
        if args.latency_ms:
            sandbox.fault("status", latency_ms=args.latency_ms, count=-1)

        if database_url.startswith("postgres"):
            database = postgres_bench_url(database_url)
            stack = "PostgreSQL + " + ("Redis" if redis_url else "embedded broker")
        else:
            database = f"sqlite:///{folder / 'kslive.sqlite3'}"
            stack = "SQLite + " + ("Redis" if redis_url else "embedded broker")
        extra = {"REDIS_URL": redis_bench_url(redis_url)} if redis_url else {}
        env = kslive_env(database=database, var_dir=folder / "var", kuaishou_base=sandbox.url(),
                         DEBUG=1, KSLIVE_POLL_LIVING=args.living_poll, LOG_LEVEL="WARNING", **extra)
        if not redis_url:
            env.pop("REDIS_URL", None)
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=REPO_ROOT, env=env,
                       check=True)
        os.environ.update(env)
        import django

        django.setup()
        seed(sandbox, args.sessions, args.living_poll)

        celery = Celery(env=env, log_dir=folder, procfile=True).start()
        started.append(celery)
        worker, beat = celery.processes
        time.sleep(args.warmup)

        roots = {"worker": worker.popen.pid, "beat": beat.popen.pid, "sandbox": sandbox._process.pid}
        cpu_before, calls_before, began = cpu_ticks(roots), sandbox.status_calls(), time.monotonic()
        gaps, open_gaps, polls = watch(args.seconds)
        elapsed = time.monotonic() - began
        cpu_after, calls_after = cpu_ticks(roots), sandbox.status_calls()

        worst = max(gaps + open_gaps) if gaps or open_gaps else float("nan")
        print(f"machine: {machine()}; load average at the end {os.getloadavg()[0]:.1f} "
              "(other work on the machine takes the same cores)")
        print(f"stack: {stack}; worker: {' '.join(worker.command[3:])}")
        print(f"{args.sessions} living sessions, polled every {args.living_poll} s, {args.latency_ms} ms added "
              f"to each status call; {elapsed:.0f} s watched after {args.warmup:.0f} s of warm-up")
        print(f"time between two polls of a session: worst {worst:.1f} s, "
              f"median {statistics.median(gaps) if gaps else float('nan'):.1f} s "
              f"({len(gaps)} gaps seen, worst still open at the end {max(open_gaps):.1f} s)")
        print(f"polls per second: {(calls_after - calls_before) / elapsed:.1f} status calls answered "
              f"({polls / elapsed:.1f} polls seen in the database)")
        print("CPU per process (% of one core): " + ", ".join(
            f"{label} {100 * (cpu_after[label] - cpu_before[label]) / CLOCK_TICKS / elapsed:.0f} %"
            for label in cpu_after))
    finally:
        tear_down(started, workspace, keep_logs=args.keep_logs)


if __name__ == "__main__":
    main()
