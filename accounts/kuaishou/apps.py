from django.apps import AppConfig


class KuaishouProviderConfig(AppConfig):
    name = "accounts.kuaishou"
    label = "kuaishou_provider"
    verbose_name = "Kuaishou login"
