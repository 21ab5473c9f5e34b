from django.urls import path, re_path

from sandbox.views import control, ingest, live, oauth, pages

urlpatterns = [
    path("", pages.dashboard),
    # Upstream endpoints, as on open.kuaishou.com.
    path("oauth2/authorize", oauth.authorize),
    path("oauth2/access_token", oauth.access_token),
    path("oauth2/refresh_token", oauth.refresh_token),
    path("openapi/user_info", oauth.user_info),
    path("openapi/kwaiUser/live/pushUrls", live.push_urls),
    path("openapi/kwaiUser/live/stopPush", live.stop_push),
    # Any name reaches the view, so a malformed one gets 400009 rather than a 404.
    re_path(r"^openapi/kwaiUser/live/status/(?P<name>[^/]*)$", live.status),
    # What nginx-rtmp calls.
    path("_ingest/on_publish", ingest.on_publish),
    path("_ingest/on_publish_done", ingest.on_publish_done),
    # Control API for tests and demos.
    path("_sandbox/healthz", control.healthz),
    path("_sandbox/reset", control.reset),
    path("_sandbox/config", control.config),
    path("_sandbox/clock", control.clock),
    path("_sandbox/faults", control.faults),
    path("_sandbox/faults/clear", control.faults_clear),
    path("_sandbox/requests", control.requests_log),
    path("_sandbox/counts", control.counts),
    path("_sandbox/seed-streams", control.seed_streams),
    path("_sandbox/streams", control.streams),
    path("_sandbox/streams/<str:name>", control.stream_detail),
    path("_sandbox/streams/<str:name>/cover.jpg", pages.cover),
    path("_sandbox/streams/<str:name>/<str:action>", control.stream_action),
    path("_sandbox/users/<slug:slug>/revoke", control.user_revoke_view),
    path("_sandbox/apps/<str:app_id>", control.app_detail),
    path("_sandbox/avatars/<slug:slug>.svg", pages.avatar),
    path("_sandbox/face-verify/<str:token>", pages.face_verify),
]
