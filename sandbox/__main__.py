"""Run the sandbox: python -m sandbox [--host 127.0.0.1] [--port 8001]."""

import argparse
import os
import sys
from pathlib import Path


def main(argv=None) -> None:
    """Migrate, seed the demo data and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m sandbox", description="A local stand-in for the Kuaishou Open Platform.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args(argv)

    # Always ours: a DJANGO_SETTINGS_MODULE inherited from kslive must not leak in.
    os.environ["DJANGO_SETTINGS_MODULE"] = "sandbox.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.core.servers.basehttp import WSGIServer, run
    from django.core.wsgi import get_wsgi_application

    Path(settings.DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0, interactive=False)
    from sandbox.seed import seed_demo

    seed_demo()
    print(f"Kuaishou sandbox on http://{args.host}:{args.port}/ (database {settings.DATABASES['default']['NAME']})",
          flush=True)
    try:
        run(args.host, args.port, get_wsgi_application(), ipv6=":" in args.host, threading=True,
            server_cls=_no_delay(WSGIServer))
    except KeyboardInterrupt:
        sys.exit(0)


def _no_delay(server_cls):
    """Return the server class with Nagle's algorithm off on each connection: the development
    server writes a reply's headers and body apart, and on a kept-alive connection the body
    would otherwise wait for the caller's delayed acknowledgement (40 ms a call)."""
    import socket

    class NoDelay(server_cls):
        def get_request(self):
            connection, address = super().get_request()
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return connection, address

    return NoDelay


if __name__ == "__main__":
    main()
