from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from api import services


class DeviceTokenAuthentication(authentication.BaseAuthentication):
    """Authenticate `Authorization: Bearer <device token>`; request.auth is the DeviceToken."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("The Authorization header must be “Bearer <token>”."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This device token is unknown or revoked.")) from None
        token = services.device_token_check(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(_("This device token is unknown or revoked."))
        return token.owner, token

    def authenticate_header(self, request):
        # Naming the scheme makes DRF answer 401 (not 403) when the token is missing or bad.
        return f'{self.keyword} realm="kslive"'
