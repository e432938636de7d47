from django.contrib import admin
from django.utils.html import format_html

from .models import Author, Image, Section, Tag
from .story_admin import ArticleAdmin  # noqa: F401 - registers the story desk


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug"]
    list_filter = ["kind"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "bio"]
    autocomplete_fields = ["photo"]


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["thumbnail", "__str__", "credit", "width", "height", "created_at"]
    list_display_links = ["thumbnail", "__str__"]
    search_fields = ["caption", "credit", "alt_text"]
    readonly_fields = ["preview", "width", "height"]
    fields = ["file", "preview", "alt_text", "caption", "credit", "width", "height"]
    date_hierarchy = "created_at"

    @admin.display(description="Image")
    def thumbnail(self, image):
        return format_html(
            '<img src="{}" alt="" width="80" style="height:auto">', image.fallback_url
        )

    @admin.display(description="Preview")
    def preview(self, image):
        if not image.pk:
            return "-"
        return format_html(
            '<img src="{}" alt="" style="max-width:400px;height:auto">', image.fallback_url
        )
