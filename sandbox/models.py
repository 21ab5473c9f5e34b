"""What the fake Kuaishou remembers: apps, demo users, grants, streams, faults."""

from django.db import models


class Config(models.Model):
    """Hold the run-time settings and the clock offset (one row)."""

    access_token_ttl = models.IntegerField()
    refresh_token_ttl = models.IntegerField()
    code_ttl = models.IntegerField()
    push_url_ttl = models.IntegerField()
    drop_grace = models.IntegerField()
    rate_limit = models.IntegerField()
    rtmp_url = models.CharField(max_length=500)
    rtmp_control_url = models.CharField(max_length=500, blank=True)
    public_url = models.CharField(max_length=500)
    redirect_hosts = models.CharField(max_length=1000)
    cancel_error = models.CharField(max_length=100, blank=True)
    reply_shape = models.CharField(max_length=20, default="documented")
    request_log = models.IntegerField(default=1)
    clock_offset = models.FloatField(default=0)


class App(models.Model):
    """A developer's registered app."""

    app_id = models.CharField(max_length=100, unique=True)
    secret = models.CharField(max_length=200)
    biz_id = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    # A suspended app is refused everywhere, as if unknown (100200101, 200100).
    suspended = models.BooleanField(default=False)


class DemoUser(models.Model):
    """A Kuaishou account a person can log in as on the consent page."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    # Only the user_info keys this account has; missing keys stay missing in replies.
    profile = models.JSONField(default=dict)
    has_avatar = models.BooleanField(default=True)
    color = models.CharField(max_length=20, default="#ff5000")
    can_live = models.BooleanField(default=True)
    can_shop = models.BooleanField(default=False)
    needs_face_check = models.BooleanField(default=False)
    face_passed = models.BooleanField(default=False)
    face_token = models.CharField(max_length=64, blank=True)
    position = models.IntegerField(default=0)

    class Meta:
        ordering = ["position"]


class AuthCode(models.Model):
    """A single-use authorization code handed back on the redirect."""

    code = models.CharField(max_length=100, unique=True)
    app = models.ForeignKey(App, on_delete=models.CASCADE)
    user = models.ForeignKey(DemoUser, on_delete=models.CASCADE)
    scopes = models.JSONField(default=list)
    redirect_uri = models.TextField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True)


class Token(models.Model):
    """An access or refresh token granted to an app for a user."""

    ACCESS = "access"
    REFRESH = "refresh"

    kind = models.CharField(max_length=10)
    value = models.CharField(max_length=200, unique=True)
    app = models.ForeignKey(App, on_delete=models.CASCADE)
    user = models.ForeignKey(DemoUser, on_delete=models.CASCADE)
    scopes = models.JSONField(default=list)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True)
    # Refresh tokens rotate: set when this one was traded for a new pair.
    spent_at = models.DateTimeField(null=True)


class Stream(models.Model):
    """A push URL and the live it starts."""

    NOT_STARTED = "not_started"
    LIVING = "living"
    ENDED = "ended"

    STOPPED = "stopped"
    DROPPED = "dropped"
    EXPIRED = "expired"

    name = models.CharField(max_length=64, unique=True)
    app = models.ForeignKey(App, on_delete=models.CASCADE)
    user = models.ForeignKey(DemoUser, on_delete=models.CASCADE)
    caption = models.CharField(max_length=100, blank=True)
    panoramic = models.IntegerField(default=0)
    shop_live = models.BooleanField(default=False)
    device_name = models.CharField(max_length=200, blank=True)
    cover = models.BinaryField()
    cover_size = models.IntegerField()
    cover_width = models.IntegerField()
    cover_height = models.IntegerField()
    push_url = models.CharField(max_length=600)
    sign = models.CharField(max_length=100)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    state = models.CharField(max_length=20, default=NOT_STARTED)
    started_at = models.DateTimeField(null=True)
    dropped_at = models.DateTimeField(null=True)
    ended_at = models.DateTimeField(null=True)
    end_reason = models.CharField(max_length=20, blank=True)
    client_id = models.CharField(max_length=100, blank=True)


class Fault(models.Model):
    """A canned failure for the next calls of one endpoint."""

    endpoint = models.CharField(max_length=50)
    result = models.IntegerField(null=True)
    # -1 means until cleared.
    remaining = models.IntegerField(default=1)
    latency_ms = models.IntegerField(default=0)
    http_status = models.IntegerField(null=True)
    malformed = models.BooleanField(default=False)
    # Answer exactly this JSON object (HTTP 200): a reply shape the documents do not show.
    body = models.JSONField(null=True)


class RequestRecord(models.Model):
    """A request received on an OAuth or live endpoint, kept for tests to inspect."""

    endpoint = models.CharField(max_length=50)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    query = models.JSONField(default=dict)
    form = models.JSONField(default=dict)
    files = models.JSONField(default=dict)
    result = models.IntegerField(null=True)
    http_status = models.IntegerField(default=200)
    received_at = models.DateTimeField()
