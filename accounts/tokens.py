"""The one way to get a Kuaishou access token for a person."""

import functools
import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

import kuaishou
from accounts import selectors, services
from accounts.models import KuaishouCredential
from kuaishou_app.calls import StillWaiting, call

logger = logging.getLogger(__name__)
T = TypeVar("T")


class ReconnectRequired(Exception):
    """The person must log in with Kuaishou again before we call Kuaishou for them.

    `upstream_code` is Kuaishou's result code when this very call was refused; None when
    the account was flagged before, or the authorization simply ran out.
    """

    def __init__(self, reason: str, *, upstream_code: int | None = None):
        super().__init__(reason)
        self.upstream_code = upstream_code


class NotConnected(ReconnectRequired):
    """We hold no Kuaishou tokens for the person."""


def credential_for(user: User) -> KuaishouCredential:
    """Return the person's credential, or raise NotConnected."""
    credential = selectors.credential_of(user)
    if credential is None:
        raise NotConnected("No Kuaishou account is connected.")
    return credential


@sensitive_variables()
def access_token_fresh(user: User, *, rejected: str | None = None,
                       credential: KuaishouCredential | None = None) -> str:
    """Return the person's access token, refreshed first when it expires soon.

    With `rejected`, Kuaishou has just refused that token: refresh unless another
    worker already replaced it. A `credential` read with the caller's own row
    (selectors.credential_annotations) saves a query.
    """
    if credential is None or rejected is not None:
        credential = credential_for(user)
    if credential.needs_reconnect:
        raise ReconnectRequired(credential.reconnect_reason)
    if rejected is None and not credential.expires_within(settings.KUAISHOU_REFRESH_MARGIN):
        return credential.access_token
    return _refresh(credential.pk, margin=settings.KUAISHOU_REFRESH_MARGIN, rejected=rejected)


class RefreshPostponed(Exception):
    """Kuaishou did not refresh the tokens this time; `retry_soon` says whether soon may work
    (passing trouble) or only the next round (our app refused: the operator's to fix)."""

    def __init__(self, reason: str, *, retry_soon: bool):
        super().__init__(reason)
        self.retry_soon = retry_soon


def credential_refresh_if_expiring(credential_id: int, *, within: int) -> None:
    """Refresh a credential whose access token expires within `within` seconds."""
    try:
        _refresh(credential_id, margin=within)
    except kuaishou.KuaishouError as exc:
        raise RefreshPostponed(str(exc), retry_soon=exc.retryable) from exc


def credential_refresh_now(credential_id: int) -> None:
    """Refresh a credential's tokens whatever their expiry (admin action)."""
    _refresh(credential_id, margin=0, force=True)


@sensitive_variables()
def _refresh(credential_id: int, *, margin: int, rejected: str | None = None, force: bool = False) -> str:
    refused: str  # why Kuaishou will not renew for this person: they must log in again
    refused_code: int | None
    failure: kuaishou.KuaishouError | None  # a refresh that failed for other reasons, raised as it was
    # A row lock (on SQLite, the IMMEDIATE transaction's write lock) serialises
    # refreshes: Kuaishou rotates the refresh token, so two concurrent refreshes
    # would leave one of them holding a dead token. Waiters re-read and reuse.
    refused, refused_code, failure = "", None, None
    with transaction.atomic():
        credential = KuaishouCredential.objects.select_for_update().get(pk=credential_id)
        if credential.needs_reconnect:
            raise ReconnectRequired(credential.reconnect_reason)
        still_good = not credential.expires_within(margin)
        if rejected is not None:
            still_good = credential.access_token != rejected
        if still_good and not force:
            return credential.access_token
        if credential.refresh_token_expires_at and credential.refresh_token_expires_at <= timezone.now():
            refused = "the Kuaishou authorization expired"
        else:
            try:
                grant = call(
                    kuaishou.refresh_access_token,
                    refresh_token=credential.refresh_token,
                    # Kuaishou may rotate the refresh token: tokens that come late are still kept.
                    on_late=functools.partial(_refresh_late, credential_id=credential.pk,
                                              refresh_token=credential.refresh_token),
                )
            except StillWaiting:
                logger.warning("Kuaishou is slow to refresh credential %s; its tokens are kept when they come",
                               credential_id)
                if rejected is None and not force and not credential.expires_within(0):
                    return credential.access_token
                failure = kuaishou.TransportError("Kuaishou did not renew the token within the request's time")
            except kuaishou.KuaishouError as exc:
                if exc.blame is kuaishou.Blame.PERSON:
                    refused, refused_code = f"Kuaishou refused the token refresh: {exc}", exc.result
                else:
                    # Kuaishou in trouble, or our app refused (the operator's fault, recorded by
                    # call()): the person did nothing wrong, so nobody is flagged and the token is
                    # kept. A token that is still valid goes on being used meanwhile. Either way
                    # the transaction commits, so that what call() recorded stays recorded.
                    logger.warning("Kuaishou token refresh of credential %s failed (%s): %s",
                                   credential_id, exc.blame, exc)
                    if rejected is None and not force and not credential.expires_within(0):
                        return credential.access_token
                    failure = exc
            else:
                services.credential_store_refresh(credential=credential, grant=grant)
                return credential.access_token
    if failure is not None:
        raise failure
    # Flagged after the transaction: the refusal is final, it must not roll back.
    services.credential_require_reconnect(credential=credential, reason=refused)
    raise ReconnectRequired(refused, upstream_code=refused_code)


@sensitive_variables()
def _refresh_late(future: "Future[kuaishou.TokenGrant]", *, credential_id: int, refresh_token: str) -> None:
    """Keep tokens from a refresh that answered after its request stopped waiting."""
    try:
        grant = future.result()
    except kuaishou.KuaishouError:
        return  # the next refresh meets the same answer, in time
    services.credential_store_late_refresh(credential_id=credential_id, refresh_token=refresh_token, grant=grant)


@sensitive_variables()
def access_token_use(user: User, call: Callable[[str], T], *, credential: KuaishouCredential | None = None) -> T:
    """Run `call(access_token)`; when Kuaishou rejects the token, refresh once and retry.

    A second rejection flags the account "needs reconnect" and raises ReconnectRequired.
    """
    token = access_token_fresh(user, credential=credential)
    try:
        return call(token)
    except kuaishou.ApiError as exc:
        if not exc.token_rejected:
            raise
    token = access_token_fresh(user, rejected=token)
    try:
        return call(token)
    except kuaishou.ApiError as exc:
        if not exc.token_rejected:
            raise
        # With a fresh token still refused, the grant itself is gone or too narrow (the
        # person unticked going live, and Kuaishou's reply did not say): ask to grant again.
        credential = credential_for(user)
        services.credential_require_reconnect(
            credential=credential, reason=f"Kuaishou refused a freshly refreshed token: {exc}"
        )
        raise ReconnectRequired(credential.reconnect_reason, upstream_code=exc.result) from exc
