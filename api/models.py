from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confidential.fields import EncryptedTextField
from streams.models import LiveSession


class DeviceToken(models.Model):
    """A Bearer token that lets one device call the API as its owner; only its hash is kept."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="device_tokens")
    name = models.CharField(_("device name"), max_length=64)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("token starts with"), max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("device token")
        verbose_name_plural = _("device tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class DeviceWebhook(models.Model):
    """Where kslive POSTs the status changes of the token owner's lives, signed with a secret."""

    # One per token: a device has one server to tell, and the token's row on the Devices page
    # holds its URL, secret and log.
    token = models.OneToOneField(DeviceToken, on_delete=models.CASCADE, related_name="webhook",
                                 verbose_name=_("device token"))
    url = models.URLField(_("callback URL"), max_length=500)
    # kslive signs with it, so it must be read back: encrypted at rest, not hashed.
    secret = EncryptedTextField()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    rotated_at = models.DateTimeField(_("secret rotated"), null=True, blank=True)
    # Set by the first failed attempt after a success: a day of failures disables the webhook.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self):
        return str(self.token)

    @property
    def is_disabled(self) -> bool:
        return self.disabled_at is not None


class WebhookDelivery(models.Model):
    """One status change on its way to one webhook: every attempt counted, the last one's outcome kept."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    class Error(models.TextChoices):
        # Ours, short and free of secrets: the sentence is made at read time, in the reader's language.
        NONE = "", _("none")
        HTTP_STATUS = "http_status", _("answered with an error status")
        REDIRECT = "redirect", _("answered with a redirect, which kslive does not follow")
        TIMEOUT = "timeout", _("no answer in time")
        CONNECTION = "connection", _("could not connect")
        TLS = "tls", _("its TLS certificate was not accepted")
        REFUSED = "refused", _("refused: not https, or not a public address")
        STOPPED = "stopped", _("not sent: the token was revoked or the webhook disabled")

    webhook = models.ForeignKey(DeviceWebhook, on_delete=models.CASCADE, related_name="deliveries",
                                verbose_name=_("webhook"))
    # The session's id, not a key to it: the log outlives a deleted session.
    session_id = models.PositiveBigIntegerField(_("live session"))
    payload = models.JSONField(_("event"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_http_status = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=16, choices=Error.choices, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self):
        return f"#{self.session_id} {self.previous} → {self.event_status}"

    @property
    def previous(self) -> str:
        return self.payload.get("previous") or ""

    @property
    def event_status(self) -> str:
        return self.payload.get("status") or ""

    @staticmethod
    def _label(status: str):
        return LiveSession.Status(status).label if status in LiveSession.Status.values else status

    @property
    def previous_label(self):
        return self._label(self.previous)

    @property
    def event_status_label(self):
        return self._label(self.event_status)
