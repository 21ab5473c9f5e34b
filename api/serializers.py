from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.errors import failed_session_problem
from kuaishou import PushUrl
from streams.covers import FITS
from streams.forms import CAPTION_LIMIT, GoLiveForm
from streams.models import LiveSession

STATUSES = [value for value, _label in LiveSession.Status.choices]


@extend_schema_field({"type": "string", "maxLength": CAPTION_LIMIT})
class CaptionField(serializers.CharField):
    """The live title; its length rule (and its message) come from the web form."""


@extend_schema_field({"type": "boolean"})
class StrictBooleanField(serializers.BooleanField):
    """A boolean as the schema says: `true` or `false` (any case), nothing else."""

    TRUE_VALUES = {"true", "True", "TRUE", True}
    FALSE_VALUES = {"false", "False", "FALSE", False}
    NULL_VALUES = set()


class LiveSessionCreateSerializer(serializers.Serializer):
    # Parses the multipart body; the web's GoLiveForm then applies the one set of going-live rules.

    cover = serializers.FileField(
        help_text="JPEG, PNG or WebP, up to 20 MB; kslive turns it into the 720×1280 JPEG Kuaishou wants."
    )
    cover_fit = serializers.ChoiceField(
        choices=FITS, default="crop", help_text="`crop` fills the portrait frame, `pad` fits inside with black bars."
    )
    caption = CaptionField(required=False, allow_blank=True, default="", help_text="Live title, at most 13 characters.")
    panoramic = serializers.ChoiceField(
        choices=LiveSession.Panoramic.choices, default=0, help_text="0 normal, 1 180° panoramic, 2 360° panoramic."
    )
    shop_live = StrictBooleanField(default=False, help_text="E-commerce live (shopping cart): `true` or `false`.")
    device_name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=64, help_text="Sent to Kuaishou for its analytics."
    )

    def validate(self, attrs):
        form = GoLiveForm(
            data={
                "caption": attrs["caption"],
                "cover_fit": attrs["cover_fit"],
                "panoramic": str(attrs["panoramic"]),
                "shop_live": "on" if attrs["shop_live"] else "",
                "device_name": attrs["device_name"],
                "idempotency_key": self.context["idempotency_key"],
            },
            files={"cover": attrs["cover"]},
            owner=self.context["owner"],
        )
        if not form.is_valid():
            raise serializers.ValidationError(
                {("non_field_errors" if name == "__all__" else name): errors for name, errors in form.errors.items()}
            )
        return form.cleaned_data


class LiveSessionErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    upstream_code = serializers.IntegerField(allow_null=True)


class LiveSessionSerializer(serializers.ModelSerializer):
    # A session as its owner sees it: the push URL only while it can still be used.

    push_url = serializers.SerializerMethodField(help_text="The full RTMP push URL: a password, keep it secret.")
    rtmp_server = serializers.SerializerMethodField(help_text="The encoder's server half (OBS: Server).")
    stream_key = serializers.SerializerMethodField(help_text="The encoder's stream key half (OBS: Stream Key).")
    studio_url = serializers.SerializerMethodField(help_text="Kuaishou's Cloud Live Studio, where the room is managed.")
    ended_by = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField(help_text="Why Kuaishou gave no push URL, for a failed session.")
    retry_of = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True,
        help_text="The failed session this one tries again (the same Idempotency-Key after Kuaishou did not answer).",
    )

    class Meta:
        model = LiveSession
        fields = [
            "id", "status", "status_message", "caption", "panoramic", "shop_live", "device_name",
            "push_url", "rtmp_server", "stream_key", "live_stream_name", "expires_at", "studio_url",
            "went_live_at", "ended_at", "ended_by", "error", "retry_of", "created_at",
        ]
        read_only_fields = fields

    def _push(self, session) -> PushUrl | None:
        # A push URL starts one live: once the session is over it is spent, so it is not handed out.
        if not session.is_active or not session.push_url:
            return None
        return PushUrl(push_url=session.push_url, live_stream_name=session.live_stream_name)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_push_url(self, session) -> str | None:
        push = self._push(session)
        return push.push_url if push else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_rtmp_server(self, session):
        push = self._push(session)
        return push.rtmp_server if push else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_stream_key(self, session):
        push = self._push(session)
        return push.stream_key if push else None

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_studio_url(self, session):
        return settings.KUAISHOU_STUDIO_URL

    @extend_schema_field(
        {"type": "string", "enum": [value for value, _label in LiveSession.EndedBy.choices], "nullable": True}
    )
    def get_ended_by(self, session):
        return session.ended_by or None

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


