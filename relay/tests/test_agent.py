"""The relay agent keeps each relay session's ffmpeg child as the database says it should be."""

import logging
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from relay import agent as agent_module
from relay import media
from relay.models import Relay, RelayAgent
from streams.models import LiveSession

Status = LiveSession.Status
PUSH_URL = "rtmp://push.example.com/gifshow/stream-1?sign=very-secret-sign"


class FakeChild:
    """Stands in for an ffmpeg child: records its command, never runs it."""

    started: list = []

    def __init__(self, kind, command, *, session_id):
        self.kind, self.command, self.session_id = kind, command, session_id
        self.running = True
        FakeChild.started.append(self)

    def alive(self):
        return self.running

    def exit_code(self):
        return None if self.running else 1

    def stop(self):
        self.running = False


@pytest.fixture
def agent(monkeypatch, settings):
    FakeChild.started = []
    monkeypatch.setattr(agent_module, "Child", FakeChild)
    monkeypatch.setattr(agent_module.Agent, "_poll_soon", lambda self, session_id: None)
    monkeypatch.setattr(agent_module.Agent, "_check", lambda self, relay: None)
    disconnected = []
    monkeypatch.setattr("relay.services.encoder_disconnect", lambda *, relay: disconnected.append(relay.pk))
    the_agent = agent_module.Agent(settings.KSLIVE_RELAY_HOST)
    the_agent.disconnected = disconnected
    return the_agent


def going_live(relay: Relay) -> Relay:
    LiveSession.objects.filter(pk=relay.session_id).update(status=Status.READY, push_url=PUSH_URL)
    return Relay.objects.select_related("session").get(pk=relay.pk)


def test_a_rehearsal_feeds_kuaishou_nothing(agent, receiving):
    agent.tick()

    assert FakeChild.started == []
    assert RelayAgent.objects.get(host=receiving.host).seen_at is not None


def test_going_live_starts_the_relay_copying_the_ingest_to_the_push_url(agent, receiving):
    relay = going_live(receiving)

    agent.tick()

    [child] = FakeChild.started
    assert child.kind == "relay"
    assert child.command == media.relay_command(relay.play_url, PUSH_URL)
    assert "-c" in child.command and child.command[child.command.index("-c") + 1] == "copy"
    relay.refresh_from_db()
    assert relay.feed == Relay.Feed.RELAY and relay.feeding_since is not None


def test_a_drop_swaps_the_relay_for_a_slate_in_the_encoders_shape_and_back(agent, receiving, hook):
    relay = going_live(receiving)
    Relay.objects.filter(pk=relay.pk).update(encoder_check={"width": 1080, "height": 1920, "sample_rate": 48000,
                                                             "channels": 1})
    agent.tick()
    hook("on_publish_done", name=relay.stream_name)

    agent.tick()

    first, slate = FakeChild.started
    assert not first.alive() and slate.kind == "slate"
    command = " ".join(slate.command)
    assert "scale=1080:1920" in command and "anullsrc=r=48000:cl=mono" in command
    assert slate.command[-1] == PUSH_URL
    relay.refresh_from_db()
    assert relay.feed == Relay.Feed.SLATE and relay.slate_since is not None

    hook("on_publish", name=relay.stream_name, key=relay.key, clientid="8")
    agent.tick()

    assert not slate.alive() and FakeChild.started[-1].kind == "relay"
    relay.refresh_from_db()
    assert relay.feed == Relay.Feed.RELAY and relay.slate_since is None


def test_a_child_that_dies_is_restarted_after_a_pause(agent, receiving, monkeypatch):
    going_live(receiving)
    agent.tick()
    FakeChild.started[0].running = False

    agent.tick()
    assert len(FakeChild.started) == 1  # not at once: a refused push must not spin

    monkeypatch.setattr(agent_module, "RESTART_AFTER", 0)
    agent.tick()
    assert len(FakeChild.started) == 2 and FakeChild.started[1].kind == "relay"


