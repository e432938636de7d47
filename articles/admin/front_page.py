"""The front page in the admin: the stories editors pin, in the order they choose.

Places are unique, so reordering in the list (list_editable) swaps numbers between stories:
saved one row at a time, the first row's new place is still held by the row that is about to
leave it. The list therefore checks the places as a whole (each story its own place, counting
the places not in the list), and a row moving into a place still held moves the holder aside to
a free number first; the holder's own row, saved next in the same transaction, takes its new
place."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.urls import reverse
from django.utils.html import format_html

from ..models import FrontPageSlot
from ..templatetags.newsroom import timetag


class PlaceForm(forms.ModelForm):
    def validate_unique(self):
        # A place still held by another row is no error here: the list as a whole is checked
        # (PlacesFormSet), and the holder moves on when the rows are saved.
        exclude = self._get_validation_exclusions() | {"position"}
        try:
            self.instance.validate_unique(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)


class PlacesFormSet(forms.BaseModelFormSet):
    def validate_unique(self):
        """Each story its own place, counting the places of the rows not in this list (in
        place of the formset's own check, whose message names no story)."""
        rows = [form for form in self.forms if form.is_valid() and form.instance.pk]
        places = dict(
            FrontPageSlot.objects.exclude(pk__in=[form.instance.pk for form in rows]).values_list(
                "position", "article__headline"
            )
        )
        for form in rows:
            place = form.cleaned_data.get("position")
            if place in places:
                headline = form.instance.article.headline
                raise ValidationError(
                    f"Place {place} is given to two stories: “{places[place]}” and “{headline}”. "
                    "Give each story its own place."
                )
            places[place] = form.instance.article.headline


@admin.register(FrontPageSlot)
class FrontPageSlotAdmin(admin.ModelAdmin):
    # Two columns, so the list fits a phone: the place to type in, and the story with its
    # state and publication time under its headline.
    list_display = ["position", "story"]
    list_display_links = None  # the headline is the link (story), its state under it is not
    list_editable = ["position"]
    autocomplete_fields = ["article"]
    list_select_related = ["article"]
    ordering = ["position"]

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=PlaceForm, **kwargs)

    def get_changelist_formset(self, request, **kwargs):
        return super().get_changelist_formset(request, formset=PlacesFormSet, **kwargs)

    def save_model(self, request, obj, form, change):
        holder = FrontPageSlot.objects.filter(position=obj.position).exclude(pk=obj.pk)
        if change and holder.exists():
            free = (FrontPageSlot.objects.aggregate(top=Max("position"))["top"] or 0) + 1
            holder.update(position=free)
        super().save_model(request, obj, form, change)

    @admin.display(description="story", ordering="article__headline")
    def story(self, slot: FrontPageSlot) -> str:
        return format_html(
            '<a href="{}">{}</a><br>{}{}',
            reverse("admin:articles_frontpageslot_change", args=[slot.pk]),
            slot.article.headline,
            self.state(slot),
            format_html(", published {}", timetag(slot.article.published_at))
            if slot.article.published_at
            else "",
        )

    @admin.display(description="state")
    def state(self, slot: FrontPageSlot) -> str:
        story = slot.article
        if story.is_public:
            return "On the front page"
        if story.is_scheduled:
            return "Scheduled: shown once published"
        return f"{story.get_status_display()}: not shown"

    @admin.display(description="published", ordering="article__published_at")
    def published(self, slot: FrontPageSlot):
        return slot.article.published_at
