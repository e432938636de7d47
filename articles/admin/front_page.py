"""The front page in the admin: the stories editors pin, in the order they choose."""

from django.contrib import admin

from ..models import FrontPageSlot


@admin.register(FrontPageSlot)
class FrontPageSlotAdmin(admin.ModelAdmin):
    list_display = ["position", "article", "state", "published"]
    list_display_links = ["article"]
    list_editable = ["position"]
    autocomplete_fields = ["article"]
    list_select_related = ["article"]
    ordering = ["position"]

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
