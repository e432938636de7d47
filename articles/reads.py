"""Most-read stories: counting reads (one upsert per read) and the "Popular Articles" list.

A read is counted by the page's beacon (``articles.beacon``, ``static/js/beacon.js``), so it
works when article pages come from a cache or CDN. Counts are kept per story per day
(``DailyReads``), so old reads age out: the list sums the last ``POPULAR_DAYS`` days.

Nothing about the reader is stored in the database. To ignore the same reader reloading the
same story, the cache keeps, for ``READ_WINDOW_SECONDS``, a key made of an HMAC of the client
address, user agent and story id (the key cannot be turned back into any of them).
"""

import datetime as dt
import os

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router
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
from django.utils.crypto import salted_hmac

from .models import Article, DailyReads

DEFAULT_POPULAR_DAYS = 7
DEFAULT_POPULAR_CACHE_SECONDS = 300
DEFAULT_READ_WINDOW_SECONDS = 30 * 60
# How long "is this id a published story?" is remembered for the beacon: a story taken down
# stops being counted within this time.
PUBLISHED_CHECK_SECONDS = 60

_WINDOW_SALT = "articles.reads.window"
_CACHE_PREFIX = "articles:reads"


def popular_days() -> int:
    return int(getattr(settings, "POPULAR_DAYS", DEFAULT_POPULAR_DAYS))


def popular_cache_seconds() -> int:
    return int(getattr(settings, "POPULAR_CACHE_SECONDS", DEFAULT_POPULAR_CACHE_SECONDS))


def read_window_seconds() -> int:
    """The setting, else the READ_WINDOW_SECONDS environment variable, else 30 minutes.
    0 counts every beacon (no window)."""
    value = getattr(settings, "READ_WINDOW_SECONDS", None)
    if value is None:
        value = os.environ.get("READ_WINDOW_SECONDS") or DEFAULT_READ_WINDOW_SECONDS
    return int(value)


# Counting


def is_published(article_id: int) -> bool:
    """Whether ``article_id`` is a published story: one indexed lookup, remembered briefly."""
    key = f"{_CACHE_PREFIX}:published:{article_id}"
    published = cache.get(key)
    if published is None:
        published = Article.objects.published().filter(pk=article_id).exists()
        cache.set(key, published, PUBLISHED_CHECK_SECONDS)
    return published


def first_read_in_window(article_id: int, client_ip: str, user_agent: str) -> bool:
    """True the first time this client reads this story within the window; later reads of
    the same story by the same client (a reload) are False until the window has passed."""
    window = read_window_seconds()
    if window <= 0:
        return True
    message = f"{client_ip}\n{user_agent}\n{article_id}"
    digest = salted_hmac(_WINDOW_SALT, message, algorithm="sha256").hexdigest()
    # add() only sets a key that is not there: the check and the mark are one step.
    return cache.add(f"{_CACHE_PREFIX}:seen:{digest}", True, window)


def record_read(article_id: int, day: dt.date | None = None) -> None:
    """Add one read of the story on ``day`` (today by default) in one atomic statement, so
    concurrent reads never lose a count and a read costs the same however many there are.
    INSERT ... ON CONFLICT DO UPDATE works on PostgreSQL and SQLite >= 3.24."""
    connection = connections[router.db_for_write(DailyReads)]
    meta = DailyReads._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    article = quote(meta.get_field("article").column)
    day_column = quote(meta.get_field("day").column)
    count = quote(meta.get_field("count").column)
    sql = (
        f"INSERT INTO {table} ({article}, {day_column}, {count}) VALUES (%s, %s, 1) "  # noqa: S608 - names from the model, values are parameters
        f"ON CONFLICT ({article}, {day_column}) DO UPDATE SET {count} = {table}.{count} + 1"
    )
    day = connection.ops.adapt_datefield_value(day or timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute(sql, [article_id, day])


# The list


def window_start(days: int | None = None) -> dt.date:
    """The first day counted: the last ``days`` days, today included."""
    return timezone.localdate() - dt.timedelta(days=(days or popular_days()) - 1)


def _fallback(stories, size: int):
    """The list before reads were counted: the newest top stories, then the newest."""
    return stories.order_by("-featured", "-published_at")[:size]


def popular(exclude_id: int | None, limit: int) -> list[Article]:
    """Published stories most read in the last ``POPULAR_DAYS`` days (ties: newer first),
    without the story ``exclude_id``; filled up with the newest top stories, then the newest,
    when fewer than ``limit`` stories were read.

    The ranking (ids of the ``limit + 1`` most read stories, the same for every page and
    reader) is computed at most every ``POPULAR_CACHE_SECONDS`` per cache and kept in the
    cache; either way the list costs a few queries by primary key or index, never a scan of
    the archive (and article pages keep the list itself in the cache: views.sidebar_lists).
    """
    days = popular_days()
    key = f"{_CACHE_PREFIX}:popular:{days}:{limit}"
    ranked = cache.get(key)
    if ranked is None:
        stories = _rank(days, limit + 1)
        cache.set(key, [s.pk for s in stories if s.reads > 0], popular_cache_seconds())
        return [story for story in stories if story.pk != exclude_id][:limit]

    others = Article.objects.published().for_cards().exclude(pk=exclude_id)
    if not ranked:
        return list(_fallback(others, limit))
    # The ranked stories first, in their order, then the fallback: read by primary key, at
    # most len(ranked) + limit rows (a ranked story unpublished since simply drops out). The
    # fallback's ids come first, from the index on (status, featured, published_at): as a
    # subquery OR-ed with the ranked ids, PostgreSQL would scan every story.
    fallback_ids = list(_fallback(others, limit).values_list("pk", flat=True))
    position = Case(
        *(When(pk=pk, then=Value(i)) for i, pk in enumerate(ranked)),
        default=Value(len(ranked)),
        output_field=IntegerField(),
    )
    stories = (
        others.filter(pk__in=[*ranked, *fallback_ids])
        .annotate(position=position)
        .order_by("position", "-featured", "-published_at")
    )
    return list(stories[:limit])


def _rank(days: int, size: int) -> list[Article]:
    """The ``size`` published stories with the most reads since ``window_start(days)``, each
    with ``reads``, filled up with the fallback list (``reads`` 0): the candidates' ids (read
    in the window, and the fallback's), then one query over those, never the whole archive."""
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
    # The candidates' ids first (see popular()): the stories read in the window, and the
    # fallback's.
    candidates = {
        *recent.order_by().values_list("article", flat=True).distinct(),
        *_fallback(stories, size).values_list("pk", flat=True),
    }
    ranked = (
        stories.filter(pk__in=candidates)
        .annotate(reads=Coalesce(Subquery(reads, output_field=IntegerField()), 0))
        .order_by("-reads", fallback_order.desc(), "-published_at", "-pk")
    )
    return list(ranked[:size])
