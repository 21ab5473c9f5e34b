"""The ingest asks kslive whether an encoder may publish (on_publish) and tells it when one leaves."""

from relay.models import Relay
from streams.models import LiveSessionEvent


def test_the_right_key_lets_the_encoder_publish_and_is_recorded(relay, hook):
    response = hook("on_publish", name=relay.stream_name, key=relay.key)

    assert response.status_code == 200
    relay.refresh_from_db()
    assert relay.receiving and relay.encoder_client == "7"


def test_the_key_may_come_on_the_name_as_some_encoders_send_it(relay, hook):
    response = hook("on_publish", name=f"{relay.stream_name}?key={relay.key}")

    assert response.status_code == 200


def test_a_wrong_key_is_refused(relay, hook):
    response = hook("on_publish", name=relay.stream_name, key="guess")

    assert response.status_code == 403
    relay.refresh_from_db()
    assert not relay.receiving


def test_an_unknown_stream_is_refused_with_the_same_words_as_a_wrong_key(relay, hook):
    unknown = hook("on_publish", name="0123456789abcdef", key=relay.key)
    wrong = hook("on_publish", name=relay.stream_name, key="guess")

    assert unknown.status_code == wrong.status_code == 403
    assert unknown.content == wrong.content


def test_another_application_is_refused(relay, hook):
    assert hook("on_publish", name=relay.stream_name, key=relay.key, app="gifshow").status_code == 404


def test_a_call_without_the_shared_secret_is_refused(relay, hook):
    assert hook("on_publish", secret=None, name=relay.stream_name, key=relay.key).status_code == 403
    assert hook("on_publish", secret="wrong", name=relay.stream_name, key=relay.key).status_code == 403
    assert hook("on_publish_done", secret="wrong", name=relay.stream_name).status_code == 403


def test_without_a_configured_secret_only_a_loopback_call_in_development_passes(relay, hook, settings):
    settings.KSLIVE_RELAY_HOOK_SECRET = ""
    settings.DEBUG = False
    assert hook("on_publish", secret=None, name=relay.stream_name, key=relay.key).status_code == 403
    settings.DEBUG = True
    assert hook("on_publish", secret=None, name=relay.stream_name, key=relay.key).status_code == 200


def test_an_ended_session_refuses_its_encoder(relay, hook, signed_in):
    signed_in.post(f"/live/{relay.session_id}/stop/")

    assert hook("on_publish", name=relay.stream_name, key=relay.key).status_code == 403


def test_a_finished_relay_forgets_its_ingest_key_and_refuses_its_encoder_as_an_unknown_one(relay, hook, signed_in,
                                                                                           monkeypatch):
    from relay import services

    monkeypatch.setattr(services, "encoder_disconnect", lambda *, relay: None)
    signed_in.post(f"/live/{relay.session_id}/stop/")
    services.relay_finish(relay=Relay.objects.select_related("session").get(pk=relay.pk))

    assert Relay.objects.get(pk=relay.pk).key == ""
    with_old_key = hook("on_publish", name=relay.stream_name, key=relay.key)
    without_key = hook("on_publish", name=relay.stream_name, key="")
    assert with_old_key.status_code == without_key.status_code == 403
    assert with_old_key.content == without_key.content == b"unknown stream or wrong key"


def test_publish_done_records_that_the_encoder_left(receiving, hook):
    assert hook("on_publish_done", name=receiving.stream_name).status_code == 200

    receiving.refresh_from_db()
    assert not receiving.receiving and receiving.encoder_dropped_at is not None
    # A rehearsal drop is nobody's business but the rehearsal's: no timeline entry.
    assert not receiving.session.events.filter(kind=LiveSessionEvent.Kind.ENCODER_DROPPED).exists()


def test_a_late_publish_done_of_a_replaced_connection_changes_nothing(receiving, hook):
    hook("on_publish_done", name=receiving.stream_name, clientid="3")

    receiving.refresh_from_db()
    assert receiving.receiving


def test_the_ingest_key_is_stored_encrypted(relay):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM relay_relay WHERE id = %s", [relay.pk])
        stored = cursor.fetchone()[0]
    assert relay.key not in stored
    assert Relay.objects.get(pk=relay.pk).key == relay.key


def test_an_encoder_may_reconnect_while_kuaishou_is_asked_for_the_push_url(relay, hook):
    from streams.models import LiveSession

    LiveSession.objects.filter(pk=relay.session_id).update(status=LiveSession.Status.REQUESTING)

    assert hook("on_publish", name=relay.stream_name, key=relay.key).status_code == 200
