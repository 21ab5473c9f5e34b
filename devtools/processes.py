"""Real processes around kslive: nginx-rtmp ingest, Celery worker and beat, an ffmpeg encoder.

Used by the browser journeys (tests/e2e), the production layout test and the benches. Each process writes to a
log file; `output()` returns it so a failing test can show what the process said.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

REPO_ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Process:
    """One child process whose output goes to a log file."""

    def __init__(self, name: str, command: list[str], *, env: dict | None = None, log_dir: Path):
        self.name = name
        self.command = command
        self.env = env
        self.log_path = Path(log_dir) / f"{name}.log"
        self.popen = None

    def start(self, ready=None, timeout: float = START_TIMEOUT) -> "Process":
        """Start and wait until `ready()` is true (or the process is merely running)."""
        with open(self.log_path, "ab") as log:
            self.popen = subprocess.Popen(self.command, cwd=REPO_ROOT, env=self.env, stdout=log,
                                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while ready is not None and not ready():
            if self.popen.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} did not start; its output:\n{self.output()}")
            time.sleep(0.05)
        return self

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def wait(self, timeout: float) -> int | None:
        """Wait for the process to end by itself; return its exit code, or None if still running."""
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        if self.running():
            self.popen.terminate()
            if self.wait(10) is None:
                self.popen.kill()
                self.popen.wait()

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""


class RtmpIngest:
    """nginx-rtmp started by `python -m sandbox.rtmp`, calling the sandbox's hooks."""

    def __init__(self, *, hooks_url: str, log_dir: Path):
        self.rtmp_port, self.http_port = free_port(), free_port()
        self.process = Process("nginx-rtmp", [
            sys.executable, "-m", "sandbox.rtmp", "--rtmp-port", str(self.rtmp_port),
            "--http-port", str(self.http_port), "--hooks", hooks_url, "--dir", str(Path(log_dir) / "rtmp"),
        ], log_dir=log_dir)

    @property
    def push_base(self) -> str:
        return f"rtmp://127.0.0.1:{self.rtmp_port}/gifshow"

    @property
    def control_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/control"

    def start(self) -> "RtmpIngest":
        self.process.start(ready=lambda: port_open(self.rtmp_port) and port_open(self.http_port))
        return self

    def point(self, sandbox) -> None:
        """Make the sandbox hand out push URLs to this server and drop encoders through it."""
        sandbox.config(rtmp_url=self.push_base, rtmp_control_url=self.control_url)

    def stop(self) -> None:
        self.process.stop()


class RelayIngest:
    """kslive's own ingest (nginx-rtmp by `python -m relay.ingest`), calling kslive's hooks."""

    APPLICATION = "rehearse"

    def __init__(self, *, hooks_url: str, hook_secret: str, site_url: str, log_dir: Path):
        self.rtmp_port, self.http_port = free_port(), free_port()
        env = {**os.environ, "KSLIVE_RELAY_HOOK_SECRET": hook_secret}
        self.process = Process("relay-ingest", [
            sys.executable, "-m", "relay.ingest", "--host", "127.0.0.1", "--rtmp-port", str(self.rtmp_port),
            "--http-port", str(self.http_port), "--hooks", hooks_url, "--cors", site_url,
            "--dir", str(Path(log_dir) / "relay-ingest"),
        ], env=env, log_dir=log_dir)

    @property
    def rtmp_url(self) -> str:
        return f"rtmp://127.0.0.1:{self.rtmp_port}/{self.APPLICATION}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def settings(self) -> dict:
        """Return kslive's relay settings for this ingest."""
        return {
            "KSLIVE_RELAY_INGEST_URL": self.rtmp_url, "KSLIVE_RELAY_PLAY_URL": self.rtmp_url,
            "KSLIVE_RELAY_HLS_URL": f"{self.http_url}/hls", "KSLIVE_RELAY_CONTROL_URL": f"{self.http_url}/control",
        }

    def start(self) -> "RelayIngest":
        self.process.start(ready=lambda: port_open(self.rtmp_port) and port_open(self.http_port))
        return self

    def stop(self) -> None:
        self.process.stop()


class RelayAgent:
    """kslive's relay agent (`python -m relay.agent`) on the given environment (see kslive_env)."""

    def __init__(self, *, env: dict, log_dir: Path):
        self.process = Process("relay-agent", [sys.executable, "-m", "relay.agent"], env=env, log_dir=log_dir)

    def start(self) -> "RelayAgent":
        self.process.start(ready=lambda: "Relay agent for host" in self.process.output())
        return self

    def stop(self) -> None:
        self.process.stop()

    def output(self) -> str:
        return self.process.output()


def database_url(settings_dict: dict) -> str:
    """Return a DATABASE_URL naming the database Django is connected to (the test one in tests)."""
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    if "postgresql" in engine:
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "localhost"
        port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
        return f"postgres://{auth}{host}{port}/{settings_dict['NAME']}"
    raise RuntimeError(f"no DATABASE_URL for {engine}")


