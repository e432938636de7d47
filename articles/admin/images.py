"""The image library in the admin, and what the story form uses of it: the picker (search,
newest first, paginated), uploads in place, and editing a picture's alt text, caption and
credit from the story (``update_details``)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Func, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from .. import images, workflow
from ..models import Article, Author, Image
from ..tasks import make_renditions

PICKER_PAGE_SIZE = 24


LOCKED_MESSAGE = (
    "This picture is on a published story ({story}), so only an editor can change it: its "
    "file, alt text, caption and credit are what readers see now. Ask an editor, or upload a "
    "new picture for your story."
)


def published_story_of(image: Image) -> Article | None:
    """A published (or scheduled) story that shows ``image``, if there is one: as its lead
    image, in one of its live updates, or as the photo of an author in its byline."""
    return (
        Article.objects.filter(status=Article.Status.PUBLISHED)
        .filter(
            Q(lead_image=image) | Q(live_updates__image=image) | Q(bylines__author__photo=image)
        )
        .only("headline")
        .order_by("-published_at")
        .first()
    )


def locked_for(user, image: Image) -> Article | None:
    """The published story that keeps ``user`` from changing ``image`` (only editors change
    what readers see), or None if the user may change it as far as stories go."""
    if workflow.can_publish(user) or image.pk is None:
        return None
    return published_story_of(image)


def may_edit_details(user, image: Image) -> bool:
    """Whether ``user`` may change ``image``'s alt text, caption and credit from a story."""
    return user.has_perm("articles.change_image") and locked_for(user, image) is None


def update_details(image: Image, *, alt_text: str, caption: str, credit: str, by) -> bool:
    """Store new alt text, caption and credit of ``image`` as edited on a story's form;
    True if anything changed. Refused (PermissionDenied) for a user who may not."""
    new = {"alt_text": alt_text.strip(), "caption": caption.strip(), "credit": credit.strip()}
    stored = Image.objects.filter(pk=image.pk).values(*new).first() or {}
    if all(stored.get(name) == value for name, value in new.items()):
        return False
    if not may_edit_details(by, image):
        story = locked_for(by, image)
        raise PermissionDenied(
            LOCKED_MESSAGE.format(story=f"“{story}”")
            if story
            else "You may not change this picture's details."
        )
    for name, value in new.items():
        setattr(image, name, value)
    image.full_clean(exclude=["file"])
    image.save(update_fields=list(new))
    return True


def thumbnail_size(image: Image, width: int) -> tuple[int, int | str]:
    """The width and height of ``image`` shown at most ``width`` pixels wide ("" for a
    height not known)."""
    shown = min(width, image.width) or width
    return shown, round(image.height * shown / image.width) if image.width else ""


def thumbnail(image: Image, width: int, *, sizes: str):
    """An <img> at most ``width`` pixels wide, from the smallest fitting rendition."""
    shown, height = thumbnail_size(image, width)
    srcset = image.jpeg_srcset
    return format_html(
        '<img src="{}"{} width="{}" height="{}" alt="">',
        image.fallback_url,
        format_html(' srcset="{}" sizes="{}"', srcset, sizes) if srcset else "",
        shown,
        height,
    )


