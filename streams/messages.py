"""What each problem and each Kuaishou result code means for the person, and what to do next.

Sessions store the problem and Kuaishou's code; the sentence is made when a page or an API
reply is rendered, so everyone reads it in their own language.
"""

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from kuaishou import Result
from kuaishou_app.messages import APP_REJECTED as APP_REJECTED  # said by going-live errors too

RECONNECT = _("Kuaishou no longer accepts kslive's access to your account. Please reconnect Kuaishou and try again.")
NO_ANSWER = _("Kuaishou did not answer in time. Nothing was lost: please try again in a minute.")
LIVE_SCOPE_MISSING = _(
    "You did not allow kslive to go live for you. Log in with Kuaishou again and keep “go live” "
    "(user_video_live) ticked."
)
SERVER_ERROR = _("Kuaishou had a server error. Nothing was lost: please try again in a minute.")

UPSTREAM_MESSAGES = {
    Result.INVALID_REQUEST: APP_REJECTED,
    Result.UNAUTHORIZED_CLIENT: APP_REJECTED,
    Result.ACCESS_DENIED: RECONNECT,
    Result.UNSUPPORTED_RESPONSE_TYPE: APP_REJECTED,
    Result.UNSUPPORTED_GRANT_TYPE: APP_REJECTED,
    Result.INVALID_GRANT: _("Kuaishou did not accept the login (the link was used, expired or cancelled). Please reconnect Kuaishou."),
    Result.INVALID_SCOPE: LIVE_SCOPE_MISSING,
    Result.INVALID_OPENID: APP_REJECTED,
    Result.OAUTH_SERVER_ERROR: SERVER_ERROR,
    Result.APP_ID_WRONG: APP_REJECTED,
    Result.AUTHORIZATION_FAILED: RECONNECT,
    Result.PARAMETER_ERROR: _("Kuaishou refused the request's parameters. Check the title (at most 13 characters) and try again."),
    Result.RATE_LIMITED: _(
        "Kuaishou is busy right now (rate limited). Live status updates resume by themselves; "
        "to get a push URL, try again in a minute."
    ),
    Result.SERVER_ERROR: SERVER_ERROR,
    Result.STREAM_NOT_FOUND: _(
        "Kuaishou does not know this live any more. Its push URL cannot be used: start a new live to get a new one."
    ),
    Result.NO_LIVE_PERMISSION: _(
        "This Kuaishou account has no live permission yet. Open the Kuaishou app, meet its requirements for "
        "going live (real-name verification, account in good standing) and apply for live permission, then try again."
    ),
    Result.NO_SHOP_LIVE_PERMISSION: _(
        "This Kuaishou account has no e-commerce live permission. Turn off e-commerce, or get the permission in Kuaishou first."
    ),
    Result.ILLEGAL_STREAM_NAME: _(
        "Kuaishou says this live's name is invalid, so kslive cannot manage it. Start a new live to get a new push URL."
    ),
    Result.NOT_YOUR_LIVE: _(
        "Kuaishou says this live belongs to another Kuaishou account. Reconnect with the account that started it, "
        "or start a new live."
    ),
    Result.ILLEGAL_COVER: _("Kuaishou refused the cover picture. Please choose another picture."),
    Result.FACE_CHECK_REQUIRED: _(
        "Kuaishou wants to confirm it is really you: scan the QR code with the Kuaishou app and pass the face "
        "check, then try again."
    ),
}


def upstream_message(code: int | None, raw: str = "") -> str:
    """Return the sentence for a result code (None: no answer); unknown codes show Kuaishou's own words."""
    if code is None:
        return str(NO_ANSWER)
    if code in UPSTREAM_MESSAGES:
        return str(UPSTREAM_MESSAGES[code])
    return gettext("Kuaishou answered with error %(code)s (%(raw)s). Please try again later.") % {
        "code": code, "raw": raw or "?",
    }



def go_live_rate_limited(retry_after: int) -> str:
    """Return the sentence for a person who started too many lives in the last hour."""
    minutes = max(1, -(-retry_after // 60))
    return ngettext(
        "You started many lives in the last hour. You can start the next one in %(minutes)d minute.",
        "You started many lives in the last hour. You can start the next one in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


# What Kuaishou refused, by name for machines (the device API's error codes); other codes are
# "upstream_error".
REFUSALS = {
    Result.PARAMETER_ERROR: "upstream_refused",
    Result.STREAM_NOT_FOUND: "upstream_refused",
    Result.ILLEGAL_STREAM_NAME: "upstream_refused",
    Result.NOT_YOUR_LIVE: "upstream_refused",
    Result.NO_LIVE_PERMISSION: "no_live_permission",
    Result.NO_SHOP_LIVE_PERMISSION: "no_shop_live_permission",
    Result.ILLEGAL_COVER: "cover_rejected",
    Result.FACE_CHECK_REQUIRED: "face_check_required",
}


def failure_reason(problem: str, code: int | None) -> str:
    """Return the name of a going-live failure for machines, from our problem and Kuaishou's code."""
    if problem == "reconnect":
        return "reconnect_required"
    if problem == "app_rejected":
        return "upstream_misconfigured"
    if code is None:
        return "upstream_unavailable"
    if code == Result.RATE_LIMITED:
        return "upstream_rate_limited"
    if problem == "refused" and code in REFUSALS:
        return REFUSALS[code]
    return "upstream_error"
