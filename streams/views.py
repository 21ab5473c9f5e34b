import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

from streams import selectors, services
from streams.forms import GoLiveForm
from streams.models import LiveSession


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
        services.ensure_can_go_live(request.user, idempotency_key=request.POST.get("idempotency_key"))
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
    push = session.push if request.GET.get("reveal") == "1" else None
    context = {"session": session, "revealed": push is not None, "studio_url": settings.KUAISHOU_STUDIO_URL}
    if session.face_verify_url:
        context["face_qr"] = segno.make(session.face_verify_url, error="m").svg_data_uri(scale=4, border=2)
    if push is not None:
        context["push"] = push
        context["qr_svg"] = segno.make(push.push_url, error="m").svg_data_uri(scale=5, border=2)
    return render(request, "streams/detail.html", context)


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