def kslive_env(*, database: str, var_dir: Path, kuaishou_base: str, **settings) -> dict:
    """Return the environment of a kslive process: this one's, on another database and Kuaishou."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SANDBOX_", "PYTEST_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="kslive_site.settings",
        DATABASE_URL=database,
        VAR_DIR=str(var_dir),
        KUAISHOU_OPEN_BASE=kuaishou_base,
        # On this host, as the start-up checks want of a process with DEBUG off (the test
        # settings' http://testserver names no host, and name no ALLOWED_HOSTS).
        SITE_URL="http://127.0.0.1",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
        # Exactly this environment: no developer's .env.
        KSLIVE_ENV_FILE="",
    )
    env.update({key: str(value) for key, value in settings.items()})
    return env


def procfile_worker() -> list[str]:
    """Return the Procfile's worker command, run with this Python."""
    line = next(line for line in (REPO_ROOT / "Procfile").read_text().splitlines() if line.startswith("worker:"))
    words = line.split(":", 1)[1].split()
    return [sys.executable, "-m", *words]


class Celery:
    """A Celery worker and beat, sharing the broker under VAR_DIR (or REDIS_URL) and the database.

    With `procfile`, the worker is exactly the Procfile's (a bench measures what runs); else a
    small one that starts fast, for the browser journeys.
    """

    def __init__(self, *, env: dict, log_dir: Path, procfile: bool = False):
        worker = procfile_worker() if procfile else [
            sys.executable, "-m", "celery", "-A", "kslive_site", "worker", "--loglevel", "INFO",
            "--pool", "threads", "--concurrency", "2", "--without-gossip", "--without-mingle",
            "--without-heartbeat",
        ]
        self.processes = [
            Process("celery-worker", worker, env=env, log_dir=log_dir),
            Process("celery-beat", [
                sys.executable, "-m", "celery", "-A", "kslive_site", "beat", "--loglevel", "INFO",
            ], env=env, log_dir=log_dir),
        ]

    def start(self) -> "Celery":
        worker, beat = self.processes
        worker.start(ready=lambda: " ready." in worker.output())
        beat.start(ready=lambda: "beat: Starting" in beat.output())
        return self

    def stop(self) -> None:
        for process in self.processes:
            process.stop()

    def output(self) -> str:
        def said(process):
            # Beat announces every tick; the rest is what helps.
            return "\n".join(line for line in process.output().splitlines() if "Sending due task" not in line)

        return "\n".join(f"--- {p.name} ---\n{said(p)[-6000:]}" for p in self.processes)


class Encoder:
    """ffmpeg pushing a small test picture and tone, like OBS would, to a push URL.

    By default small and cheap (the machine has two cores, and the browser and Celery need
    them); `size`, `rate`, `gop`, `audio` (an ffmpeg audio encoder) and `bitrate` (constant,
    e.g. "1500k") make it send what a given OBS set-up would.
    """

    def __init__(self, push_url: str, *, log_dir: Path, seconds: float | None = None, name: str = "ffmpeg",
                 size: str = "360x640", rate: int = 15, gop: int = 30, audio: str = "aac",
                 bitrate: str | None = None):
        command = [
            "ffmpeg", "-hide_banner", "-nostats", "-loglevel", "warning", "-re",
            "-f", "lavfi", "-i", f"testsrc=size={size}:rate={rate}",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
        ]
        if seconds:
            command += ["-t", str(seconds)]
        command += ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", str(gop),
                    "-pix_fmt", "yuv420p"]
        if bitrate:
            command += ["-b:v", bitrate, "-minrate", bitrate, "-maxrate", bitrate, "-bufsize", bitrate,
                        "-x264-params", "nal-hrd=cbr"]
        command += ["-c:a", audio, "-b:a", "64k", "-f", "flv", push_url]
        self.process = Process(name, command, log_dir=log_dir)

    def start(self) -> "Encoder":
        self.process.start()
        return self

    def kill(self) -> None:
        """Kill ffmpeg at once, as a crash or a pulled cable would: no goodbye to the server."""
        if self.process.running():
            self.process.popen.kill()
            self.process.popen.wait()

    def wait_closed(self, timeout: float = 15) -> int | None:
        """Wait until ffmpeg has lost its connection and exited; return its exit code (None: still pushing)."""
        return self.process.wait(timeout)

    def stop(self) -> None:
        self.process.stop()

    def output(self) -> str:
        return self.process.output()


class Workspace:
    """A throw-away folder for logs, the broker and nginx's files."""

    def __init__(self, prefix: str = "kslive-e2e-"):
        self.path = Path(tempfile.mkdtemp(prefix=prefix))

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
