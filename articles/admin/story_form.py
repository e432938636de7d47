"""The story form: the writing screen's fields, its buttons (``workflow.plan``), the checklist
before publishing, the lead image's details edited in place, and the optimistic lock.

Every rule is enforced here, on the server: a writer's form only offers the states a writer
may choose and refuses any other, and a save from a form opened before the story last
changed is refused with a message naming who changed it and when.
"""

import uuid

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .. import rich_text, workflow
from ..models import Article, Image
from .images import LOCKED_MESSAGE, locked_for, may_edit_details, thumbnail

SEARCH_TITLE_CHARS = 60  # about what a results page shows of a title before cutting it
SEARCH_SNIPPET_CHARS = 155  # and of a description


class LeadImageWidget(forms.Widget):
    """The lead image as the story form shows it: the picture chosen (a hidden input keeps its
    id), buttons that open the library's picker and upload a file in place (by drag and drop
    too), with a progress bar (static/js/desk/lead-image.js)."""

    template_name = "admin/articles/article/lead_image_widget.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        image = value if isinstance(value, Image) else None
        if image is None and value not in (None, ""):
            image = Image.objects.filter(pk=value).first()

        context["image"] = image
        context["picture"] = (
            thumbnail(image, 480, sizes="(max-width: 700px) 90vw, 480px") if image else ""
        )
        context["picker_url"] = reverse("admin:articles_image_picker")
        context["upload_url"] = reverse("admin:articles_image_upload")
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # The project's templates (not the form renderer's own folders) hold this one.
        return render_to_string(self.template_name, self.get_context(name, value, attrs))

    def format_value(self, value):
        return "" if value is None else str(getattr(value, "pk", value))


def body_changed(initial, data) -> bool:
    return rich_text.clean_body(initial or "") != rich_text.clean_body(data or "")


class PanelField:
    """A field the publish panel sends that changes nothing by itself (the save it asks for
    is told in the history on its own), so the change message does not list it."""

    def has_changed(self, initial, data):
        return False


class ButtonField(PanelField, forms.ChoiceField):
    pass


class ScheduleField(PanelField, forms.DateTimeField):
    pass


