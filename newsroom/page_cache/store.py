"""The page cache's records in a Django cache: the clock, the tags' versions, the bump times,
read and written so that a cache failure is a miss, never an error.

With ``newsroom.cache.RedisCache`` a bump is one Lua script (the clock and every tag move
together, so no reader can see the new clock with the old tags) and an outage is seen through
the backend's breaker. Any other Django cache works through its public API; a process lock
makes the bump atomic within the process, which is exact for local memory (one cache per
process) and is why ``manage.py check --deploy`` asks for Redis when the cache is shared.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache

from newsroom.cache import RedisCache

from .local import LocalCopies

logger = logging.getLogger(__name__)

# The page cache's own records (every key starts with it): changed when their Python shape
# changes, so a release never unpickles what an older one stored (those entries expire).
FORMAT = "page-cache:1"
CLOCK = "clock"
SCHEDULE = "schedule"  # the next scheduled change (see schedule.py)
ALL = "all"  # a tag every page and part carries: bumped, it makes everything stored stale
BUMP_TIMES_KEPT = 60  # seconds the time of each bump is kept (for stale-while-rendering)

# Lua numbers are doubles: exact for the clock's values (below 2**53), but written with
# "%d", as ".." would write them in scientific notation.
BUMP_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end
local version = redis.call('INCR', KEYS[1])
for i = 2, #KEYS do redis.call('SET', KEYS[i], version) end
redis.call('SET', ARGV[2] .. string.format('%d', version), ARGV[3], 'EX', ARGV[4])
return version
"""


def clock_base() -> int:
    """Where a new clock starts: the time in microseconds, above any version an evicted or
    flushed clock reached (a bump adds one or two)."""
    return time.time_ns() // 1000


def tag_key(tag: str) -> str:
    return f"tag:{tag}"


