from allauth.account.signals import user_logged_in
from django.dispatch import receiver

from accounts import services


@receiver(user_logged_in)
def keep_kuaishou_tokens(sender, request, user, sociallogin=None, **kwargs):
    """Store the tokens of a Kuaishou login, encrypted (allauth keeps none)."""
    grant = getattr(getattr(sociallogin, "token", None), "kuaishou_grant", None)
    if grant is not None and sociallogin.account.provider == "kuaishou":
        services.credential_store_login(account=sociallogin.account, grant=grant)
