"""When the next scheduled change happens: sources that apps register.

A source says when its next change is due (a scheduled story going live, a banner ending) and,
once that time has passed, which tags the changes since then invalidate. The page cache keeps
the earliest of the sources' next times (read again at least every
``PAGE_CACHE_SCHEDULE_CHECK_SECONDS``, and after every invalidation, since a write may have
scheduled something). A page stored before that moment is stale after it; the first request
after it asks the sources what changed and invalidates that; and ``s-maxage`` never reaches
past it, so a CDN comes back in time too.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings

from .invalidation import invalidate
from .store import SCHEDULE

LOCK = "schedule:lock"
NOTHING = 0.0  # stored when no change is scheduled (the record itself says "known")


@dataclass(frozen=True)
class Source:
    next_change: Callable[[], dt.datetime | None]
    changes_due: Callable[[dt.datetime, dt.datetime], Iterable[str]]


_sources: list[Source] = []


def on_schedule(
    next_change: Callable[[], dt.datetime | None],
    changes_due: Callable[[dt.datetime, dt.datetime], Iterable[str]],
) -> None:
    """Register a source of scheduled changes: ``next_change()`` is the time of the next one
    (None: nothing scheduled); ``changes_due(since, until)`` the tags that the changes due in
    that span invalidate."""
    source = Source(next_change, changes_due)
    if source not in _sources:
        _sources.append(source)


def next_change() -> float:
    """The earliest next change of every source (epoch seconds), or NOTHING."""
    times = [when for source in _sources if (when := source.next_change()) is not None]
    return min(times).timestamp() if times else NOTHING


@dataclass(frozen=True)
class Schedule:
    upcoming: float  # the next change still ahead (epoch seconds), or NOTHING
    passed: float = NOTHING  # a change that has just come due: pages stored before are stale

    def stale(self, stored_at: float) -> bool:
        return bool(self.passed) and stored_at < self.passed


def current(store, held: float | None, now: float, *, available: bool) -> Schedule:
    """The schedule as of ``now``, from the record ``held`` in the cache if there is one.
    When a change has come due, one request (holding a short lock) invalidates what the
    sources say changed; every other request meanwhile treats older pages as stale."""
    if held is None:
        held = next_change()
        if available:
            store.write({SCHEDULE: held}, settings.PAGE_CACHE_SCHEDULE_CHECK_SECONDS)
    if not held or held > now:
        return Schedule(upcoming=held)
    if available and store.add(LOCK, True, 30):
        try:
            since, until = (dt.datetime.fromtimestamp(t, tz=dt.UTC) for t in (held, now))
            tags = {tag for source in _sources for tag in source.changes_due(since, until)}
            invalidate(*tags)  # forgets the schedule record, too
            upcoming = next_change()
            store.write({SCHEDULE: upcoming}, settings.PAGE_CACHE_SCHEDULE_CHECK_SECONDS)
        finally:
            store.delete(LOCK)
        return Schedule(upcoming=upcoming, passed=held)
    return Schedule(upcoming=next_change(), passed=held)