class Store:
    """One Django cache, as the page cache uses it. Every method fails open: a cache that
    raises or does not answer gives None (or nothing) back, and the caller renders uncached."""

    def __init__(self, alias: str):
        self.alias = alias
        self.atomic = threading.Lock()  # the bump, where the backend has no script
        self.script = None
        if isinstance(self.cache, RedisCache):
            self.script = self.cache.client.register_script(BUMP_SCRIPT)
        self.outages_seen = self.outages()
        self.copies = LocalCopies(max(1, settings.PAGE_CACHE_LOCAL_ENTRIES))

    @property
    def local(self) -> LocalCopies | None:
        """This process's copies of what is stored here (none with PAGE_CACHE_LOCAL_ENTRIES=0)."""
        return self.copies if settings.PAGE_CACHE_LOCAL_ENTRIES > 0 else None

    @property
    def cache(self):
        # Django keeps a backend instance per thread; they share their storage (and, for
        # newsroom.cache.RedisCache, one client and one breaker per process).
        return caches[self.alias]

    def key(self, name: str) -> str:
        return f"{FORMAT}:{name}"

    def outages(self) -> int:
        return getattr(self.cache, "outages", 0)

    def _attempt(self, call, default=None):
        try:
            return call()
        except Exception:  # any backend's failure is a miss here (newsroom.cache never raises)
            logger.warning("Page cache: the cache failed; serving uncached.", exc_info=True)
            return default

    def read(self, names) -> dict:
        """The values of ``names`` that are there (by name)."""
        made = {self.key(name): name for name in names}
        found = self._attempt(lambda: self.cache.get_many(list(made)), {})
        return {made[key]: value for key, value in found.items()}

    def write(self, values: dict, timeout: int | None) -> None:
        made = {self.key(name): value for name, value in values.items()}
        self._attempt(lambda: self.cache.set_many(made, timeout))

    def add(self, name: str, value, timeout: int | None) -> bool:
        return bool(self._attempt(lambda: self.cache.add(self.key(name), value, timeout), False))

    def delete(self, name: str) -> None:
        self._attempt(lambda: self.cache.delete(self.key(name)))

    def clock(self) -> int | None:
        """The clock now (started if missing), or None when the cache does not answer."""
        key = self.key(CLOCK)
        self._attempt(lambda: self.cache.add(key, clock_base(), None))
        return self._attempt(lambda: self.cache.get(key))

    def versions(self, tags) -> dict[str, int]:
        found = self.read(tag_key(tag) for tag in tags)
        return {name.removeprefix("tag:"): version for name, version in found.items()}

    def bump(self, tags) -> int | None:
        """Move the clock and raise ``tags`` to its new value, recording when; the tags' new
        version, or None when the cache did not take it."""
        if isinstance(self.cache, DummyCache):  # no cache at all: nothing to bump, nothing failed
            return None
        tags = sorted(set(tags))
        now_ms = str(time.time_ns() // 1_000_000)
        if self.script is not None:
            keys = [self.cache.make_key(self.key(name)) for name in (CLOCK, *map(tag_key, tags))]
            times = self.cache.make_key(self.key("bumped:"))
            args = [clock_base(), times, now_ms, BUMP_TIMES_KEPT]
            return self.cache.guarded(lambda: self.script(keys=keys, args=args))
        with self.atomic:
            return self._attempt(lambda: self._bump_by_api(tags, int(now_ms)))

    def _bump_by_api(self, tags, now_ms: int) -> int:
        clock = self.key(CLOCK)
        self.cache.add(clock, clock_base(), None)
        version = self.cache.incr(clock)
        self.cache.set_many({self.key(tag_key(tag)): version for tag in tags}, None)
        # The clock moves a second time once the tags are written: a reader that saw the
        # first move before the tags were written checks them again after this one.
        self.cache.incr(clock)
        times = {self.key(f"bumped:{v}"): now_ms for v in (version, version + 1)}
        self.cache.set_many(times, BUMP_TIMES_KEPT)
        return version

    def fresh(self, start: int, tags, clock: int, checked, checked_name: str, timeout) -> bool:
        """Whether something rendered at clock ``start`` that shows ``tags`` is still fresh:
        at once when its last check (``checked``) was at the current ``clock``, else by
        reading its tags, all of which must be there and not above ``start`` (the check is
        then recorded at ``clock``, so the next reader is spared the tags)."""
        if checked == (start, clock):
            return True
        versions = self.versions(tags)
        if any(versions.get(tag) is None or versions[tag] > start for tag in tags):
            return False
        self.write({checked_name: (start, clock)}, timeout)
        return True

    def write_missing_tags(self, tags, start: int) -> None:
        """A tag never bumped (or evicted) is written at the render's clock: what was stored
        before counts as stale, this render and later ones as fresh."""
        present = self.versions(tags)
        for tag in tags:
            if tag not in present:
                self.add(tag_key(tag), start, None)

    def bumped_at(self, version: int) -> float | None:
        """When the bump that made ``version`` happened (epoch seconds), if still known."""
        value = self.read([f"bumped:{version}"]).get(f"bumped:{version}")
        return None if value is None else value / 1000

    def recover(self) -> None:
        """After an outage of the cache (seen by this process), everything stored before it
        is stale: writes meant for the cache (bumps above all) may have been lost."""
        outages = self.outages()
        if outages != self.outages_seen and self.bump([ALL]) is not None:
            self.outages_seen = outages
            logger.warning("Page cache: the cache is back; everything stored before is stale.")


_stores: dict[tuple[str, str], Store] = {}
_stores_lock = threading.Lock()


def store() -> Store:
    """The store of ``settings.PAGE_CACHE_ALIAS``: one per process and cache configuration."""
    alias = settings.PAGE_CACHE_ALIAS
    key = (alias, repr(settings.CACHES.get(alias)))
    found = _stores.get(key)
    if found is None:
        with _stores_lock:
            found = _stores.setdefault(key, Store(alias))
    return found
