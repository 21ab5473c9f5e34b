"""Going live: one service for the web pages, the device API and the status polls."""

import functools
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.views.decorators.debug import sensitive_variables

import kuaishou
from accounts import selectors as account_selectors
from accounts import tokens
from accounts.models import KuaishouCredential
from kuaishou_app.calls import StillWaiting, call
from streams import covers, messages, signals, upstream_budget
from streams.models import KEY_FREEING_PROBLEMS, PUSH_URL_LIFETIME, Handoff, LiveSession, LiveSessionEvent

logger = logging.getLogger(__name__)
T = TypeVar("T")
Status = LiveSession.Status
Source = LiveSessionEvent.Source
Problem = LiveSession.Problem


class GoLiveError(Exception):
    """A going-live action could not be done; `message` is for the person, in their language."""

    problem = ""

    def __init__(self, message: str | Promise, *, upstream_code: int | None = None, upstream_words: str = "",
                 face_verify_url: str = ""):
        super().__init__(str(message))
        self.message = str(message)
        # Kuaishou's result code and its own words, only when Kuaishou sent them.
        self.upstream_code = upstream_code
        self.upstream_words = upstream_words
        self.face_verify_url = face_verify_url

    @property
    def reason(self) -> str:
        """Return what this failure is called for machines (the device API's error code)."""
        return messages.failure_reason(self.problem, self.upstream_code)


class ReconnectRequired(GoLiveError):
    """The person must log in with Kuaishou again."""

    problem = Problem.RECONNECT


class LiveScopeMissing(GoLiveError):
    """The person did not allow kslive to go live for them (scope user_video_live)."""


class SessionOver(GoLiveError):
    """The session has already ended, failed or expired."""


class CoverUnusable(GoLiveError):
    """The uploaded picture cannot become a cover; the message says why (a field error)."""


