"""The device API's relay sessions: `relay: true`, the check as JSON, and go-live."""

import json
from pathlib import Path

from relay import services
from relay.models import Relay
from streams.models import LiveSession

PROBES = Path(__file__).parent / "probes"


def test_relay_true_makes_a_rehearsing_session_with_kslives_ingest(api, kuaishou):
    response = api.go_live(relay="true")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "rehearsing" and body["push_url"] is None
    relay = Relay.objects.get(session_id=body["id"])
    assert body["relay"]["ingest_url"] == f"rtmp://relay.example.com:1936/rehearse/{relay.stream_name}?key={relay.key}"
    assert body["relay"]["check"] == {"overall": None, "checking": False, "checked_at": None, "rows": [], "facts": {}}
    assert kuaishou.requests("pushUrls") == []


def test_a_direct_session_has_no_relay(api):
    assert api.go_live().json()["relay"] is None


def test_the_check_comes_as_json(api, hook):
    session_id = api.go_live(relay="true").json()["id"]
    relay = Relay.objects.get(session_id=session_id)
    hook("on_publish", name=relay.stream_name, key=relay.key)
    relay.refresh_from_db()
    facts = services.check.facts(json.loads((PROBES / "mp3_audio.json").read_text()))
    services.relay_check_store(relay=relay, facts=facts, connected_at=relay.encoder_since)

    check = api.get(f"/api/v1/live-sessions/{session_id}").json()["relay"]["check"]

    assert check["overall"] == "red"
    audio = next(row for row in check["rows"] if row["item"] == "audio_codec")
    assert (audio["level"], audio["value"]) == ("red", "MP3")
    assert check["facts"]["audio_codec"] == "mp3"


def test_go_live_before_the_encoder_pushes_is_a_conflict(api):
    session_id = api.go_live(relay="true").json()["id"]

    response = api.post(f"/api/v1/live-sessions/{session_id}/go-live")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_receiving"


def test_go_live_gets_the_push_url_and_keeps_it_hidden(api, hook, kuaishou):
    session_id = api.go_live(relay="true").json()["id"]
    relay = Relay.objects.get(session_id=session_id)
    hook("on_publish", name=relay.stream_name, key=relay.key)

    response = api.post(f"/api/v1/live-sessions/{session_id}/go-live")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ready"
    assert response.json()["push_url"] is None
    assert len(kuaishou.requests("pushUrls")) == 1


def test_go_live_on_a_direct_session_is_a_conflict(api):
    session_id = api.go_live().json()["id"]

    response = api.post(f"/api/v1/live-sessions/{session_id}/go-live")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "session_over"


def test_go_live_on_someone_elses_session_is_not_found(api, stranger_api):
    session_id = api.go_live(relay="true").json()["id"]

    assert stranger_api.post(f"/api/v1/live-sessions/{session_id}/go-live").status_code == 404
    assert LiveSession.objects.get(pk=session_id).status == "rehearsing"


def test_go_live_refused_by_kuaishou_keeps_the_rehearsal(api, hook, kuaishou):
    session_id = api.go_live(relay="true").json()["id"]
    relay = Relay.objects.get(session_id=session_id)
    hook("on_publish", name=relay.stream_name, key=relay.key)
    kuaishou.fault("pushUrls", result=400006)

    response = api.post(f"/api/v1/live-sessions/{session_id}/go-live")

    assert response.status_code == 422
    assert (response.json()["error"]["code"], response.json()["error"]["upstream_code"]) == ("no_live_permission",
                                                                                             400006)
    assert api.get(f"/api/v1/live-sessions/{session_id}").json()["status"] == "rehearsing"
