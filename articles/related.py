""" "Related stories": 3-4 stories under each article, chosen when a story is published or
changed (a task, ``tasks.compute_related``), never per request: the article page reads them
with the story, in its one query (``story_page``).

A candidate scores by the tags it shares (3 each), the same section (2) and the likeness of its
text: on PostgreSQL the full-text rank of its search vector against the story's headline, dek
and tag words; elsewhere the share of those words it has in its headline and dek. Newer stories
are preferred (the score halves every ``HALF_LIFE_DAYS``). A story is never related to itself,
and editors' pins come first and their exclusions never appear. When a story's list is made,
the lists of the stories in it are made again too (one level), so a new story joins its
neighbours' lists.
"""

import math
import re

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, F, FloatField, Q, Value, When
from django.utils import timezone

from newsroom import page_cache

from .models import Article, RelatedStory

HALF_LIFE_DAYS = 30
POOL = 60  # candidates the database ranks before recency is weighed
PLAIN_POOL = 300  # on SQLite, the newest stories looked at besides those sharing tags/section
_WORD = re.compile(r"\w{4,}")


def words_of(*texts: str) -> set[str]:
    return {w.lower() for text in texts for w in _WORD.findall(text or "") if not w.isdigit()}


def _recency(published_at, now) -> float:
    days = max(0.0, (now - published_at).total_seconds() / 86400)
    return math.pow(0.5, days / HALF_LIFE_DAYS)


def candidates(article: Article) -> list[tuple[float, Article]]:
    """Public stories other than ``article`` and its exclusions, with their scores, best first."""
    now = timezone.now()
    tag_ids = list(article.tags.values_list("pk", flat=True))
    excluded = set(article.related_excluded.values_list("pk", flat=True)) | {article.pk}
    words = words_of(article.headline, article.dek, *article.tags.values_list("name", flat=True))
    stories = (
        Article.objects.published()
        .exclude(pk__in=excluded)
        .only("id", "headline", "dek", "section_id", "published_at")
        .annotate(shared=Count("tags", filter=Q(tags__in=tag_ids), distinct=True))
    )
    same = Q(section_id=article.section_id) if article.section_id else Q(pk__in=[])
    scored = []
    if connection.vendor == "postgresql" and words:
        from django.contrib.postgres.search import SearchQuery, SearchRank

        from .search import CONFIG

        query = SearchQuery(" | ".join(sorted(words)), search_type="raw", config=CONFIG)
        rows = (
            stories.annotate(rank=SearchRank(F("search_vector"), query))
            .filter(Q(shared__gt=0) | same | Q(search_vector=query))
            .annotate(
                base=F("shared") * Value(3.0, output_field=FloatField())
                + Case(When(same, then=Value(2.0)), default=Value(0.0), output_field=FloatField())
                + F("rank") * 10.0
            )
            .order_by("-base", "-published_at")[:POOL]
        )
        for story in rows:
            text = min(1.0, story.rank * 10)
            scored.append((story, text))
    else:
        related = list(stories.filter(Q(shared__gt=0) | same).order_by("-published_at")[:POOL])
        seen = {story.pk for story in related}
        related += [s for s in stories.order_by("-published_at")[:PLAIN_POOL] if s.pk not in seen]
        for story in related:
            found = words_of(story.headline, story.dek)
            text = len(words & found) / len(words) if words else 0.0
            scored.append((story, text))
    results = []
    for story, text in scored:
        same_section = bool(article.section_id) and story.section_id == article.section_id
        base = 3 * story.shared + 2 * same_section + 4 * text
        if base <= 0:
            continue
        results.append((base * _recency(story.published_at, now), story))
    results.sort(key=lambda pair: (-pair[0], -pair[1].published_at.timestamp()))
    return results


def compute(article: Article, *, neighbours: bool = True) -> list[int]:
    """Choose and store ``article``'s related stories (pins first); return their ids."""
    size = settings.RELATED_STORIES
    pinned = list(
        Article.objects.published()
        .filter(pk__in=article.related_pinned.values_list("pk", flat=True))
        .exclude(pk=article.pk)
        .order_by("-published_at")
        .values_list("pk", flat=True)[:size]
    )
    chosen = [(0.0, pk) for pk in pinned]
    if article.is_public:
        for score, story in candidates(article):
            if len(chosen) >= size:
                break
            if story.pk not in pinned:
                chosen.append((score, story.pk))
    rows = [
        RelatedStory(article=article, related_id=pk, position=position, score=score)
        for position, (score, pk) in enumerate(chosen)
    ]
    with transaction.atomic():
        old = list(article.related_rows.values_list("related_id", flat=True))
        RelatedStory.objects.filter(article=article).delete()
        RelatedStory.objects.bulk_create(rows)
    ids = [pk for _, pk in chosen]
    if ids != old:
        page_cache.invalidate(f"story:{article.pk}")
    if neighbours:
        for neighbour in Article.objects.filter(pk__in=ids[len(pinned) :]):
            compute(neighbour, neighbours=False)
    return ids


def compute_all() -> int:
    """Every public story's list (``manage.py related``, after an import)."""
    count = 0
    for article in Article.objects.published().iterator(chunk_size=200):
        compute(article, neighbours=False)
        count += 1
    return count
