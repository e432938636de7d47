"""The "Popular Articles" list: the stories most read in the last ``POPULAR_DAYS`` days.

The ranking (``rank``) sums the reads counted per story and day (``articles.reads``) and fills
up with the newest top stories, then the newest stories, when too few were read. It is kept in
``PopularStory`` and ranked again at most every ``POPULAR_CACHE_SECONDS``, by the first request
that finds it older: every other request reads it back in one query on a table of a few rows,
the same with the cache up or down. A story taken down since drops out at once.
"""

import datetime as dt

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from newsroom import page_cache

from .models import Article, DailyReads, PopularStory
from .reads import popular_cache_seconds, popular_days, window_start

PLACES = 20  # ranked and kept; more than any list shows, so taken-down stories leave room


def popular(exclude_id: int | None, limit: int) -> list[Article]:
    """Up to ``limit`` published stories, most read first, without the story ``exclude_id``."""
    page_cache.depends_on("list:popular")
    page_cache.changes_within(popular_cache_seconds())
    places = list(
        PopularStory.objects.select_related("article__section", "article__lead_image").defer(
            "article__body"
        )
    )
    days, oldest = popular_days(), timezone.now() - dt.timedelta(seconds=popular_cache_seconds())
    if not places or places[0].window_days != days or places[0].ranked_at <= oldest:
        stories = rank(days)
    else:
        stories = [place.article for place in places if place.article.is_public]
    return [story for story in stories if story.pk != exclude_id][:limit]


def _fallback(stories, size: int):
    """The list before reads were counted: the newest top stories, then the newest."""
    return stories.order_by("-featured", "-published_at")[:size]


def rank(days: int) -> list[Article]:
    """Rank the ``PLACES`` published stories with the most reads since ``window_start(days)``
    (the fallback list after them) and keep the ranking: the candidates' ids (read in the
    window, and the fallback's), then one query over those, never the whole archive."""
    stories = Article.objects.published().for_cards()
    recent = DailyReads.objects.filter(day__gte=window_start(days))
    reads = (
        recent.filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(total=Sum("count"))
        .values("total")
    )
    # Read stories by reads, then newer first; unread ones as the fallback orders them.
    fallback_order = Case(
        When(reads__gt=0, then=Value(False)),
        default=F("featured"),
        output_field=BooleanField(),
    )
    candidates = {
        *recent.order_by().values_list("article", flat=True).distinct(),
        *_fallback(stories, PLACES).values_list("pk", flat=True),
    }
    ranked = list(
        stories.filter(pk__in=candidates)
        .annotate(reads=Coalesce(Subquery(reads, output_field=IntegerField()), 0))
        .order_by("-reads", fallback_order.desc(), "-published_at", "-pk")[:PLACES]
    )
    now = timezone.now()
    rows = [
        PopularStory(
            position=position, article=story, reads=story.reads, window_days=days, ranked_at=now
        )
        for position, story in enumerate(ranked)
    ]
    # Two requests may rank at once: each writes its places over the other's, never a
    # duplicate position.
    with transaction.atomic():
        PopularStory.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["position"],
            update_fields=["article", "reads", "window_days", "ranked_at"],
        )
        PopularStory.objects.filter(position__gte=len(rows)).delete()
    if connection.vendor == "postgresql":
        # The places point at the newest stories: without fresh statistics of this tiny table
        # the planner merges it with the whole story index (65 ms at 100,000 stories, instead
        # of 0.5 ms by primary key). Analysing a few rows every few minutes costs nothing.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(PopularStory._meta.db_table)}")
    return ranked
