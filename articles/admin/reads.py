"""Reads per story per day in the admin, read-only (counted by the beacon, never typed)."""

from django.contrib import admin

from ..models import DailyReads


@admin.register(DailyReads)
class DailyReadsAdmin(admin.ModelAdmin):
    list_display = ["article", "day", "count"]
    list_filter = ["day"]
    date_hierarchy = "day"
    search_fields = ["article__headline"]
    list_select_related = ["article"]
    ordering = ["-day", "-count"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
