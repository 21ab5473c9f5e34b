"""The OAuth endpoints: consent page, code exchange, refresh rotation, user_info."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from sandbox.tests.support import APP_ID, APP_SECRET, exchange, login, push_urls

CALLBACK = "http://127.0.0.1:8000/accounts/kuaishou/callback/"


def authorize_get(sandbox, **overrides):
    params = {"app_id": APP_ID, "scope": "user_info,user_video_live", "response_type": "code",
              "redirect_uri": CALLBACK, "state": "st-42", "ua": "pc"}
    params.update(overrides)
    params = {key: value for key, value in params.items() if value is not None}
    return requests.get(sandbox.url("/oauth2/authorize"), params=params, allow_redirects=False, timeout=10)


def consent(sandbox, action="allow", user="xiaoming", grant=("user_info", "user_video_live"), **overrides):
    form = {"app_id": APP_ID, "redirect_uri": CALLBACK, "scope": "user_info,user_video_live",
            "state": "st-42", "user": user, "grant": list(grant), "action": action}
    form.update(overrides)
    return requests.post(sandbox.url("/oauth2/authorize"), data=form, allow_redirects=False, timeout=10)


def query_of(response) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(response.headers["Location"]).query).items()}


def refresh(sandbox, refresh_token, **overrides):
    params = {"app_id": APP_ID, "app_secret": APP_SECRET, "refresh_token": refresh_token,
              "grant_type": "refresh_token"}
    params.update(overrides)
    return requests.get(sandbox.url("/oauth2/refresh_token"), params=params, timeout=10).json()


def user_info(sandbox, access_token, app_id=APP_ID):
    params = {"app_id": app_id, "access_token": access_token}
    return requests.get(sandbox.url("/openapi/user_info"), params=params, timeout=10).json()


# --- authorize ---------------------------------------------------------------


def test_the_consent_page_names_the_app_the_scopes_and_the_demo_users(sandbox):
    page = authorize_get(sandbox)
    assert page.status_code == 200
    for text in ("kslive 演示应用", "同意授权", "取消", "user_info", "user_video_live",
                 "小明", "小红", "阿强", "老王", "匿名用户", "无开播权限"):
        assert text in page.text
    assert 'name="grant" value="user_video_live" checked' in page.text


def test_allowing_redirects_back_with_a_code_and_the_state(sandbox):
    reply = consent(sandbox)
    assert reply.status_code == 302
    assert reply.headers["Location"].startswith(CALLBACK + "?")
    query = query_of(reply)
    assert query["state"] == "st-42"
    assert len(query["code"]) >= 20


def test_the_redirect_keeps_the_apps_own_query_parameters(sandbox):
    reply = consent(sandbox, redirect_uri=CALLBACK + "?next=%2Fgo-live%2F")
    assert query_of(reply)["next"] == "/go-live/"
    assert "code" in query_of(reply)


def test_the_state_is_left_out_when_none_was_sent(sandbox):
    reply = consent(sandbox, state="")
    assert "state" not in query_of(reply)


def test_denying_redirects_back_with_an_error_and_the_state_but_no_code(sandbox):
    reply = consent(sandbox, action="deny")
    query = query_of(reply)
    assert reply.status_code == 302
    assert query["error"] == "invalid_scope"
    assert query["state"] == "st-42"
    assert "code" not in query


def test_denying_can_come_back_with_nothing_but_the_state(sandbox):
    sandbox.config(cancel_error="")
    assert query_of(consent(sandbox, action="deny")) == {"state": "st-42"}


def test_a_missing_redirect_uri_shows_an_invalid_request_page(sandbox):
    page = authorize_get(sandbox, redirect_uri=None)
    assert page.status_code == 400
    assert "100200100" in page.text and "invalid_request" in page.text


def test_an_unknown_app_shows_an_unauthorized_client_page(sandbox):
    page = authorize_get(sandbox, app_id="someone-else")
    assert page.status_code == 400
    assert "100200101" in page.text and "unauthorized_client" in page.text


@pytest.mark.parametrize("uri", ["https://evil.example/cb", "javascript:alert(1)", "http://127.0.0.1.evil.example/"])
def test_a_redirect_uri_on_another_host_shows_an_error_page_and_never_redirects(sandbox, uri):
    page = authorize_get(sandbox, redirect_uri=uri)
    assert page.status_code == 400
    assert "Location" not in page.headers
    assert "100200100" in page.text


def test_the_consent_form_revalidates_the_redirect_uri(sandbox):
    reply = consent(sandbox, redirect_uri="https://evil.example/cb")
    assert reply.status_code == 400
    assert "Location" not in reply.headers


def test_any_port_and_https_are_allowed_on_an_allowed_host(sandbox):
    assert authorize_get(sandbox, redirect_uri="https://localhost:9443/cb").status_code == 200


def test_a_response_type_other_than_code_comes_back_as_unsupported_response_type(sandbox):
    # 100200103 in the error table; the browser flow carries it as the error name.
    query = query_of(authorize_get(sandbox, response_type="token"))
    assert query["error"] == "unsupported_response_type"
    assert query["state"] == "st-42"


def test_an_unknown_scope_comes_back_as_invalid_scope(sandbox):
    query = query_of(authorize_get(sandbox, scope="user_info,user_phone"))
    assert query["error"] == "invalid_scope"


# --- access_token ------------------------------------------------------------


def test_a_code_is_exchanged_for_exactly_the_fields_of_the_auth_documents_example(sandbox):
    reply = login(sandbox)
    assert set(reply) == {"result", "access_token", "refresh_token", "open_id", "expires_in"}
    assert reply["result"] == 1
    assert reply["expires_in"] == 172800
    assert re.fullmatch(r"[0-9a-f]{32}", reply["open_id"])
    assert reply["access_token"] and reply["refresh_token"]


def test_the_extended_shape_adds_what_later_pages_show(sandbox):
    sandbox.use_reply_shape("extended")
    reply = login(sandbox)
    assert set(reply) == {"result", "access_token", "refresh_token", "open_id", "expires_in",
                          "refresh_token_expires_in", "scopes"}
    assert reply["refresh_token_expires_in"] == 15552000
    assert reply["scopes"] == ["user_base", "user_info", "user_video_live"]


def test_an_unknown_reply_shape_is_refused(sandbox):
    reply = requests.post(sandbox.url("/_sandbox/config"), json={"reply_shape": "lavish"}, timeout=10)
    assert reply.status_code == 400
    assert "reply_shape" in reply.json()["error"]


def test_the_open_id_is_stable_per_user_and_differs_between_users(sandbox):
    assert login(sandbox)["open_id"] == login(sandbox)["open_id"]
    assert login(sandbox)["open_id"] != login(sandbox, user="aqiang")["open_id"]


def test_the_scopes_say_what_the_person_actually_granted(sandbox):
    sandbox.use_reply_shape("extended")
    code = query_of(consent(sandbox, grant=("user_info",)))["code"]
    reply = exchange(sandbox, code)
    assert reply["scopes"] == ["user_base", "user_info"]
    assert push_urls(sandbox, reply["access_token"])["result"] == 200102


def test_a_code_works_once(sandbox):
    code = sandbox.authorize()
    assert exchange(sandbox, code)["result"] == 1
    again = exchange(sandbox, code)
    assert again["result"] == 100200105
    assert again["error"] == "invalid_grant"


def test_a_code_expires_after_the_code_ttl(sandbox):
    code = sandbox.authorize()
    sandbox.clock(advance=601)
    assert exchange(sandbox, code)["result"] == 100200105


def test_the_code_ttl_is_configurable(sandbox):
    sandbox.config(code_ttl=120)
    code = sandbox.authorize()
    sandbox.clock(advance=119)
    assert exchange(sandbox, code)["result"] == 1
    code = sandbox.authorize()
    sandbox.clock(advance=120)
    assert exchange(sandbox, code)["result"] == 100200105


def test_an_unknown_code_is_an_invalid_grant(sandbox):
    assert exchange(sandbox, "no-such-code")["result"] == 100200105


@pytest.mark.parametrize("missing", ["app_id", "app_secret", "code", "grant_type"])
def test_a_missing_parameter_is_an_invalid_request(sandbox, missing):
    reply = exchange(sandbox, "whatever", **{missing: ""})
    assert reply == {"result": 100200100, "error": "invalid_request", "error_msg": reply["error_msg"]}
    assert missing in reply["error_msg"]


@pytest.mark.parametrize("overrides", [{"app_secret": "wrong"}, {"app_id": "someone-else"}])
def test_a_wrong_secret_or_unknown_app_is_an_unauthorized_client(sandbox, overrides):
    reply = exchange(sandbox, sandbox.authorize(), **overrides)
    assert (reply["result"], reply["error"]) == (100200101, "unauthorized_client")


def test_the_auth_documents_grant_type_code_is_accepted_too(sandbox):
    reply = exchange(sandbox, sandbox.authorize(), grant_type="code")
    assert reply["result"] == 1 and reply["access_token"]


def test_a_wrong_grant_type_is_an_unsupported_grant_type(sandbox):
    reply = exchange(sandbox, sandbox.authorize(), grant_type="password")
    assert (reply["result"], reply["error"]) == (100200104, "unsupported_grant_type")


# --- refresh_token -----------------------------------------------------------


def test_a_refresh_issues_a_new_pair_and_the_old_refresh_token_stops_working(sandbox):
    first = login(sandbox)
    second = refresh(sandbox, first["refresh_token"])
    assert second["result"] == 1
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert refresh(sandbox, first["refresh_token"])["result"] == 100200105
    assert refresh(sandbox, second["refresh_token"])["result"] == 1


def test_a_refresh_replies_exactly_the_fields_of_the_auth_documents_example(sandbox):
    reply = refresh(sandbox, login(sandbox)["refresh_token"])
    # No open_id and no scopes: the app keeps those from the login.
    assert set(reply) == {"result", "access_token", "refresh_token", "expires_in"}


def test_an_extended_refresh_keeps_the_granted_scopes(sandbox):
    sandbox.use_reply_shape("extended")
    first = login(sandbox)
    second = refresh(sandbox, first["refresh_token"])
    assert second["scopes"] == first["scopes"]
    assert "open_id" not in second


def test_the_old_access_token_keeps_working_until_its_own_expiry(sandbox):
    first = login(sandbox)
    refresh(sandbox, first["refresh_token"])
    assert user_info(sandbox, first["access_token"])["result"] == 1
    sandbox.clock(advance=172800)
    assert user_info(sandbox, first["access_token"])["result"] == 100200102


def test_an_expired_refresh_token_is_an_invalid_grant(sandbox):
    first = login(sandbox)
    sandbox.clock(advance=15552000)
    assert refresh(sandbox, first["refresh_token"])["result"] == 100200105


def test_a_refresh_with_the_wrong_grant_type_is_refused(sandbox):
    assert refresh(sandbox, login(sandbox)["refresh_token"], grant_type="authorization_code")["result"] == 100200104


def test_a_refresh_with_a_missing_parameter_is_an_invalid_request(sandbox):
    assert refresh(sandbox, "")["result"] == 100200100


def test_a_revoked_authorization_refuses_refresh_user_info_and_live_calls(sandbox):
    tokens = login(sandbox)
    reply = requests.post(sandbox.url("/_sandbox/users/xiaoming/revoke"), json={}, timeout=10).json()
    assert reply["revoked"] == 2
    assert refresh(sandbox, tokens["refresh_token"])["result"] == 100200105
    assert user_info(sandbox, tokens["access_token"])["result"] == 100200102
    assert push_urls(sandbox, tokens["access_token"])["result"] == 200102
    assert login(sandbox)["result"] == 1


# --- user_info ---------------------------------------------------------------


def test_user_info_returns_the_full_profile(sandbox):
    reply = user_info(sandbox, login(sandbox)["access_token"])
    assert reply["result"] == 1
    info = reply["user_info"]
    assert set(info) == {"name", "sex", "fan", "follow", "head", "bigHead", "city"}
    assert (info["name"], info["sex"], info["city"]) == ("小明", "M", "北京")
    assert info["head"].startswith(sandbox.url("/_sandbox/avatars/xiaoming.svg"))
    avatar = requests.get(info["bigHead"], timeout=10)
    assert avatar.headers["Content-Type"] == "image/svg+xml" and "小" in avatar.text


def test_a_sparse_profile_has_only_a_name(sandbox):
    reply = user_info(sandbox, login(sandbox, user="anon")["access_token"])
    assert reply == {"result": 1, "user_info": {"name": "匿名用户"}}


def test_user_info_without_the_user_info_scope_is_an_invalid_scope(sandbox):
    token = login(sandbox, scope="user_video_live")["access_token"]
    reply = user_info(sandbox, token)
    assert (reply["result"], reply["error"]) == (100200106, "invalid_scope")


def test_user_info_with_a_bad_token_is_access_denied(sandbox):
    reply = user_info(sandbox, "not-a-token")
    assert (reply["result"], reply["error"]) == (100200102, "access_denied")


def test_user_info_for_an_unknown_app_is_an_unauthorized_client(sandbox):
    assert user_info(sandbox, login(sandbox)["access_token"], app_id="other")["result"] == 100200101


def test_a_server_error_can_be_injected_into_the_code_exchange(sandbox):
    sandbox.fault("access_token", result=100200500)
    reply = exchange(sandbox, sandbox.authorize())
    assert (reply["result"], reply["error"]) == (100200500, "server_error")


# --- operator faults ----------------------------------------------------------


def test_a_regenerated_secret_refuses_the_apps_old_one_until_restored(sandbox):
    first = login(sandbox)
    sandbox.app(secret=None)
    assert refresh(sandbox, first["refresh_token"])["result"] == 100200101
    sandbox.app(restore=True)
    assert refresh(sandbox, first["refresh_token"])["result"] == 1


def test_a_suspended_app_is_refused_on_every_endpoint(sandbox):
    first = login(sandbox)
    sandbox.app(suspended=True)
    assert refresh(sandbox, first["refresh_token"])["result"] == 100200101
    assert user_info(sandbox, first["access_token"])["result"] == 100200101
    assert push_urls(sandbox, first["access_token"])["result"] == 200100
    assert authorize_get(sandbox).status_code == 400


def test_an_app_change_with_an_unknown_field_is_refused(sandbox):
    reply = requests.post(sandbox.url("/_sandbox/apps/kslive-demo"), json={"name": "x"}, timeout=10)
    assert reply.status_code == 400
