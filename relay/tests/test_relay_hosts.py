"""Relay hosts scale out: each new relay session goes to the least busy host whose agent is
alive, stays there, and its page names that host's ingest and preview."""

import pytest
from django.utils import timezone

from relay.models import Relay, RelayAgent
from relay.selectors import relay_host_least_busy, relay_of
from streams.models import LiveSession
from tests.helpers import form_data

HOSTS = ["relay-1", "relay-2", "relay-3"]


@pytest.fixture
def three_hosts(settings, db):
    settings.KSLIVE_RELAY_HOSTS = HOSTS
    settings.KSLIVE_RELAY_INGEST_URL = "rtmp://{host}.relay.example.com/rehearse"
    settings.KSLIVE_RELAY_HLS_URL = "https://{host}.relay.example.com/preview"
    settings.KSLIVE_RELAY_CONTROL_URL = "http://{host}.relay.internal:8090/control"
    for host in HOSTS:
        RelayAgent.objects.create(host=host, seen_at=timezone.now())


def relays_on(owner, hosts):
    for host in hosts:
        number = Relay.objects.count()
        session = LiveSession.objects.create(owner=owner, cover=b"x", idempotency_key=f"k{number}", relay=True,
                                             status=LiveSession.Status.REHEARSING)
        Relay.objects.create(session=session, stream_name=f"s{number}", key="k", host=host)


def test_a_new_relay_goes_to_the_host_with_the_fewest_unfinished_relays(three_hosts, person):
    relays_on(person, ["relay-1", "relay-1", "relay-2"])
    Relay.objects.filter(stream_name="s0").update(finished_at=timezone.now())  # done: counts no more

    assert relay_host_least_busy() == "relay-3"
    relays_on(person, ["relay-3", "relay-3"])
    assert relay_host_least_busy() == "relay-1"  # one each on 1 and 2: the first listed


def test_a_host_whose_agent_is_silent_gets_no_new_relay(three_hosts, person):
    RelayAgent.objects.filter(host="relay-1").update(seen_at=timezone.now() - RelayAgent.STALE_AFTER * 2)
    relays_on(person, ["relay-2"])

    assert relay_host_least_busy() == "relay-3"


def test_with_every_agent_silent_a_relay_still_gets_a_host(three_hosts, person):
    RelayAgent.objects.update(seen_at=timezone.now() - RelayAgent.STALE_AFTER * 2)

    assert relay_host_least_busy() == "relay-1"


def test_the_session_page_names_its_hosts_ingest_and_preview(three_hosts, person, signed_in):
    relays_on(person, ["relay-1"])
    assert signed_in.post("/live/new/", form_data(relay="true", caption="两台")).status_code == 302
    session = LiveSession.objects.get(caption="两台")

    relay = relay_of(session)
    page = signed_in.get(f"/live/{session.pk}/").content.decode()

    assert relay.host == "relay-2"
    assert 'value="rtmp://relay-2.relay.example.com/rehearse/"' in page
    assert f'data-hls="https://relay-2.relay.example.com/preview/{relay.stream_name}.m3u8"' in page
    assert relay.control_url == "http://relay-2.relay.internal:8090/control"
    assert relay_of(session).host == "relay-2"  # pinned: read again, same host
