from django.urls import path

from relay import views

urlpatterns = [
    # Called by kslive's ingest (nginx-rtmp) only: see relay/views.py _from_ingest.
    path("relay/hooks/on_publish", views.on_publish, name="relay_on_publish"),
    path("relay/hooks/on_publish_done", views.on_publish_done, name="relay_on_publish_done"),
    path("live/<int:pk>/go-live/", views.go_live, name="relay_go_live"),
]
