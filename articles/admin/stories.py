"""The story desk in the admin: the writing screen and its publish panel, the story list,
autosave, staff notes, previews, history and restoring an old version.

The rules live in ``articles.workflow`` (who may do what, the buttons, the checklist) and in
the form (``story_form``); this module wires them into Django's admin. A writer has no change
permission on a story that is not their own draft.
"""

import json

import reversion
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import IntegerField, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from reversion.admin import VersionAdmin
from reversion.models import Version

from .. import autosave, diffs, preview_tokens, reads, staff_notes, workflow
from ..models import Article, ArticleAuthor, DailyReads, Note
from ..views import render_preview, story_queryset
from . import images as image_admin
from .desk import calendar_view
from .story_form import SEARCH_SNIPPET_CHARS, SEARCH_TITLE_CHARS, ArticleAdminForm, BylineFormSet

EDITOR_ONLY_FIELDS = [
    "published_at",
    "updated_at",
    "featured",
    "owner",
    "assignee",
    "deadline",
    "live",
    "live_ended_at",
]


class BylineInline(admin.TabularInline):
    model = ArticleAuthor
    formset = BylineFormSet
    autocomplete_fields = ["author"]
    extra = 1
    fields = ["author", "position"]
    verbose_name = "author"
    verbose_name_plural = "Byline (in order)"


class NoteInline(admin.StackedInline):
    model = Note
    extra = 0
    fields = ["kind", "text", "created_at"]
    verbose_name = "correction or update"
    verbose_name_plural = "Corrections and updates (shown to readers at the foot of the story)"

    def has_add_permission(self, request, obj=None):
        return workflow.can_publish(request.user)

    def has_change_permission(self, request, obj=None):
        return workflow.can_publish(request.user)

    def has_delete_permission(self, request, obj=None):
        return workflow.can_publish(request.user)


