from django.urls import path

from accounts import views

urlpatterns = [
    path("account/", views.account, name="account"),
    path("account/disconnect/", views.disconnect, name="account_disconnect"),
]
