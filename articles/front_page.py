"""What the home page shows, in four queries however many stories and sections it has: the
stories editors pinned (``FrontPageSlot``, through ``published()``), the newest top story when
nobody pinned a lead, the newest stories, and a block of each section's newest stories."""

from django.conf import settings
from django.db.models import F, Window
from django.db.models.functions import RowNumber

from newsroom import page_cache

from .models import Article

SECONDARY = 4  # stories beside the lead; the rest of HOME_PAGE_SIZE are "Latest stories"
SECTION_BLOCK = 4  # stories in each section's block


def read() -> dict:
    stories = Article.objects.newest()
    page_cache.depends_on("list:frontpage")
    pinned = list(
        stories.filter(front_page_slot__isnull=False).order_by("front_page_slot__position")
    )
    if pinned and pinned[0].front_page_slot.position == 1:
        lead = pinned.pop(0)
    else:
        # No lead pinned: the newest top story, else the newest story.
        lead = stories.order_by("-featured", "-published_at").first()
        pinned = [story for story in pinned if story != lead]
    if lead is None:
        return {"lead_story": None, "secondary": [], "latest": [], "section_blocks": []}
    pinned_ids = [story.pk for story in pinned]
    newest = list(stories.exclude(pk__in=[lead.pk, *pinned_ids])[: settings.HOME_PAGE_SIZE])
    listed = (pinned + newest)[: settings.HOME_PAGE_SIZE]
    secondary, latest = listed[:SECONDARY], listed[SECONDARY:]
    # The section blocks repeat no story of the top of the page (the lead and beside it).
    top = [lead.pk, *(story.pk for story in secondary)]
    return {
        "lead_story": lead,
        "secondary": secondary,
        "latest": latest,
        "section_blocks": section_blocks(stories.exclude(pk__in=top)),
    }


def section_blocks(stories) -> list[dict]:
    """Each section's newest stories not shown above it, in navigation order (one query:
    a row number per section)."""
    ranked = stories.filter(section__isnull=False).annotate(
        place=Window(RowNumber(), partition_by=F("section_id"), order_by=F("published_at").desc())
    )
    rows = ranked.filter(place__lte=SECTION_BLOCK).order_by(
        "section__order", "section__name", "place"
    )
    blocks: list[dict] = []
    for story in rows:
        if not blocks or blocks[-1]["section"].pk != story.section_id:
            blocks.append({"section": story.section, "stories": []})
        blocks[-1]["stories"].append(story)
    return blocks
