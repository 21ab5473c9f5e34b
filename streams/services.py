"""Going live: one service for the web pages, the device API and the status polls."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

import kuaishou
from accounts import tokens
from kslive_site.upstream import kuaishou_app
from streams import upstream_budget
from streams.messages import RECONNECT, upstream_message
from streams.models import PUSH_URL_LIFETIME, LiveSession, LiveSessionEvent

logger = logging.getLogger(__name__)
Status = LiveSession.Status
Source = LiveSessionEvent.Source
REQUEST_ABANDONED_AFTER = timedelta(minutes=2)


class GoLiveError(Exception):
    """A going-live action could not be done; the message is for the person."""

    def __init__(self, message, *, code=None, conflict=False, retryable=False, reconnect=False):
        super().__init__(str(message))
        self.message = str(message)
        self.code = code
        self.conflict = conflict
        self.retryable = retryable
        self.reconnect = reconnect


def ensure_can_go_live(user) -> None:
    """Raise GoLiveError unless we hold usable Kuaishou tokens for the person (no upstream call)."""
    try:
        credential = tokens.credential_for(user)
    except tokens.NotConnected:
        raise GoLiveError(RECONNECT, reconnect=True) from None
    if credential.needs_reconnect:
        raise GoLiveError(RECONNECT, reconnect=True)


def live_session_start(
    *,
    owner,
    cover: bytes,
    caption: str = "",
    panoramic: int = 0,
    shop_live: bool = False,
    device_name: str = "",
    idempotency_key: str,
    source: str = Source.WEB,
) -> LiveSession:
    """Ask Kuaishou for a push URL; return the session (an earlier one for a repeated key)."""
    ensure_can_go_live(owner)
    try:
        with transaction.atomic():
            session = LiveSession.objects.create(
                owner=owner,
                cover=cover,
                caption=caption,
                panoramic=panoramic,
                shop_live=shop_live,
                device_name=device_name,
                idempotency_key=idempotency_key,
            )
            LiveSessionEvent.objects.create(session=session, to_status=Status.REQUESTING, source=source)
    except IntegrityError:
        # The same submit again (double click, client retry): one session, one upstream call.
        return LiveSession.objects.get(owner=owner, idempotency_key=idempotency_key)

    def request(access_token):
        return kuaishou.get_push_url(
            kuaishou_app(),
            access_token=access_token,
            cover=cover,
            caption=caption,
            panoramic=panoramic,
            shop_live=shop_live,
            device_name=device_name,
        )

    try:
        push = tokens.call_with_fresh_token(owner, request)
    except tokens.ReconnectRequired:
        _fail(session, source=source, code=200102, message=RECONNECT)
    except kuaishou.ApiError as exc:
        _fail(session, source=source, code=exc.result, message=upstream_message(exc.result, exc.message),
              face_verify_url=exc.face_verify_url or "")
    except kuaishou.KuaishouError as exc:
        logger.warning("Push URL request for session %s got no answer: %s", session.pk, exc)
        _fail(session, source=source, code=None, message=upstream_message(None))
    else:
        now = timezone.now()
        _transition(
            session,
            to=Status.READY,
            source=source,
            live_stream_name=push.live_stream_name,
            push_url=push.push_url,
            issued_at=now,
            expires_at=now + PUSH_URL_LIFETIME,
            next_poll_at=now + timedelta(seconds=settings.KSLIVE_POLL_READY_FAST),
        )
    return session


def _fail(session, *, source, code, message, face_verify_url=""):
    _transition(
        session,
        to=Status.FAILED,
        source=source,
        note=f"result {code}" if code else "no answer",
        last_error_code=code,
        last_error_message=str(message)[:300],
        face_verify_url=face_verify_url,
    )


def _transition(session, *, to, source, note="", **fields) -> bool:
    """Move the session from the status we read to `to`; return False if it changed meanwhile."""
    # Conditional update, not a lock: a poll racing a Stop (or another poll) applies
    # each change once, and the loser re-reads instead of overwriting.
    old = session.status
    fields["updated_at"] = timezone.now()
    changed = LiveSession.objects.filter(pk=session.pk, status=old).update(status=to, **fields)
    if not changed:
        session.refresh_from_db()
        return False
    for name, value in fields.items():
        setattr(session, name, value)
    session.status = to
    LiveSessionEvent.objects.create(session=session, from_status=old, to_status=to, source=source, note=note[:300])
    logger.info("Session %s (stream %s): %s -> %s (%s)", session.pk, session.live_stream_name or "-", old, to, source)
    return True


def live_session_stop(*, session: LiveSession, source: str = Source.WEB, ended_by=LiveSession.EndedBy.PERSON) -> LiveSession:
    """End the live on Kuaishou (stopPush) and record who ended it."""
    if not session.is_active:
        raise GoLiveError(_already_over(session), conflict=True)

    def stop(access_token):
        kuaishou.stop_push(kuaishou_app(), access_token=access_token, live_stream_name=session.live_stream_name)

    try:
        tokens.call_with_fresh_token(session.owner, stop)
    except tokens.ReconnectRequired:
        raise GoLiveError(RECONNECT, code=200102, reconnect=True) from None
    except kuaishou.KuaishouError as exc:
        _record_error(session, exc)
        raise GoLiveError(upstream_message(exc.result, exc.message), code=exc.result, retryable=exc.retryable) from None
    for _attempt in range(3):
        if not session.is_active:
            break
        if _transition(
            session, to=Status.ENDED, source=source, ended_at=timezone.now(), ended_by=ended_by,
            next_poll_at=None, status_message="",
        ):
            break
    return session


def _already_over(session) -> str:
    from django.utils.translation import gettext as _

    return _("This live is already over (%(status)s).") % {"status": session.get_status_display()}


def _record_error(session, exc: kuaishou.KuaishouError) -> None:
    LiveSession.objects.filter(pk=session.pk).update(
        last_error_code=exc.result,
        last_error_message=upstream_message(exc.result, exc.message)[:300],
        updated_at=timezone.now(),
    )


def poll_delay(session: LiveSession, now) -> timedelta:
    """Return how long until the next status poll: often right after issue, calmer later."""
    if session.status == Status.LIVING:
        return timedelta(seconds=settings.KSLIVE_POLL_LIVING)
    fresh = session.issued_at and now - session.issued_at < timedelta(seconds=settings.KSLIVE_POLL_READY_FAST_FOR)
    return timedelta(seconds=settings.KSLIVE_POLL_READY_FAST if fresh else settings.KSLIVE_POLL_READY_SLOW)


def live_session_expire(*, session: LiveSession) -> bool:
    """Mark an unused push URL expired once its 2 days are over; no upstream call."""
    if session.status != Status.READY or session.expires_at > timezone.now():
        return False
    return _transition(session, to=Status.EXPIRED, source=Source.EXPIRY, next_poll_at=None)


def live_session_sync(*, session_id: int, source: str = Source.POLL) -> LiveSession:
    """Ask Kuaishou for the live's status and apply it once."""
    session = LiveSession.objects.select_related("owner").get(pk=session_id)
    if not session.is_active or live_session_expire(session=session):
        return session
    now = timezone.now()

    def status(access_token):
        return kuaishou.get_live_status(
            kuaishou_app(), access_token=access_token, live_stream_name=session.live_stream_name
        )

    try:
        live = tokens.call_with_fresh_token(session.owner, status)
    except tokens.ReconnectRequired:
        # No more calls for this person until they reconnect; look again later.
        LiveSession.objects.filter(pk=session.pk).update(
            last_error_code=200102, last_error_message=str(RECONNECT)[:300], next_poll_at=now + timedelta(minutes=5)
        )
        return session
    except kuaishou.KuaishouError as exc:
        pause = upstream_budget.backoff_trigger() if exc.result == 400002 else 0
        _record_error(session, exc)
        LiveSession.objects.filter(pk=session.pk, status=session.status).update(
            next_poll_at=now + max(poll_delay(session, now), timedelta(seconds=pause))
        )
        raise
    upstream_budget.backoff_clear()
    _apply_status(session, live, source=source, now=now)
    return session


