from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from api import services
from api.models import DeviceToken


@admin.register(DeviceToken)
class DeviceTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    list_select_related = ("owner",)
    search_fields = ("name", "prefix", "owner__username", "owner__first_name")
    # Only the hash is stored; it is of no use to anyone, so it is not shown either.
    fields = readonly_fields = ("owner", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        revoked = sum(services.device_token_revoke(token=token) for token in queryset)
        self.message_user(request, _("Revoked %(count)d token(s).") % {"count": revoked}, messages.SUCCESS)
