"""The breaking-news banner in the admin: write a line, pick its level and when it ends; it
is over every public page within a second (``articles.banners``)."""

import datetime as dt

from django.contrib import admin, messages
from django.utils import timezone

from ..models import Banner

DEFAULT_HOURS = 3


@admin.register(Banner)
class BannerAdmin(admin.ModelAdmin):
    list_display = ["text", "level", "starts_at", "ends_at", "shown"]
    list_filter = ["level"]
    search_fields = ["text"]
    fields = ["level", "text", "link", "starts_at", "ends_at"]
    actions = ["end_now"]

    def get_changeform_initial_data(self, request):
        now = timezone.now().replace(second=0, microsecond=0)
        return {"starts_at": now, "ends_at": now + dt.timedelta(hours=DEFAULT_HOURS)}

    @admin.display(boolean=True, description="shown now")
    def shown(self, obj):
        return obj.is_shown

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="End the selected banners now")
    def end_now(self, request, queryset):
        now = timezone.now()
        ended = 0
        for banner in queryset.filter(ends_at__gt=now):
            # A banner that has not started yet ends as it would have started.
            banner.ends_at = max(now, banner.starts_at + dt.timedelta(microseconds=1))
            banner.save(update_fields=["ends_at"])  # each save renews every page
            ended += 1
        self.message_user(request, f"{ended} banner(s) ended.", messages.SUCCESS)
