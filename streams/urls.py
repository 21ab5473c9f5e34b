from django.urls import path

from streams import views

urlpatterns = [
    path("", views.home, name="home"),
    path("live/", views.live_list, name="live_list"),
    path("live/new/", views.live_new, name="live_new"),
    path("live/<int:pk>/", views.live_detail, name="live_detail"),
    path("live/<int:pk>/status/", views.live_status, name="live_status"),
    path("live/<int:pk>/stop/", views.live_stop, name="live_stop"),
    path("live/<int:pk>/cover.jpg", views.live_cover, name="live_cover"),
    path("live/<int:pk>/reveal/", views.live_reveal, name="live_reveal"),
    path("live/<int:pk>/reissue/", views.live_reissue, name="live_reissue"),
    path("live/<int:pk>/handoffs/", views.handoff_create, name="handoff_create"),
    path("live/<int:pk>/handoffs/<int:handoff_id>/revoke/", views.handoff_revoke, name="handoff_revoke"),
    # A field operator's link: no login; the key in the path is the credential.
    path("h/<str:raw>/", views.handoff, name="handoff"),
    path("h/<str:raw>/status/", views.handoff_status, name="handoff_status"),
]
