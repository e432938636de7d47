"""What a write changed: ``invalidate(*tags)`` marks every page and part showing one of the
tags stale, in every process and on the CDN.

Tags are bumped at once and again when the current transaction commits: at once, so that code
inside an outer transaction (a shell session's atomic block, a data migration, a test) sees its
own edits; at commit, because a page rendered meanwhile from the rows as they were before the
commit must not stay fresh. The schedule record is forgotten both times too (the write may have
scheduled something). The CDN is told at commit, through a background task.

A bulk write (an import of thousands of stories) runs inside ``suspended()``: invalidations
are only noted meanwhile, and when it ends everything stored is made stale at once (the tag
``all``), one bump instead of several per row written.
"""

import functools

from django.db import transaction

from newsroom.deferred import Deferral

from . import purge
from .store import ALL, SCHEDULE, store

# While a bulk write runs, invalidations are noted and every page and part is made stale once
# when it is done (committed or not: what did commit must show).
_bulk = Deferral("page_cache_suspended", lambda: invalidate(ALL))
suspended = _bulk.during


def is_suspended() -> bool:
    """Inside ``suspended()``: receivers may skip working out which tags a write changed."""
    return _bulk.active


def invalidate(*tags: str) -> None:
    """Mark every page and part that showed one of ``tags`` stale. A cache that does not
    answer loses the bump, never the write: everything stored before an outage is treated
    as stale once the cache is back."""
    if not tags:
        return
    if _bulk.defer():
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _flush(set(tags))
        return
    found = store()
    found.bump(tags)
    found.delete(SCHEDULE)
    # Dropped with the rest of the transaction if it rolls back.
    transaction.on_commit(functools.partial(_flush, set(tags)))


def _flush(tags: set[str]) -> None:
    if not tags:
        return
    found = store()
    found.bump(tags)
    found.delete(SCHEDULE)
    purge.send(tags)
