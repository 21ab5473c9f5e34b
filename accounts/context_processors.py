from django.utils.functional import SimpleLazyObject

from accounts.models import KuaishouCredential


def kuaishou_account(request):
    """Give templates the person's Kuaishou credential (or None), fetched only when used."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def load():
        return (
            KuaishouCredential.objects.select_related("account")
            .filter(account__user=user, account__provider="kuaishou")
            .first()
        )

    return {"kuaishou_credential": SimpleLazyObject(load)}
