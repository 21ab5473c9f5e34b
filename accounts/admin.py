from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialApp, SocialToken
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from accounts import services, tokens
from accounts.models import KuaishouCredential

# allauth stores no tokens here (SOCIALACCOUNT_STORE_TOKENS is off); its admin would show them in
# clear. Our Kuaishou app comes from the environment: a second one added as a SocialApp row would
# make logins fail, and Kuaishou gives no e-mail addresses to manage.
for model in (SocialToken, SocialApp, EmailAddress):
    if admin.site.is_registered(model):
        admin.site.unregister(model)

admin.site.site_header = admin.site.site_title = _("kslive administration")

CREDENTIAL_COLUMNS = ("open_id", "access_token_expires_at", "refresh_token_expires_at", "needs_reconnect")


def _refresh(modeladmin, request, credentials):
    done = 0
    for credential in credentials:
        try:
            tokens.credential_refresh_now(credential.pk)
            done += 1
        except Exception as exc:  # show the reason for this one, carry on with the rest
            modeladmin.message_user(request, f"{credential}: {exc}", messages.ERROR)
    if done:
        modeladmin.message_user(request, _("Refreshed %(count)d Kuaishou account(s).") % {"count": done}, messages.SUCCESS)


def _require_reconnect(modeladmin, request, credentials):
    for credential in credentials:
        services.credential_require_reconnect(credential=credential, reason=f"Required by {request.user}")
    modeladmin.message_user(request, _("%(count)d account(s) must reconnect.") % {"count": len(credentials)}, messages.SUCCESS)


@admin.register(KuaishouCredential)
class KuaishouCredentialAdmin(admin.ModelAdmin):
    list_display = ("display_name", "user", *CREDENTIAL_COLUMNS, "can_go_live")
    list_filter = ("needs_reconnect",)
    list_select_related = ("account__user",)
    search_fields = ("account__uid", "account__user__first_name", "account__user__username")
    # Tokens never appear: not in lists, not in forms.
    fields = ("account", *CREDENTIAL_COLUMNS[1:], "reconnect_reason", "scopes", "refreshed_at", "updated_at")
    readonly_fields = fields
    actions = ["refresh_token_now", "require_reconnect"]

    @admin.display(description=_("user"))
    def user(self, credential):
        return credential.account.user

    @admin.display(description=_("open_id"))
    def open_id(self, credential):
        return credential.account.uid

    @admin.display(boolean=True, description=_("can go live"))
    def can_go_live(self, credential):
        return credential.can_go_live

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Refresh token now"))
    def refresh_token_now(self, request, queryset):
        _refresh(self, request, queryset)

    @admin.action(description=_("Require reconnect"))
    def require_reconnect(self, request, queryset):
        _require_reconnect(self, request, list(queryset))


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class KsliveUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "kuaishou_open_id", "token_valid_until", "needs_reconnect", "is_staff")
    search_fields = ("username", "first_name", "socialaccount__uid")
    actions = ["refresh_token_now", "require_reconnect"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("socialaccount_set__kuaishou_credential")

    def _credential(self, user):
        for account in user.socialaccount_set.all():
            credential = getattr(account, "kuaishou_credential", None)
            if account.provider == "kuaishou" and credential:
                return credential
        return None

    @admin.display(description=_("Kuaishou open_id"))
    def kuaishou_open_id(self, user):
        return next((a.uid for a in user.socialaccount_set.all() if a.provider == "kuaishou"), "")

    @admin.display(description=_("token valid until"))
    def token_valid_until(self, user):
        credential = self._credential(user)
        return credential.access_token_expires_at if credential else None

    @admin.display(boolean=True, description=_("needs reconnect"))
    def needs_reconnect(self, user):
        credential = self._credential(user)
        return credential.needs_reconnect if credential else None

    def _credentials(self, queryset):
        return KuaishouCredential.objects.filter(account__user__in=queryset, account__provider="kuaishou")

    @admin.action(description=_("Refresh Kuaishou token now"))
    def refresh_token_now(self, request, queryset):
        _refresh(self, request, self._credentials(queryset))

    @admin.action(description=_("Require Kuaishou reconnect"))
    def require_reconnect(self, request, queryset):
        _require_reconnect(self, request, list(self._credentials(queryset)))
