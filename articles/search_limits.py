"""Bounds on site search, so a flood of distinct queries cannot starve the other pages.

- **Results kept**: the search page is a ``@public_page`` reading ``q`` and ``page``, so a
  repeated query is answered from the page cache (and for a second by the front's microcache)
  without reaching this module; only a query nobody asked since the last change is searched.
- **Per client**: each search that reaches the database counts against its client address
  (``SEARCH_RATE``: searches per window of seconds, 30 a minute by default). Past it the
  answer is a 429 page saying how long to wait, with ``Retry-After``; nothing is searched. The
  address is kept only as a keyed hash in the cache, for the window. While the cache does not
  answer, nobody is limited (the statement timeout still holds).
- **Statement timeout** (PostgreSQL): a search's queries run in one transaction with
  ``statement_timeout`` at ``SEARCH_TIMEOUT_MS`` (1,500 ms by default); a query that takes
  longer is cancelled by the server, and the reader gets a 503 page asking for more specific
  words, while the worker is free again.
"""

import contextlib

from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connection, transaction
from django.utils.crypto import salted_hmac

DEFAULT_RATE = (30, 60)
DEFAULT_TIMEOUT_MS = 1500
QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement cancelled by its timeout


def rate() -> tuple[int, int]:
    return tuple(getattr(settings, "SEARCH_RATE", DEFAULT_RATE))


def over_limit(client_address: str) -> bool:
    """Count a search from this client address; True once it is past ``SEARCH_RATE``."""
    limit, window = rate()
    digest = salted_hmac("articles.search", client_address, algorithm="sha256").hexdigest()
    key = f"articles:search:{digest}"
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr, or the cache is out
        return False


class SearchTimedOut(Exception):
    """The database cancelled a search query that ran past ``SEARCH_TIMEOUT_MS``."""


@contextlib.contextmanager
def time_limited():
    """The block's queries in one transaction whose statements PostgreSQL cancels after
    ``SEARCH_TIMEOUT_MS``; a cancelled one raises ``SearchTimedOut``. Elsewhere, nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    milliseconds = int(getattr(settings, "SEARCH_TIMEOUT_MS", DEFAULT_TIMEOUT_MS))
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                # set_config(..., true) is SET LOCAL: it ends with the transaction.
                cursor.execute(
                    "SELECT set_config('statement_timeout', %s, true)", [f"{milliseconds}ms"]
                )
            yield
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == QUERY_CANCELED:
            raise SearchTimedOut from error
        raise
