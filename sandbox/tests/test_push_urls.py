"""Getting a push URL: the live API's checks in order, and what a success hands out."""

import datetime as dt
import io
import re

import pytest
import requests
from PIL import Image

from sandbox.tests.support import APP_ID, BIZ_ID, jpeg, login, push_urls

TWO_MIB = 2 * 1024 * 1024


@pytest.fixture
def token(sandbox):
    return login(sandbox)["access_token"]


def padded_jpeg(size: int) -> bytes:
    # Bytes after the end-of-image marker are ignored by decoders, so this is still a JPEG.
    data = jpeg()
    return data + b"\0" * (size - len(data))


def test_a_push_url_is_handed_out_in_the_documented_shape(sandbox, token):
    reply = push_urls(sandbox, token)
    assert reply["result"] == 0
    assert reply["hostName"] == "sandbox-1"
    content = reply["content"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{16,32}", content["liveStreamName"])
    match = re.fullmatch(r"rtmp://127\.0\.0\.1:1935/gifshow/([A-Za-z0-9_-]+)\?sign=([A-Za-z0-9_-]{32,})", content["pushUrl"])
    assert match and match.group(1) == content["liveStreamName"]


def test_the_stream_is_recorded_with_its_cover_caption_and_expiry(sandbox, token):
    cover = jpeg(720, 1280)
    reply = push_urls(sandbox, token, cover=cover, caption="一二三四五六七八九十一二三", panoramic="2",
                      shopLive="TRUE", deviceName="DJI Mini 4")
    assert reply["result"] == 0
    stream = sandbox.stream(reply["content"]["liveStreamName"])
    assert stream["state"] == "not_started"
    assert stream["status"] == "LIVE_NOT_START"
    assert stream["user"] == "xiaoming"
    assert stream["caption"] == "一二三四五六七八九十一二三"
    assert (stream["panoramic"], stream["shop_live"], stream["device_name"]) == (2, True, "DJI Mini 4")
    assert stream["cover"] == {"size": len(cover), "width": 720, "height": 1280}
    assert stream["push_url"] == reply["content"]["pushUrl"]
    lifetime = dt.datetime.fromisoformat(stream["expires_at"]) - dt.datetime.fromisoformat(stream["issued_at"])
    assert lifetime == dt.timedelta(days=2)


def test_push_urls_follow_the_configured_rtmp_url(sandbox, token):
    sandbox.config(rtmp_url="rtmp://live.example:1935/gifshow")
    assert push_urls(sandbox, token)["content"]["pushUrl"].startswith("rtmp://live.example:1935/gifshow/")


def test_each_push_url_is_new(sandbox, token):
    first, second = push_urls(sandbox, token), push_urls(sandbox, token)
    assert first["content"]["pushUrl"] != second["content"]["pushUrl"]


@pytest.mark.parametrize("fields, reason", [
    ({"bizId": None}, "bizId"),
    ({"bizId": "someone-elses-biz"}, "bizId"),
    ({"caption": "一二三四五六七八九十一二三四"}, "caption"),
    ({"panoramic": "3"}, "panoramic"),
    ({"panoramic": "yes"}, "panoramic"),
    ({"shopLive": "1"}, "shopLive"),
    ({"filename": None}, "file"),
])
def test_a_parameter_error_is_400001(sandbox, token, fields, reason):
    reply = push_urls(sandbox, token, **fields)
    assert reply["result"] == 400001
    assert reply["content"] is None
    assert reason in reply["error_msg"]


def test_a_cover_sent_as_a_plain_field_is_a_missing_file(sandbox, token):
    data = {"app_id": APP_ID, "access_token": token, "bizId": BIZ_ID, "file": "cover.jpg"}
    reply = requests.post(sandbox.url("/openapi/kwaiUser/live/pushUrls"), data=data, timeout=10).json()
    assert reply["result"] == 400001


@pytest.mark.parametrize("cover, filename", [
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "cover.jpg"),
    (b"\xff\xd8\xff\xe0 not really a jpeg", "cover.jpg"),
    (jpeg()[:200], "cover.jpg"),
    (padded_jpeg(TWO_MIB + 1), "cover.jpg"),
    (jpeg(), "cover.jpeg"),
    (jpeg(), "cover.png"),
    (jpeg(), "cover"),
])
def test_an_illegal_cover_is_400014(sandbox, token, cover, filename):
    reply = push_urls(sandbox, token, cover=cover, filename=filename)
    assert reply["result"] == 400014


