"""The relay agent: python -m relay.agent [--host NAME].

One per relay host, next to its ingest (python -m relay.ingest). It watches the database for
the host's relay sessions and keeps their ffmpeg children as they should be: the encoder
check (ffprobe) on every new connection; the relay to Kuaishou while the encoder pushes;
the "back soon" slate while it is away (for KSLIVE_RELAY_SLATE_WINDOW seconds); nothing once
the session is over. It beats every second (RelayAgent; /healthz reports a dead agent).
"""

import argparse
import ctypes
import logging
import os
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

logger = logging.getLogger("relay.agent")
TICK = 0.2
BEAT_EVERY = 1.0
RESTART_AFTER = 2.0
# Right after the relay starts feeding Kuaishou, its status is asked this often, this long
# (until it is living: usually the second or third call).
FAST_POLL_EVERY = 0.5
FAST_POLL_FOR = 20.0


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    # A killed agent must not leave ffmpeg feeding Kuaishou behind its back (Linux: PR_SET_PDEATHSIG).
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
    except OSError:
        pass


class Child:
    """One ffmpeg (relay or slate) of one relay, its words logged without secrets."""

    def __init__(self, kind: str, command: list[str], *, session_id: int):
        from relay.media import redacted

        self.kind, self.session_id = kind, session_id
        self.started = time.monotonic()
        logger.info("Session %s: starting the %s: %s", session_id, kind, redacted(command))
        self.popen = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE, text=True, errors="replace",
                                      preexec_fn=_die_with_parent)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        from relay.media import redacted

        for line in self.popen.stderr:
            if line.strip():
                logger.warning("Session %s %s: %s", self.session_id, self.kind, redacted(line.rstrip()))

    def alive(self) -> bool:
        return self.popen.poll() is None

    def exit_code(self) -> int | None:
        return self.popen.poll()

    def stop(self) -> None:
        if self.alive():
            self.popen.terminate()
            try:
                self.popen.wait(3)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


