"""OpenAPI pieces: the Bearer scheme, and the error envelope every failure uses."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.DeviceTokenAuthentication"
    name = "deviceToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A device token from kslive's Devices page (`ksd_…`), or from "
            "`python manage.py create_device_token`.",
        }


ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "code": serializers.CharField(help_text="A stable slug, e.g. `invalid`, `reconnect_required`."),
        "message": serializers.CharField(help_text="A sentence for the person, in the request's language."),
        "upstream_code": serializers.IntegerField(
            allow_null=True, help_text="Kuaishou's result code when Kuaishou refused, else null."
        ),
        "fields": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            required=False,
            help_text="Validation errors per field (400 only).",
        ),
        "session_id": serializers.IntegerField(
            required=False, help_text="The session that was recorded as failed, when Kuaishou refused."
        ),
        "face_verify_url": serializers.CharField(
            required=False, help_text="With `face_check_required`: open or show as a QR code for the Kuaishou app."
        ),
    },
)
ErrorEnvelope = inline_serializer(name="ErrorEnvelope", fields={"error": ErrorSerializer})


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorEnvelope, description=description)


AUTH_ERRORS = {
    401: error("No token, a malformed Authorization header, or an unknown or revoked token (`unauthorized`)."),
    429: error("Over this token's request rate (`rate_limited`); see the Retry-After header."),
}
