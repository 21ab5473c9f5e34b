from django.contrib import admin

from relay.models import Relay, RelayAgent


@admin.register(Relay)
class RelayAdmin(admin.ModelAdmin):
    # The ingest key is a password: never shown, not even to staff.
    list_display = ("session", "host", "feed", "encoder_since", "drops", "finished_at")
    list_filter = ("host", "feed")
    fields = ("session", "host", "stream_name", "encoder_since", "encoder_dropped_at", "drops", "encoder_check",
              "checked_at", "feed", "feeding_since", "slate_since", "finished_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


@admin.register(RelayAgent)
class RelayAgentAdmin(admin.ModelAdmin):
    list_display = ("host", "pid", "children", "seen_at")
    readonly_fields = ("host", "pid", "children", "seen_at")

    def has_add_permission(self, request):
        return False
