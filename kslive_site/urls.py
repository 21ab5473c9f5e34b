from django.contrib import admin
from django.urls import include, path

from kslive_site import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("", include("accounts.urls")),
    path("", include("streams.urls")),
    path("", include("relay.urls")),
    path("", include("api.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# Under /api/ every failure is the API's JSON error envelope, Django's own 404 and 500 too.
handler404 = "api.errors.page_not_found"
handler500 = "api.errors.server_error"
