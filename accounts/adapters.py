import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

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

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        # The exception texts come from our client and carry no secrets.
        logger.warning("Kuaishou login failed: %s %s", error, exception or "")
