"""Contract: every reply example of Kuaishou's documents, fed to the client verbatim."""

import json
from pathlib import Path

import pytest

from kuaishou import (
    ApiError,
    Blame,
    LiveState,
    LiveStatus,
    PushUrl,
    TokenGrant,
    UserProfile,
    exchange_code,
    get_live_status,
    get_push_url,
    get_user_info,
    refresh_access_token,
    stop_push,
)

from .support import ACCESS_TOKEN, ACCESS_TOKEN_URL, CODE, COVER, PUSH_URLS_URL, REFRESH_TOKEN, REFRESH_TOKEN_URL
from .support import STOP_PUSH_URL, USER_INFO_URL, BASE_URL

EXAMPLES = Path(__file__).parent / "examples"
STATUS_URL = f"{BASE_URL}/openapi/kwaiUser/live/status/STREAM_NAME"


def example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def test_every_example_file_is_fed_to_the_client_here():
    tested = {
        "access_token.auth_doc.json", "access_token.later_pages.json", "refresh_token.auth_doc.json",
        "oauth_error.json", "user_info.json", "push_urls.json", "stop_push.json", "live_status.json",
        "face_check.content.json", "face_check.top_level.json",
    }
    assert {path.name for path in EXAMPLES.glob("*.json")} == tested


def test_the_auth_documents_code_exchange_logs_a_person_in(app, upstream):
    upstream.get(ACCESS_TOKEN_URL, json=example("access_token.auth_doc.json"))

    assert exchange_code(app, code=CODE) == TokenGrant(
        access_token="ACCESS_TOKEN", expires_in=172800, refresh_token="REFRESH_TOKEN", open_id="OPEN_ID",
    )


def test_the_later_pages_code_exchange_also_says_the_scopes_and_the_refresh_lifetime(app, upstream):
    upstream.get(ACCESS_TOKEN_URL, json=example("access_token.later_pages.json"))

    assert exchange_code(app, code=CODE) == TokenGrant(
        access_token="ACCESS_TOKEN", expires_in=172800, refresh_token="REFRESH_TOKEN", open_id="OPEN_ID",
        refresh_token_expires_in=15552000, scopes=("user_info", "user_video_live"),
    )


def test_the_auth_documents_refresh_gives_new_tokens_and_says_nothing_else(app, upstream):
    upstream.get(REFRESH_TOKEN_URL, json=example("refresh_token.auth_doc.json"))

    assert refresh_access_token(app, refresh_token=REFRESH_TOKEN) == TokenGrant(
        access_token="ACCESS_TOKEN_2", expires_in=172800, refresh_token="REFRESH_TOKEN_2",
    )


def test_an_oauth_failure_is_an_api_error_with_kuaishous_words(app, upstream):
    upstream.get(REFRESH_TOKEN_URL, json=example("oauth_error.json"))

    with pytest.raises(ApiError) as caught:
        refresh_access_token(app, refresh_token=REFRESH_TOKEN)

    assert (caught.value.result, caught.value.error, caught.value.message) == (100200105, "invalid_grant", "授权码无效")
    assert caught.value.blame is Blame.PERSON


def test_the_user_info_example_becomes_a_profile(app, upstream):
    upstream.get(USER_INFO_URL, json=example("user_info.json"))

    assert get_user_info(app, access_token=ACCESS_TOKEN) == UserProfile(
        name="快手用户", sex="F", fans=1200, follows=35, avatar_url="https://p.example/head.jpg",
        big_avatar_url="https://p.example/big.jpg", city="北京",
    )


def test_the_push_url_example_becomes_a_push_url(app, upstream):
    upstream.post(PUSH_URLS_URL, json=example("push_urls.json"))

    push = get_push_url(app, access_token=ACCESS_TOKEN, cover=COVER)

    assert push == PushUrl(push_url="rtmp://open-push.voip.yximgs.com/gifshow/STREAM_NAME?sign=SIGN",
                           live_stream_name="STREAM_NAME")
    assert (push.rtmp_server, push.stream_key) == ("rtmp://open-push.voip.yximgs.com/gifshow/", "STREAM_NAME?sign=SIGN")


def test_the_stop_example_is_a_success(app, upstream):
    upstream.post(STOP_PUSH_URL, json=example("stop_push.json"))

    assert stop_push(app, access_token=ACCESS_TOKEN, live_stream_name="STREAM_NAME") is None


def test_the_status_example_with_its_garbled_name_key_is_read(app, upstream):
    upstream.get(STATUS_URL, json=example("live_status.json"))

    assert get_live_status(app, access_token=ACCESS_TOKEN, live_stream_name="STREAM_NAME") == LiveStatus(
        live_stream_name="STREAM_NAME", status=LiveState.LIVING, status_message="", raw_status="LIVING",
    )


@pytest.mark.parametrize("name", ["face_check.content.json", "face_check.top_level.json"])
def test_the_face_check_examples_carry_the_url_to_scan(app, upstream, name):
    upstream.post(PUSH_URLS_URL, json=example(name))

    with pytest.raises(ApiError) as caught:
        get_push_url(app, access_token=ACCESS_TOKEN, cover=COVER)

    assert caught.value.face_verify_url == "https://verify.example/face?ticket=T"
    assert caught.value.host_name == "HOST_NAME"
    assert caught.value.blame is Blame.PERSON
