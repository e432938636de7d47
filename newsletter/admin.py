from django.contrib import admin

from .models import Subscriber


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "created_at", "source"]
    list_filter = ["status", "created_at"]
    search_fields = ["email", "source"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at"]
