import dataclasses

from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import (
    OAuth2Adapter,
    OAuth2CallbackView,
    OAuth2LoginView,
)
from django.conf import settings
from django.shortcuts import redirect

import kuaishou
from accounts.kuaishou.client import KuaishouOAuth2Client
from kslive_site.upstream import kuaishou_app

# A person who cancels on Kuaishou's consent page comes back with an error
# parameter or with nothing at all; "invalid_scope" also covers a cancel.
CANCEL_ERRORS = {"access_denied", "invalid_scope"}
SCOPE_NOT_GRANTED = 100200106


class KuaishouOAuth2Adapter(OAuth2Adapter):
    provider_id = "kuaishou"
    client_class = KuaishouOAuth2Client
    access_token_method = "GET"  # nosec: Kuaishou's exchange is a GET
    scope_delimiter = ","

    def __init__(self, request):
        if "code" not in request.GET and request.GET.get("error", "") in CANCEL_ERRORS | {""}:
            get = request.GET.copy()
            get["error"] = self.login_cancelled_error
            object.__setattr__(request, "GET", get)
        super().__init__(request)

    @property
    def authorize_url(self):
        return settings.KUAISHOU_OPEN_BASE.rstrip("/") + "/oauth2/authorize"

    @property
    def access_token_url(self):
        return settings.KUAISHOU_OPEN_BASE.rstrip("/") + "/oauth2/access_token"

    def parse_token(self, data):
        token = super().parse_token(data)
        # Kept in memory only: accounts stores it encrypted once the login completes.
        token.kuaishou_grant = data["grant"]
        return token

    def complete_login(self, request, app, token, **kwargs):
        try:
            profile = kuaishou.get_user_info(kuaishou_app(), access_token=token.token)
        except kuaishou.ApiError as exc:
            if exc.result != SCOPE_NOT_GRANTED:
                raise OAuth2Error(f"Kuaishou did not return the profile: {exc}") from exc
            # The person unticked the profile scope: log them in under their open_id alone.
            profile = kuaishou.UserProfile()
        except kuaishou.KuaishouError as exc:
            raise OAuth2Error(f"Kuaishou did not return the profile: {exc}") from exc
        data = {"open_id": token.kuaishou_grant.open_id, **dataclasses.asdict(profile)}
        return self.get_provider().sociallogin_from_response(request, data)


class KuaishouCallbackView(OAuth2CallbackView):
    def dispatch(self, request, *args, **kwargs):
        if not request.GET.keys() & {"code", "state"}:
            # No code and no state, at most an error: the person cancelled. (The
            # adapter has already turned "nothing at all" into a cancel error.)
            return redirect("socialaccount_login_cancelled")
        return super().dispatch(request, *args, **kwargs)


oauth2_login = OAuth2LoginView.adapter_view(KuaishouOAuth2Adapter)
oauth2_callback = KuaishouCallbackView.adapter_view(KuaishouOAuth2Adapter)