def as_json(image: Image) -> dict:
    """What the story form's picker shows of a picture and fills in from it."""
    return {
        "id": image.pk,
        "thumb": str(thumbnail(image, 320, sizes="320px")),
        "alt_text": image.alt_text,
        "caption": image.caption,
        "credit": image.credit,
        "width": image.width,
        "height": image.height,
    }


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    """The image library: thumbnails, search, where each picture is used, and a focal point
    set by clicking the picture (static/js/focal-point.js; the number fields work without)."""

    list_display = ["thumbnail", "__str__", "credit", "used_in", "width", "height", "created_at"]
    list_display_links = ["thumbnail", "__str__"]
    search_fields = ["caption", "credit", "alt_text"]
    readonly_fields = ["preview", "width", "height"]
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

    @admin.display(description="Image")
    def thumbnail(self, image):
        return thumbnail(image, 80, sizes="80px")

    @admin.display(description="Picture")
    def preview(self, image):
        return render_to_string(
            "admin/articles/image/focal_point.html",
            {"image": image, "picture": thumbnail(image, 480, sizes="480px")},
        )

    @admin.display(description="Used in", ordering="uses")
    def used_in(self, image):
        return image.uses

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or locked_for(request.user, obj) is None

    def construct_change_message(self, request, form, formsets, add=False):
        """The history says when the file was replaced, and what it was: the new file is a
        new version with its own renditions, and the old one stays in storage (pages in
        caches and newsletters already sent still show it)."""
        message = super().construct_change_message(request, form, formsets, add)
        if add or "file" not in form.changed_data:
            return message
        old = form.initial.get("file")
        old_name = getattr(old, "name", old) or "none"
        upload = form.cleaned_data["file"]
        return [
            *message,
            {"changed": {"fields": [f"the file (was {old_name}; new upload {upload.name})"]}},
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["where_used"] = self.where_used(request, obj)
            story = locked_for(request.user, obj)
            if story is not None:
                context["locked_message"] = LOCKED_MESSAGE.format(story=f"“{story}”")
        return super().render_change_form(request, context, add, change, form_url, obj)

    def where_used(self, request, image) -> str:
        """The stories with this lead image and the authors with this photo, linked when the
        user may open them."""
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
        if not self.admin_site.is_registered(type(obj)):
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

    # The story form's picker and uploads

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path("picker/", view(self.picker), name="articles_image_picker"),
            path("upload/", view(self.upload), name="articles_image_upload"),
            path(
                "body-picture/<int:pk>/",
                view(self.body_picture),
                name="articles_image_body_picture",
            ),
        ]
        return own + super().get_urls()

    @staticmethod
    def picker_page(query: str, page: int):
        """One page of the library, newest first, matching ``query``; and whether more
        follow (one row more is read instead of a count)."""
        found = Image.objects.order_by("-created_at", "-pk")
        for word in query.split()[:8]:
            found = found.filter(
                Q(caption__icontains=word) | Q(alt_text__icontains=word) | Q(credit__icontains=word)
            )
        start = (page - 1) * PICKER_PAGE_SIZE
        rows = list(found[start : start + PICKER_PAGE_SIZE + 1])
        return rows[:PICKER_PAGE_SIZE], len(rows) > PICKER_PAGE_SIZE

    def picker(self, request):
        """The picker's grid as HTML, for the story form's image dialog."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        query = request.GET.get("q", "").strip()[:100]
        try:
            page = max(1, int(request.GET.get("page", "1")))
        except ValueError:
            page = 1
        found, more = self.picker_page(query, page)
        context = {
            "images": [(image, thumbnail(image, 160, sizes="160px")) for image in found],
            "query": query,
            "page": page,
            "more": more,
        }
        return TemplateResponse(request, "admin/articles/image/picker.html", context)

    def body_picture(self, request, pk: int):
        """What the body's editor shows of a picture placed in it (static/js/prose-image.js):
        a small copy and its caption and credit; a 404 for a number not in the library."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        image = Image.objects.filter(pk=pk).first()
        if image is None:
            return JsonResponse({"error": "No such picture in the library."}, status=404)
        shown, height = thumbnail_size(image, 160)
        small = image.renditions.get("jpg", {}).get("240")  # twice the box, for sharp screens
        return JsonResponse(
            {
                "id": image.pk,
                "src": image.file.storage.url(small) if small else image.fallback_url,
                "thumb_width": shown,
                "thumb_height": height or 0,
                "caption": image.caption,
                "credit": image.credit,
            }
        )

    def upload(self, request):
        """A picture dropped on the story form: checked as every upload is, stored, and
        described in JSON; or a 400 whose message names the problem."""
        if request.method != "POST":
            return JsonResponse({"error": "Send the picture with POST."}, status=405)
        if not self.has_add_permission(request):
            return JsonResponse({"error": "You may not add pictures to the library."}, status=403)
        upload = request.FILES.get("file")
        if upload is None:
            return JsonResponse({"error": "No file arrived: choose or drop a picture."}, status=400)
        image = Image(
            file=upload,
            alt_text=request.POST.get("alt_text", "").strip()[:250],
            caption=request.POST.get("caption", "").strip()[:500],
            credit=request.POST.get("credit", "").strip()[:200],
        )
        try:
            images.ImageUploadField().clean(upload)
            image.full_clean()
            image.save()
        except ValidationError as error:
            message = " ".join(error.messages)
            return JsonResponse({"error": f"{upload.name}: {message}"}, status=400)
        return JsonResponse(as_json(image), status=201)
