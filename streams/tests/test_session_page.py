import pytest

from kuaishou import PushUrl
from streams import services
from streams.models import LiveSession
from tests.helpers import make_credential

pytestmark = pytest.mark.django_db


def test_the_push_url_is_masked_until_show(ready_session, signed_in):
    page = signed_in.get(f"/live/{ready_session.pk}/").content.decode()

    assert ready_session.push_url not in page
    assert "sign=" + ready_session.push_url.split("sign=")[1] not in page
    assert "rtmp://••••••••/gifshow/••••••••?sign=••••••••" in page
    assert 'href="?reveal=1"' in page
    assert "data:image/svg+xml" not in page


def confirm_checklist(client, session):
    return client.post(f"/live/{session.pk}/reveal/", {"codecs": "1", "no_autoconfig": "1"})


def test_show_reveals_the_url_the_obs_fields_and_a_qr_code(ready_session, signed_in):
    confirm_checklist(signed_in, ready_session)
    response = signed_in.get(f"/live/{ready_session.pk}/?reveal=1")

    page = response.content.decode()
    push = PushUrl(ready_session.push_url, ready_session.live_stream_name)
    assert f'value="{push.push_url}"' in page
    assert f'value="{push.rtmp_server}"' in page
    assert push.rtmp_server == "rtmp://127.0.0.1:1935/gifshow/"
    assert f'value="{push.stream_key}"' in page
    assert 'data-copy="push-url"' in page and 'data-copy="obs-server"' in page and 'data-copy="obs-key"' in page
    assert "data:image/svg+xml" in page
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_the_page_states_the_push_url_rules(ready_session, signed_in):
    page = signed_in.get(f"/live/{ready_session.pk}/").content.decode()

    assert "仅可使用一次" in page
    assert ready_session.expires_at.astimezone().strftime("%Y") in page
    assert "data-countdown" in page
    assert "自动配置或带宽测试" in page


def test_a_living_session_links_to_cloud_live_studio(ready_session, kuaishou, signed_in):
    kuaishou.publish(ready_session.live_stream_name)
    services.live_session_sync(session_id=ready_session.pk)

    page = signed_in.get(f"/live/{ready_session.pk}/").content.decode()

    assert 'href="https://liveopen.kuaishou.com/"' in page
    assert 'data-status="living"' in page


def test_an_ended_session_hides_the_push_url_and_offers_to_go_again(ready_session, signed_in):
    signed_in.post(f"/live/{ready_session.pk}/stop/")

    page = signed_in.get(f"/live/{ready_session.pk}/?reveal=1").content.decode()

    assert ready_session.push_url not in page
    assert f"/live/new/?from={ready_session.pk}" in page
    assert "再次开播" in page


def test_the_history_lists_sessions_with_status_and_duration(ready_session, kuaishou, signed_in):
    kuaishou.publish(ready_session.live_stream_name)
    services.live_session_sync(session_id=ready_session.pk)
    signed_in.post(f"/live/{ready_session.pk}/stop/")

    page = signed_in.get("/live/").content.decode()

    assert "湖边日出" in page
    assert "已结束" in page
    assert "0:0" in page  # a duration of a few seconds


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/live/{pk}/"),
        ("get", "/live/{pk}/?reveal=1"),
        ("get", "/live/{pk}/status/"),
        ("get", "/live/{pk}/cover.jpg"),
        ("post", "/live/{pk}/stop/"),
        ("get", "/live/new/?from={pk}"),
    ],
)
def test_another_persons_session_is_404_on_every_url(ready_session, client, method, path, kuaishou):
    stranger = make_credential("stranger").account.user
    client.force_login(stranger)

    response = getattr(client, method)(path.format(pk=ready_session.pk))

    if path.startswith("/live/new/"):
        assert response.status_code == 200
        assert f'value="{ready_session.caption}"' not in response.content.decode()
    else:
        assert response.status_code == 404
    assert LiveSession.objects.get().status == LiveSession.Status.READY
    assert kuaishou.requests(endpoint="stopPush") == []


def test_the_cover_is_served_to_its_owner(ready_session, signed_in):
    response = signed_in.get(f"/live/{ready_session.pk}/cover.jpg")

    assert response["Content-Type"] == "image/jpeg"
    assert response.content == bytes(ready_session.cover)


def test_the_push_url_is_encrypted_at_rest(ready_session):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT push_url FROM streams_livesession")
        (stored,) = cursor.fetchone()

    assert "sign=" not in stored
    assert ready_session.live_stream_name not in stored


def test_the_push_url_never_reaches_the_logs(go_live, kuaishou, caplog):
    caplog.set_level("DEBUG")

    go_live()

    session = LiveSession.objects.get()
    sign = session.push_url.split("sign=")[1]
    assert sign not in caplog.text
