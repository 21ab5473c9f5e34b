from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.errors import failed_session_problem
from relay import check as relay_check
from relay import selectors as relay_selectors
from relay import services as relay_services
from streams.forms import FITS
from streams.forms import CAPTION_LIMIT
from streams.models import LiveSession

STATUSES = [value for value, _label in LiveSession.Status.choices]


class LiveSessionCreateSerializer(serializers.Serializer):
    """The multipart body of "go live", for the schema only: the going-live rules (and their
    messages) are the web form's, which the view feeds the body directly."""

    cover = serializers.FileField(
        help_text="JPEG, PNG or WebP, up to 20 MB; kslive turns it into the 720×1280 JPEG Kuaishou wants."
    )
    cover_fit = serializers.ChoiceField(
        choices=FITS, default="crop", help_text="`crop` fills the portrait frame, `pad` fits inside with black bars."
    )
    caption = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=CAPTION_LIMIT, help_text="Live title, at most 13 characters."
    )
    panoramic = serializers.ChoiceField(
        choices=LiveSession.Panoramic.choices, default=0, help_text="0 normal, 1 180° panoramic, 2 360° panoramic."
    )
    shop_live = serializers.BooleanField(default=False, help_text="E-commerce live (shopping cart): `true` or `false`.")
    device_name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=64, help_text="Sent to Kuaishou for its analytics."
    )
    relay = serializers.BooleanField(
        default=False,
        help_text="Rehearse first: `true` makes a `rehearsing` session with an ingest URL on kslive's own RTMP "
        "server and no push URL yet (nothing reaches Kuaishou); go live later with `POST …/go-live`, and kslive "
        "relays the stream to Kuaishou (with a slate while the encoder is away).",
    )


class RelayCheckRowSerializer(serializers.Serializer):
    item = serializers.ChoiceField(choices=["video_codec", "audio_codec", "resolution", "fps", "keyframe_interval",
                                            "bitrate"])
    label = serializers.CharField()
    value = serializers.CharField()
    level = serializers.ChoiceField(choices=relay_check.LEVELS)
    advice = serializers.CharField(allow_blank=True, help_text="What to change in the encoder (OBS), or empty.")


class RelayCheckSerializer(serializers.Serializer):
    overall = serializers.ChoiceField(choices=relay_check.LEVELS, allow_null=True,
                                      help_text="The worst row's level; null until the first check.")
    checking = serializers.BooleanField(help_text="A check of a new encoder connection is running.")
    checked_at = serializers.DateTimeField(allow_null=True)
    rows = RelayCheckRowSerializer(many=True)
    facts = serializers.DictField(help_text="What ffprobe read: `video_codec`, `audio_codec`, `width`, `height`, "
                                  "`fps`, `keyframe_interval` (s), `video_kbps`, `audio_kbps`, `sample_rate`, "
                                  "`channels`.")


class RelaySerializer(serializers.Serializer):
    ingest_url = serializers.CharField(allow_null=True, help_text="kslive's ingest for the encoder: a password. "
                                       "Null once the session is over.")
    rtmp_server = serializers.CharField(allow_null=True, help_text="The ingest's server half (OBS: Server).")
    stream_key = serializers.CharField(allow_null=True, help_text="The ingest's stream key half (OBS: Stream Key).")
    preview_url = serializers.CharField(help_text="HLS preview of what the ingest receives, a few seconds late.")
    receiving = serializers.BooleanField(help_text="The encoder is pushing to the ingest now.")
    feed = serializers.ChoiceField(choices=["none", "relay", "slate"],
                                   help_text="What kslive feeds Kuaishou: nothing, the encoder's stream, or the "
                                   "“back soon” slate while the encoder is away.")
    slate_seconds_left = serializers.IntegerField(allow_null=True, help_text="On the slate: seconds until the "
                                                  "live ends unless the encoder returns.")
    drops = serializers.IntegerField(help_text="Encoder drops while live.")
    check = RelayCheckSerializer()


def relay_data(session) -> dict | None:
    """Return a relay session's relay as the API shows it (None for a direct session)."""
    relay = relay_selectors.relay_of(session)
    if relay is None:
        return None
    rows = relay_services.check_rows(relay)
    usable = session.is_active
    return {
        "ingest_url": relay.ingest_url if usable else None,
        "rtmp_server": relay.ingest_server if usable else None,
        "stream_key": relay.stream_key if usable else None,
        "preview_url": relay.preview_url,
        "receiving": relay.receiving,
        "feed": relay.feed or "none",
        "slate_seconds_left": relay.slate_seconds_left if relay.feed == relay.Feed.SLATE else None,
        "drops": relay.drops,
        "check": {
            "overall": relay_check.overall(rows),
            "checking": relay.receiving and relay.check_for != relay.encoder_since,
            "checked_at": relay.checked_at,
            "rows": relay_check.as_json(rows),
            "facts": relay.encoder_check or {},
        },
    }


class LiveSessionErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    upstream_code = serializers.IntegerField(allow_null=True)


class LiveSessionLostSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=LiveSession.LostReason.choices,
        help_text="`refusals`: Kuaishou refused every status poll; `silence`: no poll was answered for too long; "
        "`disconnected`: the owner must log in with Kuaishou again (doing so looks once more).",
    )
    last_known_status = serializers.ChoiceField(choices=STATUSES, allow_null=True)
    message = serializers.CharField(help_text="\"Last known status: …\", in the request's language.")


