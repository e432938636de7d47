"""Live updates in the admin: the live desk of a story (a compact form that posts an update
in one step, above the latest updates) and the full form to edit or delete one."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from .. import live
from ..models import Article, LiveUpdate

DESK_UPDATES = 20  # the latest updates listed under the form


class QuickUpdateForm(forms.ModelForm):
    """Title, text and flags: what a reporter types on deadline. The text is plain (a blank
    line between paragraphs) or HTML, cleaned like a story's body."""

    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "autofocus": True}),
        required=False,
        help_text="A blank line starts a new paragraph.",
    )

    class Meta:
        model = LiveUpdate
        fields = ["text", "title", "author", "embed_url", "key_event", "pinned"]

    def clean_text(self):
        return live.text_to_html(self.cleaned_data["text"])


@admin.register(LiveUpdate)
class LiveUpdateAdmin(admin.ModelAdmin):
    list_display = ["__str__", "article", "published_at", "author", "key_event", "pinned"]
    list_filter = ["key_event", "pinned"]
    list_select_related = ["article", "author"]
    search_fields = ["title", "text", "article__headline"]
    autocomplete_fields = ["article", "author", "image"]
    fields = [
        "article",
        "published_at",
        "author",
        "title",
        "text",
        "image",
        "embed_url",
        "key_event",
        "pinned",
    ]
    show_full_result_count = False

    class Media:
        css = {"all": ["css/tiptap-core.css", "css/prose-embed.css"]}
        js = ["js/tiptap-style-slot.js"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.posted_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        desk = path(
            "desk/<int:article_pk>/",
            self.admin_site.admin_view(self.desk),
            name="articles_liveupdate_desk",
        )
        return [desk, *super().get_urls()]

    def desk(self, request, article_pk):
        """The live desk of one story: post an update in one step; the latest below."""
        article = get_object_or_404(Article, pk=article_pk)
        if not self.has_view_permission(request):
            raise PermissionDenied
        can_post = self.has_add_permission(request)
        form = QuickUpdateForm(
            request.POST or None, instance=LiveUpdate(article=article, posted_by=request.user)
        )
        if request.method == "POST":
            if not can_post:
                raise PermissionDenied
            if form.is_valid():
                update = form.save()
                when = timezone.localtime(update.published_at).strftime("%H:%M:%S")
                self.message_user(
                    request,
                    f"Update posted at {when}; it is on the live page now.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(request.path)
        updates = list(
            article.live_updates.select_related("author").order_by("-published_at", "-pk")[
                :DESK_UPDATES
            ]
        )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Live desk: {article.headline}",
            "opts": self.model._meta,
            "article": article,
            "form": form,
            "can_post": can_post,
            "updates": updates,
            "story_url": reverse("admin:articles_article_change", args=[article.pk]),
        }
        return TemplateResponse(request, "admin/articles/liveupdate/desk.html", context)