class StateFilter(admin.SimpleListFilter):
    """The states as the desk names them: scheduled stories apart from published ones."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", "Draft"),
            ("review", "In review"),
            ("scheduled", "Scheduled"),
            ("published", "Published"),
            ("unpublished", "Unpublished"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        if value == "scheduled":
            return queryset.filter(status=Article.Status.PUBLISHED, published_at__gt=now)
        if value == "published":
            return queryset.filter(status=Article.Status.PUBLISHED, published_at__lte=now)
        if value in {"draft", "review", "unpublished"}:
            return queryset.filter(status=value)
        return queryset


class MineFilter(admin.SimpleListFilter):
    title = "whose"
    parameter_name = "whose"

    def lookups(self, request, model_admin):
        return [("mine", "Mine (written or assigned)"), ("assigned", "Assigned to me")]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(Q(owner=request.user) | Q(assignee=request.user))
        if self.value() == "assigned":
            return queryset.filter(assignee=request.user)
        return queryset


@admin.register(Article)
class ArticleAdmin(VersionAdmin):
    form = ArticleAdminForm
    list_display = [
        "headline_cell",
        "byline_cell",
        "section",
        "state",
        "published",
        "last_changed",
        "recent_reads",
    ]
    list_display_links = ["headline_cell"]
    list_filter = [StateFilter, MineFilter, "section", "featured", "tags"]
    list_select_related = ["section", "owner", "last_edited_by"]
    list_per_page = 50
    show_full_result_count = False  # a second COUNT(*) of the whole archive on every page
    search_fields = ["headline", "dek", "slug", "bylines__author__name"]
    search_help_text = "Headline, sub-headline, address or author."
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = [
        "section",
        "tags",
        "owner",
        "assignee",
        "related_pinned",
        "related_excluded",
    ]
    inlines = [BylineInline, NoteInline]
    actions = ["submit_for_review", "publish_now", "unpublish"]
    history_latest_first = True
    change_form_template = "admin/articles/article/change_form.html"
    change_list_template = "admin/articles/article/change_list.html"
    object_history_template = "admin/articles/article/object_history.html"
    fieldsets = [
        (None, {"fields": ["headline", "dek"], "classes": ["desk-head"]}),
        (None, {"fields": ["body"], "classes": ["desk-body"]}),
        (
            "Lead image",
            {
                "fields": ["lead_image", "lead_alt_text", "lead_caption", "lead_credit"],
                "classes": ["desk-image"],
            },
        ),
        (
            "Search and social",
            {"fields": ["seo_title", "description", "slug", "tags"], "classes": ["desk-seo"]},
        ),
        (
            "Desk",
            {
                "fields": ["section", "featured", "language", "owner", "assignee", "deadline"],
                "classes": ["desk-side"],
            },
        ),
        (
            "Live coverage",
            {"fields": ["live", "live_ended_at"], "classes": ["desk-side"]},
        ),
        (
            "Related stories",
            {
                "fields": ["related_pinned", "related_excluded"],
                "classes": ["desk-side", "collapse"],
            },
        ),
        (
            "State and times by hand",
            {
                "fields": ["status", "published_at", "updated_at"],
                "classes": ["desk-side", "collapse"],
            },
        ),
        (
            "Record",
            {
                "fields": [
                    "created_at",
                    "modified_at",
                    "last_edited_by",
                    "seen_version",
                    "draft_key",
                ],
                "classes": ["collapse", "desk-side"],
            },
        ),
    ]

    class Media:
        # The rich-text editor's base CSS as a file, and the slot that keeps tiptap from
        # injecting it inline, which the Content-Security-Policy refuses (see the JS file).
        css = {"all": ["css/tiptap-core.css", "css/prose-embed.css"]}
        js = ["js/tiptap-style-slot.js"]

    # Who may do what

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or workflow.can_publish(request.user):
            return True
        return obj.owner_id == request.user.pk and obj.status == Article.Status.DRAFT

    def has_publish_permission(self, request):
        return workflow.can_publish(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = ["created_at", "modified_at", "last_edited_by"]
        if not workflow.can_publish(request.user):
            fields += EDITOR_ONLY_FIELDS
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.request_user = request.user
        form.restored = self._restored_fields(request, obj)
        if not workflow.can_publish(request.user) and "status" in form.base_fields:
            status = form.base_fields["status"]
            choices = [(v, label) for v, label in status.choices if v in workflow.WRITER_STATES]
            status.choices = choices
        return form

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "lead_image":
            from django import forms

            from .story_form import LeadImageWidget

            return forms.ModelChoiceField(
                queryset=db_field.remote_field.model.objects.all(),
                required=False,
                widget=LeadImageWidget,
                label="Picture",
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        # Reads over the "Popular Articles" window, summed in the list's own query; bylines
        # in one more query, whatever the number of stories shown.
        # A subquery per story shown, not a join grouped over the whole archive.
        since = reads.window_start()
        window = (
            DailyReads.objects.filter(article=OuterRef("pk"), day__gte=since)
            .order_by()
            .values("article")
            .annotate(total=Sum("count"))
            .values("total")
        )
        recent = Coalesce(Subquery(window, output_field=IntegerField()), 0)
        return (
            super()
            .get_queryset(request)
            .select_related("lead_image", "assignee", "section", "last_edited_by", "owner")
            .annotate(recent_reads=recent)
            .prefetch_related(
                Prefetch("bylines", queryset=ArticleAuthor.objects.select_related("author"))
            )
        )

    # Saving

    def save_model(self, request, obj, form, change):
        image = form.cleaned_data.get("lead_image")
        details = form.lead_image_details()
        if image is not None and details is not None:
            image_admin.update_details(image, **details, by=request.user)
        obj.save(by=request.user)
        # The text is the story's now: an autosave of it would only offer old words back.
        autosave.forget(
            user=request.user, article=obj, draft_key=form.cleaned_data.get("draft_key")
        )

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Note and any(f.has_changed() for f in formset.forms):
            workflow.after_notes_changed(form.instance, by=request.user)

    def construct_change_message(self, request, form, formsets, add=False):
        """The History page's "action": the state change as what it was (Submitted,
        Published, Scheduled for ...), a correction as such, then the fields changed."""
        fields = LogEntry(
            change_message=json.dumps(
                super().construct_change_message(request, form, formsets, add)
            )
        ).get_change_message()
        article = form.instance
        before = "" if add else form.initial.get("status", "")
        events = []
        was_at = form.initial.get("published_at")
        now = timezone.now()
        moved = (
            before == Article.Status.PUBLISHED
            and was_at is not None
            and article.published_at is not None
            and abs(was_at - article.published_at).total_seconds() >= 1
            and (was_at > now or article.is_scheduled)
        )
        # A scheduled story rescheduled, or brought forward to now, is a move too.
        if add or before != article.status or moved:
            scheduled = article.published_at if article.is_scheduled else None
            events.append(
                workflow.describe(article.status, from_status=before, scheduled_for=scheduled)
            )
        for formset in formsets:
            if formset.model is Note:
                kinds = {note.kind for note in getattr(formset, "new_objects", [])}
                if Note.Kind.CORRECTION in kinds:
                    events.append("Corrected")
                if Note.Kind.UPDATE in kinds:
                    events.append("Update added")
        return ". ".join([*events, fields]) if events else fields

    def response_add(self, request, obj, post_url_continue=None):
        if request.POST.get("workflow"):
            return self._after_button(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if "_preview" in request.POST:
            return HttpResponseRedirect(reverse("admin:articles_article_preview", args=[obj.pk]))
        if request.POST.get("workflow"):
            return self._after_button(request, obj)
        return super().response_change(request, obj)

    def _after_button(self, request, obj):
        """After a publish panel button: back to the writing screen, saying what happened."""
        action = request.POST["workflow"]
        if action == workflow.PUBLISH:
            message = format_html(
                'Published. Readers see it now: <a href="{}">{}</a>.',
                obj.get_absolute_url(),
                obj.get_absolute_url(),
            )
        elif action == workflow.SCHEDULE:
            when = date_format(timezone.localtime(obj.published_at), "l j F Y, H:i")
            message = f"Scheduled for {when}. It appears by itself then."
        elif action == workflow.SUBMIT:
            message = "Submitted for review: the editors see it on the desk."
        elif action == workflow.UNPUBLISH:
            message = "Unpublished: readers get a page saying the story was taken down."
        elif action == workflow.TO_DRAFT:
            message = "Back to draft: readers cannot see it."
        else:
            message = f"Saved at {timezone.localtime().strftime('%H:%M:%S')}."
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[obj.pk]))

    # The change list

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "Stories", **(extra_context or {})})

    @admin.display(description="headline", ordering="headline")
    def headline_cell(self, article):
        return format_html('<span class="story-list__headline">{}</span>', article.headline)

    @admin.display(description="byline")
    def byline_cell(self, article):
        names = [entry.author.name for entry in article.bylines.all()]
        return ", ".join(names) or "-"

    @admin.display(description="state", ordering="status")
    def state(self, article):
        if article.is_scheduled:
            when = date_format(timezone.localtime(article.published_at), "j M, H:i")
            return format_html('<span class="state state--scheduled">Scheduled {}</span>', when)
        return format_html(
            '<span class="state state--{}">{}</span>', article.status, article.get_status_display()
        )

    @admin.display(description="published", ordering="published_at")
    def published(self, article):
        if article.published_at is None:
            return "-"
        return date_format(timezone.localtime(article.published_at), "j M Y, H:i")

    @admin.display(description="last changed", ordering="modified_at")
    def last_changed(self, article):
        when = date_format(timezone.localtime(article.modified_at), "j M, H:i")
        who = article.last_edited_by.username if article.last_edited_by else "-"
        return format_html('{} <span class="quiet">{}</span>', who, when)

    @admin.display(description=f"reads ({settings.POPULAR_DAYS} d)", ordering="recent_reads")
    def recent_reads(self, article):
        return article.recent_reads

    # Read-only views of the lead image's details (a writer's view of a story not theirs)

    @admin.display(description="Alt text")
    def lead_alt_text(self, article):
        return article.lead_image.alt_text if article.lead_image else ""

    @admin.display(description="Caption")
    def lead_caption(self, article):
        return article.lead_image.caption if article.lead_image else ""

    @admin.display(description="Credit")
    def lead_credit(self, article):
        return article.lead_image.credit if article.lead_image else ""

    # Actions

    def _move(self, request, queryset, status, verb):
        moved, refused = 0, []
        for article in queryset:
            try:
                workflow.move(article, status, by=request.user)
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
        if not workflow.can_publish(request.user):
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
            # Corrections and updates are a public record, and staff notes and autosaves are
            # not the story: restoring an old version must not touch them.
            kept = {"notes", "staff_notes", "autosaves"}
            kwargs["follow"] = tuple(f for f in kwargs.get("follow", ()) if f not in kept)
        super().reversion_register(model, **kwargs)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Restoring an old version: the page shows what it would change, and its button
        brings back that version's words (``workflow.restore``), judged against the story
        as it is now. Only someone who may change the story now may restore it."""
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404("No such story.")
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        version = get_object_or_404(Version.objects.get_for_object(article), pk=version_id)
        error = ""
        if request.method == "POST":
            try:
                seen = int(request.POST.get("seen_version", ""))
            except ValueError:
                seen = None
            try:
                with self.create_revision(request):
                    workflow.restore(article, version, by=request.user, seen_version=seen)
                    when = date_format(
                        timezone.localtime(version.revision.date_created), "j M Y, H:i:s"
                    )
                    reversion.set_comment(f"Restored the version of {when}")
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                self.message_user(request, "The old version's words are back.", messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:articles_article_change", args=[article.pk])
                )
        now = Version.objects.get_for_object(article).first()
        context = {
            **self.admin_site.each_context(request),
            "title": "Restore this version?",
            "opts": self.opts,
            "original": article,
            "version": version,
            "changes": diffs.between(now, version) if now is not None else [],
            "seen_version": article.lock_version,
            "error": error,
        }
        return TemplateResponse(request, "admin/articles/article/restore.html", context)

    # Own views: preview, changes, autosave, notes, calendar

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path("<int:pk>/preview/", view(self.preview), name="articles_article_preview"),
            path("<int:pk>/changes/", view(self.changes), name="articles_article_changes"),
            path("<int:pk>/notes/", view(self.notes), name="articles_article_notes"),
            path(
                "<int:pk>/share-links/revoke/",
                view(self.revoke_share_links),
                name="articles_article_revoke_share",
            ),
            # Not admin_view: a session that expired must get a JSON answer, not the login.
            path("autosave/", never_cache(self.autosave), name="articles_article_autosave"),
            path("calendar/", view(calendar_view), name="articles_article_calendar"),
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

    def autosave(self, request):
        """What the form's script sends every few seconds while someone types (see
        ``articles.autosave``): JSON back, with a message that says what went wrong."""
        if request.method != "POST":
            return JsonResponse({"error": "Autosave takes a POST."}, status=405)
        user = request.user
        if not (user.is_active and user.is_staff):
            return JsonResponse(
                {
                    "error": "Your session has expired, so this text was not saved on the "
                    "server. It is kept in this browser: log in again and reopen the story."
                },
                status=401,
            )
        story_id = request.POST.get("story", "")
        article = None
        if story_id:
            article = Article.objects.filter(pk=story_id).first() if story_id.isdigit() else None
            if article is None:
                return JsonResponse({"error": "That story no longer exists."}, status=404)
            if not self.has_change_permission(request, article):
                return JsonResponse({"error": "You may not change this story now."}, status=403)
        elif not self.has_add_permission(request):
            return JsonResponse({"error": "You may not write stories."}, status=403)
        try:
            row = autosave.store(
                user=user,
                article=article,
                draft_key=request.POST.get("draft_key", ""),
                fields={name: request.POST.get(name, "") for name in autosave.FIELDS},
                known_revision=request.POST.get("revision", ""),
                base_version=request.POST.get("seen_version", ""),
            )
        except autosave.Refused as refused:
            return JsonResponse({"error": str(refused)}, status=refused.status)
        return JsonResponse(
            {
                "revision": row.revision,
                "saved_at": row.saved_at.isoformat(),
                "label": f"Autosaved at {timezone.localtime(row.saved_at).strftime('%H:%M:%S')}",
            }
        )

    def _restored_fields(self, request, obj) -> dict | None:
        """The autosaved text the editor asked for with ``?restore=`` (``draft`` on the add
        form names the new story's key), if there is one."""
        wanted = request.GET.get("restore")
        if request.method != "GET" or not wanted:
            return None
        row = autosave.find(user=request.user, article=obj, draft_key=None if obj else wanted)
        if row is None:
            return None
        fields = dict(row.fields)
        if obj is None:
            fields["draft_key"] = str(row.draft_key)
        return fields

    def notes(self, request, pk):
        """Add a note or a reply, or resolve or reopen a thread; back to the form (or, for
        the form's script, the notes panel as HTML)."""
        if request.method != "POST":
            raise Http404
        article = self._article(request, pk)
        if not request.user.has_perm("articles.add_staffnote"):
            raise PermissionDenied
        error = ""
        try:
            staff_notes.act(article=article, user=request.user, data=request.POST)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        if request.headers.get("X-Requested-With") == "fetch":
            context = {
                "original": article,
                "notes_error": error,
                **self._notes_context(request, article),
            }
            return TemplateResponse(
                request,
                "admin/articles/article/_staff_notes.html",
                context,
                status=400 if error else 200,
            )
        if error:
            self.message_user(request, error, messages.ERROR)
        return HttpResponseRedirect(
            reverse("admin:articles_article_change", args=[article.pk]) + "#staff-notes"
        )

    @staticmethod
    def _notes_context(request, article) -> dict:
        threads = staff_notes.threads(article)
        return {
            "threads": threads,
            "open_notes": sum(1 for thread in threads if thread.resolved_at is None),
            "staff_usernames": staff_notes.mentionable_usernames(),
        }

    def revoke_share_links(self, request, pk):
        """End every share link of the story (the form's "Revoke share links" button, for
        those who may edit it); the form then shows a new one."""
        if request.method != "POST":
            raise Http404
        article = self._article(request, pk)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        preview_tokens.revoke(article)
        self.message_user(
            request,
            "Share links made before now no longer work. The link on this page is the only one.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def share_link(self, request, article) -> str:
        """The "Copy share link" button's address: a signed preview that works without a
        login until it expires (``articles.preview_tokens``)."""
        return request.build_absolute_uri(preview_tokens.url(article))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        user = request.user
        if obj is None or not obj.pk:
            context["title"] = "Write a story"
        elif self.has_change_permission(request, obj):
            context["title"] = "Edit story"
        context["buttons"] = workflow.buttons(obj if obj is not None and obj.pk else None, user)
        context["can_publish"] = workflow.can_publish(user)
        context["search_title_chars"] = SEARCH_TITLE_CHARS
        context["search_snippet_chars"] = SEARCH_SNIPPET_CHARS
        context["autosave_url"] = reverse("admin:articles_article_autosave")
        context["login_url"] = reverse("admin:login")
        context["time_zone"] = settings.TIME_ZONE
        context["site_name"] = settings.SITE_NAME
        context["site_url"] = settings.SITE_URL
        context["words_per_minute"] = 230
        story = obj if obj is not None and obj.pk else None
        context["autosave_offer"] = autosave.offer(user=user, article=story)
        context["autosave_revision"] = autosave.revision_of(
            user=user, article=story, draft_key=request.GET.get("restore") if add else None
        )
        context["restored"] = bool(self._restored_fields(request, story))
        if obj is not None and obj.pk:
            # A story readers can see has its own address; a share link is for the others,
            # and only for those who may edit the story (one taken down has none).
            shareable = not obj.is_public and obj.status != Article.Status.UNPUBLISHED
            if shareable and self.has_change_permission(request, obj):
                context["share_preview_url"] = self.share_link(request, obj)
                context["share_revoke_url"] = reverse(
                    "admin:articles_article_revoke_share", args=[obj.pk]
                )
            context["preview_days"] = settings.PREVIEW_MAX_AGE // 86400
            context["checklist"] = workflow.checklist_of(obj)
            context["transitions"] = [
                (t, workflow.describe_transition(t))
                for t in obj.transitions.select_related("by").order_by("-at", "-pk")[:8]
            ]
            context.update(self._notes_context(request, obj))
        else:
            context["checklist"] = workflow.checklist(
                headline="",
                dek="",
                section=None,
                byline_count=0,
                lead_image=None,
                alt_text="",
                body="",
            )
            context["staff_usernames"] = []
        return super().render_change_form(request, context, add, change, form_url, obj)
