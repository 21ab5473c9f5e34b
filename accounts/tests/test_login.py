from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import KuaishouCredential
from sandbox import demo
from tests.kuaishou_login import come_back, consent, log_in, start_login

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_login_starts_with_a_post_not_a_get(client, kuaishou):
    response = client.get("/accounts/kuaishou/login/")

    assert response.status_code == 200
    assert kuaishou.requests() == []


def test_login_sends_the_browser_to_the_consent_page_with_the_live_scope(client, kuaishou):
    authorize = urlsplit(start_login(client))

    query = parse_qs(authorize.query)
    assert authorize.path == "/oauth2/authorize"
    assert query["app_id"] == [demo.APP_ID]
    assert query["scope"] == ["user_info,user_video_live"]
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == ["http://testserver/accounts/kuaishou/login/callback/"]
    assert query["ua"] == ["h5"]  # Django's test client names no browser: the page that works anywhere
    assert len(query["state"][0]) >= 8


@pytest.mark.parametrize("header", ["host", "x-forwarded-host"])
def test_a_forged_host_never_becomes_the_redirect_uri_kuaishou_is_sent(client, kuaishou, settings, header):
    settings.SITE_URL = "https://kslive.example.com"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "evil.example"]

    authorize = urlsplit(start_login(client, **{header: "evil.example"}))

    (redirect_uri,) = parse_qs(authorize.query)["redirect_uri"]
    assert redirect_uri == "https://kslive.example.com/accounts/kuaishou/login/callback/"
    assert "evil.example" not in authorize.query


IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.5 Mobile/15E148 Safari/604.1")
ANDROID = ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
           "Mobile Safari/537.36")
DESKTOP_CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/124.0.0.0 Safari/537.36")
DESKTOP_SAFARI = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                  "Version/17.4.1 Safari/605.1.15")


@pytest.mark.parametrize("user_agent, ua", [(IPHONE, "h5"), (ANDROID, "h5"), (DESKTOP_CHROME, "pc"),
                                            (DESKTOP_SAFARI, "pc")],
                         ids=["iphone", "android", "desktop-chrome", "desktop-safari"])
def test_phones_get_kuaishous_phone_consent_page_and_desktops_the_desktop_one(client, kuaishou, user_agent, ua):
    authorize = urlsplit(start_login(client, user_agent=user_agent))

    assert parse_qs(authorize.query)["ua"] == [ua]


def test_an_ipad_that_says_it_is_a_mac_gets_the_phone_page_when_the_page_saw_a_touch_screen(client, kuaishou):
    response = client.post("/accounts/kuaishou/login/", {"touch": "1"}, headers={"user_agent": DESKTOP_SAFARI})

    assert parse_qs(urlsplit(response["Location"]).query)["ua"] == ["h5"]


def test_a_person_who_allows_is_logged_in_under_their_kuaishou_name(client, kuaishou):
    response = log_in(client, user="xiaoming")

    assert response.status_code == 302
    assert response["Location"] == "/live/new/"
    page = client.get("/account/").content.decode()
    assert "小明" in page
    user = User.objects.get()
    assert user.first_name == "小明"
    account = SocialAccount.objects.get(user=user)
    assert account.provider == "kuaishou"
    assert "open_id" in page and account.uid in page


def test_the_code_exchange_is_the_documented_get(client, kuaishou):
    callback = consent(start_login(client))
    code = parse_qs(urlsplit(callback).query)["code"][0]

    come_back(client, callback)

    (exchange,) = kuaishou.requests(endpoint="access_token")
    assert exchange["method"] == "GET"
    assert exchange["path"] == "/oauth2/access_token"
    assert exchange["query"] == {
        "app_id": demo.APP_ID,
        "app_secret": demo.APP_SECRET,
        "code": code,
        "grant_type": "authorization_code",
    }


