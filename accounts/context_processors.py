from django.utils.functional import SimpleLazyObject

from accounts import selectors


def kuaishou_account(request):
    """Give templates the person's Kuaishou credential (or None), fetched only when used."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    return {"kuaishou_credential": SimpleLazyObject(lambda: selectors.credential_of(user))}
