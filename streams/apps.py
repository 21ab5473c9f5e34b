from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StreamsConfig(AppConfig):
    name = "streams"
    verbose_name = _("Live sessions")

    def ready(self):
        # The reconnect re-check's signal receiver.
        from streams import receivers  # noqa: F401