def test_the_login_keeps_tokens_scopes_and_expiry(client, kuaishou):
    log_in(client)

    credential = KuaishouCredential.objects.get()
    assert credential.access_token and credential.refresh_token
    assert credential.access_token != credential.refresh_token
    assert set(credential.scopes) >= {"user_info", "user_video_live"}
    assert credential.can_go_live
    assert not credential.needs_reconnect
    assert SocialToken.objects.count() == 0


def test_the_profile_goes_to_extra_data(client, kuaishou):
    log_in(client, user="xiaoming")

    extra = SocialAccount.objects.get().extra_data
    assert extra["name"] == "小明"
    assert extra["avatar_url"].startswith(kuaishou.url("/_sandbox/avatars/"))
    assert {"sex", "fans", "follows", "city", "big_avatar_url"} <= extra.keys()
    assert "access_token" not in str(extra)


def test_a_profile_with_missing_fields_still_logs_in(client, kuaishou):
    log_in(client, user="anon")

    account = SocialAccount.objects.get()
    assert account.extra_data["name"] == "匿名用户"
    assert account.extra_data["avatar_url"] == ""
    assert account.extra_data["fans"] is None
    page = client.get("/account/").content.decode()
    assert "匿名用户" in page
    assert 'class="avatar placeholder"' in page


def test_sign_up_needs_no_form(client, kuaishou):
    response = log_in(client)

    assert response["Location"] == "/live/new/"
    assert User.objects.count() == 1


def test_logging_in_again_reuses_the_account_and_clears_reconnect(client, kuaishou):
    log_in(client)
    KuaishouCredential.objects.update(needs_reconnect=True, reconnect_reason="revoked")
    client.logout()

    log_in(client)

    assert User.objects.count() == 1
    assert KuaishouCredential.objects.get().needs_reconnect is False


def test_denied_consent_shows_a_friendly_page_and_creates_no_account(client, kuaishou):
    callback = consent(start_login(client), action="deny")

    response = come_back(client, callback, follow=True)

    assert response.status_code == 200
    assert "登录已取消" in response.content.decode()
    assert User.objects.count() == 0
    assert kuaishou.requests(endpoint="access_token") == []


def test_coming_back_with_nothing_counts_as_cancelled(client, kuaishou):
    start_login(client)

    response = client.get("/accounts/kuaishou/login/callback/", follow=True)

    assert "登录已取消" in response.content.decode()
    assert User.objects.count() == 0


