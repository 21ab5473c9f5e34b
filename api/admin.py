from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from api import services
from api.models import DeviceToken, DeviceWebhook, WebhookDelivery


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


@admin.register(DeviceWebhook)
class DeviceWebhookAdmin(admin.ModelAdmin):
    list_display = ("token", "url", "created_at", "rotated_at", "failing_since", "disabled_at")
    list_filter = ("disabled_at",)
    list_select_related = ("token", "token__owner")
    search_fields = ("url", "token__name", "token__prefix", "token__owner__username")
    # The secret signs deliveries: it is never shown, not even here.
    fields = readonly_fields = ("token", "url", "created_at", "rotated_at", "failing_since", "disabled_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "token", "session_id", "status_change", "status", "attempts", "last_http_status",
                    "last_error", "next_attempt_at")
    list_filter = ("status", ("webhook__token", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("webhook__token",)
    search_fields = ("session_id", "webhook__token__name", "webhook__token__prefix")
    fields = readonly_fields = ("token", "session_id", "payload", "status", "attempts", "last_http_status",
                                "last_error", "created_at", "last_attempt_at", "next_attempt_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("device token"), ordering="webhook__token__name")
    def token(self, delivery):
        return delivery.webhook.token

    @admin.display(description=_("status change"))
    def status_change(self, delivery):
        return f"{delivery.previous} → {delivery.event_status}"
