"""The device API: go live, list and read sessions, stop, and who the token acts for."""

import uuid

from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors as account_selectors
from api import errors
from api.schema import AUTH_ERRORS, error
from relay import services as relay_services
from api.serializers import (
    LiveSessionCreateSerializer,
    LiveSessionPageSerializer,
    LiveSessionSerializer,
    MeSerializer,
    StatusFilterSerializer,
)
from streams import selectors, services
from streams.forms import GoLiveForm
from streams.models import LiveSession, LiveSessionEvent

Status = LiveSession.Status
STILL_REQUESTING_RETRY_AFTER = 2
SESSION_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The live session's id.")
NOT_FOUND = {404: error("No such session, or it belongs to someone else (`not_found`).")}
UPSTREAM_ERRORS = {
    403: error("The owner's Kuaishou account must be reconnected on the web (`reconnect_required`; "
               "`upstream_code` only when Kuaishou itself refused), or the owner did not allow kslive to go live "
               "(`live_scope_required`)."),
    429: error("Over this token's rate (`rate_limited`), the owner started too many lives this hour "
               "(`go_live_rate_limited`, creating only), or Kuaishou rate limited us (`upstream_rate_limited`, "
               "upstream_code 400002); see Retry-After."),
    502: error("Kuaishou answered with an error (`upstream_error`, `upstream_misconfigured`)."),
    503: error("Kuaishou did not answer (`upstream_unavailable`); see Retry-After."),
}


class DeviceApiView(APIView):
    # Responses carry push URLs: nothing may cache them.
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        return response


def _own_session(request, pk: str, *, with_cover: bool = False) -> LiveSession:
    session = selectors.live_session_for(request.user, pk, with_cover=with_cover)
    if session is None:
        raise errors.not_found()
    return session


def _idempotency_key(request) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not 1 <= len(key) <= 64 or not key.isascii() or not key.isprintable():
        raise drf_serializers.ValidationError({"Idempotency-Key": [errors.IDEMPOTENCY_KEY_INVALID]})
    return key


def _created(session: LiveSession) -> Response:
    """Answer a go-live: 201 with the session, 202 while Kuaishou is still issuing it, or its failure."""
    if session.status == Status.FAILED:
        raise errors.failed_session_problem(session)
    headers = {"Location": reverse("api_live_session", args=[session.pk])}
    if session.status == Status.REQUESTING:
        # Kuaishou has not answered yet; the push URL is kept whenever it comes.
        headers["Retry-After"] = str(STILL_REQUESTING_RETRY_AFTER)
        return Response(LiveSessionSerializer(session).data, status=202, headers=headers)
    return Response(LiveSessionSerializer(session).data, status=201, headers=headers)


class SessionPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class LiveSessionsView(DeviceApiView):
    """List the owner's sessions, or go live."""

    def get_parsers(self):
        if self.request is not None and self.request.method == "POST":
            return [MultiPartParser()]
        return super().get_parsers()

    @extend_schema(
        operation_id="live_sessions_list",
        summary="List the owner's live sessions, newest first",
        description="Paginated with `?page=` (20 a page, `?page_size=` up to 100).",
        parameters=[
            OpenApiParameter("status", str, enum=[value for value, _label in Status.choices],
                             description="Only sessions with this status."),
        ],
        responses={200: LiveSessionPageSerializer, 400: error("Unknown status (`invalid`)."),
                   **NOT_FOUND, **AUTH_ERRORS},
    )
    def get(self, request):
        query = StatusFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        sessions = selectors.live_sessions_of(request.user, status=query.validated_data.get("status"))
        paginator = SessionPagination()
        page = paginator.paginate_queryset(sessions, request, view=self)
        return paginator.get_paginated_response(LiveSessionSerializer(page, many=True).data)

    @extend_schema(
        operation_id="live_sessions_create",
        summary="Go live: ask Kuaishou for a push URL",
        description=(
            "Send the cover and options as multipart/form-data. Kuaishou is asked once per "
            "`Idempotency-Key`: repeating a request with the same key returns the same session "
            "(a retry after a timeout never burns a second push URL). When Kuaishou is slow, the "
            "answer is `202` with the session still `requesting`: read it, or repeat the request "
            "with the same key, until it is `ready` (the push URL is kept when it comes). When "
            "Kuaishou refuses, the session is kept with status `failed` and the error names it in "
            "`session_id`."
        ),
        request={"multipart/form-data": LiveSessionCreateSerializer},
        parameters=[
            OpenApiParameter("Idempotency-Key", {"type": "string", "minLength": 1, "maxLength": 64},
                             OpenApiParameter.HEADER,
                             description="Up to 64 printable ASCII characters, unique per go-live attempt."),
        ],
        responses={
            201: LiveSessionSerializer,
            202: OpenApiResponse(LiveSessionSerializer, description="Kuaishou is slow: the session is still "
                                 "`requesting`; see `Location` and `Retry-After`."),
            400: error("A field is not valid (`invalid`, with `fields`)."),
            415: error("The body is not multipart/form-data (`unsupported_media_type`)."),
            422: error("Kuaishou refused to go live: `no_live_permission` (400006), `no_shop_live_permission` "
                       "(400008), `cover_rejected` (400014), `face_check_required` (400020, with "
                       "`face_verify_url`), `upstream_refused` (400001, 400005, 400009, 400013). Other codes are 502."),
            **AUTH_ERRORS,
            **UPSTREAM_ERRORS,
        },
    )
    def post(self, request):
        # Without a key every request is a new attempt.
        key = _idempotency_key(request) or uuid.uuid4().hex
        # The cheap checks first: no cover is read for a live that cannot start.
        try:
            services.live_session_start_check(request.user, idempotency_key=key)
        except services.GoLiveError as exc:
            raise errors.go_live_problem(exc) from None
        form = GoLiveForm(request.data, request.FILES, owner=request.user, idempotency_key=key)
        if not form.is_valid():
            raise drf_serializers.ValidationError(
                {("non_field_errors" if name == "__all__" else name): errors for name, errors in form.errors.items()}
            )
        try:
            session = services.live_session_start(
                owner=request.user, request=form.go_live_request(), idempotency_key=key,
                source=LiveSessionEvent.Source.API,
            )
        except services.GoLiveError as exc:
            raise errors.go_live_problem(exc) from None
        return _created(session)


class LiveSessionView(DeviceApiView):
    """One of the owner's sessions; its push URL while the session is ready or living."""

    @extend_schema(
        operation_id="live_sessions_retrieve",
        summary="Read a live session",
        parameters=[SESSION_ID],
        responses={200: LiveSessionSerializer, **NOT_FOUND, **AUTH_ERRORS},
    )
    def get(self, request, pk):
        return Response(LiveSessionSerializer(_own_session(request, pk)).data)


class LiveSessionStopView(DeviceApiView):
    """End the live on Kuaishou (stopPush); the push URL is spent afterwards."""

    @extend_schema(
        operation_id="live_sessions_stop",
        summary="Stop the live (or cancel an unused push URL)",
        request=None,
        parameters=[SESSION_ID],
        responses={
            200: LiveSessionSerializer,
            409: error("The session is already over (`session_over`)."),
            422: error("Kuaishou refused to stop it (`upstream_refused`, e.g. 400005: it does not know the live)."),
            **NOT_FOUND,
            **AUTH_ERRORS,
            **UPSTREAM_ERRORS,
        },
    )
    def post(self, request, pk):
        session = _own_session(request, pk)
        try:
            services.live_session_stop(session=session, source=LiveSessionEvent.Source.API)
        except services.GoLiveError as exc:
            raise errors.go_live_problem(exc) from None
        return Response(LiveSessionSerializer(session).data)


