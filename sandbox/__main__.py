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
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application

    Path(settings.DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0, interactive=False)
    from sandbox.seed import seed_demo

    seed_demo()
    print(f"Kuaishou sandbox on http://{args.host}:{args.port}/ (database {settings.DATABASES['default']['NAME']})",
          flush=True)
    try:
        run(args.host, args.port, get_wsgi_application(), ipv6=":" in args.host, threading=True)
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
