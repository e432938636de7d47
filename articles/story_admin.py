"""The story desk in the admin: writing, review, publishing, previews, history, corrections.

Every rule here is enforced on the server: a writer's form only offers the states a writer may
choose, its validation refuses any other, the publishing actions and views check
``articles.publish_article``, and a writer has no change permission on a story that is not
their own draft.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, Sum
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from reversion.admin import VersionAdmin
from reversion.models import Version

from . import diffs, preview_tokens, reads
from .models import Article, ArticleAuthor, Note
from .views import render_preview, story_queryset

WRITER_STATES = {Article.Status.DRAFT, Article.Status.REVIEW}
EDITOR_ONLY_FIELDS = ["published_at", "updated_at", "featured", "owner"]


def can_publish(user) -> bool:
    return user.has_perm("articles.publish_article")


class ArticleAdminForm(forms.ModelForm):
    # What the editor saw when the form was opened; a save from an older version is refused.
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # While an old version is restored, the story as it was before reversion wrote the old
    # copy into its row: the lock is judged against it, not against the old copy's counter.
    story_now = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.story_now is not None:
            self.fields["seen_version"].initial = self.story_now.lock_version
        elif self.instance.pk:
            current = Article.objects.filter(pk=self.instance.pk).values_list(
                "lock_version", flat=True
            )
            self.fields["seen_version"].initial = current.first()

    def clean(self):
        cleaned = super().clean()
        user = self.request_user
        status = cleaned.get("status")
        if status and not can_publish(user) and status not in WRITER_STATES:
            raise ValidationError("Only editors can publish, schedule or unpublish a story.")
        if self.instance.pk:
            # Lock the row for the rest of this request's transaction, then compare.
            current = (
                Article.objects.select_for_update(of=("self",))
                .filter(pk=self.instance.pk)
                .values_list("lock_version", "last_edited_by__username", "modified_at")
                .first()
            )
            now = self.story_now
            if current and now is not None:
                editor = now.last_edited_by
                current = (now.lock_version, editor and editor.username, now.modified_at)
            if current and cleaned.get("seen_version") != current[0]:
                who = current[1] or "someone"
                when = timezone.localtime(current[2]).strftime("%H:%M:%S")
                raise ValidationError(
                    f"This story was changed by {who} at {when}, after you opened it. Your "
                    "changes were not saved: copy them, reload the story, and apply them again."
                )
        return cleaned


class BylineInline(admin.TabularInline):
    model = ArticleAuthor
    autocomplete_fields = ["author"]
    extra = 1
    fields = ["author", "position"]
    verbose_name = "author"
    verbose_name_plural = "authors (in byline order)"


class NoteInline(admin.StackedInline):
    model = Note
    extra = 0
    fields = ["kind", "text", "created_at"]
    verbose_name = "correction or update"
    verbose_name_plural = "corrections and updates (shown at the foot of the story)"

    def has_add_permission(self, request, obj=None):
        return can_publish(request.user)

    def has_change_permission(self, request, obj=None):
        return can_publish(request.user)

    def has_delete_permission(self, request, obj=None):
        return can_publish(request.user)


@admin.register(Article)
class ArticleAdmin(VersionAdmin):
    form = ArticleAdminForm
    list_display = [
        "headline",
        "state",
        "section",
        "held_by",
        "featured",
        "recent_reads",
        "modified_at",
    ]
    list_filter = ["status", "featured", "section", "tags"]
    list_select_related = ["section", "owner", "last_edited_by"]
    search_fields = ["headline", "dek", "slug"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["lead_image", "section", "tags"]
    inlines = [BylineInline, NoteInline]
    actions = ["submit_for_review", "publish_now", "unpublish"]
    history_latest_first = True
    change_form_template = "admin/articles/article/change_form.html"
    fieldsets = [
        (None, {"fields": ["headline", "slug", "dek", "section", "lead_image", "body"]}),
        (
            "Publishing",
            {"fields": ["status", "published_at", "updated_at", "featured", "owner"]},
        ),
        ("Discovery", {"fields": ["tags", "description"]}),
        (
            "Record",
            {
                "fields": ["created_at", "modified_at", "last_edited_by", "seen_version"],
                "classes": ["collapse"],
            },
        ),
    ]

    class Media:
        # The rich-text editor's base CSS as a file, and the slot that keeps tiptap from
        # injecting it inline, which the Content-Security-Policy refuses (see the JS file).
        css = {"all": ["css/tiptap-core.css"]}
        js = ["js/tiptap-style-slot.js"]

    # Who may do what

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or can_publish(request.user):
            return True
        return obj.owner_id == request.user.pk and obj.status == Article.Status.DRAFT

    def has_publish_permission(self, request):
        return can_publish(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = ["created_at", "modified_at", "last_edited_by"]
        if not can_publish(request.user):
            fields += EDITOR_ONLY_FIELDS
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.request_user = request.user
        form.story_now = getattr(request, "_story_before_restore", None)
        if not can_publish(request.user) and "status" in form.base_fields:
            status = form.base_fields["status"]
            status.choices = [(v, label) for v, label in status.choices if v in WRITER_STATES]
        return form

    def save_model(self, request, obj, form, change):
        before = getattr(request, "_story_before_restore", None)
        if before is not None:
            # Reversion wrote the old copy into the row without Article.save(): judge this save
            # against the story as it was, so the state change is recorded, a published
            # address is kept, the lock counter never goes back (a form opened before the
            # restore must still be refused), and a writer sets no editor-only field.
            obj.lock_version = max(obj.lock_version, before.lock_version)
            if not can_publish(request.user):
                for name in EDITOR_ONLY_FIELDS:
                    attname = Article._meta.get_field(name).attname
                    setattr(obj, attname, getattr(before, attname))
        obj.save(by=request.user, before=before)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Note and any(f.has_changed() for f in formset.forms):
            # A correction or update changes the story: readers and dateModified see it.
            article = form.instance
            latest = article.notes.order_by("-created_at").values_list("created_at", flat=True)
            # (None when the only change removed a note and the story was never updated.)
            article.updated_at = max(
                filter(None, [article.updated_at, latest.first()]), default=None
            )
            if article.updated_at is None:
                return
            if article.published_at and article.updated_at < article.published_at:
                article.updated_at = article.published_at
            article.save(by=request.user, update_fields=["updated_at"])

    # The change list

    def get_queryset(self, request):
        # Reads over the "Popular Articles" window, summed in the list's own query.
        since = reads.window_start()
        recent = Sum("daily_reads__count", filter=Q(daily_reads__day__gte=since), default=0)
        return super().get_queryset(request).annotate(recent_reads=recent)

    @admin.display(description=f"reads ({settings.POPULAR_DAYS} days)", ordering="recent_reads")
    def recent_reads(self, article):
        return article.recent_reads

    @admin.display(description="state", ordering="status")
    def state(self, article):
        if article.status == Article.Status.PUBLISHED and not article.is_public:
            when = timezone.localtime(article.published_at).strftime("%d %b %Y %H:%M")
            return format_html("Scheduled for {}", when)
        return article.get_status_display()

    @admin.display(description="held by")
    def held_by(self, article):
        if article.status == Article.Status.DRAFT:
            return article.owner or "-"
        if article.status == Article.Status.REVIEW:
            return "Editors (review)"
        return article.last_edited_by or "-"

    # Actions

    def _move(self, request, queryset, status, verb):
        moved, refused = 0, []
        for article in queryset:
            try:
                article.move_to(status, by=request.user)
                moved += 1
            except ValidationError as exc:
                refused.append(f"{article}: {' '.join(exc.messages)}")
        if moved:
            self.message_user(request, f"{verb} {moved} stor{'y' if moved == 1 else 'ies'}.")
        for reason in refused:
            self.message_user(request, f"Not {verb.lower()}: {reason}", messages.ERROR)

    @admin.action(description="Submit selected drafts for review", permissions=["change"])
    def submit_for_review(self, request, queryset):
        drafts = queryset.filter(status=Article.Status.DRAFT)
        if not can_publish(request.user):
            drafts = drafts.filter(owner=request.user)
        self._move(request, drafts, Article.Status.REVIEW, "Submitted")

    @admin.action(description="Publish selected stories now", permissions=["publish"])
    def publish_now(self, request, queryset):
        self._move(request, queryset, Article.Status.PUBLISHED, "Published")

    @admin.action(description="Unpublish (take down) selected stories", permissions=["publish"])
    def unpublish(self, request, queryset):
        published = queryset.filter(status=Article.Status.PUBLISHED)
        self._move(request, published, Article.Status.UNPUBLISHED, "Unpublished")

    # History

    def reversion_register(self, model, **kwargs):
        if model is Article:
            # Corrections and updates are a public record: restoring an old version of the
            # story must not delete the notes published since.
            kwargs["follow"] = tuple(f for f in kwargs.get("follow", ()) if f != "notes")
        super().reversion_register(model, **kwargs)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Reversion's restore form. Reversion writes the old copy into the row before it
        shows or saves the form, so the story as it is now is read first: only someone who
        may change it now may restore it (an old copy that was a writer's draft must not let
        the writer change a published story), and the save is judged against it."""
        current = self.get_object(request, unquote(object_id))
        if current is not None:
            if not self.has_change_permission(request, current):
                raise PermissionDenied
            request._story_before_restore = current
        return super().revision_view(request, object_id, version_id, extra_context)

    # Preview and history views

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path("<int:pk>/preview/", view(self.preview), name="articles_article_preview"),
            path("<int:pk>/changes/", view(self.changes), name="articles_article_changes"),
        ]
        return own + super().get_urls()

    def _article(self, request, pk):
        article = get_object_or_404(story_queryset(), pk=pk)
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        return article

    def preview(self, request, pk):
        """The story as readers will see it, with a banner; any state, staff only."""
        article = self._article(request, pk)
        return preview_tokens.private_preview(render_preview(request, article, "staff"))

    def changes(self, request, pk):
        """Every saved version, newest first, each with what it changed in the headline,
        sub-headline and body."""
        article = self._article(request, pk)
        # One more than is shown, so the oldest row shown is compared with the version before
        # it rather than with nothing.
        versions = list(
            Version.objects.get_for_object(article).select_related("revision__user")[:51]
        )
        rows = [
            {"version": newer, "changes": diffs.between(older, newer)}
            for newer, older in zip(versions[:50], [*versions[1:], None], strict=False)
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Changes to “{article}”",
            "opts": self.opts,
            "original": article,
            "rows": rows,
        }
        return TemplateResponse(request, "admin/articles/article/changes.html", context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["share_preview_url"] = request.build_absolute_uri(preview_tokens.url(obj))
            context["preview_days"] = 7
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_change(self, request, obj):
        if "_preview" in request.POST:
            return HttpResponseRedirect(reverse("admin:articles_article_preview", args=[obj.pk]))
        return super().response_change(request, obj)