class GoLiveRateLimited(GoLiveError):
    """The person started too many lives lately; `retry_after` seconds until the next may start."""

    def __init__(self, message: str | Promise, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class KuaishouRefused(GoLiveError):
    """Kuaishou refused, for a reason the person (or a new request) must address."""

    problem = Problem.REFUSED


class KuaishouUnavailable(GoLiveError):
    """Kuaishou did not answer, or had passing trouble: the same action may work later."""

    problem = Problem.UNAVAILABLE


class AppRejected(GoLiveError):
    """Kuaishou rejects kslive's app: the operator's to fix; the person did nothing wrong."""

    problem = Problem.APP_REJECTED


def _error_for(exc: kuaishou.KuaishouError) -> GoLiveError:
    """Return the going-live outcome of a client error, decided by whose fault it is."""
    words = exc.message if exc.result is not None else ""
    if exc.blame is kuaishou.Blame.OPERATOR:
        return AppRejected(messages.APP_REJECTED, upstream_code=exc.result, upstream_words=words)
    kind = KuaishouUnavailable if exc.blame is kuaishou.Blame.TRANSIENT else KuaishouRefused
    return kind(
        messages.upstream_message(exc.result, exc.message),
        upstream_code=exc.result,
        upstream_words=words,
        face_verify_url=getattr(exc, "face_verify_url", None) or "",
    )


@sensitive_variables()
def _call_for(owner: User, endpoint: Callable[..., T], /, *, credential: KuaishouCredential | None = None,
              **arguments: Any) -> T:
    """Call Kuaishou for the person with a fresh token; raise GoLiveError for any failure
    (and StillWaiting when an `on_late` call outlasts the request's deadline)."""
    try:
        answer: T = tokens.access_token_use(owner, lambda token: call(endpoint, access_token=token, **arguments),
                                            credential=credential)
        return answer
    except tokens.ReconnectRequired as exc:
        raise ReconnectRequired(messages.RECONNECT, upstream_code=exc.upstream_code) from None
    except kuaishou.KuaishouError as exc:
        raise _error_for(exc) from None


def live_session_start_check(user: User, *, idempotency_key: str | None = None) -> None:
    """Raise GoLiveError unless the person may go live as far as we know: connected, allowed,
    and within their rate. Cheap (no upstream call, no cover decoded), so it comes first.

    A repeated submit (an `idempotency_key` that already has its session) is never limited:
    it starts nothing new.
    """
    try:
        credential = tokens.credential_for(user)
    except tokens.NotConnected:
        raise ReconnectRequired(messages.RECONNECT) from None
    if credential.needs_reconnect:
        raise ReconnectRequired(messages.RECONNECT)
    if not credential.can_go_live:
        raise LiveScopeMissing(messages.LIVE_SCOPE_MISSING)
    if idempotency_key and _session_for_key(user, idempotency_key) is not None:
        return
    window = timedelta(hours=1)
    recent = LiveSession.objects.filter(owner=user, created_at__gt=timezone.now() - window).order_by("created_at")
    if recent.count() >= settings.KSLIVE_GO_LIVES_PER_HOUR:
        oldest = recent.values_list("created_at", flat=True).first() or timezone.now()
        retry_after = max(1, int((oldest + window - timezone.now()).total_seconds()) + 1)
        raise GoLiveRateLimited(messages.go_live_rate_limited(retry_after), retry_after=retry_after)


def _session_for_key(owner: User, idempotency_key: str) -> LiveSession | None:
    """Return the session that holds this submit's key (not one that freed it), if any."""
    freed = Q(status=Status.FAILED, problem__in=KEY_FREEING_PROBLEMS)
    return LiveSession.objects.filter(owner=owner, idempotency_key=idempotency_key).exclude(freed).first()


@dataclass(frozen=True)
class GoLiveRequest:
    """What a person (on the page) or a device (through the API) asks for when going live."""

    caption: str = ""
    panoramic: int = 0
    shop_live: bool = False
    device_name: str = ""
    # A picture to turn into the cover, or an earlier session of the person's whose cover to reuse.
    cover_upload: Any = None
    cover_from: LiveSession | None = None
    cover_fit: str = "crop"
    # Rehearse first: no push URL yet; kslive's ingest takes the stream until go-live.
    relay: bool = False


def live_session_start(
    *, owner: User, request: GoLiveRequest, idempotency_key: str, source: str = Source.WEB
) -> LiveSession:
    """Ask Kuaishou for a push URL; return the session (an earlier one for a repeated key).

    The cheap checks come first, then a repeated key returns its session before any cover is
    decoded. A repeated key whose session failed for reasons the request did not cause (no
    answer, our app refused) is a new attempt: the new session names the one it retries.
    """
    live_session_start_check(owner, idempotency_key=idempotency_key)
    repeated = _session_for_key(owner, idempotency_key)
    if repeated is not None:
        return repeated
    cover = _cover_of(request)
    caption, panoramic, shop_live, device_name = (
        request.caption, request.panoramic, request.shop_live, request.device_name
    )
    earlier = LiveSession.objects.filter(owner=owner, idempotency_key=idempotency_key).order_by("-pk").first()
    retry_of = earlier if earlier is not None and earlier.frees_its_key else None
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
                retry_of=retry_of,
                relay=request.relay,
                status=Status.REHEARSING if request.relay else Status.REQUESTING,
            )
            note = f"retry of #{retry_of.pk}" if retry_of else ""
            LiveSessionEvent.objects.create(session=session, to_status=session.status, source=source, note=note)
    except IntegrityError:
        # The same submit again (double click, client retry): one session, one upstream call.
        # The unique constraint decides, so two concurrent submits cannot both go ahead.
        holder = _session_for_key(owner, idempotency_key)
        if holder is None:
            raise  # not the key: another constraint, which nothing here can settle
        return holder
    if request.relay:
        # Rehearsing spends nothing: Kuaishou is asked only when the person goes live.
        return session
    _request_push_url(session, source=source)
    return session


