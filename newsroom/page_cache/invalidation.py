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

import contextlib
import contextvars
import functools

from django.db import transaction

from . import purge
from .store import ALL, SCHEDULE, store

# While a bulk write runs: a list holding True once something was invalidated.
_suspended: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "page_cache_suspended", default=None
)


@contextlib.contextmanager
def suspended():
    """Note the invalidations of the writes inside, and make every page and part stale once
    when they are done (committed or not: what did commit must show)."""
    if _suspended.get() is not None:  # nested: the outer one bumps
        yield
        return
    noted: list = []
    token = _suspended.set(noted)
    try:
        yield
    finally:
        _suspended.reset(token)
        if noted:
            invalidate(ALL)


def is_suspended() -> bool:
    """Inside ``suspended()``: receivers may skip working out which tags a write changed."""
    return _suspended.get() is not None


def invalidate(*tags: str) -> None:
    """Mark every page and part that showed one of ``tags`` stale. A cache that does not
    answer loses the bump, never the write: everything stored before an outage is treated
    as stale once the cache is back."""
    if not tags:
        return
    noted = _suspended.get()
    if noted is not None:
        if not noted:
            noted.append(True)
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