class ArticleAdminForm(forms.ModelForm):
    # What the editor saw when the form was opened; a save from an older version is refused.
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # A story not saved yet is autosaved under this key until its first save.
    draft_key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    # Sent by the publish panel's buttons (never rendered as a field): what the save does.
    workflow = ButtonField(
        choices=[(a, a) for a in workflow.ACTIONS], required=False, widget=forms.HiddenInput
    )
    schedule_at = ScheduleField(
        label="Publish at",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="In the newsroom's time zone.",
    )
    lead_alt_text = forms.CharField(
        label="Alt text",
        max_length=250,
        required=False,
        help_text="What the picture shows, for readers who cannot see it.",
    )
    lead_caption = forms.CharField(label="Caption", max_length=500, required=False)
    lead_credit = forms.CharField(
        label="Credit", max_length=200, required=False, help_text='e.g. "Photo: Shutterstock"'
    )

    # Set per request by ArticleAdmin.get_form: who is editing, and text from an autosave the
    # editor chose to restore (shown instead of what is stored, until they save).
    request_user = None
    restored: dict | None = None

    class Meta:
        widgets = {
            "headline": forms.Textarea(attrs={"rows": 2, "class": "desk-headline"}),
            "dek": forms.Textarea(attrs={"rows": 2, "class": "desk-dek"}),
            "description": forms.Textarea(attrs={"rows": 2}),
            "deadline": AdminSplitDateTime,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "body" in self.fields:
            self.fields["body"].help_text = ""
            # The editor writes the stored HTML back in its own spelling: only a change that
            # survives the cleaning is a change (else History says "Changed Body" every save).
            self.fields["body"].has_changed = body_changed
        image = self.instance.lead_image if self.instance.lead_image_id else None
        if image is not None:
            self.initial.setdefault("lead_alt_text", image.alt_text)
            self.initial.setdefault("lead_caption", image.caption)
            self.initial.setdefault("lead_credit", image.credit)
        self.fields["schedule_at"].initial = (
            self.instance.published_at
            if self.instance.is_scheduled
            else workflow.default_schedule_time()
        )
        if self.instance.pk:
            current = Article.objects.filter(pk=self.instance.pk).values_list(
                "lock_version", flat=True
            )
            self.fields["seen_version"].initial = current.first()
        else:
            self.fields["draft_key"].initial = uuid.uuid4()
        if self.restored and not self.is_bound:
            self.initial.update(self.restored)

    def clean(self):
        cleaned = super().clean()
        user = self.request_user
        image = cleaned.get("lead_image")
        details = self.lead_image_details()
        if image is not None and details is not None:
            changed = any(getattr(image, name) != value for name, value in details.items())
            if changed and not may_edit_details(user, image):
                story = locked_for(user, image)
                self.add_error(
                    "lead_alt_text",
                    LOCKED_MESSAGE.format(story=f"“{story}”")
                    if story
                    else "You may not change this picture's details.",
                )
            # Judged (the alt text rule) and saved (ArticleAdmin.save_model) as typed here.
            for name, value in details.items():
                setattr(image, name, value)
        action = cleaned.get("workflow")
        if action:
            try:
                status, published_at = workflow.plan(
                    action,
                    article=self.instance,
                    user=user,
                    schedule_at=cleaned.get("schedule_at"),
                    published_at=cleaned.get("published_at", self.instance.published_at),
                )
            except ValidationError as error:
                self._add_plan_error(error)
                return cleaned
            cleaned["status"] = status
            if "published_at" in self.fields:
                cleaned["published_at"] = published_at
            if action in {workflow.PUBLISH, workflow.SCHEDULE}:
                self._check_before_publishing(cleaned)
        status = cleaned.get("status")
        if status and not workflow.can_publish(user) and status not in workflow.WRITER_STATES:
            raise ValidationError("Only editors can publish, schedule or unpublish a story.")
        if (
            status == Article.Status.PUBLISHED
            and "published_at" in self.fields
            and cleaned.get("published_at") is None
        ):
            cleaned["published_at"] = timezone.now()  # "published" with no time: now
        if self.instance.pk:
            self._check_lock(cleaned)
        return cleaned

    def lead_image_details(self) -> dict | None:
        """The alt text, caption and credit typed for the lead image; None when the form
        sent none of them (a crafted or older form), which leaves the picture as it is."""
        names = {"alt_text": "lead_alt_text", "caption": "lead_caption", "credit": "lead_credit"}
        if not any(field in self.data for field in names.values()):
            return None
        return {name: (self.cleaned_data.get(field) or "").strip() for name, field in names.items()}

    def _add_plan_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)

    def _check_before_publishing(self, cleaned) -> None:
        """The checklist's items that are the form's own (the byline is the inline's)."""
        image = cleaned.get("lead_image")
        items = workflow.checklist(
            headline=cleaned.get("headline"),
            dek=cleaned.get("dek"),
            section=cleaned.get("section", self.instance.section),
            byline_count=1,  # judged by BylineFormSet.clean
            lead_image=image,
            alt_text=image.alt_text if image is not None else "",
            body=cleaned.get("body"),
        )
        for field, label, passed in items:
            if not passed and field in self.fields:
                self.add_error(field, f"Before publishing: {label.lower()} is missing.")

    def _check_lock(self, cleaned) -> None:
        # Lock the row for the rest of this request's transaction, then compare.
        current = (
            Article.objects.select_for_update(of=("self",))
            .filter(pk=self.instance.pk)
            .values_list("lock_version", flat=True)
            .first()
        )
        if current is not None and cleaned.get("seen_version") != current:
            raise ValidationError(workflow.lock_message(self.instance))


class BylineFormSet(BaseInlineFormSet):
    """The byline; a story published from the panel must have one."""

    def clean(self):
        super().clean()
        if self.data.get("workflow") not in {workflow.PUBLISH, workflow.SCHEDULE}:
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data.get("author") and not form.cleaned_data.get("DELETE")
        ]
        if not kept:
            raise ValidationError("Before publishing: the byline is missing. Add an author.")
