from django.urls import path
from csp.decorators import csp_update
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import pages, views

urlpatterns = [
    path("api/v1/live-sessions", views.LiveSessionsView.as_view(), name="api_live_sessions"),
    # Any text as the id: a bad one gets the API's JSON 404, not the site's HTML page.
    path("api/v1/live-sessions/<str:pk>", views.LiveSessionView.as_view(), name="api_live_session"),
    path("api/v1/live-sessions/<str:pk>/stop", views.LiveSessionStopView.as_view(), name="api_live_session_stop"),
    path("api/v1/live-sessions/<str:pk>/reissue", views.LiveSessionReissueView.as_view(),
         name="api_live_session_reissue"),
    path("api/v1/live-sessions/<str:pk>/go-live", views.LiveSessionGoLiveView.as_view(),
         name="api_live_session_go_live"),
    path("api/v1/me", views.MeView.as_view(), name="api_me"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # Swagger UI's script comes as its own file (the split view), so the page needs no inline
    # script; its one inline <style> block is allowed there only.
    path("api/docs/", csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(
        url_name="api_schema")), name="api_docs"),
    path("devices/", pages.devices, name="devices"),
    path("devices/<int:pk>/revoke/", pages.device_revoke, name="device_revoke"),
    path("devices/<int:pk>/webhook/", pages.webhook_save, name="device_webhook"),
    path("devices/<int:pk>/webhook/rotate/", pages.webhook_rotate, name="device_webhook_rotate"),
    path("devices/<int:pk>/webhook/remove/", pages.webhook_remove, name="device_webhook_remove"),
]
