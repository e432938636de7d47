from django.contrib import admin, messages
from django.db.models import F, Func, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from . import images
from .models import Article, Author, Image, Section, Tag
from .story_admin import ArticleAdmin  # noqa: F401 - registers the story desk
from .tasks import make_renditions


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
    """The image library: thumbnails, search, where each picture is used, and a focal point
    set by clicking the picture (static/js/focal-point.js; the number fields work without)."""

    list_display = ["thumbnail", "__str__", "credit", "used_in", "width", "height", "created_at"]
    list_display_links = ["thumbnail", "__str__"]
    search_fields = ["caption", "credit", "alt_text"]
    readonly_fields = ["preview", "where_used", "width", "height"]
    date_hierarchy = "created_at"
    actions = ["make_missing_renditions"]
    WHERE_USED_LIMIT = 50  # stories listed on the change page; the rest are counted

    class Media:
        js = ["js/focal-point.js"]

    def get_fieldsets(self, request, obj=None):
        focal_help = (
            "Cards in story lists crop pictures to 16:10 around this point. Click the picture "
            "where the crop should centre, or type the percentages; leave both empty for the "
            "centre."
        )
        if obj is None:
            return [
                (None, {"fields": ["file", "alt_text", "caption", "credit"]}),
                ("Focal point", {"fields": [("focal_x", "focal_y")], "description": focal_help}),
            ]
        return [
            (None, {"fields": ["file", "alt_text", "caption", "credit"]}),
            (
                "Focal point",
                {"fields": ["preview", ("focal_x", "focal_y")], "description": focal_help},
            ),
            ("Where used", {"fields": ["where_used"]}),
            ("Size", {"fields": [("width", "height")]}),
        ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "file":
            # The library's own checks and messages, the same as the importer's.
            kwargs["form_class"] = images.ImageUploadField
        elif db_field.name in {"focal_x", "focal_y"}:
            kwargs["max_value"] = 100
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        """Each image with how many stories (as lead image) and authors (as photo) use it,
        counted in the same query as the list."""
        return (
            super()
            .get_queryset(request)
            .annotate(
                story_uses=self._uses(Article.objects.filter(lead_image=OuterRef("pk"))),
                author_uses=self._uses(Author.objects.filter(photo=OuterRef("pk"))),
            )
            .annotate(uses=F("story_uses") + F("author_uses"))
        )

    @staticmethod
    def _uses(rows):
        count = rows.order_by().values(n=Func(F("pk"), function="COUNT")).values("n")
        return Coalesce(Subquery(count, output_field=IntegerField()), 0)

    def get_object(self, request, object_id, from_field=None):
        image = super().get_object(request, object_id, from_field)
        if image is not None:
            image._admin_request = request  # where_used links only what the user may open
        return image

    @admin.display(description="Image")
    def thumbnail(self, image):
        return self._picture(image, 80, sizes="80px")

    @admin.display(description="Picture")
    def preview(self, image):
        return render_to_string(
            "admin/articles/image/focal_point.html",
            {"image": image, "picture": self._picture(image, 480, sizes="480px")},
        )

    @admin.display(description="Used in", ordering="uses")
    def used_in(self, image):
        return image.uses

    @admin.display(description="Used by")
    def where_used(self, image):
        request = getattr(image, "_admin_request", None)
        limit = self.WHERE_USED_LIMIT
        stories = list(image.lead_for.order_by("-published_at", "-pk")[: limit + 1])
        more = image.lead_for.count() - limit if len(stories) > limit else 0
        authors = list(Author.objects.filter(photo=image).order_by("name"))
        return render_to_string(
            "admin/articles/image/where_used.html",
            {
                "stories": [(story, self._change_url(request, story)) for story in stories[:limit]],
                "more_stories": more,
                "authors": [(author, self._change_url(request, author)) for author in authors],
            },
        )

    def _change_url(self, request, obj) -> str:
        """The admin page of ``obj`` when the user may open it, else ""."""
        if request is None or not self.admin_site.is_registered(type(obj)):
            return ""
        model_admin = self.admin_site.get_model_admin(type(obj))
        if not model_admin.has_view_or_change_permission(request, obj):
            return ""
        opts = obj._meta
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change",
            args=[obj.pk],
            current_app=self.admin_site.name,
        )

    @staticmethod
    def _picture(image, width: int, *, sizes: str):
        """An <img> at most ``width`` pixels wide, from the smallest fitting rendition."""
        shown = min(width, image.width) or width
        height = round(image.height * shown / image.width) if image.width else ""
        srcset = image.jpeg_srcset
        return format_html(
            '<img src="{}"{} width="{}" height="{}" alt="">',
            image.fallback_url,
            format_html(' srcset="{}" sizes="{}"', srcset, sizes) if srcset else "",
            shown,
            height,
        )

    @admin.action(
        description="Make missing renditions of the selected images", permissions=["change"]
    )
    def make_missing_renditions(self, request, queryset):
        """For pictures shown from their original because a resized copy is missing (a file
        lost from storage, a task that failed): queue the task again. Complete ones are kept."""
        ids = list(queryset.values_list("pk", flat=True))
        for image_id in ids:
            make_renditions.enqueue(image_id)
        self.message_user(request, f"Renditions queued for {len(ids)} image(s).", messages.SUCCESS)


from .reads_admin import DailyReadsAdmin  # noqa: E402, F401 - registers the reads list
