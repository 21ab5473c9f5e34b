"""What each Kuaishou result code means for the person, and what they can do next."""

from django.utils.translation import gettext_lazy as _

UPSTREAM_MESSAGES = {
    200100: _("kslive's Kuaishou app settings are wrong (app_id). This is our fault: the operator has to fix it."),
    200102: _("Kuaishou no longer accepts kslive's access to your account. Please reconnect Kuaishou and try again."),
    400001: _("Kuaishou refused the request's parameters. Check the title (at most 13 characters) and try again."),
    400002: _(
        "Kuaishou is busy right now (rate limited). Live status updates resume by themselves; "
        "to get a push URL, try again in a minute."
    ),
    400003: _("Kuaishou had a server error. Please try again in a minute."),
    400005: _("Kuaishou does not know this live any more."),
    400006: _(
        "This Kuaishou account has no live permission yet. Open the Kuaishou app, meet its requirements for "
        "going live (real-name verification, account in good standing) and apply for live permission, then try again."
    ),
    400008: _("This Kuaishou account has no e-commerce live permission. Turn off e-commerce, or get the permission in Kuaishou first."),
    400009: _("Kuaishou says the live's name is invalid."),
    400013: _("This live belongs to another Kuaishou account."),
    400014: _("Kuaishou refused the cover picture. Please choose another picture."),
    400020: _("Kuaishou wants to confirm it is really you: scan the QR code with the Kuaishou app and pass the face check, then try again."),
    100200101: _("kslive's Kuaishou app is unknown or disabled. This is our fault: the operator has to fix it."),
    100200102: _("Kuaishou no longer accepts kslive's access to your account. Please reconnect Kuaishou and try again."),
    100200500: _("Kuaishou had a server error. Please try again in a minute."),
}
NO_ANSWER = _("Kuaishou did not answer in time. Please try again in a minute.")
RECONNECT = _("Kuaishou no longer accepts kslive's access to your account. Please reconnect Kuaishou and try again.")


def upstream_message(code: int | None, raw: str = "") -> str:
    """Return the sentence for a result code; unknown codes show Kuaishou's own words."""
    if code is None:
        return str(NO_ANSWER)
    if code in UPSTREAM_MESSAGES:
        return str(UPSTREAM_MESSAGES[code])
    return str(_("Kuaishou answered with error %(code)s (%(raw)s). Please try again later.") % {"code": code, "raw": raw or "?"})
