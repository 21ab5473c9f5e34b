import hashlib

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

from streams import encoders, selectors, services
from streams.forms import GoLiveForm
from streams.models import Handoff, LiveSession


def home(request):
    return render(request, "home.html")


def _own_session(request, pk, *, with_cover=False):
    session = selectors.live_session_for(request.user, pk, with_cover=with_cover)
    if session is None:
        raise Http404("no such session")
    return session


@login_required
def live_new(request):
    previous = None
    try:
        # The cheap checks first: nobody's cover is decoded for a live that cannot start.
        services.live_session_start_check(request.user, idempotency_key=request.POST.get("idempotency_key"))
    except services.GoLiveError as exc:
        return _cannot_go_live(request, exc)
    if request.method == "POST":
        form = GoLiveForm(request.POST, request.FILES, owner=request.user)
        if form.is_valid():
            try:
                session = services.live_session_start(
                    owner=request.user, request=form.go_live_request(), idempotency_key=form.submitted_key
                )
            except services.CoverUnusable as exc:
                form.add_error("cover", exc.message)
            except services.GoLiveError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect(session)
    else:
        initial = {}
        previous = selectors.live_session_for(request.user, request.GET.get("from"))
        if previous:
            initial = {
                "caption": previous.caption,
                "panoramic": previous.panoramic,
                "shop_live": previous.shop_live,
                "device_name": previous.device_name,
                "reuse_cover": previous.pk,
            }
        form = GoLiveForm(initial=initial, owner=request.user)
    if form.is_bound:
        previous = selectors.live_session_for(request.user, form.data.get("reuse_cover"))
    return render(request, "streams/new.html", {"form": form, "previous": previous})


def _cannot_go_live(request, reason: services.GoLiveError):
    rate_limited = isinstance(reason, services.GoLiveRateLimited)
    status = 200 if request.method == "GET" else 429 if rate_limited else 403
    response = render(request, "streams/cannot_go_live.html", {"reason": reason, "reconnect": not rate_limited},
                      status=status)
    if rate_limited:
        response["Retry-After"] = str(reason.retry_after)
    return response


@login_required
@never_cache
@sensitive_variables("session", "push", "context")
def live_detail(request, pk):
    session = _own_session(request, pk)
    return render(request, "streams/detail.html", _detail_context(request, session))


def _detail_context(request, session, **extra) -> dict:
    asked = request.GET.get("reveal") == "1"
    # The first Show asks for the encoder checklist: a misconfigured push can spend the URL.
    push = session.push if asked and session.revealed_at else None
    context = {"session": session, "revealed": push is not None, "checklist": asked and session.push and not push,
               "studio_url": settings.KUAISHOU_STUDIO_URL, "handoffs": session.handoffs.all()[:5], **extra}
    if session.face_verify_url:
        context["face_qr"] = _qr(session.face_verify_url, scale=4)
    if push is not None:
        larix = encoders.larix_link(push, name=session.caption or session.device_name)
        context.update(push=push, qr_svg=_qr(push.push_url), larix=larix, larix_qr=_qr(larix),
                       ffmpeg=encoders.FFMPEG.format(url=push.push_url))
    return context


def _qr(text: str, *, scale: int = 5) -> str:
    return segno.make(text, error="m").svg_data_uri(scale=scale, border=2)


@login_required
@require_POST
def live_reveal(request, pk):
    session = _own_session(request, pk)
    if request.POST.get("codecs") and request.POST.get("no_autoconfig"):
        services.live_session_reveal(session=session)
    else:
        messages.error(request, _checklist_unconfirmed())
    return redirect(f"{session.get_absolute_url()}?reveal=1")


def _checklist_unconfirmed():
    from django.utils.translation import gettext as _

    return _("Tick both lines of the checklist first: a wrong setting can spend the push URL.")


@login_required
@require_POST
def live_reissue(request, pk):
    session = _own_session(request, pk, with_cover=True)
    try:
        new = services.live_session_reissue(session=session)
    except services.GoLiveError as exc:
        messages.error(request, exc.message)
        return redirect(session)
    return redirect(new)


@login_required
@require_POST
@never_cache
@sensitive_variables("raw", "link")
def handoff_create(request, pk):
    session = _own_session(request, pk)
    try:
        _handoff, raw = services.handoff_create(session=session)
    except services.GoLiveError as exc:
        messages.error(request, exc.message)
        return redirect(session)
    # Rendered, not redirected: the link exists only in this one response.
    link = settings.SITE_URL + reverse("handoff", args=[raw])
    return render(request, "streams/detail.html",
                  _detail_context(request, session, handoff_link=link, handoff_qr=_qr(link)))


@login_required
@require_POST
def handoff_revoke(request, pk, handoff_id):
    session = _own_session(request, pk)
    handoff = get_object_or_404(Handoff, pk=handoff_id, session=session)
    services.handoff_revoke(handoff=handoff)
    return redirect(session)


HANDOFF_COOKIE = "kslive_handoff_{}"


@never_cache
@sensitive_variables("raw", "key", "push")
def handoff(request, raw):
    """The operator's page: no login, the push URL and the live state (see streams.models.Handoff)."""
    return _handoff_page(request, raw, "streams/handoff.html")


@never_cache
def handoff_status(request, raw):
    return _handoff_page(request, raw, "streams/_status.html")


def _handoff_page(request, raw, template):
    cookie = request.COOKIES.get(HANDOFF_COOKIE.format(_cookie_id(raw)))
    try:
        handoff, new_key = services.handoff_open(raw=raw, browser_key=cookie)
    except services.HandoffRefused as exc:
        return render(request, "streams/handoff_refused.html", {"reason": str(exc)}, status=410)
    session = handoff.session
    push = session.push
    context = {"session": session, "handoff": handoff, "push": push, "qr_svg": _qr(push.push_url),
               "status_url": reverse("handoff_status", args=[raw]), "studio_url": settings.KUAISHOU_STUDIO_URL}
    response = render(request, template, context)
    response["Referrer-Policy"] = "no-referrer"  # the link is a password: no Referer carries it on
    if new_key:
        response.set_cookie(HANDOFF_COOKIE.format(_cookie_id(raw)), new_key, max_age=2 * 24 * 3600,
                            path=reverse("handoff", args=[raw]), secure=request.is_secure(), httponly=True,
                            samesite="Lax")
    return response


def _cookie_id(raw: str) -> str:
    # The cookie's name must not carry the key itself.
    return hashlib.sha256(raw.encode()).hexdigest()[:12]


@login_required
@never_cache
def live_status(request, pk):
    """Serve the status badge from the database: page views never call Kuaishou."""
    session = _own_session(request, pk)
    return render(request, "streams/_status.html", {"session": session, "studio_url": settings.KUAISHOU_STUDIO_URL})


@login_required
@require_POST
def live_stop(request, pk):
    session = _own_session(request, pk)
    try:
        services.live_session_stop(session=session)
    except services.GoLiveError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _stopped_message())
    return redirect(session)


def _stopped_message():
    from django.utils.translation import gettext as _

    return _("The live is over. Kuaishou has closed the room, and this push URL is spent.")


@login_required
def live_cover(request, pk):
    # Staff see covers in the admin; everyone else only their own.
    if request.user.is_staff:
        session = get_object_or_404(LiveSession, pk=selectors.session_id(pk) or 0)
    else:
        session = _own_session(request, pk, with_cover=True)
    response = HttpResponse(bytes(session.cover), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def live_list(request):
    sessions = selectors.live_sessions_of(request.user)[:100]
    return render(request, "streams/list.html", {"sessions": sessions})
