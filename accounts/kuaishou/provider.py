from allauth.socialaccount.providers.base import ProviderAccount
from allauth.socialaccount.providers.oauth2.provider import OAuth2Provider
from django.conf import settings
from django.utils import timezone

import kuaishou
from accounts.kuaishou.views import KuaishouOAuth2Adapter

PROFILE_FIELDS = ("name", "sex", "fans", "follows", "avatar_url", "big_avatar_url", "city")
# What the token response said of the grant besides the tokens: not secret, kept with the account.
GRANT_FIELDS = ("scopes", "refresh_token_expires_in")


class KuaishouAccount(ProviderAccount):
    def get_avatar_url(self):
        return self.account.extra_data.get("avatar_url") or self.account.extra_data.get("big_avatar_url")

    def to_str(self):
        return self.account.extra_data.get("name") or self.account.uid


class KuaishouProvider(OAuth2Provider):
    id = "kuaishou"
    name = "快手 Kuaishou"
    account_class = KuaishouAccount
    oauth2_adapter_class = KuaishouOAuth2Adapter
    pkce_enabled_default = False

    def get_default_scope(self):
        return list(settings.KUAISHOU_SCOPES)

    def get_auth_params_from_request(self, request, action):
        # Phones and tablets get Kuaishou's h5 consent page, desktops the pc one (a QR code
        # to scan with the Kuaishou app: no use on the phone that has the app).
        ua = kuaishou.consent_page_for(
            request.headers.get("User-Agent", ""),
            mobile_hint=request.headers.get("Sec-CH-UA-Mobile", ""),
            touch_mac=request.POST.get("touch") == "1",
        )
        return {**super().get_auth_params_from_request(request, action), "ua": ua}

    def extract_uid(self, data):
        return str(data["open_id"])

    def extract_extra_data(self, data):
        return {key: data.get(key) for key in PROFILE_FIELDS + GRANT_FIELDS}

    def extract_common_fields(self, data):
        # Kuaishou gives no e-mail; the open_id makes a stable, unique username.
        return {"username": f"ks_{data['open_id']}"[:150], "first_name": (data.get("name") or "")[:150]}


def token_grant(sociallogin) -> kuaishou.TokenGrant:
    """Return the grant of a completed Kuaishou login: allauth's token and what the account says."""
    token, extra = sociallogin.token, sociallogin.account.extra_data
    seconds = int((token.expires_at - timezone.now()).total_seconds()) if token.expires_at else 0
    scopes = extra.get("scopes")
    return kuaishou.TokenGrant(
        access_token=token.token,
        expires_in=max(0, seconds),
        refresh_token=token.token_secret,
        open_id=sociallogin.account.uid,
        refresh_token_expires_in=extra.get("refresh_token_expires_in"),
        scopes=tuple(scopes) if scopes is not None else None,
    )


provider_classes = [KuaishouProvider]
