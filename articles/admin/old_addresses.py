"""Addresses from before a move (a WordPress import) in the admin: searchable, each with where
it leads now, and removable (an old address a newsroom wants to stop answering). They are
made by the import and never typed, so nobody adds or changes one here."""

from django.contrib import admin
from django.utils.html import format_html

from ..models import OldAddress


class LeadsToFilter(admin.SimpleListFilter):
    title = "leads to"
    parameter_name = "leads_to"

    def lookups(self, request, model_admin):
        return [
            ("article", "a story"),
            ("section", "a section"),
            ("tag", "a tag"),
            ("author", "an author"),
        ]

    def queryset(self, request, queryset):
        if self.value() in ("article", "section", "tag", "author"):
            return queryset.filter(**{f"{self.value()}__isnull": False})
        return queryset


@admin.register(OldAddress)
class OldAddressAdmin(admin.ModelAdmin):
    # Two columns, so the list fits a phone: the address, and where it leads (its kind, its
    # name and the address it answers 301 with, one under the other).
    list_display = ["path", "destination"]
    list_filter = [LeadsToFilter]
    search_fields = ["path", "article__headline", "section__name", "tag__name", "author__name"]
    list_select_related = ["article", "section", "tag", "author"]
    list_per_page = 50
    ordering = ["path"]
    show_full_result_count = False  # an archive's addresses run to the hundred thousand
    fields = ["path", "kind", "leads_to", "now_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="kind")
    def kind(self, obj):
        for name, label in (
            ("article", "story"),
            ("section", "section"),
            ("tag", "tag"),
            ("author", "author"),
        ):
            if getattr(obj, f"{name}_id"):
                return label
        return ""

    @admin.display(description="leads to")
    def leads_to(self, obj):
        target = obj.target
        return str(target) if target is not None else "(nothing)"

    @admin.display(description="leads to (301)")
    def destination(self, obj):
        if obj.target is None:
            return "(nothing)"
        return format_html("{}: {}<br>{}", self.kind(obj), obj.target, self.now_at(obj))

    @admin.display(description="answers 301 with")
    def now_at(self, obj):
        target = obj.target
        if target is None:
            return ""
        url = target.get_absolute_url()
        return format_html('<a href="{}" class="old-address-target">{}</a>', url, url)
