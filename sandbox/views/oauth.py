"""OAuth 2.0 endpoints: the consent page, code and token exchange, user_info."""

import hmac
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.http import HttpResponseRedirect
from django.shortcuts import render

from sandbox.config import config_get
from sandbox.faults import upstream
from sandbox.models import App, DemoUser
from sandbox.replies import OAUTH_ERRORS, oauth_error, oauth_ok
from sandbox.services import (
    Refused,
    access_token_find,
    code_exchange,
    code_issue,
    scopes_granted,
    scopes_parse,
    token_refresh,
    user_info_for,
    user_permissions_note,
)

SCOPE_LABELS = {
    "user_base": ("获取你的公开身份标识", "Your public identity (open_id)"),
    "user_info": ("获取你的昵称、头像、性别、所在地等基本信息", "Your nickname, avatar, gender and city"),
    "user_video_live": ("代你获取推流地址并管理直播", "Get push URLs and manage lives on your behalf"),
}


def _params(request) -> dict:
    """Return query and form parameters in one dict (form wins)."""
    params = request.GET.dict()
    if request.method == "POST":
        params.update(request.POST.dict())
    return params


def redirect_allowed(redirect_uri: str, config) -> bool:
    """Say whether the app may be sent back to this URI (allowed host, any port, http or https)."""
    try:
        parts = urlsplit(redirect_uri)
        host = (parts.hostname or "").lower()
        if parts.port == 0:
            return False
    except ValueError:  # a malformed port or IPv6 literal
        return False
    hosts = {h.strip().lower() for h in config.redirect_hosts.split(",") if h.strip()}
    return parts.scheme in ("http", "https") and host in hosts


def redirect_back(redirect_uri: str, **params) -> HttpResponseRedirect:
    """Redirect to the app's URI, keeping its own query parameters and adding ours."""
    parts = urlsplit(redirect_uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(key, value) for key, value in params.items() if value]
    return HttpResponseRedirect(urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), "")))


def error_page(request, result: int, detail: str):
    """Render the platform's error page; never redirect to a URI we cannot trust."""
    error, message = OAUTH_ERRORS[result]
    context = {"result": result, "error": error, "message": message, "detail": detail}
    return render(request, "sandbox/oauth_error.html", context, status=400)


def _authorize_target(request):
    """Return (app, redirect_uri, None), or (None, None, error page) if the request cannot be trusted."""
    params = _params(request)
    app_id, redirect_uri = params.get("app_id", ""), params.get("redirect_uri", "")
    if not app_id or not redirect_uri:
        return None, None, error_page(request, 100200100, "缺少 app_id 或 redirect_uri · app_id or redirect_uri missing")
    app = App.objects.filter(app_id=app_id, suspended=False).first()
    if app is None:
        return None, None, error_page(request, 100200101, f"应用 {app_id} 不存在或已停用 · unknown or suspended app")
    if not redirect_allowed(redirect_uri, config_get()):
        return None, None, error_page(request, 100200100, "redirect_uri 不在应用的授权回调域内 · redirect_uri not allowed")
    return app, redirect_uri, None


def authorize_fault_reply(request, result: int):
    """Answer an injected authorize fault by sending the browser back with the error."""
    app, redirect_uri, page = _authorize_target(request)
    if page is not None:
        return page
    error, message = OAUTH_ERRORS.get(result, ("server_error", "未知错误"))
    return redirect_back(redirect_uri, error=error, error_description=message, state=_params(request).get("state"))


