"""Kuaishou's token exchange, which breaks OAuth conventions.

The client id is `app_id`, the exchange is a GET carrying `app_secret`, there is
no `redirect_uri`, and success is `result == 1`; our framework-free client knows
all that, so this adapts it to allauth's OAuth2Client.
"""

from allauth.socialaccount.providers.oauth2.client import OAuth2Client, OAuth2Error
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

import kuaishou
from kuaishou_app.calls import app_credentials, call
from kuaishou_app.messages import APP_REJECTED

# What a person can do about a failed login, by whose fault it was.
LOGIN_ADVICE = {
    kuaishou.Blame.TRANSIENT: _("Kuaishou had a problem just now. Nothing was stored: please try again."),
    kuaishou.Blame.OPERATOR: APP_REJECTED,
}
CODE_REFUSED = _("Kuaishou did not accept the login (the link was used, expired or cancelled). Please start again.")


class LoginProblem(OAuth2Error):
    """A failed Kuaishou login, with the sentence that tells the person what to do."""

    def __init__(self, message: str, person_message):
        super().__init__(message)
        self.person_message = person_message

    @classmethod
    def from_error(cls, exc: kuaishou.KuaishouError) -> "LoginProblem":
        # The client's messages carry no secrets; they go to the log, the advice to the page.
        return cls(f"Kuaishou login failed: {exc}", LOGIN_ADVICE.get(exc.blame, CODE_REFUSED))


class KuaishouOAuth2Client(OAuth2Client):
    client_id_parameter = "app_id"

    def get_redirect_url(self, authorization_url, scope, extra_params):
        return kuaishou.authorize_url(
            app_credentials(),
            redirect_uri=self.callback_url,
            state=self.state,
            scopes=list(dict.fromkeys(scope)),
            ua=extra_params.get("ua", kuaishou.CONSENT_PHONE),
        )

    @sensitive_variables()
    def get_access_token(self, code, pkce_code_verifier=None, extra_data=None):
        try:
            grant = call(kuaishou.exchange_code, code=code)
        except kuaishou.KuaishouError as exc:
            raise LoginProblem.from_error(exc) from exc
        # The token response, as allauth's providers hand it on: allauth makes the SocialToken
        # (access token, refresh token as its secret, expiry); the rest reaches complete_login.
        return {
            "access_token": grant.access_token,
            "refresh_token": grant.refresh_token,
            "expires_in": grant.expires_in,
            "open_id": grant.open_id,
            "refresh_token_expires_in": grant.refresh_token_expires_in,
            "scopes": list(grant.scopes) if grant.scopes is not None else None,
        }