class LiveSessionReissueView(DeviceApiView):
    """A new push URL with the same cover, title and options; the old session is marked replaced."""

    @extend_schema(
        operation_id="live_sessions_reissue",
        summary="Reissue an unused push URL (ready or expired): a new session, the old one replaced",
        request=None,
        parameters=[SESSION_ID],
        responses={
            201: LiveSessionSerializer,
            202: OpenApiResponse(LiveSessionSerializer, description="Kuaishou is slow: the new session is still "
                                 "`requesting`."),
            409: error("The session was used, or replaced already (`session_over`)."),
            422: error("Kuaishou refused the new push URL, with the same codes as going live (e.g. "
                       "`cover_rejected`, `no_live_permission`); the old session stays as it was."),
            **NOT_FOUND,
            **AUTH_ERRORS,
            **UPSTREAM_ERRORS,
        },
    )
    def post(self, request, pk):
        session = _own_session(request, pk, with_cover=True)
        try:
            new = services.live_session_reissue(session=session, source=LiveSessionEvent.Source.API)
        except services.GoLiveError as exc:
            raise errors.go_live_problem(exc) from None
        return _created(new)


class LiveSessionGoLiveView(DeviceApiView):
    """Go live on Kuaishou with a rehearsing relay session: kslive gets the push URL and relays to it."""

    @extend_schema(
        operation_id="live_sessions_go_live",
        summary="Go live with a relay session: get the push URL and relay the encoder to Kuaishou",
        description=(
            "For a session made with `relay: true` whose encoder pushes to kslive's ingest. Kuaishou is asked "
            "for the push URL as when going live directly (same cover, title, errors and limits); kslive's relay "
            "then feeds it the stream without re-encoding, and the session becomes `living` within seconds. "
            "Repeating the call while it goes live returns the session. When Kuaishou refuses or does not answer, "
            "the session stays `rehearsing` and the error says why."
        ),
        request=None,
        parameters=[SESSION_ID],
        responses={
            200: LiveSessionSerializer,
            202: OpenApiResponse(LiveSessionSerializer, description="Kuaishou is slow: the session is "
                                 "`requesting`; see `Retry-After`."),
            409: error("The session is over or not a relay session (`session_over`), or the encoder is not "
                       "pushing to kslive's ingest (`not_receiving`)."),
            422: error("Kuaishou refused the push URL, with the same codes as going live (e.g. "
                       "`no_live_permission`, `cover_rejected`)."),
            **NOT_FOUND,
            **AUTH_ERRORS,
            **UPSTREAM_ERRORS,
        },
    )
    def post(self, request, pk):
        session = _own_session(request, pk, with_cover=True)
        try:
            relay_services.relay_go_live(session=session, source=LiveSessionEvent.Source.API)
        except relay_services.NotReceiving as exc:
            raise errors.Problem(status_code=409, code="not_receiving", message=exc.message) from None
        except services.GoLiveError as exc:
            raise errors.go_live_problem(exc) from None
        if session.status == Status.REQUESTING:
            return Response(LiveSessionSerializer(session).data, status=202,
                            headers={"Retry-After": str(STILL_REQUESTING_RETRY_AFTER)})
        return Response(LiveSessionSerializer(session).data)


class MeView(DeviceApiView):
    """The Kuaishou account the token acts for, and whether it must be reconnected on the web."""

    @extend_schema(
        operation_id="me",
        summary="Who this token acts for: the Kuaishou profile, and whether to reconnect",
        responses={200: MeSerializer, **AUTH_ERRORS},
    )
    def get(self, request):
        credential = account_selectors.credential_of(request.user)
        profile = credential.account.extra_data if credential else {}
        return Response(
            MeSerializer(
                {
                    "connected": credential is not None,
                    "reconnect_required": credential is None or credential.needs_reconnect,
                    "can_go_live": bool(credential and credential.can_go_live),
                    "open_id": credential.open_id if credential else None,
                    "name": credential.display_name if credential else request.user.get_full_name(),
                    "avatar_url": profile.get("avatar_url") or profile.get("big_avatar_url") or "",
                    "city": profile.get("city") or "",
                    "fans": profile.get("fans"),
                    "follows": profile.get("follows"),
                    "device_name": request.auth.name,
                }
            ).data
        )
