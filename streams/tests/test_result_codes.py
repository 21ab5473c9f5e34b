"""Every documented result code reaches the person as a sentence that says what to do."""

import pytest
from django.utils import translation

from accounts.models import KuaishouCredential
from kuaishou.errors import RESULT_CODES
from streams import services
from streams.messages import UPSTREAM_MESSAGES
from streams.models import LiveSession

pytestmark = pytest.mark.django_db
Status = LiveSession.Status

PUSH_URL_CODES = [200100, 400001, 400002, 400003, 400006, 400008, 400014, 400020]


def session_page(client, session):
    return client.get(f"/live/{session.pk}/").content.decode()


@pytest.mark.parametrize("code", PUSH_URL_CODES)
def test_a_refused_push_url_request_leaves_a_failed_session_with_its_sentence(code, go_live, kuaishou, signed_in):
    kuaishou.fault("pushUrls", result=code)

    response = go_live()

    session = LiveSession.objects.get()
    assert response["Location"] == f"/live/{session.pk}/"
    assert session.status == Status.FAILED
    assert session.last_error_code == code
    page = session_page(signed_in, session)
    with translation.override("zh-hans"):
        assert str(UPSTREAM_MESSAGES[code]) in page
    assert f"快手返回码 {code}" in page
    assert "再试一次" in page


def test_every_code_in_the_result_code_table_has_a_sentence_and_every_sentence_a_code():
    assert set(UPSTREAM_MESSAGES) - set(RESULT_CODES) == set(), "a sentence for a code the table does not know"
    assert set(RESULT_CODES) - set(UPSTREAM_MESSAGES) == set(), "a documented code without a sentence"


def test_messages_exist_in_chinese_and_english_for_every_documented_code():
    for code, message in UPSTREAM_MESSAGES.items():
        with translation.override("en"):
            english = str(message)
        with translation.override("zh-hans"):
            chinese = str(message)
        assert english != chinese, code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese), code


def test_no_live_permission_says_how_to_get_it(connect, client, kuaishou):
    from tests.helpers import form_data

    client.force_login(connect("xiaohong_owner", "xiaohong").account.user)

    client.post("/live/new/", form_data())

    session = LiveSession.objects.get()
    assert session.last_error_code == 400006
    assert "申请直播权限" in session_page(client, session)


def test_no_e_commerce_permission_says_to_turn_it_off(connect, client, kuaishou):
    from tests.helpers import form_data

    client.force_login(connect("aqiang_owner", "aqiang").account.user)

    client.post("/live/new/", form_data(shop_live="true"))

    session = LiveSession.objects.get()
    assert session.last_error_code == 400008
    assert "请关闭电商选项" in session_page(client, session)


def test_a_face_check_shows_the_qr_code_to_scan(connect, client, kuaishou):
    from tests.helpers import form_data

    client.force_login(connect("laowang_owner", "laowang").account.user)

    client.post("/live/new/", form_data())

    session = LiveSession.objects.get()
    assert session.last_error_code == 400020
    assert session.face_verify_url.startswith(kuaishou.url("/_sandbox/face-verify/"))
    page = session_page(client, session)
    assert "data:image/svg+xml" in page
    assert session.face_verify_url in page


def test_a_rejected_token_is_refreshed_once_and_the_live_still_starts(go_live, kuaishou):
    kuaishou.fault("pushUrls", result=200102)

    go_live()

    assert LiveSession.objects.get().status == Status.READY
    assert len(kuaishou.requests(endpoint="refresh_token")) == 1
    assert len(kuaishou.requests(endpoint="pushUrls")) == 2


def test_a_token_rejected_after_refresh_asks_to_reconnect(go_live, kuaishou, signed_in):
    kuaishou.fault("pushUrls", result=200102, count=2)

    go_live()

    session = LiveSession.objects.get()
    assert session.status == Status.FAILED
    assert session.last_error_code == 200102
    assert KuaishouCredential.objects.get().needs_reconnect
    page = session_page(signed_in, session)
    assert "请重新连接快手后再试" in page
    assert "重新连接快手" in page


@pytest.mark.parametrize("fault", [{"http_status": 502}, {"malformed": True}], ids=["502", "not-json"])
def test_no_usable_answer_leaves_a_failed_session_saying_to_retry(fault, go_live, kuaishou, signed_in):
    kuaishou.fault("pushUrls", **fault)

    go_live()

    session = LiveSession.objects.get()
    assert session.status == Status.FAILED
    assert session.last_error_code is None
    assert "快手没有及时响应" in session_page(signed_in, session)


def test_an_undocumented_code_shows_kuaishous_own_words(go_live, kuaishou, signed_in):
    kuaishou.fault("pushUrls", result=499999)

    go_live()

    session = LiveSession.objects.get()
    assert session.last_error_code == 499999
    assert "快手返回了错误 499999" in session_page(signed_in, session)


@pytest.mark.parametrize("code", [400005, 400009, 400013, 400003])
def test_a_refused_stop_keeps_the_live_and_says_why(code, ready_session, kuaishou, signed_in):
    kuaishou.fault("stopPush", result=code)

    response = signed_in.post(f"/live/{ready_session.pk}/stop/", follow=True)

    ready_session.refresh_from_db()
    assert ready_session.status == Status.READY
    assert ready_session.last_error_code == code
    with translation.override("zh-hans"):
        assert str(UPSTREAM_MESSAGES[code]) in response.content.decode()


@pytest.mark.parametrize("code", [400005, 400009, 400013, 400003])
def test_a_refused_status_poll_is_recorded_and_the_session_stays_active(code, ready_session, kuaishou):
    kuaishou.fault("status", result=code)

    with pytest.raises(services.GoLiveError):
        services.live_session_sync(session_id=ready_session.pk)

    ready_session.refresh_from_db()
    assert ready_session.status == Status.READY
    assert ready_session.last_error_code == code
