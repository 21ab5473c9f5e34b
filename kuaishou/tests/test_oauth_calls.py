from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest

from kuaishou import (
    TokenGrant,
    TransportError,
    UserProfile,
    authorize_url,
    exchange_code,
    get_user_info,
    refresh_access_token,
)

from .support import (
    ACCESS_TOKEN,
    ACCESS_TOKEN_URL,
    APP_ID,
    APP_SECRET,
    BASE_URL,
    CODE,
    REFRESH_TOKEN,
    REFRESH_TOKEN_URL,
    USER_INFO_URL,
    oauth_token_reply,
    query_of,
)


def test_authorize_url_carries_the_documented_query(app):
    url = authorize_url(
        app,
        redirect_uri="https://kslive.test/accounts/kuaishou/callback/?next=/live",
        state="st4te",
        scopes=["user_info", "user_video_live"],
    )

    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{BASE_URL}/oauth2/authorize"
    assert parse_qs(parts.query) == {
        "app_id": [APP_ID],
        "scope": ["user_info,user_video_live"],
        "response_type": ["code"],
        "redirect_uri": ["https://kslive.test/accounts/kuaishou/callback/?next=/live"],
        "state": ["st4te"],
        "ua": ["h5"],
    }


def test_authorize_url_joins_scopes_with_a_plain_comma(app):
    url = authorize_url(app, redirect_uri="https://x.test/cb", state="s", scopes=("user_info", "user_video_live"))

    assert "scope=user_info,user_video_live&" in url


def test_authorize_url_asks_for_the_desktop_page_when_told(app):
    url = authorize_url(app, redirect_uri="https://x.test/cb", state="s", scopes=["user_info"], ua="pc")

    assert parse_qs(urlsplit(url).query)["ua"] == ["pc"]


def test_authorize_url_refuses_a_consent_page_kind_kuaishou_does_not_have(app):
    with pytest.raises(ValueError):
        authorize_url(app, redirect_uri="https://x.test/cb", state="s", scopes=["user_info"], ua="tablet")


def test_authorize_url_accepts_a_base_url_with_a_trailing_slash(app):
    url = authorize_url(
        replace(app, base_url=BASE_URL + "/"), redirect_uri="https://x.test/cb", state="s", scopes=["user_info"]
    )

    assert url.startswith(f"{BASE_URL}/oauth2/authorize?")


def test_authorize_url_refuses_scopes_given_as_one_string(app):
    with pytest.raises(TypeError):
        authorize_url(app, redirect_uri="https://x.test/cb", state="s", scopes="user_info")


def test_exchange_code_sends_the_documented_query(app, upstream):
    upstream.get(ACCESS_TOKEN_URL, json=oauth_token_reply())

    exchange_code(app, code=CODE)

    request = upstream.calls[0].request
    assert request.method == "GET"
    assert urlsplit(request.url).path == "/oauth2/access_token"
    assert query_of(request) == {
        "app_id": [APP_ID],
        "app_secret": [APP_SECRET],
        "code": [CODE],
        "grant_type": ["authorization_code"],
    }
    assert request.req_kwargs["timeout"] == app.timeout


def test_exchange_code_reads_the_auth_documents_reply(app, upstream):
    upstream.get(ACCESS_TOKEN_URL, json=oauth_token_reply("documented"))

    grant = exchange_code(app, code=CODE)

    assert grant == TokenGrant(
        access_token=ACCESS_TOKEN,
        expires_in=172800,
        refresh_token=REFRESH_TOKEN,
        open_id="open-id-123",
        refresh_token_expires_in=None,
        scopes=None,
    )


def test_exchange_code_reads_the_later_pages_extended_reply(app, upstream):
    upstream.get(ACCESS_TOKEN_URL, json=oauth_token_reply("extended"))

    grant = exchange_code(app, code=CODE)

    assert grant.refresh_token_expires_in == 15552000
    assert grant.scopes == ("user_info", "user_video_live")


def test_exchange_code_reports_a_grant_without_the_live_scope(app, upstream):
    upstream.get(ACCESS_TOKEN_URL, json=oauth_token_reply("extended", scopes=["user_base", "user_info"]))

    assert exchange_code(app, code=CODE).scopes == ("user_base", "user_info")


def test_exchange_code_reads_scopes_sent_as_one_comma_separated_string(app, upstream):
    upstream.get(ACCESS_TOKEN_URL, json=oauth_token_reply(scopes="user_info, user_video_live"))

    assert exchange_code(app, code=CODE).scopes == ("user_info", "user_video_live")


def test_exchange_code_reads_an_open_id_sent_as_a_number(app, upstream):
    upstream.get(ACCESS_TOKEN_URL, json=oauth_token_reply(open_id=123456))

    assert exchange_code(app, code=CODE).open_id == "123456"


