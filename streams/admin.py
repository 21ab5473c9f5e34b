from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from streams import services
from streams.models import LiveSession, LiveSessionEvent


class LiveSessionEventInline(admin.TabularInline):
    model = LiveSessionEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("at", "from_status", "to_status", "source", "note")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(LiveSession)
class LiveSessionAdmin(admin.ModelAdmin):
    list_display = ("id", "caption", "owner", "status", "device_name", "issued_at", "went_live_at", "ended_at")
    list_filter = ("status", "lost_reason", "ended_by", "issued_at")
    list_select_related = ("owner",)
    date_hierarchy = "issued_at"
    search_fields = ("live_stream_name", "owner__username", "owner__first_name", "caption", "device_name")
    inlines = [LiveSessionEventInline]
    actions = ["sync_status_now", "stop_live"]
    # The push URL is a credential: never in forms or lists, only its masked shape.
    fields = (
        "owner", "caption", "panoramic", "shop_live", "device_name", "cover_preview", "live_stream_name",
        "push_url_masked", "status", "status_message", "issued_at", "expires_at", "went_live_at", "ended_at",
        "ended_by", "problem", "last_error_code", "last_error_message", "next_poll_at", "last_polled_at",
        "refusals", "lost_reason", "last_known_status",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("cover")

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("push URL"))
    def push_url_masked(self, session):
        if not session.push_url:
            return "–"
        return f"rtmp://…/gifshow/{session.live_stream_name}?sign=••••••••"

    @admin.display(description=_("cover"))
    def cover_preview(self, session):
        return format_html('<img src="/live/{}/cover.jpg" width="90" height="160" alt="">', session.pk) if session.pk else "–"

    @admin.action(description=_("Sync status now"))
    def sync_status_now(self, request, queryset):
        for session in queryset:
            try:
                services.live_session_sync(session_id=session.pk, source=LiveSessionEvent.Source.ADMIN)
            except services.GoLiveError as exc:
                self.message_user(request, f"{session}: {exc.message}", messages.ERROR)
        self.message_user(request, _("Synced."), messages.SUCCESS)

    @admin.action(description=_("Stop live"))
    def stop_live(self, request, queryset):
        for session in queryset:
            try:
                services.live_session_stop(
                    session=session, source=LiveSessionEvent.Source.ADMIN, ended_by=LiveSession.EndedBy.ADMIN
                )
                self.message_user(request, _("%(session)s: stopped.") % {"session": session}, messages.SUCCESS)
            except services.GoLiveError as exc:
                self.message_user(request, f"{session}: {exc.message}", messages.ERROR)