def _request_push_url(session: LiveSession, *, source: str) -> None:
    """Ask Kuaishou for the session's push URL; the session becomes ready, stays requesting while
    a slow answer is awaited, or fails (a relay session goes back to rehearsing, with the error
    raised)."""
    owner, cover = session.owner, bytes(session.cover)
    caption, panoramic, shop_live, device_name = (
        session.caption, session.panoramic, session.shop_live, session.device_name
    )
    try:
        push = _call_for(
            owner,
            kuaishou.get_push_url,
            # A push URL that Kuaishou issues after the request gave up is still ours.
            on_late=functools.partial(_push_url_late, session_id=session.pk, source=source),
            cover=cover,
            caption=caption,
            panoramic=panoramic,
            shop_live=shop_live,
            device_name=device_name,
        )
    except StillWaiting:
        logger.warning("Session %s: Kuaishou is slow to issue the push URL; it is stored when it comes", session.pk)
    except GoLiveError as exc:
        if isinstance(exc, KuaishouUnavailable) and exc.upstream_code is None:
            logger.warning("Push URL request for session %s got no answer: %s", session.pk, exc)
        _request_failed(session, source=source, error=exc)
        if session.relay:
            raise
    else:
        _ready(session, push, source=source)


def live_session_go_live(*, session: LiveSession, source: str = Source.WEB) -> LiveSession:
    """Go live with a rehearsing (relay) session: ask Kuaishou for its push URL now.

    The same request as going live directly (cover, caption, errors, limits). When Kuaishou
    refuses or does not answer, the session goes back to rehearsing with the problem
    recorded, and the error is raised: the rehearsal goes on, and the person may try again.
    """
    if session.status != Status.REHEARSING:
        if session.status in (Status.REQUESTING, Status.READY, Status.LIVING):
            return session  # a repeated click: it is going live already
        raise SessionOver(_already_over(session))
    live_session_start_check(session.owner, idempotency_key=session.idempotency_key)
    if not _transition(session, to=Status.REQUESTING, source=source, problem="", last_error_code=None,
                       last_error_message=""):
        return session
    _request_push_url(session, source=source)
    return session


def _request_failed(session: LiveSession, *, source: str, error: GoLiveError) -> bool:
    """Record that the session's push URL request failed: a relay session goes back to rehearsing
    (its encoder is still on kslive's ingest, and Go live may be tried again), any other fails."""
    if not session.relay:
        return _fail(session, source=source, error=error)
    return _transition(session, to=Status.REHEARSING, source=source, note=_note_of(error),
                       **_problem_fields(error), face_verify_url=error.face_verify_url)


def _cover_of(request: GoLiveRequest) -> bytes:
    """Return the JPEG to send Kuaishou: the upload converted (streams/covers.py), or a reused one."""
    if request.cover_upload is None:
        assert request.cover_from is not None, "a going-live request has an upload or a session to reuse"
        return bytes(request.cover_from.cover)
    try:
        return covers.make_cover(request.cover_upload, fit=request.cover_fit)
    except covers.CoverError as exc:
        raise CoverUnusable(str(exc)) from None


def _ready(session: LiveSession, push: kuaishou.PushUrl, *, source: str) -> bool:
    now = timezone.now()
    return _transition(
        session,
        to=Status.READY,
        source=source,
        live_stream_name=push.live_stream_name,
        push_url=push.push_url,
        issued_at=now,
        expires_at=now + PUSH_URL_LIFETIME,
        next_poll_at=now + timedelta(seconds=settings.KSLIVE_POLL_READY_FAST),
    )


@sensitive_variables()
def _push_url_late(future: Future[kuaishou.PushUrl], *, session_id: int, source: str) -> None:
    """Keep a push URL that Kuaishou issued after its request stopped waiting (a background thread)."""
    session = LiveSession.objects.select_related("owner").filter(pk=session_id).first()
    try:
        push = future.result()
    except kuaishou.KuaishouError as exc:
        if session is not None and session.status == Status.REQUESTING:
            _request_failed(session, source=source, error=_error_for(exc))
        return
    if session is not None and session.status == Status.REQUESTING and _ready(session, push, source=source):
        logger.info("Session %s: the push URL came late and is stored", session_id)
        return
    # Nobody waits for it any more (the session was failed or deleted meanwhile), and a push URL
    # no one can see must not stay usable: stop it, and say so where the operator looks.
    logger.error("Session %s: Kuaishou issued stream %s after the session stopped waiting; stopping it",
                 session_id, push.live_stream_name)
    if session is not None:
        try:
            _call_for(session.owner, kuaishou.stop_push, live_stream_name=push.live_stream_name)
        except GoLiveError as exc:
            logger.error("Stream %s could not be stopped on Kuaishou: %s", push.live_stream_name, exc.message)


