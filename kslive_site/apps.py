from django.apps import AppConfig


class KsliveSiteConfig(AppConfig):
    name = "kslive_site"
    verbose_name = "kslive"

    def ready(self):
        from kslive_site import checks  # noqa: F401  (registers the production configuration check)
