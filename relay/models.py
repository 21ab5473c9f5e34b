import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confidential.fields import EncryptedTextField
from streams.models import LiveSession


class Relay(models.Model):
    """kslive's side of a relay session: the ingest key its encoder pushes with, what the
    encoder sends (the check), and what the agent feeds Kuaishou (the relay or the slate)."""

    class Feed(models.TextChoices):
        NONE = "", _("nothing")
        RELAY = "relay", _("the encoder's stream")
        SLATE = "slate", _("the “back soon” slate")

    session = models.OneToOneField(LiveSession, on_delete=models.CASCADE, related_name="relay_record")
    # The ingest stream key is `<stream_name>?key=<key>`: the name is public (it names the HLS
    # preview), the key is the password, encrypted at rest and checked by the on_publish hook.
    stream_name = models.CharField(max_length=32, unique=True)
    key = EncryptedTextField()
    host = models.CharField(_("relay host"), max_length=64)

    # The encoder on kslive's ingest: nginx-rtmp's client id while it publishes.
    encoder_client = models.CharField(max_length=32, blank=True)
    encoder_since = models.DateTimeField(_("encoder connected"), null=True, blank=True)
    encoder_dropped_at = models.DateTimeField(_("encoder dropped"), null=True, blank=True)
    drops = models.PositiveIntegerField(_("encoder drops while live"), default=0)

    # What ffprobe read from the stream (relay.check.probe's facts), and for which connection.
    encoder_check = models.JSONField(_("encoder check"), default=dict, blank=True)
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    check_for = models.DateTimeField(null=True, blank=True)

    # What the agent sends Kuaishou now, and since when.
    feed = models.CharField(_("feeding Kuaishou"), max_length=8, choices=Feed.choices, blank=True)
    feeding_since = models.DateTimeField(_("relay first fed Kuaishou"), null=True, blank=True)
    slate_since = models.DateTimeField(_("on the slate since"), null=True, blank=True)
    finished_at = models.DateTimeField(_("relay finished"), null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("relay")
        verbose_name_plural = _("relays")

    def __str__(self):
        return f"relay of #{self.session_id}"

    def _url(self, template: str) -> str:
        """Return a relay URL setting for this relay's host (they may name it as {host})."""
        return template.format(host=self.host)

    @property
    def ingest_server(self) -> str:
        return self._url(settings.KSLIVE_RELAY_INGEST_URL) + "/"

    @property
    def stream_key(self) -> str:
        return f"{self.stream_name}?key={self.key}"

    @property
    def ingest_url(self) -> str:
        return self.ingest_server + self.stream_key

    @property
    def play_url(self) -> str:
        """The stream on the ingest, read from the relay host itself (loopback only)."""
        return f"{self._url(settings.KSLIVE_RELAY_PLAY_URL)}/{self.stream_name}"

    @property
    def preview_url(self) -> str:
        return f"{self._url(settings.KSLIVE_RELAY_HLS_URL)}/{self.stream_name}.m3u8"

    @property
    def receiving(self) -> bool:
        return self.encoder_since is not None

    @property
    def control_url(self) -> str:
        """nginx-rtmp's control endpoint of this relay's ingest."""
        return self._url(settings.KSLIVE_RELAY_CONTROL_URL)

    @property
    def slate_ends_at(self):
        if self.slate_since is None:
            return None
        return self.slate_since + timedelta(seconds=settings.KSLIVE_RELAY_SLATE_WINDOW)

    @property
    def slate_seconds_left(self) -> int | None:
        ends = self.slate_ends_at
        return None if ends is None else max(0, int((ends - timezone.now()).total_seconds()))


class RelayAgent(models.Model):
    """A relay host's agent (python -m relay.agent), as last heard from."""

    # An agent beats every second; one unheard of this long is dead (/healthz says so).
    STALE_AFTER = timedelta(seconds=15)

    host = models.CharField(max_length=64, unique=True)
    pid = models.PositiveIntegerField(default=0)
    seen_at = models.DateTimeField()
    children = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("relay agent")
        verbose_name_plural = _("relay agents")

    def __str__(self):
        return self.host


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
