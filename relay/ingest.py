"""Run nginx-rtmp as kslive's relay ingest: python -m relay.ingest [--check] [options].

One per relay host. Encoders push to its `rehearse` application with a per-session key,
which the `on_publish` hook asks kslive about (2xx lets the encoder in, 4xx refuses it); the
browser preview is HLS from its HTTP side (short fragments, CORS); ffprobe, the relay and
the slate read the stream from loopback; kslive drops an encoder through `/control`. Writes
the config under --dir (own pid, logs and temp folders: no root needed), then becomes nginx.
With --check it only says whether nginx and its RTMP module are here (exit 0 or 1).
"""

import argparse
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

APPLICATION = "rehearse"
MODULE_PATHS = ("/usr/lib/nginx/modules/ngx_rtmp_module.so", "/usr/share/nginx/modules/ngx_rtmp_module.so")
TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi", "hls")

CONFIG = """\
# Written by python -m relay.ingest; changes are lost on the next start.
{load_module}{user}daemon off;
master_process on;
# One worker: the control endpoint and the hooks only see the streams of the worker they run in.
worker_processes 1;
pid {dir}/nginx.pid;
error_log stderr warn;

events {{
    worker_connections 1024;
}}

rtmp {{
    server {{
        listen {host}:{rtmp_port};
        chunk_size 4096;
        # A publisher that stops sending (a lost network) is dropped after this, so kslive
        # hears of the drop and feeds Kuaishou the slate.
        timeout 10s;
        application {application} {{
            live on;
            record off;
            # The stream key's query (key=...) reaches the hooks as form fields.
            notify_method post;
            on_publish {hooks}/on_publish{hook_query};
            on_publish_done {hooks}/on_publish_done{hook_query};
            drop_idle_publisher 5s;
            # Players (the relay, ffprobe) start at once, with the codec headers: the relay takes
            # over from the slate without waiting for the next keyframe.
            wait_key off;
            wait_video off;
            # Only this host plays the stream over RTMP; browsers get HLS.
            allow play 127.0.0.1;
            deny play all;
            hls on;
            hls_path {dir}/hls;
            hls_fragment {fragment};
            hls_playlist_length {playlist};
            hls_cleanup on;
        }}
    }}
}}

http {{
    access_log off;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    types {{
        application/vnd.apple.mpegurl m3u8;
        video/mp2t ts;
    }}
    server {{
        listen {http_host}:{http_port};
        # The browser preview, fetched by the session page from kslive's origin.
        location /hls/ {{
            alias {dir}/hls/;
            add_header Cache-Control no-cache always;
            add_header Access-Control-Allow-Origin {cors} always;
        }}
        location /control {{
            allow 127.0.0.1;
            deny all;
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


def write_config(*, directory: Path, host: str, rtmp_port: int, http_host: str, http_port: int, hooks: str,
                 hook_secret: str, cors: str, module: str | None, fragment: str = "1s", playlist: str = "4s") -> Path:
    """Write nginx.conf and the folders it names under `directory`; return the config path."""
    directory = directory.resolve()
    for name in TEMP_DIRS:
        (directory / name).mkdir(parents=True, exist_ok=True)
    path = directory / "nginx.conf"
    path.write_text(CONFIG.format(
        load_module=f"load_module {module};\n" if module else "", application=APPLICATION,
        # Started as root (a container, a test run), nginx's workers would become `nobody`, who
        # cannot read HLS fragments under a private folder; as anyone else the line is not written.
        user=f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else "",
        dir=directory, host=host, rtmp_port=rtmp_port, http_host=http_host, http_port=http_port,
        hooks=hooks.rstrip("/"), hook_query=f"?secret={hook_secret}" if hook_secret else "",
        cors=f'"{cors}"', fragment=fragment, playlist=playlist,
    ))
    # The config holds the hooks' shared secret.
    path.chmod(0o600)
    return path


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m relay.ingest", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether nginx-rtmp is available")
    parser.add_argument("--host", default="0.0.0.0", help="RTMP listen address: encoders connect here")
    parser.add_argument("--rtmp-port", type=int, default=1936)
    parser.add_argument("--http-host", default="127.0.0.1", help="HLS preview and control listen address")
    parser.add_argument("--http-port", type=int, default=8090)
    parser.add_argument("--hooks", default="http://127.0.0.1:8000/relay/hooks",
                        help="kslive's hook URL, reached directly (not through the public proxy)")
    parser.add_argument("--cors", default=os.environ.get("SITE_URL") or "*",
                        help="the origin allowed to fetch the preview (kslive's SITE_URL)")
    parser.add_argument("--dir", default="var/relay-ingest", help="config, pid, HLS and temp files")
    args = parser.parse_args(argv)

    reason = missing_reason()
    if args.check or reason:
        if reason:
            print(f"No relay ingest: {reason}.", flush=True)
        sys.exit(1 if reason else 0)
    nginx = find_nginx()
    directory = Path(args.dir)
    config = write_config(directory=directory, host=args.host, rtmp_port=args.rtmp_port, http_host=args.http_host,
                          http_port=args.http_port, hooks=args.hooks,
                          hook_secret=os.environ.get("KSLIVE_RELAY_HOOK_SECRET", ""), cors=args.cors,
                          module=find_module(nginx)[1])
    print(f"Relay ingest on rtmp://{args.host}:{args.rtmp_port}/{APPLICATION}/ "
          f"(HLS and control on http://{args.http_host}:{args.http_port}, config {config})", flush=True)
    # -e: nginx opens its default error log before reading the config; point it at stderr.
    os.execv(nginx, [nginx, "-e", "stderr", "-p", str(directory.resolve()), "-c", str(config)])


if __name__ == "__main__":
    main()
