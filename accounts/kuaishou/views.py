import dataclasses
import logging

from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.providers.oauth2.views import (
    OAuth2Adapter,
    OAuth2CallbackView,
    OAuth2LoginView,
)
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

import kuaishou
from accounts.kuaishou.client import KuaishouOAuth2Client, LoginProblem
from kuaishou_app.calls import call
from kuaishou_app.models import AppStatus
from kuaishou_app.tasks import check_app

logger = logging.getLogger(__name__)

# A person who cancels on Kuaishou's consent page comes back with an error parameter or
# with nothing at all; the reference files a cancel under invalid_scope too.
CANCEL_ERRORS = {"access_denied", "invalid_scope"}


class KuaishouOAuth2Adapter(OAuth2Adapter):
    provider_id = "kuaishou"
    client_class = KuaishouOAuth2Client
    access_token_method = "GET"  # nosec: Kuaishou's exchange is a GET
    scope_delimiter = ","

    def get_callback_url(self, request, app):
        # From the configured site, never from the request's Host header, which anyone can send.
        return settings.SITE_URL + reverse(f"{self.provider_id}_callback")

    @property
    def authorize_url(self):
        return settings.KUAISHOU_OPEN_BASE.rstrip("/") + "/oauth2/authorize"

    @property
    def access_token_url(self):
        return settings.KUAISHOU_OPEN_BASE.rstrip("/") + "/oauth2/access_token"

    @sensitive_variables("token", "response", "data")
    def complete_login(self, request, app, token, response=None, **kwargs):
        try:
            profile = call(kuaishou.get_user_info, access_token=token.token)
        except kuaishou.ApiError as exc:
            if exc.result != kuaishou.Result.INVALID_SCOPE:
                raise LoginProblem.from_error(exc) from exc
            # The person unticked the profile scope: log them in under their open_id alone.
            profile = kuaishou.UserProfile()
        except kuaishou.KuaishouError as exc:
            raise LoginProblem.from_error(exc) from exc
        # What Kuaishou said of the grant (scopes, the refresh token's lifetime) travels with the
        # account; the tokens stay in allauth's in-memory SocialToken until accounts stores them.
        data = {**response, **dataclasses.asdict(profile)}
        return self.get_provider().sociallogin_from_response(request, data)


class KuaishouCallbackView(OAuth2CallbackView):
    # Also hides the locals of allauth's dispatch below, which holds the token reply.
    @sensitive_variables()
    def dispatch(self, request, *args, **kwargs):
        if request.GET.get("code"):
            return super().dispatch(request, *args, **kwargs)
        # No code: a cancel, or Kuaishou sending the browser back with an error. An empty
        # `code=` is no code at all and never reaches Kuaishou.
        error = request.GET.get("error", "")
        if error in CANCEL_ERRORS or not (error or "code" in request.GET):
            return redirect("socialaccount_login_cancelled")
        # Anyone can send a browser here with any error: only a login this browser started
        # may come back with one; any other gets allauth's failed-login page.
        provider = self.adapter.get_provider()
        state, failed = self._get_state(request, provider)
        if failed:
            return failed
        return render_authentication_error(
            request, provider, exception=_consent_problem(error, request.GET.get("error_description", "")),
            extra_context={"state": state},
        )


def _consent_problem(error: str, description: str) -> LoginProblem:
    """Return what to tell the person when the consent page sent them back with `error`."""
    result = kuaishou.result_for_oauth_error(error)
    if result is None:
        return LoginProblem(f"Kuaishou sent the browser back without a code (error {error!r})",
                            _("The login link was invalid or incomplete. Please start again."))
    problem = kuaishou.ApiError(description or None, result=result, error=error)
    if problem.blame is kuaishou.Blame.OPERATOR:
        # The browser's word proves nothing: a call of our own confirms it before the app is
        # recorded as rejected (and the operator alarmed).
        logger.warning("The consent page sent a browser back with error %r: asking Kuaishou whether it "
                       "rejects kslive's app", error)
        check_app.delay(AppStatus.Family.OAUTH)
    return LoginProblem.from_error(problem)


oauth2_login = OAuth2LoginView.adapter_view(KuaishouOAuth2Adapter)
oauth2_callback = KuaishouCallbackView.adapter_view(KuaishouOAuth2Adapter)
