"""Run nginx-rtmp as the sandbox's ingest: python -m sandbox.rtmp [--check] [options].

Writes an nginx config under --dir (its own pid, logs and temp folders, so no root is
needed) whose `gifshow` application asks the sandbox's hooks whether an encoder may
publish, and whose HTTP `/control` lets the sandbox drop a publisher. Then it becomes nginx.
With --check it only says whether nginx and its RTMP module are here (exit 0 or 1).
"""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

MODULE_PATHS = ("/usr/lib/nginx/modules/ngx_rtmp_module.so", "/usr/share/nginx/modules/ngx_rtmp_module.so")
TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")

CONFIG = """\
# Written by python -m sandbox.rtmp; changes are lost on the next start.
{load_module}daemon off;
master_process on;
# One worker: the control endpoint only sees the streams of the worker it runs in.
worker_processes 1;
pid {dir}/nginx.pid;
error_log stderr warn;

events {{
    worker_connections 256;
}}

rtmp {{
    server {{
        listen {host}:{rtmp_port};
        chunk_size 4096;
        application gifshow {{
            live on;
            record off;
            # The push URL's query (sign=...) reaches the hooks as form fields.
            notify_method post;
            on_publish {hooks}/_ingest/on_publish;
            on_publish_done {hooks}/_ingest/on_publish_done;
            # An encoder that connects and then sends nothing is not a live.
            drop_idle_publisher 10s;
            # Playback for a local preview only (ffplay rtmp://127.0.0.1:{rtmp_port}/gifshow/<name>).
            allow play 127.0.0.1;
            deny play all;
        }}
    }}
}}

http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{http_port};
        location /control {{
            rtmp_control all;
        }}
    }}
}}
"""


def find_nginx() -> str | None:
    """Return the nginx executable, or None."""
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def find_module(nginx: str) -> tuple[bool, str | None]:
    """Return (available, dynamic module file): built in gives (True, None)."""
    explicit = os.environ.get("NGINX_RTMP_MODULE")
    for path in ([explicit] if explicit else MODULE_PATHS):
        if path and os.path.isfile(path):
            return True, path
    version = subprocess.run([nginx, "-V"], capture_output=True, text=True).stderr
    return "rtmp" in version, None


def missing_reason() -> str:
    """Return why nginx-rtmp cannot run here, or "" if it can."""
    nginx = find_nginx()
    if not nginx:
        return "nginx is not installed"
    if not find_module(nginx)[0]:
        return "nginx has no RTMP module (Debian: libnginx-mod-rtmp)"
    return ""


def write_config(*, directory: Path, host: str, rtmp_port: int, http_port: int, hooks: str, module: str | None) -> Path:
    """Write nginx.conf and the folders it names under `directory`; return the config path."""
    directory = directory.resolve()
    for name in TEMP_DIRS:
        (directory / name).mkdir(parents=True, exist_ok=True)
    path = directory / "nginx.conf"
    path.write_text(CONFIG.format(
        load_module=f"load_module {module};\n" if module else "",
        dir=directory, host=host, rtmp_port=rtmp_port, http_port=http_port, hooks=hooks.rstrip("/"),
    ))
    return path


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox.rtmp", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether nginx-rtmp is available")
    parser.add_argument("--host", default="127.0.0.1", help="RTMP listen address (0.0.0.0 for devices on the LAN)")
    parser.add_argument("--rtmp-port", type=int, default=1935)
    parser.add_argument("--http-port", type=int, default=8089, help="control endpoint, on 127.0.0.1")
    parser.add_argument("--hooks", default="http://127.0.0.1:8001", help="the sandbox's base URL")
    parser.add_argument("--dir", default="var/rtmp", help="config, pid, logs and temp files")
    args = parser.parse_args(argv)

    reason = missing_reason()
    if args.check or reason:
        if reason:
            print(f"No real RTMP ingest: {reason}; use the sandbox's publish/drop buttons instead.", flush=True)
        sys.exit(1 if reason else 0)
    nginx = find_nginx()
    directory = Path(args.dir)
    config = write_config(directory=directory, host=args.host, rtmp_port=args.rtmp_port, http_port=args.http_port,
                          hooks=args.hooks, module=find_module(nginx)[1])
    print(f"RTMP ingest on rtmp://{args.host}:{args.rtmp_port}/gifshow/ "
          f"(control http://127.0.0.1:{args.http_port}/control, config {config})", flush=True)
    # -e: nginx opens its default error log before reading the config; point it at stderr.
    os.execv(nginx, [nginx, "-e", "stderr", "-p", str(directory.resolve()), "-c", str(config)])


if __name__ == "__main__":
    main()