def forged(callback_url, **changes):
    parts = urlsplit(callback_url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    query = {k: v for k, v in query.items() if v is not None}
    return parts._replace(query="&".join(f"{k}={v}" for k, v in query.items())).geturl()


@pytest.mark.parametrize("state", ["forged-state", None], ids=["forged", "missing"])
def test_a_bad_state_shows_an_error_stores_nothing_and_calls_nobody(client, kuaishou, state):
    callback = consent(start_login(client))

    response = come_back(client, forged(callback, state=state))

    assert response.status_code == 401
    assert "登录失败" in response.content.decode()
    assert kuaishou.requests(endpoint="access_token") == []
    assert KuaishouCredential.objects.count() == 0
    assert User.objects.count() == 0


def test_a_reused_state_shows_an_error(client, kuaishou):
    callback = consent(start_login(client))
    come_back(client, callback)
    client.logout()

    response = come_back(client, callback)

    assert response.status_code == 401
    assert len(kuaishou.requests(endpoint="access_token")) == 1


def test_a_reused_code_shows_an_error_and_stores_no_token(client, kuaishou):
    first = consent(start_login(client))
    come_back(client, first)
    client.logout()
    KuaishouCredential.objects.all().delete()
    code = parse_qs(urlsplit(first).query)["code"][0]
    second = consent(start_login(client))

    response = come_back(client, forged(second, code=code))

    assert response.status_code == 401
    assert "登录失败" in response.content.decode()
    assert KuaishouCredential.objects.count() == 0
    assert [r["result"] for r in kuaishou.requests(endpoint="access_token")] == [1, 100200105]
    assert len(kuaishou.requests(endpoint="user_info")) == 1


def test_a_login_whose_reply_names_no_scopes_counts_the_asked_ones_as_granted(client, kuaishou):
    log_in(client)

    credential = KuaishouCredential.objects.get()
    expected = ["user_info", "user_video_live"] if kuaishou.reply_shape == "documented" else [
        "user_base", "user_info", "user_video_live"]
    assert credential.scopes == expected
    assert credential.can_go_live
    if kuaishou.reply_shape == "documented":
        assert credential.refresh_token_expires_at is None
    else:
        assert credential.refresh_token_expires_at > timezone.now() + timezone.timedelta(days=179)


def test_without_the_live_scope_the_page_offers_to_grant_it_when_kuaishou_says_so(client, kuaishou_documented):
    sandbox = kuaishou_documented
    sandbox.use_reply_shape("extended")
    log_in(client, grant=["user_info"])

    page = client.get("/account/").content.decode()

    assert not KuaishouCredential.objects.get().can_go_live
    assert "user_video_live" in page
    assert "允许开播" in page


def test_without_the_live_scope_in_a_reply_that_does_not_say_the_first_live_call_asks_to_grant_again(
    client, kuaishou_documented
):
    sandbox = kuaishou_documented
    log_in(client, grant=["user_info"])
    from tests.helpers import form_data

    client.post("/live/new/", form_data())

    # The sandbox refused pushUrls (200102), a fresh refresh did not cure it: grant again.
    assert [r["result"] for r in sandbox.requests(endpoint="pushUrls")] == [200102, 200102]
    assert KuaishouCredential.objects.get().needs_reconnect
    assert "重新连接快手" in client.get("/live/").content.decode()


def test_kuaishou_trouble_on_the_consent_page_is_not_called_a_cancel(client, kuaishou):
    state = parse_qs(urlsplit(start_login(client)).query)["state"][0]

    response = client.get(f"/accounts/kuaishou/login/callback/?error=server_error&state={state}")

    page = response.content.decode()
    assert "登录已取消" not in page
    assert "快手刚才出了问题" in page
    assert kuaishou.requests(endpoint="access_token") == []


def test_an_app_error_on_the_consent_page_tells_the_person_it_is_not_their_fault(client, kuaishou, monkeypatch):
    from kuaishou_app import tasks

    monkeypatch.setattr(tasks.check_app, "delay", lambda family: None)
    state = parse_qs(urlsplit(start_login(client)).query)["state"][0]

    response = client.get(f"/accounts/kuaishou/login/callback/?error=unauthorized_client&state={state}")

    assert "不是你的问题" in response.content.decode()
    assert "登录已取消" not in response.content.decode()


def test_an_empty_code_never_reaches_kuaishou(client, kuaishou):
    callback = consent(start_login(client))

    response = come_back(client, forged(callback, code=""))

    assert response.status_code in (200, 401)
    assert "登录失败" in response.content.decode()
    assert kuaishou.requests(endpoint="access_token") == []
    assert User.objects.count() == 0


def test_choosing_a_second_kuaishou_account_while_logged_in_is_refused_and_changes_nothing(client, kuaishou):
    log_in(client, user="xiaoming")
    me = User.objects.get()

    response = come_back(client, consent(start_login(client), user="aqiang"), follow=True)

    assert response.status_code == 200
    assert "你选择的快手账号" in response.content.decode()
    assert User.objects.count() == 1
    assert SocialAccount.objects.get().user == me
    assert response.context["user"] == me


def test_reconnecting_with_the_same_account_while_logged_in_works(client, kuaishou):
    log_in(client, user="xiaoming")
    KuaishouCredential.objects.update(needs_reconnect=True)

    log_in(client, user="xiaoming")

    assert not KuaishouCredential.objects.get().needs_reconnect
    assert User.objects.count() == 1


def test_logging_out_takes_a_post(client, kuaishou):
    log_in(client)

    client.post("/accounts/logout/")

    assert client.get("/account/").status_code == 302
