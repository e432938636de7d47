"""Live stories: a story whose updates come one by one, newest first, on pages of
``LIVE_PAGE_SIZE``, with the pinned updates and key events at the top.

A page of updates costs two queries whatever the story holds (the page of rows, one more than
shown, with the total count as a window over every row; and the pinned updates and key events,
capped), and both are kept by the page cache with the tag ``live:<story>``, which any update
saved or deleted invalidates. Readers' browsers poll ``poll`` (a few bytes, cacheable, the same
for every reader, with ETag and Last-Modified) and say "N new updates"; without JavaScript a
reload shows them. While the coverage is open, nothing showing it is kept longer than
``LIVE_CDN_SECONDS``, for a CDN that is not told of each update.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Max, OuterRef, Q, Subquery, Window
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.html import escape
from django.views.decorators.http import require_safe

from newsroom.page_cache import changes_within, depends_on, public_page, remember

from . import rich_text
from .models import Article, LiveUpdate
from .pagination import page_number
from .templatetags.newsroom import isotime

HIGHLIGHTS_MAX = 30  # pinned updates and key events listed at the top, newest first


@dataclass
class LivePage:
    """One page of a live story's updates, with what the top of the page lists."""

    article_id: int
    number: int
    updates: list[LiveUpdate] = field(default_factory=list)
    more: bool = False
    count: int = 0
    pinned: list[LiveUpdate] = field(default_factory=list)
    key_events: list[LiveUpdate] = field(default_factory=list)

    def __str__(self) -> str:  # what a part's key holds of it
        return f"live:{self.article_id}:{self.number}"

    def has_next(self) -> bool:
        return self.more

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.more or self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def latest(self) -> LiveUpdate | None:
        return self.updates[0] if self.updates and self.number == 1 else None


def tag(article_id: int) -> str:
    return f"live:{article_id}"


def _read(article: Article, number: int) -> LivePage:
    depends_on(tag(article.pk))
    if article.live_open:
        changes_within(settings.LIVE_CDN_SECONDS)
    size = settings.LIVE_PAGE_SIZE
    start = (number - 1) * size
    rows = list(
        LiveUpdate.objects.filter(article=article)
        .select_related("author", "image")
        .annotate(total=Window(Count("pk")))
        .order_by("-published_at", "-pk")[start : start + size + 1]
    )
    if number > 1 and not rows:
        raise Http404(f"No such page: page {number} is past this story's last update.")
    top = list(
        LiveUpdate.objects.filter(Q(pinned=True) | Q(key_event=True), article=article)
        .select_related("author", "image")
        .order_by("-published_at", "-pk")[:HIGHLIGHTS_MAX]
    )
    return LivePage(
        article_id=article.pk,
        number=number,
        updates=rows[:size],
        more=len(rows) > size,
        count=rows[0].total if rows else 0,
        pinned=[update for update in top if update.pinned],
        key_events=[update for update in top if update.key_event],
    )


def page_for(request: HttpRequest, article: Article) -> LivePage:
    """The page ``?page=`` of ``article``'s updates (page 1 always exists; past the end: 404)."""
    number = page_number(request)
    return remember(f"live:{article.pk}:{number}", lambda: _read(article, number))


def permalink(update: LiveUpdate, article: Article) -> str:
    return f"{article.get_absolute_url()}update/{update.pk}/"


@require_safe
def update_link(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An update's permanent link: the page of the story it is on now (newer updates push it
    to later pages), opened at the update."""
    article = get_object_or_404(Article.objects.published().filter(live=True), slug=slug)
    update = get_object_or_404(LiveUpdate, pk=pk, article=article)
    newer = LiveUpdate.objects.filter(
        Q(published_at__gt=update.published_at) | Q(published_at=update.published_at, pk__gt=pk),
        article=article,
    ).count()
    number = newer // settings.LIVE_PAGE_SIZE + 1
    query = f"?page={number}" if number > 1 else ""
    return HttpResponseRedirect(f"{article.get_absolute_url()}{query}#{update.anchor}")


@require_safe
@public_page
def poll(request: HttpRequest, slug: str) -> HttpResponse:
    """What a reader's page asks every few seconds: how many updates there are, the newest's
    time, and whether the coverage has ended. One query, the same answer for every reader."""
    updates = LiveUpdate.objects.filter(article=OuterRef("pk")).order_by().values("article")
    article = (
        Article.objects.published()
        .filter(slug=slug, live=True)
        .only("id", "slug", "live", "live_ended_at", "published_at", "status")
        .annotate(
            update_count=Coalesce(Subquery(updates.annotate(n=Count("pk")).values("n")), 0),
            newest=Subquery(updates.annotate(t=Max("published_at")).values("t")),
        )
        .first()
    )
    if article is None:
        raise Http404("No live story at this address.")
    depends_on(tag(article.pk))
    if article.live_open:
        changes_within(settings.LIVE_CDN_SECONDS)
    return JsonResponse(
        {
            "updates": article.update_count,
            "newest": isotime(article.newest) if article.newest else None,
            "ended": not article.live_open,
        }
    )


_PARAGRAPHS = re.compile(r"\n\s*\n")


def text_to_html(text: str) -> str:
    """What an editor typed in the compact form as the body's rich text: HTML as it is, plain
    text as paragraphs (a blank line between them, line breaks kept), then the body's sanitiser."""
    text = text.strip()
    if not re.search(r"<(p|ul|ol|h[2-4]|blockquote)\b", text, re.IGNORECASE):
        paragraphs = [p.strip() for p in _PARAGRAPHS.split(text) if p.strip()]
        text = "".join(
            "<p>" + "<br>".join(escape(line) for line in p.splitlines()) + "</p>"
            for p in paragraphs
        )
    return rich_text.clean_body(text)