def kuaishou_backoff_seconds() -> float:
    """Return how long every status poll still waits after Kuaishou rate limited us (400002)."""
    return upstream_budget.backoff_remaining()


def request_abandoned_after() -> timedelta:
    """Return how old a session still waiting for its push URL must be to be given up on.

    Past the request's deadline, the push URL call itself may run its full timeout; only a
    process that died mid-call leaves a session waiting longer than that.
    """
    return timedelta(seconds=settings.KSLIVE_REQUEST_DEADLINE + settings.KUAISHOU_CONNECT_TIMEOUT
                     + settings.KUAISHOU_TIMEOUT + 30)


def _note_of(error: GoLiveError) -> str:
    return f"result {error.upstream_code}" if error.upstream_code is not None else error.problem


def _fail(session: LiveSession, *, source: str, error: GoLiveError) -> bool:
    return _transition(
        session,
        to=Status.FAILED,
        source=source,
        note=_note_of(error),
        **_problem_fields(error),
        face_verify_url=error.face_verify_url,
    )


def _problem_fields(error: GoLiveError) -> dict[str, Any]:
    """Return the session fields that record a problem: ours, and Kuaishou's code and words if it sent them."""
    return {
        "problem": error.problem,
        "last_error_code": error.upstream_code,
        "last_error_message": error.upstream_words[:300],
    }


def _transition(session: LiveSession, *, to: str, source: str, note: str = "", **fields: Any) -> bool:
    """Move the session from the status we read to `to`; return False if it changed meanwhile."""
    # Conditional update, not a lock: a poll racing a Stop (or another poll) applies
    # each change once, and the loser re-reads instead of overwriting.
    old = session.status
    fields["updated_at"] = timezone.now()
    if to in LiveSession.FINAL:
        # A push URL is a password that can no longer start anything: keep it no longer.
        fields["push_url"] = ""
    changed = LiveSession.objects.filter(pk=session.pk, status=old).update(status=to, **fields)
    if not changed:
        session.refresh_from_db()
        return False
    for name, value in fields.items():
        setattr(session, name, value)
    session.status = to
    LiveSessionEvent.objects.create(session=session, from_status=old, to_status=to, source=source, note=note[:300])
    logger.info("Session %s (stream %s): %s -> %s (%s)", session.pk, session.live_stream_name or "-", old, to, source)
    # Once committed (a change that rolls back is never announced), and robustly: a listener that
    # fails (devices' webhooks) cannot break the caller, whose change is already made.
    transaction.on_commit(functools.partial(
        signals.live_session_status_changed.send_robust, sender=LiveSession, session_id=session.pk,
        owner_id=session.owner_id, previous=old, status=to, at=fields["updated_at"],
    ))
    return True


def live_session_stop(*, session: LiveSession, source: str = Source.WEB,
                      ended_by: str = LiveSession.EndedBy.PERSON) -> LiveSession:
    """End the live on Kuaishou (stopPush) and record who ended it."""
    if not session.is_active:
        raise SessionOver(_already_over(session))
    if session.status == Status.REHEARSING:
        # Nothing on Kuaishou to stop: the rehearsal just ends (kslive's relay drops the encoder).
        _transition(session, to=Status.ENDED, source=source, ended_at=timezone.now(), ended_by=ended_by)
        return session
    try:
        _call_for(session.owner, kuaishou.stop_push, live_stream_name=session.live_stream_name)
    except GoLiveError as exc:
        _record_problem(session, exc)
        raise
    for _attempt in range(3):
        if not session.is_active:
            break
        if _transition(
            session, to=Status.ENDED, source=source, ended_at=timezone.now(), ended_by=ended_by,
            next_poll_at=None, status_message="",
        ):
            break
    return session


def _already_over(session: LiveSession) -> str:
    from django.utils.translation import gettext as _

    return _("This live is already over (%(status)s).") % {"status": session.get_status_display()}


def _record_problem(session: LiveSession, error: GoLiveError, **fields: Any) -> None:
    fields = {**_problem_fields(error), **fields}
    LiveSession.objects.filter(pk=session.pk).update(updated_at=timezone.now(), **fields)
    for name, value in fields.items():
        setattr(session, name, value)


class HandoffRefused(Exception):
    """A link for an operator that shows nothing: the message says why, for whoever holds it."""