def test_a_png_cover_is_refused_even_when_named_jpg(sandbox, token):
    buffer = io.BytesIO()
    Image.new("RGB", (72, 128)).save(buffer, "PNG")
    assert push_urls(sandbox, token, cover=buffer.getvalue())["result"] == 400014


def test_a_cover_of_exactly_two_mebibytes_is_accepted(sandbox, token):
    reply = push_urls(sandbox, token, cover=padded_jpeg(TWO_MIB))
    assert reply["result"] == 0
    assert sandbox.stream(reply["content"]["liveStreamName"])["cover"]["size"] == TWO_MIB


@pytest.mark.parametrize("app_id", ["someone-else", None])
def test_an_unknown_or_missing_app_id_is_200100(sandbox, token, app_id):
    assert push_urls(sandbox, token, app_id=app_id)["result"] == 200100


def test_a_bad_token_is_200102(sandbox):
    reply = push_urls(sandbox, "not-a-token")
    assert reply["result"] == 200102
    assert reply["error_msg"]


def test_an_expired_token_is_200102(sandbox, token):
    sandbox.clock(advance=172800)
    assert push_urls(sandbox, token)["result"] == 200102


def test_a_token_without_the_live_scope_is_200102(sandbox):
    token = login(sandbox, scope="user_info")["access_token"]
    assert push_urls(sandbox, token)["result"] == 200102


def test_the_app_is_checked_before_the_token_and_the_token_before_the_parameters(sandbox):
    assert push_urls(sandbox, "not-a-token", app_id="nope", bizId=None)["result"] == 200100
    assert push_urls(sandbox, "not-a-token", bizId=None)["result"] == 200102


def test_a_user_without_live_permission_gets_400006(sandbox):
    token = login(sandbox, user="xiaohong")["access_token"]
    assert push_urls(sandbox, token)["result"] == 400006


def test_a_user_without_e_commerce_permission_gets_400008_only_for_a_shop_live(sandbox):
    token = login(sandbox, user="aqiang")["access_token"]
    assert push_urls(sandbox, token, shopLive="true")["result"] == 400008
    assert push_urls(sandbox, token, shopLive="false")["result"] == 0


def test_a_user_under_risk_control_gets_400020_until_the_face_check_is_passed(sandbox):
    token = login(sandbox, user="laowang")["access_token"]
    reply = push_urls(sandbox, token)
    assert reply["result"] == 400020
    verify_url = reply["content"]["qrCodeFaceVerifyUrl"]
    assert verify_url.startswith(sandbox.url("/_sandbox/face-verify/"))
    assert push_urls(sandbox, token)["content"]["qrCodeFaceVerifyUrl"] == verify_url

    page = requests.get(verify_url, timeout=10)
    assert "老王" in page.text and "通过" in page.text
    passed = requests.post(verify_url, timeout=10)
    assert "已通过" in passed.text

    assert push_urls(sandbox, token)["result"] == 0
    assert push_urls(sandbox, token)["result"] == 0


def test_the_rate_limit_answers_400002_within_a_sliding_minute(sandbox, token):
    sandbox.config(rate_limit=2)
    assert [push_urls(sandbox, token)["result"] for _ in range(3)] == [0, 0, 400002]
    sandbox.clock(advance=61)
    assert push_urls(sandbox, token)["result"] == 0


def test_a_rate_limit_of_zero_means_no_limit(sandbox, token):
    sandbox.config(rate_limit=0)
    assert {push_urls(sandbox, token)["result"] for _ in range(5)} == {0}


def test_a_get_is_not_allowed(sandbox, token):
    reply = requests.get(sandbox.url("/openapi/kwaiUser/live/pushUrls"),
                         params={"app_id": APP_ID, "access_token": token}, timeout=10)
    assert reply.status_code == 405
