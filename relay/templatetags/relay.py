"""The relay's parts of the session page: {% relay_panel session %} and {% relay_sync session %}."""

from django import template

from relay import check, selectors, services

register = template.Library()


def _context(session) -> dict:
    relay = selectors.relay_of(session)
    if relay is None:
        return {"relay": None}
    rows = services.check_rows(relay)
    return {"session": session, "relay": relay, "rows": rows, "overall": check.overall(rows),
            "checking": relay.receiving and relay.check_for != relay.encoder_since}


@register.inclusion_tag("relay/_panel.html", takes_context=True)
def relay_panel(context, session):
    return {**_context(session), "csrf_token": context.get("csrf_token"), "request": context.get("request")}


@register.inclusion_tag("relay/_sync.html")
def relay_sync(session):
    """The parts of the panel the status poller refreshes (no secrets in them)."""
    return _context(session)