def live_session_reveal(*, session: LiveSession, source: str = Source.WEB) -> bool:
    """Record that the person showed the push URL, having confirmed the encoder checklist.

    Only the first time counts (a conditional update): it is an event on the timeline.
    """
    now = timezone.now()
    if not LiveSession.objects.filter(pk=session.pk, revealed_at__isnull=True).update(revealed_at=now):
        return False
    session.revealed_at = now
    _event(session, LiveSessionEvent.Kind.REVEALED, source=source)
    return True


def live_session_reissue(*, session: LiveSession, source: str = Source.WEB) -> LiveSession:
    """Get a new push URL with the same cover, title and options; mark the old one replaced.

    The old URL is replaced only once the new one is there; an unused old URL is stopped on
    Kuaishou, so that nobody can start a live with it any more. A repeated click gives the
    same new session (the reissue has its own idempotency key).
    """
    if not session.can_reissue:
        raise SessionOver(_already_over(session))
    request = GoLiveRequest(caption=session.caption, panoramic=session.panoramic, shop_live=session.shop_live,
                            device_name=session.device_name, cover_from=session)
    new = live_session_start(owner=session.owner, request=request, idempotency_key=f"reissue-{session.pk}",
                             source=source)
    if new.status not in (Status.READY, Status.REQUESTING):
        return new
    LiveSession.objects.filter(pk=session.pk, replaced_by__isnull=True).update(replaced_by=new)
    if session.status == Status.READY and _transition(session, to=Status.REPLACED, source=source,
                                                      note=f"replaced by #{new.pk}", next_poll_at=None):
        try:
            _call_for(session.owner, kuaishou.stop_push, live_stream_name=session.live_stream_name)
        except GoLiveError as exc:
            # It lapses by itself in two days; a push to it meanwhile would start a live we show.
            logger.warning("Replaced stream %s could not be stopped on Kuaishou: %s", session.live_stream_name,
                           exc.message)
    session.refresh_from_db()
    return new


def handoff_create(*, session: LiveSession, source: str = Source.WEB) -> tuple[Handoff, str]:
    """Make a link for a field operator; return it and its raw key, which is never stored."""
    if not session.is_active or session.relay:
        raise SessionOver(_already_over(session))
    raw = secrets.token_urlsafe(24)
    handoff = Handoff.objects.create(session=session, key_hash=_hash(raw),
                                     expires_at=timezone.now() + Handoff.LIFETIME)
    _event(session, LiveSessionEvent.Kind.HANDOFF_CREATED, source=source)
    return handoff, raw


def handoff_open(*, raw: str, browser_key: str | None) -> tuple[Handoff, str | None]:
    """Return the handoff a link's key stands for, and a new browser key when this is its first
    opening (to keep in a cookie); raise HandoffRefused when it shows nothing any more."""
    from django.utils.translation import gettext as _

    handoff = Handoff.objects.select_related("session").filter(key_hash=_hash(raw)).first()
    if handoff is None:
        raise HandoffRefused(_("This link is not valid. Ask for a new one."))
    if handoff.revoked_at is not None:
        raise HandoffRefused(_("This link was withdrawn by the person who sent it."))
    if not handoff.session.is_active:
        raise HandoffRefused(_("This live is over: the link shows nothing any more."))
    if handoff.opened_at is not None:
        if browser_key and hmac.compare_digest(_hash(browser_key), handoff.browser_hash):
            return handoff, None
        raise HandoffRefused(_("This link was already opened on another device. Ask for a new one."))
    if handoff.expires_at <= timezone.now():
        raise HandoffRefused(_("This link has expired (links work for 15 minutes). Ask for a new one."))
    new_key = secrets.token_urlsafe(24)
    # Conditional update: of two browsers opening it at once, exactly one gets it.
    opened = Handoff.objects.filter(pk=handoff.pk, opened_at__isnull=True).update(
        opened_at=timezone.now(), browser_hash=_hash(new_key)
    )
    if not opened:
        raise HandoffRefused(_("This link was already opened on another device. Ask for a new one."))
    handoff.refresh_from_db()
    _event(handoff.session, LiveSessionEvent.Kind.HANDOFF_OPENED, source=Source.HANDOFF)
    return handoff, new_key


