"""Kuaishou's token exchange, which breaks OAuth conventions.

The client id is `app_id`, the exchange is a GET carrying `app_secret`, there is
no `redirect_uri`, and success is `result == 1`; our framework-free client knows
all that, so this adapts it to allauth's OAuth2Client.
"""

from allauth.socialaccount.providers.oauth2.client import OAuth2Client, OAuth2Error

import kuaishou
from kslive_site.upstream import kuaishou_app


class KuaishouOAuth2Client(OAuth2Client):
    client_id_parameter = "app_id"

    def get_redirect_url(self, authorization_url, scope, extra_params):
        return kuaishou.authorize_url(
            kuaishou_app(),
            redirect_uri=self.callback_url,
            state=self.state,
            scopes=list(dict.fromkeys(scope)),
            ua=extra_params.get("ua", "pc"),
        )

    def get_access_token(self, code, pkce_code_verifier=None, extra_data=None):
        try:
            grant = kuaishou.exchange_code(kuaishou_app(), code=code)
        except kuaishou.KuaishouError as exc:
            # The client's messages carry no secrets; allauth shows a generic page.
            raise OAuth2Error(f"Kuaishou refused the code exchange: {exc}") from exc
        return {
            "access_token": grant.access_token,
            "refresh_token": grant.refresh_token,
            "expires_in": grant.expires_in,
            "open_id": grant.open_id,
            "grant": grant,
        }
