"""Pages for people: the dashboard, avatars, covers and the face check."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt

from sandbox.config import config_as_dict, config_get, now
from sandbox.faults import ENDPOINTS, fault_as_dict
from sandbox.models import App, DemoUser, Fault, Stream, Token
from sandbox.replies import LIVE_ERRORS, OAUTH_ERRORS
from sandbox.services import face_pass, open_id_for, stream_settle, stream_status, user_permissions_note


def dashboard(request):
    """Show the apps, users, streams, configuration and faults, with buttons to act on them."""
    config = config_get()
    moment = now(config)
    app = App.objects.first()
    users = []
    for user in DemoUser.objects.all():
        live_tokens = Token.objects.filter(user=user, kind=Token.ACCESS, revoked_at=None, expires_at__gt=moment)
        users.append({
            "user": user,
            "open_id": open_id_for(app, user) if app else "",
            "note": user_permissions_note(user),
            "tokens": live_tokens.count(),
        })
    streams = []
    for stream in Stream.objects.select_related("user").order_by("-id")[:50]:
        stream = stream_settle(stream)
        status, message = stream_status(stream)
        streams.append({"stream": stream, "status": status, "message": message})
    context = {
        "apps": App.objects.all(),
        "config": config_as_dict(config),
        "now": moment,
        "users": users,
        "streams": streams,
        "faults": [fault_as_dict(f) for f in Fault.objects.order_by("id")],
        "endpoints": ENDPOINTS,
        "codes": sorted(OAUTH_ERRORS.items()) + sorted((c, ("", m)) for c, m in LIVE_ERRORS.items()),
        "message": request.GET.get("msg", ""),
    }
    return render(request, "sandbox/dashboard.html", context)


def avatar(request, slug):
    """Draw a demo user's avatar: their initial on a colored disc."""
    user = get_object_or_404(DemoUser, slug=slug)
    if not user.has_avatar:
        raise Http404("no avatar")
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="120" viewBox="0 0 120 120">'
        f'<circle cx="60" cy="60" r="60" fill="{escape(user.color)}"/>'
        '<text x="60" y="60" dy=".35em" text-anchor="middle" font-size="56" fill="#fff" '
        'font-family="PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif">'
        f"{escape(user.name[:1])}</text></svg>"
    )
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "max-age=3600"
    return response


def cover(request, name):
    """Serve a stream's cover image as it was uploaded."""
    stream = get_object_or_404(Stream, name=name)
    return HttpResponse(bytes(stream.cover), content_type="image/jpeg")


@csrf_exempt
def face_verify(request, token):
    """Show the face check, and pass it when the person presses 通过."""
    user = DemoUser.objects.filter(face_token=token).exclude(face_token="").first()
    if user is None:
        return render(request, "sandbox/face_verify.html", {"missing": True}, status=404)
    if request.method == "POST":
        face_pass(user=user)
    return render(request, "sandbox/face_verify.html", {"user": user})