def _apply_status(session, live: kuaishou.LiveStatus, *, source, now) -> None:
    common = {"status_message": live.status_message[:300], "last_error_code": None, "last_error_message": ""}
    if live.status == kuaishou.LiveState.LIVING and session.status == Status.READY:
        session.status_message = common["status_message"]
        _transition(session, to=Status.LIVING, source=source, went_live_at=now, **common,
                    next_poll_at=now + timedelta(seconds=settings.KSLIVE_POLL_LIVING))
    elif live.status == kuaishou.LiveState.LIVE_END:
        _transition(session, to=Status.ENDED, source=source, ended_at=now, ended_by=LiveSession.EndedBy.KUAISHOU,
                    next_poll_at=None, **common)
    else:
        LiveSession.objects.filter(pk=session.pk, status=session.status).update(
            next_poll_at=now + poll_delay(session, now), updated_at=now, **common
        )


def polls_claim(*, now=None) -> list[int]:
    """Expire what is due, then claim the sessions due for a poll within the call budget."""
    now = now or timezone.now()
    for session in LiveSession.objects.filter(status=Status.READY, expires_at__lte=now):
        live_session_expire(session=session)
    # A request whose process died mid-call (a deploy, a crash) must not stay "requesting" for ever.
    for session in LiveSession.objects.filter(status=Status.REQUESTING, created_at__lte=now - REQUEST_ABANDONED_AFTER):
        _fail(session, source=Source.POLL, code=None, message=upstream_message(None))
    if upstream_budget.backoff_remaining() > 0:
        return []
    # Take what falls due before the next tick too: a poll is then at most one tick early,
    # never one tick late.
    horizon = now + timedelta(seconds=settings.KSLIVE_POLL_TICK)
    due = list(
        LiveSession.objects.filter(status__in=LiveSession.ACTIVE, next_poll_at__lte=horizon)
        .order_by("next_poll_at")
        .values_list("pk", "next_poll_at")[: settings.KUAISHOU_STATUS_CALLS_PER_MINUTE]
    )
    claimed = []
    for pk, due_at in due[: upstream_budget.budget_take(len(due))]:
        # Conditional update: two dispatchers never both claim one poll. A lost
        # task is retried once the claim lapses.
        if LiveSession.objects.filter(pk=pk, next_poll_at=due_at).update(next_poll_at=now + timedelta(seconds=60)):
            claimed.append(pk)
    return claimed
