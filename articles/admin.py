from django.contrib import admin
from django.utils.html import format_html

from .models import Article, ArticleAuthor, Author, Image, Section, Tag


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


class BylineInline(admin.TabularInline):
    model = ArticleAuthor
    autocomplete_fields = ["author"]
    extra = 1
    fields = ["author", "position"]
    verbose_name = "author"
    verbose_name_plural = "authors (in byline order)"


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["headline", "section", "status", "featured", "published_at", "modified_at"]
    list_filter = ["status", "featured", "section", "tags"]
    list_select_related = ["section"]
    search_fields = ["headline", "dek", "slug"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["lead_image", "section", "tags"]
    inlines = [BylineInline]
    readonly_fields = ["created_at", "modified_at"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "dek", "section", "lead_image", "body"]}),
        ("Publishing", {"fields": ["status", "published_at", "updated_at", "featured"]}),
        ("Discovery", {"fields": ["tags", "description"]}),
        ("Record", {"fields": ["created_at", "modified_at"], "classes": ["collapse"]}),
    ]
