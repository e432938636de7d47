from django import forms
from django.contrib import admin

from .models import Subscriber
from .services import normalise_email


class SubscriberAdminForm(forms.ModelForm):
    # No Meta: the admin builds the form for its model from its own fields and fieldsets.

    def clean_email(self):
        # Stored as the signup form stores it, so the unique check sees one row per mailbox.
        return normalise_email(self.cleaned_data["email"])


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    form = SubscriberAdminForm
    list_display = ["email", "status", "created_at", "source"]
    list_filter = ["status", "created_at"]
    search_fields = ["email", "source"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at"]