class LiveSessionSerializer(serializers.ModelSerializer):
    # A session as its owner sees it: the push URL only while it can still be used.

    push_url = serializers.SerializerMethodField(help_text="The full RTMP push URL: a password, keep it secret.")
    rtmp_server = serializers.SerializerMethodField(help_text="The encoder's server half (OBS: Server).")
    stream_key = serializers.SerializerMethodField(help_text="The encoder's stream key half (OBS: Stream Key).")
    studio_url = serializers.SerializerMethodField(help_text="Kuaishou's Cloud Live Studio, where the room is managed.")
    ended_by = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField(help_text="Why Kuaishou gave no push URL, for a failed session.")
    lost = serializers.SerializerMethodField(
        help_text="For a `lost` session (kslive lost contact with Kuaishou and stopped polling): why, and the "
        "status it last had."
    )
    formats = serializers.SerializerMethodField(
        help_text="The push URL in every encoder's shape: `url`, `url_with_port`, `obs` {`server`, `stream_key`}, "
        "`larix` (Larix Broadcaster's set-up link), `ffmpeg` (a command line); null once it is spent."
    )
    expires_soon = serializers.BooleanField(
        read_only=True, help_text="True when the unused push URL lapses within 6 hours: reissue it."
    )
    replaced_by = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The session whose new push URL replaced this one."
    )
    retry_of = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True,
        help_text="The failed session this one tries again (the same Idempotency-Key after Kuaishou did not answer).",
    )
    relay = serializers.SerializerMethodField(
        help_text="For a relay session (`relay: true`): kslive's ingest, the preview, the encoder check and what "
        "kslive feeds Kuaishou; null for a direct session. A relay session's own push URL is never shown."
    )

    class Meta:
        model = LiveSession
        fields = [
            "id", "status", "status_message", "caption", "panoramic", "shop_live", "device_name",
            "push_url", "rtmp_server", "stream_key", "live_stream_name", "expires_at", "studio_url",
            "formats", "expires_soon", "went_live_at", "ended_at", "ended_by", "error", "replaced_by", "retry_of",
            "lost", "created_at", "relay",
        ]
        read_only_fields = fields

    # A push URL starts one live: once the session is over it is spent, so it is not handed out
    # (LiveSession.push is None then).

    @extend_schema_field({"type": "string", "nullable": True})
    def get_push_url(self, session) -> str | None:
        return session.push.push_url if session.push else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_rtmp_server(self, session):
        return session.push.rtmp_server if session.push else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_stream_key(self, session):
        return session.push.stream_key if session.push else None

    @extend_schema_field({
        "type": "object", "nullable": True,
        "properties": {
            "url": {"type": "string"}, "url_with_port": {"type": "string"},
            "obs": {"type": "object", "properties": {"server": {"type": "string"}, "stream_key": {"type": "string"}}},
            "larix": {"type": "string"}, "ffmpeg": {"type": "string"},
        },
    })
    def get_formats(self, session):
        return session.encoder_formats

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_studio_url(self, session):
        return settings.KUAISHOU_STUDIO_URL

    @extend_schema_field(
        {"type": "string", "enum": [value for value, _label in LiveSession.EndedBy.choices], "nullable": True}
    )
    def get_ended_by(self, session):
        return session.ended_by or None

    @extend_schema_field(LiveSessionLostSerializer(allow_null=True))
    def get_lost(self, session):
        if session.status != LiveSession.Status.LOST:
            return None
        return {"reason": session.lost_reason, "last_known_status": session.last_known_status or None,
                "message": session.last_known_status_message}

    @extend_schema_field(RelaySerializer(allow_null=True))
    def get_relay(self, session):
        return relay_data(session)

    @extend_schema_field(LiveSessionErrorSerializer(allow_null=True))
    def get_error(self, session):
        if session.status != LiveSession.Status.FAILED:
            return None
        problem = failed_session_problem(session)
        return {"code": problem.code, "message": problem.message, "upstream_code": problem.upstream_code}


class LiveSessionPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = LiveSessionSerializer(many=True)


class StatusFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=STATUSES, required=False)

    def validate(self, attrs):
        # Present means one of the statuses: an empty `?status=` is as wrong as an unknown one
        # (DRF would take an empty query value for an absent one).
        if "status" in self.initial_data and "status" not in attrs:
            raise serializers.ValidationError({"status": [self.fields["status"].error_messages["invalid_choice"]
                                                          .format(input="")]})
        return attrs


class MeSerializer(serializers.Serializer):
    connected = serializers.BooleanField(help_text="Whether kslive holds Kuaishou tokens for the owner.")
    reconnect_required = serializers.BooleanField(
        help_text="True: the owner must log in with Kuaishou again on the web before going live."
    )
    can_go_live = serializers.BooleanField(help_text="Whether the owner granted the live permission (user_video_live).")
    open_id = serializers.CharField(allow_null=True)
    name = serializers.CharField(allow_blank=True)
    avatar_url = serializers.CharField(allow_blank=True)
    city = serializers.CharField(allow_blank=True)
    fans = serializers.IntegerField(allow_null=True)
    follows = serializers.IntegerField(allow_null=True)
    device_name = serializers.CharField(help_text="The name this token was given on the Devices page.")