@upstream("authorize", authorize_fault_reply)
def authorize(request):
    """Show the consent page, or take its answer and send the browser back to the app."""
    app, redirect_uri, page = _authorize_target(request)
    if page is not None:
        return page
    params = _params(request)
    state = params.get("state")
    if request.method == "POST":
        return _consent_answer(request, app, redirect_uri, params)
    if params.get("response_type") != "code":
        return redirect_back(redirect_uri, error="unsupported_response_type",
                             error_description="response_type 必须为 code", state=state)
    try:
        asked = scopes_parse(params.get("scope", ""))
    except Refused as refused:
        return redirect_back(redirect_uri, error="invalid_scope",
                             error_description=f"未知的授权范围：{refused.detail}", state=state)
    shown = [s for s in ("user_base", *asked) if s in SCOPE_LABELS]
    context = {
        "app": app,
        "redirect_uri": redirect_uri,
        "redirect_host": urlsplit(redirect_uri).netloc,
        "state": state or "",
        "scope": ",".join(asked),
        "scopes": [{"name": s, "zh": SCOPE_LABELS[s][0], "en": SCOPE_LABELS[s][1], "fixed": s == "user_base"}
                   for s in dict.fromkeys(shown)],
        "users": [{"user": u, "note": user_permissions_note(u), "initial": u.name[:1]} for u in DemoUser.objects.all()],
        "ua": "pc" if params.get("ua") == "pc" else "h5",
    }
    return render(request, "sandbox/consent.html", context)


def _consent_answer(request, app, redirect_uri, params):
    """Turn the consent form's Allow or Deny into the redirect back to the app."""
    state = params.get("state")
    if params.get("action") != "allow":
        error = config_get().cancel_error
        if not error:
            return redirect_back(redirect_uri, state=state)
        return redirect_back(redirect_uri, error=error, error_description="用户取消授权 · the user cancelled", state=state)
    user = DemoUser.objects.filter(slug=params.get("user", "")).first()
    if user is None:
        return error_page(request, 100200100, "请选择要登录的账号 · pick an account")
    try:
        asked = scopes_parse(params.get("scope", ""))
    except Refused as refused:
        return error_page(request, 100200106, refused.detail)
    granted = scopes_granted(asked, request.POST.getlist("grant"))
    grant = code_issue(app=app, user=user, scopes=granted, redirect_uri=redirect_uri)
    return redirect_back(redirect_uri, code=grant.code, state=state)


def oauth_fault_reply(request, result: int):
    """Answer an injected fault in the OAuth reply shape."""
    return oauth_error(result, "注入的故障 · injected fault")


def _app_with_secret(params) -> App | None:
    """Return the app if the id is known and the secret matches."""
    app = App.objects.filter(app_id=params["app_id"], suspended=False).first()
    if app is None or not hmac.compare_digest(params["app_secret"].encode(), app.secret.encode()):
        return None
    return app


def _missing(params, *names) -> list[str]:
    return [name for name in names if not params.get(name)]


def _grant(request, *, grant_types: tuple[str, ...], credential: str, grant):
    """The two token endpoints: check the app and the grant, then `grant(app, value)`."""
    params = _params(request)
    missing = _missing(params, "app_id", "app_secret", credential, "grant_type")
    if missing:
        return oauth_error(100200100, ",".join(missing))
    app = _app_with_secret(params)
    if app is None:
        return oauth_error(100200101)
    if params["grant_type"] not in grant_types:
        return oauth_error(100200104, params["grant_type"])
    try:
        return oauth_ok(**grant(app, params[credential]))
    except Refused as refused:
        return oauth_error(refused.result, refused.detail)


@upstream("access_token", oauth_fault_reply)
def access_token(request):
    """Exchange an authorization code for tokens."""
    # The auth document says grant_type "can be code"; later pages say authorization_code.
    return _grant(request, grant_types=("authorization_code", "code"), credential="code",
                  grant=lambda app, code: code_exchange(app=app, code=code))


@upstream("refresh_token", oauth_fault_reply)
def refresh_token(request):
    """Exchange a refresh token for a new pair (the refresh token rotates)."""
    return _grant(request, grant_types=("refresh_token",), credential="refresh_token",
                  grant=lambda app, value: token_refresh(app=app, value=value))


@upstream("user_info", oauth_fault_reply)
def user_info(request):
    """Return the profile of the token's user."""
    params = _params(request)
    missing = _missing(params, "app_id", "access_token")
    if missing:
        return oauth_error(100200100, ",".join(missing))
    app = App.objects.filter(app_id=params["app_id"], suspended=False).first()
    if app is None:
        return oauth_error(100200101)
    token = access_token_find(app=app, value=params["access_token"])
    if token is None:
        return oauth_error(100200102)
    if "user_info" not in token.scopes:
        return oauth_error(100200106, "未授权 user_info")
    return oauth_ok(user_info=user_info_for(token.user, config_get()))
