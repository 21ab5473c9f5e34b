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
]
