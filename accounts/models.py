from allauth.socialaccount.models import SocialAccount
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confidential.fields import EncryptedTextField

LIVE_SCOPE = "user_video_live"


class KuaishouCredential(models.Model):
    """Our Kuaishou tokens for one person, encrypted at rest."""

    account = models.OneToOneField(
        SocialAccount, on_delete=models.CASCADE, related_name="kuaishou_credential"
    )
    access_token = EncryptedTextField()
    access_token_expires_at = models.DateTimeField(_("access token valid until"))
    refresh_token = EncryptedTextField()
    # Null when Kuaishou did not say (the auth document's replies never do): then only a
    # refresh attempt tells.
    refresh_token_expires_at = models.DateTimeField(_("refresh token valid until"), null=True, blank=True)
    # What Kuaishou said the person granted; the scopes we asked for when its reply did not say.
    scopes = models.JSONField(default=list)
    needs_reconnect = models.BooleanField(_("needs reconnect"), default=False)
    reconnect_reason = models.CharField(max_length=300, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Kuaishou account")
        verbose_name_plural = _("Kuaishou accounts")

    def __str__(self):
        return self.display_name

    @property
    def open_id(self) -> str:
        return self.account.uid

    @property
    def display_name(self) -> str:
        return self.account.extra_data.get("name") or self.account.uid

    @property
    def can_go_live(self) -> bool:
        """Return whether the person granted kslive the live API scope."""
        return LIVE_SCOPE in self.scopes

    def expires_within(self, seconds: int) -> bool:
        return self.access_token_expires_at <= timezone.now() + timezone.timedelta(seconds=seconds)
