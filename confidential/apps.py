from django.apps import AppConfig


class ConfidentialConfig(AppConfig):
    name = "confidential"
    verbose_name = "Secrets at rest and in logs"
