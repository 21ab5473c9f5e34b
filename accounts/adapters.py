import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialAccount
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts import services

logger = logging.getLogger(__name__)


def display_name(user):
    """Return the person's Kuaishou name rather than our internal username."""
    return user.first_name or user.username


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # People sign up only by logging in with Kuaishou; there are no local passwords.
        return False


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        return True

    def pre_social_login(self, request, sociallogin):
        self._refuse_a_second_account(request, sociallogin)
        if sociallogin.is_existing:
            self._keep_tokens(sociallogin)

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        self._keep_tokens(sociallogin)
        return user

    @staticmethod
    def _keep_tokens(sociallogin):
        # allauth keeps no tokens (SOCIALACCOUNT_STORE_TOKENS is off): accounts stores them,
        # encrypted, for the account that is saved by now, a returning one or a new one.
        if sociallogin.account.provider == "kuaishou":
            from accounts.kuaishou.provider import token_grant

            services.credential_store_login(account=sociallogin.account, grant=token_grant(sociallogin))

    @staticmethod
    def _refuse_a_second_account(request, sociallogin):
        # One person, one Kuaishou account: every page and every token lookup rests on it.
        # Someone logged in who picks another Kuaishou account on the consent page (while
        # reconnecting, or through allauth's connections page) is told, and nothing changes.
        user = request.user
        if not user.is_authenticated or sociallogin.account.provider != "kuaishou":
            return
        connected = SocialAccount.objects.filter(user=user, provider="kuaishou").first()
        if connected is None or connected.uid == sociallogin.account.uid:
            return
        logger.info("Refused a second Kuaishou account for user %s", user.pk)
        messages.error(request, _(
            "You chose a different Kuaishou account from the one connected to kslive (%(name)s). "
            "Nothing was changed. To use the other account, log out first, then log in with it."
        ) % {"name": connected.extra_data.get("name") or connected.uid})
        raise ImmediateHttpResponse(redirect("account"))

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        # The exception texts come from our client and carry no secrets.
        logger.warning("Kuaishou login failed: %s %s", error, exception or "")