class Agent:
    def __init__(self, host: str):
        self.host = host
        self.feeds: dict[int, Child] = {}
        self.checks: dict[int, threading.Thread] = {}
        self.failed_at: dict[int, float] = {}
        self.last_beat = 0.0
        self.folder = Path(tempfile.mkdtemp(prefix="kslive-relay-"))
        self.stopping = False

    def run(self) -> None:
        from django.db import close_old_connections

        logger.info("Relay agent for host %s (pid %s)", self.host, os.getpid())
        while not self.stopping:
            try:
                self.tick()
            except Exception:
                logger.exception("Relay agent tick failed")
                close_old_connections()
                time.sleep(1)
            time.sleep(TICK)
        self.shutdown()

    def shutdown(self) -> None:
        for child in self.feeds.values():
            child.stop()
        self.feeds.clear()

    def tick(self) -> None:
        from relay import services
        from relay.models import Relay

        now = time.monotonic()
        if now - self.last_beat >= BEAT_EVERY:
            services.agent_beat(host=self.host, pid=os.getpid(), children=len(self.feeds))
            self.last_beat = now
        seen = set()
        for relay in Relay.objects.select_related("session").filter(host=self.host, finished_at__isnull=True):
            seen.add(relay.pk)
            if relay.session.is_final:
                self._stop(relay.pk)
                services.relay_finish(relay=relay)
                continue
            self._check(relay)
            self._feed(relay)
        for pk in set(self.feeds) - seen:
            self._stop(pk)

    def _check(self, relay) -> None:
        """Probe the encoder once per connection, in a thread (it reads a few seconds of stream)."""
        if relay.encoder_since is None or relay.check_for == relay.encoder_since:
            return
        running = self.checks.get(relay.pk)
        if running is not None and running.is_alive():
            return
        thread = threading.Thread(target=self._probe, args=(relay, relay.encoder_since), daemon=True)
        self.checks[relay.pk] = thread
        thread.start()

    def _probe(self, relay, connected_at) -> None:
        from django.db import connection

        from relay import check, services

        try:
            facts = check.probe(relay.play_url)
        except (check.ProbeFailed, ValueError) as exc:
            logger.info("Session %s: no check this time: %s", relay.session_id, exc)
            time.sleep(1)
        else:
            services.relay_check_store(relay=relay, facts=facts, connected_at=connected_at)
            logger.info("Session %s: encoder checked", relay.session_id)
        finally:
            connection.close()

    def _feed(self, relay) -> None:
        from relay import services
        from relay.media import relay_command, slate_command
        from relay.models import Relay
        from streams.models import LiveSession

        session = relay.session
        want = services.wanted_feed(relay)
        child = self.feeds.get(relay.pk)
        if child is not None and (child.kind != want or not child.alive()):
            if not child.alive() and child.kind == want:
                logger.warning("Session %s: the %s stopped by itself (exit %s)", session.pk, child.kind,
                               child.exit_code())
                self.failed_at[relay.pk] = time.monotonic()
            self._stop(relay.pk)
            child = None
        if want == Relay.Feed.NONE:
            if relay.feed:
                services.relay_feed_changed(relay=relay, feed=want)
            if relay.slate_since is not None and relay.feeding_since and not relay.receiving:
                services.relay_slate_expired(relay=relay)
            return
        if child is not None:
            return
        if time.monotonic() - self.failed_at.get(relay.pk, 0) < RESTART_AFTER:
            return
        if want == Relay.Feed.RELAY:
            command = relay_command(relay.play_url, session.push_url)
        else:
            cover = self.folder / f"{relay.pk}.jpg"
            if not cover.exists():
                cover.write_bytes(bytes(LiveSession.objects.values_list("cover", flat=True).get(pk=session.pk)))
            command = slate_command(str(cover), session.push_url, relay.encoder_check)
        first = relay.feeding_since is None
        self.feeds[relay.pk] = Child(want, command, session_id=session.pk)
        services.relay_feed_changed(relay=relay, feed=want)
        if first:
            threading.Thread(target=self._poll_soon, args=(session.pk,), daemon=True).start()

    def _poll_soon(self, session_id: int) -> None:
        """Ask Kuaishou whether the live is on until it is (or FAST_POLL_FOR is over)."""
        from django.db import connection

        from streams import services as streams
        from streams.models import LiveSession, LiveSessionEvent

        deadline = time.monotonic() + FAST_POLL_FOR
        try:
            while time.monotonic() < deadline:
                # The relay publishes about 0.7 s after it starts; Kuaishou opens the room then.
                time.sleep(FAST_POLL_EVERY)
                try:
                    session = streams.live_session_sync(session_id=session_id, source=LiveSessionEvent.Source.POLL)
                except streams.GoLiveError as exc:
                    logger.info("Session %s: status poll failed: %s", session_id, exc)
                    continue
                if session.status != LiveSession.Status.READY:
                    return
        finally:
            connection.close()

    def _stop(self, pk: int) -> None:
        child = self.feeds.pop(pk, None)
        if child is not None:
            child.stop()


def refuse_bad_configuration() -> None:
    """Raise ImproperlyConfigured on a configuration the web, the worker and the beat refuse to start with."""
    from django.core import checks
    from django.core.exceptions import ImproperlyConfigured

    from confidential.stored import refuse_unreadable_secrets

    # The relay may not import the site (lint-imports' layers): its start-up refusal
    # (kslive_site/checks.py) is reached through the deploy checks it registers with Django.
    problems = [str(message) for message in checks.run_checks(tags=[checks.Tags.security],
                                                              include_deployment_checks=True)
                if message.is_serious() and not message.is_silenced()]
    if problems:
        raise ImproperlyConfigured("kslive's production configuration is not usable:\n  " + "\n  ".join(problems))
    refuse_unreadable_secrets()


def main(argv=None) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kslive_site.settings")
    django.setup()
    from django.conf import settings

    parser = argparse.ArgumentParser(prog="python -m relay.agent", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=settings.KSLIVE_RELAY_HOST, help="this relay host's name")
    args = parser.parse_args(argv)
    # At start-up, as the web, the worker and the beat do, not at the first relay that needs it.
    refuse_bad_configuration()
    agent = Agent(args.host)

    def stop(signum, frame):
        agent.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    agent.run()


if __name__ == "__main__":
    main()
