from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KuaishouAppConfig(AppConfig):
    name = "kuaishou_app"
    verbose_name = _("Kuaishou app")
