from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confidential.fields import EncryptedTextField
from kuaishou import PushUrl
from streams import messages

PUSH_URL_LIFETIME = timedelta(days=2)
# Failures the request did not cause (Kuaishou did not answer, Kuaishou rejects our app): the
# same submit again is a new attempt, so such a session frees its idempotency key.
KEY_FREEING_PROBLEMS = ("unavailable", "app_rejected")


class LiveSession(models.Model):
    """One push URL from Kuaishou and the live it starts."""

    class Status(models.TextChoices):
        # A relay session before going live: the encoder pushes to kslive's own ingest only.
        REHEARSING = "rehearsing", _("Rehearsing: nothing reaches Kuaishou yet")
        REQUESTING = "requesting", _("Requesting a push URL")
        READY = "ready", _("Ready: waiting for your stream")
        LIVING = "living", _("Live")
        ENDED = "ended", _("Ended")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired unused")
        REPLACED = "replaced", _("Replaced by a new push URL")
        LOST = "lost", _("Lost contact with Kuaishou")

    class Panoramic(models.IntegerChoices):
        NORMAL = 0, _("Normal")
        DEGREES_180 = 1, _("180° panoramic")
        DEGREES_360 = 2, _("360° panoramic")

    class Problem(models.TextChoices):
        # Ours, not Kuaishou's: the sentence is made at read time, in the reader's language.
        NONE = "", _("none")
        RECONNECT = "reconnect", _("Kuaishou must be reconnected")
        UNAVAILABLE = "unavailable", _("Kuaishou did not answer, or had trouble")
        APP_REJECTED = "app_rejected", _("Kuaishou rejects kslive's app (the operator's to fix)")
        REFUSED = "refused", _("Kuaishou refused")

    class EndedBy(models.TextChoices):
        PERSON = "person", _("you")
        KUAISHOU = "kuaishou", _("Kuaishou (the stream stopped)")
        ADMIN = "admin", _("an administrator")
        RELAY = "relay", _("kslive (the encoder did not come back in time)")

    class LostReason(models.TextChoices):
        REFUSALS = "refusals", _("Kuaishou refused every status poll")
        SILENCE = "silence", _("no status poll succeeded for too long")
        DISCONNECTED = "disconnected", _("the owner's Kuaishou account was disconnected")

    # A rehearsing session is never status-polled: it has no stream on Kuaishou (no next_poll_at).
    ACTIVE = (Status.REHEARSING, Status.READY, Status.LIVING)
    # A stream Kuaishou issued and that can still carry the live: what the status polls look
    # at, and what a relay feeds.
    ON_KUAISHOU = (Status.READY, Status.LIVING)
    FINAL = (Status.ENDED, Status.FAILED, Status.EXPIRED, Status.REPLACED, Status.LOST)
    # An unused push URL lapses 2 days after issue; this long before, the pages warn.
    EXPIRY_WARNING = timedelta(hours=6)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="live_sessions", verbose_name=_("owner")
    )
    caption = models.CharField(_("title"), max_length=13, blank=True)
    panoramic = models.PositiveSmallIntegerField(_("panoramic"), choices=Panoramic.choices, default=Panoramic.NORMAL)
    shop_live = models.BooleanField(_("e-commerce live"), default=False)
    device_name = models.CharField(_("device name"), max_length=64, blank=True)
    # Rehearse first: the encoder pushes to kslive's ingest, which relays it to Kuaishou on go-live.
    relay = models.BooleanField(_("rehearse first (relayed by kslive)"), default=False)
    cover = models.BinaryField(_("cover (JPEG sent to Kuaishou)"))
    idempotency_key = models.CharField(max_length=64)
    replaced_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("replaced by")
    )
    # When the person first showed the push URL, after confirming the encoder checklist.
    revealed_at = models.DateTimeField(_("push URL first shown"), null=True, blank=True)
    retry_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("retry of")
    )

    live_stream_name = models.CharField(_("stream name"), max_length=128, blank=True, db_index=True)
    push_url = EncryptedTextField(_("push URL"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REQUESTING, db_index=True
    )
    status_message = models.CharField(_("Kuaishou's status message"), max_length=300, blank=True)

    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    went_live_at = models.DateTimeField(_("went live"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.CharField(_("ended by"), max_length=16, choices=EndedBy.choices, blank=True)

    problem = models.CharField(_("last problem"), max_length=20, choices=Problem.choices, blank=True)
    # Only what Kuaishou itself said: its result code and its own words, when it sent them.
    last_error_code = models.IntegerField(_("last Kuaishou result code"), null=True, blank=True)
    last_error_message = models.CharField(_("Kuaishou's last error message"), max_length=300, blank=True)
    face_verify_url = models.URLField(max_length=500, blank=True)

    next_poll_at = models.DateTimeField(_("next status poll"), null=True, blank=True, db_index=True)
    # What decides when a session is given up on (`lost`): refused polls in a row, and the last
    # poll Kuaishou answered.
    refusals = models.PositiveSmallIntegerField(_("status polls refused in a row"), default=0)
    last_polled_at = models.DateTimeField(_("last status poll answered"), null=True, blank=True)
    lost_reason = models.CharField(_("why contact was lost"), max_length=16, choices=LostReason.choices, blank=True)
    last_known_status = models.CharField(_("last known status"), max_length=16, choices=Status.choices, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One session per submit (a double click, a device's retry), except that a session
            # which failed for reasons the request did not cause frees its key: the same submit
            # again is a new attempt.
            models.UniqueConstraint(
                fields=["owner", "idempotency_key"], name="one_session_per_submit",
                condition=~models.Q(status="failed", problem__in=KEY_FREEING_PROBLEMS),
            ),
        ]
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")

    def __str__(self):
        return self.live_stream_name or f"#{self.pk}"

    def get_absolute_url(self):
        return reverse("live_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL

    @property
    def push(self) -> PushUrl | None:
        """Return the push URL, split for encoders, while it can still start the live (else None).

        A relay session's push URL is kslive's to feed, never shown: the encoder pushes to kslive.
        """
        if not self.is_active or not self.push_url or self.relay:
            return None
        return PushUrl(push_url=self.push_url, live_stream_name=self.live_stream_name)

    @property
    def encoder_formats(self) -> dict | None:
        """Return the push URL in every encoder's shape, while it can still start the live."""
        from streams import encoders

        return encoders.formats(self.push, name=self.caption or self.device_name) if self.push else None

    @property
    def failure_reason(self) -> str:
        """Return what the last problem is called for machines (the device API's error code)."""
        return messages.failure_reason(self.problem, self.last_error_code)

    @property
    def frees_its_key(self) -> bool:
        """Return whether the same submit again makes a new attempt (Kuaishou's or our app's trouble)."""
        return self.status == self.Status.FAILED and self.problem in KEY_FREEING_PROBLEMS

    @property
    def problem_message(self) -> str:
        """Return what the last problem means for the person, in the current language ("" if none)."""
        if self.problem == self.Problem.RECONNECT:
            return str(messages.RECONNECT)
        if self.problem == self.Problem.APP_REJECTED:
            return str(messages.APP_REJECTED)
        if self.problem:
            return messages.upstream_message(self.last_error_code, self.last_error_message)
        return ""

    @property
    def last_known_status_message(self) -> str:
        """Return "Last known status: …." for a lost session, in the current language ("" otherwise)."""
        if self.status != self.Status.LOST or not self.last_known_status:
            return ""
        return str(_("Last known status: %(status)s.") % {"status": self.Status(self.last_known_status).label})

    @property
    def expires_soon(self) -> bool:
        """Return whether the unused push URL lapses within EXPIRY_WARNING (reissue it now)."""
        return (self.status == self.Status.READY and self.expires_at is not None
                and self.expires_at - timezone.now() <= self.EXPIRY_WARNING)

    @property
    def can_reissue(self) -> bool:
        """Return whether a new push URL may replace this one: unused (ready) or expired unused.

        Never a relay session's: its push URL is kslive's, fed the moment it is issued.
        """
        return (self.status in (self.Status.READY, self.Status.EXPIRED) and self.replaced_by_id is None
                and not self.relay)

    @property
    def duration(self) -> timedelta | None:
        if not self.went_live_at:
            return None
        return (self.ended_at or timezone.now()) - self.went_live_at


class LiveSessionEvent(models.Model):
    """One thing that happened to a live session: a status change (from, to, what caused it),
    or something a person did with its push URL (shown it, handed it on)."""

    class Kind(models.TextChoices):
        STATUS = "status", _("status change")
        REVEALED = "revealed", _("push URL shown")
        HANDOFF_CREATED = "handoff_created", _("link for an operator made")
        HANDOFF_OPENED = "handoff_opened", _("link for an operator opened")
        HANDOFF_REVOKED = "handoff_revoked", _("link for an operator revoked")
        ENCODER_DROPPED = "encoder_dropped", _("encoder dropped")
        ENCODER_BACK = "encoder_back", _("encoder back")

    class Source(models.TextChoices):
        WEB = "web", _("web page")
        API = "api", _("device API")
        POLL = "poll", _("status poll")
        EXPIRY = "expiry", _("expiry")
        ADMIN = "admin", _("admin")
        HANDOFF = "handoff", _("link for an operator")
        RELAY = "relay", _("kslive relay")

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.STATUS)
    at = models.DateTimeField(_("time"), default=timezone.now)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    @staticmethod
    def _label(status):
        return LiveSession.Status(status).label if status in LiveSession.Status.values else status

    @property
    def from_label(self):
        return self._label(self.from_status) if self.from_status else "–"

    @property
    def to_label(self):
        return self._label(self.to_status)

    @property
    def is_status_change(self) -> bool:
        return self.kind == self.Kind.STATUS


class Handoff(models.Model):
    """A link that shows one session's push URL and live state to a field operator with no
    login: it works in the first browser that opens it, for 15 minutes, while the session
    lasts, until its owner revokes it. Only its hash is kept."""

    LIFETIME = timedelta(minutes=15)

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="handoffs")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("made"), auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"))
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    # The hash of the cookie given to the browser that opened it: the only one it works in.
    browser_hash = models.CharField(max_length=64, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("link for an operator")
        verbose_name_plural = _("links for operators")

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now() and self.session.is_active