def test_exchange_code_uses_the_lifetimes_in_the_reply(app, upstream, shape):
    upstream.get(ACCESS_TOKEN_URL, json=oauth_token_reply(shape, expires_in=3600))

    assert exchange_code(app, code=CODE).expires_in == 3600


@pytest.mark.parametrize("missing", ["access_token", "expires_in", "refresh_token", "open_id"])
def test_exchange_code_treats_a_success_without_a_required_field_as_malformed(app, upstream, missing, shape):
    reply = oauth_token_reply(shape)
    del reply[missing]
    upstream.get(ACCESS_TOKEN_URL, json=reply)

    with pytest.raises(TransportError) as caught:
        exchange_code(app, code=CODE)

    assert missing in caught.value.message
    assert caught.value.retryable


def test_refresh_access_token_sends_the_documented_query(app, upstream):
    upstream.get(REFRESH_TOKEN_URL, json=oauth_token_reply(refresh=True))

    refresh_access_token(app, refresh_token=REFRESH_TOKEN)

    request = upstream.calls[0].request
    assert request.method == "GET"
    assert urlsplit(request.url).path == "/oauth2/refresh_token"
    assert query_of(request) == {
        "app_id": [APP_ID],
        "app_secret": [APP_SECRET],
        "refresh_token": [REFRESH_TOKEN],
        "grant_type": ["refresh_token"],
    }
    assert request.req_kwargs["timeout"] == app.timeout


def test_refresh_access_token_returns_the_rotated_refresh_token(app, upstream, shape):
    upstream.get(
        REFRESH_TOKEN_URL,
        json=oauth_token_reply(shape, refresh=True, access_token="new-access", refresh_token="new-refresh"),
    )

    grant = refresh_access_token(app, refresh_token=REFRESH_TOKEN)

    assert grant.access_token == "new-access"
    assert grant.refresh_token == "new-refresh"


def test_refresh_access_token_reads_the_auth_documents_reply_without_open_id_or_scopes(app, upstream):
    upstream.get(REFRESH_TOKEN_URL, json=oauth_token_reply("documented", refresh=True))

    grant = refresh_access_token(app, refresh_token=REFRESH_TOKEN)

    assert (grant.open_id, grant.scopes, grant.refresh_token_expires_in) == (None, None, None)
    assert grant.expires_in == 172800


@pytest.mark.parametrize("missing", ["access_token", "expires_in", "refresh_token"])
def test_refresh_access_token_treats_a_success_without_a_token_field_as_malformed(app, upstream, missing):
    reply = oauth_token_reply(refresh=True)
    del reply[missing]
    upstream.get(REFRESH_TOKEN_URL, json=reply)

    with pytest.raises(TransportError, match=missing):
        refresh_access_token(app, refresh_token=REFRESH_TOKEN)


def test_get_user_info_sends_the_documented_query(app, upstream):
    upstream.get(USER_INFO_URL, json={"result": 1, "user_info": {}})

    get_user_info(app, access_token=ACCESS_TOKEN)

    request = upstream.calls[0].request
    assert request.method == "GET"
    assert urlsplit(request.url).path == "/openapi/user_info"
    assert query_of(request) == {"app_id": [APP_ID], "access_token": [ACCESS_TOKEN]}
    assert request.req_kwargs["timeout"] == app.timeout


def test_get_user_info_maps_kuaishou_fields_to_ours(app, upstream):
    upstream.get(
        USER_INFO_URL,
        json={
            "result": 1,
            "user_info": {
                "name": "快手用户",
                "sex": "F",
                "fan": 1200,
                "follow": 35,
                "head": "https://img.test/head.jpg",
                "bigHead": "https://img.test/big.jpg",
                "city": "北京",
            },
        },
    )

    assert get_user_info(app, access_token=ACCESS_TOKEN) == UserProfile(
        name="快手用户",
        sex="F",
        fans=1200,
        follows=35,
        avatar_url="https://img.test/head.jpg",
        big_avatar_url="https://img.test/big.jpg",
        city="北京",
    )


def test_get_user_info_leaves_missing_fields_empty_and_counts_unknown(app, upstream):
    upstream.get(USER_INFO_URL, json={"result": 1, "user_info": {"name": "只有名字"}})

    profile = get_user_info(app, access_token=ACCESS_TOKEN)

    assert profile == UserProfile(name="只有名字")
    assert profile.fans is None
    assert profile.follows is None
    assert profile.avatar_url == ""


def test_get_user_info_treats_a_reply_without_user_info_as_malformed(app, upstream):
    upstream.get(USER_INFO_URL, json={"result": 1})

    with pytest.raises(TransportError, match="user_info"):
        get_user_info(app, access_token=ACCESS_TOKEN)