def handoff_revoke(*, handoff: Handoff, source: str = Source.WEB) -> bool:
    """Withdraw a link at once; return False if it was withdrawn already."""
    revoked = Handoff.objects.filter(pk=handoff.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if revoked:
        _event(handoff.session, LiveSessionEvent.Kind.HANDOFF_REVOKED, source=source)
    return bool(revoked)


def live_session_note(*, session: LiveSession, kind: str, source: str, note: str = "") -> None:
    """Put something that happened to the live on its timeline (e.g. the relay's encoder dropped)."""
    _event(session, kind, source=source, note=note)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _event(session: LiveSession, kind: str, *, source: str, note: str = "") -> None:
    LiveSessionEvent.objects.create(session=session, kind=kind, from_status=session.status,
                                    to_status=session.status, source=source, note=note[:300])


def poll_delay(session: LiveSession, now: datetime) -> timedelta:
    """Return how long until the next status poll: often right after issue, calmer later."""
    if session.status == Status.LIVING:
        return timedelta(seconds=settings.KSLIVE_POLL_LIVING)
    fresh = session.issued_at and now - session.issued_at < timedelta(seconds=settings.KSLIVE_POLL_READY_FAST_FOR)
    return timedelta(seconds=settings.KSLIVE_POLL_READY_FAST if fresh else settings.KSLIVE_POLL_READY_SLOW)


def live_session_expire(*, session: LiveSession) -> bool:
    """Mark an unused push URL expired once its 2 days are over; no upstream call."""
    if session.status != Status.READY or session.expires_at is None or session.expires_at > timezone.now():
        return False
    return _transition(session, to=Status.EXPIRED, source=Source.EXPIRY, next_poll_at=None)


def _poll_row(session_id: int) -> LiveSession:
    """Read a session for a poll: with its owner and their credential, without its cover, in one query."""
    # At most one row: a person has one Kuaishou account, and [:1] holds even if not.
    rows = list(LiveSession.objects.select_related("owner").defer("cover").order_by()
                .annotate(**account_selectors.credential_annotations("owner")).filter(pk=session_id)[:1])
    if not rows:
        raise LiveSession.DoesNotExist(f"no live session {session_id}")
    return rows[0]


def live_session_sync(*, session_id: int, source: str = Source.POLL) -> LiveSession:
    """Ask Kuaishou for the live's status and apply it once.

    A no-change poll makes two queries: the read (_poll_row) and one conditional update.
    """
    session = _poll_row(session_id)
    if not session.is_active or live_session_expire(session=session):
        return session
    now = timezone.now()
    credential = account_selectors.credential_from_annotations(session)
    try:
        if credential is None:
            raise ReconnectRequired(messages.RECONNECT)
        live = _call_for(session.owner, kuaishou.get_live_status, credential=credential,
                         live_stream_name=session.live_stream_name)
    except ReconnectRequired as exc:
        if _silent_too_long(session, now):
            _lose(session, LiveSession.LostReason.DISCONNECTED, error=exc, source=source)
            return session
        # No more calls for this person until they reconnect; look again later.
        _record_problem(session, exc, next_poll_at=now + timedelta(minutes=5))
        return session
    except GoLiveError as exc:
        _poll_failed(session, exc, source=source, now=now)
        raise
    upstream_budget.backoff_clear()
    _apply_status(session, live, source=source, now=now)
    return session


def _silent_too_long(session: LiveSession, now: datetime) -> bool:
    """Return whether Kuaishou has answered no poll of the session for KSLIVE_LOST_AFTER_SILENCE."""
    since: datetime = session.last_polled_at or session.issued_at or session.created_at
    return now - since >= timedelta(seconds=settings.KSLIVE_LOST_AFTER_SILENCE)


def _poll_failed(session: LiveSession, error: GoLiveError, *, source: str, now: datetime) -> None:
    """Record a failed poll and schedule the next; give the session up once it cannot recover."""
    # Only a refusal counts towards giving up: Kuaishou says the same whatever we retry
    # (400005 no such stream, 400013 not this account's live). Passing trouble counts as silence.
    refused = isinstance(error, KuaishouRefused)
    # Kuaishou rejecting our app says nothing about the stream and lasts until the operator fixes
    # it: neither a refusal nor silence, so however long it lasts, nothing is lost meanwhile.
    app_rejected = isinstance(error, AppRejected)
    if refused and session.refusals + 1 >= settings.KSLIVE_LOST_AFTER_REFUSALS:
        _lose(session, LiveSession.LostReason.REFUSALS, error=error, source=source)
        return
    if not app_rejected and _silent_too_long(session, now):
        _lose(session, LiveSession.LostReason.SILENCE, error=error, source=source)
        return
    rate_limited = error.upstream_code == kuaishou.Result.RATE_LIMITED
    pause = upstream_budget.backoff_trigger() if rate_limited else 0
    fields = {**_problem_fields(error), "updated_at": now,
              "next_poll_at": now + max(poll_delay(session, now), timedelta(seconds=pause))}
    if refused:
        fields["refusals"] = F("refusals") + 1
    if app_rejected:
        # The silence starts again from here: the first poll after the fix is not taken for the
        # end of a long silence.
        fields["last_polled_at"] = now
    # Conditional update: a session that a Stop (or another poll) moved meanwhile keeps its state.
    LiveSession.objects.filter(pk=session.pk, status=session.status).update(**fields)
    for name in ("problem", "last_error_code", "last_error_message"):
        setattr(session, name, fields[name])


def _lose(session: LiveSession, reason: str, *, error: GoLiveError, source: str) -> bool:
    """Give the session up: `lost`, with the status it last had and why; no more polls."""
    logger.warning("Session %s: lost contact with Kuaishou (%s) while %s", session.pk, reason, session.status)
    return _transition(session, to=Status.LOST, source=source, note=reason, lost_reason=reason,
                       last_known_status=session.status, next_poll_at=None, **_problem_fields(error))


def _answered(live: kuaishou.LiveStatus, now: datetime) -> dict[str, Any]:
    """Return the session fields of an answered poll: in contact again, whatever the answer."""
    return {"status_message": live.status_message[:300], "problem": "", "last_error_code": None,
            "last_error_message": "", "refusals": 0, "last_polled_at": now}


def _apply_status(session: LiveSession, live: kuaishou.LiveStatus, *, source: str, now: datetime) -> None:
    common = _answered(live, now)
    if live.status == kuaishou.LiveState.LIVING and session.status == Status.READY:
        session.status_message = live.status_message[:300]
        _transition(session, to=Status.LIVING, source=source, went_live_at=now, **common,
                    next_poll_at=now + timedelta(seconds=settings.KSLIVE_POLL_LIVING))
    elif live.status == kuaishou.LiveState.LIVE_END:
        _transition(session, to=Status.ENDED, source=source, ended_at=now, ended_by=LiveSession.EndedBy.KUAISHOU,
                    next_poll_at=None, **common)
    else:
        if live.status is None:
            # Unknown this time (the client logged Kuaishou's words): keep what we knew, look again.
            common = {"refusals": 0, "last_polled_at": now}
        LiveSession.objects.filter(pk=session.pk, status=session.status).update(
            next_poll_at=now + poll_delay(session, now), updated_at=now, **common
        )


def live_sessions_recheck(*, owner_id: int) -> int:
    """Look at a person's sessions at once now that they logged in with Kuaishou again; return
    how many sessions lost while they were disconnected were asked about.

    Active sessions fall due now: the next dispatch tick polls them, in batches like any other.
    A lost session gets this one more look: living on Kuaishou, it is living again; ended, it
    is ended by Kuaishou; anything else, it stays lost.
    """
    LiveSession.objects.filter(owner_id=owner_id, status__in=LiveSession.ON_KUAISHOU).update(next_poll_at=timezone.now())
    ids = list(LiveSession.objects.filter(owner_id=owner_id, status=Status.LOST,
                                          lost_reason=LiveSession.LostReason.DISCONNECTED).values_list("pk", flat=True))
    for session_id in ids:
        try:
            _recheck_lost(_poll_row(session_id))
        except GoLiveError as exc:
            logger.info("Re-check of session %s after a reconnect failed: %s", session_id, exc)
    return len(ids)


def _recheck_lost(session: LiveSession) -> None:
    now = timezone.now()
    live = _call_for(session.owner, kuaishou.get_live_status, credential=account_selectors.credential_from_annotations(session),
                     live_stream_name=session.live_stream_name)
    back = {**_answered(live, now), "lost_reason": ""}
    if live.status == kuaishou.LiveState.LIVING:
        _transition(session, to=Status.LIVING, source=Source.POLL, note="reconnected", **back,
                    went_live_at=session.went_live_at or now,
                    next_poll_at=now + timedelta(seconds=settings.KSLIVE_POLL_LIVING))
    elif live.status == kuaishou.LiveState.LIVE_END:
        _transition(session, to=Status.ENDED, source=Source.POLL, note="reconnected", **back, ended_at=now,
                    ended_by=LiveSession.EndedBy.KUAISHOU)


def _sweep_ids(queryset: QuerySet[LiveSession], limit: int) -> list[int]:
    return list(queryset.order_by("pk").values_list("pk", flat=True)[:limit])


def live_sessions_expire_due(*, now: datetime | None = None) -> int:
    """Mark the unused push URLs whose 2 days are over expired; return how many."""
    now = now or timezone.now()
    # Ids first, then each row once: a cover (a BinaryField) is never read by a tick. The
    # filter uses the status index and finds nothing on almost every tick.
    due = _sweep_ids(LiveSession.objects.filter(status=Status.READY, expires_at__lte=now), 100)
    return sum(live_session_expire(session=LiveSession.objects.defer("cover").get(pk=pk)) for pk in due)


def live_sessions_fail_abandoned(*, now: datetime | None = None) -> int:
    """Fail the sessions whose push URL request died with its process (a deploy, a crash), so that
    none stays "requesting" for ever (a relay session goes back to rehearsing); return how many."""
    now = now or timezone.now()
    # Counted from when the request began (the move to requesting), not from the session's
    # creation: a relay session may have rehearsed for an hour before its Go live.
    abandoned = LiveSession.objects.filter(status=Status.REQUESTING, updated_at__lte=now - request_abandoned_after())
    failed = 0
    for pk in _sweep_ids(abandoned, 100):
        session = LiveSession.objects.defer("cover").get(pk=pk)
        failed += _request_failed(session, source=Source.POLL, error=KuaishouUnavailable(messages.NO_ANSWER))
    return failed


def live_session_polls_claim(*, now: datetime | None = None) -> list[int]:
    """Claim the sessions due for a status poll within the call budget; return their ids."""
    now = now or timezone.now()
    if upstream_budget.backoff_remaining() > 0:
        return []
    # Take what falls due before the next tick too: a poll is then at most one tick early,
    # never one tick late.
    horizon = now + timedelta(seconds=settings.KSLIVE_POLL_TICK)
    at = time.time()
    granted = upstream_budget.budget_take(settings.KSLIVE_POLL_CLAIM_MAX, at=at)
    if not granted:
        return []
    claimed = _claim(now=now, horizon=horizon, limit=granted)
    upstream_budget.budget_return(granted - len(claimed), at=at)
    return claimed


# One statement per tick, whatever the number due. The claim is a lease: a poll whose task is
# lost is claimed again once it lapses. PostgreSQL skips rows another dispatcher holds; SQLite
# has one writer at a time (transaction_mode IMMEDIATE), so its plain UPDATE is as safe.
_CLAIM_SQL = """
UPDATE streams_livesession SET next_poll_at = %s
WHERE id IN (
    SELECT id FROM streams_livesession
    WHERE status IN ({statuses}) AND next_poll_at <= %s
    ORDER BY next_poll_at LIMIT %s{lock}
)
RETURNING id
"""
CLAIM_LEASE = timedelta(seconds=60)


def _claim(*, now: datetime, horizon: datetime, limit: int) -> list[int]:
    """Claim up to `limit` due sessions, the longest due first; return their ids."""
    lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    moment = connection.ops.adapt_datetimefield_value
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL.format(lock=lock, statuses=", ".join(["%s"] * len(LiveSession.ON_KUAISHOU))),
                       [moment(now + CLAIM_LEASE), *LiveSession.ON_KUAISHOU, moment(horizon), limit])
        return [row[0] for row in cursor.fetchall()]
