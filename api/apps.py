from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("Device API")

    def ready(self):
        # The webhooks' signal receiver, and the OpenAPI extension for Bearer tokens.
        from api import receivers, schema  # noqa: F401