def test_past_the_slate_window_the_live_is_stopped_on_kuaishou(agent, receiving, signed_in, hook, kuaishou):
    relay, session = receiving, receiving.session
    signed_in.post(f"/live/{session.pk}/go-live/")
    agent.tick()
    hook("on_publish_done", name=relay.stream_name)
    agent.tick()
    Relay.objects.filter(pk=relay.pk).update(slate_since=timezone.now() - timedelta(seconds=301))

    agent.tick()

    session.refresh_from_db()
    assert (session.status, session.ended_by) == (Status.ENDED, LiveSession.EndedBy.RELAY)
    assert [r["form"]["liveStreamName"] for r in kuaishou.requests("stopPush")] == [session.live_stream_name]
    assert not FakeChild.started[-1].alive()


def test_an_ended_session_loses_its_child_and_its_encoder(agent, receiving):
    going_live(receiving)
    agent.tick()
    LiveSession.objects.filter(pk=receiving.session_id).update(status=Status.ENDED, push_url="")

    agent.tick()

    assert not FakeChild.started[0].alive()
    assert agent.disconnected == [receiving.pk]
    finished = Relay.objects.get(pk=receiving.pk)
    assert finished.finished_at is not None
    assert finished.key == ""  # the ingest key, of no use any more, is not kept


def test_ffmpeg_command_lines_and_words_reach_the_log_without_the_sign(caplog):
    command = [sys.executable, "-c", f"import sys; sys.stderr.write('{PUSH_URL}: Connection refused\\n')", PUSH_URL]

    with caplog.at_level(logging.INFO, logger="relay.agent"):
        child = agent_module.Child("relay", command, session_id=7)
        child.popen.wait(10)
        time.sleep(0.2)

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "very-secret-sign" not in logged
    assert "relay: rtmp://push.example.com/gifshow/stream-1?***: Connection refused" in logged
    assert "Session 7: starting the relay" in logged


def test_the_ingest_key_is_redacted_too():
    assert media.redacted("rtmp://127.0.0.1:1936/rehearse/abc?key=hunter2") == "rtmp://127.0.0.1:1936/rehearse/abc?***"


def test_every_log_line_loses_the_ingest_key_and_the_hooks_secret():
    from confidential.redaction import redact

    line = "POST /relay/hooks/on_publish?secret=hook-secret name=abc&key=ingest-key"

    assert redact(line) == "POST /relay/hooks/on_publish?secret=*** name=abc&key=***"


def test_a_restarted_agent_takes_up_the_relays_where_the_database_left_them(agent, receiving, settings):
    relay = going_live(receiving)
    agent.tick()
    first_since = Relay.objects.get(pk=relay.pk).feeding_since
    # The agent dies (its children die with it: PR_SET_PDEATHSIG); systemd starts a new one.
    FakeChild.started = []

    agent_module.Agent(settings.KSLIVE_RELAY_HOST).tick()

    [child] = FakeChild.started
    assert (child.kind, child.session_id) == ("relay", relay.session_id)
    relay.refresh_from_db()
    assert relay.feed == Relay.Feed.RELAY
    assert relay.feeding_since == first_since  # the same live, not a new one


def test_the_agent_refuses_to_start_on_a_bad_production_configuration(tmp_path):
    from kslive_site.tests.test_production_config import run

    result = run(["-m", "relay.agent"], tmp_path, KUAISHOU_OPEN_BASE="http://open.kuaishou.com")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "KUAISHOU_OPEN_BASE is 'http://open.kuaishou.com'" in result.stderr
    assert "Relay agent for host" not in result.stderr


def test_the_agent_refuses_to_start_when_stored_secrets_need_a_removed_key(tmp_path):
    from cryptography.fernet import Fernet

    from kslive_site.tests.test_production_config import run, store_secrets_with

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    store_secrets_with(old, tmp_path)

    result = run(["-m", "relay.agent"], tmp_path, TOKEN_ENCRYPTION_KEYS=new)

    assert result.returncode != 0
    assert "accounts.KuaishouCredential.access_token: 1 row(s) need key" in result.stderr


def test_the_documented_production_configuration_passes_the_agents_start_up_check(tmp_path):
    from kslive_site.tests.test_production_config import run

    result = run(["-c", "import django; django.setup(); from relay.agent import refuse_bad_configuration; "
                        "refuse_bad_configuration()"], tmp_path, DJANGO_SETTINGS_MODULE="kslive_site.settings")

    assert result.returncode == 0, result.stderr
