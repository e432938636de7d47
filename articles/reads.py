"""Most-read stories: counting reads (one upsert per read) for "Popular Articles", which
``articles.popular`` ranks from these counts.

A read is counted by the page's beacon (``articles.beacon``, ``static/js/beacon.js``), so it
works when article pages come from a cache or CDN. Counts are kept per story per day
(``DailyReads``), so old reads age out: the list sums the last ``POPULAR_DAYS`` days.

Nothing about the reader is stored in the database. To ignore the same reader reloading the
same story, the cache keeps, for ``READ_WINDOW_SECONDS``, a key made of an HMAC of the client
address, user agent and story id (the key cannot be turned back into any of them). A client
that changes its user agent is still one address: an address counts at most
``READ_CAP_PER_ADDRESS`` reads of a story per window (a counter under an HMAC of the address
and story id, gone with the window), which leaves room for a household or an office behind one
address and none for a script. While the cache does not answer, reads are counted without
the window or the cap (as the rate limits do, the site goes on without its cache).
"""

import datetime as dt
import os

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import Article, DailyReads

DEFAULT_POPULAR_DAYS = 7
DEFAULT_POPULAR_CACHE_SECONDS = 300
DEFAULT_READ_WINDOW_SECONDS = 30 * 60
DEFAULT_READ_CAP_PER_ADDRESS = 3
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


def read_cap_per_address() -> int:
    return int(getattr(settings, "READ_CAP_PER_ADDRESS", DEFAULT_READ_CAP_PER_ADDRESS))


# Counting


def is_published(article_id: int) -> bool:
    """Whether ``article_id`` is a published story: one indexed lookup, remembered briefly."""
    key = f"{_CACHE_PREFIX}:published:{article_id}"
    published = cache.get(key)
    if published is None:
        published = Article.objects.published().filter(pk=article_id).exists()
        cache.set(key, published, PUBLISHED_CHECK_SECONDS)
    return published


def _key(kind: str, *parts) -> str:
    message = "\n".join(str(part) for part in parts)
    digest = salted_hmac(_WINDOW_SALT, message, algorithm="sha256").hexdigest()
    return f"{_CACHE_PREFIX}:{kind}:{digest}"


def first_read_in_window(article_id: int, client_ip: str, user_agent: str) -> bool:
    """True the first time this client reads this story within the window, as long as its
    address has not reached ``READ_CAP_PER_ADDRESS`` reads of the story in the window; later
    reads of the same story by the same client (a reload) are False until the window has
    passed."""
    window = read_window_seconds()
    if window <= 0:
        return True
    # add() only sets a key that is not there: the check and the mark are one step.
    if not cache.add(_key("seen", client_ip, user_agent, article_id), True, window):
        return False
    per_address = _key("address", client_ip, article_id)
    cache.add(per_address, 0, window)
    try:
        reads_from_address = cache.incr(per_address)
    except ValueError:  # the cache lost the key or does not answer: counted, uncapped
        return True
    return reads_from_address <= read_cap_per_address()


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


# The window of "Popular Articles" (ranked in articles.popular)


def window_start(days: int | None = None) -> dt.date:
    """The first day counted: the last ``days`` days, today included."""
    return timezone.localdate() - dt.timedelta(days=(days or popular_days()) - 1)
